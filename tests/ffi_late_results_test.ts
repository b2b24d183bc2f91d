import assert from "node:assert/strict";
import { OperationTimeoutError, SetupError } from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import type { ControllerEvent } from "../domain/controller_event.ts";
import { createWindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { type HcsLibrary, WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import {
  HCS_LIBRARIES,
  openHarness,
  openStandins,
  readFixture,
  type Standins,
} from "./native/standins.ts";

// Late results: a DLL call whose caller stopped waiting still runs (on its
// worker thread, or as an HCS operation) and may still take effect. The FFI
// bindings report it through onAbandoned; the compute system holds back
// later changes to the same VM until it has finished, so a hot-remove cannot
// overtake the late hot-add it undoes and leak the NIC. Every HCS test runs
// over both HCS libraries.

const fixture = await readFixture();
const NS = fixture.namespace.ID;
const VM = "uvm-late";
const MODIFY = "HcsModifyComputeSystem";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC = { nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", endpointId: EP0 };

function modifyDocuments(standins: Standins): Array<Record<string, unknown>> {
  return standins.documents("hcs")
    .filter((d) => d.Call === MODIFY)
    .map((d) => JSON.parse(d.Document) as Record<string, unknown>);
}

function assertVmEmpty(standins: Standins): void {
  const state = standins.systemState(VM);
  assert.deepEqual(
    { nics: state.Nics, adapters: state.GuestAdapters, namespaces: state.GuestNamespaces },
    { nics: [], adapters: [], namespaces: [] },
  );
}

Deno.test("onAbandoned receives a promise that resolves once the late result is freed", async () => {
  await using h = await openHarness();
  h.standins.hold("hcn", "HcnOpenNamespace");
  const reports: Promise<void>[] = [];
  await assert.rejects(
    h.hcn.openNamespace(NS, {
      signal: AbortSignal.timeout(20),
      onAbandoned: (settled) => reports.push(settled),
    }),
    (e: unknown) => e instanceof DOMException && e.name === "TimeoutError",
  );
  assert.equal(reports.length, 1);
  assert.equal(h.libraries.pending, 1, "the open still runs");
  h.standins.release("hcn");
  await reports[0];
  // By then the late handle is closed and nothing is pending.
  assert.equal(h.libraries.pending, 0);
  assert.equal(h.standins.callCount("hcn", "HcnCloseNamespace"), 1);
  assert.equal(h.standins.counters().hcnHandles, 0);

  // A signal aborted before the call starts: nothing runs, nothing is reported.
  await assert.rejects(
    h.hcn.openNamespace(NS, {
      signal: AbortSignal.abort(new Error("too late")),
      onAbandoned: () => assert.fail("nothing ran"),
    }),
    /too late/,
  );
  await h.assertClean();
});

Deno.test("computecore: an abandoned operation reports its late completion, which is read, freed and closed", async () => {
  await using h = await openHarness({ libraries: { hcs: "computecore" } });
  h.standins.addSystem(VM, "lcow");
  const vm = await h.hcs.openComputeSystem(VM);
  h.standins.hold("hcs", "HcsGetComputeSystemProperties");
  const reports: Promise<void>[] = [];
  const controller = new AbortController();
  const reading = h.hcs.getComputeSystemProperties(vm, "", {
    signal: controller.signal,
    onAbandoned: (settled) => reports.push(settled),
  });
  await h.standins.waitUntilHeld("hcs");
  controller.abort(new Error("stop waiting"));
  await assert.rejects(reading, /stop waiting/);
  assert.equal(reports.length, 1);
  assert.deepEqual([h.libraries.pending, h.standins.counters().hcsOperations], [1, 1]);
  // The handle is closed only after the late completion.
  h.hcs.closeComputeSystem(vm);
  assert.equal(h.standins.counters().hcsHandles, 1);
  const frees = h.standins.localFrees();
  h.standins.release("hcs");
  await reports[0];
  assert.equal(h.standins.localFrees() - frees, 1, "the late properties document was freed");
  assert.deepEqual(
    [h.libraries.pending, h.standins.counters().hcsOperations, h.standins.counters().hcsHandles],
    [0, 0, 0],
  );
  await h.assertClean();
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: a hot-add that outlives its time limit lands late; the hot-remove sent next waits and takes it out`, async () => {
    await using standins = await openStandins(hcs);
    standins.seed(fixture);
    standins.addSystem(VM, "lcow");
    await using ports = createWindowsPorts({
      vmId: VM,
      guest: "lcow",
      timeoutMs: 300,
      libraries: standins.paths,
      hcs,
    });
    standins.hold("hcs", MODIFY);
    await assert.rejects(ports.vm.addNic(NIC), OperationTimeoutError);
    assert.equal(ports.computeSystem.stragglers, 1);
    assert.deepEqual(standins.systemState(VM).Nics, [], "the add has not landed yet");

    const removing = ports.vm.removeNic(NIC); // waits for the late add...
    standins.release("hcs"); // ...which lands now, then removes its NIC
    await removing;
    assert.equal(ports.computeSystem.stragglers, 0);
    assert.deepEqual(modifyDocuments(standins).map((d) => d.RequestType), ["Add", "Remove"]);
    assert.deepEqual(standins.systemState(VM).Nics, []);
    // Asserted before the ports close their libraries, which would close a leaked handle.
    ports.computeSystem.close();
    await standins.assertClean(ports.libraries);
  });

  Deno.test(`${hcs}: a hot-remove whose time limit passes while the late add runs is not sent; the retry removes`, async () => {
    await using standins = await openStandins(hcs);
    standins.seed(fixture);
    standins.addSystem(VM, "lcow");
    await using ports = createWindowsPorts({
      vmId: VM,
      guest: "lcow",
      timeoutMs: 300,
      libraries: standins.paths,
      hcs,
    });
    standins.hold("hcs", MODIFY);
    await assert.rejects(ports.vm.addNic(NIC), OperationTimeoutError);
    await assert.rejects(ports.vm.removeNic(NIC), OperationTimeoutError);
    standins.release("hcs");
    await ports.libraries.settled();
    assert.deepEqual(modifyDocuments(standins).map((d) => d.RequestType), ["Add"]);
    assert.equal(standins.systemState(VM).Nics.length, 1, "the late add landed");
    await ports.vm.removeNic(NIC);
    assert.deepEqual(standins.systemState(VM).Nics, []);
    ports.computeSystem.close();
    await standins.assertClean(ports.libraries);
  });
}

/**
 * A controller over the stand-ins whose `nth` host hot-add is held in the
 * DLL (the other calls are not) until its time limit has passed
 * (`release: "timeout"`), or until the test releases it after setup
 * (`release: "manual"`).
 */
async function slowNthAdd(
  guest: GuestPlatform,
  hcs: HcsLibrary,
  options: {
    timeoutMs: number;
    nth: number;
    release: "timeout" | "manual";
    hostConcurrency: number;
  },
) {
  const standins = await openStandins(hcs);
  standins.seed(fixture);
  standins.addSystem(VM, guest);
  const libraries = new WindowsLibraries(standins.paths, { hcs });
  const ports = createWindowsPorts({ vmId: VM, guest, timeoutMs: options.timeoutMs, libraries });
  let adds = 0;
  let held: string | undefined;
  const onEvent = (event: ControllerEvent): void => {
    if (event.type !== "step" || event.step !== "vm-add") return;
    if (event.phase === "start" && ++adds === options.nth) {
      // Read by the DLL when a call enters it: this add is held (and the
      // calls that enter while it is, with more than one host slot).
      held = event.nicId;
      standins.hold("hcs", MODIFY);
    } else if (event.phase !== "start" && event.nicId === held) {
      if (options.release === "timeout") standins.release("hcs");
    }
  };
  const controller = new NetworkController(
    { podId: "default/late-0", namespaceId: NS, onEvent, hostConcurrency: options.hostConcurrency },
    ports,
  );
  return {
    standins,
    libraries,
    ports,
    controller,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        standins.release("hcs");
        await ports.close();
        await standins.assertClean(libraries);
      } finally {
        await libraries.close();
        await standins.close();
      }
    },
  };
}

for (const hcs of HCS_LIBRARIES) {
  for (const guest of ["lcow", "wcow"] as const) {
    for (const hostConcurrency of [1, 8]) {
      const name = `${hcs}, ${guest}, hostConcurrency ${hostConcurrency}`;
      Deno.test(`${name}: a setup whose second hot-add times out rolls back after it lands: nothing leaks`, async () => {
        await using s = await slowNthAdd(guest, hcs, {
          timeoutMs: 300,
          nth: 2,
          release: "timeout",
          hostConcurrency,
        });
        await assert.rejects(s.controller.setup(), (e: unknown) => {
          assert.ok(e instanceof SetupError);
          assert.ok(e.cause instanceof OperationTimeoutError);
          assert.equal(e.rolledBack, true);
          return true;
        });
        assert.equal(s.controller.state, "TornDown");
        await s.libraries.settled();
        assertVmEmpty(s.standins);
        // Every NIC added (late ones too) was taken out, after its add.
        const host = modifyDocuments(s.standins).filter((d) => d.ResourcePath !== undefined);
        const adds = host.filter((d) => d.RequestType === "Add");
        assert.ok(adds.length >= 2);
        for (const add of adds) {
          const removed = host.findIndex((d) =>
            d.RequestType === "Remove" && d.ResourcePath === add.ResourcePath
          );
          assert.ok(removed > host.indexOf(add), `${add.ResourcePath} removed after its add`);
        }
        if (hostConcurrency === 1) {
          assert.deepEqual(host.map((d) => d.RequestType), ["Add", "Add", "Remove", "Remove"]);
        }
      });

      Deno.test(`${name}: a late hot-add that outlasts the rollback's time limits is removed by the next teardown`, async () => {
        await using s = await slowNthAdd(guest, hcs, {
          timeoutMs: 300,
          nth: 2,
          release: "manual",
          hostConcurrency,
        });
        await assert.rejects(s.controller.setup(), (e: unknown) => {
          assert.ok(e instanceof SetupError);
          assert.equal(e.rolledBack, false);
          return true;
        });
        assert.equal(s.controller.state, "Invalid");
        // The add is still in the DLL (and calls sent while it ran, such as
        // the first NIC's guest attach, may be held with it).
        assert.ok(s.standins.heldCalls("hcs") >= 1, "the add is still in the DLL");
        s.standins.release("hcs");
        await s.libraries.settled();
        assert.ok(s.standins.systemState(VM).Nics.length >= 2, "the late add landed");
        await s.controller.teardown();
        assert.equal(s.controller.state, "TornDown");
        assert.equal(s.ports.computeSystem.stragglers, 0);
        assertVmEmpty(s.standins);
      });
    }
  }
}
