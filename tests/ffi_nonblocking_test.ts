import assert from "node:assert/strict";
import { HResultError, OperationTimeoutError } from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createWindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { HCS_LIBRARIES, openHarness, openStandins, readFixture } from "./native/standins.ts";

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

const SLOW_CALLS = {
  hcn: [
    "HcnOpenNamespace",
    "HcnQueryNamespaceProperties",
    "HcnOpenEndpoint",
    "HcnQueryEndpointProperties",
  ],
  hcs: ["HcsOpenComputeSystem", "HcsModifyComputeSystem", "HcsGetComputeSystemProperties"],
} as const;

Deno.test("an abort rejects at once with its reason; the late handle is closed when it comes", async () => {
  await using h = await openHarness();
  h.standins.hold("hcn", "HcnOpenNamespace");
  const controller = new AbortController();
  const opening = h.hcn.openNamespace(NS, { signal: controller.signal });
  await h.standins.waitUntilHeld("hcn");
  const reason = new Error("stop waiting");
  controller.abort(reason);
  await assert.rejects(opening, (e) => e === reason);
  // The rejection did not wait for the DLL, which is still opening...
  assert.equal(h.standins.heldCalls("hcn"), 1);
  assert.equal(h.libraries.pending, 1);
  // ...and when it returns, the binding closes the handle nobody takes.
  h.standins.release("hcn");
  await h.libraries.settled();
  assert.equal(h.standins.callCount("hcn", "HcnCloseNamespace"), 1);
  await h.assertClean();
});

Deno.test("an abort between the call's return and its hand-over still closes the handle", async () => {
  await using h = await openHarness();
  const controller = new AbortController();
  const opening = h.hcn.openNamespace(NS, { signal: controller.signal });
  // The call has returned and its handle is adopted, but not yet handed over.
  await h.libraries.settled();
  assert.equal(h.standins.counters().hcnHandles, 1);
  controller.abort(new Error("changed my mind"));
  await assert.rejects(opening, /changed my mind/);
  assert.equal(h.standins.counters().hcnHandles, 0);
  await h.assertClean();
});

Deno.test("an already aborted signal calls nothing", async () => {
  await using h = await openHarness();
  const signal = AbortSignal.abort(new Error("too late"));
  await assert.rejects(h.hcn.enumerateNamespaces(QUERY, { signal }), /too late/);
  assert.equal(h.standins.callCount("hcn", "HcnEnumerateNamespaces"), 0);
  await h.assertClean();
});

