import assert from "node:assert/strict";
import { HResultError, InvalidArgumentError, NotFoundError } from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { SimulatedHost } from "../sim.ts";
import { hresultErrorOf } from "./_helpers/hresult_failure.ts";

const QUERY = '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}';
const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

async function fixture(name: string): Promise<unknown> {
  return JSON.parse(
    await Deno.readTextFile(new URL(`../adapters/sim/fixtures/${name}`, import.meta.url)),
  );
}

async function loaded(): Promise<SimulatedHost> {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(await fixture("pod-3nic.json"));
  return host;
}

function syncHresultOf(fn: () => unknown): HResultError {
  try {
    fn();
  } catch (err) {
    assert.ok(err instanceof HResultError, `expected HResultError, got ${String(err)}`);
    return err;
  }
  assert.fail("expected the call to fail");
}

Deno.test("sim hcn: a loaded fixture answers namespace and endpoint queries with its documents", async () => {
  const host = await loaded();
  const data = await fixture("pod-3nic.json") as {
    namespace: unknown;
    endpoints: { ID: string }[];
  };
  const ns = await host.hcn.openNamespace(NS);
  assert.deepEqual(JSON.parse(await host.hcn.queryNamespaceProperties(ns, QUERY)), data.namespace);
  host.hcn.closeNamespace(ns);
  for (const doc of data.endpoints) {
    const ep = await host.hcn.openEndpoint(doc.ID);
    assert.deepEqual(JSON.parse(await host.hcn.queryEndpointProperties(ep, QUERY)), doc);
    host.hcn.closeEndpoint(ep);
  }
  assert.ok(host.isClean());
});

Deno.test("sim hcn: loadFixture rejects bad shapes and changes nothing", async () => {
  const host = new SimulatedHost({ guest: "wcow" });
  const bad: unknown[] = [
    null,
    "text",
    { namespace: { ID: NS } },
    { namespace: { ID: "not-a-guid" }, endpoints: [] },
    { namespace: { ID: NS }, endpoints: [{ Name: "no id" }] },
    { namespace: { ID: NS }, endpoints: [{ ID: EP0 }, { ID: EP0.toUpperCase() }] },
    { namespace: { ID: NS, Bad: () => 1 }, endpoints: [] },
  ];
  for (const shape of bad) {
    assert.throws(() => host.loadFixture(shape), InvalidArgumentError, JSON.stringify(shape));
  }
  assert.equal((await hresultErrorOf(host.hcn.openNamespace(NS))).hresult, HRESULT.ERROR_NOT_FOUND);
  const names = await fixture("pod-names.json");
  host.loadFixture(names);
  assert.throws(() => host.loadFixture(names), InvalidArgumentError);
  assert.throws(
    () => host.addEndpoint({ ID: "e0000000-0000-4000-8000-00000000000A" }),
    InvalidArgumentError,
  );
});

Deno.test("sim hcn: IDs are accepted in any case and with braces; other text fails GUID conversion", async () => {
  const host = await loaded();
  const h1 = await host.hcn.openNamespace(`{${NS.toUpperCase()}}`);
  const h2 = await host.hcn.openEndpoint(EP0.toUpperCase());
  host.hcn.closeNamespace(h1);
  host.hcn.closeEndpoint(h2);
  const err = await hresultErrorOf(host.hcn.openNamespace("pod-namespace"));
  assert.equal(err.hresult, HRESULT.HCN_E_GUID_CONVERSION_FAILURE);
  assert.equal(err.call, "HcnOpenNamespace");
  const err2 = await hresultErrorOf(host.hcn.openEndpoint(`{${EP0}`));
  assert.equal(err2.hresult, HRESULT.HCN_E_GUID_CONVERSION_FAILURE);
});

Deno.test("sim hcn: missing objects fail as HNS does, with an HNS error record", async () => {
  const host = await loaded();
  const ns = await hresultErrorOf(host.hcn.openNamespace("00000000-0000-4000-8000-000000000001"));
  assert.equal(ns.hresult, HRESULT.ERROR_NOT_FOUND);
  assert.equal(JSON.parse(ns.record?.raw ?? "{}").Success, false);
  assert.match(ns.record?.message ?? "", /not found/);
  const ep = await hresultErrorOf(host.hcn.openEndpoint("00000000-0000-4000-8000-000000000002"));
  assert.equal(ep.hresult, HRESULT.HCN_E_ENDPOINT_NOT_FOUND);

  const h = await host.hcn.openEndpoint(EP0);
  host.deleteEndpoint(EP0);
  const gone = await hresultErrorOf(host.hcn.queryEndpointProperties(h, QUERY));
  assert.equal(gone.hresult, HRESULT.HCN_E_ENDPOINT_NOT_FOUND);
  host.hcn.closeEndpoint(h);
  assert.throws(() => host.deleteEndpoint(EP0), NotFoundError);
  host.deleteNamespace(NS.toUpperCase());
  assert.throws(() => host.deleteNamespace(NS), NotFoundError);
});

