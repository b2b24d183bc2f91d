/**
 * One HCN query round trip (a ~300-byte query in, a ~1 KB endpoint document
 * out) through the FFI bindings against the stand-in computenetwork library,
 * nonblocking (as podnet calls it: on a worker thread) and blocking (on the
 * event loop thread), beside the same call on the simulated host (the
 * baseline). A fourth case decodes the returned string one code unit at a
 * time instead of measuring it with lstrlenW and copying it whole; a
 * second group compares the two decodings alone.
 *
 * Every call decodes and frees both returned strings, as the bindings do.
 * Every bench function is `async`: deno bench awaits only async functions.
 */
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { guidBytes } from "../adapters/ffi/guid_layout.ts";
import { nativeLibrariesOf, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { decodeWide, encodeWide } from "../adapters/ffi/wide_string.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { openStandins } from "../tests/native/standins.ts";
import { EP0, hcnQueryCase } from "./_hcn_query_case.ts";

const { fixture, endpoint, query: QUERY, outBytes: OUT_BYTES } = await hcnQueryCase();

// Simulated host: zero latency.
const sim = new SimulatedHost({ guest: "lcow" });
sim.loadFixture({ namespace: fixture.namespace, endpoints: [endpoint] });
const simHandle = await sim.hcn.openEndpoint(EP0);

// Stand-ins: a private copy, seeded with the same documents.
const standins = await openStandins();
standins.addNamespace(fixture.namespace);
standins.addEndpoint(endpoint);
const libraries = new WindowsLibraries(standins.paths);
const hcn = new FfiHcnApi(libraries);
const ffiHandle = await hcn.openEndpoint(EP0);

// The same call as a blocking symbol, with the bindings' marshalling.
const blocking = Deno.dlopen(standins.paths.computenetwork ?? "", {
  HcnOpenEndpoint: { ...COMPUTENETWORK_SYMBOLS.HcnOpenEndpoint, nonblocking: false },
  HcnQueryEndpointProperties: {
    ...COMPUTENETWORK_SYMBOLS.HcnQueryEndpointProperties,
    nonblocking: false,
  },
});
const handleSlot = new BigUint64Array(1);
const openRecord = new BigUint64Array(1);
if (blocking.symbols.HcnOpenEndpoint(guidBytes(EP0), handleSlot, openRecord) !== 0) {
  throw new Error("cannot open the endpoint");
}
const rawHandle = Deno.UnsafePointer.create(handleSlot[0] ?? 0n);

function queryBlocking(decode: (address: bigint) => string): string {
  const properties = new BigUint64Array(1);
  const record = new BigUint64Array(1);
  const hr = blocking.symbols.HcnQueryEndpointProperties(
    rawHandle,
    encodeWide(QUERY),
    properties,
    record,
  );
  const text = decode(properties[0] ?? 0n);
  const errors = nativeLibrariesOf(libraries).takeString(record[0] ?? 0n);
  if (hr < 0 || errors !== "") throw new Error(`query failed: ${hr} ${errors}`);
  return text;
}

/** Decoding without lstrlenW: one code unit at a time, then free. */
function decodeByUnit(address: bigint): string {
  const pointer = Deno.UnsafePointer.create(address);
  if (pointer === null) return "";
  const view = new Deno.UnsafePointerView(pointer);
  const units: number[] = [];
  for (let offset = 0;; offset += 2) {
    const unit = view.getUint16(offset);
    if (unit === 0) break;
    units.push(unit);
  }
  nativeLibrariesOf(libraries).ole32.symbols.CoTaskMemFree(pointer);
  let text = "";
  for (let i = 0; i < units.length; i += 4096) {
    text += String.fromCharCode(...units.slice(i, i + 4096));
  }
  return text;
}

const GROUP = `HCN query round trip (${QUERY.length} B in, ${OUT_BYTES} B out)`;

Deno.bench({
  name: "simulated host",
  group: GROUP,
  baseline: true,
  async fn() {
    await sim.hcn.queryEndpointProperties(simHandle, QUERY);
  },
});

Deno.bench({
  name: "FFI stand-in, nonblocking (as podnet calls it)",
  group: GROUP,
  async fn() {
    await hcn.queryEndpointProperties(ffiHandle, QUERY);
  },
});

Deno.bench({
  name: "FFI stand-in, blocking",
  group: GROUP,
  async fn() {
    queryBlocking((address) => nativeLibrariesOf(libraries).takeString(address));
    await Promise.resolve();
  },
});

Deno.bench({
  name: "FFI stand-in, blocking, decoded one code unit at a time",
  group: GROUP,
  async fn() {
    queryBlocking(decodeByUnit);
    await Promise.resolve();
  },
});

// Decoding alone: the ~1 KB endpoint document as the DLL returns it.
const returned = encodeWide(JSON.stringify(endpoint));
const returnedPointer = Deno.UnsafePointer.of(returned);
if (returnedPointer === null) throw new Error("no pointer");
const DECODE = `decode a returned string (${OUT_BYTES} characters)`;

Deno.bench({
  name: "lstrlenW, one copy, one TextDecoder call (the bindings)",
  group: DECODE,
  baseline: true,
  async fn() {
    decodeWide(
      returnedPointer,
      nativeLibrariesOf(libraries).kernel32.symbols.lstrlenW(returnedPointer),
    );
    await Promise.resolve();
  },
});

Deno.bench({
  name: "one code unit at a time",
  group: DECODE,
  async fn() {
    const view = new Deno.UnsafePointerView(returnedPointer);
    let text = "";
    for (let offset = 0;; offset += 2) {
      const unit = view.getUint16(offset);
      if (unit === 0) break;
      text += String.fromCharCode(unit);
    }
    if (text.length !== OUT_BYTES) throw new Error("decoded wrong");
    await Promise.resolve();
  },
});

// deno bench has no "after all": release everything when the process ends.
// Every library that loaded the stand-in copy is closed before the copy is
// deleted: Windows cannot delete a loaded library.
globalThis.addEventListener("unload", () => {
  hcn.closeEndpoint(ffiHandle);
  blocking.close();
  sim.hcn.closeEndpoint(simHandle);
  if (libraries.pending !== 0) throw new Error("a native call is still running");
  void libraries.close(); // nothing pending: closes the libraries now
  standins.closeSync();
});
