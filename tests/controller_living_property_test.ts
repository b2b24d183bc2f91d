/**
 * Property: random sequences of setup, addEndpoint, removeEndpoint,
 * updateEndpoint, sync, save/import and teardown, with the namespace
 * changing under the pod and a random fault in any call, keep the
 * invariants of a living pod after every step (every NIC on the VM is in
 * `bindings`, every binding whose hot-add is done is on the VM, a one-NIC
 * operation touches no other NIC), and one teardown() leaves nothing.
 * 2,000 runs on the zero-latency simulated host.
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { NetworkController } from "../domain/network_controller.ts";
import { PodnetError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { FaultAction } from "../adapters/sim/fault_plan.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID.toLowerCase();
const POD = "pod-prop";
const BASE = fixture.endpoints.map((e) => e.ID.toLowerCase());
const EXTRA = [3, 4, 5].map((n) => `b1e2c3d4-000${n}-4a5b-8c6d-7e8f9a0b1c2d`);
const ALL = [...BASE, ...EXTRA];
const STATS: Record<string, number> = {};

const action: fc.Arbitrary<FaultAction> = fc.oneof(
  fc.constant<FaultAction>({ type: "hresult", hresult: HRESULT.E_FAIL }),
  fc.constant<FaultAction>({ type: "vm-gone" }),
  fc.constant<FaultAction>({ type: "guest-gone" }),
  fc.boolean().map((applied): FaultAction => ({ type: "crash", applied })),
  fc.constant<FaultAction>({ type: "hang" }),
);

const endpoint = fc.nat(ALL.length - 1);

/** A fault at one of the next calls, one time in `1 + without`. */
function sometimes(without: number) {
  return fc.oneof(
    { arbitrary: fc.constant(undefined), weight: without },
    { arbitrary: fc.record({ nth: fc.integer({ min: 1, max: 12 }), action }), weight: 1 },
  );
}
const step = fc.oneof(
  { arbitrary: fc.constant({ op: "setup" as const }), weight: 1 },
  {
    arbitrary: fc.record({ op: fc.constant("cni-add" as const), e: fc.nat(EXTRA.length - 1) }),
    weight: 4,
  },
  { arbitrary: fc.record({ op: fc.constant("cni-remove" as const), e: endpoint }), weight: 3 },
  { arbitrary: fc.record({ op: fc.constant("add" as const), e: endpoint }), weight: 4 },
  { arbitrary: fc.record({ op: fc.constant("remove" as const), e: endpoint }), weight: 4 },
  {
    weight: 4,
    arbitrary: fc.record({
      op: fc.constant("update" as const),
      e: endpoint,
      weight: fc.nat(1000),
      moderation: fc.constantFrom("Default", "Adaptive", "Off", "Low", "Medium", "High" as const),
    }),
  },
  { arbitrary: fc.constant({ op: "sync" as const }), weight: 4 },
  { arbitrary: fc.constant({ op: "save-import" as const }), weight: 2 },
  { arbitrary: fc.constant({ op: "teardown" as const }), weight: 1 },
);

const scenario = fc.record({
  guest: fc.constantFrom("lcow" as const, "wcow" as const),
  hostConcurrency: fc.constantFrom(1, 8),
  setupFault: sometimes(4),
  steps: fc.array(
    fc.record({
      step,
      fault: sometimes(2),
    }),
    { minLength: 1, maxLength: 10 },
  ),
});

