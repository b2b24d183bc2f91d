import assert from "node:assert/strict";
import { InvalidArgumentError, NotFoundError } from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { type HcsSystemHandle, SimulatedHost } from "../sim.ts";
import { hresultOf } from "./_helpers/hresult_failure.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const EP3 = "b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";
const IOV = { OffloadWeight: 100, QueuePairsRequested: 4, InterruptModeration: "Adaptive" };

function nicDoc(nicId: string, type: string, settings?: unknown): string {
  return JSON.stringify({
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nicId}`,
    RequestType: type,
    ...(settings === undefined ? {} : { Settings: settings }),
  });
}

async function withNic(): Promise<{ host: SimulatedHost; vm: HcsSystemHandle }> {
  const host = new SimulatedHost({ guest: "lcow" });
  host.addEndpoint({ ID: EP0 });
  host.addEndpoint({ ID: EP1 });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  await host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC0, "Add", { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A" }),
  );
  return { host, vm };
}

// Source: hcsshim internal/hcs/schema2/network_adapter.go and iov_settings.go
// (EndpointId, MacAddress, IovSettings all omitempty; OffloadWeight and
// QueuePairsRequested *uint32; InterruptModeration one of six names), and
// internal/uvm/computeagent.go (ModifyNIC sends EndpointId, MacAddress and all
// three IOV fields with RequestType Update).
Deno.test("sim hcs (hcsshim schema2/network_adapter.go, uvm/computeagent.go): an Update as hcsshim sends it keeps the NIC's IovSettings", async () => {
  const { host, vm } = await withNic();
  await host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC0, "Update", { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A", IovSettings: IOV }),
  );
  assert.deepEqual(host.vmNics(), [{
    id: NIC0,
    endpointId: EP0,
    macAddress: "00-15-5D-52-C0-0A",
    iovSettings: IOV,
  }]);
  // A field left out keeps its value; settings without EndpointId are fine.
  await host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC0, "Update", { IovSettings: { OffloadWeight: 0 } }),
  );
  assert.deepEqual(host.vmNics()[0]?.iovSettings, { ...IOV, OffloadWeight: 0 });
  assert.deepEqual(host.exportState().vmNics[0]?.iovSettings, { ...IOV, OffloadWeight: 0 });
  // Every mode HCS names, and the u32 bounds, are taken.
  for (const mode of ["Default", "Adaptive", "Off", "Low", "Medium", "High"]) {
    await host.hcs.modifyComputeSystem(
      vm,
      nicDoc(NIC0, "Update", {
        IovSettings: {
          OffloadWeight: 4294967295,
          QueuePairsRequested: 0,
          InterruptModeration: mode,
        },
      }),
    );
  }
  assert.equal(host.vmNics()[0]?.iovSettings?.InterruptModeration, "High");
  // An Add may carry IovSettings too.
  await host.hcs.modifyComputeSystem(
    vm,
    nicDoc(NIC1, "Add", { EndpointId: EP1, IovSettings: IOV }),
  );
  assert.deepEqual(host.vmNics()[1]?.iovSettings, IOV);
  assert.equal(host.trace.filter((t) => t.op === "vm.update-nic").length, 8);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim hcs (hcsshim schema2/iov_settings.go): IovSettings out of shape or range is HCS_E_INVALID_JSON and changes nothing", async () => {
  const { host, vm } = await withNic();
  const bad: unknown[] = [
    { ...IOV, OffloadWeight: -1 },
    { ...IOV, OffloadWeight: 4294967296 },
    { ...IOV, QueuePairsRequested: 1.5 },
    { ...IOV, QueuePairsRequested: "4" },
    { ...IOV, InterruptModeration: "adaptive" },
    { ...IOV, InterruptModeration: 1 },
    { ...IOV, Extra: true },
    null,
    [],
  ];
  for (const iov of bad) {
    assert.equal(
      await hresultOf(
        host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Update", { IovSettings: iov })),
      ),
      HRESULT.HCS_E_INVALID_JSON,
      JSON.stringify(iov),
    );
  }
  // hcsshim internal/vm/vmmanager/network.go refuses an Update without settings.
  assert.equal(
    await hresultOf(host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Update"))),
    HRESULT.HCS_E_INVALID_JSON,
  );
  // An Add still needs an endpoint to connect the NIC to.
  assert.equal(
    await hresultOf(host.hcs.modifyComputeSystem(vm, nicDoc(NIC1, "Add", { IovSettings: IOV }))),
    HRESULT.HCS_E_INVALID_JSON,
  );
  assert.equal(host.vmNics()[0]?.iovSettings, undefined);
  assert.equal(host.hostRequests().length, 1);
  host.hcs.closeComputeSystem(vm);
});

// Source: hcsshim internal/hcs/errors.go, ErrElementNotFound = 0x490, "the
// object being referenced does not exist": the code HCS gives for a resource
// path naming no device.
Deno.test("sim hcs (hcsshim internal/hcs/errors.go ErrElementNotFound): an Update of a NIC the VM does not have is ERROR_NOT_FOUND", async () => {
  const { host, vm } = await withNic();
  assert.equal(
    await hresultOf(
      host.hcs.modifyComputeSystem(
        vm,
        nicDoc(NIC1, "Update", { EndpointId: EP1, IovSettings: IOV }),
      ),
    ),
    HRESULT.ERROR_NOT_FOUND,
  );
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim hcs: faults and latency apply to a NIC Update (op vm.update-nic) like every other call", async () => {
  const host = new SimulatedHost({ guest: "wcow", latency: { "vm.update-nic": 5 } });
  host.addEndpoint({ ID: EP0 });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Add", { EndpointId: EP0 }));
  host.faults.inject({
    on: "vm.update-nic",
    action: { type: "hresult", hresult: HRESULT.E_INVALIDARG },
  });
  const update = nicDoc(NIC0, "Update", { EndpointId: EP0, IovSettings: IOV });
  assert.equal(await hresultOf(host.hcs.modifyComputeSystem(vm, update)), HRESULT.E_INVALIDARG);
  assert.equal(host.vmNics()[0]?.iovSettings, undefined);
  host.faults.inject({ on: "vm.update-nic", action: { type: "crash" } });
  await assert.rejects(host.hcs.modifyComputeSystem(vm, update));
  assert.deepEqual(host.vmNics()[0]?.iovSettings, IOV); // applied, answer lost
  const updates = host.trace.filter((t) => t.op === "vm.update-nic");
  assert.equal(updates.length, 2);
  assert.ok(updates.every((t) => t.target === NIC0));
  host.hcs.closeComputeSystem(vm);
});

Deno.test("sim file: a NIC's IovSettings are kept in the host file", async () => {
  const path = `${await Deno.makeTempDir()}/host.json`;
  const { host, vm } = await withNic();
  await host.hcs.modifyComputeSystem(vm, nicDoc(NIC0, "Update", { IovSettings: IOV }));
  host.hcs.closeComputeSystem(vm);
  SimulatedHost.createFile(path, host.exportState());
  const a = SimulatedHost.openFile(path);
  assert.deepEqual(a.vmNics()[0]?.iovSettings, IOV);
  const avm = await a.hcs.openComputeSystem(a.vmId);
  await a.hcs.modifyComputeSystem(
    avm,
    nicDoc(NIC0, "Update", { IovSettings: { OffloadWeight: 7 } }),
  );
  a.hcs.closeComputeSystem(avm);
  const b = SimulatedHost.openFile(path);
  assert.deepEqual(b.vmNics()[0]?.iovSettings, { ...IOV, OffloadWeight: 7 });
  // A state file with IovSettings out of range is refused.
  const state = b.exportState();
  const broken = {
    ...state,
    vmNics: state.vmNics.map((n) => ({ ...n, iovSettings: { OffloadWeight: -1 } })),
  };
  assert.throws(() => SimulatedHost.fromState(broken), InvalidArgumentError);
});

async function namespaceEndpoints(host: SimulatedHost): Promise<string[]> {
  const ns = await host.hcn.openNamespace(NS);
  try {
    const doc = JSON.parse(
      await host.hcn.queryNamespaceProperties(ns, '{"SchemaVersion":{"Major":2,"Minor":0}}'),
    );
    return (doc.Resources as { Type: string; Data: { ID: string } }[])
      .filter((r) => r.Type === "Endpoint")
      .map((r) => r.Data.ID);
  } finally {
    host.hcn.closeNamespace(ns);
  }
}

Deno.test("sim host: addNamespaceEndpoint and removeNamespaceEndpoint change a namespace while pods run", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.addNamespace({
    ID: NS,
    Resources: [{ Type: "Endpoint", Data: { ID: EP0 } }],
    SchemaVersion: { Major: 2, Minor: 0 },
  });
  host.addEndpoint({ ID: EP0, HostComputeNamespace: NS });
  const id = host.addNamespaceEndpoint(NS.toUpperCase(), {
    ID: EP3.toUpperCase(),
    Name: "pod_eth1",
  });
  assert.equal(id, EP3);
  assert.deepEqual(await namespaceEndpoints(host), [EP0, EP3]);
  const endpoint = host.exportState().endpoints.find((e) => e["ID"] === EP3.toUpperCase());
  assert.equal(endpoint?.["HostComputeNamespace"], NS);
  // Nothing changes on a refusal.
  const before = JSON.stringify(host.exportState());
  assert.throws(() => host.addNamespaceEndpoint(NS, { ID: EP3 }), InvalidArgumentError);
  assert.throws(
    () => host.addNamespaceEndpoint(NS, { ID: EP1, HostComputeNamespace: EP0 }),
    InvalidArgumentError,
  );
  assert.throws(() => host.addNamespaceEndpoint(EP0, { ID: EP1 }), NotFoundError);
  assert.throws(() => host.addNamespaceEndpoint(NS, { Name: "x" }), InvalidArgumentError);
  assert.equal(JSON.stringify(host.exportState()), before);

  // Only out of the namespace: the endpoint stays.
  assert.deepEqual(host.removeNamespaceEndpoint(EP0, { keepEndpoint: true }), [NS]);
  assert.deepEqual(await namespaceEndpoints(host), [EP3]);
  const ep0 = await host.hcn.openEndpoint(EP0);
  host.hcn.closeEndpoint(ep0);
  // Deleted: reads fail as HCN's would.
  assert.deepEqual(host.removeNamespaceEndpoint(EP3), [NS]);
  assert.deepEqual(await namespaceEndpoints(host), []);
  assert.equal(await hresultOf(host.hcn.openEndpoint(EP3)), HRESULT.HCN_E_ENDPOINT_NOT_FOUND);
  assert.throws(() => host.removeNamespaceEndpoint(EP3), NotFoundError);
  assert.throws(() => host.removeNamespaceEndpoint("not-a-guid"), NotFoundError);
});

Deno.test("sim file: namespace endpoint changes reach every process on the file", async () => {
  const path = `${await Deno.makeTempDir()}/host.json`;
  const seed = new SimulatedHost({ guest: "wcow" });
  seed.addNamespace({ ID: NS, Resources: [] });
  SimulatedHost.createFile(path, seed.exportState());
  const a = SimulatedHost.openFile(path);
  const b = SimulatedHost.openFile(path);
  a.addNamespaceEndpoint(NS, { ID: EP1 });
  assert.deepEqual(await namespaceEndpoints(b), [EP1]);
  b.removeNamespaceEndpoint(EP1);
  assert.deepEqual(await namespaceEndpoints(a), []);
  assert.equal(a.exportState().endpoints.length, 0);
});
