/**
 * What the Linux guest does with an adapter's addresses and routes when it
 * configures the link (hcsshim internal/guest/network/netns.go NetNSConfig
 * and configureLink), as far as it can fail: the MTU less the
 * `EncapOverhead`, each IP configuration parsed as a CIDR, each route's
 * destination parsed as a CIDR unless it is a default route, and its next
 * hop parsed as an address, where one it cannot parse is no error: the route
 * goes in without a gateway (the silent misrouting podnet refuses such an
 * endpoint for).
 *
 * @module
 */
import { isCidr, isIpv4, isIpv6 } from "./_ip.ts";

/** The MTU of the VM's synthetic NIC before the overhead is taken off. */
const LINK_MTU = 1500;
/** The least MTU Linux takes on a link, and the least with IPv6 on it. */
const MIN_MTU = 68;
const MIN_MTU_IPV6 = 1280;

const DEFAULT_DESTINATIONS = new Set(["0.0.0.0/0", "::/0"]);
const EMPTY_GATEWAYS = new Set(["0.0.0.0", "::"]);

/** An address as Go's `net.ParseIP` takes it (no zone). */
function isGoIp(text: string): boolean {
  return isIpv4(text) || (isIpv6(text) && !text.includes("%"));
}

/** The parts of an LCOW adapter the link configuration reads. */
export interface LcowLink {
  readonly EncapOverhead?: number | undefined;
  readonly IPConfigs?:
    | readonly {
      readonly IPAddress?: string | undefined;
      readonly PrefixLength?: number | undefined;
    }[]
    | undefined;
  readonly Routes?:
    | readonly {
      readonly NextHop?: string | undefined;
      readonly DestinationPrefix?: string | undefined;
    }[]
    | undefined;
}

/** Why the guest would fail to configure the link, or undefined when it would not. */
export function linkFailure(adapter: LcowLink): string | undefined {
  const overhead = adapter.EncapOverhead ?? 0;
  const mtu = LINK_MTU - overhead;
  if (overhead !== 0 && mtu < MIN_MTU) {
    return `netlink.LinkSetMTU to ${mtu} failed: invalid argument`;
  }
  for (const ip of adapter.IPConfigs ?? []) {
    const text = `${ip.IPAddress ?? ""}/${ip.PrefixLength ?? 0}`;
    if (!isCidr(text)) return `parsing address ${text} failed: invalid CIDR address`;
    if (overhead !== 0 && mtu < MIN_MTU_IPV6 && !isIpv4(ip.IPAddress ?? "")) {
      return `netlink.AddrAdd of ${text} failed: the link's MTU ${mtu} is below IPv6's ${MIN_MTU_IPV6}`;
    }
  }
  for (const [i, route] of (adapter.Routes ?? []).entries()) {
    const destination = route.DestinationPrefix ?? "";
    const nextHop = route.NextHop ?? "";
    const isDefault = DEFAULT_DESTINATIONS.has(destination);
    // A default route through 0.0.0.0 or :: means "no gateway": skipped.
    if (isDefault && EMPTY_GATEWAYS.has(nextHop)) continue;
    if (!isDefault && !isCidr(destination)) {
      return `route ${i}: parsing route dst address ${destination} failed`;
    }
    if (isDefault && !isGoIp(nextHop)) {
      return `route ${i}: gw and destination cannot both be nil`;
    }
  }
  return undefined;
}
