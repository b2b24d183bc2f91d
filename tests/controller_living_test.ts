/**
 * A living pod on the simulated Windows host: addEndpoint, removeEndpoint,
 * updateEndpoint and sync, their semantics, and a fault at every call of
 * each (LCOW and WCOW, hostConcurrency 1 and 8): afterwards every NIC on the
 * VM is in `bindings`, every complete binding is on the VM, the other NICs
 * are untouched, and one teardown() leaves nothing.
 */
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import {
  InvalidArgumentError,
  NicChangeError,
  NotFoundError,
  PodnetError,
} from "../domain/errors.ts";
import type { NicBinding } from "../domain/binding.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { FaultAction } from "../adapters/sim/fault_plan.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { migratedFixture } from "./_fakes/migration_fixture.ts";
import { assertTornDownClean, simStack } from "./_helpers/sim_stack.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID.toLowerCase();
const POD = "pod-living";
const TIMEOUT_MS = 25;
const NEW_A = "b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d";
const NEW_B = "b1e2c3d4-0004-4a5b-8c6d-7e8f9a0b1c2d";
const OLD = fixture.endpoints.map((e) => e.ID.toLowerCase());

function endpointDoc(id: string, eth: number) {
  return {
    ID: id,
    Name: `4f1d0c2b9a7e_eth${eth}`,
    MacAddress: `00-15-5D-52-C0-${(0x20 + eth).toString(16).toUpperCase()}`,
    IpConfigurations: [{ IpAddress: `192.168.50.${10 + eth}`, PrefixLength: 24 }],
  };
}

function stack(guest: "lcow" | "wcow", hostConcurrency = 1, store = new MemoryStore()) {
  return simStack(guest, { podId: POD, store, hostConcurrency, timeoutMs: TIMEOUT_MS });
}

/** The invariants of the acceptance, after any operation on a living pod. */
function checkInvariants(
  host: SimulatedHost,
  controller: NetworkController,
  before: readonly NicBinding[],
  concerned: ReadonlySet<string>,
  vmGone: boolean,
  what: string,
) {
  const bound = new Set(controller.bindings.map((b) => b.nicId));
  for (const nic of host.vmNics()) {
    assert.ok(bound.has(nic.id), `${what}: NIC ${nic.id} not in bindings`);
  }
  if (!vmGone) {
    const onVm = new Set(host.vmNics().map((n) => n.id));
    for (const b of controller.bindings) {
      if (b.progress["vm-add"] === "done") {
        assert.ok(onVm.has(b.nicId), `${what}: ${b.nicId} not on VM`);
      }
    }
    for (const b of before) {
      if (concerned.has(b.endpointId)) continue;
      const now = controller.bindings.find((x) => x.nicId === b.nicId);
      assert.deepEqual(now, b, `${what}: another NIC was touched`);
    }
  }
  assert.equal(controller.state, "Configured", `${what}: state`);
}

