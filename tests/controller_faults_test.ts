/**
 * The whole stack (controller, HCN/HCS/guest adapters) on the simulated
 * Windows host, with a fault at every call index of setup and of teardown.
 * Whatever fails, after at most two teardown() calls nothing is left and the
 * controller is TornDown.
 */
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import { HResultError, InvalidHostDataError, SetupError, TeardownError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { FaultAction } from "../adapters/sim/fault_plan.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { migratedFixture } from "./_fakes/migration_fixture.ts";
import { assertTornDownClean, simStack } from "./_helpers/sim_stack.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const POD = "pod-f";
const TIMEOUT_MS = 25;

function stack(guest: "lcow" | "wcow", store = new MemoryStore(), hostConcurrency = 1) {
  return simStack(guest, { podId: POD, store, hostConcurrency, timeoutMs: TIMEOUT_MS });
}

/** Non-close calls a clean setup (or teardown) makes. */
async function callCounts(guest: "lcow" | "wcow"): Promise<{ setup: number; teardown: number }> {
  const { host, ports, controller } = stack(guest);
  const count = () => host.trace.filter((t) => !t.call.includes("Close")).length;
  await controller.setup();
  const setup = count();
  host.clearTrace();
  await controller.teardown();
  const teardown = count();
  ports[Symbol.dispose]();
  assert.ok(host.isClean());
  return { setup, teardown };
}

function settle(
  controller: NetworkController,
  ports: { [Symbol.dispose](): void },
  host: SimulatedHost,
  what: string,
): Promise<void> {
  return assertTornDownClean(controller, ports, host, what, 2);
}

const kinds: [string, FaultAction][] = [
  ["hresult", { type: "hresult", hresult: HRESULT.E_FAIL, message: "injected" }],
  ["vm-gone", { type: "vm-gone" }],
  ["guest-gone", { type: "guest-gone" }],
  ["crash (applied)", { type: "crash" }],
  ["crash (lost)", { type: "crash", applied: false }],
  ["hang", { type: "hang" }],
];

for (const guest of ["lcow", "wcow"] as const) {
  const counts = await callCounts(guest);

  Deno.test(`${guest}: a clean run makes calls and leaves nothing`, () => {
    assert.ok(counts.setup >= 8, `setup made ${counts.setup} calls`);
    assert.ok(counts.teardown >= 6, `teardown made ${counts.teardown} calls`);
  });

  for (const [kind, action] of kinds) {
    for (const hc of [1, 8]) {
      const name = `${guest}, hostConcurrency ${hc}: ${kind}`;
      Deno.test(`${name} at every call of setup leaves nothing`, async () => {
        for (let nth = 1; nth <= counts.setup; nth++) {
          const { host, ports, controller } = stack(guest, undefined, hc);
          host.faults.inject({ on: "*", nth, action });
          const outcome = await controller.setup().then(() => "ok", (e) => e);
          if (outcome !== "ok") assert.ok(outcome instanceof SetupError, `call ${nth}: ${outcome}`);
          await settle(controller, ports, host, `${kind} at setup call ${nth}`);
        }
      });

      Deno.test(`${name} at every call of teardown leaves nothing`, async () => {
        for (let nth = 1; nth <= counts.teardown; nth++) {
          const { host, ports, controller } = stack(guest, undefined, hc);
          await controller.setup();
          host.faults.inject({ on: "*", nth, action });
          await settle(controller, ports, host, `${kind} at teardown call ${nth}`);
        }
      });
    }
  }

  Deno.test(`${guest}: a process that crashes mid-setup is finished by a new one`, async () => {
    for (let nth = 1; nth <= counts.setup; nth++) {
      const store = new MemoryStore();
      const host = new SimulatedHost({ guest });
      host.loadFixture(fixture);
      const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
      const first = new NetworkController(
        { podId: POD, namespaceId: NS, store, rollbackOnSetupFailure: false },
        ports,
      );
      host.faults.inject({ on: "*", nth, action: { type: "crash" } });
      await first.setup().catch(() => {});
      // The first process is gone; a new one reads the record and cleans up.
      const record = await store.load(POD);
      if (record === undefined) {
        ports[Symbol.dispose]();
        assert.ok(host.isClean(), `crash at ${nth}: no record means nothing was done`);
        continue;
      }
      const second = NetworkController.recover(record, ports, { store });
      await settle(second, ports, host, `recovery after crash at setup call ${nth}`);
      assert.equal(await store.load(POD), undefined);
    }
  });

  Deno.test(`${guest}: guest gone before teardown counts as done`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    host.disconnectGuest();
    await controller.teardown();
    await settle(controller, ports, host, "guest gone");
  });

  Deno.test(`${guest}: VM gone before teardown counts as done`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    host.stopVm();
    await controller.teardown();
    await settle(controller, ports, host, "VM gone");
  });

  Deno.test(`${guest}: host namespace deleted before teardown does not block it`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    host.deleteNamespace(NS);
    await controller.teardown();
    await settle(controller, ports, host, "namespace deleted");
  });

  Deno.test(`${guest}: migration reset swaps the source's NICs for the destination's`, async () => {
    const { host, ports, controller } = stack(guest);
    const NEW = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";
    host.loadFixture(migratedFixture(fixture, NEW));
    await controller.setup();
    const source = new Set(host.inventory().vmNics);
    const dest = NetworkController.import(JSON.stringify(await controller.save()));
    await dest.patch(NEW);
    await dest.resume(ports);
    await dest.resetAfterMigration();
    assert.equal(dest.state, "Configured");
    const inventory = host.inventory();
    assert.equal(inventory.vmNics.length, 3);
    assert.ok(inventory.vmNics.every((n) => !source.has(n)), "no source NIC is left");
    assert.equal(inventory.guestAdapters.length, 3, "the guest has every new NIC");
    const attached = host.guestRequests().filter((r) => r.RequestType === "Add").at(-1);
    const settings = JSON.stringify(attached?.Settings ?? {});
    if (guest === "lcow") assert.match(settings, new RegExp(NS), "the pod's namespace ID stays");
    else assert.deepEqual(inventory.guestNamespaces, [NS]);
    await dest.teardown();
    await settle(dest, ports, host, "after reset");
  });
}

