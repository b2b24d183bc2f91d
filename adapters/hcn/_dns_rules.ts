/**
 * The DNS settings of an HCN endpoint, checked and normalised as the Linux
 * guest reads them. hcsshim passes `Dns` through unchecked
 * (`internal/protocol/guestresource/parse.go`: `Dns.Domain` first, then
 * `Dns.Search`, lower-cased, joined with commas into `DNSSuffix`); the
 * guest splits `DNSSuffix` and `DNSServerList` on commas, trims and
 * lower-cases each entry, keeps the unique ones
 * (`internal/guest/runtime/hcsv2/network.go`, `dnsConfig`) and refuses more
 * than 6 search domains when it writes resolv.conf
 * (`internal/guest/network/network.go`, `maxDNSSearches`).
 *
 * @module
 */
import type { DnsSettings } from "../../ports/host_network.ts";
import type { EndpointShape, RuleContext } from "./_shapes.ts";
import { zonedIpFamily } from "./_ip.ts";

/** `internal/guest/network/network.go`: `maxDNSSearches`, from `man 5 resolv.conf`. */
export const MAX_SEARCH_DOMAINS = 6;

// deno-lint-ignore no-control-regex
const control = /[\x00-\x1f\x7f]/;
const space = /\s/;

/**
 * The entries of a list of names, trimmed, blanks dropped (noted); an entry
 * with a control character, a space inside or (`commaIsError`) a comma is
 * refused: the guest would split it, or write a resolv.conf line that means
 * something else.
 */
function names(
  ctx: RuleContext,
  field: string,
  values: readonly (string | null)[],
  kind: string,
  check?: (name: string, path: string) => void,
): string[] {
  const out: string[] = [];
  values.forEach((value, index) => {
    const raw = value ?? "";
    const name = raw.trim();
    const path = `${field}.${index}`;
    if (name === "") {
      ctx.note(path, "blank entry dropped");
      return;
    }
    if (name !== raw) ctx.note(path, "trimmed");
    checkName(ctx, path, name, kind);
    check?.(name, path);
    out.push(name);
  });
  return out;
}

function checkName(ctx: RuleContext, path: string, name: string, kind: string): void {
  if (control.test(name)) ctx.fail(path, `must be a ${kind} without control characters`);
  if (space.test(name)) ctx.fail(path, `must be a single ${kind} (no spaces inside)`);
  // The guest splits DNSSuffix and DNSServerList on commas.
  if (name.includes(",")) ctx.fail(path, `must be a single ${kind} (no commas inside)`);
}

/** The endpoint's DNS settings, normalised; undefined when it has none. */
export function dnsFromDocument(
  ctx: RuleContext,
  dns: EndpointShape["Dns"],
): DnsSettings | undefined {
  if (dns == null) return undefined;
  // An older Azure CNI writes several domains, comma-separated, in Domain;
  // the guest splits DNSSuffix on commas, so each is one search domain.
  const rawDomain = dns.Domain ?? "";
  const parts = rawDomain.split(",");
  const domains = parts.map((part) => part.trim()).filter((part) => part !== "");
  if (parts.length > 1) {
    ctx.note("Dns.Domain", `split into ${domains.length} search domain(s)`);
  } else if (domains.length === 1 && domains[0] !== rawDomain) {
    ctx.note("Dns.Domain", "trimmed");
  } else if (rawDomain !== "" && domains.length === 0) {
    ctx.note("Dns.Domain", "blank, dropped");
  }
  for (const domain of domains) checkName(ctx, "Dns.Domain", domain, "domain name");
  const search = [
    ...domains.slice(1),
    ...names(ctx, "Dns.Search", dns.Search ?? [], "domain name"),
  ];
  const domain = domains[0] ?? "";

  const unique = new Set([domain, ...search].filter((n) => n !== "").map((n) => n.toLowerCase()));
  if (unique.size > MAX_SEARCH_DOMAINS) {
    ctx.fail(
      "Dns.Search",
      `holds ${unique.size} search domains with Dns.Domain; the guest takes at most ${MAX_SEARCH_DOMAINS}`,
    );
  }

  // glibc's resolver takes a zone ID on a server (hcsshim lower-cases them).
  const serverList = names(ctx, "Dns.ServerList", dns.ServerList ?? [], "address", (v, path) => {
    if (zonedIpFamily(v) === undefined) ctx.fail(path, "must be an IPv4 or IPv6 address");
  });
  const options = names(ctx, "Dns.Options", dns.Options ?? [], "resolver option");
  return { domain, search, serverList, options };
}
