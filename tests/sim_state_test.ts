import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { createPorts } from "../adapters/create_ports.ts";
import { NetworkController } from "../domain/network_controller.ts";
import {
  InvalidArgumentError,
  NotFoundError,
  OperationTimeoutError,
  StoreError,
} from "../domain/errors.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { SimulatedHost, type SimulatedHostState } from "../sim.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import { readFixture } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";

/** Sets pod-a up on the host, recording it in the store. */
async function setUp(host: SimulatedHost, guest: GuestPlatform, store = new MemoryStore()) {
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  const controller = new NetworkController({ podId: "pod-a", namespaceId: NS, store }, ports);
  await controller.setup();
  return store;
}

/** Tears pod-a down on the host from the store's record, as a new process would. */
async function tearDown(host: SimulatedHost, guest: GuestPlatform, store: MemoryStore) {
  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  const controller = NetworkController.recover(await store.load("pod-a"), ports, { store });
  await controller.teardown();
}

async function tempFile(): Promise<{ dir: string; path: string }> {
  const dir = await Deno.makeTempDir();
  return { dir, path: `${dir}/host.json` };
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`sim state (${guest}): a set-up pod's world survives export and fromState whole`, async () => {
    const host = new SimulatedHost({ guest, vmId: "uvm-9" });
    host.loadFixture(await readFixture("pod-3nic.json"));
    const store = await setUp(host, guest);
    const state = host.exportState();
    assert.equal(state.vmNics.length, 3);
    assert.equal(state.guestAdapters.length, 3);
    assert.equal(state.guestNamespaces.length, guest === "wcow" ? 1 : 0);
    const copy = SimulatedHost.fromState(JSON.parse(JSON.stringify(state)));
    assert.deepEqual(copy.exportState(), state);
    assert.deepEqual(copy.inventory(), host.inventory());
    assert.deepEqual(copy.trace, [], "the trace belongs to the process that made the calls");
    // The copy is a host of its own: tearing the pod down there leaves it clean.
    await tearDown(copy, guest, store);
    assert.ok(copy.isClean());
    assert.equal(host.inventory().vmNics.length, 3, "the original is untouched");
  });
}

Deno.test("sim state: faults keep their counts, latency its generator, across export", async () => {
  const host = new SimulatedHost({ guest: "lcow", latency: { minMs: 0, maxMs: 1 }, seed: 7 });
  host.loadFixture(await readFixture("pod-3nic.json"));
  host.faults.inject({ on: "HcnOpenEndpoint", nth: 2, action: { type: "hang", applied: true } });
  await host.hcn.closeNamespace(await host.hcn.openNamespace(NS));
  await host.hcn.closeEndpoint(await host.hcn.openEndpoint(EP0));
  const copy = SimulatedHost.fromState(host.exportState());
  assert.deepEqual(copy.faults.pending, host.faults.pending);
  assert.equal(copy.faults.pending[0]?.seen, 1);
  // Both draw the same next latencies.
  for (const h of [host, copy]) h.clearTrace();
  for (const h of [host, copy]) await h.hcn.closeNamespace(await h.hcn.openNamespace(NS));
  assert.equal(copy.trace[0]?.latencyMs, host.trace[0]?.latencyMs);
  assert.ok((host.trace[0]?.latencyMs ?? 0) > 0);
});

Deno.test("sim state: fromState rejects a world that could not be, naming the field", () => {
  const good = new SimulatedHost({ guest: "lcow" }).exportState();
  const cases: [string, unknown, RegExp][] = [
    ["not an object", 42, /state/],
    ["another version", { ...good, schemaVersion: 2 }, /schemaVersion/],
    ["an upper-case NIC ID", {
      ...good,
      vmNics: [{ id: NIC0.toUpperCase(), endpointId: EP0 }],
    }, /vmNics\.0\.id/],
    ["a NIC in a stopped VM", {
      ...good,
      vmRunning: false,
      guestConnected: false,
      vmNics: [{ id: NIC0, endpointId: EP0 }],
    }, /stopped VM/],
    ["an adapter without a guest connection", {
      ...good,
      guestConnected: false,
      guestAdapters: [{ id: NIC0, state: "added" }],
    }, /disconnected guest/],
    [
      "an endpoint twice",
      { ...good, endpoints: [{ ID: EP0 }, { ID: EP0.toUpperCase() }] },
      /twice/,
    ],
    ["a fault on an unknown call", {
      ...good,
      faults: {
        next: 1,
        clears: 0,
        armed: [{ order: 0, on: "nope", nth: 1, seen: 0, action: { type: "hang" } }],
      },
    }, /fault\.on/],
    ["faults out of order", {
      ...good,
      faults: {
        next: 2,
        clears: 0,
        armed: [
          { order: 1, on: "*", nth: 1, seen: 0, action: { type: "hang" } },
          { order: 0, on: "*", nth: 1, seen: 0, action: { type: "hang" } },
        ],
      },
    }, /orders must rise/],
    ["a bad latency", { ...good, latency: -1 }, /latency/],
    ["an unknown field", { ...good, extra: true }, /state/],
  ];
  for (const [what, state, message] of cases) {
    assert.throws(
      () => SimulatedHost.fromState(state),
      (e) => e instanceof InvalidArgumentError && message.test(e.message),
      what,
    );
  }
});

