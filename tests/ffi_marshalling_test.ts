import assert from "node:assert/strict";
import { HResultError, InvalidArgumentError } from "../domain/errors.ts";
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { guidBytes } from "../adapters/ffi/guid_layout.ts";
import { decodeWide, encodeWide } from "../adapters/ffi/wide_string.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { HCS_LIBRARIES, openHarness, openStandins, readFixture } from "./native/standins.ts";

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const VM = "uvm-marshal";

Deno.test("guidBytes lays a GUID out as Windows does (Data1..3 little-endian)", () => {
  const expected = [
    0x3c,
    0x2d,
    0x1e,
    0x0f,
    0x5a,
    0x4b,
    0x78,
    0x69,
    0x87,
    0x96,
    0xa5,
    0xb4,
    0xc3,
    0xd2,
    0xe1,
    0xf0,
  ];
  assert.deepEqual([...guidBytes("0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0")], expected);
  assert.deepEqual([...guidBytes("{0F1E2D3C-4B5A-6978-8796-A5B4C3D2E1F0}")], expected);
  assert.throws(() => guidBytes("eth0"), InvalidArgumentError);
  assert.throws(() => guidBytes("{0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0"), InvalidArgumentError);
});

Deno.test("the DLL receives the GUID bytes of the ID and finds the namespace by them", async () => {
  const id = "0f1e2d3c-4b5a-6978-8796-a5b4c3d2e1f0";
  await using h = await openHarness({ seed: false });
  h.standins.addNamespace({ ID: id, Type: "Host", SchemaVersion: { Major: 2, Minor: 0 } });
  const handle = await h.hcn.openNamespace(id.toUpperCase());
  assert.deepEqual([...h.standins.lastGuid()], [...guidBytes(id)]);
  const doc = JSON.parse(await h.hcn.queryNamespaceProperties(handle, QUERY));
  assert.equal(doc.ID, id);
  h.hcn.closeNamespace(handle);
  await h.assertClean();
});

Deno.test("a non-GUID ID fails like the simulated host, without calling the DLL", async () => {
  await using h = await openHarness();
  await assert.rejects(h.hcn.openEndpoint("eth0"), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.HCN_E_GUID_CONVERSION_FAILURE);
    assert.equal(e.call, "HcnOpenEndpoint");
    assert.match(e.record?.message ?? "", /eth0 is not a GUID/);
    return true;
  });
  assert.equal(h.standins.callCount("hcn", "HcnOpenEndpoint"), 0);
  await h.assertClean();
});

Deno.test("encodeWide writes UTF-16 code units and a NUL; decodeWide reads them back", () => {
  const text = "\uFEFFnaïve 名前 𝄞🚀";
  const wide = encodeWide(text);
  assert.equal(wide.length, text.length + 1);
  assert.equal(wide[wide.length - 1], 0);
  assert.equal(wide[0], 0xfeff);
  const pointer = Deno.UnsafePointer.of(wide);
  assert.ok(pointer !== null);
  // The byte-order mark is content, not a marker: it must survive.
  assert.equal(decodeWide(pointer, text.length), text);
  assert.equal(decodeWide(pointer, 0), "");
  assert.throws(() => encodeWide("a\0b", "query"), /Cannot use query: contains U\+0000 at index 1/);
});

Deno.test("non-ASCII and astral text round-trips through the DLL in both directions", async () => {
  const name = "pod-ünïcødé-名前-𝄞-🚀_eth0";
  await using h = await openHarness({ seed: false });
  const endpoint = { ID: EP0, Name: name, Flags: 0, SchemaVersion: { Major: 2, Minor: 0 } };
  h.standins.addEndpoint(endpoint);
  const handle = await h.hcn.openEndpoint(EP0);
  const query = JSON.stringify({
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 0,
    Note: "ü 名 𝄞 🚀",
  });
  const result = await h.hcn.queryEndpointProperties(handle, query);
  h.hcn.closeEndpoint(handle);
  // Out: the stored document comes back character for character.
  assert.equal(JSON.parse(result).Name, name);
  assert.equal(result, JSON.stringify(endpoint));
  // In: the DLL received exactly the query text.
  const received = h.standins.documents("hcn").filter((d) =>
    d.Call === "HcnQueryEndpointProperties"
  );
  assert.deepEqual(received.map((d) => d.Document), [query]);
  await h.assertClean();
});

