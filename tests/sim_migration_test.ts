import assert from "node:assert/strict";
import { createPorts } from "../adapters/create_ports.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import { orderEndpoints } from "../domain/endpoint_order.ts";
import { InvalidArgumentError, NotFoundError } from "../domain/errors.ts";
import { SimulatedHost } from "../sim.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import type { JsonObject } from "../ports/json.ts";
import { readFixture } from "./_fakes/recording_apis.ts";

const POD = "default/web-0";
const SOURCE_NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const DEST_NS = "7e2b3c4d-5e6f-4a71-9bac-1d2e3f4a5b6c";

/**
 * The destination's HCN objects: what CNI made there for the same pod, a new
 * namespace with new endpoints (new IDs, new MACs) of the same names.
 */
async function destinationFixture(): Promise<{ namespace: JsonObject; endpoints: JsonObject[] }> {
  const text = JSON.stringify(await readFixture("pod-3nic.json"))
    .replaceAll(SOURCE_NS, DEST_NS)
    .replaceAll("b1e2c3d4-", "c2f3d4e5-")
    .replaceAll("00-15-5D-52-C0-", "00-15-5D-77-D0-");
  return JSON.parse(text);
}

async function sourceWithPod(guest: GuestPlatform) {
  const source = new SimulatedHost({ guest, vmId: "uvm-pod-a" });
  source.loadFixture(await readFixture("pod-3nic.json"));
  using ports = createPorts({ hcn: source.hcn, hcs: source.hcs, vmId: source.vmId, guest });
  const controller = new NetworkController({ podId: POD, namespaceId: SOURCE_NS }, ports);
  await controller.setup();
  return { source, bindings: controller.bindings };
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`sim migration (${guest}): the destination holds the VM's NICs and guest state, and only its own HCN objects`, async () => {
    const { source, bindings } = await sourceWithPod(guest);
    source.faults.inject({ on: "*", action: { type: "hang" } });
    const before = source.inventory();
    const dest = SimulatedHost.receiveMigration(source, { fixture: await destinationFixture() });
    source.stopVm();

    assert.equal(dest.vmId, "uvm-pod-a", "the VM keeps its ID");
    assert.equal(dest.guest, guest);
    assert.ok(dest.vmRunning && dest.guestConnected);
    const carried = dest.inventory();
    assert.deepEqual(carried.vmNics, before.vmNics);
    assert.deepEqual(carried.guestAdapters, before.guestAdapters);
    assert.deepEqual(carried.guestNamespaces, guest === "wcow" ? [SOURCE_NS] : []);
    assert.equal(carried.openHandles, 0, "handles stay with the source's process");
    assert.deepEqual(dest.faults.pending, [], "faults are the source's, not carried over");
    const state = dest.exportState();
    assert.deepEqual(
      state.vmNics.map((n) => n.endpointId).sort(),
      bindings.map((b) => b.endpointId).sort(),
      "the carried NICs still name the source's endpoints",
    );
    assert.deepEqual(state.namespaces.map((n) => n["ID"]), [DEST_NS]);
    assert.ok(state.endpoints.every((e) => String(e["ID"]).startsWith("c2f3d4e5-")));

    using ports = createPorts({ hcn: dest.hcn, hcs: dest.hcs, vmId: dest.vmId, guest });
    await assert.rejects(ports.host.getNamespace(SOURCE_NS), NotFoundError);
    await assert.rejects(ports.host.getEndpoint(bindings[0]?.endpointId ?? ""), NotFoundError);
    assert.ok(source.isClean(), "the source VM left with the migration");
  });

  Deno.test(`sim migration (${guest}): a reset walked through the ports moves the pod onto the destination's endpoints, and teardown leaves nothing`, async () => {
    const { source, bindings } = await sourceWithPod(guest);
    const dest = SimulatedHost.receiveMigration(source.exportState(), {
      fixture: await destinationFixture(),
    });
    using ports = createPorts({ hcn: dest.hcn, hcs: dest.hcs, vmId: dest.vmId, guest });

    // What resetAfterMigration does on the destination, step by step: the
    // source's NICs out of the guest (under the namespace ID the guest
    // knows), the stale NICs off the VM, then the destination's namespace
    // and endpoints in, each under its derived NIC ID.
    for (const b of [...bindings].reverse()) {
      const nic = { nicId: b.nicId, endpointId: b.endpointId, namespaceId: SOURCE_NS };
      await ports.guest.detach(nic);
      await ports.vm.removeNic({ nicId: b.nicId, endpointId: b.endpointId });
    }
    const sourceDoc = { ID: SOURCE_NS };
    if (guest === "wcow") await ports.guest.removeNamespace({ id: SOURCE_NS, document: sourceDoc });
    assert.deepEqual(dest.inventory().vmNics, []);
    assert.deepEqual(dest.inventory().guestAdapters, []);

    const ns = await ports.host.getNamespace(DEST_NS);
    const endpoints = orderEndpoints(
      await Promise.all(ns.endpointIds.map((id) => ports.host.getEndpoint(id))),
    );
    await ports.guest.addNamespace({ id: ns.id, document: ns.document });
    const added = [];
    for (const endpoint of endpoints) {
      const nicId = deriveNicId(POD, endpoint.id);
      const config = {
        nicId,
        endpointId: endpoint.id,
        namespaceId: ns.id,
        endpoint,
        policyBasedRouting: false,
      };
      await ports.guest.prepare(config);
      await ports.vm.addNic({
        nicId,
        endpointId: endpoint.id,
        ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
      });
      await ports.guest.attach(config);
      added.push({ nicId, endpointId: endpoint.id });
    }
    const moved = dest.exportState();
    assert.deepEqual(
      moved.vmNics.map((n) => n.endpointId).sort(),
      endpoints.map((e) => e.id).sort(),
      "every NIC now names a destination endpoint",
    );
    assert.ok(added.every((n) => !bindings.some((b) => b.nicId === n.nicId)), "new NIC IDs");
    assert.equal(endpoints[0]?.name, "4f1d0c2b9a7e_eth0", "eth0 first");

    for (const n of added.reverse()) {
      await ports.guest.detach({ ...n, namespaceId: ns.id });
      await ports.vm.removeNic(n);
    }
    await ports.guest.removeNamespace({ id: ns.id, document: ns.document });
    ports[Symbol.dispose]();
    assert.ok(dest.isClean());
  });
}

