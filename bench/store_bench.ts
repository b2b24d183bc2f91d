/**
 * What a pod that lives for weeks costs to load: a record after 10,000 NIC
 * add/remove cycles (each cycle an add and a remove of a fourth NIC, five
 * writes: each step recorded before it starts, the outcome of the one
 * before riding along, as the controller writes them: appends, with the
 * journal folded into the record whenever it outgrows it) against the same
 * pod's record freshly written whole. A third entry loads the worst case of
 * those cycles: the journal at its largest, just before a fold.
 *
 * Each load is a new `FileStore`, as a new process would read the pod. The
 * record is a real one: a 3-NIC pod set up on the simulated host.
 *
 * Run: deno bench --allow-read --allow-write --allow-env bench/store_bench.ts
 */
import { NetworkController } from "../domain/network_controller.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import type { RecordChange } from "../domain/record_change.ts";
import type { Snapshot } from "../domain/snapshot.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { FileStore } from "../adapters/store/file_store.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { readFixture } from "../tests/_fakes/fake_ports.ts";

const POD = "default/long-lived-0";
const CYCLES = 10_000;

async function runningPod(): Promise<Snapshot> {
  const fixture = await readFixture("pod-3nic");
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const store = new MemoryStore();
  const c = new NetworkController({ podId: POD, namespaceId: fixture.namespace.ID, store }, ports);
  await c.setup();
  const snapshot = await store.load(POD);
  if (snapshot === undefined) throw new TypeError("setup left no record");
  return snapshot;
}

const pod = await runningPod();
const endpointId = "b1e2c3d4-00ff-4a5b-8c6d-7e8f9a0b1c2d";
const nicId = deriveNicId(POD, endpointId);
const last = pod.bindings.at(-1)?.nicId ?? null;
/** One cycle's writes: each step recorded before it starts, outcomes riding along. */
const cycle: RecordChange[][] = [
  [{
    type: "bind",
    after: last,
    binding: {
      nicId,
      endpointId,
      endpointName: "4f1d0c2b9a7e_eth3",
      macAddress: "00-15-5D-52-C0-0D",
      progress: { "guest-prepare": "none", "vm-add": "pending", "guest-attach": "none" },
    },
  }],
  [
    { type: "progress", nicId, step: "vm-add", progress: "done" },
    { type: "progress", nicId, step: "guest-attach", progress: "pending" },
  ],
  [
    { type: "progress", nicId, step: "guest-attach", progress: "done" },
    { type: "progress", nicId, step: "guest-attach", progress: "pending" },
  ],
  [
    { type: "progress", nicId, step: "guest-attach", progress: "none" },
    { type: "progress", nicId, step: "vm-add", progress: "pending" },
  ],
  [
    { type: "progress", nicId, step: "vm-add", progress: "none" },
    { type: "drop", nicId },
  ],
];

const fresh = await Deno.makeTempDir();
await new FileStore(fresh).save(pod);

const cycled = await Deno.makeTempDir();
const worst = await Deno.makeTempDir();
{
  const store = new FileStore(cycled);
  await store.save(pod);
  const record = await store.pathOf(POD);
  const journal = record.replace(/\.json$/, ".journal");
  const size = async () => (await Deno.stat(journal).catch(() => ({ size: 0 }))).size;
  let largest = 0;
  for (let i = 0; i < CYCLES; i++) {
    for (const changes of cycle) {
      await store.append(POD, changes);
      const now = await size();
      if (now > largest) {
        largest = now;
        const name = record.slice(record.lastIndexOf("/") + 1, -".json".length);
        await Deno.copyFile(record, `${worst}/${name}.json`);
        await Deno.copyFile(journal, `${worst}/${name}.journal`);
      }
    }
  }
  if (largest === 0) throw new TypeError("the cycles never left a journal");
  if ((await new FileStore(worst).load(POD)) === undefined) throw new TypeError("no worst case");
  const check = await new FileStore(cycled).load(POD);
  if (JSON.stringify(check) !== JSON.stringify(await new FileStore(fresh).load(POD))) {
    throw new TypeError("the cycled record does not load as the fresh one");
  }
  console.log(
    `record ${
      (await Deno.stat(record)).size
    } B; journal after ${CYCLES} cycles ${await size()} B, ` +
      `at its largest ${largest} B`,
  );
}

// The loads read the pod's files only: the store's cleaning of temporary
// files (which the writers' lock file would start) is the same for all three
// and is left out, so the ratios are those of reading and checking records.
for (const dir of [fresh, cycled]) await Deno.remove(`${dir}/writers.lock`);

Deno.bench("load a fresh record (3 NICs)", { group: "load", baseline: true }, async () => {
  await new FileStore(fresh).load(POD);
});

Deno.bench(`load it after ${CYCLES} NIC add/remove cycles`, { group: "load" }, async () => {
  await new FileStore(cycled).load(POD);
});

Deno.bench("load it with the journal at its largest (just before a fold)", {
  group: "load",
}, async () => {
  await new FileStore(worst).load(POD);
});

addEventListener("unload", () => {
  for (const dir of [fresh, cycled, worst]) Deno.removeSync(dir, { recursive: true });
});
