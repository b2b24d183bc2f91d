import assert from "node:assert/strict";
import { HResultError } from "../domain/errors.ts";
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { FfiComputecoreApi } from "../adapters/ffi/ffi_computecore_api.ts";
import { FfiHcsApi } from "../adapters/ffi/ffi_hcs_api.ts";
import { WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import type { HcnNamespaceHandle } from "../adapters/dll/hcn_api.ts";
import { guidBytes } from "../adapters/ffi/guid_layout.ts";
import { encodeWide } from "../adapters/ffi/wide_string.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { HCS_LIBRARIES, openHarness, openStandins, readFixture } from "./native/standins.ts";

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const VM = "uvm-handles";

function isHResult(code: number, call: string) {
  return (e: unknown): boolean =>
    e instanceof HResultError && e.hresult === code && e.call === call;
}

Deno.test("the stand-in refuses a handle after close, as the DLL does", async () => {
  // Raw symbols, no binding in between: this is the stand-in's own behaviour.
  await using standins = await openStandins();
  standins.seed(fixture);
  const lib = Deno.dlopen(standins.paths.computenetwork ?? "", COMPUTENETWORK_SYMBOLS);
  const ole32 = Deno.dlopen(standins.paths.ole32 ?? "", {
    CoTaskMemFree: { parameters: ["pointer"], result: "void" },
  });
  try {
    const handle = new BigUint64Array(1);
    const record = new BigUint64Array(1);
    assert.equal(await lib.symbols.HcnOpenNamespace(guidBytes(NS), handle, record), 0);
    const pointer = Deno.UnsafePointer.create(handle[0] ?? 0n);
    assert.equal(lib.symbols.HcnCloseNamespace(pointer), 0);
    assert.equal(lib.symbols.HcnCloseNamespace(pointer) >>> 0, HRESULT.E_HANDLE);
    const properties = new BigUint64Array(1);
    const hr = await lib.symbols.HcnQueryNamespaceProperties(
      pointer,
      encodeWide(QUERY),
      properties,
      record,
    );
    assert.equal(hr >>> 0, HRESULT.E_HANDLE);
    assert.equal(properties[0], 0n);
    assert.notEqual(record[0], 0n);
    ole32.symbols.CoTaskMemFree(Deno.UnsafePointer.create(record[0] ?? 0n));
    await standins.assertClean();
  } finally {
    lib.close();
    ole32.close();
  }
});

Deno.test("closing twice and using a closed handle fail with E_HANDLE, without calling the DLL", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  h.hcn.closeNamespace(handle);
  const closes = h.standins.callCount("hcn", "HcnCloseNamespace");
  assert.throws(
    () => h.hcn.closeNamespace(handle),
    isHResult(HRESULT.E_HANDLE, "HcnCloseNamespace"),
  );
  await assert.rejects(
    h.hcn.queryNamespaceProperties(handle, QUERY),
    isHResult(HRESULT.E_HANDLE, "HcnQueryNamespaceProperties"),
  );
  assert.equal(h.standins.callCount("hcn", "HcnCloseNamespace"), closes);
  assert.equal(h.standins.callCount("hcn", "HcnQueryNamespaceProperties"), 0);
  await h.assertClean();
});

Deno.test("a handle of another API instance, or of the other kind, is not accepted", async () => {
  await using h = await openHarness();
  const other = new FfiHcnApi(h.libraries);
  const namespace = await h.hcn.openNamespace(NS);
  const endpoint = await h.hcn.openEndpoint(EP0);
  await assert.rejects(other.queryNamespaceProperties(namespace, QUERY), HResultError);
  assert.throws(() => other.closeNamespace(namespace), HResultError);
  await assert.rejects(
    h.hcn.queryNamespaceProperties(endpoint as unknown as HcnNamespaceHandle, QUERY),
    isHResult(HRESULT.E_HANDLE, "HcnQueryNamespaceProperties"),
  );
  h.hcn.closeNamespace(namespace);
  h.hcn.closeEndpoint(endpoint);
  await h.assertClean();
});

