import assert from "node:assert/strict";
import { InvalidArgumentError } from "../domain/errors.ts";
import { WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import { openHarness, readFixture } from "./native/standins.ts";

// Admission control of WindowsLibraries: at most maxInFlight native calls on
// worker threads, the rest in a JavaScript-side FIFO queue that an abort can
// still leave (Deno's own queue cannot be left).

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const fixture = await readFixture();
const NS = fixture.namespace.ID;

Deno.test("maxInFlight 2: five concurrent calls never run more than two at once, and all succeed", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 2 } });
  assert.equal(h.libraries.maxInFlight, 2);
  h.standins.setDelay("hcn", "HcnEnumerateNamespaces", 40);
  const calls = Array.from({ length: 5 }, () => h.hcn.enumerateNamespaces(QUERY));
  assert.deepEqual(
    [h.libraries.inFlight, h.libraries.queued, h.libraries.pending],
    [2, 3, 5],
  );
  const results = await Promise.all(calls);
  for (const text of results) assert.deepEqual(JSON.parse(text), [NS]);
  assert.equal(h.standins.callCount("hcn", "HcnEnumerateNamespaces"), 5);
  assert.ok(h.standins.maxInFlight("hcn") <= 2, `${h.standins.maxInFlight("hcn")} ran at once`);
  assert.deepEqual([h.libraries.inFlight, h.libraries.queued], [0, 0]);
  await h.assertClean();
});

Deno.test("queued calls start in the order they were made", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1 } });
  h.standins.setDelay("hcn", "*", 10);
  await Promise.all([
    h.hcn.enumerateNamespaces(QUERY),
    h.hcn.enumerateEndpoints(QUERY),
    h.hcn.enumerateNamespaces(QUERY.replace("0}", "0 }")),
  ]);
  assert.deepEqual(h.standins.documents("hcn").map((d) => [d.Call, d.Document]), [
    ["HcnEnumerateNamespaces", QUERY],
    ["HcnEnumerateEndpoints", QUERY],
    ["HcnEnumerateNamespaces", QUERY.replace("0}", "0 }")],
  ]);
  assert.equal(h.standins.maxInFlight("hcn"), 1);
  await h.assertClean();
});

Deno.test("a queued call aborted before it starts is never seen by the DLL", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1 } });
  h.standins.setDelay("hcn", "HcnEnumerateNamespaces", 80);
  const first = h.hcn.enumerateNamespaces(QUERY);
  const controller = new AbortController();
  const dropped = h.hcn.enumerateEndpoints(QUERY, { signal: controller.signal });
  const third = h.hcn.openNamespace(NS);
  assert.deepEqual([h.libraries.inFlight, h.libraries.queued], [1, 2]);
  const reason = new Error("never mind");
  controller.abort(reason);
  await assert.rejects(dropped, (e: unknown) => e === reason);
  assert.equal(h.libraries.queued, 1, "the aborted call left the queue at once");
  await first;
  h.hcn.closeNamespace(await third);
  await h.libraries.settled();
  assert.equal(h.standins.callCount("hcn", "HcnEnumerateEndpoints"), 0);
  assert.equal(h.standins.callCount("hcn", "HcnOpenNamespace"), 1);
  assert.deepEqual(h.standins.documents("hcn").map((d) => d.Call), ["HcnEnumerateNamespaces"]);
  await h.assertClean();
});

Deno.test("vmcompute: a queued call dropped by its abort lets go of its handle", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1, hcs: "vmcompute" } });
  h.standins.addSystem("uvm-queue", "lcow");
  const vm = await h.hcs.openComputeSystem("uvm-queue");
  h.standins.setDelay("hcs", "HcsGetComputeSystemProperties", 80);
  const reading = h.hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["GuestConnection"]}');
  const controller = new AbortController();
  const modify = h.hcs.modifyComputeSystem(vm, '{"GuestRequest":{}}', {
    signal: controller.signal,
    onAbandoned: () => assert.fail("a call that never started is not abandoned work"),
  });
  controller.abort(new Error("dropped"));
  await assert.rejects(modify, /dropped/);
  h.hcs.closeComputeSystem(vm); // deferred only until the running read returns
  assert.equal(JSON.parse(await reading).Id, "uvm-queue");
  await h.libraries.settled();
  assert.equal(h.standins.callCount("hcs", "HcsModifyComputeSystem"), 0);
  assert.equal(h.standins.counters().hcsHandles, 0);
  await h.assertClean();
});

