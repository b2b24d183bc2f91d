import assert from "node:assert/strict";
import { OperationTimeoutError, SetupError, TeardownError } from "../domain/errors.ts";
import type { ControllerEvent } from "../domain/controller_event.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { createWindowsPorts, type WindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { type HcsLibrary, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import type { HcsApi } from "../adapters/dll/hcs_api.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import { HCS_LIBRARIES, openStandins, readFixture, type Standins } from "./native/standins.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import { destinationEndpointId, migratedFixture } from "./_fakes/migration_fixture.ts";

// The whole controller through the FFI bindings against the stand-in DLLs.
// Every test ends with no outstanding string and no open handle, failures
// included.

const fixture = await readFixture();
const NS = fixture.namespace.ID;
const VM = "uvm-ffi";
const POD = "default/web-0";

interface Stack extends AsyncDisposable {
  readonly standins: Standins;
  readonly libraries: WindowsLibraries;
  readonly ports: WindowsPorts;
  readonly controller: NetworkController;
  /** Ports for another process on the same host (shares the libraries). */
  morePorts(): WindowsPorts;
}

async function stack(
  guest: GuestPlatform,
  hcs: HcsLibrary,
  options: { timeoutMs?: number; onEvent?: (event: ControllerEvent) => void } = {},
): Promise<Stack> {
  const standins = await openStandins(hcs);
  standins.seed(fixture);
  standins.addSystem(VM, guest);
  const libraries = new WindowsLibraries(standins.paths, { hcs });
  const opened: WindowsPorts[] = [];
  const timeLimit = options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs };
  const morePorts = (): WindowsPorts => {
    const ports = createWindowsPorts({ vmId: VM, guest, libraries, ...timeLimit });
    opened.push(ports);
    return ports;
  };
  const ports = morePorts();
  const controller = new NetworkController(
    {
      podId: POD,
      namespaceId: NS,
      ...(options.onEvent === undefined ? {} : { onEvent: options.onEvent }),
    },
    ports,
  );
  return {
    standins,
    libraries,
    ports,
    controller,
    morePorts,
    async [Symbol.asyncDispose]() {
      try {
        standins.release("hcn");
        standins.release("hcs");
        for (const p of opened) await p.close();
        await standins.assertClean(libraries);
      } finally {
        await libraries.close();
        await standins.close();
      }
    },
  };
}

function vmIsEmpty(s: Stack): void {
  const state = s.standins.systemState(VM);
  assert.deepEqual(
    { nics: state.Nics, adapters: state.GuestAdapters, namespaces: state.GuestNamespaces },
    { nics: [], adapters: [], namespaces: [] },
  );
}

function recordModifies(hcs: HcsApi, into: string[]): HcsApi {
  return {
    openComputeSystem: (id, o) => hcs.openComputeSystem(id, o),
    modifyComputeSystem: (h, configuration, o) => {
      into.push(configuration);
      return hcs.modifyComputeSystem(h, configuration, o);
    },
    getComputeSystemProperties: (h, q, o) => hcs.getComputeSystemProperties(h, q, o),
    closeComputeSystem: (h) => hcs.closeComputeSystem(h),
  };
}

/** The modify documents the same controller run sends to the simulated host. */
async function simulatedDocuments(guest: GuestPlatform): Promise<string[]> {
  const sim = new SimulatedHost({ guest, vmId: VM });
  sim.loadFixture(fixture);
  const sent: string[] = [];
  using ports = createPorts({ hcn: sim.hcn, hcs: recordModifies(sim.hcs, sent), vmId: VM, guest });
  const controller = new NetworkController({ podId: POD, namespaceId: NS }, ports);
  await controller.setup();
  await controller.teardown();
  return sent;
}