Deno.test("a handle closed while a query runs is closed when the query returns", async () => {
  await using h = await openHarness();
  h.standins.setDelay("hcn", "HcnQueryEndpointProperties", 150);
  const handle = await h.hcn.openEndpoint(EP0);
  const query = h.hcn.queryEndpointProperties(handle, QUERY);
  h.hcn.closeEndpoint(handle);
  // Not yet: the DLL is still using it.
  assert.equal(h.standins.counters().hcnHandles, 1);
  assert.equal(JSON.parse(await query).ID, EP0);
  assert.equal(h.standins.counters().hcnHandles, 0);
  assert.equal(h.standins.callCount("hcn", "HcnCloseEndpoint"), 1);
  await h.assertClean();
});

Deno.test("a close the DLL refuses still counts as closed; the handle is not retried", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  h.standins.failNext("hcn", "HcnCloseNamespace", HRESULT.E_FAIL);
  h.hcn.closeNamespace(handle); // never throws for an open handle
  assert.throws(() => h.hcn.closeNamespace(handle), HResultError);
  assert.equal(h.standins.callCount("hcn", "HcnCloseNamespace"), 1);
  await h.assertClean();
});

for (const library of HCS_LIBRARIES) {
  Deno.test(`${library}: closing the libraries closes the handles still open, then refuses new calls`, async () => {
    await using standins = await openStandins(library);
    standins.seed(fixture);
    standins.addSystem(VM, "wcow");
    const libraries = new WindowsLibraries(standins.paths);
    const hcn = new FfiHcnApi(libraries);
    const hcs = library === "computecore"
      ? new FfiComputecoreApi(libraries)
      : new FfiHcsApi(libraries);
    await hcn.openNamespace(NS);
    await hcn.openEndpoint(EP0);
    await hcs.openComputeSystem(VM);
    assert.equal(libraries.openHandles, 3);
    assert.deepEqual(
      [standins.counters().hcnHandles, standins.counters().hcsHandles],
      [2, 1],
    );
    await libraries.close();
    assert.equal(libraries.openHandles, 0);
    await standins.assertClean();
    await assert.rejects(hcn.openNamespace(NS), /the libraries were closed/);
    await assert.rejects(hcs.openComputeSystem(VM), /the libraries were closed/);
  });
}

Deno.test("closing the libraries waits for calls still running on worker threads", async () => {
  await using standins = await openStandins();
  standins.seed(fixture);
  const libraries = new WindowsLibraries(standins.paths);
  const hcn = new FfiHcnApi(libraries);
  standins.setDelay("hcn", "HcnOpenEndpoint", 100);
  const opening = hcn.openEndpoint(EP0);
  assert.equal(libraries.pending, 1);
  const closed = libraries.close();
  const handle = await opening; // the call finishes normally...
  await closed; // ...then the libraries close, and its handle with them
  assert.ok(handle.hcnEndpoint);
  assert.equal(libraries.pending, 0);
  await standins.assertClean();
});

/**
 * Makes the next `TextDecoder#decode` call throw `error` (the decoding of a
 * returned string failing, as it would when out of memory). Returns the
 * restore function, for a `finally`.
 */
function failNextDecode(error: Error): () => void {
  const original = TextDecoder.prototype.decode;
  const restore = (): void => {
    TextDecoder.prototype.decode = original;
  };
  TextDecoder.prototype.decode = function (): string {
    restore();
    throw error;
  };
  return restore;
}

Deno.test("an open whose error record cannot be decoded closes its handle and frees the record", async () => {
  await using h = await openHarness({ libraries: { hcs: "vmcompute" } });
  h.standins.addSystem(VM, "lcow");
  const cases = [
    { api: "hcn", fn: "HcnOpenNamespace", open: () => h.hcn.openNamespace(NS) },
    { api: "hcn", fn: "HcnOpenEndpoint", open: () => h.hcn.openEndpoint(EP0) },
    { api: "hcs", fn: "HcsOpenComputeSystem", open: () => h.hcs.openComputeSystem(VM) },
  ] as const;
  for (const { api, fn, open } of cases) {
    // The DLL opens the handle and attaches a record (a success code with a record).
    h.standins.failNext(api, fn, 0, '{"Error":"half done"}');
    const frees = h.standins.frees();
    const boom = new RangeError("decoding failed");
    const restore = failNextDecode(boom);
    try {
      await assert.rejects(open(), (e: unknown) => e === boom);
    } finally {
      restore();
    }
    assert.equal(h.standins.frees() - frees, 1, `${fn}: the record was not freed`);
    assert.deepEqual(
      [h.standins.counters().hcnHandles, h.standins.counters().hcsHandles, h.libraries.openHandles],
      [0, 0, 0],
      `${fn}: the handle was not closed`,
    );
  }
  await h.assertClean();
});

