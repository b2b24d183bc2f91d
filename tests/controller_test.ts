import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import {
  CancelledError,
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidStateError,
  NotFoundError,
  OperationTimeoutError,
  PodnetError,
  ResetError,
  SetupError,
  SnapshotError,
  TeardownError,
  TeardownStepError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import type { ControllerEvent } from "../domain/controller_event.ts";
import { CountingStore } from "./_fakes/counting_store.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { FakeWorld, readFixture } from "./_fakes/fake_ports.ts";
import { destinationEndpointId, migratedFixture } from "./_fakes/migration_fixture.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const hr = () => new HResultError("HcsModifyComputeSystem", 0x80004005);

function world(platform: "lcow" | "wcow" = "lcow") {
  return new FakeWorld(platform).load(fixture);
}

Deno.test("setup binds eth0 first with derived NIC IDs, every step done", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  assert.equal(c.state, "Configured");
  assert.deepEqual(c.bindings.map((b) => b.endpointName), [
    "4f1d0c2b9a7e_eth0",
    "4f1d0c2b9a7e_eth1",
    "4f1d0c2b9a7e_eth2",
  ]);
  const b0 = c.bindings[0];
  assert.ok(b0);
  assert.equal(b0.nicId, deriveNicId("pod-a", EP0));
  assert.equal(b0.macAddress, "00-15-5D-52-C0-0A");
  assert.deepEqual([
    b0.progress["guest-prepare"],
    b0.progress["vm-add"],
    b0.progress["guest-attach"],
  ], ["none", "done", "done"]);
  assert.equal(w.vmNics.size, 3);
  assert.equal(w.guestNics.size, 3);
  // Attach order is eth order: the first attach is eth0's NIC.
  assert.equal(w.calls.find((x) => x.startsWith("attach")), `attach ${b0.nicId}`);
  await c.teardown();
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
  assert.deepEqual(c.bindings, []);
});

Deno.test("teardown runs in reverse attach order: guest detach, then host remove", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  w.calls.length = 0;
  await c.teardown();
  const ids = c.bindings.length === 0 ? [EP0, EP1].map((e) => deriveNicId("pod-a", e)) : [];
  assert.deepEqual(w.calls.slice(0, 2).map((x) => x.split(" ")[0]), ["detach", "removeNic"]);
  assert.equal(w.calls.at(-1), `removeNic ${ids[0]}`, "eth0's NIC goes last");
});

