import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  NotFoundError,
  OperationTimeoutError,
  PodnetError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { HcsVmNetwork } from "../adapters/hcs/hcs_vm_network.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { RecordingHcs } from "./_fakes/recording_apis.ts";

const DOC = { ResourcePath: "VirtualMachine/Devices/NetworkAdapters/x", RequestType: "Add" };

Deno.test("ComputeSystem opens lazily, once, and sends the document text", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  assert.deepEqual(hcs.callNames(), []);
  assert.equal(system.hasHandle, false);
  await system.modify(DOC, "do one");
  await system.modify({ B: 2 }, "do two");
  assert.deepEqual(hcs.callNames(), [
    "HcsOpenComputeSystem",
    "HcsModifyComputeSystem",
    "HcsModifyComputeSystem",
  ]);
  assert.deepEqual(hcs.calls[0]?.args, ["uvm-test"]);
  assert.equal(hcs.calls[1]?.args[0], JSON.stringify(DOC));
  assert.equal(hcs.openHandles, 1);
});

Deno.test("ComputeSystem: concurrent first uses share one open", async () => {
  const hcs = new RecordingHcs();
  let release = (): void => {};
  hcs.script("HcsOpenComputeSystem", { gate: new Promise<void>((r) => (release = r)) });
  using system = new ComputeSystem(hcs, "uvm-test");
  const calls = [
    system.modify({ A: 1 }, "a"),
    system.modify({ B: 1 }, "b"),
    system.properties({}, "c"),
  ];
  await Promise.resolve();
  release();
  await Promise.all(calls);
  assert.equal(hcs.opened, 1);
  assert.equal(hcs.callNames().filter((n) => n === "HcsOpenComputeSystem").length, 1);
});

Deno.test("ComputeSystem: close() and dispose close the handle once", async () => {
  const hcs = new RecordingHcs();
  {
    using system = new ComputeSystem(hcs, "uvm-test");
    await system.modify(DOC, "x");
    assert.equal(hcs.openHandles, 1);
    system.close();
    system.close();
    assert.equal(hcs.openHandles, 0);
    assert.equal(system.closed, true);
  }
  assert.equal(hcs.callNames().filter((n) => n === "HcsCloseComputeSystem").length, 1);
});

Deno.test("ComputeSystem: a call after close() is rejected and sends nothing", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test");
  system.close();
  await assert.rejects(system.modify(DOC, "attach NIC 1"), (e: unknown) => {
    assert.ok(e instanceof PodnetError);
    assert.equal(e.code, "INVALID_STATE");
    assert.match(
      e.message,
      /^Cannot attach NIC 1: the compute system handle of VM uvm-test is closed$/,
    );
    return true;
  });
  assert.deepEqual(hcs.callNames(), []);
});

Deno.test("ComputeSystem: VM gone, confirmed by a fresh look, is VmUnavailableError and drops the handle", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  await system.modify(DOC, "add NIC 3f2a");
  hcs.vmState = "Stopped";
  hcs.script("HcsModifyComputeSystem", { fail: HRESULT.HCS_E_SYSTEM_NOT_FOUND });
  await assert.rejects(system.modify(DOC, "remove NIC 3f2a"), (e: unknown) => {
    assert.ok(e instanceof VmUnavailableError);
    assert.equal(e.code, "VM_UNAVAILABLE");
    assert.equal(e.message, "Cannot remove NIC 3f2a: the VM is gone");
    assert.ok(e.cause instanceof HResultError);
    assert.equal(e.cause.hresult, HRESULT.HCS_E_SYSTEM_NOT_FOUND);
    return true;
  });
  assert.equal(hcs.openHandles, 0);
  assert.equal(system.hasHandle, false);
  assert.ok(hcs.callNames().filter((c) => c === "HcsOpenComputeSystem").length >= 2, "it looked");
});

