/**
 * A controller of the 3-NIC fixture pod on a fresh simulated host: the
 * stack most controller tests start from.
 *
 * @module
 */
import assert from "node:assert/strict";
import { NetworkController } from "../../domain/network_controller.ts";
import { createPorts } from "../../adapters/create_ports.ts";
import { SimulatedHost } from "../../adapters/sim/simulated_host.ts";
import type { StateStore } from "../../ports/state_store.ts";
import { readFixture } from "../_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");

/** The fixture pod's namespace, lower case. */
export const FIXTURE_NS: string = fixture.namespace.ID.toLowerCase();

/** How the stack is built; everything but `podId` has the library's default when left out. */
export interface SimStackOptions {
  readonly podId: string;
  readonly store?: StateStore;
  readonly hostConcurrency?: number;
  /** Each call's time limit. */
  readonly timeoutMs?: number;
  /** The simulated host's latency (ms per call). */
  readonly latency?: number;
}

/** The host, its ports and a controller of the fixture pod (not set up). */
export function simStack<S extends StateStore | undefined = undefined>(
  guest: "lcow" | "wcow",
  options: SimStackOptions & { readonly store?: S },
) {
  const host = new SimulatedHost({
    guest,
    ...(options.latency === undefined ? {} : { latency: options.latency }),
  });
  host.loadFixture(fixture);
  const ports = createPorts({
    hcn: host.hcn,
    hcs: host.hcs,
    vmId: host.vmId,
    guest,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  const controller = new NetworkController({
    podId: options.podId,
    namespaceId: FIXTURE_NS,
    ...(options.store === undefined ? {} : { store: options.store }),
    ...(options.hostConcurrency === undefined ? {} : { hostConcurrency: options.hostConcurrency }),
  }, ports);
  return { host, ports, controller, store: options.store as S };
}

/**
 * Tears the pod down (up to `tries` times while it is not TornDown, failures
 * ignored), closes its ports and asserts the host holds nothing of it.
 */
export async function assertTornDownClean(
  controller: NetworkController,
  ports: { [Symbol.dispose](): void },
  host: SimulatedHost,
  what: string,
  tries = 1,
): Promise<void> {
  for (let i = 0; i < tries && controller.state !== "TornDown"; i++) {
    await controller.teardown().catch(() => {});
  }
  ports[Symbol.dispose]();
  assert.equal(controller.state, "TornDown", `${what}: state`);
  assert.deepEqual(host.inventory(), {
    vmNics: [],
    guestAdapters: [],
    guestNamespaces: [],
    openHandles: 0,
  }, `${what}: leftovers`);
}
