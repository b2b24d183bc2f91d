/**
 * The cost of reading one HCN endpoint document (the fixture's eth0: two
 * addresses, DNS, two routes, two policies), against `JSON.parse` alone
 * (the baseline, which every reading pays):
 *
 * - podnet's reading (key matching regardless of case, Go's types, the
 *   guest's value rules) of HNS's usual spelling, and of the same endpoint
 *   with every key spelled another way (the copy path). The reading before
 *   keys were matched regardless of case is in the history (commit
 *   0dbfc96's parent); it measured 1.1-1.4x faster here.
 *
 * `deno bench` prints each ratio to the baseline.
 */
import { parseEndpointDocument } from "../adapters/hcn/_schemas.ts";

const fixture = JSON.parse(
  await Deno.readTextFile(new URL("../adapters/sim/fixtures/pod-3nic.json", import.meta.url)),
);
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const eth0 = fixture.endpoints.find((e: { ID: string }) => e.ID === EP0);
const usual = JSON.stringify(eth0);

/** Every key lower-cased, at every level. */
function lowerKeys(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(lowerKeys);
  if (value === null || typeof value !== "object") return value;
  return Object.fromEntries(Object.entries(value).map(([k, v]) => [k.toLowerCase(), lowerKeys(v)]));
}
const odd = JSON.stringify(lowerKeys(eth0));

let sink = 0;

Deno.bench("JSON.parse only", { group: "read endpoint", baseline: true }, () => {
  sink += Object.keys(JSON.parse(usual)).length;
});

Deno.bench("podnet, usual spelling", { group: "read endpoint" }, () => {
  sink += parseEndpointDocument(usual, EP0, "lcow").value.ipConfigurations.length;
});

Deno.bench("podnet, every key in lower case", { group: "read endpoint" }, () => {
  sink += parseEndpointDocument(odd, EP0, "lcow").value.ipConfigurations.length;
});

globalThis.addEventListener("unload", () => {
  if (sink < 0) console.log(sink);
});