Deno.test("when no returned string can be decoded, the first failure is reported and both are freed", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  h.standins.failNext("hcn", "HcnQueryNamespaceProperties", 0, '{"Error":"odd"}');
  const frees = h.standins.frees();
  const boom = new RangeError("decoding failed");
  const original = TextDecoder.prototype.decode;
  TextDecoder.prototype.decode = function (): string {
    throw boom;
  };
  try {
    // Freeing the record that was not taken must not decode it (and fail again).
    await assert.rejects(h.hcn.queryNamespaceProperties(handle, QUERY), (e: unknown) => e === boom);
  } finally {
    TextDecoder.prototype.decode = original;
  }
  assert.equal(h.standins.frees() - frees, 2);
  h.hcn.closeNamespace(handle);
  await h.assertClean();
});

Deno.test("a query whose result cannot be decoded still frees the result and the record", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  h.standins.failNext("hcn", "HcnQueryNamespaceProperties", 0, '{"Error":"odd"}');
  const frees = h.standins.frees();
  const boom = new RangeError("decoding failed");
  const restore = failNextDecode(boom);
  try {
    await assert.rejects(h.hcn.queryNamespaceProperties(handle, QUERY), (e: unknown) => e === boom);
  } finally {
    restore();
  }
  assert.equal(h.standins.frees() - frees, 2);
  h.hcn.closeNamespace(handle);
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: a compute system with a long ID (a sandbox ID and @vm) is used through its handle`, async () => {
    await using h = await openHarness({ libraries: { hcs } });
    const id = `${"3f9c2a7b41d0e8f6".repeat(4)}@vm`; // 67 characters, as containerd names UVMs
    h.standins.addSystem(id, "lcow");
    const vm = await h.hcs.openComputeSystem(id);
    const answer = JSON.parse(
      await h.hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["GuestConnection"]}'),
    );
    assert.equal(answer.Id, id);
    const nic = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
    await h.hcs.modifyComputeSystem(
      vm,
      JSON.stringify({
        ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nic}`,
        RequestType: "Add",
        Settings: { EndpointId: EP0 },
      }),
    );
    assert.deepEqual(h.standins.systemState(id).Nics.map((n) => n.Id), [nic]);
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });
}

Deno.test("computecore: a compute system handle closed while operations run is closed when the last completes", async () => {
  await using h = await openHarness({ libraries: { hcs: "computecore" } });
  h.standins.addSystem(VM, "lcow");
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.hold("hcs", "HcsGetComputeSystemProperties");
  const reads = [
    h.hcs.getComputeSystemProperties(vm, ""),
    h.hcs.getComputeSystemProperties(vm, ""),
  ];
  await h.standins.waitUntilHeld("hcs", 2);
  h.hcs.closeComputeSystem(vm);
  // Not yet: HCS is still using it (hcsshim saw access violations otherwise).
  assert.equal(h.standins.counters().hcsHandles, 1);
  assert.equal(h.standins.callCount("hcs", "HcsCloseComputeSystem"), 0);
  await assert.rejects(
    h.hcs.getComputeSystemProperties(vm, ""),
    isHResult(HRESULT.E_HANDLE, "HcsGetComputeSystemProperties"),
  );
  h.standins.release("hcs");
  for (const text of await Promise.all(reads)) assert.equal(JSON.parse(text).Id, VM);
  assert.equal(h.standins.callCount("hcs", "HcsCloseComputeSystem"), 1);
  assert.equal(h.standins.counters().hcsClosedWhileBusy, 0);
  await h.assertClean();
});
