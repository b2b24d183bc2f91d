/**
 * Validation of the HCN namespace and endpoint documents into the port's
 * value types. HNS omits empty fields (and Go may write `null` for them), so
 * every field may be absent; unknown fields are allowed. Anything malformed
 * is an `InvalidHostDataError` naming the field path.
 *
 * @module
 */
import { z } from "zod";
import { InvalidHostDataError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import type {
  DnsSettings,
  EndpointPolicy,
  HostEndpoint,
  HostNamespace,
  IpConfiguration,
  Route,
} from "../../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";

const text = z.string({ error: "must be a string" });

const guid = z.string({ error: "must be a GUID string" }).transform((value, ctx) => {
  const id = normalizeGuid(value);
  if (id === undefined) {
    ctx.issues.push({ code: "custom", message: "must be a GUID", input: value });
    return z.NEVER;
  }
  return id;
});

function unsigned(max: number) {
  const range = `must be an integer 0..${max}`;
  return z.int({ error: range }).min(0, { error: range }).max(max, { error: range });
}

function list<T extends z.ZodType>(item: T) {
  return z.array(item, { error: "must be an array" });
}

const ipConfigurationSchema = z.looseObject({
  IpAddress: z.string({ error: "must be a non-empty string" }).min(1, {
    error: "must be a non-empty string",
  }),
  PrefixLength: unsigned(128).nullish(),
}, { error: "must be a JSON object" });

const routeSchema = z.looseObject({
  NextHop: text.nullish(),
  DestinationPrefix: text.nullish(),
  Metric: unsigned(65_535).nullish(),
}, { error: "must be a JSON object" });

const dnsSchema = z.looseObject({
  Domain: text.nullish(),
  Search: list(text).nullish(),
  ServerList: list(text).nullish(),
  Options: list(text).nullish(),
}, { error: "must be a JSON object" });

const policySchema = z.looseObject({
  Type: text,
  Settings: z.json().optional(),
}, { error: "must be a JSON object" });

const endpointSchema = z.looseObject({
  ID: guid.nullish(),
  Name: text.nullish(),
  MacAddress: text.nullish(),
  IpConfigurations: list(ipConfigurationSchema).nullish(),
  Dns: dnsSchema.nullish(),
  Routes: list(routeSchema).nullish(),
  Policies: list(policySchema).nullish(),
});

const resourceSchema = z.looseObject({
  Type: text.nullish(),
  Data: z.unknown().optional(),
}, { error: "must be a JSON object" });

const namespaceSchema = z.looseObject({
  ID: guid.nullish(),
  Resources: list(resourceSchema).nullish(),
});

const endpointResourceDataSchema = z.looseObject({ ID: guid }, {
  error: "must be a JSON object",
});

/** Parses with `schema`, turning the first issue into an `InvalidHostDataError`. */
function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  prefix: readonly (string | number)[] = [],
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].map(String).join(".");
  throw new InvalidHostDataError(
    what,
    path === "" ? "document" : path,
    issue?.message ?? "is invalid",
    {
      cause: result.error,
    },
  );
}

/** Parses document text into a JSON object. */
function parseObject(source: string, what: string): JsonObject {
  let value: JsonValue;
  try {
    value = JSON.parse(source) as JsonValue;
  } catch (error) {
    throw new InvalidHostDataError(what, "document", "is not valid JSON", { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidHostDataError(what, "document", "is not a JSON object");
  }
  return value;
}

function checkId(found: string | null | undefined, requested: string, what: string): void {
  if (found != null && found !== requested) {
    throw new InvalidHostDataError(what, "ID", `is ${found}, not the requested ${requested}`);
  }
}

/**
 * Validates an HCN namespace document. `requestedId` is the canonical GUID
 * that was opened; the document's own ID (when present) must match it.
 */
export function parseNamespaceDocument(source: string, requestedId: string): HostNamespace {
  const what = `namespace ${requestedId}`;
  const document = parseObject(source, what);
  const parsed = validate(namespaceSchema, document, what);
  checkId(parsed.ID, requestedId, what);
  const endpointIds: string[] = [];
  (parsed.Resources ?? []).forEach((resource, index) => {
    if (resource.Type !== "Endpoint") return;
    const data = validate(endpointResourceDataSchema, resource.Data, what, [
      "Resources",
      index,
      "Data",
    ]);
    endpointIds.push(data.ID);
  });
  return { id: requestedId, endpointIds, document };
}

/**
 * Validates an HCN endpoint document. `requestedId` is the canonical GUID
 * that was opened; the document's own ID (when present) must match it.
 */
export function parseEndpointDocument(source: string, requestedId: string): HostEndpoint {
  const what = `endpoint ${requestedId}`;
  const document = parseObject(source, what);
  const parsed = validate(endpointSchema, document, what);
  checkId(parsed.ID, requestedId, what);
  const ipConfigurations: IpConfiguration[] = (parsed.IpConfigurations ?? []).map((ip) => ({
    ipAddress: ip.IpAddress,
    prefixLength: ip.PrefixLength ?? 0,
  }));
  const routes: Route[] = (parsed.Routes ?? []).map((route) => ({
    nextHop: route.NextHop ?? "",
    destinationPrefix: route.DestinationPrefix ?? "",
    metric: route.Metric ?? 0,
  }));
  const policies: EndpointPolicy[] = (parsed.Policies ?? []).map((policy) => ({
    type: policy.Type,
    settings: policy.Settings,
  }));
  const dnsDoc = parsed.Dns;
  const dns: DnsSettings | undefined = dnsDoc == null ? undefined : {
    domain: dnsDoc.Domain ?? "",
    search: dnsDoc.Search ?? [],
    serverList: dnsDoc.ServerList ?? [],
    options: dnsDoc.Options ?? [],
  };
  const macAddress = parsed.MacAddress == null || parsed.MacAddress === ""
    ? undefined
    : parsed.MacAddress;
  return {
    id: requestedId,
    name: parsed.Name ?? "",
    ...(macAddress === undefined ? {} : { macAddress }),
    ipConfigurations,
    ...(dns === undefined ? {} : { dns }),
    routes,
    policies,
    document,
  };
}
