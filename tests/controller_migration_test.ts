/**
 * Live migration end to end, as hcsshim's controller does it, between two
 * simulated hosts: the source sets the pod up and saves; the destination
 * host receives the VM (its NICs and guest state) and has a new namespace
 * with new endpoints; the destination's controller imports, patches,
 * resumes and resets, and the pod ends up on the destination's endpoints.
 */
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import { ResetError } from "../domain/errors.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { destinationEndpointId, migratedFixture } from "./_fakes/migration_fixture.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const DEST_NS = "7e2b3c4d-5e6f-4a71-9bac-1d2e3f4a5b6c";
const POD = "default/web-0";
const EMPTY = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };
const ETH = ["0000", "0001", "0002"].map((n) => `b1e2c3d4-${n}-4a5b-8c6d-7e8f9a0b1c2d`);

async function migrate(guest: "lcow" | "wcow", hostConcurrency = 1) {
  const source = new SimulatedHost({ guest, vmId: "uvm-pod-a" });
  source.loadFixture(fixture);
  const sourcePorts = createPorts({ hcn: source.hcn, hcs: source.hcs, vmId: source.vmId, guest });
  const sourceStore = new MemoryStore();
  const original = new NetworkController(
    { podId: POD, namespaceId: NS, store: sourceStore, hostConcurrency },
    sourcePorts,
  );
  await original.setup();
  const snapshot = JSON.stringify(await original.save());
  // The VM moves: the destination holds its NICs and guest state.
  const dest = SimulatedHost.receiveMigration(source, {
    fixture: migratedFixture(fixture, DEST_NS),
  });
  source.stopVm();
  const destPorts = createPorts({ hcn: dest.hcn, hcs: dest.hcs, vmId: dest.vmId, guest });
  const store = new MemoryStore();
  const controller = NetworkController.import(snapshot, { store, hostConcurrency });
  await controller.patch(DEST_NS);
  await controller.resume(destPorts);
  return { source, sourcePorts, original, sourceStore, dest, destPorts, controller, store };
}

for (const guest of ["lcow", "wcow"] as const) {
  for (const hostConcurrency of [1, 8]) {
    Deno.test(`${guest}, hostConcurrency ${hostConcurrency}: migration moves the pod onto the destination's endpoints`, async () => {
      const m = await migrate(guest, hostConcurrency);
      const carried = m.dest.inventory().vmNics;
      assert.equal(carried.length, 3, "the VM came with the source's NICs");
      await m.controller.resetAfterMigration();
      assert.equal(m.controller.state, "Configured");
      assert.equal(m.controller.destinationNamespaceId, null);
      assert.equal(m.controller.namespaceId, NS, "the guest keeps the pod's namespace ID");
      const expected = ETH.map((e) => deriveNicId(POD, destinationEndpointId(e)));
      assert.deepEqual(m.controller.bindings.map((b) => b.nicId), expected, "eth0 first");
      const inventory = m.dest.inventory();
      assert.deepEqual([...inventory.vmNics].sort(), [...expected].sort());
      assert.ok(carried.every((n) => !inventory.vmNics.includes(n)), "no stale NIC is left");
      assert.equal(inventory.guestAdapters.length, 3);
      if (guest === "wcow") assert.deepEqual(inventory.guestNamespaces, [NS]);
      const state = m.dest.exportState();
      assert.ok(state.vmNics.every((n) => n.endpointId.startsWith("de57de57")));
      if (guest === "lcow") {
        assert.ok(state.guestAdapters.every((a) => a.namespaceId === NS));
      }
      // The record on the destination follows.
      const recorded = await m.store.load(POD);
      assert.equal(recorded?.state, "Configured");
      assert.equal(recorded?.destinationNamespaceId, null);

      // A stray or retried reset does nothing.
      m.dest.clearTrace();
      await m.controller.resetAfterMigration();
      assert.deepEqual(m.dest.trace, []);

      // The source lets go without touching anything; the destination tears down.
      await m.original.teardown();
      assert.equal(m.original.state, "TornDown");
      assert.equal(await m.sourceStore.load(POD), undefined);
      await m.controller.teardown();
      m.destPorts[Symbol.dispose]();
      m.sourcePorts[Symbol.dispose]();
      assert.deepEqual(m.dest.inventory(), EMPTY);
      assert.equal(await m.store.load(POD), undefined);
    });
  }

  Deno.test(`${guest}: a reset that fails on the destination can be retried, then torn down clean`, async () => {
    const m = await migrate(guest);
    m.dest.faults.inject({ on: "vm.add-nic", nth: 2, action: { type: "crash" } });
    await assert.rejects(m.controller.resetAfterMigration(), ResetError);
    assert.equal(m.controller.state, "Invalid");
    assert.equal(m.controller.destinationNamespaceId, DEST_NS);
    const record = await m.store.load(POD);
    assert.ok(record);
    // A new process picks the record up and finishes the reset.
    const again = NetworkController.recover(record, m.destPorts, { store: m.store });
    assert.equal(again.state, "Invalid");
    await again.resetAfterMigration();
    assert.equal(again.state, "Configured");
    assert.equal(m.dest.inventory().vmNics.length, 3);
    await again.teardown();
    m.destPorts[Symbol.dispose]();
    assert.deepEqual(m.dest.inventory(), EMPTY);
  });

  Deno.test(`${guest}: a pod torn down in the middle of a reset leaves nothing`, async () => {
    const m = await migrate(guest);
    m.dest.faults.inject({
      on: "vm.add-nic",
      nth: 1,
      action: { type: "hresult", hresult: 0x80004005 },
    });
    await assert.rejects(m.controller.resetAfterMigration(), ResetError);
    await m.controller.teardown();
    m.destPorts[Symbol.dispose]();
    assert.equal(m.controller.state, "TornDown");
    assert.deepEqual(m.dest.inventory(), EMPTY);
  });
}
