import assert from "node:assert/strict";
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { guidBytes } from "../adapters/ffi/guid_layout.ts";
import { encodeWide } from "../adapters/ffi/wide_string.ts";
import { CLEAN_COUNTERS, openStandins } from "./native/standins.ts";

// The stand-ins' own checks, through raw symbols (no binding in between):
// the leak and double-free counters the FFI tests rely on must count what
// they claim, whatever the size of the string.

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const EP = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

for (const size of [16, 4096, 1 << 20]) {
  Deno.test(`CoTaskMemFree of a ${size}-character string twice counts one bad free, and nothing breaks`, async () => {
    await using standins = await openStandins();
    standins.addEndpoint({ ID: EP, Name: "x".repeat(size) });
    const lib = Deno.dlopen(standins.paths.computenetwork ?? "", COMPUTENETWORK_SYMBOLS);
    const ole32 = Deno.dlopen(standins.paths.ole32 ?? "", {
      CoTaskMemFree: { parameters: ["pointer"], result: "void" },
    });
    try {
      const handle = new BigUint64Array(1);
      const record = new BigUint64Array(1);
      assert.equal(await lib.symbols.HcnOpenEndpoint(guidBytes(EP), handle, record), 0);
      const pointer = Deno.UnsafePointer.create(handle[0] ?? 0n);
      const properties = new BigUint64Array(1);
      const hr = await lib.symbols.HcnQueryEndpointProperties(
        pointer,
        encodeWide(QUERY),
        properties,
        record,
      );
      assert.equal(hr, 0);
      assert.equal(lib.symbols.HcnCloseEndpoint(pointer), 0);
      const text = Deno.UnsafePointer.create(properties[0] ?? 0n);
      assert.ok(text !== null);
      assert.equal(standins.counters().hcnOutstanding, 1);
      ole32.symbols.CoTaskMemFree(text);
      assert.equal(standins.counters().hcnOutstanding, 0);
      assert.equal(standins.counters().badFrees, 0);
      ole32.symbols.CoTaskMemFree(text); // the double free a binding bug would make
      assert.deepEqual(standins.counters(), { ...CLEAN_COUNTERS, badFrees: 1 });
      assert.equal(standins.frees(), 1);
    } finally {
      lib.close();
      ole32.close();
    }
  });
}

Deno.test("a held call waits in the DLL until released, and only the held function waits", async () => {
  await using standins = await openStandins();
  standins.addEndpoint({ ID: EP, Name: "held_eth0" });
  const lib = Deno.dlopen(standins.paths.computenetwork ?? "", COMPUTENETWORK_SYMBOLS);
  const ole32 = Deno.dlopen(standins.paths.ole32 ?? "", {
    CoTaskMemFree: { parameters: ["pointer"], result: "void" },
  });
  const take = (slot: BigUint64Array): void => {
    ole32.symbols.CoTaskMemFree(Deno.UnsafePointer.create(slot[0] ?? 0n));
  };
  try {
    standins.hold("hcn", "HcnEnumerateEndpoints");
    const held = { result: new BigUint64Array(1), record: new BigUint64Array(1) };
    let returned = false;
    const call = lib.symbols.HcnEnumerateEndpoints(encodeWide(QUERY), held.result, held.record)
      .then((hr) => {
        returned = true;
        return hr;
      });
    await standins.waitUntilHeld("hcn");
    // Another function is not held.
    const other = { result: new BigUint64Array(1), record: new BigUint64Array(1) };
    assert.equal(
      await lib.symbols.HcnEnumerateNamespaces(encodeWide(QUERY), other.result, other.record),
      0,
    );
    take(other.result);
    assert.equal(returned, false);
    assert.equal(standins.heldCalls("hcn"), 1);
    standins.release("hcn", "HcnEnumerateEndpoints");
    assert.equal(await call, 0);
    assert.equal(standins.heldCalls("hcn"), 0);
    take(held.result);
    await standins.assertClean();
  } finally {
    standins.release("hcn");
    lib.close();
    ole32.close();
  }
});
