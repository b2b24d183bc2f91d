/**
 * FOR THE BENCHMARK ONLY: `adapters/hcn/_schemas.ts` as it was before keys
 * were matched regardless of case (commit d46c400), so that
 * `host_documents_bench.ts` can measure the new reading against it in the
 * same run. Not used by podnet.
 *
 * Validation of the HCN namespace and endpoint documents into the port's
 * value types, once, when they are read: every field podnet sends on to the
 * VM or guest is checked here (addresses of both families with prefix
 * lengths valid for the family, gateways and routes, MAC address, DNS
 * servers and names, resolver options, the encapsulation overhead), so bad
 * host data stops an operation before the VM is touched. HNS omits empty
 * fields (and Go may write `null` for them), so most fields may be absent;
 * unknown fields are allowed. Anything malformed is an
 * `InvalidHostDataError` naming the endpoint and the field path.
 *
 * @module
 */
import { z } from "zod";
import { InvalidHostDataError } from "../domain/errors.ts";
import { normalizeGuid } from "../domain/guid.ts";
import { compiledSchema } from "../adapters/_compiled_schema.ts";
import type {
  DnsSettings,
  EndpointPolicy,
  HostEndpoint,
  HostNamespace,
  IpConfiguration,
  Route,
} from "../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../ports/json.ts";

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

// zod's own patterns, tested directly: a nested safeParse per field costs
// 20-40 times the test itself. IPv6 (rare in a pod) keeps zod's full check,
// which is more than a pattern.
const ipv4Pattern = z.regexes.ipv4;
const cidrv4Pattern = z.regexes.cidrv4;
const hostnamePattern = z.regexes.hostname;
const macDashes = z.regexes.mac("-");
const macColons = z.regexes.mac(":");
const ipv6 = z.ipv6();
const cidrv6 = z.cidrv6();
const zonePattern = /^[A-Za-z0-9_.-]+$/;

/** 4 or 6 for an IP address (an IPv6 zone, "%eth0", is allowed); else undefined. */
function ipFamily(value: string): 4 | 6 | undefined {
  if (ipv4Pattern.test(value)) return 4;
  const at = value.indexOf("%");
  const address = at < 0 ? value : value.slice(0, at);
  if (at >= 0 && !zonePattern.test(value.slice(at + 1))) return undefined;
  return ipv6.safeParse(address).success ? 6 : undefined;
}

/** 4 or 6 for a CIDR prefix ("10.0.0.0/8", "::/0"); else undefined. */
function cidrFamily(value: string): 4 | 6 | undefined {
  if (cidrv4Pattern.test(value)) return 4;
  return cidrv6.safeParse(value).success ? 6 : undefined;
}

const ipAddress = z.string({ error: "must be an IP address" }).refine(
  (v) => ipFamily(v) !== undefined,
  { error: "must be an IPv4 or IPv6 address" },
);

/** A domain name for resolv.conf; a trailing dot is allowed. */
const domainName = z.string({ error: "must be a domain name" }).refine(
  (v) => v === "" || hostnamePattern.test(v.endsWith(".") ? v.slice(0, -1) : v),
  { error: "must be a domain name" },
);

const macAddress = z.string({ error: "must be a MAC address" }).refine(
  (v) => v === "" || macDashes.test(v) || macColons.test(v),
  { error: "must be a MAC address (six hex pairs separated by - or :)" },
);

const ipConfigurationSchema = z.looseObject({
  IpAddress: ipAddress,
  PrefixLength: unsigned(128).nullish(),
}, { error: "must be a JSON object" }).superRefine((ip, ctx) => {
  if (ipFamily(ip.IpAddress) === 4 && (ip.PrefixLength ?? 0) > 32) {
    ctx.addIssue({
      code: "custom",
      path: ["PrefixLength"],
      message: "must be 0..32 for an IPv4 address",
    });
  }
});

const routeSchema = z.looseObject({
  // An on-link route has no next hop.
  NextHop: z.union([z.literal(""), ipAddress]).nullish(),
  DestinationPrefix: z.string({ error: "must be a CIDR prefix" }).refine(
    (v) => cidrFamily(v) !== undefined,
    { error: "must be an IPv4 or IPv6 prefix in CIDR form" },
  ),
  Metric: unsigned(65_535).nullish(),
}, { error: "must be a JSON object" }).superRefine((route, ctx) => {
  const hop = route.NextHop ? ipFamily(route.NextHop) : undefined;
  if (hop !== undefined && hop !== cidrFamily(route.DestinationPrefix)) {
    ctx.addIssue({
      code: "custom",
      path: ["NextHop"],
      message: "must be of the same IP family as DestinationPrefix",
    });
  }
});

/** A resolv.conf option such as "ndots:5": printable, no spaces or commas. */
const resolverOption = z.string({ error: "must be a string" }).regex(/^[\x21-\x2b\x2d-\x7e]+$/, {
  error: "must be a resolver option (printable, no spaces or commas)",
});

const dnsSchema = z.looseObject({
  Domain: domainName.nullish(),
  Search: list(domainName).nullish(),
  ServerList: list(ipAddress).nullish(),
  Options: list(resolverOption).nullish(),
}, { error: "must be a JSON object" });

const policySchema = z.looseObject({
  Type: text,
  // The document came from JSON.parse: whatever is here is JSON already.
  Settings: z.custom<JsonValue>().optional(),
}, { error: "must be a JSON object" }).superRefine((policy, ctx) => {
  if (policy.Type !== "EncapOverhead") return;
  const settings = policy.Settings;
  const value = typeof settings === "object" && settings !== null && !Array.isArray(settings)
    ? settings.Overhead
    : undefined;
  const path = ["Settings", "Overhead"];
  if (value === undefined) {
    ctx.addIssue({ code: "custom", path, message: "is missing" });
  } else if (
    typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65_535
  ) {
    ctx.addIssue({ code: "custom", path, message: "must be an integer 0..65535" });
  }
});

const endpointSchema = compiledSchema(
  "HCN endpoint (before, bench only)",
  z.looseObject({
    ID: guid.nullish(),
    Name: text.nullish(),
    HostComputeNamespace: guid.nullish(),
    HostComputeNetwork: guid.nullish(),
    MacAddress: macAddress.nullish(),
    IpConfigurations: list(ipConfigurationSchema).nullish(),
    Dns: dnsSchema.nullish(),
    Routes: list(routeSchema).nullish(),
    Policies: list(policySchema).nullish(),
  }),
);

const resourceSchema = z.looseObject({
  Type: text.nullish(),
  Data: z.unknown().optional(),
}, { error: "must be a JSON object" });

const namespaceSchema = compiledSchema(
  "HCN namespace (before, bench only)",
  z.looseObject({
    ID: guid.nullish(),
    Resources: list(resourceSchema).nullish(),
  }),
);

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
  // Validated above: the first EncapOverhead policy has an integer Overhead.
  const encap = policies.find((p) => p.type === "EncapOverhead")?.settings;
  const encapOverhead = typeof encap === "object" && encap !== null && !Array.isArray(encap) &&
      typeof encap.Overhead === "number"
    ? encap.Overhead
    : undefined;
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
    ...(encapOverhead === undefined ? {} : { encapOverhead }),
    document,
  };
}
