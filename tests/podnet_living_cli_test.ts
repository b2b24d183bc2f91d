/**
 * `podnet nic add|remove|update`, `podnet sync`, `status` with IOV settings,
 * and `--timeline` on the simulated host kept in a file.
 */
import assert from "node:assert/strict";
import { SimulatedHost } from "../sim.ts";
import { NS, podnet, setupFlags, world } from "./_helpers/podnet_cli.ts";

const POD = "default/web-0";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const EP2 = "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d";
const EP3 = "b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d";
const ETH3 = JSON.stringify({
  ID: EP3,
  Name: "4f1d0c2b9a7e_eth3",
  IpConfigurations: [{ IpAddress: "192.168.50.13", PrefixLength: 24 }],
});

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`podnet (${guest}): nic add, update, remove and sync change a running pod; status shows IOV`, async () => {
    const w = await world(guest);
    try {
      assert.equal((await podnet("setup", ...setupFlags(guest, POD), ...w.flags)).code, 0);
      const add0 = await podnet("nic", "add", "--pod", POD, "--endpoint", EP3, ...w.flags);
      assert.equal(add0.code, 2, "not in the namespace yet: bad input, nothing done");
      assert.match(add0.err, /Cannot find endpoint in namespace/);
      const cni = await podnet(
        "sim",
        "endpoint",
        "add",
        "--sim-state",
        w.simState,
        "--document-text",
        ETH3,
      );
      assert.equal(cni.code, 0, cni.err);
      const add = await podnet("nic", "add", "--pod", POD, "--endpoint", EP3, "--json", ...w.flags);
      assert.equal(add.code, 0, add.err);
      const added = JSON.parse(add.out);
      assert.equal(added.added, true);
      assert.equal(added.bindings.at(-1).endpointId, EP3);
      assert.ok(added.steps.some((s: { step: string }) => s.step === "vm-add"));

      const bad = await podnet(
        "nic",
        "update",
        "--pod",
        POD,
        "--endpoint",
        EP1,
        "--iov-moderation",
        "Fast",
        ...w.flags,
      );
      assert.equal(bad.code, 2);
      assert.match(bad.err, /--iov-moderation/);
      const none = await podnet("nic", "update", "--pod", POD, "--endpoint", EP1, ...w.flags);
      assert.equal(none.code, 2);
      const update = await podnet(
        "nic",
        "update",
        "--pod",
        POD,
        "--endpoint",
        EP1,
        "--iov-weight",
        "100",
        "--iov-queue-pairs",
        "4",
        "--iov-moderation",
        "Adaptive",
        "--timeline",
        ...w.flags,
      );
      assert.equal(update.code, 0, update.err);
      assert.match(update.out, /vm-update\s+done/);
      assert.match(update.out, /timeline \(/);
      assert.match(update.out, /vm-update \S+ +\|[ =]*=+[ =]*\|/, "a host bar");
      const status = await podnet("status", "--pod", POD, ...w.flags);
      assert.match(
        status.out,
        /iov OffloadWeight 100, QueuePairsRequested 4, InterruptModeration Adaptive \(applied\)/,
      );
      const host = SimulatedHost.openFile(w.simState);
      assert.ok(host.vmNics().some((n) => n.iovSettings?.OffloadWeight === 100));

      const missing = await podnet(
        "nic",
        "remove",
        "--pod",
        POD,
        "--endpoint",
        "b1e2c3d4-0009-4a5b-8c6d-7e8f9a0b1c2d",
        ...w.flags,
      );
      assert.equal(missing.code, 2, "an endpoint the pod does not hold");
      const remove = await podnet("nic", "remove", "--pod", POD, "--endpoint", EP2, ...w.flags);
      assert.equal(remove.code, 0, remove.err);

      // CNI deletes eth1's endpoint; sync takes it off and puts eth2 back.
      await podnet("sim", "endpoint", "remove", "--sim-state", w.simState, "--endpoint", EP1);
      const sync = await podnet("sync", "--pod", POD, "--json", "--timeline", ...w.flags);
      assert.equal(sync.code, 0, sync.err);
      const synced = JSON.parse(sync.out);
      assert.deepEqual(synced.added, [EP2]);
      assert.deepEqual(synced.removed, [EP1]);
      assert.ok(synced.timeline.some((r: { lane: string }) => r.lane === "host"));
      assert.ok(synced.timeline.some((r: { lane: string }) => r.lane === "guest"));

      const td = await podnet("teardown", "--pod", POD, "--timeline", ...w.flags);
      assert.equal(td.code, 0, td.err);
      assert.match(td.out, /vm-remove .*\|/);
      assert.ok(SimulatedHost.openFile(w.simState).isClean());
    } finally {
      await w.remove();
    }
  });
}

Deno.test("podnet nic: a pod with no record, and a bad action, are usage errors", async () => {
  const w = await world("lcow");
  try {
    assert.equal(
      (await podnet("nic", "add", "--pod", "nobody", "--endpoint", EP3, ...w.flags)).code,
      2,
    );
    assert.equal((await podnet("nic", "bounce", "--pod", "nobody", ...w.flags)).code, 2);
    assert.equal((await podnet("sync", "--pod", "nobody", ...w.flags)).code, 2);
    assert.equal(NS.length, 36);
  } finally {
    await w.remove();
  }
});
