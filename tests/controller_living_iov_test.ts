// SR-IOV settings on a running pod, where an update's outcome is unknown or
// refused: the NIC stays where it is, the record keeps what the VM holds,
// and recovery reaches an end.
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import { NicChangeError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { FileStore } from "../adapters/store/file_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID.toLowerCase();
const ETH1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";

async function runningPod(store: MemoryStore | FileStore = new MemoryStore()) {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const controller = new NetworkController({ podId: "pod-iov", namespaceId: NS, store }, ports);
  await controller.setup();
  return { host, ports, controller, store };
}

const names = (c: NetworkController) => c.bindings.map((b) => b.endpointName);
const nicOf = (host: SimulatedHost, c: NetworkController, endpointId: string) => {
  const nicId = c.bindings.find((b) => b.endpointId === endpointId)?.nicId;
  return host.vmNics().find((n) => n.id === nicId);
};

Deno.test("an update changes only the fields it names: the record and the VM agree", async () => {
  const { host, controller } = await runningPod();
  await controller.updateEndpoint(ETH1, { iov: { queuePairsRequested: 4 } });
  await controller.updateEndpoint(ETH1, { iov: { offloadWeight: 7 } });
  const binding = controller.bindings.find((b) => b.endpointId === ETH1);
  assert.deepEqual(binding?.iov?.settings, { queuePairsRequested: 4, offloadWeight: 7 });
  assert.deepEqual(nicOf(host, controller, ETH1)?.iovSettings, {
    QueuePairsRequested: 4,
    OffloadWeight: 7,
  });
  await controller.teardown();
});

Deno.test("sync and addEndpoint leave an attached NIC whose settings are pending where it is", async () => {
  const { host, controller } = await runningPod();
  await controller.updateEndpoint(ETH1, { iov: { offloadWeight: 5 } });
  host.faults.inject({ on: "vm.update-nic", nth: 1, action: { type: "crash", applied: true } });
  await assert.rejects(controller.updateEndpoint(ETH1, { iov: { offloadWeight: 9 } }));
  host.faults.clear();
  const order = names(controller);
  const before = host.trace.length;
  assert.deepEqual(await controller.sync(), { added: [], removed: [] });
  assert.equal(await controller.addEndpoint(ETH1), false);
  const modifies = host.trace.slice(before).filter((t) => t.call === "HcsModifyComputeSystem");
  assert.deepEqual(modifies, [], "no NIC was taken off or added");
  assert.deepEqual(names(controller), order);
  // The settings are still pending: finishInterrupted() applies them.
  const result = await controller.finishInterrupted();
  assert.deepEqual(result.reapplied, [ETH1]);
  assert.equal(nicOf(host, controller, ETH1)?.iovSettings?.OffloadWeight, 9);
  await controller.teardown();
  assert.deepEqual(host.vmNics(), []);
});

Deno.test("an interrupted update that the host then refuses is reported once and ends", async () => {
  const store = new MemoryStore();
  const { host, ports, controller } = await runningPod(store);
  await controller.updateEndpoint(ETH1, { iov: { offloadWeight: 5 } });
  host.faults.inject({ on: "vm.update-nic", nth: 1, action: { type: "crash", applied: false } });
  await assert.rejects(controller.updateEndpoint(ETH1, { iov: { offloadWeight: 9 } }));
  host.faults.clear();
  const snapshot = await store.load("pod-iov");
  assert.ok(snapshot !== undefined);
  const recovered = NetworkController.recover(snapshot, ports, { store });
  host.faults.inject({
    on: "vm.update-nic",
    nth: 1,
    action: { type: "hresult", hresult: HRESULT.E_INVALIDARG },
  });
  const error = await recovered.finishInterrupted().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof NicChangeError, String(error));
  assert.equal(error.undone, true);
  host.faults.clear();
  const after = await store.load("pod-iov");
  assert.equal(after?.operation, null, "the refused update no longer blocks the pod");
  // Nothing left to finish; the pod takes NIC operations again.
  assert.deepEqual(await recovered.finishInterrupted(), { removed: [], reapplied: [] });
  await recovered.updateEndpoint(ETH1, { iov: { offloadWeight: 3 } });
  assert.equal(nicOf(host, recovered, ETH1)?.iovSettings?.OffloadWeight, 3);
  await recovered.teardown();
  assert.deepEqual(host.vmNics(), []);
});

