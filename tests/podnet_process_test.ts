import assert from "node:assert/strict";
import { FileStore } from "../adapters/store/file_store.ts";
import { FIXTURE, podnetProcess, type Run, snapshotDir } from "./_helpers/podnet_cli.ts";

const POD = "default/web-0";

function ok(r: Run, what: string): void {
  assert.equal(r.code, 0, `${what}: exit ${r.code}: ${r.err}`);
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`podnet processes (${guest}): sim init, setup, status, teardown, sim inventory, each its own process`, async () => {
    const dir = await Deno.makeTempDir({ prefix: "podnet-proc-" });
    const stateDir = `${dir}/state`;
    const simState = `${dir}/host.json`;
    await Deno.mkdir(stateDir);
    const flags = ["--state-dir", stateDir, "--host", "sim", "--sim-state", simState];

    const init = await podnetProcess(
      "sim",
      "init",
      "--sim-state",
      simState,
      "--fixture",
      FIXTURE,
      "--guest",
      guest,
      "--vm",
      `uvm-${guest}`,
      "--json",
    );
    ok(init, "sim init");
    const { vmId, namespaceId } = JSON.parse(init.out);
    assert.equal(vmId, `uvm-${guest}`);

    const setup = await podnetProcess(
      "setup",
      "--pod",
      POD,
      "--namespace",
      namespaceId,
      "--vm",
      vmId,
      "--guest",
      guest,
      ...flags,
    );
    ok(setup, "setup");
    assert.match(
      setup.out,
      /vm-add\s+start\s+NIC [0-9a-f-]{36} endpoint [0-9a-f-]{36} \(\w+_eth0\)/,
    );

    const status = await podnetProcess("status", "--pod", POD, "--json", ...flags);
    ok(status, "status");
    const view = JSON.parse(status.out);
    assert.equal(view.state, "Configured");
    assert.equal(view.bindings[0].guestName, "eth0");
    assert.match(view.bindings[0].endpointName, /_eth0$/);
    assert.deepEqual(
      view.bindings.map((b: { guestName: string }) => b.guestName),
      ["eth0", "eth1", "eth2"],
    );

    ok(await podnetProcess("teardown", "--pod", POD, ...flags), "teardown");

    const inventory = await podnetProcess("sim", "inventory", "--sim-state", simState, "--json");
    ok(inventory, "sim inventory");
    const left = JSON.parse(inventory.out);
    assert.deepEqual(left, { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 });
    assert.deepEqual(await new FileStore(stateDir).list(), []);
    await Deno.remove(dir, { recursive: true });
  });
}

Deno.test("podnet processes: a pod held by another process exits 3 and touches nothing", async () => {
  const dir = await Deno.makeTempDir({ prefix: "podnet-proc-" });
  const stateDir = `${dir}/state`;
  const simState = `${dir}/host.json`;
  await Deno.mkdir(stateDir);
  ok(
    await podnetProcess(
      "sim",
      "init",
      "--sim-state",
      simState,
      "--guest",
      "wcow",
      "--fixture",
      FIXTURE,
    ),
    "sim init",
  );
  // This test's process is the other process: it holds the pod's lock.
  const lock = await new FileStore(stateDir).tryLock(POD);
  assert.ok(lock);
  const before = { sim: await Deno.readTextFile(simState), state: await snapshotDir(stateDir) };
  const busy = await podnetProcess(
    "setup",
    "--pod",
    POD,
    "--namespace",
    "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
    "--vm",
    "podnet-uvm-1",
    "--guest",
    "wcow",
    "--state-dir",
    stateDir,
    "--host",
    "sim",
    "--sim-state",
    simState,
  );
  assert.equal(busy.code, 3, busy.err);
  assert.equal(busy.err.split(/\r?\n/).length, 1, busy.err);
  assert.match(busy.err, /another process is working on it/);
  assert.equal(await Deno.readTextFile(simState), before.sim, "the host is untouched");
  assert.deepEqual(await snapshotDir(stateDir), before.state, "no record written");
  await lock.release();
  await Deno.remove(dir, { recursive: true });
});