for (const hcs of HCS_LIBRARIES) {
  for (const guest of ["lcow", "wcow"] as const) {
    const name = `${hcs}, ${guest}`;
    Deno.test(`${name}: setup and teardown through FFI send the simulated host's documents`, async () => {
      await using s = await stack(guest, hcs);
      await s.controller.setup();
      assert.equal(s.controller.state, "Configured");
      assert.deepEqual(s.controller.bindings.map((b) => b.endpointName), [
        "4f1d0c2b9a7e_eth0",
        "4f1d0c2b9a7e_eth1",
        "4f1d0c2b9a7e_eth2",
      ]);
      const state = s.standins.systemState(VM);
      assert.deepEqual(
        state.Nics.map((n) => n.EndpointId).sort(),
        fixture.endpoints.map((e) => e.ID).sort(),
      );
      assert.deepEqual(state.GuestAdapters.map((a) => a.State), [
        "Attached",
        "Attached",
        "Attached",
      ]);
      assert.deepEqual(state.GuestNamespaces, guest === "wcow" ? [NS] : []);
      // The stand-in holds the compute system handle the ports keep open.
      assert.equal(s.standins.counters().hcsHandles, 1);
      assert.equal(s.standins.counters().hcnHandles, 0);

      await s.controller.teardown();
      assert.equal(s.controller.state, "TornDown");
      vmIsEmpty(s);
      const sent = s.standins.documents("hcs")
        .filter((d) => d.Call === "HcsModifyComputeSystem")
        .map((d) => d.Document);
      // Host NIC calls go in one order, and so do the guest's namespace,
      // attach and detach requests; how the lanes interleave depends on
      // timing (a hot-add overlaps the attach before it), and so does where
      // a WCOW pre-add falls among the attaches (the guest takes a ready
      // pre-add while the next attach still waits for its hot-add), but
      // never after its own NIC's attach.
      const isPreAdd = (d: string) => d.includes('"RequestType":"PreAdd"');
      const lanes = (docs: string[]) => ({
        host: docs.filter((d) => !d.includes('"GuestRequest"')),
        guest: docs.filter((d) => d.includes('"GuestRequest"') && !isPreAdd(d)),
        preAdds: docs.filter(isPreAdd).sort(),
      });
      assert.deepEqual(lanes(sent), lanes(await simulatedDocuments(guest)));
      for (const [i, doc] of sent.entries()) {
        const adapter = isPreAdd(doc) ? /"AdapterId":"([^"]+)"/.exec(doc)?.[1] : undefined;
        if (adapter === undefined) continue;
        const attach = sent.findIndex((d) =>
          d.includes(`"AdapterId":"${adapter}","RequestType":"Add"`)
        );
        assert.ok(i < attach, `the pre-add of ${adapter} comes before its attach`);
      }
      s.ports.computeSystem.close();
      await s.standins.assertClean(s.libraries);
    });

    Deno.test(`${name}: migration reset through FFI swaps the source's NICs for the destination's`, async () => {
      await using s = await stack(guest, hcs);
      const NEW = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";
      const destination = migratedFixture(fixture, NEW);
      s.standins.seed(destination);
      await s.controller.setup();
      const snapshot = JSON.stringify(await s.controller.save());
      assert.equal(s.controller.state, "SourceMigrating");

      const dest = NetworkController.import(snapshot);
      await dest.patch(NEW);
      await dest.resume(s.morePorts());
      s.standins.reset("hcs");
      await dest.resetAfterMigration();
      assert.equal(dest.state, "Configured");
      const expected = ["0000", "0001", "0002"].map((n) =>
        deriveNicId(POD, destinationEndpointId(`b1e2c3d4-${n}-4a5b-8c6d-7e8f9a0b1c2d`))
      );
      assert.deepEqual(dest.bindings.map((b) => b.nicId), expected, "eth0 first, derived IDs");
      const state = s.standins.systemState(VM);
      assert.deepEqual(state.Nics.map((n) => n.Id).sort(), [...expected].sort());
      assert.deepEqual(state.GuestAdapters.map((a) => a.State), [
        "Attached",
        "Attached",
        "Attached",
      ]);
      if (guest === "lcow") {
        assert.deepEqual(state.GuestAdapters.map((a) => a.NamespaceId), [NS, NS, NS]);
      } else {
        assert.deepEqual(state.GuestNamespaces, [NS], "the guest keeps the pod's namespace");
      }
      // A second reset (retried, or stray) changes nothing.
      s.standins.reset("hcs");
      await dest.resetAfterMigration();
      assert.equal(s.standins.callCount("hcs", "HcsModifyComputeSystem"), 0);

      await s.controller.teardown(); // the source lets go without touching the VM
      assert.equal(s.controller.state, "TornDown");
      assert.equal(s.standins.systemState(VM).Nics.length, 3);
      await dest.teardown();
      assert.equal(dest.state, "TornDown");
      vmIsEmpty(s);
    });

    Deno.test(`${name}: a setup that fails half-way is rolled back through FFI`, async () => {
      await using s = await stack(guest, hcs);
      // Let the first NIC through, fail on the second NIC's host hot-add.
      const before = guest === "wcow" ? 5 : 2;
      for (let i = 0; i < before; i++) s.standins.failNext("hcs", "HcsModifyComputeSystem", 0);
      s.standins.failNext(
        "hcs",
        "HcsModifyComputeSystem",
        HRESULT.E_INVALIDARG,
        '{"Error":-2147024809,"ErrorMessage":"no slot"}',
      );
      await assert.rejects(s.controller.setup(), (e: unknown) => {
        assert.ok(e instanceof SetupError);
        assert.equal(e.rolledBack, true);
        assert.ok(e.cause instanceof Error);
        assert.match(e.cause.message, /no slot/);
        return true;
      });
      assert.equal(s.controller.state, "TornDown");
      vmIsEmpty(s);
      // Every NIC that made it in (at least the first) was taken out again, and
      // no remove was sent for a NIC that was never added.
      const hostNics = (type: string) =>
        s.standins.documents("hcs")
          .filter((d) => d.Call === "HcsModifyComputeSystem")
          .map((d) => JSON.parse(d.Document) as { ResourcePath?: string; RequestType?: string })
          .filter((d) => d.ResourcePath !== undefined && d.RequestType === type)
          .map((d) => d.ResourcePath);
      const added = new Set(hostNics("Add"));
      const removed = hostNics("Remove");
      assert.ok(removed.length >= 1);
      assert.ok(removed.every((nic) => added.has(nic)));
    });

    Deno.test(`${name}: a host read that outlives the time limit fails setup cleanly`, async () => {
      await using s = await stack(guest, hcs, { timeoutMs: 300 });
      s.standins.hold("hcn", "HcnQueryEndpointProperties");
      await assert.rejects(s.controller.setup(), (e: unknown) => {
        assert.ok(e instanceof SetupError);
        assert.ok(e.cause instanceof OperationTimeoutError);
        return true;
      });
      assert.equal(s.controller.state, "TornDown");
      vmIsEmpty(s);
      s.standins.release("hcn"); // the late reads return; their documents are freed
    });

    Deno.test(`${name}: teardown of a VM that is gone counts as done`, async () => {
      await using s = await stack(guest, hcs);
      await s.controller.setup();
      s.standins.stopSystem(VM);
      await s.controller.teardown();
      assert.equal(s.controller.state, "TornDown");
    });

    Deno.test(`${name}: teardown with the guest gone still removes the host NICs`, async () => {
      await using s = await stack(guest, hcs);
      await s.controller.setup();
      s.standins.setGuestConnection(VM, "closed");
      await s.controller.teardown();
      assert.equal(s.controller.state, "TornDown");
      assert.deepEqual(s.standins.systemState(VM).Nics, []);
    });

    Deno.test(`${name}: a failed teardown step is reported, and a second teardown finishes`, async () => {
      await using s = await stack(guest, hcs);
      await s.controller.setup();
      // The last NIC's host hot-remove fails. It runs beside the next NIC's
      // guest detach, in no fixed order, so the failure names its document.
      const last = s.controller.bindings.at(-1)?.nicId;
      assert.ok(last !== undefined);
      s.standins.failNextMatching(
        "hcs",
        "HcsModifyComputeSystem",
        `Devices/NetworkAdapters/${last}`,
        HRESULT.E_FAIL,
        '{"Error":-2147467259,"ErrorMessage":"busy"}',
      );
      await assert.rejects(s.controller.teardown(), (e: unknown) => {
        assert.ok(e instanceof TeardownError);
        assert.equal(e.errors.length, 1);
        assert.equal(e.errors[0]?.step, "vm-remove");
        return true;
      });
      assert.equal(s.controller.state, "Invalid");
      assert.equal(s.standins.systemState(VM).Nics.length, 1);
      await s.controller.teardown();
      assert.equal(s.controller.state, "TornDown");
      vmIsEmpty(s);
    });

    Deno.test(`${name}: a teardown step that times out leaves Invalid; the retry finishes`, async () => {
      // The first teardown step is held in the DLL past its time limit, then lets go.
      const onEvent = (event: ControllerEvent): void => {
        if (event.type === "step" && event.phase === "failed") s.standins.release("hcs");
      };
      await using s = await stack(guest, hcs, { timeoutMs: 300, onEvent });
      await s.controller.setup();
      s.standins.hold("hcs", "HcsModifyComputeSystem");
      await assert.rejects(s.controller.teardown(), (e: unknown) => {
        assert.ok(e instanceof TeardownError);
        assert.ok(e.errors.some((step) => step.cause instanceof OperationTimeoutError));
        return true;
      });
      assert.equal(s.controller.state, "Invalid");
      await s.libraries.settled(); // the late removal lands
      await s.controller.teardown();
      assert.equal(s.controller.state, "TornDown");
      vmIsEmpty(s);
    });
  }
}
