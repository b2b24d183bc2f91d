import assert from "node:assert/strict";
import { HResultError, OperationTimeoutError } from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createWindowsPorts } from "../adapters/native/ffi/create_windows_ports.ts";
import { WindowsLibraries } from "../adapters/native/ffi/windows_libraries.ts";
import { HRESULT } from "../adapters/native/hresult.ts";
import { openHarness, openStandins, readFixture } from "./native/standins.ts";

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
  h.standins.setDelay("hcn", "HcnOpenNamespace", 300);
  const controller = new AbortController();
  const reason = new Error("stop waiting");
  const started = performance.now();
  setTimeout(() => controller.abort(reason), 30);
  await assert.rejects(h.hcn.openNamespace(NS, { signal: controller.signal }), (e) => e === reason);
  assert.ok(performance.now() - started < 200, "the abort was not prompt");
  // The DLL is still opening; when it returns, the binding closes the handle.
  assert.equal(h.libraries.pending, 1);
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
  h.standins.setDelay("hcn", "HcnOpenEndpoint", 100);
  h.standins.failNext("hcn", "HcnOpenEndpoint", HRESULT.ERROR_NOT_FOUND, '{"Error":"gone"}');
  const frees = h.standins.frees();
  await assert.rejects(
    h.hcn.openEndpoint(EP0, { signal: AbortSignal.timeout(20) }),
    (e: unknown) => e instanceof DOMException && e.name === "TimeoutError",
  );
  await h.libraries.settled();
  assert.equal(h.standins.frees() - frees, 1);
  await h.assertClean();
});

Deno.test("a call that outlives the adapter's time limit is an OperationTimeoutError; its result is freed", async () => {
  await using standins = await openStandins();
  standins.seed(fixture);
  standins.addSystem("uvm-slow", "lcow");
  await using ports = createWindowsPorts({
    vmId: "uvm-slow",
    guest: "lcow",
    timeoutMs: 50,
    libraries: standins.paths,
  });
  standins.setDelay("hcn", "HcnQueryEndpointProperties", 250);
  await assert.rejects(ports.host.getEndpoint(EP0), OperationTimeoutError);
  standins.setDelay("hcs", "HcsOpenComputeSystem", 250);
  await assert.rejects(
    ports.vm.addNic({ nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", endpointId: EP0 }),
    OperationTimeoutError,
  );
  await ports.libraries.settled();
  assert.equal(standins.callCount("hcn", "HcnQueryEndpointProperties"), 1);
  assert.deepEqual(standins.systemState("uvm-slow").Nics, []);
  ports.computeSystem.close();
  await standins.assertClean(ports.libraries);
});

Deno.test("the event loop keeps running while a call waits on a worker thread", async () => {
  await using h = await openHarness();
  h.standins.setDelay("hcn", "HcnQueryNamespaceProperties", 200);
  const handle = await h.hcn.openNamespace(NS);
  let ticks = 0;
  const timer = setInterval(() => ticks++, 10);
  try {
    await h.hcn.queryNamespaceProperties(handle, QUERY);
  } finally {
    clearInterval(timer);
    h.hcn.closeNamespace(handle);
  }
  assert.ok(ticks >= 8, `only ${ticks} timer ticks during a 200 ms call`);
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

Deno.test("20 pods set up and torn down concurrently through FFI, their calls overlapping", async () => {
  await using standins = await openStandins();
  standins.seed(fixture);
  for (const api of ["hcn", "hcs"] as const) {
    for (const call of SLOW_CALLS[api]) standins.setDelay(api, call, 20);
  }
  await using libraries = new WindowsLibraries(standins.paths);
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