Deno.test("ComputeSystem: a VM-gone code from a VM a fresh look finds running is not believed", async () => {
  for (const state of ["Running", "Paused"] as const) {
    const hcs = new RecordingHcs();
    hcs.vmState = state;
    using system = new ComputeSystem(hcs, "uvm-test");
    hcs.script("HcsModifyComputeSystem", { fail: HRESULT.HCS_E_INVALID_STATE });
    await assert.rejects(system.modify(DOC, "remove NIC 3f2a"), (e: unknown) => {
      assert.ok(e instanceof HResultError, String(e));
      assert.equal(e.hresult, HRESULT.HCS_E_INVALID_STATE);
      return true;
    });
    assert.equal(hcs.openHandles, 0, "the fresh look's handle is closed, the old one dropped");
    await system.modify(DOC, "again");
    assert.equal(hcs.openHandles, 1, "the next call opens a new handle");
  }
});

Deno.test("ComputeSystem: every VM-gone code, and an invalid handle, is believed once confirmed", async () => {
  for (
    const code of [
      HRESULT.HCS_E_SYSTEM_NOT_FOUND,
      HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED,
      HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED_WARNING,
      HRESULT.HCS_E_INVALID_STATE,
      HRESULT.HCS_E_UNEXPECTED_EXIT,
      HRESULT.E_HANDLE,
    ]
  ) {
    for (const state of ["Stopped", "Running"] as const) {
      const hcs = new RecordingHcs();
      using system = new ComputeSystem(hcs, "uvm-test");
      await system.properties({}, "open");
      hcs.vmState = state;
      hcs.script("HcsGetComputeSystemProperties", { fail: code });
      await assert.rejects(
        system.properties({}, "read"),
        state === "Stopped" ? VmUnavailableError : HResultError,
        `code ${code}, VM ${state}`,
      );
      assert.equal(hcs.openHandles, 0, `handle dropped for ${code}`);
    }
  }
});

Deno.test("ComputeSystem: guest-gone codes are GuestUnavailableError once a fresh look confirms them", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  hcs.guestConnected = false;
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.HCS_E_CONNECTION_CLOSED },
    { fail: HRESULT.HCS_E_CONNECT_FAILED },
  );
  await assert.rejects(system.modify(DOC, "detach NIC 1"), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, "Cannot detach NIC 1: the guest connection is closed");
    assert.ok(e.cause instanceof HResultError);
    return true;
  });
  await assert.rejects(system.modify(DOC, "detach NIC 1"), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, "Cannot detach NIC 1: the guest connection was never made");
    return true;
  });
  assert.equal(hcs.openHandles, 1, "a gone guest does not drop the VM handle");
  // A guest a fresh look finds connected is not gone: the step failed.
  hcs.guestConnected = true;
  hcs.script("HcsModifyComputeSystem", { fail: HRESULT.HCS_E_CONNECTION_CLOSED });
  await assert.rejects(
    system.modify(DOC, "detach NIC 1"),
    (e: unknown) => e instanceof HResultError && e.hresult === HRESULT.HCS_E_CONNECTION_CLOSED,
  );
});

Deno.test("ComputeSystem: not found is NotFoundError only when the caller names the target", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.ERROR_NOT_FOUND },
    { fail: HRESULT.ERROR_NOT_FOUND },
  );
  await assert.rejects(
    system.modify(DOC, "remove NIC 1", { notFound: { kind: "NIC", id: "1" } }),
    (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.kind, "NIC");
      assert.equal(e.id, "1");
      assert.ok(e.cause instanceof HResultError);
      return true;
    },
  );
  await assert.rejects(system.modify(DOC, "add"), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.ERROR_NOT_FOUND);
    return true;
  });
});

Deno.test("ComputeSystem: other HRESULTs pass through unchanged", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  hcs.script("HcsModifyComputeSystem", {
    fail: HRESULT.HCS_E_INVALID_JSON,
    record: '{"Error":-1070137075,"ErrorMessage":"bad json"}',
  });
  await assert.rejects(system.modify(DOC, "x"), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.call, "HcsModifyComputeSystem");
    assert.equal(e.hex, "0xC037010D");
    assert.equal(e.record?.message, "bad json");
    return true;
  });
  assert.equal(hcs.openHandles, 1);
});

