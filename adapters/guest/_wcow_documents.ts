/**
 * The HCN namespace and endpoint documents a WCOW guest receives, built as
 * hcsshim builds them: it decodes what HNS returned into its schema types
 * (`hcn/hcnnamespace.go` `HostComputeNamespace`, `hcn/hcnendpoint.go`
 * `HostComputeEndpoint`) with Go's `encoding/json` and encodes those again
 * for the guest (`internal/vm/guestmanager/network_wcow.go`). So only the
 * schema's fields go out, spelled as the schema spells them, in its field
 * order; `omitempty` drops zero numbers, empty strings and empty lists, and
 * the struct-valued fields (`Dns`, `Health`, `SchemaVersion`) are always
 * present, as Go's encoder writes them.
 *
 * Fields podnet's host reader parses (ID, name, MAC, IP configurations, DNS,
 * routes, policies) come from the parsed endpoint, so the guest gets the
 * values podnet checked and normalised; the others are taken from the
 * document with keys matched regardless of case (the later of two spellings
 * wins, as in Go's decoder), and a value of the wrong JSON type is left out.
 *
 * @module
 */
import type { HostEndpoint } from "../../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** The value of `name` in `doc`, keys matched regardless of case; the last match wins. */
function field(doc: JsonValue | undefined, name: string): JsonValue | undefined {
  if (!isObject(doc)) return undefined;
  const wanted = name.toLowerCase();
  let found: JsonValue | undefined;
  for (const [key, value] of Object.entries(doc)) {
    if (key.toLowerCase() === wanted) found = value;
  }
  return found;
}

/** A string field (`omitempty`): set when it is a non-empty string. */
function putString(out: JsonObject, name: string, value: JsonValue | undefined): void {
  if (typeof value === "string" && value !== "") out[name] = value;
}

/** An unsigned integer field of at most `max` (`omitempty`): set when it is one and not 0. */
function putUnsigned(out: JsonObject, name: string, value: JsonValue | undefined, max: number) {
  if (typeof value === "number" && Number.isInteger(value) && value > 0 && value <= max) {
    out[name] = value;
  }
}

/** A `json.RawMessage` field: passed on as written (`omitempty`: left out when absent). */
function putRaw(out: JsonObject, name: string, value: JsonValue | undefined): void {
  if (value !== undefined) out[name] = structuredClone(value);
}

/** A list field (`omitempty`): set when it has entries. */
function putList(out: JsonObject, name: string, list: JsonValue[]): void {
  if (list.length > 0) out[name] = list;
}

/** hcn `SchemaVersion` (= `Version` `{Major int; Minor int}`): always written. */
function schemaVersion(doc: JsonObject): JsonObject {
  const raw = field(doc, "SchemaVersion");
  const int = (v: JsonValue | undefined) => typeof v === "number" && Number.isInteger(v) ? v : 0;
  return { Major: int(field(raw, "Major")), Minor: int(field(raw, "Minor")) };
}

/** hcn `Health` `{Data interface{}; Extra ExtraParams}`: always written, as Go does. */
function health(doc: JsonObject): JsonObject {
  const raw = field(doc, "Health");
  const out: JsonObject = {};
  const data = field(raw, "Data");
  if (data !== undefined && data !== null) out["Data"] = structuredClone(data);
  const rawExtra = field(raw, "Extra");
  const extra: JsonObject = {};
  putRaw(extra, "Resources", field(rawExtra, "Resources"));
  putRaw(extra, "SharedContainers", field(rawExtra, "SharedContainers"));
  for (const name of ["LayeredOn", "SwitchGuid", "UtilityVM", "VirtualMachine"]) {
    putString(extra, name, field(rawExtra, name));
  }
  out["Extra"] = extra;
  return out;
}

/**
 * The endpoint as hcsshim sends it to a WCOW guest (the `Settings` of the
 * NIC pre-add): hcn `HostComputeEndpoint`, field by field.
 */
export function wcowEndpointDocument(endpoint: HostEndpoint): JsonObject {
  const doc = endpoint.document;
  const out: JsonObject = { ID: endpoint.id };
  putString(out, "Name", endpoint.name);
  putString(out, "HostComputeNetwork", field(doc, "HostComputeNetwork"));
  putString(out, "HostComputeNamespace", field(doc, "HostComputeNamespace"));
  putList(
    out,
    "Policies",
    endpoint.policies.map((p) => {
      const policy: JsonObject = { Type: p.type };
      putRaw(policy, "Settings", p.settings);
      return policy;
    }),
  );
  putList(
    out,
    "IpConfigurations",
    endpoint.ipConfigurations.map((c) => {
      const config: JsonObject = {};
      putString(config, "IpAddress", c.ipAddress);
      putUnsigned(config, "PrefixLength", c.prefixLength, 0xff);
      return config;
    }),
  );
  const dns: JsonObject = {};
  putString(dns, "Domain", endpoint.dns?.domain);
  putList(dns, "Search", [...endpoint.dns?.search ?? []]);
  putList(dns, "ServerList", [...endpoint.dns?.serverList ?? []]);
  putList(dns, "Options", [...endpoint.dns?.options ?? []]);
  out["Dns"] = dns;
  putList(
    out,
    "Routes",
    endpoint.routes.map((r) => {
      const route: JsonObject = {};
      putString(route, "NextHop", r.nextHop);
      putString(route, "DestinationPrefix", r.destinationPrefix);
      putUnsigned(route, "Metric", r.metric, 0xffff);
      return route;
    }),
  );
  putString(out, "MacAddress", endpoint.macAddress);
  putUnsigned(out, "Flags", field(doc, "Flags"), 0xffff_ffff);
  out["Health"] = health(doc);
  out["SchemaVersion"] = schemaVersion(doc);
  return out;
}

/**
 * The namespace as hcsshim sends it to a WCOW guest (the `Settings` of
 * NetworkNamespace Add and Remove): hcn `HostComputeNamespace`, field by
 * field; each `Resources` entry keeps `Type` and its `Data` as written
 * (`json.RawMessage`).
 */
export function wcowNamespaceDocument(id: string, doc: JsonObject): JsonObject {
  const out: JsonObject = { ID: id };
  putUnsigned(out, "NamespaceId", field(doc, "NamespaceId"), 0xffff_ffff);
  putString(out, "Type", field(doc, "Type"));
  const resources = field(doc, "Resources");
  if (Array.isArray(resources)) {
    putList(
      out,
      "Resources",
      resources.filter(isObject).map((r) => {
        const type = field(r, "Type");
        const data = field(r, "Data");
        return {
          Type: typeof type === "string" ? type : "",
          Data: data === undefined ? null : structuredClone(data),
        };
      }),
    );
  }
  out["SchemaVersion"] = schemaVersion(doc);
  return out;
}
