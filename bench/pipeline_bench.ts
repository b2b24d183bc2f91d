/**
 * Pod start and stop time with a realistic latency profile (8 endpoints,
 * the simulated host's latency model), podnet's pipeline at
 * hostConcurrency 1 and 8 against:
 *
 * - hcsshim's order (the baseline): the same ports driven one NIC at a time,
 *   endpoints read one after another (`_hcsshim_order.ts`);
 * - the critical-path bound computed from the profile: the time no schedule
 *   within the limits can beat (one guest request at a time, at most
 *   hostConcurrency host NIC calls at once, each NIC's steps in order, the
 *   host read before anything else), waited the way the simulator waits out
 *   each call's latency (to the deadline, not a timer tick later).
 *
 * `deno bench` prints each ratio to the baseline; the ratios to the bound
 * are the quotients of the times printed in the same run.
 */
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { podFixture } from "../tests/_fakes/generated_fixture.ts";
import { type ReferencePod, referenceSetup, referenceTeardown } from "./_hcsshim_order.ts";
import { PROFILE } from "./_latency_profile.ts";
import { latencySleep } from "../adapters/sim/_latency_sleep.ts";

const N = 8;
const fixture = podFixture(N, 8);
const NS = fixture.namespace.ID;

type Guest = "lcow" | "wcow";

/** The critical-path bound of setup or teardown, in ms. */
export function bound(phase: "setup" | "teardown", guest: Guest, hc: number): number {
  const p = PROFILE;
  const wcow = guest === "wcow";
  const waves = Math.ceil(N / hc);
  if (phase === "setup") {
    const reads = p.HcnOpenNamespace + p.HcnQueryNamespaceProperties + p.HcnOpenEndpoint +
      p.HcnQueryEndpointProperties;
    const pre = wcow ? p["guest.nic-preadd"] : 0;
    const guestLane = (wcow ? p["guest.namespace-add"] + N * pre : 0) + N * p["guest.nic-add"];
    return reads + Math.max(
      guestLane,
      pre + waves * p["vm.add-nic"] + p["guest.nic-add"],
      pre + p["vm.add-nic"] + N * p["guest.nic-add"],
    );
  }
  const nsRemove = wcow ? p["guest.namespace-remove"] : 0;
  return nsRemove + Math.max(
    N * p["guest.nic-remove"],
    p["guest.nic-remove"] + waves * p["vm.remove-nic"],
    N * p["guest.nic-remove"] + p["vm.remove-nic"],
  );
}

function stack(guest: Guest) {
  const host = new SimulatedHost({ guest, latency: PROFILE });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  return { host, ports };
}

const OPTIONS = { n: 8, warmup: 1 } as const;

for (const guest of ["lcow", "wcow"] as const) {
  for (const phase of ["setup", "teardown"] as const) {
    const group = `${phase}, ${guest.toUpperCase()}, ${N} NICs`;
    Deno.bench({
      ...OPTIONS,
      name: "hcsshim's order",
      group,
      baseline: true,
      async fn(b) {
        const { ports } = stack(guest);
        if (phase === "setup") b.start();
        const pod: ReferencePod = await referenceSetup(ports, NS);
        if (phase === "setup") b.end();
        if (phase === "teardown") b.start();
        await referenceTeardown(ports, pod);
        if (phase === "teardown") b.end();
        ports[Symbol.dispose]();
      },
    });
    for (const hostConcurrency of [1, 8]) {
      Deno.bench({
        ...OPTIONS,
        name: `podnet, hostConcurrency ${hostConcurrency}`,
        group,
        async fn(b) {
          const { ports } = stack(guest);
          const c = new NetworkController(
            { podId: "bench", namespaceId: NS, hostConcurrency },
            ports,
          );
          if (phase === "setup") b.start();
          await c.setup();
          if (phase === "setup") b.end();
          if (phase === "teardown") b.start();
          await c.teardown();
          if (phase === "teardown") b.end();
          ports[Symbol.dispose]();
        },
      });
      Deno.bench({
        ...OPTIONS,
        name: `critical-path bound, hostConcurrency ${hostConcurrency} (${
          bound(phase, guest, hostConcurrency)
        } ms)`,
        group,
        async fn() {
          await latencySleep(bound(phase, guest, hostConcurrency), undefined);
        },
      });
    }
  }
}