Deno.test("ComputeSystem: an unknown VM is VmUnavailableError and a failed open is retried", async () => {
  const hcs = new RecordingHcs({ vmId: "other" });
  using system = new ComputeSystem(hcs, "uvm-missing");
  await assert.rejects(system.modify(DOC, "add NIC 1"), (e: unknown) => {
    assert.ok(e instanceof VmUnavailableError);
    assert.equal(e.message, "Cannot add NIC 1: the VM is gone");
    return true;
  });
  const hcs2 = new RecordingHcs();
  using system2 = new ComputeSystem(hcs2, "uvm-test");
  hcs2.script("HcsOpenComputeSystem", { fail: HRESULT.ERROR_FILE_NOT_FOUND });
  await assert.rejects(system2.modify(DOC, "x"), VmUnavailableError);
  await system2.modify(DOC, "x");
  assert.deepEqual(hcs2.callNames(), [
    "HcsOpenComputeSystem",
    "HcsOpenComputeSystem",
    "HcsModifyComputeSystem",
  ]);
});

Deno.test("ComputeSystem: a hanging call times out with OperationTimeoutError", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 30 });
  hcs.script("HcsModifyComputeSystem", { hang: true });
  await assert.rejects(system.modify(DOC, "attach NIC 1"), (e: unknown) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.timeoutMs, 30);
    assert.equal(e.message, "Cannot attach NIC 1: timed out after 30 ms");
    return true;
  });
  system.close();
  assert.equal(hcs.openHandles, 0);
});

Deno.test("ComputeSystem: a hanging open times out too", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 30 });
  hcs.script("HcsOpenComputeSystem", { hang: true });
  await assert.rejects(system.modify(DOC, "x"), OperationTimeoutError);
  assert.equal(hcs.openHandles, 0);
});

Deno.test("ComputeSystem: the caller's abort rejects with its reason", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  const pre = new AbortController();
  pre.abort(new Error("stop before"));
  await assert.rejects(system.modify(DOC, "x", { signal: pre.signal }), /stop before/);
  assert.deepEqual(hcs.callNames(), []);

  hcs.script("HcsModifyComputeSystem", { hang: true });
  const during = new AbortController();
  const call = system.modify(DOC, "x", { signal: during.signal });
  setTimeout(() => during.abort(new Error("stop during")), 5);
  await assert.rejects(call, /stop during/);
});

Deno.test("ComputeSystem: close() during a call closes the handle when the call settles", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test");
  let release = (): void => {};
  await system.modify(DOC, "open it");
  hcs.script("HcsModifyComputeSystem", { gate: new Promise<void>((r) => (release = r)) });
  const call = system.modify(DOC, "slow");
  await new Promise((r) => setTimeout(r, 0));
  system.close();
  assert.equal(hcs.openHandles, 1, "still in use");
  release();
  await call;
  assert.equal(hcs.openHandles, 0);
});

Deno.test("ComputeSystem.properties parses the answer; malformed answers are InvalidHostDataError", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  const props = await system.properties({ PropertyTypes: ["GuestConnection"] }, "read");
  assert.equal(props.Id, "uvm-test");
  assert.deepEqual(hcs.propertyQueries(), [{ PropertyTypes: ["GuestConnection"] }]);
  hcs.script("HcsGetComputeSystemProperties", { result: "{not json" }, { result: "[1]" });
  await assert.rejects(system.properties({}, "read"), (e: unknown) => {
    assert.ok(e instanceof InvalidHostDataError);
    assert.equal(e.field, "document");
    return true;
  });
  await assert.rejects(system.properties({}, "read"), InvalidHostDataError);
});

