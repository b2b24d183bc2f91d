import assert from "node:assert/strict";
import { HResultError } from "../domain/errors.ts";
import { isCanonicalGuid, normalizeGuid } from "../domain/guid.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { WindowsHcsApi } from "../adapters/ffi/windows_hcs_api.ts";
import { type HcsLibrary, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import type { HcsApi } from "../adapters/dll/hcs_api.ts";
import { HRESULT, isNotFoundHResult, isVmGoneHResult } from "../adapters/dll/hresult.ts";
import { HCS_LIBRARIES, openHarness } from "./native/standins.ts";

// Each test runs against the real DLLs from System32 (on Windows with the
// Containers feature; ignored elsewhere) and against the stand-ins (here),
// once with each HCS library. Same body, same assertions.

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const ABSENT = "3a1c5e7f-9b2d-4f60-8a1b-2c3d4e5f6071";

interface Target {
  readonly libraries: WindowsLibraries;
  readonly hcn: FfiHcnApi;
  readonly hcs: HcsApi;
  /**
   * Whether namespaces and endpoints are known to exist (the seeded
   * stand-ins), so that an empty list is a failure, not a loop that asserts
   * nothing. A Windows host may have none.
   */
  readonly seeded: boolean;
}

/** A test of computenetwork alone. */
function twin(name: string, body: (target: Target) => Promise<void>): void {
  twinWith(undefined, name, body);
}

/** A test of the HCS library: once with each. */
function twinHcs(name: string, body: (target: Target) => Promise<void>): void {
  for (const hcs of HCS_LIBRARIES) twinWith(hcs, `${name}, ${hcs}`, body);
}

function twinWith(
  hcs: HcsLibrary | undefined,
  name: string,
  body: (target: Target) => Promise<void>,
): void {
  Deno.test({
    name: `${name} (Windows DLLs)`,
    ignore: Deno.build.os !== "windows",
    async fn() {
      const libraries = new WindowsLibraries({}, { hcs });
      try {
        await body({
          libraries,
          hcn: new FfiHcnApi(libraries),
          hcs: new WindowsHcsApi(libraries),
          seeded: false,
        });
        await libraries.settled();
        assert.equal(libraries.openHandles, 0);
      } finally {
        await libraries.close();
      }
    },
  });
  Deno.test(`${name} (stand-ins)`, async () => {
    await using h = await openHarness({ libraries: { hcs } });
    await body({ ...h, seeded: true });
    await h.assertClean();
  });
}

twin("the namespaces are a JSON array of GUIDs, each one opens and answers", async (t) => {
  const ids: unknown = JSON.parse(await t.hcn.enumerateNamespaces(QUERY));
  assert.ok(Array.isArray(ids));
  if (t.seeded) assert.ok(ids.length > 0, "no namespace listed");
  for (const id of ids) {
    assert.equal(typeof id, "string");
    const canonical = normalizeGuid(String(id));
    assert.ok(canonical !== undefined && isCanonicalGuid(canonical), String(id));
    const handle = await t.hcn.openNamespace(canonical);
    try {
      const doc = JSON.parse(await t.hcn.queryNamespaceProperties(handle, QUERY));
      assert.equal(normalizeGuid(String(doc.ID)), canonical);
    } finally {
      t.hcn.closeNamespace(handle);
    }
  }
});

twin("every endpoint listed opens, answers its document, and closes", async (t) => {
  const ids: unknown = JSON.parse(await t.hcn.enumerateEndpoints(QUERY));
  assert.ok(Array.isArray(ids));
  if (t.seeded) assert.ok(ids.length > 0, "no endpoint listed");
  for (const id of ids) {
    const handle = await t.hcn.openEndpoint(String(id));
    try {
      const doc = JSON.parse(await t.hcn.queryEndpointProperties(handle, QUERY));
      assert.equal(normalizeGuid(String(doc.ID)), normalizeGuid(String(id)));
    } finally {
      t.hcn.closeEndpoint(handle);
    }
  }
});

twin("an enumeration filtered by an absent ID is an empty array", async (t) => {
  const query = JSON.stringify({
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 0,
    Filter: JSON.stringify({ ID: ABSENT }),
  });
  assert.deepEqual(JSON.parse(await t.hcn.enumerateNamespaces(query)), []);
  assert.deepEqual(JSON.parse(await t.hcn.enumerateEndpoints(query)), []);
});

twin("an absent namespace and endpoint are not-found HRESULTs", async (t) => {
  await assert.rejects(t.hcn.openNamespace(ABSENT), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.ok(isNotFoundHResult(e.hresult), e.hex);
    return true;
  });
  await assert.rejects(t.hcn.openEndpoint(ABSENT), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.ok(isNotFoundHResult(e.hresult), e.hex);
    return true;
  });
});

twinHcs("an absent compute system cannot be opened: the VM is gone", async (t) => {
  await assert.rejects(t.hcs.openComputeSystem(`podnet-absent-${ABSENT}`), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.call, "HcsOpenComputeSystem");
    assert.ok(
      e.hresult === HRESULT.HCS_E_SYSTEM_NOT_FOUND || isVmGoneHResult(e.hresult),
      e.hex,
    );
    return true;
  });
});
