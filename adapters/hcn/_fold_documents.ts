/**
 * HCN namespace and endpoint documents with their keys spelled as HNS
 * usually spells them, at every level podnet reads, matched as hcsshim's Go
 * decoder matches them: case-insensitively (`adapters/_fold_keys.ts`). The
 * key names are those of hcsshim's types (`hcn/hcnendpoint.go`:
 * `HostComputeEndpoint`, `IpConfig`; `hcn/hcnnetwork.go`: `Dns`, `Route`;
 * `hcn/hcnpolicy.go`: `EndpointPolicy`, `EncapOverheadEndpointPolicySetting`;
 * `hcn/hcnnamespace.go`: `HostComputeNamespace`, `NamespaceResource`,
 * `NamespaceResourceEndpoint`). Values are not touched; unknown keys stay.
 *
 * @module
 */
import { foldKeys, isJsonObject, type KeyTable, keyTable } from "../_fold_keys.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";

const endpointKeys = keyTable([
  "ID",
  "Name",
  "HostComputeNetwork",
  "HostComputeNamespace",
  "Policies",
  "IpConfigurations",
  "Dns",
  "Routes",
  "MacAddress",
  "Flags",
  "Health",
  "SchemaVersion",
]);
const ipConfigKeys = keyTable(["IpAddress", "PrefixLength"]);
const dnsKeys = keyTable(["Domain", "Search", "ServerList", "Options"]);
const routeKeys = keyTable(["NextHop", "DestinationPrefix", "Metric"]);
const policyKeys = keyTable(["Type", "Settings"]);
const encapKeys = keyTable(["Overhead"]);
const versionKeys = keyTable(["Major", "Minor"]);
const namespaceKeys = keyTable(["ID", "NamespaceId", "Type", "Resources", "SchemaVersion"]);
const resourceKeys = keyTable(["Type", "Data"]);
const resourceDataKeys = keyTable(["ID"]);

type Fold = (value: JsonObject) => JsonObject;

/** An object's keys at one level, then `below` for some of its fields. */
function level(table: KeyTable, below: Record<string, (value: JsonValue) => JsonValue> = {}): Fold {
  const fields = Object.entries(below);
  return (value) => {
    let out = foldKeys(value, table);
    for (const [name, fold] of fields) {
      const item = out[name];
      if (item === undefined) continue;
      const folded = fold(item);
      if (folded !== item) out = { ...out, [name]: folded };
    }
    return out;
  };
}

function object(fold: Fold): (value: JsonValue) => JsonValue {
  return (value) => isJsonObject(value) ? fold(value) : value;
}

function each(fold: Fold): (value: JsonValue) => JsonValue {
  return (value) => {
    if (!Array.isArray(value)) return value;
    let out: JsonValue[] | undefined;
    value.forEach((item, index) => {
      if (!isJsonObject(item)) return;
      const folded = fold(item);
      if (folded !== item) (out ??= [...value])[index] = folded;
    });
    return out ?? value;
  };
}

const foldPolicy: Fold = (value) => {
  const policy = foldKeys(value, policyKeys);
  // hcsshim decodes the Settings of an EncapOverhead policy into
  // EncapOverheadEndpointPolicySetting (internal/protocol/guestresource/parse.go).
  const settings = policy.Settings;
  if (policy.Type !== "EncapOverhead" || !isJsonObject(settings)) return policy;
  const folded = foldKeys(settings, encapKeys);
  return folded === settings ? policy : { ...policy, Settings: folded };
};

const foldEndpoint = level(endpointKeys, {
  IpConfigurations: each(level(ipConfigKeys)),
  Dns: object(level(dnsKeys)),
  Routes: each(level(routeKeys)),
  Policies: each(foldPolicy),
  SchemaVersion: object(level(versionKeys)),
});

const foldNamespace = level(namespaceKeys, {
  Resources: each(level(resourceKeys, { Data: object(level(resourceDataKeys)) })),
  SchemaVersion: object(level(versionKeys)),
});

/**
 * An HCN endpoint document with HNS's usual key spelling at every level
 * hcsshim decodes; the same object when it already had it.
 */
export function foldEndpointKeys(document: JsonObject): JsonObject {
  return foldEndpoint(document);
}

/**
 * An HCN namespace document with HNS's usual key spelling at every level
 * hcsshim decodes; the same object when it already had it.
 */
export function foldNamespaceKeys(document: JsonObject): JsonObject {
  return foldNamespace(document);
}
