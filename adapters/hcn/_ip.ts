/**
 * IP address and prefix checks for HCN endpoint documents, as the Linux
 * guest parses them: Go's `net.ParseCIDR` and `net.ParseIP`
 * (`internal/guest/network/netns.go`), which take neither a zone ID
 * (`fe80::1%eth0`) nor surrounding spaces.
 *
 * @module
 */
import { z } from "zod";

// zod's own patterns, tested directly: a nested safeParse per field costs
// 20-40 times the test itself. IPv6 (rare in a pod) keeps zod's full check,
// which is more than a pattern.
const ipv4Pattern = z.regexes.ipv4;
const cidrv4Pattern = z.regexes.cidrv4;
const ipv6 = z.ipv6();
const cidrv6 = z.cidrv6();
const zonePattern = /^[A-Za-z0-9_.-]+$/;

/** 4 or 6 for an IP address without a zone ID; else undefined. */
export function ipFamily(value: string): 4 | 6 | undefined {
  if (ipv4Pattern.test(value)) return 4;
  if (value.includes("%")) return undefined;
  return ipv6.safeParse(value).success ? 6 : undefined;
}

/**
 * 4 or 6 for an IP address that may carry an IPv6 zone ID (a DNS server:
 * glibc's resolver takes `nameserver fe80::1%eth0`); else undefined.
 */
export function zonedIpFamily(value: string): 4 | 6 | undefined {
  const at = value.indexOf("%");
  if (at < 0) return ipFamily(value);
  if (!zonePattern.test(value.slice(at + 1))) return undefined;
  return ipFamily(value.slice(0, at)) === 6 ? 6 : undefined;
}

/** Whether an IPv6 address carries a zone ID (`fe80::1%eth0`). */
export function hasZone(value: string): boolean {
  const at = value.indexOf("%");
  return at >= 0 && ipFamily(value.slice(0, at)) === 6;
}

/** 4 or 6 for a CIDR prefix ("10.0.0.0/8", "::/0"); else undefined. */
export function cidrFamily(value: string): 4 | 6 | undefined {
  if (cidrv4Pattern.test(value)) return 4;
  return cidrv6.safeParse(value).success ? 6 : undefined;
}

/**
 * One spelling per address, to find the same address written twice
 * ("fd00::1" and "FD00:0::1"): IPv4 as it is, IPv6 as eight hex groups.
 */
export function addressKey(value: string): string {
  if (!value.includes(":")) return value;
  let text = value.toLowerCase();
  // A trailing dotted quad ("::ffff:10.0.0.1") is two groups.
  const quad = /(\d+)\.(\d+)\.(\d+)\.(\d+)$/.exec(text);
  if (quad) {
    const [a, b, c, d] = quad.slice(1).map(Number) as [number, number, number, number];
    text = text.slice(0, quad.index) + ((a << 8) | b).toString(16) + ":" +
      ((c << 8) | d).toString(16);
  }
  const [head = "", tail] = text.split("::");
  const left = head === "" ? [] : head.split(":");
  const right = tail === undefined || tail === "" ? [] : tail.split(":");
  const zeros = tail === undefined ? [] : Array(8 - left.length - right.length).fill("0");
  return [...left, ...zeros, ...right].map((group) => parseInt(group, 16).toString(16)).join(":");
}
