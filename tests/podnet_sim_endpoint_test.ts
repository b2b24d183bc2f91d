import assert from "node:assert/strict";
import { SimulatedHost } from "../sim.ts";
import { NS, podnet, world } from "./_helpers/podnet_cli.ts";

const EP3 = "b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

function listed(simState: string): string[] {
  const ns = SimulatedHost.openFile(simState).exportState().namespaces[0];
  return (ns?.["Resources"] as { Type: string; Data: { ID: string } }[])
    .filter((r) => r.Type === "Endpoint").map((r) => r.Data.ID);
}

Deno.test("podnet sim endpoint add|remove changes the file-backed host's namespace", async () => {
  const w = await world("lcow");
  const doc = JSON.stringify({ ID: EP3, Name: "4f1d0c2b9a7e_eth3" });
  const add = await podnet(
    "sim",
    "endpoint",
    "add",
    "--sim-state",
    w.simState,
    "--document-text",
    doc,
    "--json",
  );
  assert.equal(add.code, 0, add.err);
  assert.deepEqual(JSON.parse(add.out), { action: "add", endpointId: EP3, namespaceIds: [NS] });
  assert.equal(listed(w.simState).at(-1), EP3);

  const path = `${await Deno.makeTempDir()}/ep.json`;
  await Deno.writeTextFile(path, doc);
  const again = await podnet(
    "sim",
    "endpoint",
    "add",
    "--sim-state",
    w.simState,
    "--document",
    path,
  );
  assert.equal(again.code, 2);
  assert.match(again.err, /already exists/);

  const keep = await podnet(
    "sim",
    "endpoint",
    "remove",
    "--sim-state",
    w.simState,
    "--endpoint",
    EP0,
    "--keep-endpoint",
  );
  assert.equal(keep.code, 0, keep.err);
  assert.match(keep.out, /taken out of namespace/);
  assert.ok(!listed(w.simState).includes(EP0));
  assert.ok(
    SimulatedHost.openFile(w.simState).exportState().endpoints.some((e) => e["ID"] === EP0),
  );

  const remove = await podnet(
    "sim",
    "endpoint",
    "remove",
    "--sim-state",
    w.simState,
    "--endpoint",
    EP3,
    "--json",
  );
  assert.equal(remove.code, 0, remove.err);
  assert.deepEqual(JSON.parse(remove.out).namespaceIds, [NS]);
  assert.ok(!listed(w.simState).includes(EP3));

  for (
    const [args, pattern] of [
      [["remove", "--endpoint", EP3], /Cannot remove the endpoint/],
      [["add"], /--document/],
      [["add", "--document-text", "[1]"], /must be a JSON object/],
      [["rename"], /give add or remove/],
    ] as const
  ) {
    const r = await podnet("sim", "endpoint", ...args, "--sim-state", w.simState);
    assert.equal(r.code, 2, r.err);
    assert.match(r.err, pattern);
  }
});

Deno.test("podnet sim inventory shows a NIC's IOV settings as HCS keeps them; --json stays the leak inventory", async () => {
  const w = await world("wcow");
  const host = SimulatedHost.openFile(w.simState);
  const nic = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
  const vm = await host.hcs.openComputeSystem(host.vmId);
  const path = `VirtualMachine/Devices/NetworkAdapters/${nic}`;
  await host.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({ ResourcePath: path, RequestType: "Add", Settings: { EndpointId: EP0 } }),
  );
  await host.hcs.modifyComputeSystem(
    vm,
    JSON.stringify({
      ResourcePath: path,
      RequestType: "Update",
      Settings: {
        EndpointId: EP0,
        IovSettings: { OffloadWeight: 100, QueuePairsRequested: 4, InterruptModeration: "High" },
      },
    }),
  );
  host.hcs.closeComputeSystem(vm);
  const human = await podnet("sim", "inventory", "--sim-state", w.simState);
  assert.equal(human.code, 0, human.err);
  assert.match(human.out, new RegExp(`NIC ${nic} IOV: weight 100, queue pairs 4, moderation High`));
  const json = await podnet("sim", "inventory", "--sim-state", w.simState, "--json");
  assert.deepEqual(JSON.parse(json.out).vmNics, [nic]);
});
