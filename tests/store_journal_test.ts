/**
 * The record's journal: between whole writes a store is given only what
 * changed, and what it loads is the record the controller holds, at every
 * step of setup, teardown and a failed setup, for the memory and file
 * stores; a stale or torn journal is recognised.
 */
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { NetworkController } from "../domain/network_controller.ts";
import { applyRecordChanges, type RecordChange } from "../domain/record_change.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import { SnapshotError, StoreError } from "../domain/errors.ts";
import type { Snapshot } from "../domain/snapshot.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { FileStore } from "../adapters/store/file_store.ts";
import { CountingStore } from "./_fakes/counting_store.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { StateStore } from "../ports/state_store.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { podFixture } from "./_fakes/generated_fixture.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP = ["b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d", "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d"];

function base(): Snapshot {
  return {
    schemaVersion: 2,
    podId: "pod-j",
    namespaceId: NS,
    destinationNamespaceId: null,
    state: "NotConfigured",
    operation: "setup",
    policyBasedRouting: false,
    guestNamespace: null,
    bindings: [],
  };
}

function binding(i: number) {
  return {
    nicId: deriveNicId("pod-j", EP[i] ?? ""),
    endpointId: EP[i] ?? "",
    endpointName: `x_eth${i}`,
    progress: { "guest-prepare": "none", "vm-add": "none", "guest-attach": "none" },
  } as const;
}

Deno.test("applyRecordChanges: binds in place, progress, drops, state and namespace", () => {
  const b0 = binding(0);
  const b1 = binding(1);
  const changes: RecordChange[] = [
    { type: "namespace", namespace: { progress: "none", document: { ID: NS } } },
    { type: "bind", after: null, binding: b1 },
    { type: "bind", after: null, binding: b0 }, // eth0 goes before eth1
    { type: "progress", nicId: b0.nicId, step: "vm-add", progress: "pending" },
    { type: "progress", nicId: b0.nicId, step: "vm-add", progress: "done" },
    { type: "namespace-progress", progress: "done" },
    { type: "drop", nicId: b1.nicId },
    { type: "state", state: "Configured", operation: null, destinationNamespaceId: null },
  ];
  const before = base();
  const after = applyRecordChanges(before, changes);
  assert.deepEqual(before.bindings, [], "the snapshot given is not changed");
  assert.equal(after.state, "Configured");
  assert.equal(after.operation, null);
  assert.deepEqual(after.guestNamespace, { progress: "done", document: { ID: NS } });
  assert.deepEqual(after.bindings, [{ ...b0, progress: { ...b0.progress, "vm-add": "done" } }]);
  assert.throws(
    () => applyRecordChanges(before, [{ type: "drop", nicId: b0.nicId }]),
    SnapshotError,
  );
  assert.throws(
    () => applyRecordChanges(before, [{ type: "namespace-progress", progress: "done" }]),
    SnapshotError,
  );
});

/** A store that checks, at every write, that loading gives the controller's record. */
function checking(store: StateStore, controller: () => NetworkController | undefined) {
  let checks = 0;
  const verify = async () => {
    const c = controller();
    if (c === undefined) return;
    const loaded = await store.load(c.podId);
    assert.ok(loaded);
    assert.deepEqual(loaded.bindings, c.bindings);
    checks++;
  };
  const wrapped: StateStore = {
    load: (id) => store.load(id),
    list: () => store.list(),
    delete: (id) => store.delete(id),
    save: async (s) => {
      await store.save(s);
      await verify();
    },
    append: async (id, changes) => {
      await store.append?.(id, changes);
      await verify();
    },
  };
  return { wrapped, checks: () => checks };
}

