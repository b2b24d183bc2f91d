/**
 * HCN namespace and endpoint documents with their keys spelled as HNS
 * usually spells them, at every level podnet reads, matched as hcsshim's Go
 * decoder matches them: case-insensitively (`adapters/_fold_keys.ts`). The
 * key names are those of hcsshim's types (`hcn/hcnendpoint.go`:
 * `HostComputeEndpoint`, `IpConfig`; `hcn/hcnnetwork.go`: `Dns`, `Route`;
 * `hcn/hcnpolicy.go`: `EndpointPolicy`;
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
const versionKeys = keyTable(["Major", "Minor"]);
const namespaceKeys = keyTable(["ID", "NamespaceId", "Type", "Resources", "SchemaVersion"]);
const resourceKeys = keyTable(["Type", "Data"]);
const resourceDataKeys = keyTable(["ID"]);

/** A value a later spelling of its key replaced, and where it was. */
export interface Shadowed {
  /** The canonical path of the key. */
  readonly path: readonly (string | number)[];
  /** The replaced value. */
  readonly value: JsonValue;
}

type Path = readonly (string | number)[];
type Fold<T extends JsonValue = JsonObject> = (value: T, at: Path, shadowed: Shadowed[]) => T;

/** An object's keys at one level, then `below` for some of its fields. */
function level(table: KeyTable, below: Record<string, Fold<JsonValue>> = {}): Fold {
  const fields = Object.entries(below);
  return (value, at, shadowed) => {
    let out = foldKeys(value, table, (name, earlier) => {
      shadowed.push({ path: [...at, name], value: earlier });
    });
    for (const [name, fold] of fields) {
      const item = out[name];
      if (item === undefined) continue;
      const folded = fold(item, [...at, name], shadowed);
      if (folded !== item) out = { ...out, [name]: folded };
    }
    return out;
  };
}

function object(fold: Fold): Fold<JsonValue> {
  return (value, at, shadowed) => isJsonObject(value) ? fold(value, at, shadowed) : value;
}

function each(fold: Fold): Fold<JsonValue> {
  return (value, at, shadowed) => {
    if (!Array.isArray(value)) return value;
    let out: JsonValue[] | undefined;
    value.forEach((item, index) => {
      if (!isJsonObject(item)) return;
      const folded = fold(item, [...at, index], shadowed);
      if (folded !== item) (out ??= [...value])[index] = folded;
    });
    return out ?? value;
  };
}

const foldEndpoint = level(endpointKeys, {
  IpConfigurations: each(level(ipConfigKeys)),
  Dns: object(level(dnsKeys)),
  Routes: each(level(routeKeys)),
  // Settings is raw JSON to hcsshim (json.RawMessage), decoded per policy
  // type later: see _endpoint_rules.ts for EncapOverhead's.
  Policies: each(level(policyKeys)),
  SchemaVersion: object(level(versionKeys)),
});

const foldNamespace = level(namespaceKeys, {
  Resources: each(level(resourceKeys, { Data: object(level(resourceDataKeys)) })),
  SchemaVersion: object(level(versionKeys)),
});

/** A document with its keys spelled as usual, and the values later spellings replaced. */
export interface Folded {
  /** The document; the same object when it already had the usual spelling. */
  readonly document: JsonObject;
  /** Values of keys given twice (in two spellings) that a later one replaced. */
  readonly shadowed: readonly Shadowed[];
}

/**
 * An HCN endpoint document with HNS's usual key spelling at every level
 * hcsshim decodes (see {@linkcode Folded}).
 */
export function foldEndpointKeys(document: JsonObject): Folded {
  const shadowed: Shadowed[] = [];
  return { document: foldEndpoint(document, [], shadowed), shadowed };
}

/**
 * An HCN namespace document with HNS's usual key spelling at every level
 * hcsshim decodes (see {@linkcode Folded}).
 */
export function foldNamespaceKeys(document: JsonObject): Folded {
  const shadowed: Shadowed[] = [];
  return { document: foldNamespace(document, [], shadowed), shadowed };
}
