import assert from "node:assert/strict";
import {
  InvalidArgumentError,
  NotFoundError,
  OperationTimeoutError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { buildVmNicRequest, HcsVmNetwork } from "../adapters/hcs/hcs_vm_network.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { RecordingHcs } from "./_fakes/recording_apis.ts";

const NIC = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const EP = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

function setup(options: { timeoutMs?: number } = {}) {
  const hcs = new RecordingHcs();
  const system = new ComputeSystem(hcs, "uvm-test", options);
  return { hcs, system, vm: new HcsVmNetwork(system) };
}

Deno.test("addNic sends the exact hot-add document", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  await vm.addNic({ nicId: NIC, endpointId: EP, macAddress: "00-15-5D-52-C0-0A" });
  assert.deepEqual(hcs.modifyDocuments(), [{
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC}`,
    RequestType: "Add",
    Settings: { EndpointId: EP, MacAddress: "00-15-5D-52-C0-0A" },
  }]);
  assert.equal(
    hcs.calls[1]?.args[0],
    `{"ResourcePath":"VirtualMachine/Devices/NetworkAdapters/${NIC}","RequestType":"Add",` +
      `"Settings":{"EndpointId":"${EP}","MacAddress":"00-15-5D-52-C0-0A"}}`,
  );
});

Deno.test("removeNic sends the hot-remove document; MacAddress omitted when unknown", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  await vm.removeNic({ nicId: NIC, endpointId: EP });
  await vm.removeNic({ nicId: NIC, endpointId: EP, macAddress: "" });
  const expected = {
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC}`,
    RequestType: "Remove",
    Settings: { EndpointId: EP },
  };
  assert.deepEqual(hcs.modifyDocuments(), [expected, expected]);
});

Deno.test("NIC and endpoint IDs are written in canonical form", () => {
  const doc = buildVmNicRequest("Add", {
    nicId: `{${NIC.toUpperCase()}}`,
    endpointId: EP.toUpperCase(),
  });
  assert.deepEqual(doc, {
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC}`,
    RequestType: "Add",
    Settings: { EndpointId: EP },
  });
});

Deno.test("a NIC ID that is not a GUID is rejected before anything is sent", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  for (const nicId of ["", "eth0", `${NIC}/../../Processor`, `${NIC} `, `{${NIC}`]) {
    await assert.rejects(vm.addNic({ nicId, endpointId: EP }), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.equal(e.argument, "nicId");
      return true;
    });
    await assert.rejects(vm.removeNic({ nicId, endpointId: EP }), InvalidArgumentError);
  }
  await assert.rejects(vm.addNic({ nicId: NIC, endpointId: "nope" }), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.argument, "endpointId");
    return true;
  });
  assert.deepEqual(hcs.callNames(), [], "not even the compute system was opened");
});

Deno.test("not found: the endpoint on add, the NIC on remove", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.HCN_E_ENDPOINT_NOT_FOUND },
    { fail: HRESULT.ERROR_NOT_FOUND },
  );
  await assert.rejects(vm.addNic({ nicId: NIC, endpointId: EP }), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "endpoint");
    assert.equal(e.id, EP);
    return true;
  });
  await assert.rejects(vm.removeNic({ nicId: NIC.toUpperCase(), endpointId: EP }), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "NIC");
    assert.equal(e.id, NIC);
    return true;
  });
});

Deno.test("a VM that is gone is VmUnavailableError naming the NIC", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  hcs.vmState = "Stopped"; // what a fresh look finds
  hcs.script("HcsModifyComputeSystem", { fail: HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED });
  await assert.rejects(vm.removeNic({ nicId: NIC, endpointId: EP }), (e: unknown) => {
    assert.ok(e instanceof VmUnavailableError);
    assert.equal(e.message, `Cannot remove NIC ${NIC}: the VM is gone`);
    return true;
  });
  assert.equal(hcs.openHandles, 0);
});

Deno.test("a hot-add that hangs times out", async () => {
  const { hcs, system, vm } = setup({ timeoutMs: 20 });
  using _ = system;
  hcs.script("HcsModifyComputeSystem", { hang: true });
  await assert.rejects(vm.addNic({ nicId: NIC, endpointId: EP }), (e: unknown) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.operation, `add NIC ${NIC}`);
    return true;
  });
});

Deno.test("updateNic sends an Update with IovSettings; bad settings are refused before anything is sent", async () => {
  const { hcs, system, vm } = setup();
  using _ = system;
  for (const iov of [{}, { offloadWeight: -1 }, { queuePairsRequested: 1.5 }, { other: 1 }]) {
    await assert.rejects(
      vm.updateNic({ nicId: NIC, endpointId: EP }, iov as never),
      InvalidArgumentError,
    );
  }
  assert.deepEqual(hcs.callNames(), [], "not even the compute system was opened");
  await vm.updateNic({ nicId: NIC, endpointId: EP, macAddress: "00-15-5D-52-C0-0A" }, {
    offloadWeight: 0,
    interruptModeration: "Off",
  });
  assert.deepEqual(hcs.modifyDocuments(), [{
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC}`,
    RequestType: "Update",
    Settings: {
      EndpointId: EP,
      MacAddress: "00-15-5D-52-C0-0A",
      IovSettings: { OffloadWeight: 0, InterruptModeration: "Off" },
    },
  }]);
});
