/**
 * Run with `--v8-flags=--expose-gc`: prints, as JSON, the heap bytes per
 * live 3-NIC controller (each set up on in-memory fake ports whose guest
 * checks the pod's search domains like the Linux one, no store) and
 * the heap growth of one controller over add/remove cycles.
 *
 * Usage: deno run --v8-flags=--expose-gc --allow-read tests/_helpers/controller_memory_probe.ts [controllers] [cycles]
 */
import { NetworkController } from "../../domain/network_controller.ts";
import { FakeWorld, readFixture } from "../_fakes/fake_ports.ts";
import type { NetworkPorts } from "../../ports/network_ports.ts";

const gc = (globalThis as { gc?: () => void }).gc;
if (gc === undefined) throw new TypeError("run with --v8-flags=--expose-gc");
const collect = gc;

const controllers = Number(Deno.args[0] ?? "2000");
const cycles = Number(Deno.args[1] ?? "10000");
const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;

function heap(): number {
  // The fake world keeps a list of the calls it got: not the controllers'.
  world.calls.length = 0;
  for (let i = 0; i < 3; i++) collect();
  return Deno.memoryUsage().heapUsed;
}

const world = new FakeWorld("lcow").load(fixture);
const fakePorts = world.ports();
// A guest that checks the pod as the Linux guest adapter does: each
// binding then keeps its endpoint's search domains.
const ports: NetworkPorts = {
  ...fakePorts,
  guest: {
    ...fakePorts.guest,
    podShare: (e) => [...(e.dns?.domain ? [e.dns.domain] : []), ...(e.dns?.search ?? [])],
    checkPod: () => {},
  },
};
// Warm up: code, shapes and the libraries' caches are not the controllers'.
for (let i = 0; i < 50; i++) {
  const c = new NetworkController({ podId: `warm-${i}`, namespaceId: NS }, ports);
  await c.setup();
  await c.teardown();
}
world.vmNics.clear();
world.guestNics.clear();

const kept: NetworkController[] = [];
const ids = Array.from({ length: controllers }, (_, i) => `pod-${i}`);
const before = heap();
for (const podId of ids) {
  const c = new NetworkController({ podId, namespaceId: NS }, ports);
  await c.setup();
  kept.push(c);
}
const after = heap();
const perController = (after - before) / controllers;

// One controller, add/remove the same extra endpoint over and over.
const extra = "b1e2c3d4-0009-4a5b-8c6d-7e8f9a0b1c2d";
const ns = world.namespaces.get(NS.toLowerCase());
if (ns === undefined) throw new RangeError("namespace");
world.namespaces.set(ns.id, { ...ns, endpointIds: [...ns.endpointIds, extra] });
world.endpoints.set(extra, {
  id: extra,
  name: "4f1d0c2b9a7e_eth3",
  ipConfigurations: [],
  routes: [],
  policies: [],
  document: { ID: extra },
});
const one = new NetworkController({ podId: "cycler", namespaceId: NS }, ports);
await one.setup();
const warm = Math.min(1000, cycles);
for (let i = 0; i < warm; i++) {
  await one.addEndpoint(extra);
  await one.removeEndpoint(extra);
}
// The heap after each tenth of the cycles: flat means no growth with cycles.
const samples: number[] = [heap()];
for (let i = 1; i <= cycles; i++) {
  await one.addEndpoint(extra);
  await one.removeEndpoint(extra);
  if (i % 1000 === 0) world.calls.length = 0;
  if (i % Math.max(1, Math.floor(cycles / 10)) === 0) samples.push(heap());
}
const first = samples[0] ?? 0;
console.log(JSON.stringify({
  controllers,
  bytesPerController: Math.round(perController),
  cycles,
  growthBytesOverCycles: (samples.at(-1) ?? first) - first,
  heapSamplesKiB: samples.map((x) => Math.round((x - first) / 1024)),
  alive: kept.length,
}));