/** A file store that counts its whole writes (`save`), the journal's folds included. */
class SaveCountingFileStore extends FileStore {
  saves = 0;
  override save(snapshot: Parameters<FileStore["save"]>[0]): Promise<void> {
    this.saves++;
    return super.save(snapshot);
  }
}

Deno.test("a failed fold of the journal does not stop the pod from recording: the next write is whole", async () => {
  const dir = await Deno.makeTempDir({ prefix: "podnet-flaky-" });
  const sync = Deno.FsFile.prototype.sync;
  try {
    const store = new SaveCountingFileStore(dir);
    const { host, controller } = await runningPod(store);
    // Appends until the journal outgrows the record and the store folds it
    // into a whole write, whose flush fails once (a full disk, say).
    const saves = store.saves;
    let failed = 0;
    Deno.FsFile.prototype.sync = function (this: Deno.FsFile) {
      if (store.saves > saves && failed === 0) {
        failed++;
        return Promise.reject(new Deno.errors.Interrupted("EIO"));
      }
      return sync.call(this);
    };
    for (let i = 0; failed === 0 && i < 200; i++) {
      await controller.updateEndpoint(ETH1, { iov: { offloadWeight: i } }).catch(() => {});
    }
    assert.equal(failed, 1, "the fold was attempted and failed");
    await controller.updateEndpoint(ETH1, { iov: { offloadWeight: 4242 } });
    await controller.addEndpoint(ETH1);
    const loaded = await new FileStore(dir).load("pod-iov");
    const binding = loaded?.bindings.find((b) => b.endpointId === ETH1);
    assert.deepEqual(binding?.iov, { settings: { offloadWeight: 4242 }, progress: "done" });
    assert.equal(loaded?.operation, null);
    await controller.teardown();
    assert.deepEqual(host.vmNics(), []);
  } finally {
    Deno.FsFile.prototype.sync = sync;
    await Deno.remove(dir, { recursive: true });
  }
});

Deno.test("LCOW addEndpoint checks the pod's search domains as a whole before the VM is touched", async () => {
  const { host, controller } = await runningPod();
  const id = "b1e2c3d4-0007-4a5b-8c6d-7e8f9a0b1c2d";
  host.addNamespaceEndpoint(NS, {
    ID: id,
    Name: "4f1d0c2b9a7e_eth7",
    MacAddress: "00-15-5D-52-C0-27",
    IpConfigurations: [{ IpAddress: "192.168.50.17", PrefixLength: 24 }],
    Dns: { Search: ["a.example", "b.example", "c.example", "d.example", "e.example", "f.example"] },
  });
  const held = new Set(
    (fixture.endpoints as { Dns?: { Search?: string[]; Domain?: string } }[])
      .flatMap((e) => [e.Dns?.Domain ?? "", ...(e.Dns?.Search ?? [])]).filter((d) => d !== ""),
  );
  assert.ok(held.size > 0, "the fixture's endpoints carry search domains");
  const before = host.trace.length;
  const error = await controller.addEndpoint(id).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof NicChangeError, String(error));
  assert.equal(error.undone, true);
  assert.equal((error.cause as { code?: string }).code, "INVALID_HOST_DATA");
  const modifies = host.trace.slice(before).filter((t) => t.call === "HcsModifyComputeSystem");
  assert.deepEqual(modifies, []);
  assert.equal(host.vmNics().length, 3);
  await controller.teardown();
  assert.deepEqual(host.vmNics(), []);
});
