import assert from "node:assert/strict";
import { HResultError } from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { type HcsSystemHandle, SimulatedHost } from "../sim.ts";
import { hresultErrorOf } from "./_helpers/hresult_failure.ts";

const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";
const GUEST_QUERY = '{"PropertyTypes":["GuestConnection"]}';

function nicDoc(nicId: string, type: string, settings?: unknown): string {
  return JSON.stringify({
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nicId}`,
    RequestType: type,
    ...(settings === undefined ? {} : { Settings: settings }),
  });
}

async function opened(
  guest: "lcow" | "wcow" = "lcow",
): Promise<{ host: SimulatedHost; vm: HcsSystemHandle }> {
  const host = new SimulatedHost({ guest });
  host.addEndpoint({ ID: EP0 });
  host.addEndpoint({ ID: EP1 });
  return { host, vm: await host.hcs.openComputeSystem(host.vmId) };
}

Deno.test("sim hcs: the VM opens by its ID (any case); unknown or stopped VMs are not found", async () => {
  const host = new SimulatedHost({ guest: "lcow", vmId: "UVM-A" });
  assert.equal(host.vmId, "UVM-A");
  const h = await host.hcs.openComputeSystem("uvm-a");
  assert.equal(host.inventory().openHandles, 1);
  host.hcs.closeComputeSystem(h);
  assert.equal(
    (await hresultErrorOf(host.hcs.openComputeSystem("uvm-b"))).hresult,
    HRESULT.HCS_E_SYSTEM_NOT_FOUND,
  );
  host.stopVm();
  const err = await hresultErrorOf(host.hcs.openComputeSystem("UVM-A"));
  assert.equal(err.hresult, HRESULT.HCS_E_SYSTEM_NOT_FOUND);
  assert.equal(err.record?.hresult, HRESULT.HCS_E_SYSTEM_NOT_FOUND);
  assert.ok(JSON.parse(err.record?.raw ?? "{}").ErrorEvents.length > 0);
  assert.equal(host.vmRunning, false);
  assert.ok(host.isClean());
});

Deno.test("sim hcs: a handle of a stopped VM fails HCS_E_SYSTEM_ALREADY_STOPPED; closed handles fail E_HANDLE", async () => {
  const { host, vm } = await opened();
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Add", { EndpointId: EP0 }));
  host.stopVm();
  assert.deepEqual(host.inventory().vmNics, []);
  const modify = await hresultErrorOf(host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Remove")));
  assert.equal(modify.hresult, HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED);
  const props = await hresultErrorOf(host.hcs.getComputeSystemProperties(vm, GUEST_QUERY));
  assert.equal(props.hresult, HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED);
  assert.equal(host.inventory().openHandles, 1, "the handle stays open until closed");
  host.hcs.closeComputeSystem(vm);
  assert.throws(
    () => host.hcs.closeComputeSystem(vm),
    (e) => e instanceof HResultError && e.hresult === HRESULT.E_HANDLE,
  );
  assert.equal(
    (await hresultErrorOf(host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Remove")))).hresult,
    HRESULT.E_HANDLE,
  );
  assert.ok(host.isClean());
});

Deno.test("sim hcs: VM NIC add, update and remove follow the host's rules", async () => {
  const { host, vm } = await opened();
  const add = nicDoc(NIC0, "Add", { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A" });
  await host.hcs.modifyComputeSystem(vm, add);
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  assert.equal(
    (await hresultErrorOf(host.hcs.modifyComputeSystem(vm, add))).hresult,
    HRESULT.ERROR_ALREADY_EXISTS,
  );
  // the same endpoint cannot back a second NIC
  const twice = await hresultErrorOf(
    host.hcs.modifyComputeSystem(vm, nicDoc(NIC1, "Add", { EndpointId: EP0 })),
  );
  assert.equal(twice.hresult, HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED);
  const missing = await hresultErrorOf(host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC1, "Add", { EndpointId: "00000000-0000-4000-8000-000000000000" }),
  ));
  assert.equal(missing.hresult, HRESULT.HCN_E_ENDPOINT_NOT_FOUND);
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC0.toUpperCase(), "Update", { EndpointId: EP1 }));
  assert.equal(
    (await hresultErrorOf(
      host.hcs.modifyComputeSystem(vm, nicDoc(NIC1, "Update", { EndpointId: EP1 })),
    )).hresult,
    HRESULT.ERROR_NOT_FOUND,
  );
  await host.hcs.modifyComputeSystem(vm, nicDoc(`{${NIC0}}`, "Remove", { EndpointId: EP1 }));
  assert.equal(
    (await hresultErrorOf(host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Remove")))).hresult,
    HRESULT.ERROR_NOT_FOUND,
  );
  assert.equal(host.hostRequests().length, 3);
  assert.deepEqual(host.hostRequests()[0], JSON.parse(add));
  assert.deepEqual(host.guestRequests(), []);
  host.hcs.closeComputeSystem(vm);
  assert.ok(host.isClean());
});

Deno.test("sim hcs: modify documents are strict", async () => {
  const { host, vm } = await opened();
  const path = `VirtualMachine/Devices/NetworkAdapters/${NIC0}`;
  const invalidJson: unknown[] = [
    "not json",
    {},
    { ResourcePath: path },
    { ResourcePath: path, RequestType: "Add" },
    { ResourcePath: path, RequestType: "Attach", Settings: { EndpointId: EP0 } },
    { ResourcePath: path, RequestType: "Add", Settings: { EndpointId: EP0 }, Extra: 1 },
    { ResourcePath: path, RequestType: "Add", Settings: { EndpointId: EP0, Mac: "x" } },
    { ResourcePath: path, RequestType: "Add", Settings: { EndpointId: "eth0" } },
    { ResourcePath: path, RequestType: "Add", Settings: { EndpointId: EP0, MacAddress: 5 } },
    { ResourcePath: path, RequestType: "Add", Settings: { EndpointId: EP0, MacAddress: "00-15" } },
    { GuestRequest: { ResourceType: "Network", RequestType: "Add" }, RequestType: "Add" },
  ];
  for (const doc of invalidJson) {
    const text = typeof doc === "string" ? doc : JSON.stringify(doc);
    const err = await hresultErrorOf(host.hcs.modifyComputeSystem(vm, text));
    assert.equal(err.hresult, HRESULT.HCS_E_INVALID_JSON, text);
    assert.equal(err.call, "HcsModifyComputeSystem");
  }
  // An LCOW adapter with no ID decodes (Go's zero value, ""), then names no
  // NIC's device: E_FAIL, and the host part carried with it is undone too.
  const unnamed = await hresultErrorOf(host.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({
      ResourcePath: path,
      RequestType: "Add",
      Settings: { EndpointId: EP0 },
      GuestRequest: { ResourceType: "Network", RequestType: "Add", Settings: {} },
    }),
  ));
  assert.equal(unnamed.hresult, HRESULT.E_FAIL);
  for (
    const bad of ["VirtualMachine/Devices/NetworkAdapters/eth0", "VirtualMachine/Devices/Scsi/0"]
  ) {
    const err = await hresultErrorOf(host.hcs.modifyComputeSystem(
      vm,
      JSON.stringify({ ResourcePath: bad, RequestType: "Add", Settings: { EndpointId: EP0 } }),
    ));
    assert.equal(err.hresult, HRESULT.E_INVALIDARG, bad);
  }
  assert.deepEqual(host.inventory().vmNics, []);
  assert.deepEqual(host.hostRequests(), []);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim hcs: GuestConnection properties report the capability until the guest is gone", async () => {
  for (const supported of [true, false]) {
    const host = new SimulatedHost({ guest: "wcow", namespaceAddRequestSupported: supported });
    const vm = await host.hcs.openComputeSystem(host.vmId);
    const running = { Id: host.vmId, State: "Running", Stopped: false };
    assert.deepEqual(JSON.parse(await host.hcs.getComputeSystemProperties(vm, GUEST_QUERY)), {
      ...running,
      GuestConnectionInfo: {
        GuestDefinedCapabilities: { NamespaceAddRequestSupported: supported },
      },
    });
    assert.deepEqual(JSON.parse(await host.hcs.getComputeSystemProperties(vm, "")), running);
    host.pauseVm();
    assert.deepEqual(JSON.parse(await host.hcs.getComputeSystemProperties(vm, "")), {
      ...running,
      State: "Paused",
    });
    host.resumeVm();
    host.disconnectGuest();
    assert.equal(host.guestConnected, false);
    assert.deepEqual(
      JSON.parse(await host.hcs.getComputeSystemProperties(vm, GUEST_QUERY)),
      running,
    );
    assert.equal(
      (await hresultErrorOf(
        host.hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["Memory"]}'),
      ))
        .hresult,
      HRESULT.E_INVALIDARG,
    );
    assert.equal(
      (await hresultErrorOf(host.hcs.getComputeSystemProperties(vm, "{"))).hresult,
      HRESULT.HCS_E_INVALID_JSON,
    );
    host.hcs.closeComputeSystem(vm);
  }
});

Deno.test("sim hcs: an update checks its endpoint like an add; HCN handles are not compute system handles", async () => {
  const { host, vm } = await opened();
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Add", { EndpointId: EP0 }));
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC1, "Add", { EndpointId: EP1 }));
  const missing = await hresultErrorOf(host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC0, "Update", { EndpointId: "00000000-0000-4000-8000-000000000000" }),
  ));
  assert.equal(missing.hresult, HRESULT.HCN_E_ENDPOINT_NOT_FOUND);
  const taken = await hresultErrorOf(
    host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Update", { EndpointId: EP1 })),
  );
  assert.equal(taken.hresult, HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED);
  // Re-pointing a NIC at the endpoint it already uses is fine.
  await host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC0, "Update", { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A" }),
  );
  assert.equal(host.hostRequests().length, 3);

  const ep = await host.hcn.openEndpoint(EP0);
  const wrongKind = ep as unknown as HcsSystemHandle;
  for (
    const call of [
      () => host.hcs.modifyComputeSystem(wrongKind, nicDoc(NIC0, "Remove")),
      () => host.hcs.getComputeSystemProperties(wrongKind, GUEST_QUERY),
    ]
  ) {
    assert.equal((await hresultErrorOf(call())).hresult, HRESULT.E_HANDLE);
  }
  assert.throws(
    () => host.hcs.closeComputeSystem(wrongKind),
    (e) => e instanceof HResultError && e.hresult === HRESULT.E_HANDLE,
  );
  host.hcn.closeEndpoint(ep);
  assert.deepEqual(host.inventory().vmNics, [NIC0, NIC1]);
  host.hcs.closeComputeSystem(vm);
});