Deno.test("concurrent setup and teardown on the simulated host leave nothing", async () => {
  const host = new SimulatedHost({ guest: "wcow", latency: { minMs: 0, maxMs: 2 }, seed: 7 });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "wcow" });
  const controller = new NetworkController({ podId: POD, namespaceId: NS }, ports);
  const setup = controller.setup().catch((e) => e);
  await new Promise((r) => setTimeout(r, 3));
  await controller.teardown();
  const outcome = await setup;
  assert.ok(outcome === undefined || outcome instanceof SetupError);
  await settle(controller, ports, host, "concurrent");
});

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: bad host data stops setup before the VM is touched`, async () => {
    const bad = {
      ...fixture,
      endpoints: fixture.endpoints.map((e, i) =>
        i === 2 ? { ...e, IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 33 }] } : e
      ),
    };
    const host = new SimulatedHost({ guest });
    host.loadFixture(bad);
    const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
    const controller = new NetworkController({ podId: POD, namespaceId: NS }, ports);
    await assert.rejects(controller.setup(), (e: unknown) => {
      assert.ok(e instanceof SetupError);
      assert.ok(e.cause instanceof InvalidHostDataError);
      assert.equal(e.cause.field, "IpConfigurations.0.PrefixLength");
      assert.match(e.cause.message, new RegExp(String(bad.endpoints[2]?.ID)));
      return true;
    });
    assert.ok(
      !host.trace.some((t) => t.call === "HcsModifyComputeSystem"),
      "nothing was sent to the VM or guest",
    );
    ports[Symbol.dispose]();
    assert.deepEqual(host.inventory(), {
      vmNics: [],
      guestAdapters: [],
      guestNamespaces: [],
      openHandles: 0,
    });
  });
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: a paused VM's 'invalid state' is not taken for a VM that is gone`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    host.pauseVm();
    await assert.rejects(controller.teardown(), (e: unknown) => {
      assert.ok(e instanceof TeardownError);
      assert.ok(e.errors.every((x) => x.cause instanceof HResultError));
      return true;
    });
    assert.equal(controller.state, "Invalid");
    assert.equal(host.inventory().vmNics.length, 3, "no NIC was written off");
    assert.equal(controller.bindings.length, 3, "every NIC is still recorded");
    host.resumeVm();
    await controller.teardown();
    await settle(controller, ports, host, "after the pause");
  });

  for (
    const hresult of [
      HRESULT.HCS_E_INVALID_STATE,
      HRESULT.E_HANDLE,
      HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED,
      HRESULT.HCS_E_CONNECTION_CLOSED,
      HRESULT.HCS_E_CONNECT_FAILED,
    ]
  ) {
    Deno.test(`${guest}: a 'gone' answer (0x${hresult.toString(16)}) from a live VM at any teardown call is doubted`, async () => {
      for (let nth = 1; nth <= 12; nth++) {
        const { host, ports, controller } = stack(guest);
        await controller.setup();
        host.faults.inject({
          on: "HcsModifyComputeSystem",
          nth,
          action: { type: "hresult", hresult },
        });
        await controller.teardown().catch(() => {});
        // A lie believed would have written off a NIC still there.
        const left = host.inventory();
        const recorded = controller.bindings;
        for (const nic of left.vmNics) {
          assert.ok(recorded.some((b) => b.nicId === nic), `NIC ${nic} is still recorded`);
        }
        await settle(controller, ports, host, `lie at teardown modify ${nth}`);
      }
    });
  }
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: a lying 'not found' during the migration reset is asked again, nothing leaks`, async () => {
    const { host, ports, controller } = stack(guest);
    const NEW = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";
    host.loadFixture(migratedFixture(fixture, NEW));
    await controller.setup();
    const dest = NetworkController.import(await controller.save());
    await dest.patch(NEW);
    await dest.resume(ports);
    for (const on of ["vm.remove-nic", "guest.nic-remove"]) {
      host.faults.inject({
        on,
        nth: 1,
        action: { type: "hresult", hresult: HRESULT.ERROR_NOT_FOUND },
      });
    }
    await dest.resetAfterMigration();
    assert.equal(dest.state, "Configured");
    assert.equal(host.inventory().vmNics.length, 3, "the source NIC that was 'not found' went");
    await dest.teardown();
    await settle(dest, ports, host, "after a lie during reset");
  });
}