Deno.test("an unpaired surrogate reaches the DLL as such and is refused there", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  await assert.rejects(
    h.hcn.queryNamespaceProperties(handle, `{"SchemaVersion":{"Major":2,"Minor":0},"X":"\uD800"}`),
    (e: unknown) => e instanceof HResultError && e.hresult === HRESULT.E_INVALIDARG,
  );
  h.hcn.closeNamespace(handle);
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: text containing U+0000 is refused before the DLL is called`, async () => {
    await using h = await openHarness({ libraries: { hcs } });
    h.standins.addSystem(VM, "lcow");
    const vm = await h.hcs.openComputeSystem(VM);
    await assert.rejects(h.hcs.modifyComputeSystem(vm, '{"a":"\0"}'), InvalidArgumentError);
    assert.equal(h.standins.callCount("hcs", "HcsModifyComputeSystem"), 0);
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });

  Deno.test(`${hcs}: an empty document travels as an empty string`, async () => {
    await using h = await openHarness({ libraries: { hcs } });
    h.standins.addSystem(VM, "lcow");
    const vm = await h.hcs.openComputeSystem(VM);
    // An empty property query is allowed and answers the basic properties.
    assert.deepEqual(JSON.parse(await h.hcs.getComputeSystemProperties(vm, "")), { Id: VM });
    // An empty configuration is not JSON: the DLL says so in a ResultError.
    await assert.rejects(h.hcs.modifyComputeSystem(vm, ""), (e: unknown) => {
      assert.ok(e instanceof HResultError);
      assert.equal(e.hresult, HRESULT.HCS_E_INVALID_JSON);
      assert.equal(e.record?.hresult, HRESULT.HCS_E_INVALID_JSON);
      assert.equal(e.record?.events.length, 1);
      return true;
    });
    const received = h.standins.documents("hcs").map((d) => [d.Call, d.Document]);
    assert.deepEqual(received.slice(1), [
      ["HcsGetComputeSystemProperties", ""],
      ["HcsModifyComputeSystem", ""],
    ]);
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });

  Deno.test(`${hcs}: a 1 MiB document goes in and a 1 MiB document comes out intact`, async () => {
    await using h = await openHarness({ seed: false, libraries: { hcs } });
    const unit = "abcdefgh-ü-名-𝄞-";
    const big = unit.repeat(Math.ceil((1 << 20) / unit.length)).slice(0, 1 << 20);
    const endpoint = {
      ID: EP0,
      Name: "big_eth0",
      Blob: big,
      SchemaVersion: { Major: 2, Minor: 0 },
    };
    h.standins.addEndpoint(endpoint);
    const handle = await h.hcn.openEndpoint(EP0);
    const out = await h.hcn.queryEndpointProperties(handle, QUERY);
    h.hcn.closeEndpoint(handle);
    assert.ok(out.length > 1 << 20);
    assert.equal(out, JSON.stringify(endpoint));

    h.standins.addSystem(VM, "wcow");
    const vm = await h.hcs.openComputeSystem(VM);
    const preAdd = JSON.stringify({
      GuestRequest: {
        ResourceType: "Network",
        RequestType: "Add",
        Settings: {
          AdapterId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
          RequestType: "PreAdd",
          Settings: endpoint,
        },
      },
    });
    await h.hcs.modifyComputeSystem(vm, preAdd);
    const received = h.standins.documents("hcs").find((d) => d.Call === "HcsModifyComputeSystem");
    assert.equal(received?.Document, preAdd);
    assert.equal(h.standins.systemState(VM).GuestAdapters.length, 1);
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });
}

Deno.test("every returned string is freed once: results and error records alike", async () => {
  await using h = await openHarness();
  const before = h.standins.frees();
  const handle = await h.hcn.openNamespace(NS); // no record: nothing to free
  await h.hcn.queryNamespaceProperties(handle, QUERY); // one result
  await assert.rejects(h.hcn.queryNamespaceProperties(handle, "{}")); // one record
  await assert.rejects(h.hcn.openEndpoint("00000000-0000-4000-8000-000000000000")); // one record
  await h.hcn.enumerateEndpoints(QUERY); // one result
  h.hcn.closeNamespace(handle);
  assert.equal(h.standins.frees() - before, 4);
  await h.assertClean();
});

Deno.test("an error record with a success HRESULT is a failure, and its handle is closed", async () => {
  await using h = await openHarness();
  const record = JSON.stringify({ Success: false, Error: "half done", ErrorCode: 0x803b0020 });
  h.standins.failNext("hcn", "HcnOpenNamespace", 0, record);
  await assert.rejects(h.hcn.openNamespace(NS), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.call, "HcnOpenNamespace");
    // The record's own code, since S_OK names no failure; and the DLL said
    // it succeeded, so what it did is unknown.
    assert.equal(e.hresult, HRESULT.HCN_E_MANAGER_STOPPED);
    assert.equal(e.reportedSuccess, true);
    assert.equal(e.record?.message, "half done");
    return true;
  });
  // The DLL did open a handle; it was closed, not leaked.
  assert.equal(h.standins.callCount("hcn", "HcnCloseNamespace"), 1);

  const handle = await h.hcn.openNamespace(NS);
  h.standins.failNext("hcn", "HcnQueryNamespaceProperties", 1, "something odd");
  await assert.rejects(h.hcn.queryNamespaceProperties(handle, QUERY), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.E_FAIL);
    assert.equal(e.record?.raw, "something odd");
    return true;
  });
  h.hcn.closeNamespace(handle);

  await h.assertClean();
});

Deno.test("vmcompute: a success HRESULT with an error record is a success (as hcsshim takes it); the record is freed", async () => {
  await using h = await openHarness({ libraries: { hcs: "vmcompute" } });
  h.standins.addSystem(VM, "lcow");
  const record = '{"Error":-1070137074,"ErrorMessage":"x"}';
  h.standins.failNext("hcs", "HcsOpenComputeSystem", 0, record);
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.failNext("hcs", "HcsModifyComputeSystem", 0, record);
  await h.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({
      ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
      RequestType: "Add",
      Settings: { EndpointId: EP0 },
    }),
  );
  assert.equal(h.standins.systemState(VM).Nics.length, 1, "the change was made");
  h.standins.failNext("hcs", "HcsGetComputeSystemProperties", 0, record);
  assert.match(await h.hcs.getComputeSystemProperties(vm, "{}"), /"Id"/);
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

Deno.test("computecore: a success that comes with a result document is a success; the document is freed", async () => {
  await using h = await openHarness({ libraries: { hcs: "computecore" } });
  h.standins.addSystem(VM, "lcow");
  const vm = await h.hcs.openComputeSystem(VM);
  const frees = h.standins.localFrees();
  h.standins.failNext("hcs", "HcsModifyComputeSystem", 0, '{"Note":"done, with a document"}');
  await h.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({
      ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
      RequestType: "Add",
      Settings: { EndpointId: EP0 },
    }),
  );
  assert.equal(h.standins.systemState(VM).Nics.length, 1);
  assert.equal(h.standins.localFrees() - frees, 1, "the result document, freed once");
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: every HRESULT podnet names comes back as that code with its parsed record`, async () => {
    await using h = await openHarness({ libraries: { hcs } });
    h.standins.addSystem(VM, "lcow");
    const vm = await h.hcs.openComputeSystem(VM);
    for (const [name, code] of Object.entries(HRESULT)) {
      if (code === HRESULT.S_OK) continue;
      const hcnRecord = JSON.stringify({ Success: false, Error: name, ErrorCode: code });
      h.standins.failNext("hcn", "HcnOpenEndpoint", code, hcnRecord);
      await assert.rejects(h.hcn.openEndpoint(EP0), (e: unknown) => {
        assert.ok(e instanceof HResultError, name);
        assert.equal(e.hresult, code, name);
        assert.equal(e.record?.message, name);
        return true;
      });
      const hcsRecord = JSON.stringify({
        Error: code | 0,
        ErrorMessage: name,
        ErrorEvents: [{ Message: `event of ${name}`, Provider: "p", EventId: 7, Source: "s" }],
      });
      h.standins.failNext("hcs", "HcsModifyComputeSystem", code, hcsRecord);
      await assert.rejects(h.hcs.modifyComputeSystem(vm, "{}"), (e: unknown) => {
        assert.ok(e instanceof HResultError, name);
        assert.equal(e.hresult, code, name);
        assert.equal(e.call, "HcsModifyComputeSystem");
        assert.equal(e.record?.hresult, code);
        assert.deepEqual(e.record?.events, [
          { message: `event of ${name}`, provider: "p", eventId: 7, source: "s" },
        ]);
        return true;
      });
      // Without a record the code alone still comes through.
      h.standins.failNext("hcn", "HcnEnumerateNamespaces", code);
      await assert.rejects(
        h.hcn.enumerateNamespaces(QUERY),
        (e: unknown) => e instanceof HResultError && e.hresult === code && e.record === undefined,
      );
    }
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });
}