function oneTeardownLeavesNothing(
  controller: NetworkController,
  ports: { [Symbol.dispose](): void },
  host: SimulatedHost,
  what: string,
): Promise<void> {
  return assertTornDownClean(controller, ports, host, what);
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: addEndpoint binds a new endpoint after the others; a bound one is a no-op`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    host.addNamespaceEndpoint(NS, endpointDoc(NEW_A, 3));
    assert.equal(await controller.addEndpoint(NEW_A.toUpperCase()), true);
    assert.equal(controller.bindings.length, 4);
    assert.equal(controller.bindings.at(-1)?.endpointId, NEW_A);
    assert.equal(host.vmNics().length, 4);
    assert.equal(await controller.addEndpoint(NEW_A), false);
    await oneTeardownLeavesNothing(controller, ports, host, "add");
  });

  Deno.test(`${guest}: addEndpoint of an endpoint not in the namespace changes nothing`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    const before = controller.bindings;
    host.clearTrace();
    await assert.rejects(controller.addEndpoint(NEW_A), (e: unknown) => {
      assert.ok(e instanceof NotFoundError);
      assert.equal(e.code, "NOT_FOUND");
      assert.equal(e.id, NEW_A);
      return true;
    });
    assert.deepEqual(controller.bindings, before);
    assert.equal(controller.state, "Configured");
    assert.equal(host.hostRequests().length, 0, "no host NIC request");
    await oneTeardownLeavesNothing(controller, ports, host, "add not in namespace");
  });

  Deno.test(`${guest}: removeEndpoint takes one NIC off; one not held is NotFoundError`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    await assert.rejects(controller.removeEndpoint(NEW_A), NotFoundError);
    await controller.removeEndpoint(OLD[0] as string);
    assert.deepEqual(controller.bindings.map((b) => b.endpointId).sort(), OLD.slice(1).sort());
    assert.equal(host.vmNics().length, 2);
    await oneTeardownLeavesNothing(controller, ports, host, "remove");
  });

  Deno.test(`${guest}: updateEndpoint sends an HCS Update with IovSettings and records it`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    const ep = OLD[1] as string;
    const guestBefore = host.guestRequests().length;
    await assert.rejects(
      controller.updateEndpoint(ep, { iov: { offloadWeight: -1 } }),
      InvalidArgumentError,
    );
    await assert.rejects(
      controller.updateEndpoint(ep, { iov: { interruptModeration: "Fast" as "Low" } }),
      InvalidArgumentError,
    );
    const requests = host.hostRequests().length;
    assert.equal(requests, 3, "bad values: no call beyond setup's three hot-adds");
    const iov = {
      offloadWeight: 100,
      queuePairsRequested: 4,
      interruptModeration: "Adaptive" as const,
    };
    await controller.updateEndpoint(ep, { iov });
    const doc = host.hostRequests().at(-1) as Record<string, unknown>;
    assert.equal(doc.RequestType, "Update");
    const b = controller.bindings.find((x) => x.endpointId === ep);
    assert.deepEqual(b?.iov, { settings: iov, progress: "done" });
    assert.deepEqual((doc.Settings as Record<string, unknown>).IovSettings, {
      OffloadWeight: 100,
      QueuePairsRequested: 4,
      InterruptModeration: "Adaptive",
    });
    assert.equal(host.guestRequests().length, guestBefore, "no guest request");
    const saved = await controller.save();
    assert.deepEqual(saved.bindings.find((x) => x.endpointId === ep)?.iov, b?.iov);
    await controller.resume();
    await oneTeardownLeavesNothing(controller, ports, host, "update");
  });

  Deno.test(`${guest}: sync adds the new endpoints in eth order and removes the vanished`, async () => {
    const { host, ports, controller } = stack(guest, 4);
    await controller.setup();
    host.addNamespaceEndpoint(NS, endpointDoc(NEW_B, 4));
    host.addNamespaceEndpoint(NS, endpointDoc(NEW_A, 3));
    host.removeNamespaceEndpoint(OLD[0] as string);
    host.removeNamespaceEndpoint(OLD[2] as string, { keepEndpoint: true });
    const result = await controller.sync();
    assert.deepEqual(result.added, [NEW_A, NEW_B]);
    assert.deepEqual([...result.removed].sort(), [OLD[0], OLD[2]].sort());
    assert.deepEqual(controller.bindings.map((b) => b.endpointId), [OLD[1], NEW_A, NEW_B]);
    assert.equal(host.vmNics().length, 3);
    assert.deepEqual(await controller.sync(), { added: [], removed: [] });
    await oneTeardownLeavesNothing(controller, ports, host, "sync");
  });
}

const kinds: [string, FaultAction][] = [
  ["hresult", { type: "hresult", hresult: HRESULT.E_FAIL, message: "injected" }],
  ["vm-gone", { type: "vm-gone" }],
  ["guest-gone", { type: "guest-gone" }],
  ["crash (applied)", { type: "crash" }],
  ["crash (lost)", { type: "crash", applied: false }],
  ["hang", { type: "hang" }],
];

type Op = "add" | "remove" | "update" | "sync";

/** Prepares the host for `op` on a set-up pod; runs it; says which endpoints it concerns. */
function operation(op: Op, host: SimulatedHost, controller: NetworkController) {
  switch (op) {
    case "add":
      host.addNamespaceEndpoint(NS, endpointDoc(NEW_A, 3));
      return { run: () => controller.addEndpoint(NEW_A), concerned: new Set([NEW_A]) };
    case "remove":
      return {
        run: () => controller.removeEndpoint(OLD[1] as string),
        concerned: new Set([OLD[1] as string]),
      };
    case "update":
      return {
        run: () => controller.updateEndpoint(OLD[1] as string, { iov: { offloadWeight: 7 } }),
        concerned: new Set([OLD[1] as string]),
      };
    case "sync":
      host.addNamespaceEndpoint(NS, endpointDoc(NEW_A, 3));
      host.addNamespaceEndpoint(NS, endpointDoc(NEW_B, 4));
      host.removeNamespaceEndpoint(OLD[0] as string);
      host.removeNamespaceEndpoint(OLD[2] as string);
      return {
        run: () => controller.sync(),
        concerned: new Set([NEW_A, NEW_B, OLD[0] as string, OLD[2] as string]),
      };
  }
}

const count = (host: SimulatedHost) => host.trace.filter((t) => !t.call.includes("Close")).length;

for (const guest of ["lcow", "wcow"] as const) {
  for (const op of ["add", "remove", "update", "sync"] as const) {
    const clean = stack(guest);
    await clean.controller.setup();
    const o = operation(op, clean.host, clean.controller);
    clean.host.clearTrace();
    await o.run();
    const calls = count(clean.host);
    clean.ports[Symbol.dispose]();
    for (const hc of [1, 8]) {
      Deno.test(`${guest}, hostConcurrency ${hc}: a fault at every call of ${op} (${calls} calls) keeps the invariants`, async () => {
        assert.ok(calls >= 1);
        for (const [kind, action] of kinds) {
          for (let nth = 1; nth <= calls; nth++) {
            const what = `${kind} at ${op} call ${nth}`;
            const { host, ports, controller } = stack(guest, hc);
            await controller.setup();
            const { run, concerned } = operation(op, host, controller);
            const before = controller.bindings;
            host.faults.inject({ on: "*", nth, action });
            const outcome = await run().then(() => undefined, (e: unknown) => e);
            if (outcome !== undefined) {
              assert.ok(outcome instanceof PodnetError, `${what}: ${outcome}`);
            }
            checkInvariants(host, controller, before, concerned, kind === "vm-gone", what);
            await oneTeardownLeavesNothing(controller, ports, host, what);
          }
        }
      });
    }
  }
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: a process killed in the middle of add, remove or update is finished by recover() + finishInterrupted()`, async () => {
    const iov = { offloadWeight: 9, interruptModeration: "High" as const };
    for (const op of ["add", "remove", "update"] as const) {
      for (let nth = 1; nth <= 6; nth++) {
        for (const applied of [false, true]) {
          const what = `${op}: crash (${applied ? "applied" : "lost"}) at call ${nth}`;
          const store = new MemoryStore();
          const { host, ports, controller } = stack(guest, 1, store);
          await controller.setup();
          if (op === "add") host.addNamespaceEndpoint(NS, endpointDoc(NEW_A, 3));
          host.faults.inject({ on: "*", nth, action: { type: "crash", applied } });
          const target = op === "add" ? NEW_A : OLD[1] as string;
          await (op === "add"
            ? controller.addEndpoint(target)
            : op === "remove"
            ? controller.removeEndpoint(target)
            : controller.updateEndpoint(target, { iov })).catch(() => {});
          host.faults.clear();
          // The first process is gone; a new one reads the record.
          const record = await store.load(POD);
          assert.ok(record !== undefined, what);
          const second = NetworkController.recover(record, ports, { store });
          assert.equal(second.state, "Configured", what);
          await second.finishInterrupted();
          const b = second.bindings.find((x) => x.endpointId === target);
          if (op === "add") {
            assert.ok(b === undefined || b.progress["guest-attach"] === "done", what);
          }
          if (op === "remove") assert.ok(b === undefined || b.progress["vm-add"] === "done", what);
          if (op === "update" && b?.iov !== undefined) {
            assert.equal(b.iov.progress, "done", what);
            const nic = host.vmNics().find((n) => n.id === b.nicId);
            assert.equal(nic?.iovSettings?.OffloadWeight, 9, `${what}: re-applied`);
          }
          checkInvariants(host, second, controller.bindings, new Set([target]), false, what);
          await oneTeardownLeavesNothing(second, ports, host, what);
        }
      }
    }
  });

  Deno.test(`${guest}: resetAfterMigration applies a NIC's SR-IOV settings again on the destination`, async () => {
    const { host, ports, controller } = stack(guest);
    const DEST = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";
    host.loadFixture(migratedFixture(fixture, DEST));
    await controller.setup();
    const eth1 = controller.bindings[1];
    assert.ok(eth1);
    const iov = { queuePairsRequested: 2, interruptModeration: "Low" as const };
    await controller.updateEndpoint(eth1.endpointId, { iov });
    const dest = NetworkController.import(JSON.stringify(await controller.save()));
    assert.deepEqual(dest.bindings[1]?.iov, { settings: iov, progress: "done" }, "save() keeps it");
    await dest.patch(DEST);
    await dest.resume(ports);
    await dest.resetAfterMigration();
    const moved = dest.bindings[1];
    assert.ok(moved && moved.endpointId !== eth1.endpointId);
    assert.deepEqual(moved.iov, { settings: iov, progress: "done" });
    const nic = host.vmNics().find((n) => n.id === moved.nicId);
    assert.deepEqual(nic?.iovSettings, { QueuePairsRequested: 2, InterruptModeration: "Low" });
    assert.equal(dest.bindings[0]?.iov, undefined, "the other NICs get none");
    await oneTeardownLeavesNothing(dest, ports, host, "after reset");
  });
}

