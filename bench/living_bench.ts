/**
 * A living pod with a realistic latency profile (the one of
 * `pipeline_bench.ts`):
 *
 * - adding one NIC to a running 8-NIC pod (`addEndpoint`), against the
 *   latency of the NIC's own calls made directly through the same ports:
 *   hot-add then attach (WCOW: prepare, hot-add, attach). What podnet adds
 *   on top is reading the namespace and endpoint (both at once) and writing
 *   nothing (no store here);
 * - `sync()` of a namespace with 2 new and 2 vanished endpoints at
 *   hostConcurrency 4, against its critical-path bound computed from the
 *   profile, waited the way the simulator waits out each call's latency
 *   (to the deadline, not a timer tick later).
 *
 * The ratios are the quotients of the times `deno bench` prints in the
 * same run (each group's baseline is the reference).
 */
import { NetworkController } from "../domain/network_controller.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { podFixture } from "../tests/_fakes/generated_fixture.ts";
import type { JsonObject } from "../ports/json.ts";
import { PROFILE } from "./_latency_profile.ts";
import { latencySleep } from "../adapters/sim/_latency_sleep.ts";

type Guest = "lcow" | "wcow";

const N = 8;
const all = podFixture(N + 2, 8);
/** eth0..eth7 in the namespace; eth8 and eth9 come later. */
const byEth = [...all.endpoints].sort((a, b) =>
  Number(a.Name.split("_eth")[1]) - Number(b.Name.split("_eth")[1])
);
/** eth8 and eth9, as JSON documents (they are plain JSON). */
const later = byEth.slice(N) as unknown as (JsonObject & { ID: string })[];
const laterIds = new Set(later.map((e) => e.ID));
const fixture = {
  namespace: {
    ...all.namespace,
    Resources: all.namespace.Resources.filter((r) => !laterIds.has(r.Data.ID)),
  },
  endpoints: all.endpoints.filter((e) => !laterIds.has(e.ID)),
};
const NS = fixture.namespace.ID;
const POD = "bench-living";

/** The critical-path bound of a sync adding `a` and removing `k` NICs (a + k <= hc), in ms. */
export function syncBound(guest: Guest, a: number, k: number): number {
  const p = PROFILE;
  const reads = p.HcnOpenNamespace + p.HcnQueryNamespaceProperties + p.HcnOpenEndpoint +
    p.HcnQueryEndpointProperties;
  const pre = guest === "wcow" ? p["guest.nic-preadd"] : 0;
  const det = p["guest.nic-remove"];
  const att = p["guest.nic-add"];
  return reads + Math.max(
    // the guest does one request at a time
    a * pre + k * det + a * att,
    // the first prepare, a hot-add, then every attach; the last prepare, its hot-add, its attach
    pre + p["vm.add-nic"] + a * att,
    a * pre + p["vm.add-nic"] + att,
    // a detach, then its hot-remove (the last detach waits for the others)
    k * det + p["vm.remove-nic"],
  );
}

async function runningPod(guest: Guest, hostConcurrency: number) {
  const host = new SimulatedHost({ guest, latency: PROFILE });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  const c = new NetworkController({ podId: POD, namespaceId: NS, hostConcurrency }, ports);
  await c.setup();
  return { host, ports, c };
}

const OPTIONS = { n: 20, warmup: 2 } as const;

for (const guest of ["lcow", "wcow"] as const) {
  const addGroup = `add one NIC to a running ${N}-NIC pod, ${guest.toUpperCase()}`;
  const eth8 = later[0];
  if (eth8 === undefined) throw new RangeError("fixture");
  Deno.bench({
    ...OPTIONS,
    name: `the NIC's own calls (${guest === "wcow" ? "prepare, " : ""}hot-add, attach)`,
    group: addGroup,
    baseline: true,
    async fn(b) {
      const { host, ports, c } = await runningPod(guest, 1);
      host.addNamespaceEndpoint(NS, eth8);
      const endpoint = await ports.host.getEndpoint(eth8.ID.toLowerCase());
      const nicId = deriveNicId(POD, endpoint.id);
      const config = {
        nicId,
        endpointId: endpoint.id,
        namespaceId: c.namespaceId,
        endpoint,
        policyBasedRouting: false,
      };
      const nic = {
        nicId,
        endpointId: endpoint.id,
        ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
      };
      b.start();
      await ports.guest.prepare(config);
      await ports.vm.addNic(nic);
      await ports.guest.attach(config);
      b.end();
      ports[Symbol.dispose]();
    },
  });
  Deno.bench({
    ...OPTIONS,
    name: "podnet addEndpoint()",
    group: addGroup,
    async fn(b) {
      const { host, ports, c } = await runningPod(guest, 1);
      host.addNamespaceEndpoint(NS, eth8);
      b.start();
      await c.addEndpoint(eth8.ID);
      b.end();
      ports[Symbol.dispose]();
    },
  });

  const syncGroup =
    `sync: 2 new and 2 vanished endpoints, hostConcurrency 4, ${guest.toUpperCase()}`;
  const bound = syncBound(guest, 2, 2);
  Deno.bench({
    ...OPTIONS,
    name: `critical-path bound (${bound} ms)`,
    group: syncGroup,
    baseline: true,
    async fn() {
      await latencySleep(bound, undefined);
    },
  });
  Deno.bench({
    ...OPTIONS,
    name: "podnet sync()",
    group: syncGroup,
    async fn(b) {
      const { host, ports, c } = await runningPod(guest, 4);
      for (const e of later) host.addNamespaceEndpoint(NS, e);
      host.removeNamespaceEndpoint(byEth[2]?.ID ?? "");
      host.removeNamespaceEndpoint(byEth[5]?.ID ?? "");
      b.start();
      const result = await c.sync();
      b.end();
      if (result.added.length !== 2 || result.removed.length !== 2) {
        throw new RangeError(`sync changed ${JSON.stringify(result)}`);
      }
      ports[Symbol.dispose]();
    },
  });
}