Deno.test("computecore: operations waiting for HCS take no worker slot; only the open is admitted", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1, hcs: "computecore" } });
  h.standins.addSystem("uvm-queue", "lcow");
  const vm = await h.hcs.openComputeSystem("uvm-queue");
  h.standins.hold("hcs", "HcsGetComputeSystemProperties");
  const reads = Array.from(
    { length: 40 },
    () => h.hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["GuestConnection"]}'),
  );
  await h.standins.waitUntilHeld("hcs", 40);
  // Forty calls wait for HCS at once, more than Deno's 32 worker threads,
  // with no worker slot taken: a call that needs one still runs at once.
  assert.deepEqual([h.libraries.inFlight, h.libraries.queued, h.libraries.pending], [0, 0, 40]);
  assert.deepEqual(JSON.parse(await h.hcn.enumerateNamespaces(QUERY)), [NS]);
  h.standins.release("hcs");
  for (const text of await Promise.all(reads)) assert.equal(JSON.parse(text).Id, "uvm-queue");
  assert.equal(h.standins.maxInFlight("hcs"), 40);
  h.hcs.closeComputeSystem(vm);
  await h.assertClean();
});

Deno.test("a call whose caller gave up keeps its worker slot until the DLL returns", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1 } });
  h.standins.hold("hcn", "HcnEnumerateNamespaces");
  await assert.rejects(
    h.hcn.enumerateNamespaces(QUERY, { signal: AbortSignal.timeout(20) }),
    (e: unknown) => e instanceof DOMException && e.name === "TimeoutError",
  );
  const next = h.hcn.enumerateEndpoints(QUERY);
  assert.deepEqual([h.libraries.inFlight, h.libraries.queued], [1, 1]);
  await h.standins.waitUntilHeld("hcn");
  assert.equal(h.standins.callCount("hcn", "HcnEnumerateEndpoints"), 0);
  h.standins.release("hcn");
  assert.equal(JSON.parse(await next).length, fixture.endpoints.length);
  assert.equal(h.standins.maxInFlight("hcn"), 1);
  await h.assertClean();
});

Deno.test("close() lets the queued calls run, then closes the libraries", async () => {
  await using h = await openHarness({ libraries: { maxInFlight: 1 } });
  h.standins.setDelay("hcn", "HcnEnumerateNamespaces", 20);
  const calls = [h.hcn.enumerateNamespaces(QUERY), h.hcn.enumerateNamespaces(QUERY)];
  const closing = h.libraries.close();
  assert.equal(h.libraries.closed, true);
  assert.equal((await Promise.all(calls)).length, 2);
  await closing;
  assert.deepEqual([h.libraries.pending, h.libraries.inFlight, h.libraries.queued], [0, 0, 0]);
  await h.assertClean();
});

Deno.test("maxInFlight must be an integer from 1 to 32; the default is 32", () => {
  for (const maxInFlight of [0, 33, -1, 1.5, Number.NaN, Number.POSITIVE_INFINITY]) {
    assert.throws(
      () => new WindowsLibraries({}, { maxInFlight }),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === "maxInFlight",
      String(maxInFlight),
    );
  }
  assert.equal(new WindowsLibraries().maxInFlight, 32);
  assert.equal(new WindowsLibraries({}, { maxInFlight: 1 }).maxInFlight, 1);
  assert.equal(new WindowsLibraries({}, { maxInFlight: 32 }).maxInFlight, 32);
});