Deno.test("sim migration: the destination refuses what it would on a real host", async () => {
  const { source } = await sourceWithPod("lcow");
  const dest = SimulatedHost.receiveMigration(source, { fixture: await destinationFixture() });
  const [stale] = dest.exportState().vmNics;
  assert.ok(stale);
  // A stale NIC cannot be pointed at its old endpoint: it does not exist here.
  const vm = await dest.hcs.openComputeSystem(dest.vmId);
  await assert.rejects(
    dest.hcs.modifyComputeSystem(
      vm,
      JSON.stringify({
        ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${stale.id}`,
        RequestType: "Update",
        Settings: { EndpointId: stale.endpointId },
      }),
    ),
    /was not found/,
  );
  dest.hcs.closeComputeSystem(vm);
});

Deno.test("sim migration: bad sources and destinations are InvalidArgumentErrors", async () => {
  const fixture = await destinationFixture();
  const stopped = new SimulatedHost({ guest: "lcow" });
  stopped.stopVm();
  assert.throws(
    () => SimulatedHost.receiveMigration(stopped, { fixture }),
    (e) => e instanceof InvalidArgumentError && e.argument === "source",
  );
  assert.throws(
    () => SimulatedHost.receiveMigration({ schemaVersion: 1 } as never, { fixture }),
    InvalidArgumentError,
  );
  const running = new SimulatedHost({ guest: "wcow" });
  assert.throws(
    () => SimulatedHost.receiveMigration(running, undefined as never),
    (e) => e instanceof InvalidArgumentError && e.argument === "destination",
  );
  assert.throws(
    () => SimulatedHost.receiveMigration(running, { fixture: { namespace: {} } }),
    (e) => e instanceof InvalidArgumentError && e.argument === "fixture",
  );
  const moved = SimulatedHost.receiveMigration(running, { fixture, vmId: "uvm-2", latency: 1 });
  assert.equal(moved.vmId, "uvm-2");
  assert.equal(moved.exportState().latency, 1);
});
