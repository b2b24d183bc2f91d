import assert from "node:assert/strict";
import { HResultError, InvalidArgumentError, PodnetError } from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import {
  type FaultAction,
  type HcsSystemHandle,
  SimulatedCrashError,
  SimulatedHost,
  type SimulatedHostOptions,
} from "../sim.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";
const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';

function hostWith(options: Partial<SimulatedHostOptions> = {}): SimulatedHost {
  const host = new SimulatedHost({ guest: "lcow", ...options });
  host.addNamespace({ ID: NS });
  host.addEndpoint({ ID: EP0 });
  host.addEndpoint({ ID: EP1 });
  return host;
}

function addNic(nicId: string, endpointId: string): string {
  return JSON.stringify({
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nicId}`,
    RequestType: "Add",
    Settings: { EndpointId: endpointId },
  });
}

function lcowAdd(nicId: string): string {
  return JSON.stringify({
    GuestRequest: {
      ResourceType: "Network",
      RequestType: "Add",
      Settings: { NamespaceID: NS, ID: nicId },
    },
  });
}

async function failure(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (err) {
    return err;
  }
  assert.fail("expected the call to fail");
}

Deno.test("sim faults: an hresult fault fails the call with that code and applies nothing", async () => {
  const host = hostWith();
  const vm = await host.hcs.openComputeSystem(host.vmId);
  host.faults.inject({
    on: "vm.add-nic",
    action: { type: "hresult", hresult: HRESULT.HCS_E_INVALID_STATE, message: "busy" },
  });
  const err = await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0)));
  assert.ok(err instanceof HResultError);
  assert.equal(err.hresult, HRESULT.HCS_E_INVALID_STATE);
  assert.equal(err.record?.message, "busy");
  assert.equal(JSON.parse(err.record?.raw ?? "{}").Error, HRESULT.HCS_E_INVALID_STATE | 0);
  assert.deepEqual(host.inventory().vmNics, []);
  assert.deepEqual(host.hostRequests(), []);
  assert.deepEqual(host.faults.pending, []);
  // fired once: the retry succeeds
  await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  // an HCN failure carries an HNS-style record
  host.faults.inject({
    on: "HcnOpenEndpoint",
    action: { type: "hresult", hresult: HRESULT.HCN_E_MANAGER_STOPPED },
  });
  const hcnErr = await failure(host.hcn.openEndpoint(EP0));
  assert.ok(hcnErr instanceof HResultError);
  assert.equal(hcnErr.hresult, HRESULT.HCN_E_MANAGER_STOPPED);
  assert.deepEqual(JSON.parse(hcnErr.record?.raw ?? "{}"), {
    Error: "Simulated failure of HcnOpenEndpoint",
    ErrorCode: HRESULT.HCN_E_MANAGER_STOPPED,
    Success: false,
  });
  assert.equal(host.inventory().openHandles, 1);
  assert.deepEqual(
    host.trace.map((e) => [e.op, e.outcome, e.hresult]),
    [
      ["HcsOpenComputeSystem", "ok", undefined],
      ["vm.add-nic", "error", HRESULT.HCS_E_INVALID_STATE],
      ["vm.add-nic", "ok", undefined],
      ["HcnOpenEndpoint", "error", HRESULT.HCN_E_MANAGER_STOPPED],
    ],
  );
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim faults: nth counts matching calls from the injection; '*' skips close calls", async () => {
  const host = hostWith();
  const h = await host.hcn.openEndpoint(EP0); // before the injection: not counted
  host.faults.inject({
    on: "HcnOpenEndpoint",
    nth: 2,
    action: { type: "hresult", hresult: HRESULT.E_FAIL },
  });
  host.faults.inject({ on: "*", nth: 4, action: { type: "hresult", hresult: HRESULT.E_FAIL } });
  assert.deepEqual(host.faults.pending.map((f) => [f.on, f.nth, f.seen]), [
    ["HcnOpenEndpoint", 2, 0],
    ["*", 4, 0],
  ]);
  host.hcn.closeEndpoint(h); // close: never counted
  const first = await host.hcn.openEndpoint(EP1); // open #1, '*' #1
  host.hcn.closeEndpoint(first);
  await host.hcn.enumerateEndpoints(QUERY); // '*' #2
  const second = await failure(host.hcn.openEndpoint(EP1)); // open #2 fires, '*' #3
  assert.ok(second instanceof HResultError);
  assert.deepEqual(host.faults.pending.map((f) => [f.on, f.seen]), [["*", 3]]);
  await host.hcn.enumerateNamespaces(QUERY).then(
    () => assert.fail("the 4th call of any kind fails"),
    (e) => assert.ok(e instanceof HResultError && e.call === "HcnEnumerateNamespaces"),
  );
  assert.deepEqual(host.faults.pending, []);
  assert.ok(host.isClean());
});

Deno.test("sim faults: when two faults are due on one call the first fires and the other waits", async () => {
  const host = hostWith();
  host.faults.inject({ on: "*", action: { type: "hresult", hresult: 0x80000001 } });
  host.faults.inject({
    on: "HcnEnumerateEndpoints",
    action: { type: "hresult", hresult: 0x80000002 },
  });
  const a = await failure(host.hcn.enumerateEndpoints(QUERY));
  const b = await failure(host.hcn.enumerateEndpoints(QUERY));
  assert.ok(a instanceof HResultError && b instanceof HResultError);
  assert.deepEqual([a.hresult, b.hresult], [0x80000001, 0x80000002]);
  assert.equal(await host.hcn.enumerateEndpoints(QUERY).then((t) => JSON.parse(t).length), 2);
  host.faults.inject({ on: "*", action: { type: "hang" } });
  host.faults.clear();
  assert.deepEqual(host.faults.pending, []);
});

Deno.test("sim faults: vm-gone stops the VM then the call runs on the stopped VM", async () => {
  const host = hostWith({ guest: "wcow" });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
  host.faults.inject({ on: "vm.add-nic", action: { type: "vm-gone" } });
  const err = await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC1, EP1)));
  assert.ok(err instanceof HResultError);
  assert.equal(err.hresult, HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED);
  assert.equal(host.vmRunning, false);
  assert.deepEqual(host.inventory().vmNics, []);
  const open = await failure(host.hcs.openComputeSystem(host.vmId));
  assert.ok(open instanceof HResultError && open.hresult === HRESULT.HCS_E_SYSTEM_NOT_FOUND);
  host.hcs.closeComputeSystem(vm);
  assert.ok(host.isClean());
});

Deno.test("sim faults: guest-gone closes the guest connection then the call runs normally", async () => {
  const host = hostWith();
  const vm = await host.hcs.openComputeSystem(host.vmId);
  await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
  await host.hcs.modifyComputeSystem(vm, lcowAdd(NIC0));
  host.faults.inject({ on: "vm.add-nic", action: { type: "guest-gone" } });
  await host.hcs.modifyComputeSystem(vm, addNic(NIC1, EP1)); // a host request still works
  assert.deepEqual(host.inventory().vmNics, [NIC0, NIC1]);
  assert.deepEqual(host.inventory().guestAdapters, []);
  host.faults.inject({ on: "guest.nic-add", action: { type: "guest-gone" } });
  const err = await failure(host.hcs.modifyComputeSystem(vm, lcowAdd(NIC1)));
  assert.ok(err instanceof HResultError && err.hresult === HRESULT.HCS_E_CONNECTION_CLOSED);
  const props = await host.hcs.getComputeSystemProperties(
    vm,
    '{"PropertyTypes":["GuestConnection"]}',
  );
  assert.equal(JSON.parse(props).GuestConnectionInfo, undefined);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim faults: a hang holds the call until its signal aborts, with no effect", async () => {
  const host = hostWith();
  const vm = await host.hcs.openComputeSystem(host.vmId);
  host.faults.inject({ on: "HcsModifyComputeSystem", action: { type: "hang" } });
  const controller = new AbortController();
  const call = host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0), {
    signal: controller.signal,
  });
  let settled = false;
  call.then(() => settled = true, () => settled = true);
  await new Promise((resolve) => setTimeout(resolve, 5));
  assert.equal(settled, false);
  assert.deepEqual(host.trace.at(-1), {
    seq: 2,
    call: "HcsModifyComputeSystem",
    op: "vm.add-nic",
    target: NIC0,
    outcome: "hang",
  });
  const reason = new Error("time is up");
  controller.abort(reason);
  assert.equal(await failure(call), reason);
  assert.deepEqual(host.inventory().vmNics, []);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim faults: an aborted signal rejects at once with its reason, untraced and uncounted", async () => {
  const host = hostWith();
  host.faults.inject({ on: "*", action: { type: "hresult", hresult: HRESULT.E_FAIL } });
  const reason = new Error("stop");
  const signal = AbortSignal.abort(reason);
  assert.equal(await failure(host.hcn.openNamespace(NS, { signal })), reason);
  assert.equal(await failure(host.hcs.openComputeSystem(host.vmId, { signal })), reason);
  assert.equal(host.trace.length, 0);
  assert.equal(host.faults.pending[0]?.seen, 0);
  assert.ok(host.isClean());
});

Deno.test("sim faults: a crash applies the effect (or not) and throws SimulatedCrashError", async () => {
  const host = hostWith();
  const vm = await host.hcs.openComputeSystem(host.vmId);
  host.faults.inject({ on: "vm.add-nic", action: { type: "crash" } });
  host.faults.inject({ on: "vm.add-nic", action: { type: "crash", applied: false } });
  const applied = await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0)));
  assert.ok(applied instanceof SimulatedCrashError);
  assert.equal(applied instanceof PodnetError, false);
  assert.deepEqual([applied.call, applied.op, applied.applied], [
    "HcsModifyComputeSystem",
    "vm.add-nic",
    true,
  ]);
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  const notApplied = await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC1, EP1)));
  assert.ok(notApplied instanceof SimulatedCrashError && !notApplied.applied);
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  assert.equal(host.hostRequests().length, 1);
  assert.deepEqual(host.trace.slice(1).map((e) => e.outcome), ["crash", "crash"]);
  // a crashed open leaves no handle behind
  host.faults.inject({ on: "HcnOpenNamespace", action: { type: "crash" } });
  assert.ok(await failure(host.hcn.openNamespace(NS)) instanceof SimulatedCrashError);
  assert.equal(host.inventory().openHandles, 1);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim faults: malformed fault specs are rejected", () => {
  const host = hostWith();
  const bad: { on: string; nth?: number; action: FaultAction }[] = [
    { on: "vm.add-nics", action: { type: "hang" } },
    { on: "HcnCloseEndpoint", action: { type: "hang" } },
    { on: "*", nth: 0, action: { type: "hang" } },
    { on: "*", nth: 1.5, action: { type: "hang" } },
    { on: "*", action: { type: "hresult", hresult: 0 } },
    { on: "*", action: { type: "explode" } as unknown as FaultAction },
  ];
  for (const spec of bad) {
    assert.throws(() => host.faults.inject(spec), InvalidArgumentError, JSON.stringify(spec));
  }
  assert.deepEqual(host.faults.pending, []);
});

Deno.test("sim latency: a fixed latency delays calls; aborting during it cancels the call", async () => {
  const host = hostWith({ latency: { "vm.add-nic": 30, "*": 1 } });
  const vm: HcsSystemHandle = await host.hcs.openComputeSystem(host.vmId);
  const started = performance.now();
  await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
  assert.ok(performance.now() - started >= 25, "the add waited its latency");
  const controller = new AbortController();
  const call = host.hcs.modifyComputeSystem(vm, addNic(NIC1, EP1), { signal: controller.signal });
  const reason = new Error("cancel");
  setTimeout(() => controller.abort(reason), 5);
  assert.equal(await failure(call), reason);
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  assert.deepEqual(host.trace.map((e) => [e.op, e.outcome, e.latencyMs]), [
    ["HcsOpenComputeSystem", "ok", 1],
    ["vm.add-nic", "ok", 30],
    ["vm.add-nic", "aborted", 30],
  ]);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim latency: random latency is drawn from the seed, the same seed giving the same delays", async () => {
  async function delays(seed: number): Promise<number[]> {
    const host = hostWith({ latency: { minMs: 1, maxMs: 4 }, seed });
    for (let i = 0; i < 6; i++) await host.hcn.enumerateEndpoints(QUERY);
    return host.trace.map((e) => e.latencyMs ?? -1);
  }
  const a = await delays(7);
  assert.deepEqual(await delays(7), a);
  assert.notDeepEqual(await delays(8), a);
  for (const ms of a) assert.ok(ms >= 1 && ms <= 4, String(ms));
});

Deno.test("sim latency: zero latency never touches timers", async () => {
  const original = globalThis.setTimeout;
  globalThis.setTimeout = (() => {
    throw new Error("setTimeout used");
  }) as unknown as typeof setTimeout;
  try {
    const host = hostWith({ latency: 0 });
    const vm = await host.hcs.openComputeSystem(host.vmId);
    await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
    await host.hcs.modifyComputeSystem(vm, lcowAdd(NIC0));
    const ns = await host.hcn.openNamespace(NS);
    await host.hcn.queryNamespaceProperties(ns, QUERY);
    host.hcn.closeNamespace(ns);
    host.hcs.closeComputeSystem(vm);
    assert.deepEqual(host.trace.map((e) => e.outcome), Array(7).fill("ok"));
  } finally {
    globalThis.setTimeout = original;
  }
});

Deno.test("sim options: malformed options are rejected", () => {
  const bad: unknown[] = [
    { guest: "linux" },
    { guest: "lcow", vmId: "" },
    { guest: "lcow", seed: 1.5 },
    { guest: "lcow", latency: -1 },
    { guest: "lcow", latency: { minMs: 5, maxMs: 1 } },
    { guest: "lcow", latency: { "vm.add-nicc": 1 } },
    { guest: "lcow", latency: { "*": "fast" } },
    { guest: "lcow", latency: null },
    { guest: "lcow", latency: [] },
    { guest: "lcow", latency: "5" },
    { guest: "lcow", namespaceAddRequestSupported: "yes" },
  ];
  for (const options of bad) {
    assert.throws(
      () => new SimulatedHost(options as SimulatedHostOptions),
      InvalidArgumentError,
      JSON.stringify(options),
    );
  }
});

Deno.test("sim trace: numbers entries, names targets and can be cleared", async () => {
  const host = hostWith();
  const ns = await host.hcn.openNamespace(NS.toUpperCase());
  await host.hcn.queryNamespaceProperties(ns, QUERY);
  host.hcn.closeNamespace(ns);
  assert.throws(() => host.hcn.closeNamespace(ns), HResultError);
  assert.deepEqual(host.trace, [
    { seq: 1, call: "HcnOpenNamespace", op: "HcnOpenNamespace", target: NS, outcome: "ok" },
    {
      seq: 2,
      call: "HcnQueryNamespaceProperties",
      op: "HcnQueryNamespaceProperties",
      target: NS,
      outcome: "ok",
    },
    { seq: 3, call: "HcnCloseNamespace", op: "HcnCloseNamespace", target: NS, outcome: "ok" },
    {
      seq: 4,
      call: "HcnCloseNamespace",
      op: "HcnCloseNamespace",
      outcome: "error",
      hresult: HRESULT.E_HANDLE,
    },
  ]);
  const vm = await host.hcs.openComputeSystem(host.vmId);
  await failure(host.hcs.modifyComputeSystem(vm, "{not json"));
  assert.deepEqual(host.trace.at(-1), {
    seq: 6,
    call: "HcsModifyComputeSystem",
    op: "HcsModifyComputeSystem",
    outcome: "error",
    hresult: HRESULT.HCS_E_INVALID_JSON,
  });
  host.clearTrace();
  assert.equal(host.trace.length, 0);
  host.hcs.closeComputeSystem(vm);
  assert.equal(host.trace[0]?.seq, 1);
});

Deno.test("sim faults: a failure or crash due on a call aborted during its latency stays due for the next call", async () => {
  const host = hostWith({ latency: { "vm.add-nic": 50 } });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  host.faults.inject({ on: "vm.add-nic", action: { type: "hresult", hresult: HRESULT.E_FAIL } });
  host.faults.inject({ on: "vm.add-nic", nth: 2, action: { type: "crash", applied: false } });
  const reason = new Error("gave up");
  const abortedCall = () => {
    const controller = new AbortController();
    const call = host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0), {
      signal: controller.signal,
    });
    controller.abort(reason); // during the latency: the call never reaches the host
    return call;
  };
  assert.equal(await failure(abortedCall()), reason);
  assert.deepEqual(host.faults.pending.map((f) => [f.on, f.nth, f.seen, f.action.type]), [
    ["vm.add-nic", 1, 1, "hresult"],
    ["vm.add-nic", 2, 1, "crash"],
  ]);
  const failed = await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0)));
  assert.ok(failed instanceof HResultError && failed.hresult === HRESULT.E_FAIL);
  assert.equal(await failure(abortedCall()), reason);
  assert.equal(host.faults.pending.length, 1, "the crash is still due");
  assert.ok(
    await failure(host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0))) instanceof
      SimulatedCrashError,
  );
  assert.deepEqual(host.faults.pending, []);
  assert.deepEqual(host.trace.slice(1).map((e) => [e.op, e.outcome]), [
    ["vm.add-nic", "aborted"],
    ["vm.add-nic", "error"],
    ["vm.add-nic", "aborted"],
    ["vm.add-nic", "crash"],
  ]);
  // A fault cleared while its call waits stays cleared.
  host.faults.inject({ on: "vm.add-nic", action: { type: "hresult", hresult: HRESULT.E_FAIL } });
  const controller = new AbortController();
  const call = host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0), { signal: controller.signal });
  host.faults.clear();
  controller.abort(reason);
  assert.equal(await failure(call), reason);
  assert.deepEqual(host.faults.pending, []);
  await host.hcs.modifyComputeSystem(vm, addNic(NIC0, EP0));
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim faults: a crashed compute system open leaves no handle; one not applied opens nothing", async () => {
  const host = hostWith();
  host.faults.inject({ on: "HcsOpenComputeSystem", action: { type: "crash" } });
  host.faults.inject({ on: "HcsOpenComputeSystem", action: { type: "crash", applied: false } });
  for (const applied of [true, false]) {
    const err = await failure(host.hcs.openComputeSystem(host.vmId));
    assert.ok(err instanceof SimulatedCrashError && err.applied === applied);
    assert.equal(host.inventory().openHandles, 0);
  }
  assert.deepEqual(host.trace.map((e) => [e.op, e.outcome]), [
    ["HcsOpenComputeSystem", "crash"],
    ["HcsOpenComputeSystem", "crash"],
  ]);
  assert.ok(host.isClean());
});