for (const guest of ["lcow", "wcow"] as const) {
  for (const op of ["add", "remove", "update", "sync"] as const) {
    Deno.test(`${guest}: a teardown cuts off ${op} hanging in a host call and cleans up at once`, async () => {
      const host = new SimulatedHost({ guest, latency: 1 });
      host.loadFixture(fixture);
      // Calls may take 30 s: only the teardown's takeover can end the hang soon.
      const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
      const controller = new NetworkController(
        { podId: POD, namespaceId: NS, store: new MemoryStore() },
        ports,
      );
      await controller.setup();
      const { run } = operation(op, host, controller);
      const hangOn = op === "remove"
        ? "vm.remove-nic"
        : op === "update"
        ? "vm.update-nic"
        : "vm.add-nic";
      host.faults.inject({ on: hangOn, nth: 1, action: { type: "hang" } });
      const outcome = run().then(() => undefined, (e: unknown) => e);
      while (!host.trace.some((t) => t.outcome === "hang")) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const started = performance.now();
      await controller.teardown({ signal: AbortSignal.timeout(5_000) });
      const took = performance.now() - started;
      const error = await outcome;
      assert.ok(error instanceof NicChangeError, String(error));
      assert.equal(error.undone, false, "the teardown did the undoing");
      assert.ok(took < 2_000, `the teardown took ${took} ms`);
      assert.equal(controller.state, "TornDown");
      host.faults.clear();
      ports[Symbol.dispose]();
      assert.deepEqual(host.inventory(), {
        vmNics: [],
        guestAdapters: [],
        guestNamespaces: [],
        openHandles: 0,
      });
    });
  }
}