Deno.test("sim state: a hang fault with applied: true applies the call and loses the answer", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.addEndpoint({ ID: EP0 });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  host.faults.inject({ on: "vm.add-nic", action: { type: "hang", applied: true } });
  const abort = new AbortController();
  const call = host.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({
      ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC0}`,
      RequestType: "Add",
      Settings: { EndpointId: EP0 },
    }),
    { signal: abort.signal },
  );
  assert.deepEqual(host.inventory().vmNics, [NIC0], "applied before the answer was lost");
  abort.abort(new OperationTimeoutError("HcsModifyComputeSystem", 1));
  await assert.rejects(call, OperationTimeoutError);
  assert.equal(host.trace.at(-1)?.outcome, "hang");
  host.hcs.closeComputeSystem(vm);
  // Applied to an open call, the handle the caller never got is not left open.
  host.faults.inject({ on: "HcsOpenComputeSystem", action: { type: "hang", applied: true } });
  const lost = new AbortController();
  const open = host.hcs.openComputeSystem(host.vmId, { signal: lost.signal });
  lost.abort(new Error("gave up"));
  await assert.rejects(open, /gave up/);
  assert.equal(host.inventory().openHandles, 0);
});

Deno.test("sim file: hosts opened on one file share one world, call by call", async () => {
  const { dir, path } = await tempFile();
  const seed = new SimulatedHost({ guest: "wcow", vmId: "uvm-1" });
  seed.loadFixture(await readFixture("pod-3nic.json"));
  SimulatedHost.createFile(path, seed.exportState());
  const a = SimulatedHost.openFile(path);
  const b = SimulatedHost.openFile(path);
  assert.equal(b.vmId, "uvm-1");
  assert.equal(b.guest, "wcow");
  const store = await setUp(a, "wcow");
  assert.equal(b.inventory().vmNics.length, 3, "b sees what a did");
  assert.deepEqual(
    JSON.parse(await Deno.readTextFile(path)),
    a.exportState(),
    "the file holds the world",
  );
  b.faults.inject({ on: "vm.remove-nic", action: { type: "hresult", hresult: 0x80004005 } });
  assert.equal(a.faults.pending.length, 1, "a sees b's fault");
  await assert.rejects(tearDown(a, "wcow", store));
  assert.equal(b.faults.pending.length, 0, "the fault fired in a, and b knows it");
  await tearDown(b, "wcow", store);
  assert.ok(a.isClean());
  assert.ok(SimulatedHost.openFile(path).isClean());
  assert.deepEqual(
    [...Deno.readDirSync(dir)].map((e) => e.name).sort(),
    ["host.json", "host.json.lock"],
    "no temporary file left",
  );
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sim file: create refuses an existing file; open refuses a missing, corrupt or foreign one", async () => {
  const { dir, path } = await tempFile();
  const state = new SimulatedHost({ guest: "lcow" }).exportState();
  assert.throws(
    () => SimulatedHost.openFile(path),
    (e) => e instanceof NotFoundError && e.message.includes(path),
  );
  SimulatedHost.createFile(path, state);
  assert.throws(() => SimulatedHost.createFile(path, state), /already exists/);
  assert.throws(
    () => SimulatedHost.createFile(`${dir}/other.json`, { ...state, vmRunning: "yes" } as never),
    InvalidArgumentError,
  );
  assert.throws(() => SimulatedHost.openFile(""), InvalidArgumentError);
  for (const bad of ["{", "[]", JSON.stringify({ ...state, schemaVersion: 9 })]) {
    await Deno.writeTextFile(path, bad);
    assert.throws(
      () => SimulatedHost.openFile(path),
      (e) => e instanceof StoreError && e.message.includes("its content is not valid"),
      bad,
    );
  }
  // A file that turns into another host under an open one is refused, not mixed in.
  await Deno.writeTextFile(path, JSON.stringify(state));
  const host = SimulatedHost.openFile(path);
  await Deno.writeTextFile(path, JSON.stringify({ ...state, vmId: "another-vm" }));
  assert.throws(() => host.inventory(), /changed into another host/);
  await Deno.remove(dir, { recursive: true });
});

Deno.test("sim file: opening removes temporary files left by a killed writer", async () => {
  const { dir, path } = await tempFile();
  SimulatedHost.createFile(path, new SimulatedHost({ guest: "lcow" }).exportState());
  const stale = `${path}.${crypto.randomUUID()}.tmp`;
  await Deno.writeTextFile(stale, '{"schemaVersion":1,"gue');
  await Deno.writeTextFile(`${dir}/unrelated.tmp`, "");
  SimulatedHost.openFile(path);
  await assert.rejects(Deno.stat(stale), Deno.errors.NotFound);
  await Deno.stat(`${dir}/unrelated.tmp`);
  await Deno.remove(dir, { recursive: true });
});

const WRITER = fileURLToPath(new URL("./_helpers/sim_file_writer.ts", import.meta.url));

Deno.test("sim file: concurrent processes never lose each other's changes", async () => {
  const { dir, path } = await tempFile();
  SimulatedHost.createFile(path, new SimulatedHost({ guest: "lcow" }).exportState());
  const writers = [0, 1, 2].map((n) =>
    new Deno.Command(Deno.execPath(), {
      args: ["run", "--allow-read", "--allow-write", WRITER, path, String(n), "15"],
      stdout: "piped",
      stderr: "piped",
    }).output()
  );
  for (const out of await Promise.all(writers)) {
    assert.equal(out.code, 0, new TextDecoder().decode(out.stderr));
  }
  const state: SimulatedHostState = SimulatedHost.openFile(path).exportState();
  assert.equal(state.endpoints.length, 45, "every endpoint of every process");
  assert.equal(state.faults.armed.length, 45, "every fault of every process");
  await Deno.remove(dir, { recursive: true });
});
