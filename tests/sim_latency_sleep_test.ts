import assert from "node:assert/strict";
import { latencySleep } from "../adapters/sim/_latency_sleep.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { podFixture } from "./_fakes/generated_fixture.ts";

Deno.test("latencySleep: never ends before its deadline, short or long", async () => {
  for (const ms of [0.3, 1, 2, 2.5, 7]) {
    const start = performance.now();
    await latencySleep(ms, undefined);
    const took = performance.now() - start;
    assert.ok(took >= ms, `${ms} ms took ${took.toFixed(3)} ms`);
  }
});

Deno.test("latencySleep: zero or less resolves at once", async () => {
  await latencySleep(0, undefined);
  await latencySleep(-1, undefined);
});

Deno.test("latencySleep: an abort rejects with the signal's reason, in the timer and in the last stretch", async () => {
  for (const [ms, abortAfter] of [[50, 1], [1.5, 0.2]] as const) {
    const controller = new AbortController();
    const reason = new Error(`stop ${ms}`);
    const sleeping = latencySleep(ms, controller.signal);
    const start = performance.now();
    setTimeout(() => controller.abort(reason), abortAfter);
    await assert.rejects(sleeping, (e: unknown) => e === reason);
    assert.ok(performance.now() - start < ms + 20, "the abort ended the wait");
  }
});

Deno.test("latencySleep: an aborted signal rejects without waiting", async () => {
  const controller = new AbortController();
  const reason = new Error("already");
  controller.abort(reason);
  await assert.rejects(latencySleep(30, controller.signal), (e: unknown) => e === reason);
});

Deno.test("simulated host: a call with latency takes at least its modelled time", async () => {
  const host = new SimulatedHost({ guest: "lcow", latency: { HcnOpenNamespace: 3 } });
  const fixture = podFixture(1, 1);
  host.loadFixture(fixture);
  const start = performance.now();
  const handle = await host.hcn.openNamespace(fixture.namespace.ID);
  const took = performance.now() - start;
  host.hcn.closeNamespace(handle);
  assert.ok(took >= 3, `took ${took.toFixed(3)} ms`);
  assert.equal(host.trace.find((e) => e.call === "HcnOpenNamespace")?.latencyMs, 3);
});