Deno.test("bad construction input throws InvalidArgumentError and no controller exists", () => {
  const ports = world().ports();
  const bad: [unknown, string][] = [
    [{ podId: "", namespaceId: NS }, "podId"],
    [{ podId: "x".repeat(257), namespaceId: NS }, "podId"],
    [{ podId: "a\nb", namespaceId: NS }, "podId"],
    [{ podId: "a\u0000b", namespaceId: NS }, "podId"],
    [{ podId: "\ud800", namespaceId: NS }, "podId"],
    [{ podId: 7, namespaceId: NS }, "podId"],
    [{ podId: "p", namespaceId: "eth0" }, "namespaceId"],
    [{ podId: "p", namespaceId: `{${NS}` }, "namespaceId"],
    [{ podId: "p", namespaceId: NS, policyBasedRouting: "yes" }, "policyBasedRouting"],
    [{ podId: "p", namespaceId: NS, onEvent: "log" }, "onEvent"],
    [{ podId: "p", namespaceId: NS, store: {} }, "store"],
    [{ podId: "p", namespaceId: NS, store: { load() {}, save() {} } }, "store"],
    [{ podId: "p", namespaceId: NS, hostConcurrency: 0 }, "hostConcurrency"],
    [{ podId: "p", namespaceId: NS, hostConcurrency: 1.5 }, "hostConcurrency"],
    [{ podId: "p", namespaceId: NS, hostConcurrency: 65 }, "hostConcurrency"],
    [{ podId: "p", namespaceId: NS, rollbackOnSetupFailure: 1 }, "rollbackOnSetupFailure"],
    [null, "options"],
  ];
  for (const [options, argument] of bad) {
    assert.throws(
      () => new NetworkController(options as never, ports),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
      JSON.stringify(options),
    );
  }
  for (
    const [bad, argument] of [
      [{}, "ports.host"],
      [{ ...ports, vm: { addNic() {} } }, "ports.vm"],
      [{ ...ports, guest: { ...ports.guest, detach: undefined } }, "ports.guest"],
    ] as const
  ) {
    assert.throws(
      () => new NetworkController({ podId: "p", namespaceId: NS }, bad as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
    );
  }
});

Deno.test("podId of 256 characters (astral included) and a braced upper-case GUID are accepted", () => {
  const c = new NetworkController(
    { podId: "😀".repeat(256), namespaceId: `{${NS.toUpperCase()}}` },
    world().ports(),
  );
  assert.equal(c.namespaceId, NS);
});

Deno.test("rollback on: a failed setup undoes everything and says so", async () => {
  const w = world();
  w.fail("attach", hr, 2);
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await assert.rejects(c.setup(), (e: unknown) => {
    assert.ok(e instanceof SetupError);
    assert.equal(e.rolledBack, true);
    assert.ok(e.cause instanceof HResultError);
    assert.equal(e.message, "Cannot set up the network of pod pod-a");
    assert.equal(e.hint, undefined);
    return true;
  });
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("rollback off: a failed setup is Invalid, keeps its bindings, teardown cleans up", async () => {
  const w = world();
  w.fail("addNic", hr, 2);
  const c = new NetworkController(
    { podId: "pod-a", namespaceId: NS, rollbackOnSetupFailure: false },
    w.ports(),
  );
  await assert.rejects(c.setup(), (e: unknown) => e instanceof SetupError && !e.rolledBack);
  assert.equal(c.state, "Invalid");
  assert.equal(c.bindings.length, 2);
  assert.equal(c.bindings[1]?.progress["vm-add"], "none", "the host said no: not done");
  assert.equal(w.vmNics.size, 1);
  await c.teardown();
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("a rollback that fails leaves Invalid; the next teardown finishes", async () => {
  const w = world();
  w.fail("attach", hr, 3);
  w.fail("removeNic", hr, 1);
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await assert.rejects(c.setup(), (e: unknown) => {
    assert.ok(e instanceof SetupError);
    assert.equal(e.rolledBack, false);
    assert.ok(e.rollbackError instanceof TeardownError);
    return true;
  });
  assert.equal(c.state, "Invalid");
  await c.teardown();
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("teardown attempts every NIC and aggregates each failed step", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  w.fail("removeNic", hr, 1).fail("detach", hr, 2);
  await assert.rejects(c.teardown(), (e: unknown) => {
    assert.ok(e instanceof TeardownError);
    assert.ok(e instanceof AggregateError);
    assert.ok(e instanceof PodnetError, "TeardownError is a PodnetError too");
    assert.equal(e.code, "TEARDOWN_FAILED");
    assert.equal(e.errors.length, 2);
    const steps = e.errors.map((x) => [x.step, x.endpointId]);
    assert.deepEqual(steps, [
      ["vm-remove", "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d"],
      ["guest-detach", EP1],
    ]);
    for (const x of e.errors) {
      assert.ok(x instanceof TeardownStepError);
      assert.ok(x.nicId);
      assert.ok(x.cause instanceof HResultError);
    }
    return true;
  });
  assert.equal(c.state, "Invalid");
  assert.equal(w.vmNics.size, 1, "the NIC whose guest detach failed was still hot-removed");
  await c.teardown();
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("WCOW: a pre-add whose host add failed is undone in the guest", async () => {
  const w = world("wcow");
  w.fail("addNic", hr, 1);
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await assert.rejects(c.setup(), SetupError);
  assert.ok(w.calls.includes(`detach ${deriveNicId("pod-a", EP0)}`));
  assert.ok(
    !w.calls.some((x) => x.startsWith("removeNic")),
    "no host remove for a NIC never added",
  );
  assert.ok(w.clean);
  assert.equal(c.state, "TornDown");
});

Deno.test("unknown outcome (timeout after the host acted): the NIC is removed", async () => {
  const w = world();
  w.fail("addNic", () => new OperationTimeoutError("HcsModifyComputeSystem", 10), 1, true);
  const c = new NetworkController(
    { podId: "pod-a", namespaceId: NS, rollbackOnSetupFailure: false },
    w.ports(),
  );
  await assert.rejects(c.setup(), SetupError);
  assert.equal(c.bindings[0]?.progress["vm-add"], "pending");
  await c.teardown();
  assert.ok(w.clean);
});

Deno.test("unknown outcome (timeout, host did nothing): not found counts as done", async () => {
  const w = world();
  w.fail("addNic", () => new OperationTimeoutError("HcsModifyComputeSystem", 10), 1, false);
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await assert.rejects(c.setup(), (e: unknown) => e instanceof SetupError && e.rolledBack);
  assert.ok(w.calls.includes(`removeNic ${deriveNicId("pod-a", EP0)}`));
  assert.equal(c.state, "TornDown");
});

Deno.test("teardown during setup stops setup at its next step, then cleans up", async () => {
  const w = world();
  let release!: () => void;
  w.gate = new Promise((r) => (release = r));
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  const setup = c.setup();
  await new Promise((r) => setTimeout(r, 5));
  const teardown = c.teardown();
  release();
  w.gate = undefined;
  await assert.rejects(setup, (e: unknown) => {
    assert.ok(e instanceof SetupError);
    assert.ok(e.cause instanceof CancelledError);
    return true;
  });
  await teardown;
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
  assert.ok(!w.calls.some((x) => x.startsWith("addNic")), "setup stopped before hot-adding");
});

Deno.test("operations never overlap: a second setup waits, then is rejected", async () => {
  const w = world();
  w.slow = true;
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  const [a, b] = await Promise.allSettled([c.setup(), c.setup()]);
  assert.equal(a.status, "fulfilled");
  assert.equal(b.status, "rejected");
  assert.ok(b.status === "rejected" && b.reason instanceof InvalidStateError);
  assert.equal(w.calls.filter((x) => x.startsWith("addNic")).length, 3);
});

Deno.test("abort stops setup and rolls back", async () => {
  const w = world();
  w.slow = true;
  const ctl = new AbortController();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  const p = c.setup({ signal: ctl.signal });
  setTimeout(() => ctl.abort(new Error("user gave up")), 4);
  await assert.rejects(p, (e: unknown) => e instanceof SetupError && e.rolledBack);
  assert.equal(c.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("an operation aborted before it starts changes nothing", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await assert.rejects(c.setup({ signal: AbortSignal.abort() }), CancelledError);
  assert.equal(c.state, "NotConfigured");
  assert.deepEqual(w.calls, []);
  await c.setup();
  await assert.rejects(c.teardown({ signal: AbortSignal.abort() }), CancelledError);
  assert.equal(c.state, "Configured");
  await assert.rejects(c.save({ signal: AbortSignal.abort() }), CancelledError);
  assert.equal(c.state, "Configured");
});

Deno.test("an aborted teardown stops, stays Invalid, and can be retried", async () => {
  const w = world();
  const ctl = new AbortController();
  const c = new NetworkController({
    podId: "pod-a",
    namespaceId: NS,
    // The operator gives up right after the first NIC is hot-removed.
    onEvent: (e) => {
      if (e.type === "step" && e.step === "vm-remove" && e.phase === "done") ctl.abort();
    },
  }, w.ports());
  await c.setup();
  await assert.rejects(c.teardown({ signal: ctl.signal }), CancelledError);
  assert.equal(c.state, "Invalid");
  assert.equal(w.vmNics.size, 2, "it stopped after the first NIC");
  await c.teardown();
  assert.ok(w.clean);
});

Deno.test("guest gone and VM gone during teardown count as done", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  w.fail("detach", () => new GuestUnavailableError("detach NIC 3f2a", "the guest is gone"), 1);
  w.fail("removeNic", () => new VmUnavailableError("remove NIC 3f2a", "the VM is gone"), 2);
  await c.teardown();
  assert.equal(c.state, "TornDown");
});

Deno.test("a guest-gone error on the host remove step is a real failure", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  w.fail("removeNic", () => new GuestUnavailableError("remove NIC 3f2a", "odd"), 1);
  await assert.rejects(c.teardown(), TeardownError);
});

Deno.test("WCOW: the guest namespace is removed from the document captured at setup", async () => {
  const w = world("wcow");
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  assert.ok(w.guestNamespaces.has(NS));
  w.namespaces.clear();
  await c.teardown();
  assert.ok(w.clean);
  assert.equal(w.calls.at(-1), `removeNamespace ${NS}`);
});

Deno.test("the store records pending before each step and is cleared on TornDown", async () => {
  const w = world();
  const store = new CountingStore();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS, store }, w.ports());
  await c.setup();
  const writes = store.saves + store.appends;
  assert.ok(writes >= 9, `wrote ${writes} times`);
  assert.ok(store.saves < writes, "most writes were the changes alone");
  const s = await store.load("pod-a");
  assert.equal(s?.state, "Configured");
  assert.equal(s?.bindings.length, 3);
  await c.teardown();
  assert.equal(await store.load("pod-a"), undefined);
});

Deno.test("after a crash mid-setup, a new process recovers from the store and cleans up", async () => {
  const w = world();
  const store = new MemoryStore();
  const crash = new Error("process crashed");
  w.fail("addNic", () => crash, 2, true);
  const c = new NetworkController(
    { podId: "pod-a", namespaceId: NS, store, rollbackOnSetupFailure: false },
    w.ports(),
  );
  await assert.rejects(c.setup());
  // What the store holds is what a crash at that call would have left.
  const recorded = await store.load("pod-a");
  assert.ok(recorded);
  assert.equal(recorded.bindings[1]?.progress["vm-add"], "pending");
  const again = NetworkController.recover(recorded, w.ports(), { store });
  assert.equal(again.state, "Invalid");
  await again.teardown();
  assert.ok(w.clean);
  assert.equal(await store.load("pod-a"), undefined);
});

Deno.test("a store that cannot write stops setup before the step", async () => {
  const w = world();
  const store = new MemoryStore();
  let n = 0;
  store.save = () => ++n === 3 ? Promise.reject(new Error("disk full")) : Promise.resolve();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS, store }, w.ports());
  await assert.rejects(c.setup(), SetupError);
  assert.ok(w.clean);
});

Deno.test("snapshot round trip: save, import, patch, resume, teardown", async () => {
  const w = world();
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  const snap = await src.save();
  assert.equal(src.state, "SourceMigrating");
  assert.deepEqual(await src.save(), snap, "the same snapshot again");
  const text = JSON.stringify(snap);
  const dst = NetworkController.import(text);
  assert.equal(dst.state, "DestinationMigrating");
  assert.deepEqual(dst.bindings, src.bindings);
  await dst.patch(NS.toUpperCase());
  assert.equal(dst.namespaceId, NS);
  await dst.resume(w.ports());
  assert.equal(dst.state, "Configured");
  await dst.teardown();
  assert.ok(w.clean);
});

Deno.test("resume on the destination needs ports", async () => {
  const w = world();
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  const dst = NetworkController.import(await src.save());
  await assert.rejects(dst.resume(), InvalidArgumentError);
  assert.equal(dst.state, "DestinationMigrating");
});

Deno.test("patch rejects a non-GUID and changes nothing", async () => {
  const w = world();
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  const dst = NetworkController.import(await src.save());
  await assert.rejects(dst.patch("not-a-guid"), InvalidArgumentError);
  assert.equal(dst.namespaceId, NS);
});

Deno.test("import rejects bad snapshots with SnapshotError", async () => {
  const w = world();
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  const good = JSON.parse(JSON.stringify(await src.save()));
  const text = JSON.stringify(good);
  const variants: [string, unknown][] = [
    ["wrong version", { ...good, schemaVersion: 3 }],
    ["wrong type", { ...good, bindings: "none" }],
    ["truncated", text.slice(0, text.length / 2)],
    ["empty NIC ID", { ...good, bindings: [{ ...good.bindings[0], nicId: "" }] }],
    ["non-GUID ID", { ...good, bindings: [{ ...good.bindings[0], endpointId: "eth0" }] }],
    ["non-GUID namespace", { ...good, namespaceId: "x" }],
    ["unknown field", { ...good, extra: 1 }],
    ["duplicate NIC", { ...good, bindings: [good.bindings[0], good.bindings[0]] }],
    ["not an object", 42],
    ["null", null],
  ];
  for (const [what, value] of variants) {
    assert.throws(() => NetworkController.import(value), SnapshotError, what);
  }
});

/** The destination namespace of the migration tests. */
const NEW = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";

/**
 * A pod set up in `w`, migrated within it: the destination's endpoints
 * loaded, the record imported, patched to NEW and resumed (not yet reset).
 */
async function migrated(w: ReturnType<typeof world>): Promise<NetworkController> {
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  w.load(migratedFixture(fixture, NEW));
  const dst = NetworkController.import(await src.save());
  await dst.patch(NEW);
  await dst.resume(w.ports());
  return dst;
}

for (const platform of ["lcow", "wcow"] as const) {
  Deno.test(`${platform}: resetAfterMigration swaps the source's NICs for the destination's endpoints`, async () => {
    const w = world(platform);
    const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
    await src.setup();
    const sourceNics = src.bindings.map((b) => b.nicId);
    w.load(migratedFixture(fixture, NEW));
    const dst = NetworkController.import(JSON.stringify(await src.save()));
    await dst.patch(NEW);
    assert.equal(dst.destinationNamespaceId, NEW);
    await dst.resume(w.ports());
    w.calls.length = 0;
    await dst.resetAfterMigration();
    assert.equal(dst.state, "Configured");
    assert.equal(dst.destinationNamespaceId, null);
    assert.equal(dst.namespaceId, NS, "the guest keeps the pod's namespace ID");
    const expected = [EP0, EP1, "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d"].map((e) =>
      deriveNicId("pod-a", destinationEndpointId(e))
    );
    assert.deepEqual(dst.bindings.map((b) => b.nicId), expected, "eth0 first");
    assert.deepEqual([...w.vmNics].sort(), [...expected].sort());
    assert.deepEqual([...w.guestNics.keys()].sort(), [...expected].sort());
    for (const id of sourceNics) {
      assert.ok(w.calls.includes(`detach ${id}`) && w.calls.includes(`removeNic ${id}`));
    }
    // The guest namespace is not removed and re-added: the guest keeps it.
    assert.ok(!w.calls.some((c) => c.startsWith("removeNamespace")));
    // Idempotent: a second reset (retried or stray) touches nothing.
    w.calls.length = 0;
    await dst.resetAfterMigration();
    assert.deepEqual(w.calls, []);
    await dst.teardown();
    assert.ok(w.clean);
  });
}

Deno.test("resetAfterMigration without patch() changes nothing", async () => {
  const w = world("wcow");
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await src.setup();
  w.calls.length = 0;
  await src.resetAfterMigration();
  assert.deepEqual(w.calls, []);
  const dst = NetworkController.import(await src.save());
  await dst.resume(w.ports());
  await dst.resetAfterMigration();
  assert.deepEqual(w.calls, []);
  assert.equal(dst.state, "Configured");
});

Deno.test("a failed reset can be retried: it keeps what it finished and binds the rest", async () => {
  const w = world("lcow");
  const dst = await migrated(w);
  // The second destination NIC's hot-add fails.
  w.fail("addNic", hr, 2);
  await assert.rejects(dst.resetAfterMigration(), (e: unknown) => {
    assert.ok(e instanceof ResetError);
    assert.equal(e.code, "RESET_FAILED");
    assert.ok(e.cause instanceof HResultError);
    return true;
  });
  assert.equal(dst.state, "Invalid");
  assert.equal(dst.destinationNamespaceId, NEW, "the destination stays recorded");
  const eth0 = deriveNicId("pod-a", destinationEndpointId(EP0));
  assert.equal(dst.bindings[0]?.nicId, eth0);
  w.calls.length = 0;
  await dst.resetAfterMigration();
  assert.equal(dst.state, "Configured");
  assert.ok(!w.calls.includes(`addNic ${eth0}`), "eth0 was complete and is kept");
  assert.equal(w.vmNics.size, 3);
  assert.equal(dst.bindings.length, 3);
  await dst.teardown();
  assert.ok(w.clean);
});

Deno.test("a failed reset leaks nothing: teardown removes what it added", async () => {
  const w = world("wcow");
  const dst = await migrated(w);
  w.fail("attach", () => new OperationTimeoutError("HcsModifyComputeSystem", 5), 2, true);
  await assert.rejects(dst.resetAfterMigration(), ResetError);
  await dst.teardown();
  assert.equal(dst.state, "TornDown");
  assert.ok(w.clean);
});

Deno.test("a source NIC the migrated VM no longer has counts as gone", async () => {
  const w = world("lcow");
  const dst = await migrated(w);
  w.vmNics.clear(); // the destination VM came without the source's NICs
  w.guestNics.clear();
  await dst.resetAfterMigration();
  assert.equal(dst.state, "Configured");
  assert.equal(w.vmNics.size, 3);
  await dst.teardown();
  assert.ok(w.clean);
});

Deno.test("events report transitions and every step", async () => {
  const w = world();
  const events: ControllerEvent[] = [];
  const c = new NetworkController(
    { podId: "pod-a", namespaceId: NS, onEvent: (e) => events.push(e) },
    w.ports(),
  );
  await c.setup();
  await c.teardown();
  const transitions = events.filter((e) => e.type === "transition").map((e) =>
    e.type === "transition" ? `${e.from}->${e.to}` : ""
  );
  assert.deepEqual(transitions, ["NotConfigured->Configured", "Configured->TornDown"]);
  const adds = events.filter((e) => e.type === "step" && e.step === "vm-add" && e.phase === "done");
  assert.equal(adds.length, 3);
  for (const e of adds) assert.ok(e.type === "step" && e.nicId && e.endpointId);
});

Deno.test("the store follows migration states, so a restarted source knows it was migrating", async () => {
  const w = world();
  const store = new MemoryStore();
  const src = new NetworkController({ podId: "pod-a", namespaceId: NS, store }, w.ports());
  await src.setup();
  await src.save();
  assert.equal((await store.load("pod-a"))?.state, "SourceMigrating");
  const restarted = NetworkController.recover(await store.load("pod-a"), w.ports(), { store });
  assert.equal(restarted.state, "SourceMigrating");
  await restarted.resume();
  assert.equal((await store.load("pod-a"))?.state, "Configured");
  await restarted.teardown();
  assert.ok(w.clean);
  assert.equal(await store.load("pod-a"), undefined);
});

Deno.test("a 'not found' for a NIC known to be added is doubted once, then believed", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  const nic0 = deriveNicId("pod-a", EP0);
  // The host wrongly says the NIC is not there: podnet reports it and asks again.
  w.fail("removeNic", () => new NotFoundError("NIC", nic0), 3);
  await assert.rejects(c.teardown(), (e: unknown) => {
    assert.ok(e instanceof TeardownError);
    assert.equal(e.errors[0]?.nicId, nic0);
    assert.ok(e.errors[0]?.cause instanceof NotFoundError);
    return true;
  });
  assert.equal(c.bindings[0]?.progress["vm-add"], "pending", "its outcome is now unknown");
  assert.ok(w.vmNics.has(nic0), "and the NIC really is still there");
  await c.teardown();
  assert.ok(w.clean);
  // Removed by someone else: the second "not found" is believed.
  const w2 = world();
  const c2 = new NetworkController({ podId: "pod-b", namespaceId: NS }, w2.ports());
  await c2.setup();
  w2.vmNics.clear();
  await assert.rejects(c2.teardown(), TeardownError);
  await c2.teardown();
  assert.equal(c2.state, "TornDown");
});

Deno.test("an undo whose outcome is unknown (timeout) makes the step pending", async () => {
  const w = world();
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, w.ports());
  await c.setup();
  w.fail("removeNic", () => new OperationTimeoutError("HcsModifyComputeSystem", 5), 1, true);
  await assert.rejects(c.teardown(), TeardownError);
  assert.equal(c.bindings.at(-1)?.progress["vm-add"], "pending");
  await c.teardown();
  assert.ok(w.clean);
  assert.equal(c.state, "TornDown");
});

Deno.test("setup does not return while sibling endpoint reads still run", async () => {
  const w = world();
  let open = 0;
  const ports = w.ports();
  const slowHost = {
    getNamespace: ports.host.getNamespace,
    getEndpoint: async (id: string) => {
      open++;
      try {
        if (id === EP1) throw new NotFoundError("endpoint", id);
        await new Promise((r) => setTimeout(r, 10));
        return await ports.host.getEndpoint(id);
      } finally {
        open--;
      }
    },
  };
  const c = new NetworkController({ podId: "pod-a", namespaceId: NS }, {
    ...ports,
    host: slowHost,
  });
  await assert.rejects(c.setup(), SetupError);
  assert.equal(open, 0, "every read had finished");
});

Deno.test("a success the DLL reported but podnet refused leaves the step's outcome unknown", async () => {
  const w = world();
  const refused = () =>
    new HResultError("HcsModifyComputeSystem", 0x80004005, undefined, { reportedSuccess: true });
  w.fail("addNic", refused, 1, true);
  const c = new NetworkController(
    { podId: "pod-a", namespaceId: NS, rollbackOnSetupFailure: false },
    w.ports(),
  );
  await assert.rejects(c.setup(), SetupError);
  assert.equal(c.bindings[0]?.progress["vm-add"], "pending", "not 'nothing happened'");
  await c.teardown();
  assert.ok(w.clean, "the NIC it may have added was removed");
});
