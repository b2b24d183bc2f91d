import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { HResultError } from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { openHarness, readFixture } from "./native/standins.ts";

// computecore.dll through the FFI bindings: what only HCS v2 has. Operations
// created per call and always closed, result documents freed with LocalFree
// once, failures at the start and at completion, and a completion callback
// that neither keeps an idle process alive nor is released under HCS.

const VM = "uvm-v2";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC_ADD = JSON.stringify({
  ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
  RequestType: "Add",
  Settings: { EndpointId: EP0 },
});
const E_OUTOFMEMORY = 0x8007000e;

async function harness() {
  const h = await openHarness({ fixture: await readFixture(), libraries: { hcs: "computecore" } });
  h.standins.addSystem(VM, "lcow");
  return h;
}

Deno.test("every call creates its own operation and closes it, whatever the outcome", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  await h.hcs.getComputeSystemProperties(vm, "");
  await h.hcs.modifyComputeSystem(vm, NIC_ADD);
  h.standins.failNext("hcs", "HcsModifyComputeSystem", HRESULT.E_FAIL, '{"Error":-2147467259}');
  await assert.rejects(h.hcs.modifyComputeSystem(vm, NIC_ADD), HResultError);
  h.standins.failStart("HcsGetComputeSystemProperties", HRESULT.E_INVALIDARG);
  await assert.rejects(h.hcs.getComputeSystemProperties(vm, ""), HResultError);
  h.standins.hold("hcs", "HcsGetComputeSystemProperties");
  await assert.rejects(
    h.hcs.getComputeSystemProperties(vm, "", { signal: AbortSignal.timeout(20) }),
    (e: unknown) => e instanceof DOMException && e.name === "TimeoutError",
  );
  h.standins.release("hcs");
  await h.libraries.settled();
  const created = h.standins.callCount("hcs", "HcsCreateOperation");
  assert.equal(created, 5);
  assert.equal(h.standins.callCount("hcs", "HcsCloseOperation"), created);
  // Never waited on a worker thread, never tried to cancel.
  assert.equal(h.standins.callCount("hcs", "HcsWaitForOperationResult"), 0);
  assert.equal(h.standins.callCount("hcs", "HcsCancelOperation"), 0);
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

Deno.test("a start that fails is that failure with the operation's document; nothing waits for it", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  const frees = h.standins.localFrees();
  h.standins.failStart(
    "HcsModifyComputeSystem",
    HRESULT.HCS_E_INVALID_STATE,
    '{"Error":-1070137083,"ErrorMessage":"the VM is pausing"}',
  );
  await assert.rejects(h.hcs.modifyComputeSystem(vm, NIC_ADD), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.call, "HcsModifyComputeSystem");
    assert.equal(e.hresult, HRESULT.HCS_E_INVALID_STATE);
    assert.equal(e.record?.message, "the VM is pausing");
    return true;
  });
  assert.equal(h.standins.localFrees() - frees, 1);
  assert.equal(h.libraries.pending, 0, "no completion is awaited");
  assert.deepEqual(h.standins.systemState(VM).Nics, []);
  // The handle is free again: it closes at once.
  h.hcs.closeComputeSystem(vm);
  assert.equal(h.standins.counters().hcsHandles, 0);
  await h.assertClean();
});

Deno.test("no operation (HcsCreateOperation gives NULL) is E_OUTOFMEMORY, and the handle is let go", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.failNext("hcs", "HcsCreateOperation", HRESULT.E_FAIL);
  await assert.rejects(h.hcs.modifyComputeSystem(vm, NIC_ADD), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.call, "HcsCreateOperation");
    assert.equal(e.hresult, E_OUTOFMEMORY);
    return true;
  });
  assert.equal(h.standins.callCount("hcs", "HcsModifyComputeSystem"), 0);
  h.hcs.closeComputeSystem(vm);
  assert.equal(h.standins.counters().hcsHandles, 0);
  await h.assertClean();
});

Deno.test("HcsGetOperationResult failing is the call's failure; the operation is still closed", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.failNext("hcs", "HcsGetOperationResult", HRESULT.E_HANDLE);
  await assert.rejects(
    h.hcs.getComputeSystemProperties(vm, ""),
    (e: unknown) =>
      e instanceof HResultError && e.hresult === HRESULT.E_HANDLE &&
      e.call === "HcsGetComputeSystemProperties",
  );
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

Deno.test("a result document that cannot be decoded is still freed, and its operation closed", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  const frees = h.standins.localFrees();
  const boom = new RangeError("decoding failed");
  const original = TextDecoder.prototype.decode;
  TextDecoder.prototype.decode = function (): string {
    TextDecoder.prototype.decode = original;
    throw boom;
  };
  try {
    await assert.rejects(h.hcs.getComputeSystemProperties(vm, ""), (e: unknown) => e === boom);
  } finally {
    TextDecoder.prototype.decode = original;
  }
  assert.equal(h.standins.localFrees() - frees, 1);
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

Deno.test("closing the libraries waits for the operations, then releases the callback once HCS has left it", async () => {
  await using h = await harness();
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.setDelay("hcs", "HcsModifyComputeSystem", 50);
  const modify = h.hcs.modifyComputeSystem(vm, NIC_ADD);
  h.hcs.closeComputeSystem(vm);
  const closing = h.libraries.close();
  assert.equal(h.libraries.pending, 1);
  await modify; // the operation completes normally...
  await closing; // ...then the libraries close
  assert.equal(h.standins.systemState(VM).Nics.length, 1);
  assert.equal(h.standins.callbacksRunning(), 0, "no HCS thread is inside the callback");
  await assert.rejects(h.hcs.getComputeSystemProperties(vm, ""), /the libraries were closed/);
  await h.assertClean();
});

Deno.test("the completion callback keeps the process alive only while an operation waits", async () => {
  // A program that makes calls and never closes its libraries must still exit.
  await using h = await harness();
  const script = fileURLToPath(new URL("./native/computecore_exit_probe.ts", import.meta.url));
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--quiet", "--allow-ffi", script, JSON.stringify(h.standins.paths), VM],
    stdout: "piped",
    stderr: "piped",
  }).output();
  const stderr = new TextDecoder().decode(output.stderr);
  assert.ok(output.success, stderr);
  // It waited for its held operation (the callback was referenced then)...
  assert.deepEqual(JSON.parse(new TextDecoder().decode(output.stdout)), {
    properties: { Id: VM },
    waited: true,
  });
  await h.assertClean();
});