Deno.test("property: random living-pod sequences with random faults keep the invariants (2,000 runs)", async () => {
  let runs = 0;
  await fc.assert(
    fc.asyncProperty(scenario, async (s) => {
      runs++;
      const host = new SimulatedHost({ guest: s.guest });
      host.loadFixture(fixture);
      const ports = createPorts({
        hcn: host.hcn,
        hcs: host.hcs,
        vmId: host.vmId,
        guest: s.guest,
        timeoutMs: 2,
      });
      const store = new MemoryStore();
      let c = new NetworkController(
        { podId: POD, namespaceId: NS, store, hostConcurrency: s.hostConcurrency },
        ports,
      );
      let vmGone = false;
      const inNamespace = new Set(BASE);
      const steps = [{ step: { op: "setup" as const }, fault: s.setupFault }, ...s.steps];
      for (const [i, { step, fault }] of steps.entries()) {
        const what = `step ${i} ${JSON.stringify(step)} fault ${JSON.stringify(fault)}`;
        const before = c.bindings;
        let concerned: string | undefined;
        if (fault !== undefined) host.faults.inject({ on: "*", ...fault });
        let run: () => Promise<unknown>;
        switch (step.op) {
          case "setup":
            run = () => c.setup();
            break;
          case "cni-add": {
            const id = EXTRA[step.e] as string;
            run = () => Promise.resolve();
            if (!inNamespace.has(id) && !host.exportState().endpoints.some((e) => e.ID === id)) {
              host.addNamespaceEndpoint(NS, {
                ID: id,
                Name: `4f1d0c2b9a7e_eth${step.e + 3}`,
                IpConfigurations: [{ IpAddress: `10.9.0.${step.e + 3}`, PrefixLength: 24 }],
              });
              inNamespace.add(id);
            }
            break;
          }
          case "cni-remove": {
            const id = ALL[step.e] as string;
            run = () => Promise.resolve();
            if (inNamespace.delete(id)) host.removeNamespaceEndpoint(id);
            break;
          }
          case "add":
            concerned = ALL[step.e];
            run = () => c.addEndpoint(ALL[step.e] as string);
            break;
          case "remove":
            concerned = ALL[step.e];
            run = () => c.removeEndpoint(ALL[step.e] as string);
            break;
          case "update":
            concerned = ALL[step.e];
            run = () =>
              c.updateEndpoint(ALL[step.e] as string, {
                iov: { offloadWeight: step.weight, interruptModeration: step.moderation },
              });
            break;
          case "sync":
            run = () => c.sync();
            break;
          case "save-import":
            run = async () => {
              const snapshot = await c.save();
              const next = NetworkController.import(JSON.stringify(snapshot), {
                store,
                hostConcurrency: s.hostConcurrency,
              });
              await next.resume(ports);
              c = next;
            };
            break;
          case "teardown":
            run = () => c.teardown();
            break;
        }
        const outcome = await run().then(() => undefined, (e: unknown) => e);
        STATS[`${step.op} ${outcome === undefined ? "ok" : (outcome as PodnetError).code}`] =
          (STATS[`${step.op} ${outcome === undefined ? "ok" : (outcome as PodnetError).code}`] ??
            0) + 1;
        if (outcome !== undefined) assert.ok(outcome instanceof PodnetError, `${what}: ${outcome}`);
        host.faults.clear();
        if (fault?.action.type === "vm-gone" && host.inventory().vmNics.length === 0) vmGone = true;
        if (vmGone) break;
        const bound = new Set(c.bindings.map((b) => b.nicId));
        const onVm = new Set(host.inventory().vmNics);
        for (const nic of onVm) assert.ok(bound.has(nic), `${what}: NIC ${nic} not in bindings`);
        for (const b of c.bindings) {
          if (b.progress["vm-add"] === "done") {
            assert.ok(onVm.has(b.nicId), `${what}: ${b.nicId} done but not on the VM`);
          }
        }
        if (concerned !== undefined && c.state === "Configured") {
          for (const b of before) {
            if (b.endpointId === concerned) continue;
            assert.deepEqual(
              c.bindings.find((x) => x.nicId === b.nicId),
              b,
              `${what}: other NIC touched`,
            );
          }
        }
      }
      // One teardown() leaves nothing.
      await c.teardown().catch(() => {});
      ports[Symbol.dispose]();
      assert.ok(c.state === "TornDown" || c.state === "NotConfigured", `state ${c.state}`);
      assert.deepEqual(host.inventory(), {
        vmNics: [],
        guestAdapters: [],
        guestNamespaces: [],
        openHandles: 0,
      });
    }),
    { numRuns: 2000, seed: 16_2026 },
  );
  assert.equal(runs, 2000);
  // The runs reach the living operations, both ways.
  for (const op of ["add", "remove", "update", "sync", "save-import"]) {
    assert.ok((STATS[`${op} ok`] ?? 0) >= 100, `${op} succeeded ${STATS[`${op} ok`]} times`);
  }
  for (const op of ["add", "remove", "update", "sync"]) {
    assert.ok(
      (STATS[`${op} NIC_CHANGE_FAILED`] ?? 0) >= 10,
      `${op} failed ${STATS[`${op} NIC_CHANGE_FAILED`]} times`,
    );
  }
});