Deno.test("a late failure after an abort still frees its error record", async () => {
  await using h = await openHarness();
  h.standins.hold("hcn", "HcnOpenEndpoint");
  h.standins.failNext("hcn", "HcnOpenEndpoint", HRESULT.ERROR_NOT_FOUND, '{"Error":"gone"}');
  const frees = h.standins.frees();
  const controller = new AbortController();
  const opening = h.hcn.openEndpoint(EP0, { signal: controller.signal });
  await h.standins.waitUntilHeld("hcn");
  controller.abort(new Error("stop waiting"));
  await assert.rejects(opening, /stop waiting/);
  assert.equal(h.standins.frees() - frees, 0, "the DLL has not returned yet");
  h.standins.release("hcn");
  await h.libraries.settled();
  assert.equal(h.standins.frees() - frees, 1);
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: a call that outlives the adapter's time limit is an OperationTimeoutError; its result is freed`, async () => {
    await using standins = await openStandins(hcs);
    standins.seed(fixture);
    standins.addSystem("uvm-slow", "lcow");
    await using ports = createWindowsPorts({
      vmId: "uvm-slow",
      guest: "lcow",
      timeoutMs: 300,
      libraries: standins.paths,
      hcs,
    });
    standins.hold("hcn", "HcnQueryEndpointProperties");
    await assert.rejects(ports.host.getEndpoint(EP0), OperationTimeoutError);
    standins.release("hcn");
    standins.hold("hcs", "HcsOpenComputeSystem");
    await assert.rejects(
      ports.vm.addNic({ nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", endpointId: EP0 }),
      OperationTimeoutError,
    );
    standins.release("hcs");
    await ports.libraries.settled();
    assert.equal(standins.callCount("hcn", "HcnQueryEndpointProperties"), 1);
    assert.deepEqual(standins.systemState("uvm-slow").Nics, []);
    ports.computeSystem.close();
    // The open runs under its own time limit, which started a moment after the
    // call's. If the hold was released before that one fired too (Windows
    // timers tick every ~16 ms), the open succeeded and the compute system kept
    // its handle; close() then closes it when the open hands it over, in the
    // promise continuations after the DLL returned. Let them run, then check
    // that either way the handle was closed exactly once.
    await new Promise((resolve) => setTimeout(resolve, 0));
    assert.equal(standins.callCount("hcs", "HcsCloseComputeSystem"), 1);
    await standins.assertClean(ports.libraries);
  });
}

Deno.test("the event loop keeps running while a call waits on a worker thread", async () => {
  await using h = await openHarness();
  const handle = await h.hcn.openNamespace(NS);
  h.standins.hold("hcn", "HcnQueryNamespaceProperties");
  const query = h.hcn.queryNamespaceProperties(handle, QUERY);
  // Timers fire while the DLL holds the call: the main thread is free. (A
  // blocking call would hold the main thread instead, and no tick would come
  // before the DLL returned.)
  let ticks = 0;
  await new Promise<void>((resolve) => {
    const timer = setInterval(() => {
      if (++ticks < 5) return;
      clearInterval(timer);
      resolve();
    }, 5);
  });
  assert.equal(h.standins.heldCalls("hcn"), 1, "the call is still in the DLL");
  h.standins.release("hcn");
  assert.equal(JSON.parse(await query).ID, NS);
  h.hcn.closeNamespace(handle);
  await h.assertClean();
});

Deno.test("a failing call on a worker thread rejects with its HResultError", async () => {
  await using h = await openHarness();
  h.standins.setDelay("hcn", "HcnEnumerateEndpoints", 50);
  h.standins.failNext(
    "hcn",
    "HcnEnumerateEndpoints",
    HRESULT.HCN_E_MANAGER_STOPPED,
    '{"Error":"x"}',
  );
  await assert.rejects(
    h.hcn.enumerateEndpoints(QUERY),
    (e: unknown) => e instanceof HResultError && e.hresult === HRESULT.HCN_E_MANAGER_STOPPED,
  );
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: 20 pods set up and torn down concurrently through FFI, their calls overlapping`, async () => {
    await using standins = await openStandins(hcs);
    standins.seed(fixture);
    for (const api of ["hcn", "hcs"] as const) {
      for (const call of SLOW_CALLS[api]) standins.setDelay(api, call, 20);
    }
    await using libraries = new WindowsLibraries(standins.paths, { hcs });
    const pods = Array.from({ length: 20 }, (_, i) => {
      const vmId = `uvm-pod-${i}`;
      standins.addSystem(vmId, i % 2 === 0 ? "lcow" : "wcow");
      const ports = createWindowsPorts({ vmId, guest: i % 2 === 0 ? "lcow" : "wcow", libraries });
      const controller = new NetworkController({ podId: `pod-${i}`, namespaceId: NS }, ports);
      return { vmId, ports, controller };
    });
    try {
      const started = performance.now();
      await Promise.all(pods.map((p) => p.controller.setup()));
      const elapsed = performance.now() - started;
      for (const p of pods) {
        assert.equal(p.controller.state, "Configured");
        assert.equal(standins.systemState(p.vmId).Nics.length, 3);
      }
      assert.ok(standins.maxInFlight("hcn") > 1, "HCN calls never overlapped");
      assert.ok(standins.maxInFlight("hcs") > 1, "HCS calls never overlapped");
      // One pod alone makes at least 14 delayed calls (280 ms): 20 in a row would take 5.6 s.
      assert.ok(elapsed < 4000, `setup of 20 pods took ${Math.round(elapsed)} ms`);
      await Promise.all(pods.map((p) => p.controller.teardown()));
      for (const p of pods) {
        assert.equal(p.controller.state, "TornDown");
        const state = standins.systemState(p.vmId);
        assert.deepEqual([state.Nics, state.GuestAdapters, state.GuestNamespaces], [[], [], []]);
      }
    } finally {
      for (const p of pods) await p.ports.close();
    }
    await standins.assertClean(libraries);
  });
}
