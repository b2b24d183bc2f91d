/**
 * A full setup + teardown cycle of the 3-NIC fixture, on the zero-latency
 * simulated host (the whole stack: controller, HCN/HCS/guest adapters,
 * simulated DLLs) and, as the baseline, on in-memory fake ports (the
 * controller alone). The ratio says what the adapters and the simulated host
 * add to the domain's own cost.
 *
 * Every bench function is declared `async`: deno bench awaits only functions
 * that are async functions; an arrow that merely returns a promise is timed
 * as if it were synchronous.
 */
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/native/sim/simulated_host.ts";
import { FakeWorld, readFixture } from "../tests/_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;

async function simCycle(guest: "lcow" | "wcow", store?: MemoryStore) {
  const host = new SimulatedHost({ guest });
  host.loadFixture(fixture);
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  const c = new NetworkController(
    { podId: "bench", namespaceId: NS, ...(store ? { store } : {}) },
    ports,
  );
  await c.setup();
  await c.teardown();
}

Deno.bench({
  name: "domain only (fake ports)",
  group: "setup+teardown, 3 NICs",
  baseline: true,
  async fn() {
    const world = new FakeWorld("lcow").load(fixture);
    const c = new NetworkController({ podId: "bench", namespaceId: NS }, world.ports());
    await c.setup();
    await c.teardown();
  },
});

Deno.bench({
  name: "LCOW, simulated host",
  group: "setup+teardown, 3 NICs",
  async fn() {
    await simCycle("lcow");
  },
});

Deno.bench({
  name: "WCOW, simulated host",
  group: "setup+teardown, 3 NICs",
  async fn() {
    await simCycle("wcow");
  },
});

Deno.bench({
  name: "WCOW, simulated host, memory store",
  group: "setup+teardown, 3 NICs",
  async fn() {
    await simCycle("wcow", new MemoryStore());
  },
});

Deno.bench({
  name: "20 pods at once, LCOW, simulated host",
  group: "concurrency",
  async fn() {
    await Promise.all(Array.from({ length: 20 }, () => simCycle("lcow")));
  },
});