const S_FALSE = 1;

Deno.test("the stand-in returns an injected success code other than S_OK, having done the work", async () => {
  // Raw symbols, no binding in between: the stand-in must really answer S_FALSE,
  // or the binding tests below would prove nothing about it.
  await using standins = await openStandins();
  standins.seed(fixture);
  const lib = Deno.dlopen(standins.paths.computenetwork ?? "", COMPUTENETWORK_SYMBOLS);
  const ole32 = Deno.dlopen(standins.paths.ole32 ?? "", {
    CoTaskMemFree: { parameters: ["pointer"], result: "void" },
  });
  try {
    standins.failNext("hcn", "HcnEnumerateNamespaces", S_FALSE);
    const result = new BigUint64Array(1);
    const record = new BigUint64Array(1);
    assert.equal(await lib.symbols.HcnEnumerateNamespaces(encodeWide(QUERY), result, record), 1);
    assert.notEqual(result[0], 0n, "the work was done: a result came back");
    assert.equal(record[0], 0n);
    ole32.symbols.CoTaskMemFree(Deno.UnsafePointer.create(result[0] ?? 0n));
    await standins.assertClean();
  } finally {
    lib.close();
    ole32.close();
  }
});

for (const hcsLibrary of HCS_LIBRARIES) {
  Deno.test(`${hcsLibrary}: S_FALSE (and any success code) without a record is a success for every call`, async () => {
    await using h = await openHarness({ libraries: { hcs: hcsLibrary } });
    h.standins.addSystem(VM, "lcow");
    const hcn = (fn: string) => h.standins.failNext("hcn", fn, S_FALSE);
    const hcs = (fn: string) => h.standins.failNext("hcs", fn, S_FALSE);
    hcn("HcnEnumerateNamespaces");
    assert.deepEqual(JSON.parse(await h.hcn.enumerateNamespaces(QUERY)), [NS]);
    hcn("HcnEnumerateEndpoints");
    assert.equal(
      JSON.parse(await h.hcn.enumerateEndpoints(QUERY)).length,
      fixture.endpoints.length,
    );
    hcn("HcnOpenNamespace");
    const namespace = await h.hcn.openNamespace(NS);
    hcn("HcnQueryNamespaceProperties");
    assert.equal(JSON.parse(await h.hcn.queryNamespaceProperties(namespace, QUERY)).ID, NS);
    hcn("HcnCloseNamespace");
    h.hcn.closeNamespace(namespace);
    h.standins.failNext("hcn", "HcnOpenEndpoint", 0x7fffffff); // the largest success code
    const endpoint = await h.hcn.openEndpoint(EP0);
    hcn("HcnQueryEndpointProperties");
    assert.equal(JSON.parse(await h.hcn.queryEndpointProperties(endpoint, QUERY)).ID, EP0);
    h.hcn.closeEndpoint(endpoint);

    hcs("HcsOpenComputeSystem");
    const vm = await h.hcs.openComputeSystem(VM);
    hcs("HcsGetComputeSystemProperties");
    assert.equal(JSON.parse(await h.hcs.getComputeSystemProperties(vm, "")).Id, VM);
    hcs("HcsModifyComputeSystem");
    const nic = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
    await h.hcs.modifyComputeSystem(
      vm,
      JSON.stringify({
        ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nic}`,
        RequestType: "Add",
        Settings: { EndpointId: EP0 },
      }),
    );
    assert.equal(h.standins.systemState(VM).Nics.length, 1);
    hcs("HcsCloseComputeSystem");
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });

  Deno.test(`${hcsLibrary}: a failing HRESULT that comes with a handle or a result: the handle is closed, every string freed`, async () => {
    await using h = await openHarness({ libraries: { hcs: hcsLibrary } });
    // vmcompute returns CoTaskMem strings (properties and a record);
    // computecore one result document per operation, freed with LocalFree.
    const hcsFrees = () =>
      hcsLibrary === "computecore" ? h.standins.localFrees() : h.standins.frees();
    h.standins.addSystem(VM, "lcow");
    const record = (code: number) =>
      JSON.stringify({ Error: code | 0, ErrorMessage: "late failure" });
    for (const fn of ["HcnOpenNamespace", "HcnOpenEndpoint"] as const) {
      h.standins.failAfterWork(
        "hcn",
        fn,
        HRESULT.HCN_E_MANAGER_STOPPED,
        record(HRESULT.HCN_E_MANAGER_STOPPED),
      );
      const frees = h.standins.frees();
      const open = fn === "HcnOpenNamespace" ? h.hcn.openNamespace(NS) : h.hcn.openEndpoint(EP0);
      await assert.rejects(open, (e: unknown) => {
        assert.ok(e instanceof HResultError);
        assert.equal(e.hresult, HRESULT.HCN_E_MANAGER_STOPPED);
        assert.equal(e.record?.message, "late failure");
        return true;
      });
      assert.equal(h.standins.frees() - frees, 1, `${fn}: the record`);
      assert.equal(
        h.standins.counters().hcnHandles,
        0,
        `${fn}: the handle came back and was closed`,
      );
    }
    h.standins.failAfterWork("hcs", "HcsOpenComputeSystem", HRESULT.E_FAIL);
    await assert.rejects(
      h.hcs.openComputeSystem(VM),
      (e: unknown) => e instanceof HResultError && e.hresult === HRESULT.E_FAIL,
    );
    assert.equal(h.standins.counters().hcsHandles, 0);

    const namespace = await h.hcn.openNamespace(NS);
    h.standins.failAfterWork(
      "hcn",
      "HcnQueryNamespaceProperties",
      HRESULT.E_FAIL,
      record(HRESULT.E_FAIL),
    );
    let frees = h.standins.frees();
    await assert.rejects(
      h.hcn.queryNamespaceProperties(namespace, QUERY),
      (e: unknown) => e instanceof HResultError && e.hresult === HRESULT.E_FAIL,
    );
    assert.equal(h.standins.frees() - frees, 2, "the properties and the record");
    h.hcn.closeNamespace(namespace);
    h.standins.failAfterWork("hcn", "HcnEnumerateEndpoints", HRESULT.E_FAIL);
    frees = h.standins.frees();
    await assert.rejects(h.hcn.enumerateEndpoints(QUERY), HResultError);
    assert.equal(h.standins.frees() - frees, 1, "the result");

    const vm = await h.hcs.openComputeSystem(VM);
    h.standins.failAfterWork(
      "hcs",
      "HcsGetComputeSystemProperties",
      HRESULT.E_FAIL,
      record(HRESULT.E_FAIL),
    );
    frees = hcsFrees();
    await assert.rejects(h.hcs.getComputeSystemProperties(vm, ""), HResultError);
    assert.equal(
      hcsFrees() - frees,
      hcsLibrary === "computecore" ? 1 : 2,
      "the properties and the record (computecore: the one result document)",
    );
    h.hcs.closeComputeSystem(vm);
    await h.assertClean();
  });
}