Deno.test("ComputeSystem rejects an empty VM ID and a bad time limit", () => {
  const hcs = new RecordingHcs();
  assert.throws(() => new ComputeSystem(hcs, ""), InvalidArgumentError);
  assert.throws(() => new ComputeSystem(hcs, "uvm", { timeoutMs: 0 }), InvalidArgumentError);
  assert.throws(
    () => new ComputeSystem(hcs, "uvm", { timeoutMs: Number.NaN }),
    InvalidArgumentError,
  );
  assert.equal(new ComputeSystem(hcs, "uvm").timeoutMs, 30_000);
});

const ADD = {
  ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
  RequestType: "Add",
};
const REMOVE = { ...ADD, RequestType: "Remove" };

function later(ms = 20): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

/** A modify that the fake keeps "running" after its caller gives up, until `finish()`. */
function straggler(hcs: RecordingHcs): () => void {
  let finish = (): void => {};
  hcs.script("HcsModifyComputeSystem", { straggle: new Promise<void>((r) => (finish = r)) });
  return () => finish();
}

/** Sends ADD (held by a straggler script), then its caller gives up on it. */
async function abandonAdd(system: ComputeSystem): Promise<void> {
  const caller = new AbortController();
  const add = system.modify(ADD, "add NIC 0f1e", { signal: caller.signal });
  await later(5);
  caller.abort(new Error("gave up"));
  await assert.rejects(add, /gave up/);
}

Deno.test("ComputeSystem: a modify is not sent until an abandoned modify has finished", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  const finish = straggler(hcs);
  await abandonAdd(system);
  assert.equal(system.stragglers, 1);

  let removed = false;
  const remove = system.modify(REMOVE, "remove NIC 0f1e").then(() => (removed = true));
  await later();
  assert.deepEqual(hcs.modifyDocuments(), [ADD], "the remove waits for the late add");
  assert.equal(removed, false);
  finish();
  await remove;
  assert.deepEqual(hcs.modifyDocuments(), [ADD, REMOVE]);
  assert.equal(system.stragglers, 0);
});

Deno.test("ComputeSystem: a modify whose time limit passes while it waits fails and is never sent", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 30 });
  const finish = straggler(hcs);
  await assert.rejects(system.modify(ADD, "add NIC 0f1e"), OperationTimeoutError);
  assert.equal(system.stragglers, 1);
  await assert.rejects(system.modify(REMOVE, "remove NIC 0f1e"), (e: unknown) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.message, "Cannot remove NIC 0f1e: timed out after 30 ms");
    return true;
  });
  // The caller's own abort while waiting: its reason, and nothing sent either.
  const caller = new AbortController();
  const aborted = system.modify(REMOVE, "remove NIC 0f1e", { signal: caller.signal });
  caller.abort(new Error("stop waiting"));
  await assert.rejects(aborted, /stop waiting/);
  assert.deepEqual(hcs.modifyDocuments(), [ADD]);

  finish();
  await later(0);
  assert.equal(system.stragglers, 0);
  await system.modify(REMOVE, "remove NIC 0f1e");
  assert.deepEqual(hcs.modifyDocuments(), [ADD, REMOVE]);
});

Deno.test("ComputeSystem: property reads do not wait for an abandoned modify", async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 30 });
  const finish = straggler(hcs);
  await assert.rejects(system.modify(ADD, "add NIC 0f1e"), OperationTimeoutError);
  const props = await system.properties({ PropertyTypes: ["GuestConnection"] }, "read");
  assert.equal(props.Id, "uvm-test");
  finish();
});

Deno.test("ComputeSystem: close() keeps the handle until an abandoned call has finished; a waiting modify is dropped", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 1_000 });
  const finish = straggler(hcs);
  await abandonAdd(system);
  const waiting = system.modify(REMOVE, "remove NIC 0f1e");
  await later(5);
  system.close();
  assert.equal(hcs.openHandles, 1, "the late add still uses the handle");
  finish();
  await assert.rejects(waiting, (e: unknown) => {
    assert.ok(e instanceof PodnetError);
    assert.equal(e.code, "INVALID_STATE");
    return true;
  });
  await later(0);
  assert.equal(hcs.openHandles, 0);
  assert.deepEqual(hcs.modifyDocuments(), [ADD]);
  assert.equal(hcs.callNames().filter((n) => n === "HcsCloseComputeSystem").length, 1);
});

