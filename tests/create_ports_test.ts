import assert from "node:assert/strict";
import { InvalidArgumentError, OperationTimeoutError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { LcowGuestNetwork } from "../adapters/guest/lcow.ts";
import { WcowGuestNetwork } from "../adapters/guest/wcow.ts";
import { HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { HcsVmNetwork } from "../adapters/hcs/hcs_vm_network.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import { readFixture, RecordingHcn, RecordingHcs } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const NIC = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const EP = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

Deno.test("createPorts wires the chosen guest over one shared compute system", async () => {
  const hcn = new RecordingHcn();
  hcn.loadFixture(await readFixture("pod-3nic.json"));
  const hcs = new RecordingHcs();
  {
    using ports = createPorts({ hcn, hcs, vmId: "uvm-test", guest: "wcow" });
    assert.ok(ports.host instanceof HcnHostNetwork);
    assert.ok(ports.vm instanceof HcsVmNetwork);
    assert.ok(ports.guest instanceof WcowGuestNetwork);
    assert.equal(ports.computeSystem.vmId, "uvm-test");
    const ns = await ports.host.getNamespace(NS);
    await ports.guest.addNamespace({ id: ns.id, document: ns.document });
    await ports.vm.addNic({ nicId: NIC, endpointId: EP });
    assert.equal(hcs.opened, 1);
    assert.equal(hcs.openHandles, 1);
  }
  assert.equal(hcs.openHandles, 0, "dispose closed the handle");
});

Deno.test("createPorts builds an LCOW guest and passes the time limit on", async () => {
  const hcn = new RecordingHcn();
  const hcs = new RecordingHcs();
  using ports = createPorts({ hcn, hcs, vmId: "uvm-test", guest: "lcow", timeoutMs: 20 });
  assert.ok(ports.guest instanceof LcowGuestNetwork);
  assert.equal(ports.guest.platform, "lcow");
  assert.equal(ports.computeSystem.timeoutMs, 20);
  assert.ok(ports.host instanceof HcnHostNetwork);
  assert.equal(ports.host.timeoutMs, 20);
  hcs.script("HcsModifyComputeSystem", { hang: true });
  await assert.rejects(ports.vm.removeNic({ nicId: NIC, endpointId: EP }), OperationTimeoutError);
  hcn.script("HcnOpenNamespace", { hang: true });
  await assert.rejects(ports.host.getNamespace(NS), OperationTimeoutError);
});

Deno.test("createPorts rejects an unknown guest platform, an empty VM ID and a bad time limit", () => {
  const hcn = new RecordingHcn();
  const hcs = new RecordingHcs();
  const guest = "linux" as unknown as GuestPlatform;
  assert.throws(() => createPorts({ hcn, hcs, vmId: "uvm", guest }), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.argument, "guest");
    return true;
  });
  assert.throws(() => createPorts({ hcn, hcs, vmId: "", guest: "lcow" }), InvalidArgumentError);
  assert.throws(
    () => createPorts({ hcn, hcs, vmId: "uvm", guest: "lcow", timeoutMs: -1 }),
    InvalidArgumentError,
  );
  assert.deepEqual(hcs.calls, []);
});

Deno.test("createPorts names the argument it cannot use, before anything is made", () => {
  const hcn = new RecordingHcn();
  const hcs = new RecordingHcs();
  const cases: [unknown, string][] = [
    [undefined, "options"],
    [null, "options"],
    ["lcow", "options"],
    [{ hcs, vmId: "uvm", guest: "lcow" }, "hcn"],
    [{ hcn: {}, hcs, vmId: "uvm", guest: "lcow" }, "hcn"],
    [{ hcn, hcs: { openComputeSystem: 1 }, vmId: "uvm", guest: "lcow" }, "hcs"],
    [{ hcn, hcs, vmId: 7, guest: "lcow" }, "vmId"],
    [{ hcn, hcs, vmId: "uvm", guest: "lcow", timeoutMs: 2 ** 31 }, "timeoutMs"],
    [{ hcn, hcs, vmId: "uvm", guest: "lcow", timeoutMs: Infinity }, "timeoutMs"],
    [{ hcn, hcs, vmId: "uvm", guest: "lcow", timeoutMs: "30" }, "timeoutMs"],
  ];
  for (const [options, argument] of cases) {
    assert.throws(
      () => createPorts(options as never),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === argument,
      `${argument}: ${Deno.inspect(options, { depth: 0 })}`,
    );
  }
  assert.deepEqual(hcs.calls, []);
  assert.deepEqual(hcn.calls, []);
  // The longest limit a timer can hold is taken.
  using ports = createPorts({ hcn, hcs, vmId: "uvm", guest: "lcow", timeoutMs: 2 ** 31 - 1 });
  assert.equal(ports.computeSystem.timeoutMs, 2 ** 31 - 1);
});
