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
