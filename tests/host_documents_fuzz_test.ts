// Fuzzing the HCN endpoint documents podnet reads: the real fixture
// endpoints mutated field by field (key case, type, blank, extra, missing,
// huge and risky values), each outcome checked against a small oracle
// written from what hcsshim and the Linux guest do (docs/host_documents.md) and the rules of
// docs/host_documents.md: what hcsshim's decoder, then the Linux guest, do
// with the document. An outcome is one of:
// - both accept, and the guest ends up with the same configuration;
// - both refuse (podnet with InvalidHostDataError).
// Anything else is a difference: a silent change of data, a pod refused
// that would run, a pod accepted that the guest would fail or misroute, an
// untyped error. The test asserts there are none and prints the counts.
//
// Runs: 7,000 by default (each read for an LCOW and a WCOW guest);
// PODNET_FUZZ_RUNS and PODNET_FUZZ_SEED change them.
import assert from "node:assert/strict";
import { isIPv4, isIPv6 } from "node:net";
import { fileURLToPath } from "node:url";
import { InvalidHostDataError } from "../domain/errors.ts";
import { HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { buildLcowAdapter } from "../adapters/guest/lcow.ts";
import type { JsonObject, JsonValue } from "../ports/json.ts";
import { RecordingHcn } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const NIC = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const DATA = fileURLToPath(new URL("../adapters/sim/fixtures/", import.meta.url));

// ---------------------------------------------------------------- the PRNG
/** mulberry32: small, fast, deterministic. */
function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

// ---------------------------------------------------------------- the oracle
// Go's encoding/json into hcsshim's types (hcn/hcnendpoint.go,
// hcn/hcnnetwork.go, hcn/hcnpolicy.go): keys case-insensitive, the later of
// two spellings wins; null is the zero value; a wrong type fails.
class Refused extends Error {}
const refuse = (why: string): never => {
  throw new Refused(why);
};

type Fields = Record<string, (v: JsonValue) => unknown>;

function goObject(value: JsonValue | undefined, fields: Fields): Record<string, unknown> {
  if (value === undefined || value === null) value = {};
  if (typeof value !== "object" || Array.isArray(value)) return refuse("not an object");
  const out: Record<string, unknown> = {};
  const byLower = new Map(Object.keys(fields).map((k) => [k.toLowerCase(), k]));
  for (const [key, item] of Object.entries(value)) {
    // Keys here are ASCII or mutated ASCII; Go's fold of them is a lower-case compare.
    const name = byLower.get(key.toLowerCase());
    if (name !== undefined) out[name] = item === null ? undefined : fields[name]?.(item);
  }
  return out;
}
const goString = (v: JsonValue) => typeof v === "string" ? v : refuse("not a string");
const goUint = (max: number) => (v: JsonValue) =>
  typeof v === "number" && Number.isInteger(v) && v >= 0 && v <= max ? v : refuse("not a uint");
const goInt = (v: JsonValue) =>
  typeof v === "number" && Number.isSafeInteger(v) ? v : refuse("not an int");
const goSlice = <T>(item: (v: JsonValue | null) => T) => (v: JsonValue): T[] =>
  Array.isArray(v) ? v.map((x) => item(x)) : refuse("not an array");
const orZero = <T>(f: (v: JsonValue) => T, zero: T) => (v: JsonValue | null): T =>
  v === null ? zero : f(v);

interface GoEndpoint {
  ID?: string;
  Name?: string;
  MacAddress?: string;
  IpConfigurations?: { IpAddress?: string; PrefixLength?: number }[];
  Dns?: { Domain?: string; Search?: string[]; ServerList?: string[]; Options?: string[] };
  Routes?: { NextHop?: string; DestinationPrefix?: string; Metric?: number }[];
  Policies?: { Type?: string; Settings?: JsonValue | undefined; present: boolean }[];
}

function goDecode(doc: JsonValue): GoEndpoint {
  // Go would read `null` as an empty endpoint; HNS never writes one for an
  // endpoint that exists, and a NIC with nothing on it is no reading of it.
  if (doc === null) refuse("not an endpoint document");
  const ipConfig = (v: JsonValue) =>
    goObject(v, { IpAddress: goString, PrefixLength: goUint(255) });
  const route = (v: JsonValue) =>
    goObject(v, { NextHop: goString, DestinationPrefix: goString, Metric: goUint(65535) });
  const policy = (v: JsonValue) => {
    const p = goObject(v, { Type: goString, Settings: (s) => s });
    return { ...p, present: v !== null && typeof v === "object" && !Array.isArray(v) };
  };
  return goObject(doc, {
    ID: goString,
    Name: goString,
    HostComputeNetwork: goString,
    HostComputeNamespace: goString,
    MacAddress: goString,
    Flags: goUint(0xffffffff),
    Health: (v) => goObject(v, {}),
    SchemaVersion: (v) => goObject(v, { Major: goInt, Minor: goInt }),
    IpConfigurations: goSlice(orZero(ipConfig, {})),
    Dns: (v) =>
      goObject(v, {
        Domain: goString,
        Search: goSlice(orZero(goString, "")),
        ServerList: goSlice(orZero(goString, "")),
        Options: goSlice(orZero(goString, "")),
      }),
    Routes: goSlice(orZero(route, {})),
    Policies: goSlice((v) => v === null ? { present: false } : policy(v)),
  }) as GoEndpoint;
}

/** What the Linux guest ends up with (internal/guest/network/netns.go, hcsv2/network.go). */
interface GuestState {
  mac: string;
  addresses: string[];
  routes: string[];
  searches: string[];
  servers: string[];
  mtu: number;
  name: string;
}

/** Go's net.ParseIP: no zone, no spaces. */
function parseIp(s: string): 4 | 6 | undefined {
  if (s.includes("%")) return undefined;
  return isIPv4(s) ? 4 : isIPv6(s) ? 6 : undefined;
}
function ipKey(s: string): string {
  if (parseIp(s) !== 6) return s;
  const url = new URL(`http://[${s}]/`); // WHATWG's IPv6 serialiser: one form per address
  return url.hostname;
}
function parseCidr(s: string): 4 | 6 | undefined {
  const at = s.lastIndexOf("/");
  if (at < 0) return undefined;
  const family = parseIp(s.slice(0, at));
  const bits = s.slice(at + 1);
  if (family === undefined || !/^\d{1,3}$/.test(bits)) return undefined;
  return Number(bits) <= (family === 4 ? 32 : 128) ? family : undefined;
}

/**
 * The guest's handling of an LCOW adapter document, with the rules the
 * issue adds (misrouting and resolv.conf changes are failures too).
 */
function guestApply(adapter: JsonObject, name: string): GuestState {
  const str = (v: JsonValue | undefined) => typeof v === "string" ? v : "";
  const num = (v: JsonValue | undefined) => typeof v === "number" ? v : 0;
  const list = (v: JsonValue | undefined) => Array.isArray(v) ? v as JsonObject[] : [];
  const addresses: string[] = [];
  let ipv6 = false;
  for (const ip of list(adapter.IPConfigs)) {
    const address = str(ip.IPAddress);
    const family = parseCidr(`${address}/${num(ip.PrefixLength)}`);
    if (family === undefined) refuse("ParseCIDR fails");
    if (family === 6) ipv6 = true;
    const key = ipKey(address);
    if (addresses.some((a) => a.startsWith(`${key}/`))) refuse("AddrAdd: exists");
    addresses.push(`${key}/${num(ip.PrefixLength)}`);
  }
  const mtu = 1500 - num(adapter.EncapOverhead);
  if (mtu < (ipv6 ? 1280 : 68)) refuse("MTU");
  const routes: string[] = [];
  for (const r of list(adapter.Routes)) {
    const dst = str(r.DestinationPrefix);
    const hop = str(r.NextHop);
    const isDefault = dst === "0.0.0.0/0" || dst === "::/0";
    if (isDefault && (hop === "0.0.0.0" || hop === "::")) continue;
    const dstFamily = isDefault ? (dst === "::/0" ? 6 : 4) : parseCidr(dst);
    if (dstFamily === undefined) refuse("route dst");
    const gw = parseIp(hop);
    if (hop !== "" && gw === undefined) refuse("misrouted: gateway dropped");
    if (gw === undefined && isDefault) refuse("gw and destination cannot both be nil");
    if (gw !== undefined && gw !== dstFamily) refuse("RouteAdd: family");
    routes.push(`${dst} via ${gw === undefined ? "-" : ipKey(hop)} metric ${num(r.Metric)}`);
  }
  // dnsConfig: split on commas, trim, lower-case, unique; blanks (which
  // change nothing in resolv.conf) left out.
  const split = (v: string) => v === "" ? [] : v.split(",").map((x) => x.trim().toLowerCase());
  const uniq = (xs: string[]) => [...new Set(xs.filter((x) => x !== ""))];
  const searches = uniq(split(str(adapter.DNSSuffix)));
  const servers = uniq(split(str(adapter.DNSServerList)));
  if (searches.length > 6) refuse("more than 6 search domains");
  for (const s of searches) {
    // deno-lint-ignore no-control-regex
    if (/[\s\x00-\x1f\x7f]/.test(s)) refuse("resolv.conf line changed");
  }
  for (const s of servers) {
    const at = s.indexOf("%");
    if (parseIp(at < 0 ? s : s.slice(0, at)) === undefined) refuse("nameserver");
    if (at >= 0 && !/^[a-z0-9_.-]+$/.test(s.slice(at + 1))) refuse("nameserver zone");
  }
  return { mac: str(adapter.MacAddress), addresses, routes, searches, servers, mtu, name };
}

const MAC = /^[0-9A-F]{2}([-:]?)[0-9A-F]{2}(?:\1[0-9A-F]{2}){4}$/i;
const GUID = /^\{?[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\}?$/i;

/** The oracle: the guest's state, or Refused. */
function oracle(doc: JsonValue, id: string, guest: "lcow" | "wcow"): GuestState {
  const ep = goDecode(doc); // hcsshim's getEndpoint fails on a decode error
  const docId = (ep.ID ?? "").trim();
  if (docId === "" && guest === "wcow") refuse("WCOW guest needs the ID");
  if (docId !== "" && (!GUID.test(docId) || docId.replace(/[{}]/g, "").toLowerCase() !== id)) {
    refuse("another endpoint");
  }
  // Normalisations the issue asks for (trim, MAC form, blanks, Domain split).
  const mac = (ep.MacAddress ?? "").trim();
  if (mac !== "" && !MAC.test(mac)) refuse("HCS refuses the MAC");
  const hex = mac.replace(/[-:]/g, "").toUpperCase();
  // The hcsshim adapter (internal/protocol/guestresource/parse.go).
  const names = (xs: string[], what: string) =>
    xs.map((x) => x.trim()).filter((x) => x !== "").map((x) => {
      if (what === "search" && x.includes(",")) refuse("comma inside a name");
      return x;
    });
  const domains = (ep.Dns?.Domain ?? "").split(",").map((x) => x.trim()).filter((x) => x !== "");
  for (const o of ep.Dns?.Options ?? []) {
    // deno-lint-ignore no-control-regex
    if (/[\s,\x00-\x1f\x7f]/.test(o.trim())) refuse("resolver option");
  }
  let overhead = 0;
  for (const p of ep.Policies ?? []) {
    if (p.Type !== "EncapOverhead") continue;
    const s = p.Settings;
    if (s === undefined || s === null) {
      overhead = 0;
      continue;
    }
    const settings = goObject(s, { Overhead: goUint(65535) }) as { Overhead?: number };
    overhead = settings.Overhead ?? 0;
  }
  const adapter: JsonObject = {
    MacAddress: hex === "" ? "" : hex.replace(/(..)(?!$)/g, "$1-"),
    IPConfigs: (ep.IpConfigurations ?? []).map((ip) => ({
      IPAddress: (ip.IpAddress ?? "").trim(),
      PrefixLength: ip.PrefixLength ?? 0,
    })),
    Routes: (ep.Routes ?? []).map((r) => ({
      NextHop: (r.NextHop ?? "").trim(),
      DestinationPrefix: (r.DestinationPrefix ?? "").trim(),
      Metric: r.Metric ?? 0,
    })),
    DNSSuffix: [...domains, ...names(ep.Dns?.Search ?? [], "search")].join(","),
    DNSServerList: names(ep.Dns?.ServerList ?? [], "server").map((s) => {
      if (s.includes(",")) refuse("comma inside an address");
      return s;
    }).join(","),
    EncapOverhead: overhead,
  };
  for (const r of ep.Routes ?? []) {
    if ((r.DestinationPrefix ?? "").trim() === "") refuse("route without destination");
  }
  return guestApply(adapter, ep.Name ?? "");
}

// ---------------------------------------------------------------- podnet
type Outcome = { state: GuestState } | { refused: InvalidHostDataError } | { error: unknown };

async function podnet(doc: JsonValue, id: string, guest: "lcow" | "wcow"): Promise<Outcome> {
  const hcn = new RecordingHcn();
  hcn.setEndpoint(id, JSON.stringify(doc));
  try {
    const endpoint = await new HcnHostNetwork(hcn, { guest }).getEndpoint(id);
    const adapter = buildLcowAdapter({
      nicId: NIC,
      endpointId: id,
      namespaceId: NS,
      endpoint,
      policyBasedRouting: false,
    });
    try {
      return { state: guestApply(adapter, endpoint.name) };
    } catch (error) {
      if (error instanceof Refused) return { error: `the guest fails: ${error.message}` };
      throw error;
    }
  } catch (error) {
    if (error instanceof InvalidHostDataError) return { refused: error };
    return { error };
  }
}

// ---------------------------------------------------------------- mutations
type Path = (string | number)[];

function paths(value: JsonValue, at: Path = [], out: Path[] = []): Path[] {
  out.push(at);
  if (Array.isArray(value)) value.forEach((v, i) => paths(v, [...at, i], out));
  else if (value !== null && typeof value === "object") {
    for (const [k, v] of Object.entries(value)) paths(v, [...at, k], out);
  }
  return out;
}

function parentOf(root: JsonValue, path: Path): JsonValue {
  let node = root;
  for (const step of path.slice(0, -1)) {
    node = (node as Record<string | number, JsonValue>)[step] as JsonValue;
  }
  return node;
}

const RISKY: JsonValue[] = [
  "fe80::1%eth0",
  "FE80::1%Eth0",
  "10.0.0.1,10.0.0.2",
  " 10.0.0.5 ",
  "10.0.0.5",
  "10.0.0.5 ",
  "a b",
  "a\u0000b",
  "a\nb",
  "0.0.0.0/0",
  "::/0",
  "0.0.0.0",
  "::",
  "10.0.0.0/8",
  "fd00::/64",
  "fd00::1",
  "FD00:0::1",
  "10.0.0.256",
  "010.0.0.1",
  "-1",
  "00155D52C00A",
  "00-15-5d-52-c0-0a",
  "00:15:5D:52:C0:0A",
  "00-15-5D-52-C0",
  "a,b,c,d,e,f,g",
  "a.local, b.local",
  "_srv._tcp.local",
  " svc.local ",
  "",
  " ",
  ",",
  "ß",
  "\u212Aey",
  "ndots:5",
  "EncapOverhead",
  "encapoverhead",
  "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
  "{B1E2C3D4-0000-4A5B-8C6D-7E8F9A0B1C2D}",
  "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d",
  -1,
  0,
  1.5,
  24,
  33,
  64,
  129,
  220,
  221,
  1432,
  1433,
  65535,
  65536,
  255,
  256,
];
/** Values that sit at the edge of each field's rules (docs/host_documents.md). */
const RISKY_BY_FIELD: Record<string, JsonValue[]> = {
  ID: [
    "B1E2C3D4-0000-4A5B-8C6D-7E8F9A0B1C2D",
    " {b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d} ",
    "",
    " ",
    "eth0",
  ],
  Name: ["", " x_eth0 ", "x_eth0\u0000"],
  MacAddress: [
    "00155d52c00a",
    "00-15-5d-52-c0-0a",
    "00:15:5D:52:C0:0A",
    " 00-15-5D-52-C0-0A ",
    "00-15-5D-52-C0",
    "00-15:5D-52-C0-0A",
    "",
    "zz-15-5D-52-C0-0A",
    "00155D52C00",
  ],
  IpAddress: [
    "fe80::1%eth0",
    " 10.244.1.17 ",
    "10.244.1.17",
    "FD00:10:244:1::11",
    "fd00:10:244:1:0::11",
    "10.0.0.256",
    "",
    "::ffff:10.244.1.17",
    "010.0.0.1",
    "10.0.0.5\n",
    "192.168.40.7",
  ],
  PrefixLength: [0, 24, 32, 33, 64, 128, 129, 255, 256, -1, 1.5, "24"],
  NextHop: [
    "fe80::1%eth0",
    "",
    " ",
    "0.0.0.0",
    "::",
    "10.244.1.1 ",
    "fd00:10:244:1::1",
    "gateway",
    "10.244.1.1%eth0",
    "192.168.40.1",
  ],
  DestinationPrefix: ["0.0.0.0/0", "::/0", "", " 10.0.0.0/8", "10.0.0.0", "::0/0", "10.0.0.5/33"],
  Metric: [0, 65535, 65536, -1, "0", 1.5],
  Domain: ["a.local,b.local", " a.local ", "a b", "a,b,c,d,e,f,g", ",", "", "a\u0007b", "_x.local"],
  Search: [
    " a.local ",
    "",
    "a,b",
    "a b",
    "_srv._tcp.local",
    "a\nb",
    "SVC.cluster.local",
    "x.local",
  ],
  ServerList: [
    "10.96.0.10 ",
    "",
    "fe80::1%eth0",
    "10.0.0.1,10.0.0.2",
    "dns.example",
    "FE80::1%ETH0",
  ],
  Options: ["ndots:5", " rotate ", "", "a b", "a,b"],
  Overhead: [0, 50, 220, 221, 1432, 1433, 65535, 65536, "50", -1, 1.5],
  Type: ["EncapOverhead", "encapoverhead", "", 5],
  Settings: [{}, "", [], { Overhead: 100 }, { overhead: 221 }, { Overhead: 50, overhead: "x" }],
  Policies: [{ Type: "EncapOverhead", Settings: { Overhead: 100 } }, { Type: "EncapOverhead" }],
};

/** The field a path names: its last key, or the list's key for a list item. */
function fieldOf(path: Path): string | undefined {
  for (let i = path.length - 1; i >= 0; i--) {
    if (typeof path[i] === "string") return path[i] as string;
  }
  return undefined;
}

function risky(rand: () => number, path: Path): JsonValue {
  const own = RISKY_BY_FIELD[fieldOf(path) ?? ""];
  return structuredClone(own !== undefined && rand() < 0.8 ? pick(rand, own) : pick(rand, RISKY));
}

const TYPES: JsonValue[] = [0, 7, "x", "", true, false, null, [], {}, ["x"], { a: 1 }, 1.5, -1];
const BLANKS: JsonValue[] = ["", " ", "\t", null, [], {}];
const HUGE: JsonValue[] = [
  "a".repeat(100_000),
  "a.".repeat(200) + "local",
  256,
  65_536,
  4_294_967_296,
  2 ** 53,
  1e308,
];

function pick<T>(rand: () => number, xs: readonly T[]): T {
  return xs[Math.floor(rand() * xs.length)] as T;
}

function randomCase(rand: () => number, key: string): string {
  let out = "";
  for (const ch of key) out += rand() < 0.5 ? ch.toLowerCase() : ch.toUpperCase();
  return out === key ? key.toLowerCase() : out;
}

/** Sets `value` at `path` (a key is renamed in place, keeping the order). */
function setAt(root: JsonValue, path: Path, value: JsonValue): JsonValue {
  if (path.length === 0) return value;
  const parent = parentOf(root, path) as Record<string | number, JsonValue>;
  parent[path[path.length - 1] as string | number] = value;
  return root;
}

const KINDS = ["case", "type", "blank", "extra", "missing", "huge", "risky"] as const;
type Kind = typeof KINDS[number];

function mutate(rand: () => number, doc: JsonObject): { doc: JsonValue; kind: Kind; at: string } {
  let root = structuredClone(doc) as JsonValue;
  const kind = pick(rand, KINDS);
  // The root itself only gets extra keys (a whole document of another type is one case, not many).
  const all = paths(root).slice(1);
  const path = kind === "extra" && rand() < 0.2 ? [] : pick(rand, all);
  const last = path[path.length - 1];
  const parent = path.length === 0 ? undefined : parentOf(root, path);
  const node = path.reduce<JsonValue>(
    (n, k) => (n as Record<string | number, JsonValue>)[k] as JsonValue,
    root,
  );
  switch (kind) {
    case "case": {
      if (
        typeof last === "string" && parent && !Array.isArray(parent) && typeof parent === "object"
      ) {
        const renamed: JsonObject = {};
        for (const [k, v] of Object.entries(parent)) {
          renamed[k === last ? randomCase(rand, k) : k] = v;
        }
        root = setAt(root, path.slice(0, -1), renamed);
      }
      break;
    }
    case "type":
      root = setAt(root, path, pick(rand, TYPES));
      break;
    case "blank":
      root = setAt(root, path, pick(rand, BLANKS));
      break;
    case "extra": {
      if (Array.isArray(node)) {
        node.push(
          rand() < 0.5 && node.length > 0 ? structuredClone(pick(rand, node)) : pick(rand, BLANKS),
        );
      } else if (node !== null && typeof node === "object") {
        const keys = Object.keys(node);
        // An unknown key, or a known one spelled again in another case (the later wins).
        const r = rand();
        const key = r < 0.1
          ? "__proto__"
          : r < 0.5 || keys.length === 0
          ? "Extra"
          : randomCase(rand, pick(rand, keys));
        // An own property even for "__proto__", as JSON.parse makes it.
        Object.defineProperty(node, key, {
          value: key === "__proto__"
            ? { IpConfigurations: [{ IpAddress: "10.9.9.9" }], Overhead: 9, ID: "" }
            : rand() < 0.5
            ? risky(rand, [...path, key])
            : pick(rand, TYPES),
          enumerable: true,
          writable: true,
          configurable: true,
        });
      } else root = setAt(root, path, risky(rand, path));
      break;
    }
    case "missing":
      if (Array.isArray(parent) && typeof last === "number") parent.splice(last, 1);
      else if (parent && typeof parent === "object" && typeof last === "string") {
        delete (parent as JsonObject)[last];
      }
      break;
    case "huge":
      if (Array.isArray(node) && node.length > 0) {
        root = setAt(
          root,
          path,
          Array.from({ length: 200 }, () => structuredClone(pick(rand, node))),
        );
      } else root = setAt(root, path, pick(rand, HUGE));
      break;
    case "risky":
      root = setAt(root, path, risky(rand, path));
      break;
  }
  return { doc: root, kind, at: path.join(".") };
}

// ---------------------------------------------------------------- the run
async function endpointsOfFixtures(): Promise<JsonObject[]> {
  const out: JsonObject[] = [];
  for await (const entry of Deno.readDir(DATA)) {
    if (!entry.name.endsWith(".json")) continue;
    const fixture = JSON.parse(await Deno.readTextFile(`${DATA}${entry.name}`));
    out.push(...fixture.endpoints);
  }
  return out.sort((a, b) => String(a.ID).localeCompare(String(b.ID)));
}

function sameOutcome(expected: GuestState | Refused, got: Outcome): string | undefined {
  if ("error" in got) return `untyped or guest failure: ${String(got.error)}`;
  if (expected instanceof Refused) {
    return "refused" in got ? undefined : `accepted what the guest fails (${expected.message})`;
  }
  if ("refused" in got) return `refused what would run: ${got.refused.message}`;
  try {
    assert.deepEqual(got.state, expected);
    return undefined;
  } catch {
    return `data changed: ${JSON.stringify(got.state)} vs ${JSON.stringify(expected)}`;
  }
}

Deno.test("fuzz: mutated fixture endpoints read as hcsshim's decoder and the guest would", async () => {
  const runs = Number(Deno.env.get("PODNET_FUZZ_RUNS") ?? 7_000);
  const seed = Number(Deno.env.get("PODNET_FUZZ_SEED") ?? 0x15f022);
  const rand = prng(seed);
  const endpoints = await endpointsOfFixtures();
  const weighted = endpoints.flatMap((e) => Array<JsonObject>(paths(e).length).fill(e));
  // Unchanged, every fixture endpoint reads as the oracle reads it.
  for (const endpoint of endpoints) {
    for (const guest of ["lcow", "wcow"] as const) {
      const id = String(endpoint.ID).toLowerCase();
      assert.equal(
        sameOutcome(oracle(endpoint, id, guest), await podnet(endpoint, id, guest)),
        undefined,
      );
    }
  }
  const counts = { runs: 0, outcomes: 0, accepted: 0, refused: 0, differences: 0 };
  const byKind = new Map<string, number>();
  const reasons = new Map<string, number>();
  const differences: string[] = [];
  for (let run = 0; run < runs; run++) {
    // Each field equally likely: an endpoint is picked by its number of fields.
    const original = pick(rand, weighted);
    const id = String(original.ID).toLowerCase();
    let mutated = mutate(rand, original);
    if (
      rand() < 0.2 && typeof mutated.doc === "object" && mutated.doc !== null &&
      !Array.isArray(mutated.doc)
    ) {
      const second = mutate(rand, mutated.doc);
      mutated = {
        ...second,
        kind: mutated.kind,
        at: `${mutated.at} + ${second.kind} ${second.at}`,
      };
    }
    counts.runs++;
    for (const guest of ["lcow", "wcow"] as const) {
      counts.outcomes++;
      let expected: GuestState | Refused;
      try {
        expected = oracle(mutated.doc, id, guest);
      } catch (error) {
        if (!(error instanceof Refused)) throw error;
        expected = error;
      }
      const got = await podnet(mutated.doc, id, guest);
      if ("refused" in got) {
        counts.refused++;
        const field = got.refused.field.replace(/\.\d+/g, ".N");
        reasons.set(field, (reasons.get(field) ?? 0) + 1);
      } else if ("state" in got) counts.accepted++;
      const difference = sameOutcome(expected, got);
      if (difference !== undefined) {
        counts.differences++;
        byKind.set(mutated.kind, (byKind.get(mutated.kind) ?? 0) + 1);
        if (differences.length < 10) {
          differences.push(
            `run ${run} ${guest} ${mutated.kind} at ${mutated.at}: ${difference}\n  ${
              JSON.stringify(mutated.doc).slice(0, 400)
            }`,
          );
        }
      }
    }
  }
  console.log(
    `host document fuzz (seed ${seed}): ${JSON.stringify(counts)} ${
      JSON.stringify(Object.fromEntries(byKind))
    }`,
  );
  if (Deno.env.get("PODNET_FUZZ_VERBOSE")) console.log(Object.fromEntries(reasons));
  assert.deepEqual(differences, []);
  assert.equal(counts.runs, runs);
});
