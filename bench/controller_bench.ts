/**
 * What podnet costs per endpoint when the host answers at once: setup and
 * teardown of a pod on the zero-latency simulated host (the whole stack:
 * controller, HCN/HCS/guest adapters, simulated DLLs), on DLLs that answer
 * at once and check nothing (podnet's own cost: controller and adapters,
 * with the validation of what the DLLs return), and on in-memory fake ports
 * (the controller alone), with and without a store.
 *
 * Each group holds 64 endpoints' worth of work done in different shapes
 * (1 pod of 64 endpoints, 8 pods of 8, 64 pods of 1), so the ratios deno
 * bench prints between them are ratios of the cost per endpoint; the time
 * of an entry divided by 64 is its cost per endpoint. The host and its ports
 * are made once per shape, outside the timing (a host is back to empty after
 * each teardown).
 *
 * Every bench function is declared `async`: deno bench awaits only functions
 * that are async functions.
 */
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { FakeWorld, type Fixture } from "../tests/_fakes/fake_ports.ts";
import { podFixture } from "../tests/_fakes/generated_fixture.ts";
import { instantDlls } from "./_instant_dlls.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";

const TOTAL = 64;

interface Shape {
  readonly endpoints: number;
  readonly pods: number;
  readonly fixture: ReturnType<typeof podFixture>;
}

function shape(endpoints: number): Shape {
  return { endpoints, pods: TOTAL / endpoints, fixture: podFixture(endpoints, endpoints) };
}

const SHAPES = [shape(64), shape(8), shape(1)];

interface Stack {
  readonly ports: NetworkPorts;
  /** Forgets what the host recorded of the calls (its trace grows with them). */
  readonly forget: () => void;
}

function simStack(s: Shape): Stack {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(s.fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  return { ports, forget: () => host.clearTrace() };
}

function instantStack(s: Shape): Stack {
  const { hcn, hcs } = instantDlls(s.fixture);
  const ports = createPorts({ hcn, hcs, vmId: "podnet-uvm-1", guest: "lcow" });
  return { ports, forget: () => {} };
}

function fakeStack(s: Shape): Stack {
  const world = new FakeWorld("lcow").load(s.fixture as unknown as Fixture);
  return { ports: world.ports(), forget: () => world.calls.splice(0) };
}

/** Sets up and tears down `s.pods` pods one after another. */
async function cycles(s: Shape, stack: Stack, store: boolean): Promise<void> {
  const { ports } = stack;
  for (let i = 0; i < s.pods; i++) {
    const c = new NetworkController({
      podId: "bench",
      namespaceId: s.fixture.namespace.ID,
      ...(store ? { store: new MemoryStore() } : {}),
    }, ports);
    await c.setup();
    await c.teardown();
  }
  stack.forget();
}

const STACKS = [
  ["whole stack", simStack],
  ["controller and adapters, instant DLLs", instantStack],
  ["domain only", fakeStack],
] as const;

/** Cycles each stack runs before any is timed: the first group measured paid for the JIT's warm-up. */
const WARM_UP = 30;

for (const [name, make] of STACKS) {
  for (const store of [false, true]) {
    const group = `${name}${store ? ", memory store" : ""}: ${TOTAL} endpoints`;
    for (const s of SHAPES) {
      const stack = make(s);
      for (let i = 0; i < WARM_UP; i++) await cycles(s, stack, store);
      Deno.bench({
        name: `${s.pods} pod(s) x ${s.endpoints} endpoint(s)`,
        group,
        baseline: s.endpoints === 8,
        async fn() {
          await cycles(s, stack, store);
        },
      });
    }
  }
}
