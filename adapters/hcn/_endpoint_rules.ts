/**
 * The values of an HCN endpoint document (its keys and JSON types already
 * read as hcsshim's decoder reads them, see `_schemas.ts`), checked and
 * normalised by what the guest does with them. Normalised, and noted for the
 * log, where the meaning is clear and hcsshim's guest would take the value
 * (surrounding spaces, blank list entries, a MAC address in another case or
 * without separators); refused, with `InvalidHostDataError`, only what would
 * break or misroute the pod in the guest. Each rule names its source.
 *
 * @module
 */
import { InvalidHostDataError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import type {
  EndpointPolicy,
  HostEndpoint,
  IpConfiguration,
  Route,
} from "../../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import { foldKeys, isJsonObject, keyTable } from "../_fold_keys.ts";
import { dnsFromDocument } from "./_dns_rules.ts";
import { addressKey, cidrFamily, hasZone, ipFamily } from "./_ip.ts";
import type { EndpointShape, RuleContext } from "./_shapes.ts";

/** The guest platform an endpoint is read for. */
export type Platform = "lcow" | "wcow";

/** What {@linkcode endpointFromDocument} needs besides the document. */
export interface EndpointReadOptions {
  /** "endpoint <id>", for messages. */
  readonly what: string;
  /** The canonical GUID that was opened. */
  readonly requestedId: string;
  /** The guest platform, when known. */
  readonly platform: Platform | undefined;
  /** The document as HNS returned it. */
  readonly document: JsonObject;
  /** Notes a normalisation. */
  readonly note: (field: string, change: string) => void;
}

/** The MTU of the utility VM's NIC before `EncapOverhead` is taken off it. */
export const BASE_MTU = 1500;
/** Linux's smallest MTU of an Ethernet NIC (`ETH_MIN_MTU`, the IPv4 minimum). */
export const MIN_MTU_IPV4 = 68;
/** The smallest MTU of a link that carries IPv6 (RFC 8200, section 5). */
export const MIN_MTU_IPV6 = 1280;

// internal/guest/network/netns.go: the two default routes and the gateway
// that marks "no default gateway" (such a route is skipped).
const DEFAULT_ROUTES = new Set(["0.0.0.0/0", "::/0"]);
const EMPTY_GATEWAYS = new Set(["0.0.0.0", "::"]);

const macSeparated = /^([0-9A-Fa-f]{2})([-:])([0-9A-Fa-f]{2})(?:\2[0-9A-Fa-f]{2}){4}$/;
const macBare = /^[0-9A-Fa-f]{12}$/;

/** A string field trimmed; the change noted. */
function trimmed(ctx: RuleContext, field: string, value: string | null | undefined): string {
  const raw = value ?? "";
  const out = raw.trim();
  if (out !== raw) ctx.note(field, out === "" ? "blank, read as absent" : "trimmed");
  return out;
}

/** The endpoint as the port's value, or `InvalidHostDataError`. */
export function endpointFromDocument(
  parsed: EndpointShape,
  options: EndpointReadOptions,
): HostEndpoint {
  const { what, requestedId } = options;
  const ctx: RuleContext = {
    note: options.note,
    fail(field, reason): never {
      throw new InvalidHostDataError(what, field, reason);
    },
  };
  checkId(ctx, parsed.ID, requestedId, options.platform);
  // HostComputeNamespace and HostComputeNetwork: hcsshim passes them through
  // unchecked (an empty one included) and podnet sends neither to the VM.
  const macAddress = macFromDocument(ctx, parsed.MacAddress);
  const ipConfigurations = ipsFromDocument(ctx, parsed.IpConfigurations ?? []);
  const routes = routesFromDocument(ctx, parsed.Routes ?? []);
  const dns = dnsFromDocument(ctx, parsed.Dns);
  const { policies, encapOverhead, encapField } = policiesFromDocument(ctx, parsed.Policies ?? []);
  if (encapOverhead !== undefined) checkMtu(ctx, encapField, encapOverhead, ipConfigurations);
  return {
    id: requestedId,
    name: parsed.Name ?? "",
    ...(macAddress === undefined ? {} : { macAddress }),
    ipConfigurations,
    ...(dns === undefined ? {} : { dns }),
    routes,
    policies,
    ...(encapOverhead === undefined ? {} : { encapOverhead }),
    document: options.document,
  };
}

function checkId(
  ctx: RuleContext,
  value: string | null | undefined,
  requestedId: string,
  platform: Platform | undefined,
): void {
  const text = trimmed(ctx, "ID", value);
  if (text === "") {
    // hcsshim's Windows guest looks the endpoint up by the ID of the
    // document it is sent (hcn/hcnendpoint.go, HostComputeEndpoint.Id): a
    // document without one is refused there, after the NIC was hot-added.
    if (platform === "wcow") ctx.fail("ID", "is missing (a Windows guest refuses the endpoint)");
    return;
  }
  const id = normalizeGuid(text);
  if (id === undefined) ctx.fail("ID", "must be a GUID");
  if (id !== requestedId) ctx.fail("ID", `is ${id}, not the requested ${requestedId}`);
}

/**
 * HCS takes a MAC address as six upper-case hex pairs joined by dashes (the
 * form HNS writes); hcsshim passes any case through
 * (`internal/protocol/guestresource/parse.go`), so any case, colons or no
 * separator at all are read as that form.
 */
function macFromDocument(ctx: RuleContext, value: string | null | undefined): string | undefined {
  const text = trimmed(ctx, "MacAddress", value);
  if (text === "") return undefined;
  let hex: string;
  if (macSeparated.test(text)) hex = text.replace(/[-:]/g, "");
  else if (macBare.test(text)) hex = text;
  else return ctx.fail("MacAddress", "must be a MAC address (six hex pairs, - or : or none)");
  const mac = hex.toUpperCase().replace(/(..)(?!$)/g, "$1-");
  if (mac !== text) ctx.note("MacAddress", `written as ${mac}`);
  return mac;
}

/**
 * The guest parses `IPAddress/PrefixLength` with Go's `net.ParseCIDR`
 * (`internal/guest/network/netns.go`): no zone ID, a prefix valid for the
 * family; the same address twice fails its second `netlink.AddrAdd`.
 */
function ipsFromDocument(
  ctx: RuleContext,
  items: NonNullable<EndpointShape["IpConfigurations"]>,
): IpConfiguration[] {
  const seen = new Map<string, number>();
  // Two spellings of one IPv6 address need its canonical form; one IPv6
  // address (the usual pod) cannot repeat another, and IPv4 has one spelling.
  const v6Count = items.filter((item) => item?.IpAddress?.includes(":")).length;
  return items.map((item, index) => {
    const path = `IpConfigurations.${index}`;
    const ipAddress = trimmed(ctx, `${path}.IpAddress`, item?.IpAddress);
    const prefixLength = item?.PrefixLength ?? 0;
    if (hasZone(ipAddress)) {
      ctx.fail(`${path}.IpAddress`, "has an IPv6 zone ID, which the guest cannot parse");
    }
    const family = ipFamily(ipAddress);
    if (family === undefined) ctx.fail(`${path}.IpAddress`, "must be an IPv4 or IPv6 address");
    if (prefixLength > (family === 4 ? 32 : 128)) {
      ctx.fail(
        `${path}.PrefixLength`,
        `must be 0..${family === 4 ? 32 : 128} for an IPv${family} address`,
      );
    }
    const key = family === 6 && v6Count > 1 ? addressKey(ipAddress) : ipAddress;
    const first = seen.get(key);
    if (first !== undefined) {
      ctx.fail(
        `${path}.IpAddress`,
        `repeats IpConfigurations.${first} (the guest cannot add it twice)`,
      );
    }
    seen.set(key, index);
    return { ipAddress, prefixLength };
  });
}

/**
 * Routes as the guest installs them (`internal/guest/network/netns.go`):
 * `DestinationPrefix` through `net.ParseCIDR` (absent fails), `NextHop`
 * through `net.ParseIP`, whose failure (a zone ID, say) silently installs
 * the route without a gateway; a default route whose gateway is "0.0.0.0"
 * or "::" is skipped, one without any fails ("gw and destination cannot
 * both be nil").
 */
function routesFromDocument(
  ctx: RuleContext,
  items: NonNullable<EndpointShape["Routes"]>,
): Route[] {
  return items.map((item, index) => {
    const path = `Routes.${index}`;
    const destinationPrefix = trimmed(ctx, `${path}.DestinationPrefix`, item?.DestinationPrefix);
    const nextHop = trimmed(ctx, `${path}.NextHop`, item?.NextHop);
    const metric = item?.Metric ?? 0;
    const destination = cidrFamily(destinationPrefix);
    if (destinationPrefix === "") ctx.fail(`${path}.DestinationPrefix`, "is missing");
    if (destination === undefined) {
      ctx.fail(`${path}.DestinationPrefix`, "must be an IPv4 or IPv6 prefix in CIDR form");
    }
    const isDefault = DEFAULT_ROUTES.has(destinationPrefix);
    if (nextHop === "") {
      if (isDefault) {
        ctx.fail(`${path}.NextHop`, "is missing on a default route (the guest refuses it)");
      }
    } else if (!(isDefault && EMPTY_GATEWAYS.has(nextHop))) {
      if (hasZone(nextHop)) {
        ctx.fail(`${path}.NextHop`, "has an IPv6 zone ID (the guest would drop the gateway)");
      }
      const hop = ipFamily(nextHop);
      if (hop === undefined) ctx.fail(`${path}.NextHop`, "must be an IPv4 or IPv6 address");
      if (hop !== destination) {
        ctx.fail(`${path}.NextHop`, "must be of the same IP family as DestinationPrefix");
      }
    }
    return { nextHop, destinationPrefix, metric };
  });
}

/**
 * hcsshim reads every `EncapOverhead` policy into
 * `EncapOverheadEndpointPolicySetting` and keeps the last
 * (`internal/protocol/guestresource/parse.go`); settings that are `null` or
 * `{}` carry no overhead (Go's zero value); settings of another JSON type,
 * or an `Overhead` that is not a u16, fail its decoder. The policy type is
 * compared as written. A `null` policy (Go's zero value: no type) is dropped.
 */
function policiesFromDocument(
  ctx: RuleContext,
  items: NonNullable<EndpointShape["Policies"]>,
): { policies: EndpointPolicy[]; encapOverhead: number | undefined; encapField: string } {
  const policies: EndpointPolicy[] = [];
  let encapOverhead: number | undefined;
  let encapField = "Policies";
  let encapCount = 0;
  items.forEach((item, index) => {
    if (item == null) {
      ctx.note(`Policies.${index}`, "null policy dropped");
      return;
    }
    const type = item.Type ?? "";
    policies.push({ type, settings: item.Settings });
    if (type !== "EncapOverhead") return;
    encapCount++;
    const settings = item.Settings;
    const path = `Policies.${index}.Settings`;
    encapField = `${path}.Overhead`;
    if (settings == null) {
      ctx.note(path, "absent: no encapsulation overhead");
      encapOverhead = 0;
      return;
    }
    if (!isJsonObject(settings)) ctx.fail(path, "must be a JSON object");
    // Go decodes every spelling of the key (case-insensitive), the last wins.
    const folded = foldKeys(settings, encapKeys, (_, earlier) => overheadOf(ctx, path, earlier));
    const overhead = overheadOf(ctx, path, folded.Overhead);
    if (overhead === undefined) {
      ctx.note(`${path}.Overhead`, "absent: no encapsulation overhead");
    }
    encapOverhead = overhead ?? 0;
  });
  if (encapCount > 1) {
    ctx.note("Policies", `${encapCount} EncapOverhead policies: the last one used`);
  }
  return { policies, encapOverhead, encapField };
}

/** An `Overhead` as Go decodes it into a uint16; `null` or absent is undefined. */
function overheadOf(
  ctx: RuleContext,
  path: string,
  value: JsonValue | undefined,
): number | undefined {
  if (value == null) return undefined;
  if (typeof value !== "number" || !Number.isInteger(value) || value < 0 || value > 65_535) {
    ctx.fail(`${path}.Overhead`, "must be an integer 0..65535");
  }
  return value;
}

const encapKeys = keyTable(["Overhead"]);

/**
 * The guest sets the NIC's MTU to its MTU less the overhead
 * (`internal/guest/network/netns.go`); Linux refuses an MTU below 68, and
 * below 1280 a NIC loses its IPv6 addresses.
 */
function checkMtu(
  ctx: RuleContext,
  field: string,
  overhead: number,
  ips: readonly IpConfiguration[],
): void {
  // Checked above: an address with a colon is an IPv6 address.
  const ipv6 = ips.some((ip) => ip.ipAddress.includes(":"));
  const floor = ipv6 ? MIN_MTU_IPV6 : MIN_MTU_IPV4;
  if (BASE_MTU - overhead < floor) {
    ctx.fail(
      field,
      `leaves an MTU of ${BASE_MTU - overhead}, below ${floor}${
        ipv6 ? " (the NIC has an IPv6 address)" : ""
      }`,
    );
  }
}
