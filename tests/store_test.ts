import assert from "node:assert/strict";
import { FileStore } from "../adapters/store/file_store.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { StoreError } from "../domain/errors.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import type { Snapshot } from "../domain/snapshot.ts";

const EP = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

/** The snapshot of pod `podId`, with its own NIC IDs. */
function snapshotOf(podId: string): Snapshot {
  return {
    ...snapshot,
    podId,
    bindings: snapshot.bindings.map((b) => ({ ...b, nicId: deriveNicId(podId, b.endpointId) })),
  };
}

const snapshot: Snapshot = {
  schemaVersion: 2,
  podId: "default/web-0",
  namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
  destinationNamespaceId: null,
  state: "Configured",
  operation: null,
  policyBasedRouting: false,
  guestNamespace: { progress: "done", document: { ID: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b" } },
  bindings: [{
    nicId: deriveNicId("default/web-0", EP),
    endpointId: EP,
    endpointName: "web-0_eth0",
    macAddress: "00-15-5D-52-C0-0A",
    progress: { "guest-prepare": "none", "vm-add": "done", "guest-attach": "pending" },
  }],
};

Deno.test("file store: save, load, replace, delete", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(`${dir}/state`);
  assert.equal(await store.load(snapshot.podId), undefined);
  await store.save(snapshot);
  assert.deepEqual(await store.load(snapshot.podId), snapshot);
  await store.save({ ...snapshot, state: "Invalid" });
  assert.equal((await store.load(snapshot.podId))?.state, "Invalid");
  const leftovers = [...Deno.readDirSync(`${dir}/state`)].map((e) => e.name);
  assert.equal(leftovers.length, 1, "no temp files left behind");
  assert.ok(leftovers[0]?.endsWith(".json"));
  await store.delete(snapshot.podId);
  await store.delete(snapshot.podId);
  assert.equal(await store.load(snapshot.podId), undefined);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a pod ID with path characters stays inside the directory", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const podId = "../../etc/passwd";
  await store.save(snapshotOf(podId));
  const path = await store.pathOf(podId);
  assert.ok(path.startsWith(`${dir}/`) && !path.slice(dir.length + 1).includes("/"));
  assert.equal((await store.load(podId))?.podId, podId);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: corrupt, truncated or foreign content is an error, never empty", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const path = await store.pathOf(snapshot.podId);
  for (const bad of ["", "{", JSON.stringify(snapshot).slice(0, 40), '{"schemaVersion":9}']) {
    await Deno.writeTextFile(path, bad);
    await assert.rejects(store.load(snapshot.podId), StoreError, JSON.stringify(bad));
  }
  await Deno.writeTextFile(path, JSON.stringify(snapshotOf("other")));
  await assert.rejects(store.load(snapshot.podId), /belongs to pod other/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: an unwritable directory is a StoreError and leaves no temp file", async () => {
  const dir = await Deno.makeTempDir();
  await Deno.writeTextFile(`${dir}/file`, "");
  const store = new FileStore(`${dir}/file/sub`);
  await assert.rejects(store.save(snapshot), StoreError);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("memory store: copies, validation on load, delete", async () => {
  const store = new MemoryStore();
  await store.save(snapshot);
  const a = await store.load(snapshot.podId);
  assert.deepEqual(a, snapshot);
  assert.notEqual(a, snapshot, "a copy, not the same object");
  assert.deepEqual(store.podIds, [snapshot.podId]);
  await store.delete(snapshot.podId);
  assert.equal(await store.load(snapshot.podId), undefined);
});
