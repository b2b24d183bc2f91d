import assert from "node:assert/strict";
import { FileStore } from "../adapters/store/file_store.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { InvalidArgumentError, StoreError } from "../domain/errors.ts";
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
  const leftovers = [...Deno.readDirSync(`${dir}/state`)].map((e) => e.name)
    .filter((name) => name !== "writers.lock");
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

Deno.test("file store: a directory that is not a non-empty string is an InvalidArgumentError", () => {
  for (const bad of [undefined, null, 42, "", {}]) {
    assert.throws(
      () => new FileStore(bad as unknown as string),
      (e) => e instanceof InvalidArgumentError && e.argument === "directory",
      String(bad),
    );
  }
});

Deno.test("file store: list() names every pod with a record, sorted, and nothing else", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(`${dir}/state`);
  assert.deepEqual(await store.list(), [], "a missing directory holds no records");
  await store.save(snapshotOf("pod-b"));
  await store.save(snapshotOf("pod-a/x"));
  const lock = await store.tryLock("pod-c");
  await Deno.writeTextFile(`${dir}/state/notes.txt`, "not a record");
  await Deno.writeTextFile(`${dir}/state/${"0".repeat(64)}.host.json`, "{}");
  assert.deepEqual(await store.list(), ["pod-a/x", "pod-b"]);
  await lock?.release();
  await store.delete("pod-b");
  assert.deepEqual(await store.list(), ["pod-a/x"]);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: list() fails on a corrupt record or one under another pod's name, naming the file", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  await store.save(snapshot);
  const path = await store.pathOf(snapshot.podId);
  await Deno.writeTextFile(path, "{");
  await assert.rejects(store.list(), (e) => e instanceof StoreError && e.message.includes(path));
  const other = `${dir}/${"a".repeat(64)}.json`;
  await Deno.writeTextFile(other, JSON.stringify(snapshot));
  await Deno.remove(path);
  await assert.rejects(store.list(), /belongs to pod default\/web-0, whose file has another name/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("memory store: list() names the pods with a record, sorted", async () => {
  const store = new MemoryStore();
  assert.deepEqual(await store.list(), []);
  await store.save(snapshotOf("b"));
  await store.save(snapshotOf("a"));
  assert.deepEqual(await store.list(), ["a", "b"]);
});

Deno.test("file store: tryLock() gives one holder at a time, and again after release", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const other = new FileStore(dir);
  const first = await store.tryLock("pod-a");
  assert.ok(first);
  assert.equal(first.podId, "pod-a");
  assert.equal(await store.tryLock("pod-a"), undefined, "held: the same store");
  assert.equal(await other.tryLock("pod-a"), undefined, "held: another store on the directory");
  const b = await other.tryLock("pod-b");
  assert.ok(b, "another pod is free");
  await first.release();
  await first.release();
  const second = await other.tryLock("pod-a");
  assert.ok(second, "free again after release");
  assert.equal(await store.tryLock("pod-a"), undefined);
  await second.release();
  await b.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a pod's lock file goes away with its last record, and stays while one exists", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const lockPath = (await store.pathOf(snapshot.podId)).replace(/\.json$/, ".lock");
  const names = () => [...Deno.readDirSync(dir)].map((e) => e.name).sort();
  {
    await using lock = await store.tryLock(snapshot.podId);
    assert.ok(lock);
    await store.save(snapshot);
  }
  assert.ok(names().includes(lockPath.slice(dir.length + 1)), "kept: the pod has a record");
  {
    await using lock = await store.tryLock(snapshot.podId);
    assert.ok(lock);
    await store.delete(snapshot.podId);
  }
  if (Deno.build.os !== "windows" && (await Deno.stat(dir)).ino !== null) {
    assert.deepEqual(names(), ["writers.lock"], "no record, no lock file, no temporary file");
  }
  // Someone who opened the old lock file just before it went away cannot
  // get the pod: the next tryLock makes a new file and holds that one.
  const held = await store.tryLock(snapshot.podId);
  assert.ok(held);
  assert.equal(await new FileStore(dir).tryLock(snapshot.podId), undefined);
  await held.release();
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: temporary files of a killed writer are removed on first use and by list()", async () => {
  const dir = await Deno.makeTempDir();
  const writer = new FileStore(dir);
  await writer.save(snapshot);
  const path = await writer.pathOf(snapshot.podId);
  const stale = `${path}.${crypto.randomUUID()}.tmp`;
  const foreign = `${dir}/keep-me.tmp`;
  await Deno.writeTextFile(stale, '{"half":');
  await Deno.writeTextFile(foreign, "");
  const store = new FileStore(dir);
  assert.deepEqual(await store.load(snapshot.podId), snapshot);
  await assert.rejects(Deno.stat(stale), Deno.errors.NotFound, "removed on first use");
  await Deno.writeTextFile(stale, '{"half":');
  assert.deepEqual(await store.list(), [snapshot.podId]);
  await assert.rejects(Deno.stat(stale), Deno.errors.NotFound, "removed by list()");
  await Deno.stat(foreign); // not ours: left alone
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a temporary file is left alone while any writer is at work", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  await store.save(snapshot);
  const temp = `${await store.pathOf(snapshot.podId)}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(temp, "being written");
  // A writer (here, by hand) holds the writers' lock shared while its temporary file exists.
  const writers = await Deno.open(`${dir}/writers.lock`, { read: true, write: true });
  await writers.lock(false);
  assert.equal(await store.removeStaleTemporaryFiles(), 0);
  await Deno.stat(temp);
  await store.save({ ...snapshot, state: "Invalid" }); // other writers go on meanwhile
  writers.close(); // closing releases the lock (Wine refuses Deno's unlock)
  assert.equal(await store.removeStaleTemporaryFiles(), 1);
  await assert.rejects(Deno.stat(temp), Deno.errors.NotFound);
  assert.equal((await store.load(snapshot.podId))?.state, "Invalid");
  await Deno.remove(dir, { recursive: true });
});
