/**
 * Property: whatever faults hit setup, a live migration (save, import,
 * patch, resume, reset) and the first teardown on the simulated host, lying
 * "gone" and "not found" answers included, at most two teardowns leave
 * nothing on the host and an empty store, at either host concurrency.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { FaultAction } from "../adapters/sim/fault_plan.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { migratedFixture } from "./_fakes/migration_fixture.ts";

const fixtures = [await readFixture("pod-3nic"), await readFixture("pod-names")];
const DESTINATION = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";

// Faults a host can deal out. The "gone" codes below come from a VM and
// guest that are still there (a host that lies, or a paused VM): podnet must
// not believe them without a fresh look. The vm-gone and guest-gone actions
// are the real events.
const action: fc.Arbitrary<FaultAction> = fc.oneof(
  fc.constantFrom(
    HRESULT.E_FAIL,
    HRESULT.ERROR_NOT_FOUND,
    HRESULT.E_INVALIDARG,
    HRESULT.HCS_E_INVALID_STATE,
    HRESULT.E_HANDLE,
    HRESULT.HCS_E_CONNECTION_CLOSED,
  ).map((hresult): FaultAction => ({ type: "hresult", hresult })),
  fc.constant<FaultAction>({ type: "vm-gone" }),
  fc.constant<FaultAction>({ type: "guest-gone" }),
  fc.boolean().map((applied): FaultAction => ({ type: "crash", applied })),
  fc.constant<FaultAction>({ type: "hang" }),
);

const fault = fc.record({ nth: fc.integer({ min: 1, max: 40 }), action });

/** A fault after which a step's outcome is unknown (the call may or may not have worked). */
const leavesUnknown = (a: FaultAction): boolean => a.type === "crash" || a.type === "hang";
/** A "not found" that is a lie (the simulated host still holds the object). */
const liesNotFound = (a: FaultAction): boolean =>
  a.type === "hresult" && a.hresult === HRESULT.ERROR_NOT_FOUND;

const scenario = fc.record({
  guest: fc.constantFrom("lcow" as const, "wcow" as const),
  fixture: fc.nat(fixtures.length - 1),
  rollback: fc.boolean(),
  namespaceSupported: fc.boolean(),
  hostConcurrency: fc.constantFrom(1, 8),
  migrate: fc.boolean(),
  // Faults while the pod is set up and migrated (at most two, so that at
  // most one lie about "not found" meets a step it surprises)...
  before: fc.array(fault, { maxLength: 2 }),
  // ...and at most one during the first teardown.
  during: fc.option(fault, { nil: undefined }),
}).filter((s) => {
  // podnet believes "not found" for a step whose outcome is unknown (it
  // cannot tell that answer from the truth: docs/architecture.md, "Believe
  // 'gone' and 'not found' only when true"), so a lie about a step that a
  // crash or hang left unknown is believed by design. Scenarios that deal
  // both cannot keep the property and are not drawn.
  const actions = [...s.before, ...(s.during === undefined ? [] : [s.during])].map((f) => f.action);
  return !(actions.some(leavesUnknown) && actions.some(liesNotFound));
});

Deno.test("property: faults and lies in setup, migration and teardown; two teardowns leave nothing", async () => {
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      const fixture = fixtures[s.fixture];
      assert.ok(fixture);
      const host = new SimulatedHost({
        guest: s.guest,
        namespaceAddRequestSupported: s.namespaceSupported,
      });
      host.loadFixture(fixture);
      host.loadFixture(migratedFixture(fixture, DESTINATION));
      const ports = createPorts({
        hcn: host.hcn,
        hcs: host.hcs,
        vmId: host.vmId,
        guest: s.guest,
        timeoutMs: 5,
      });
      const options = { rollbackOnSetupFailure: s.rollback, hostConcurrency: s.hostConcurrency };
      const sourceStore = new MemoryStore();
      let store = sourceStore;
      let controller = new NetworkController(
        { podId: "prop", namespaceId: fixture.namespace.ID, ...options, store },
        ports,
      );
      for (const f of s.before) host.faults.inject({ on: "*", nth: f.nth, action: f.action });
      await controller.setup().catch(() => {});
      if (s.migrate && controller.state === "Configured") {
        const snapshot = JSON.stringify(await controller.save());
        const source = controller;
        store = new MemoryStore(); // the destination's
        controller = NetworkController.import(snapshot, { ...options, store });
        await source.teardown(); // the source lets go; nothing is touched
        await controller.patch(DESTINATION);
        await controller.resume(ports);
        await controller.resetAfterMigration().catch(() => {});
        if (controller.state === "Invalid") {
          await controller.resetAfterMigration().catch(() => {}); // a retry may finish it
        }
      }
      host.faults.clear();
      if (s.during) host.faults.inject({ on: "*", nth: s.during.nth, action: s.during.action });
      for (let i = 0; i < 2 && controller.state !== "TornDown"; i++) {
        await controller.teardown().catch(() => {});
        host.faults.clear();
      }
      ports[Symbol.dispose]();
      assert.equal(controller.state, "TornDown");
      assert.deepEqual(host.inventory(), {
        vmNics: [],
        guestAdapters: [],
        guestNamespaces: [],
        openHandles: 0,
      });
      assert.equal(await store.load("prop"), undefined, "the record is gone with the pod");
      assert.equal(await sourceStore.load("prop"), undefined);
    }),
    { numRuns: 200 },
  );
});
