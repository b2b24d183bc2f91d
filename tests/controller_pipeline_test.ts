/**
 * The pipeline's limits, watched through the controller's events on a
 * simulated host with latency: guest requests one at a time, attaches in eth
 * order each after its own hot-add, host NIC calls up to hostConcurrency
 * (overlapping when allowed), and teardown detaching one at a time in
 * reverse order with concurrent hot-removes, the guest namespace last.
 */
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import type { ControllerEvent } from "../domain/controller_event.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { podFixture } from "./_fakes/generated_fixture.ts";

const GUEST_STEPS = new Set([
  "guest-namespace-add",
  "guest-prepare",
  "guest-attach",
  "guest-detach",
  "guest-namespace-remove",
]);
const HOST_STEPS = new Set(["vm-add", "vm-remove"]);

interface Span {
  readonly step: string;
  readonly nicId: string | undefined;
  readonly start: number;
  end: number;
}

/** Records every step as a span, in the order steps start. */
function recorder() {
  const spans: Span[] = [];
  const open = new Map<string, Span>();
  let tick = 0;
  const onEvent = (e: ControllerEvent): void => {
    if (e.type !== "step") return;
    const key = `${e.step} ${e.nicId ?? ""} ${e.endpointId ?? ""}`;
    tick++;
    if (e.phase === "start") {
      const span = { step: e.step, nicId: e.nicId, start: tick, end: Infinity };
      spans.push(span);
      open.set(key, span);
    } else {
      const span = open.get(key);
      if (span) span.end = tick;
      open.delete(key);
    }
  };
  return { spans, onEvent };
}

/** The most spans of `steps` that were open at one time. */
function maxOverlap(spans: readonly Span[], steps: ReadonlySet<string>): number {
  const edges = spans.filter((s) => steps.has(s.step)).flatMap((s) => [
    [s.start, 1],
    [s.end, -1],
  ]).sort((a, b) => (a[0] as number) - (b[0] as number));
  let open = 0;
  let most = 0;
  for (const [, d] of edges) {
    open += d as number;
    most = Math.max(most, open);
  }
  return most;
}

const LATENCY = {
  "vm.add-nic": 12,
  "vm.remove-nic": 10,
  "guest.nic-add": 4,
  "guest.nic-preadd": 3,
  "guest.nic-remove": 3,
  "guest.namespace-add": 3,
  "guest.namespace-remove": 2,
};

for (const guest of ["lcow", "wcow"] as const) {
  for (const hostConcurrency of [1, 4]) {
    Deno.test(`${guest}, hostConcurrency ${hostConcurrency}: attaches in eth order while hot-adds overlap`, async () => {
      const fixture = podFixture(6, 3);
      const host = new SimulatedHost({ guest, latency: LATENCY });
      host.loadFixture(fixture);
      using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
      const { spans, onEvent } = recorder();
      const store = new MemoryStore();
      const saves: string[][] = [];
      const save = store.save.bind(store);
      store.save = (snapshot) => {
        saves.push(snapshot.bindings.map((b) => b.endpointName));
        return save(snapshot);
      };
      const controller = new NetworkController(
        { podId: "pipe", namespaceId: fixture.namespace.ID, hostConcurrency, onEvent, store },
        ports,
      );
      await controller.setup();
      const order = controller.bindings.map((b) => b.nicId);
      assert.deepEqual(
        controller.bindings.map((b) => b.endpointName),
        Array.from({ length: 6 }, (_, i) => `c0ffee000003_eth${i}`),
      );
      // Guest attaches: eth order, each after its own hot-add.
      const attaches = spans.filter((s) => s.step === "guest-attach");
      assert.deepEqual(attaches.map((s) => s.nicId), order);
      for (const a of attaches) {
        const add = spans.find((s) => s.step === "vm-add" && s.nicId === a.nicId);
        assert.ok(add && add.end < a.start, "an attach follows its own hot-add");
      }
      // Host slots in eth order too.
      assert.deepEqual(spans.filter((s) => s.step === "vm-add").map((s) => s.nicId), order);
      // One guest request at a time; host calls up to the limit.
      assert.equal(maxOverlap(spans, GUEST_STEPS), 1);
      const hostCalls = maxOverlap(spans, HOST_STEPS);
      assert.ok(hostCalls <= hostConcurrency, `${hostCalls} host calls at once`);
      if (hostConcurrency > 1) assert.ok(hostCalls > 1, "hot-adds overlap");
      // The pipeline: some hot-add runs while an earlier NIC is attached.
      const overlapped = attaches.some((a) =>
        spans.some((s) =>
          s.step === "vm-add" && s.nicId !== a.nicId && s.start < a.end && a.start < s.end
        )
      );
      assert.ok(overlapped, "a hot-add overlaps an attach");
      // Every record lists the bindings in attach order.
      for (const names of saves) {
        assert.deepEqual(
          names,
          [...names].sort((x, y) => Number(x.slice(16)) - Number(y.slice(16))),
        );
      }

      spans.length = 0;
      await controller.teardown();
      const detaches = spans.filter((s) => s.step === "guest-detach");
      assert.deepEqual(detaches.map((s) => s.nicId), [...order].reverse());
      for (const r of spans.filter((s) => s.step === "vm-remove")) {
        const d = detaches.find((s) => s.nicId === r.nicId);
        assert.ok(d && d.end < r.start, "a hot-remove follows its own NIC's detach");
      }
      assert.equal(maxOverlap(spans, GUEST_STEPS), 1);
      assert.ok(maxOverlap(spans, HOST_STEPS) <= hostConcurrency);
      if (hostConcurrency > 1) assert.ok(maxOverlap(spans, HOST_STEPS) > 1, "hot-removes overlap");
      const last = spans.at(-1);
      if (guest === "wcow") assert.equal(last?.step, "guest-namespace-remove", "namespace last");
      const { vmNics, guestAdapters, guestNamespaces } = host.inventory();
      assert.deepEqual([vmNics, guestAdapters, guestNamespaces], [[], [], []]);
    });
  }
}