Deno.test("sim hcn: handles are counted, closing twice or using a closed handle fails E_HANDLE", async () => {
  const host = await loaded();
  const ns = await host.hcn.openNamespace(NS);
  const ep = await host.hcn.openEndpoint(EP0);
  assert.equal(host.inventory().openHandles, 2);
  assert.equal(host.isClean(), false);
  host.hcn.closeNamespace(ns);
  assert.equal(syncHresultOf(() => host.hcn.closeNamespace(ns)).hresult, HRESULT.E_HANDLE);
  const used = await hresultErrorOf(host.hcn.queryNamespaceProperties(ns, QUERY));
  assert.equal(used.hresult, HRESULT.E_HANDLE);
  // an endpoint handle is not a namespace handle
  const wrongKind = syncHresultOf(() =>
    host.hcn.closeNamespace(ep as unknown as Parameters<typeof host.hcn.closeNamespace>[0])
  );
  assert.equal(wrongKind.hresult, HRESULT.E_HANDLE);
  // a handle of another host is unknown here
  const other = await loaded();
  const foreign = await other.hcn.openEndpoint(EP0);
  assert.equal(syncHresultOf(() => host.hcn.closeEndpoint(foreign)).hresult, HRESULT.E_HANDLE);
  other.hcn.closeEndpoint(foreign);
  host.hcn.closeEndpoint(ep);
  assert.equal(host.inventory().openHandles, 0);
  assert.ok(host.isClean());
});

Deno.test("sim hcn: query documents must be JSON with a version 2 SchemaVersion", async () => {
  const host = await loaded();
  const ns = await host.hcn.openNamespace(NS);
  for (
    const query of [
      "",
      "{",
      "[]",
      "{}",
      '{"SchemaVersion":{"Major":1,"Minor":0}}',
      '{"SchemaVersion":2}',
    ]
  ) {
    const err = await hresultErrorOf(host.hcn.queryNamespaceProperties(ns, query));
    assert.equal(err.hresult, HRESULT.HCN_E_INVALID_JSON, query);
  }
  for (
    const bad of [
      '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"[1]"}',
      '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{"}',
      '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":{"ID":"x"}}',
      '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":-1}',
      '{"SchemaVersion":{"Major":2}}',
    ]
  ) {
    const err = await hresultErrorOf(host.hcn.enumerateEndpoints(bad));
    assert.equal(err.hresult, HRESULT.HCN_E_INVALID_JSON, bad);
    assert.match(err.record?.message ?? "", /^Invalid query document: /);
  }
  // An empty Filter filters nothing.
  const unfiltered = '{"SchemaVersion":{"Major":2,"Minor":1},"Filter":""}';
  assert.equal(JSON.parse(await host.hcn.enumerateEndpoints(unfiltered)).length, 3);
  host.hcn.closeNamespace(ns);
});

Deno.test("sim hcn: enumerations return GUID arrays, filtered by ID in any form", async () => {
  const host = await loaded();
  const all = JSON.parse(await host.hcn.enumerateEndpoints(QUERY));
  assert.deepEqual(all.slice().sort(), [
    "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
    "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d",
    "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d",
  ]);
  const filter = (id: string) =>
    JSON.stringify({
      SchemaVersion: { Major: 2, Minor: 0 },
      Flags: 0,
      Filter: JSON.stringify({ ID: id }),
    });
  assert.deepEqual(
    JSON.parse(await host.hcn.enumerateNamespaces(filter(`{${NS.toUpperCase()}}`))),
    [
      NS,
    ],
  );
  assert.deepEqual(
    JSON.parse(await host.hcn.enumerateNamespaces(filter("00000000-0000-4000-8000-000000000009"))),
    [],
  );
  assert.deepEqual(JSON.parse(await host.hcn.enumerateEndpoints(filter(EP0))), [EP0]);
  const byName = JSON.stringify({
    SchemaVersion: { Major: 2, Minor: 0 },
    Filter: JSON.stringify({ Name: "4f1d0c2b9a7e_eth2" }),
  });
  assert.deepEqual(JSON.parse(await host.hcn.enumerateEndpoints(byName)), [
    "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d",
  ]);
  const entry = host.trace.find((e) => e.call === "HcnEnumerateEndpoints");
  assert.equal(entry?.op, "HcnEnumerateEndpoints");
  assert.equal(host.trace.filter((e) => e.target === NS).length, 1);
});

Deno.test("sim hcn: documents are copied on add, so later edits do not leak in", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  const doc = { ID: EP0, Name: "a_eth0" };
  host.addEndpoint(doc);
  doc.Name = "changed";
  const h = await host.hcn.openEndpoint(EP0);
  assert.equal(JSON.parse(await host.hcn.queryEndpointProperties(h, QUERY)).Name, "a_eth0");
  host.hcn.closeEndpoint(h);
});