Deno.test("a caller that joined an open which then ran out of time opens afresh", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.faults.inject({ on: "HcsOpenComputeSystem", action: { type: "hang" } });
  using system = new ComputeSystem(host.hcs, host.vmId, { timeoutMs: 300 });
  const vm = new HcsVmNetwork(system);
  const nic = {
    nicId: "9e83eed9-564c-5672-bac9-0c218d6506f0",
    endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
  };
  // The first caller starts the open that hangs; the second joins it later,
  // when the first open has half its time left (wide margins: the suite runs
  // in parallel on few cores, and a late timer must not turn the join into a
  // plain second open, which would pass without testing the join).
  let firstSettled = false;
  const first = vm.removeNic(nic).catch((e) => e).finally(() => (firstSettled = true));
  await later(150);
  assert.equal(firstSettled, false, "the second caller must join the pending open");
  assert.equal(system.hasHandle, false);
  const second = await vm.removeNic(nic).catch((e) => e);
  assert.ok((await first) instanceof OperationTimeoutError);
  assert.ok(second instanceof NotFoundError, `the second caller reached the VM: ${second}`);
  assert.deepEqual(
    host.trace.filter((t) => t.op === "HcsOpenComputeSystem").map((t) => t.outcome),
    [
      "hang",
      "ok",
    ],
  );
});

/** Settles `promise` into "ok", its rejection, or "pending" after `ms`. */
function settleWithin(promise: Promise<unknown>, ms: number): Promise<unknown> {
  return Promise.race([
    promise.then(() => "ok", (e: unknown) => e),
    later(ms).then(() => "pending"),
  ]);
}

function isClosedError(e: unknown): boolean {
  return e instanceof PodnetError && e.code === "INVALID_STATE" && /is closed$/.test(e.message);
}

Deno.test("ComputeSystem: a call made just before close() is never sent after it", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test");
  await system.modify(ADD, "open it");
  const modify = system.modify(REMOVE, "remove NIC 0f1e");
  const read = system.properties({ PropertyTypes: ["GuestConnection"] }, "read");
  system.close();
  assert.ok(isClosedError(await settleWithin(modify, 1_000)));
  assert.ok(isClosedError(await settleWithin(read, 1_000)));
  assert.deepEqual(hcs.modifyDocuments(), [ADD]);
  assert.deepEqual(hcs.propertyQueries(), []);
  assert.equal(hcs.openHandles, 0);
});

Deno.test("ComputeSystem: close() fails a modify waiting for an abandoned one at once", async () => {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 10_000 });
  const finish = straggler(hcs);
  await abandonAdd(system);
  const waiting = system.modify(REMOVE, "remove NIC 0f1e");
  await later(5);
  system.close();
  // Not after the straggler, nor after the 10 s limit: at once.
  assert.ok(isClosedError(await settleWithin(waiting, 1_000)));
  assert.equal(hcs.openHandles, 1, "the late add still uses the handle");
  finish();
  await later(0);
  assert.equal(hcs.openHandles, 0);
  assert.deepEqual(hcs.modifyDocuments(), [ADD]);
});

Deno.test("ComputeSystem: close() fails a call waiting for the open at once; the late handle is closed", async () => {
  const hcs = new RecordingHcs();
  let release = (): void => {};
  hcs.script("HcsOpenComputeSystem", { gate: new Promise<void>((r) => (release = r)) });
  const system = new ComputeSystem(hcs, "uvm-test", { timeoutMs: 10_000 });
  const waiting = system.modify(ADD, "add NIC 0f1e");
  await later(5);
  system.close();
  assert.ok(isClosedError(await settleWithin(waiting, 1_000)));
  release();
  await later(0);
  assert.equal(hcs.opened, 1);
  assert.equal(hcs.openHandles, 0, "the handle that came after close() was closed");
  assert.deepEqual(hcs.modifyDocuments(), []);
});
