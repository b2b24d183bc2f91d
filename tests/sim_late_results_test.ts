import assert from "node:assert/strict";
import { OperationTimeoutError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../sim.ts";

// The simulated host's work stops with the wait: a call aborted during its
// latency or a hang has no effect, then or later, so it never reports a call
// as abandoned (NativeCallOptions.onAbandoned) and never leaves stragglers.

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const ADD = JSON.stringify({
  ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC0}`,
  RequestType: "Add",
  Settings: { EndpointId: EP0 },
});

function later(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}

function notAbandoned(): never {
  assert.fail("the simulated host stops its work with the wait");
}

Deno.test("sim: a modify aborted during its latency never takes effect, not even after the latency", async () => {
  const host = new SimulatedHost({ guest: "lcow", latency: { "vm.add-nic": 40 } });
  host.addNamespace({ ID: NS });
  host.addEndpoint({ ID: EP0 });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  const controller = new AbortController();
  const call = host.hcs.modifyComputeSystem(vm, ADD, {
    signal: controller.signal,
    onAbandoned: notAbandoned,
  });
  setTimeout(() => controller.abort(new Error("stop")), 5);
  await assert.rejects(call, /stop/);
  await later(80);
  assert.deepEqual(host.inventory().vmNics, []);
  assert.deepEqual(host.hostRequests(), []);
  assert.equal(host.trace.at(-1)?.outcome, "aborted");
  host.hcs.closeComputeSystem(vm);
  assert.ok(host.isClean());
});

Deno.test("sim: a hanging modify cut off by the time limit never takes effect; the next one is sent at once", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.addNamespace({ ID: NS });
  host.addEndpoint({ ID: EP0 });
  host.faults.inject({ on: "vm.add-nic", action: { type: "hang" } });
  using ports = createPorts({
    hcn: host.hcn,
    hcs: host.hcs,
    vmId: host.vmId,
    guest: "lcow",
    timeoutMs: 30,
  });
  await assert.rejects(ports.vm.addNic({ nicId: NIC0, endpointId: EP0 }), OperationTimeoutError);
  assert.equal(ports.computeSystem.stragglers, 0);
  await later(40);
  assert.deepEqual(host.inventory().vmNics, []);
  await ports.vm.addNic({ nicId: NIC0, endpointId: EP0 });
  assert.deepEqual(host.inventory().vmNics, [NIC0]);
  assert.deepEqual(host.trace.filter((e) => e.op === "vm.add-nic").map((e) => e.outcome), [
    "hang",
    "ok",
  ]);
});
