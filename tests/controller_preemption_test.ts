/**
 * Stopping a pod while setup hangs: a teardown cuts off setup's running call
 * and starts at once; its own signal is honoured while it waits for its
 * turn; an aborted teardown keeps the failures it gathered.
 */
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import {
  CancelledError,
  HResultError,
  ResetError,
  SetupError,
  TeardownError,
} from "../domain/errors.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { readFixture } from "./_fakes/fake_ports.ts";
import { migratedFixture } from "./_fakes/migration_fixture.ts";
import { simStack } from "./_helpers/sim_stack.ts";

const fixture = await readFixture("pod-3nic");
const EMPTY = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };

/** A stack whose calls have the default time limit of 30 s, unless given. */
function stack(guest: "lcow" | "wcow", hostConcurrency = 1, timeoutMs?: number) {
  return simStack(guest, {
    podId: "pod-p",
    store: new MemoryStore(),
    hostConcurrency,
    latency: 1,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
}

for (const guest of ["lcow", "wcow"] as const) {
  for (const op of ["vm.add-nic", "guest.nic-add", "HcnQueryEndpointProperties"] as const) {
    Deno.test(`${guest}: a teardown cuts off setup hanging in ${op} and cleans up at once`, async () => {
      const { host, ports, store, controller } = stack(guest);
      host.faults.inject({ on: op, nth: 2, action: { type: "hang" } });
      const setup = controller.setup().then(() => undefined, (e: unknown) => e);
      while (!host.trace.some((t) => t.outcome === "hang")) {
        await new Promise((r) => setTimeout(r, 1));
      }
      const started = performance.now();
      await controller.teardown({ signal: AbortSignal.timeout(5_000) });
      const took = performance.now() - started;
      const outcome = await setup;
      assert.ok(outcome instanceof SetupError, String(outcome));
      assert.equal(outcome.rolledBack, false, "the teardown did the undoing");
      assert.ok(outcome.cause instanceof CancelledError);
      assert.match(outcome.cause.message, /teardown was requested/);
      assert.ok(took < 2_000, `teardown took ${took} ms: it did not wait for the time limit`);
      assert.equal(controller.state, "TornDown");
      ports[Symbol.dispose]();
      assert.deepEqual(host.inventory(), EMPTY);
      assert.equal(await store.load("pod-p"), undefined);
    });
  }

  Deno.test(`${guest}: a teardown cuts off a migration reset hanging in a call`, async () => {
    const { host, ports, controller } = stack(guest);
    const NEW = "0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b60";
    host.loadFixture(migratedFixture(fixture, NEW));
    await controller.setup();
    const dest = NetworkController.import(await controller.save());
    await dest.patch(NEW);
    await dest.resume(ports);
    host.faults.inject({ on: "vm.add-nic", nth: 1, action: { type: "hang" } });
    const reset = dest.resetAfterMigration().then(() => undefined, (e: unknown) => e);
    while (!host.trace.some((t) => t.outcome === "hang")) {
      await new Promise((r) => setTimeout(r, 1));
    }
    await dest.teardown({ signal: AbortSignal.timeout(5_000) });
    const outcome = await reset;
    assert.ok(outcome instanceof ResetError);
    assert.equal(dest.state, "TornDown");
    ports[Symbol.dispose]();
    assert.deepEqual(host.inventory(), EMPTY);
  });
}

Deno.test("a teardown waiting for its turn leaves the queue when its signal fires", async () => {
  const { host, ports, controller } = stack("lcow", 1, 500);
  await controller.setup();
  // The first teardown hangs in a call (a second one does not cut it off).
  host.faults.inject({ on: "vm.remove-nic", nth: 1, action: { type: "hang" } });
  const first = controller.teardown().then(() => undefined, (e: unknown) => e);
  while (!host.trace.some((t) => t.outcome === "hang")) {
    await new Promise((r) => setTimeout(r, 1));
  }
  const ctl = new AbortController();
  const second = controller.teardown({ signal: ctl.signal });
  ctl.abort(new Error("the kubelet gave up"));
  await assert.rejects(second, (e: unknown) => {
    assert.ok(e instanceof CancelledError);
    assert.match(e.message, /before it started/);
    return true;
  });
  // The first one runs on until its hung call's time limit, then reports it.
  const outcome = await first;
  assert.ok(outcome instanceof TeardownError);
  await controller.teardown();
  ports[Symbol.dispose]();
  assert.deepEqual(host.inventory(), EMPTY);
});

Deno.test("an aborted teardown keeps the failures it gathered", async () => {
  const { host, ports, controller } = stack("lcow", 1);
  await controller.setup();
  const ctl = new AbortController();
  host.faults.inject({
    on: "guest.nic-remove",
    nth: 1,
    action: { type: "hresult", hresult: HRESULT.E_FAIL },
  });
  host.faults.inject({ on: "vm.remove-nic", nth: 2, action: { type: "hang" } });
  const teardown = controller.teardown({ signal: ctl.signal });
  while (host.trace.filter((t) => t.outcome === "hang").length === 0) {
    await new Promise((r) => setTimeout(r, 1));
  }
  ctl.abort(new Error("deadline"));
  await assert.rejects(teardown, (e: unknown) => {
    assert.ok(e instanceof TeardownError, String(e));
    assert.ok(e.cause instanceof CancelledError, "it says it was aborted");
    assert.equal(e.errors.length, 1, "the failed detach is still reported");
    assert.equal(e.errors[0]?.step, "guest-detach");
    assert.ok(e.errors[0]?.cause instanceof HResultError);
    return true;
  });
  assert.equal(controller.state, "Invalid");
  await controller.teardown();
  ports[Symbol.dispose]();
  assert.deepEqual(host.inventory(), EMPTY);
});