for (const kind of ["memory", "file"] as const) {
  Deno.test(`${kind} store: what it loads is the controller's record at every write`, async () => {
    const dir = kind === "file" ? await Deno.makeTempDir() : "";
    const store = kind === "file" ? new FileStore(dir) : new MemoryStore();
    const fixture = await readFixture("pod-3nic");
    for (const fault of [undefined, "vm.add-nic"] as const) {
      const host = new SimulatedHost({ guest: "wcow" });
      host.loadFixture(fixture);
      using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "wcow" });
      if (fault) {
        host.faults.inject({ on: fault, nth: 3, action: { type: "hresult", hresult: 0x80004005 } });
      }
      // The checks run once the controller exists (writes start with setup).
      const { wrapped, checks } = checking(store, () => controller);
      const controller: NetworkController = new NetworkController(
        {
          podId: "pod-j",
          namespaceId: fixture.namespace.ID,
          store: wrapped,
          rollbackOnSetupFailure: false,
        },
        ports,
      );
      await controller.setup().catch(() => {});
      await controller.teardown();
      // Steps are written before they start (their outcomes ride along), so
      // a 3-NIC pod makes a handful of writes, fewer when slow ones coalesce.
      assert.ok(checks() >= 4, `${checks()} checks`);
      assert.equal(await store.load("pod-j"), undefined);
    }
    if (dir !== "") await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("file store: a journal left by a crash after a new record was written is ignored", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const s = base();
  await store.save(s);
  await store.append("pod-j", [{ type: "bind", after: null, binding: binding(0) }]);
  assert.equal((await store.load("pod-j"))?.bindings.length, 1);
  const journal = (await store.pathOf("pod-j")).replace(/\.json$/, ".journal");
  const old = await Deno.readTextFile(journal);
  // A new record is written, and the process dies before the old journal goes.
  await store.save({ ...s, state: "Configured", operation: null });
  await Deno.writeTextFile(journal, old);
  const loaded = await store.load("pod-j");
  assert.equal(loaded?.state, "Configured");
  assert.deepEqual(loaded?.bindings, [], "the old journal does not apply to the new record");
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a torn last journal line is ignored; a journal that does not fit is an error", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  await store.save(base());
  await store.append("pod-j", [{ type: "bind", after: null, binding: binding(0) }]);
  const journal = (await store.pathOf("pod-j")).replace(/\.json$/, ".journal");
  await Deno.writeTextFile(journal, '[{"type":"dro', { append: true });
  assert.equal((await store.load("pod-j"))?.bindings.length, 1);
  const lines = (await Deno.readTextFile(journal)).split("\n");
  const bad = JSON.stringify([{ type: "drop", nicId: deriveNicId("pod-j", EP[1] ?? "") }]);
  await Deno.writeTextFile(journal, `${lines[0]}\n${bad}\n`);
  await assert.rejects(store.load("pod-j"), StoreError);
  // A store that never saved the pod cannot append to it.
  await assert.rejects(
    new FileStore(dir).append("pod-j", []),
    (e: unknown) => e instanceof StoreError && /has not saved it/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("a write costs what changed: a 64-NIC setup mostly appends", async () => {
  const fixture = podFixture(64, 5);
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const store = new CountingStore();
  const c = new NetworkController(
    { podId: "big", namespaceId: fixture.namespace.ID, store },
    ports,
  );
  await c.setup();
  assert.ok(store.appends > 64, `${store.appends} appends`);
  assert.ok(store.saves * 32 <= store.appends, `${store.saves} whole saves`);
  assert.deepEqual((await store.load("big"))?.bindings, c.bindings);
  await c.teardown();
});

/** The pod's journal path beside its record. */
async function journalOf(store: FileStore, podId = "pod-j"): Promise<string> {
  return (await store.pathOf(podId)).replace(/\.json$/, ".journal");
}

Deno.test("file store: a record byte changed where it still parses is a StoreError naming its checksum, never a stale journal", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  await store.save({ ...base(), bindings: [binding(0)] });
  await store.append("pod-j", [{
    type: "progress",
    nicId: binding(0).nicId,
    step: "vm-add",
    progress: "pending",
  }]);
  const path = await store.pathOf("pod-j");
  const text = await Deno.readTextFile(path);
  for (
    const changed of [
      text.replace("x_eth0", "x_eth9"),
      text.replace(/"generation":\d+/, '"generation":7'),
    ]
  ) {
    await Deno.writeTextFile(path, changed);
    await assert.rejects(
      new FileStore(dir).load("pod-j"),
      (e: unknown) =>
        e instanceof StoreError && e.message.includes(path) &&
        /line 2: does not match the record's checksum/.test(e.message),
    );
  }
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a journal whose line is unreadable, of the wrong shape, deleted or moved is a StoreError naming the file and line", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  await store.save({ ...base(), bindings: [binding(0)] });
  const nicId = binding(0).nicId;
  for (const step of ["guest-prepare", "vm-add", "guest-attach"] as const) {
    await store.append("pod-j", [{ type: "progress", nicId, step, progress: "done" }]);
  }
  const journal = await journalOf(store);
  const lines = (await Deno.readTextFile(journal)).split("\n");
  const cases: [string, string][] = [
    [[lines[0], "not json at all", lines[2], lines[3], ""].join("\n"), "line 2: does not match"],
    [[lines[0], lines[2], lines[3], ""].join("\n"), "line 2: does not match"],
    [[lines[0], lines[1], lines[3], lines[2], ""].join("\n"), "line 3: does not match"],
    [[lines[0], lines[1], lines[1], lines[2], ""].join("\n"), "line 3: does not match"],
  ];
  for (const [text, message] of cases) {
    await Deno.writeTextFile(journal, text);
    await assert.rejects(
      new FileStore(dir).load("pod-j"),
      (e: unknown) =>
        e instanceof StoreError && e.message.includes(journal) && e.message.includes(message),
      message,
    );
  }
  // The last line torn: the state before it.
  await Deno.writeTextFile(
    journal,
    [lines[0], lines[1], lines[2], lines[3]?.slice(0, 30)].join("\n"),
  );
  assert.deepEqual((await new FileStore(dir).load("pod-j"))?.bindings[0]?.progress, {
    "guest-prepare": "done",
    "vm-add": "done",
    "guest-attach": "none",
  });
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a journal of an older generation is dropped (a rewrite's crash window), of a newer one refused (a record put back)", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const path = await store.pathOf("pod-j");
  const journal = await journalOf(store);
  await store.save(base());
  await store.append("pod-j", [{ type: "bind", after: null, binding: binding(0) }]);
  const [oldRecord, oldJournal] = [await Deno.readTextFile(path), await Deno.readTextFile(journal)];
  // Another process (a store that never saw the pod) writes a new record:
  // its generation follows the files', so the old journal is older.
  await new FileStore(dir).save({ ...base(), state: "Configured", operation: null });
  await Deno.writeTextFile(journal, oldJournal);
  assert.equal((await new FileStore(dir).load("pod-j"))?.state, "Configured");
  // The next write after loading starts the journal afresh.
  const next = new FileStore(dir);
  await next.load("pod-j");
  await next.append("pod-j", [{ type: "bind", after: null, binding: binding(1) }]);
  assert.deepEqual((await new FileStore(dir).load("pod-j"))?.bindings.map((b) => b.endpointName), [
    "x_eth1",
  ]);
  await next.append("pod-j", [{ type: "drop", nicId: binding(1).nicId }]);
  // The old record put back under a newer journal: refused, not guessed.
  await Deno.writeTextFile(path, oldRecord);
  await assert.rejects(
    new FileStore(dir).load("pod-j"),
    (e: unknown) =>
      e instanceof StoreError && /line 1: it extends record generation/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: a pod that changes NICs 500 times keeps a journal no bigger than its record, and loads exactly", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  const running = {
    ...base(),
    state: "Configured" as const,
    operation: null,
    bindings: [binding(0)],
  };
  await store.save(running);
  const path = await store.pathOf("pod-j");
  const journal = await journalOf(store);
  const nicId = binding(1).nicId;
  let largest = 0;
  for (let cycle = 0; cycle < 500; cycle++) {
    await store.append("pod-j", [{ type: "bind", after: binding(0).nicId, binding: binding(1) }]);
    await store.append("pod-j", [{ type: "progress", nicId, step: "vm-add", progress: "done" }]);
    await store.append("pod-j", [{ type: "progress", nicId, step: "vm-add", progress: "none" }]);
    await store.append("pod-j", [{ type: "drop", nicId }]);
    const size = (await Deno.stat(journal).catch(() => ({ size: 0 }))).size;
    largest = Math.max(largest, size);
  }
  const record = (await Deno.stat(path)).size;
  assert.ok(largest <= Math.max(1024, record) + 400, `journal ${largest} B, record ${record} B`);
  assert.deepEqual(await new FileStore(dir).load("pod-j"), running);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: what a load leaves out (a torn last line, a journal of an older record) is logged, never silent", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { memory: (record) => records.push(record) },
    loggers: [
      { category: ["podnet", "store"], sinks: ["memory"], lowestLevel: "info" },
      { category: ["logtape", "meta"], sinks: [], lowestLevel: "warning" },
    ],
    reset: true,
  });
  const dir = await Deno.makeTempDir();
  try {
    const store = new FileStore(dir);
    await store.save(base());
    await store.append("pod-j", [{ type: "bind", after: null, binding: binding(0) }]);
    const journal = await journalOf(store);
    const old = await Deno.readTextFile(journal);
    await Deno.writeTextFile(journal, "0123", { append: true });
    await new FileStore(dir).load("pod-j");
    await new FileStore(dir).save(base());
    await Deno.writeTextFile(journal, old);
    await new FileStore(dir).load("pod-j");
    const said = records.map((r) => `${r.level}: ${r.rawMessage}`);
    assert.equal(said.length, 2, said.join("\n"));
    assert.match(said[0] ?? "", /^warning: Left out the torn last line/);
    assert.match(said[1] ?? "", /^info: Dropped the journal .* it extends record generation/);
    assert.equal(records[1]?.properties.path, journal);
  } finally {
    await reset();
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("file store: a record written before records had checksums still loads, and its next whole write upgrades it", async () => {
  const dir = await Deno.makeTempDir();
  const path = await new FileStore(dir).pathOf("pod-j");
  const old = { ...base(), bindings: [binding(0)] };
  await Deno.writeTextFile(path, JSON.stringify(old));
  const store = new FileStore(dir);
  assert.deepEqual(await store.load("pod-j"), old);
  await store.save({ ...old, state: "Configured", operation: null });
  assert.match(
    await Deno.readTextFile(path),
    /^\{"podnet":"record","generation":1,"sha256":"[0-9a-f]{64}"\}\n/,
  );
  assert.equal((await new FileStore(dir).load("pod-j"))?.state, "Configured");
  // A journal beside an old record is not guessed at.
  await Deno.writeTextFile(path, JSON.stringify(old));
  await Deno.writeTextFile(
    path.replace(/\.json$/, ".journal"),
    `{"base":"${"0".repeat(64)}"}\n[]\n`,
  );
  await assert.rejects(
    new FileStore(dir).load("pod-j"),
    (e: unknown) => e instanceof StoreError && /written by an older podnet/.test(e.message),
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("file store: scan() reports a damaged record with its pod and goes on; list() still refuses it", async () => {
  const dir = await Deno.makeTempDir();
  const store = new FileStore(dir);
  for (const podId of ["pod-a", "pod-j", "pod-z"]) await store.save({ ...base(), podId });
  const path = await store.pathOf("pod-j");
  await Deno.writeTextFile(
    path,
    (await Deno.readTextFile(path)).replace("NotConfigured", "Configured"),
  );
  const entries = await new FileStore(dir).scan();
  assert.deepEqual(entries.filter((e) => e.error === undefined).map((e) => e.podId).sort(), [
    "pod-a",
    "pod-z",
  ]);
  const bad = entries.find((e) => e.error !== undefined);
  assert.equal(bad?.podId, "pod-j", "the pod its file name and content agree on");
  assert.equal(bad?.path, path);
  assert.match(bad?.error?.message ?? "", /checksum/);
  await assert.rejects(new FileStore(dir).list(), StoreError);
  await Deno.remove(dir, { recursive: true });
});
