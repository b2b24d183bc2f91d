import assert from "node:assert/strict";
import { COMPUTECORE_SYMBOLS } from "../adapters/ffi/computecore_symbols.ts";
import { KERNEL32_SYMBOLS } from "../adapters/ffi/kernel32_symbols.ts";
import { OLE32_SYMBOLS } from "../adapters/ffi/ole32_symbols.ts";
import { decodeWide, encodeWide } from "../adapters/ffi/wide_string.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { CLEAN_COUNTERS, openStandins, type Standins } from "./native/standins.ts";

// The computecore stand-in's own behaviour, through raw symbols (no binding
// in between): operations completed on its own thread, results as local
// blocks, and the counters the FFI tests rely on.

const VM = "uvm-raw";
const GENERIC_ALL = 0x10000000;
const E_ACCESSDENIED = 0x80070005;
const HCS_E_OPERATION_NOT_STARTED = 0x80370115;
const HCS_E_OPERATION_ALREADY_STARTED = 0x80370116;
const HCS_E_OPERATION_PENDING = 0x80370117;
const HCS_E_OPERATION_TIMEOUT = 0x80370118;
const NIC_ADD = JSON.stringify({
  ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
  RequestType: "Add",
  Settings: { EndpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" },
});

const COMPLETION = {
  parameters: ["pointer", "pointer"],
  result: "void",
} as const satisfies Deno.UnsafeCallbackDefinition;

/** The stand-ins and raw computecore, kernel32 and ole32 symbols. */
async function raw(): Promise<
  {
    standins: Standins;
    cc: Deno.StaticForeignLibraryInterface<typeof COMPUTECORE_SYMBOLS>;
    k32: Deno.StaticForeignLibraryInterface<typeof KERNEL32_SYMBOLS>;
    ole32: Deno.StaticForeignLibraryInterface<typeof OLE32_SYMBOLS>;
    completions: Array<{ operation: bigint; context: bigint }>;
    callback: Deno.UnsafeCallback<typeof COMPLETION>;
    system(): Deno.PointerValue;
    closeSystem(handle: Deno.PointerValue): void;
  } & AsyncDisposable
> {
  const standins = await openStandins("computecore");
  standins.addEndpoint({ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" });
  standins.addSystem(VM, "lcow");
  const cc = Deno.dlopen(standins.paths.computecore ?? "", COMPUTECORE_SYMBOLS);
  const k32 = Deno.dlopen(standins.paths.kernel32 ?? "", KERNEL32_SYMBOLS);
  const ole32 = Deno.dlopen(standins.paths.ole32 ?? "", OLE32_SYMBOLS);
  const completions: Array<{ operation: bigint; context: bigint }> = [];
  const callback = Deno.UnsafeCallback.threadSafe(
    COMPLETION,
    (operation, context) => {
      completions.push({
        operation: Deno.UnsafePointer.value(operation),
        context: Deno.UnsafePointer.value(context),
      });
    },
  );
  const systems = new Set<Deno.PointerValue>();
  return {
    standins,
    cc: cc.symbols,
    k32: k32.symbols,
    ole32: ole32.symbols,
    completions,
    callback,
    system() {
      const slot = new BigUint64Array(1);
      // The open is synchronous in the stand-in: call it blocking here.
      const open = Deno.dlopen(standins.paths.computecore ?? "", {
        HcsOpenComputeSystem: { ...COMPUTECORE_SYMBOLS.HcsOpenComputeSystem, nonblocking: false },
      });
      try {
        assert.equal(open.symbols.HcsOpenComputeSystem(encodeWide(VM), GENERIC_ALL, slot), 0);
      } finally {
        open.close();
      }
      const handle = Deno.UnsafePointer.create(slot[0] ?? 0n);
      systems.add(handle);
      return handle;
    },
    closeSystem(handle) {
      systems.delete(handle);
      cc.symbols.HcsCloseComputeSystem(handle);
    },
    async [Symbol.asyncDispose]() {
      try {
        standins.release("hcs");
        for (const handle of systems) cc.symbols.HcsCloseComputeSystem(handle);
        while (standins.pendingOperations() > 0 || standins.callbacksRunning() > 0) {
          await new Promise((resolve) => setTimeout(resolve, 1));
        }
      } finally {
        callback.close();
        cc.close();
        k32.close();
        ole32.close();
        await standins.close();
      }
    },
  };
}

async function until(condition: () => boolean): Promise<void> {
  const deadline = performance.now() + 5_000;
  while (!condition()) {
    if (performance.now() > deadline) assert.fail("timed out waiting");
    await new Promise((resolve) => setTimeout(resolve, 1));
  }
}

/** Reads a result document (a local block) and frees it with LocalFree. */
function takeLocal(
  k32: Deno.StaticForeignLibraryInterface<typeof KERNEL32_SYMBOLS>,
  slot: BigUint64Array,
): string {
  const pointer = Deno.UnsafePointer.create(slot[0] ?? 0n);
  if (pointer === null) return "";
  const text = decodeWide(pointer, k32.lstrlenW(pointer));
  assert.equal(k32.LocalFree(pointer), null, "LocalFree succeeds");
  return text;
}

Deno.test("computecore stand-in: an operation returns at once and completes on the stand-in's thread after the delay", async () => {
  await using t = await raw();
  const vm = t.system();
  t.standins.setDelay("hcs", "HcsModifyComputeSystem", 60);
  const op = t.cc.HcsCreateOperation(Deno.UnsafePointer.create(42n), t.callback.pointer);
  assert.ok(op !== null);
  const before = performance.now();
  assert.equal(t.cc.HcsModifyComputeSystem(vm, op, encodeWide(NIC_ADD), null), 0);
  // The start returned without the work: the result is not there yet.
  const slot = new BigUint64Array(1);
  assert.equal(t.cc.HcsGetOperationResult(op, slot) >>> 0, HCS_E_OPERATION_PENDING);
  assert.equal(slot[0], 0n);
  assert.equal(t.standins.pendingOperations(), 1);
  await until(() => t.completions.length === 1);
  assert.ok(performance.now() - before >= 55, "completed after the delay");
  assert.deepEqual(t.completions[0], {
    operation: Deno.UnsafePointer.value(op),
    context: 42n,
  });
  assert.equal(t.cc.HcsGetOperationResult(op, slot), 0);
  assert.equal(slot[0], 0n, "a successful modify has no result document");
  assert.equal(t.standins.systemState(VM).Nics.length, 1);
  t.cc.HcsCloseOperation(op);
  assert.deepEqual(t.standins.counters(), { ...CLEAN_COUNTERS, hcsHandles: 1 });
});

Deno.test("computecore stand-in: result documents are local blocks: LocalFree once, a second free or CoTaskMemFree is a bad free", async () => {
  await using t = await raw();
  const vm = t.system();
  // A NULL callback: wait for the result instead.
  const op = t.cc.HcsCreateOperation(null, null);
  assert.ok(op !== null);
  assert.equal(
    t.cc.HcsGetOperationResult(op, new BigUint64Array(1)) >>> 0,
    HCS_E_OPERATION_NOT_STARTED,
  );
  assert.equal(t.cc.HcsGetComputeSystemProperties(vm, op, encodeWide("")), 0);
  const slot = new BigUint64Array(1);
  assert.equal(await t.cc.HcsWaitForOperationResult(op, 5_000, slot), 0);
  assert.equal(t.standins.counters().hcsDocuments, 1);
  const pointer = Deno.UnsafePointer.create(slot[0] ?? 0n);
  assert.ok(pointer !== null);
  assert.equal(decodeWide(pointer, t.k32.lstrlenW(pointer)), `{"Id":"${VM}"}`);
  assert.equal(t.k32.LocalFree(pointer), null);
  assert.equal(t.standins.counters().hcsDocuments, 0);
  assert.notEqual(t.k32.LocalFree(pointer), null, "a second LocalFree fails");
  assert.equal(t.standins.counters().badFrees, 1);
  // Each read of the result is a new document.
  assert.equal(t.cc.HcsGetOperationResult(op, slot), 0);
  assert.equal(takeLocal(t.k32, slot), `{"Id":"${VM}"}`);
  // A local block given to CoTaskMemFree is a bad free, and stays outstanding.
  assert.equal(t.cc.HcsGetOperationResult(op, slot), 0);
  t.ole32.CoTaskMemFree(Deno.UnsafePointer.create(slot[0] ?? 0n));
  assert.equal(t.standins.counters().badFrees, 2);
  assert.equal(t.standins.counters().hcsDocuments, 1);
  takeLocal(t.k32, slot);
  t.cc.HcsCloseOperation(op);
  assert.deepEqual(t.standins.counters(), { ...CLEAN_COUNTERS, hcsHandles: 1, badFrees: 2 });
});

Deno.test("computecore stand-in: a held operation waits; HcsWaitForOperationResult times out; HcsCancelOperation is not implemented", async () => {
  await using t = await raw();
  const vm = t.system();
  t.standins.hold("hcs", "HcsModifyComputeSystem");
  const op = t.cc.HcsCreateOperation(Deno.UnsafePointer.create(7n), t.callback.pointer);
  assert.ok(op !== null);
  assert.equal(t.cc.HcsModifyComputeSystem(vm, op, encodeWide(NIC_ADD), null), 0);
  await t.standins.waitUntilHeld("hcs");
  const slot = new BigUint64Array(1);
  assert.equal((await t.cc.HcsWaitForOperationResult(op, 30, slot)) >>> 0, HCS_E_OPERATION_TIMEOUT);
  assert.equal(t.cc.HcsCancelOperation(op) >>> 0, HRESULT.E_NOTIMPL, "as Microsoft documents");
  // A second start of the same operation is refused (and counted as misuse).
  assert.equal(
    t.cc.HcsModifyComputeSystem(vm, op, encodeWide(NIC_ADD), null) >>> 0,
    HCS_E_OPERATION_ALREADY_STARTED,
  );
  assert.equal(t.completions.length, 0);
  t.standins.release("hcs");
  await until(() => t.completions.length === 1);
  assert.equal(t.cc.HcsGetOperationResult(op, slot), 0);
  t.cc.HcsCloseOperation(op);
  assert.deepEqual(t.standins.counters(), { ...CLEAN_COUNTERS, hcsHandles: 1, hcsMisuse: 1 });
});

Deno.test("computecore stand-in: closing an operation or its compute system while it runs is counted, and no callback fires", async () => {
  await using t = await raw();
  const vm = t.system();
  t.standins.hold("hcs", "HcsGetComputeSystemProperties");
  const op = t.cc.HcsCreateOperation(Deno.UnsafePointer.create(9n), t.callback.pointer);
  assert.ok(op !== null);
  assert.equal(t.cc.HcsGetComputeSystemProperties(vm, op, encodeWide("")), 0);
  await t.standins.waitUntilHeld("hcs");
  t.cc.HcsCloseOperation(op); // while pending: HCS drops the result
  t.closeSystem(vm); // while an operation uses it
  t.standins.release("hcs");
  await until(() => t.standins.pendingOperations() === 0);
  assert.equal(t.completions.length, 0, "the callback of a closed operation is not called");
  assert.deepEqual(t.standins.counters(), {
    ...CLEAN_COUNTERS,
    hcsCallbacksAfterClose: 1,
    hcsClosedWhileBusy: 1,
  });
  // A closed operation is unknown from then on.
  assert.equal(t.cc.HcsGetOperationResult(op, new BigUint64Array(1)) >>> 0, HRESULT.E_HANDLE);
});

Deno.test("computecore stand-in: injected failures: at the start, at completion, after the work; the open asks for GENERIC_ALL", async () => {
  await using t = await raw();
  const vm = t.system();
  const run = async (start: (op: Deno.PointerObject) => number) => {
    const op = t.cc.HcsCreateOperation(null, null);
    assert.ok(op !== null);
    const started = start(op);
    const slot = new BigUint64Array(1);
    const result = started < 0
      ? t.cc.HcsGetOperationResult(op, slot)
      : await t.cc.HcsWaitForOperationResult(op, 5_000, slot);
    t.cc.HcsCloseOperation(op);
    return { started: started >>> 0, result: result >>> 0, document: takeLocal(t.k32, slot) };
  };
  const modify = (op: Deno.PointerObject) =>
    t.cc.HcsModifyComputeSystem(vm, op, encodeWide(NIC_ADD), null);

  t.standins.failStart("HcsModifyComputeSystem", HRESULT.E_INVALIDARG, '{"Error":"refused"}');
  assert.deepEqual(await run(modify), {
    started: HRESULT.E_INVALIDARG,
    result: HRESULT.E_INVALIDARG,
    document: '{"Error":"refused"}',
  });
  t.standins.failNext("hcs", "HcsModifyComputeSystem", HRESULT.E_FAIL, '{"Error":"failed"}');
  assert.deepEqual(await run(modify), {
    started: 0,
    result: HRESULT.E_FAIL,
    document: '{"Error":"failed"}',
  });
  assert.equal(t.standins.systemState(VM).Nics.length, 0, "a failure before the work");
  t.standins.failAfterWork("hcs", "HcsModifyComputeSystem", HRESULT.E_FAIL, '{"Error":"late"}');
  assert.deepEqual(await run(modify), {
    started: 0,
    result: HRESULT.E_FAIL,
    document: '{"Error":"late"}',
  });
  assert.equal(t.standins.systemState(VM).Nics.length, 1, "the work was done");

  const slot = new BigUint64Array(1);
  assert.equal(
    (await t.cc.HcsOpenComputeSystem(encodeWide(VM), 0x80000000, slot)) >>> 0,
    E_ACCESSDENIED,
  );
  assert.equal(slot[0], 0n);
  t.standins.failNext("hcs", "HcsCreateOperation", HRESULT.E_FAIL);
  assert.equal(t.cc.HcsCreateOperation(null, null), null, "out of resources: NULL");
  assert.deepEqual(t.standins.counters(), { ...CLEAN_COUNTERS, hcsHandles: 1 });
});
