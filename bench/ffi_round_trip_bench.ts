/**
 * podnet's own cost on an FFI call: one HCN query round trip (a ~300-byte
 * query in, a ~1 KB endpoint document out) through `FfiHcnApi`, against the
 * bare `Deno.dlopen` call of the same nonblocking stand-in symbol with the
 * least a correct caller does (encode the query, call, measure, decode and
 * free the result, check the error record). The difference is what podnet
 * adds: admission, handle leases, clean-up bookkeeping.
 *
 * A worker thread's hand-off costs tens of microseconds and varies with the
 * machine's load far more than podnet's own cost, so a second group makes
 * the same comparison with the stand-in's symbol called on the main thread
 * (a blocking symbol whose result comes as a resolved promise, on both
 * sides): there the difference is podnet's own cost alone.
 *
 * And one HCS property query through computecore (an operation completed by
 * the stand-in's thread) against the same through vmcompute (a call on a
 * worker thread), one call at a time.
 *
 * Every bench function is `async`: deno bench awaits only async functions.
 */
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { FfiComputecoreApi } from "../adapters/ffi/ffi_computecore_api.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { FfiHcsApi } from "../adapters/ffi/ffi_hcs_api.ts";
import { guidBytes } from "../adapters/ffi/guid_layout.ts";
import { nativeLibrariesOf, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { decodeWide, encodeWide } from "../adapters/ffi/wide_string.ts";
import { openStandins } from "../tests/native/standins.ts";
import { EP0, hcnQueryCase } from "./_hcn_query_case.ts";

const { fixture, endpoint, query: QUERY, outBytes: OUT_BYTES } = await hcnQueryCase();

const standins = await openStandins();
standins.addNamespace(fixture.namespace);
standins.addEndpoint(endpoint);
standins.addSystem("uvm-bench", "lcow");
const libraries = new WindowsLibraries(standins.paths);
const hcn = new FfiHcnApi(libraries);
const handle = await hcn.openEndpoint(EP0);

// The bare call: the same library and symbol table, no podnet in between.
const bare = Deno.dlopen(standins.paths.computenetwork ?? "", {
  HcnOpenEndpoint: COMPUTENETWORK_SYMBOLS.HcnOpenEndpoint,
  HcnQueryEndpointProperties: COMPUTENETWORK_SYMBOLS.HcnQueryEndpointProperties,
  HcnCloseEndpoint: COMPUTENETWORK_SYMBOLS.HcnCloseEndpoint,
});
const helpers = {
  lstrlenW: nativeLibrariesOf(libraries).kernel32.symbols.lstrlenW,
  CoTaskMemFree: nativeLibrariesOf(libraries).ole32.symbols.CoTaskMemFree,
};
const slot = new BigUint64Array(1);
if ((await bare.symbols.HcnOpenEndpoint(guidBytes(EP0), slot, new BigUint64Array(1))) !== 0) {
  throw new Error("cannot open the endpoint");
}
const bareHandle = Deno.UnsafePointer.create(slot[0] ?? 0n);

async function bareQuery(
  query: (
    ...args: Parameters<typeof bare.symbols.HcnQueryEndpointProperties>
  ) => Promise<number> = bare.symbols.HcnQueryEndpointProperties,
): Promise<string> {
  const properties = new BigUint64Array(1);
  const record = new BigUint64Array(1);
  const hr = await query(
    bareHandle,
    encodeWide(QUERY),
    properties,
    record,
  );
  const pointer = Deno.UnsafePointer.create(properties[0] ?? 0n);
  let text = "";
  if (pointer !== null) {
    text = decodeWide(pointer, helpers.lstrlenW(pointer));
    helpers.CoTaskMemFree(pointer);
  }
  const recordPointer = Deno.UnsafePointer.create(record[0] ?? 0n);
  if (hr < 0 || recordPointer !== null) {
    if (recordPointer !== null) helpers.CoTaskMemFree(recordPointer);
    throw new Error(`query failed: ${hr}`);
  }
  return text;
}

const GROUP = `HCN query round trip (${QUERY.length} B in, ${OUT_BYTES} B out), nonblocking`;
const SAME_THREAD =
  `HCN query round trip (${QUERY.length} B in, ${OUT_BYTES} B out), call on the main thread`;

// The same symbol, blocking; its result handed over as a resolved promise.
const blocking = Deno.dlopen(standins.paths.computenetwork ?? "", {
  HcnQueryEndpointProperties: {
    ...COMPUTENETWORK_SYMBOLS.HcnQueryEndpointProperties,
    nonblocking: false,
  },
});
const queryOnMainThread = (
  ...args: Parameters<typeof blocking.symbols.HcnQueryEndpointProperties>
): Promise<number> => Promise.resolve(blocking.symbols.HcnQueryEndpointProperties(...args));
const sameThreadLibraries = new WindowsLibraries(standins.paths);
const sameThreadSymbols = {
  ...nativeLibrariesOf(sameThreadLibraries).computenetworkSymbols(),
  HcnQueryEndpointProperties: queryOnMainThread,
};
nativeLibrariesOf(sameThreadLibraries).computenetworkSymbols = () => sameThreadSymbols;
const sameThreadHcn = new FfiHcnApi(sameThreadLibraries);
const sameThreadHandle = await sameThreadHcn.openEndpoint(EP0);

Deno.bench({
  name: "bare Deno.dlopen call",
  group: GROUP,
  baseline: true,
  async fn() {
    await bareQuery();
  },
});

Deno.bench({
  name: "podnet (FfiHcnApi.queryEndpointProperties)",
  group: GROUP,
  async fn() {
    await hcn.queryEndpointProperties(handle, QUERY);
  },
});

Deno.bench({
  name: "bare Deno.dlopen call",
  group: SAME_THREAD,
  baseline: true,
  async fn() {
    await bareQuery(queryOnMainThread);
  },
});

Deno.bench({
  name: "podnet (FfiHcnApi.queryEndpointProperties)",
  group: SAME_THREAD,
  async fn() {
    await sameThreadHcn.queryEndpointProperties(sameThreadHandle, QUERY);
  },
});

// One HCS property query at a time, each way.
const computecore = new FfiComputecoreApi(libraries);
const vmcompute = new FfiHcsApi(libraries);
const v2 = await computecore.openComputeSystem("uvm-bench");
const v1 = await vmcompute.openComputeSystem("uvm-bench");
const PROPERTIES = '{"PropertyTypes":["GuestConnection"]}';

Deno.bench({
  name: "vmcompute (a worker thread waits)",
  group: "HCS property query, one at a time",
  baseline: true,
  async fn() {
    await vmcompute.getComputeSystemProperties(v1, PROPERTIES);
  },
});

Deno.bench({
  name: "computecore (completed by callback)",
  group: "HCS property query, one at a time",
  async fn() {
    await computecore.getComputeSystemProperties(v2, PROPERTIES);
  },
});

// deno bench has no "after all": release everything when the process ends.
globalThis.addEventListener("unload", () => {
  hcn.closeEndpoint(handle);
  sameThreadHcn.closeEndpoint(sameThreadHandle);
  blocking.close();
  computecore.closeComputeSystem(v2);
  vmcompute.closeComputeSystem(v1);
  bare.symbols.HcnCloseEndpoint(bareHandle);
  bare.close();
  try {
    // Windows cannot delete a loaded DLL: there the copy stays in the temp folder.
    Deno.removeSync(standins.dir, { recursive: true });
  } catch {
    // Left for the system's temp clean-up.
  }
});
