import assert from "node:assert/strict";
import {
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  NotFoundError,
  OperationTimeoutError,
} from "../domain/errors.ts";
import { HCN_QUERY, HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import type { JsonObject } from "../ports/json.ts";
import { readFixture, RecordingHcn } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const EP2 = "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d";

async function pod3(options: { timeoutMs?: number } = {}) {
  const fixture = await readFixture("pod-3nic.json");
  const hcn = new RecordingHcn();
  hcn.loadFixture(fixture);
  return { fixture, hcn, host: new HcnHostNetwork(hcn, options) };
}

function endpointDoc(extra: JsonObject): string {
  return JSON.stringify({ ID: EP0, ...extra });
}

async function rejectsField(promise: Promise<unknown>, field: string): Promise<void> {
  await assert.rejects(promise, (e: unknown) => {
    assert.ok(e instanceof InvalidHostDataError, String(e));
    assert.equal(e.field, field);
    assert.equal(e.code, "INVALID_HOST_DATA");
    assert.ok(e.message.includes(field));
    return true;
  });
}

Deno.test("getNamespace: endpoints in HNS order, container resources skipped, handle closed", async () => {
  const { fixture, hcn, host } = await pod3();
  const ns = await host.getNamespace(NS);
  assert.equal(ns.id, NS);
  assert.deepEqual(ns.endpointIds, [EP1, EP0, EP2]);
  assert.deepEqual(ns.document, fixture.namespace);
  assert.deepEqual(hcn.calls, [
    { call: "HcnOpenNamespace", args: [NS] },
    {
      call: "HcnQueryNamespaceProperties",
      args: ['{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}'],
    },
    { call: "HcnCloseNamespace", args: ["1"] },
  ]);
  assert.equal(HCN_QUERY, '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}');
  assert.equal(hcn.openHandles, 0);
});

Deno.test("getNamespace keeps duplicate endpoint IDs and lower-cases them", async () => {
  const fixture = await readFixture("pod-names.json");
  const hcn = new RecordingHcn();
  hcn.loadFixture(fixture);
  hcn.setNamespace("7a000000-0000-4000-8000-000000000001", {
    ID: "7A000000-0000-4000-8000-000000000001",
    Resources: [
      { Type: "Endpoint", Data: { ID: "{E0000000-0000-4000-8000-00000000000A}" } },
      { Type: "Endpoint", Data: { ID: "e0000000-0000-4000-8000-00000000000a" } },
    ],
  });
  const host = new HcnHostNetwork(hcn);
  const names = await host.getNamespace("0d9c8b7a-6f5e-4d3c-9b2a-1f0e9d8c7b6a");
  assert.deepEqual(names.endpointIds, [
    "e0000000-0000-4000-8000-00000000000a",
    "e0000000-0000-4000-8000-00000000000b",
    "e0000000-0000-4000-8000-00000000000c",
    "e0000000-0000-4000-8000-00000000000d",
    "e0000000-0000-4000-8000-00000000000b",
    "e0000000-0000-4000-8000-00000000000e",
  ]);
  const dup = await host.getNamespace("7a000000-0000-4000-8000-000000000001");
  assert.deepEqual(dup.endpointIds, [
    "e0000000-0000-4000-8000-00000000000a",
    "e0000000-0000-4000-8000-00000000000a",
  ]);
});

Deno.test("getEndpoint: the full eth0 endpoint", async () => {
  const { fixture, hcn, host } = await pod3();
  const ep = await host.getEndpoint(EP0);
  assert.deepEqual(ep, {
    id: EP0,
    name: "4f1d0c2b9a7e_eth0",
    macAddress: "00-15-5D-52-C0-0A",
    ipConfigurations: [
      { ipAddress: "10.244.1.17", prefixLength: 24 },
      { ipAddress: "fd00:10:244:1::11", prefixLength: 64 },
    ],
    dns: {
      domain: "Default.svc.Cluster.Local",
      search: ["svc.cluster.local", "Cluster.Local"],
      serverList: ["10.96.0.10", "FD00:10:96::A"],
      options: ["ndots:5"],
    },
    routes: [
      { nextHop: "10.244.1.1", destinationPrefix: "0.0.0.0/0", metric: 0 },
      { nextHop: "fd00:10:244:1::1", destinationPrefix: "::/0", metric: 0 },
    ],
    policies: [
      { type: "EncapOverhead", settings: { Overhead: 50 } },
      { type: "OutBoundNAT", settings: { Exceptions: ["10.244.0.0/16"] } },
    ],
    encapOverhead: 50,
    document: fixture.endpoints[1],
  });
  assert.deepEqual(hcn.callNames(), [
    "HcnOpenEndpoint",
    "HcnQueryEndpointProperties",
    "HcnCloseEndpoint",
  ]);
  assert.equal(hcn.calls[1]?.args[0], HCN_QUERY);
  assert.equal(hcn.openHandles, 0);
});

Deno.test("getEndpoint: absent fields (eth2 has no DNS, routes or policies)", async () => {
  const { host } = await pod3();
  const ep = await host.getEndpoint(EP2);
  assert.equal(ep.dns, undefined);
  assert.equal("dns" in ep, false);
  assert.deepEqual(ep.routes, []);
  assert.deepEqual(ep.policies, []);
  assert.deepEqual(ep.ipConfigurations, [{ ipAddress: "172.20.3.9", prefixLength: 20 }]);
});

Deno.test("getEndpoint: a minimal document, nulls, defaults and unknown fields", async () => {
  const hcn = new RecordingHcn();
  hcn.setEndpoint(
    EP0,
    endpointDoc({
      Dns: { ServerList: ["10.0.0.10"] },
      Routes: [{ DestinationPrefix: "10.1.0.0/16" }],
      IpConfigurations: [{ IpAddress: "10.0.0.5" }],
      Policies: [{ Type: "L4Proxy" }, { Type: "X", Settings: null }],
      MacAddress: null,
      Health: { Extra: true },
      FutureField: [1, 2, 3],
    }),
  );
  hcn.setEndpoint(EP1, "{}");
  const host = new HcnHostNetwork(hcn);
  const ep = await host.getEndpoint(EP0);
  assert.equal(ep.name, "");
  assert.equal("macAddress" in ep, false);
  assert.deepEqual(ep.dns, { domain: "", search: [], serverList: ["10.0.0.10"], options: [] });
  assert.deepEqual(ep.routes, [{ nextHop: "", destinationPrefix: "10.1.0.0/16", metric: 0 }]);
  assert.deepEqual(ep.ipConfigurations, [{ ipAddress: "10.0.0.5", prefixLength: 0 }]);
  assert.deepEqual(ep.policies, [
    { type: "L4Proxy", settings: undefined },
    { type: "X", settings: null },
  ]);
  assert.deepEqual((ep.document as JsonObject).FutureField, [1, 2, 3]);
  const empty = await host.getEndpoint(EP1);
  assert.deepEqual(empty, {
    id: EP1,
    name: "",
    ipConfigurations: [],
    routes: [],
    policies: [],
    document: {},
  });
});

Deno.test("input IDs: any case and braces are accepted; a non-GUID is rejected before any call", async () => {
  const { hcn, host } = await pod3();
  const ns = await host.getNamespace(`{${NS.toUpperCase()}}`);
  assert.equal(ns.id, NS);
  assert.deepEqual(hcn.calls[0], { call: "HcnOpenNamespace", args: [NS] });
  const ep = await host.getEndpoint(EP0.toUpperCase());
  assert.equal(ep.id, EP0);
  const before = hcn.calls.length;
  await assert.rejects(host.getNamespace("pod-ns"), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.argument, "namespaceId");
    return true;
  });
  await assert.rejects(host.getEndpoint(`${EP0}x`), (e: unknown) => {
    assert.ok(e instanceof InvalidArgumentError);
    assert.equal(e.argument, "endpointId");
    return true;
  });
  assert.equal(hcn.calls.length, before);
});

Deno.test("a missing namespace or endpoint is NotFoundError", async () => {
  const { hcn, host } = await pod3();
  const missing = "00000000-0000-4000-8000-000000000000";
  await assert.rejects(host.getNamespace(missing), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "namespace");
    assert.equal(e.id, missing);
    assert.ok(e.cause instanceof HResultError);
    assert.equal(e.cause.hresult, HRESULT.ERROR_NOT_FOUND);
    return true;
  });
  await assert.rejects(host.getEndpoint(missing), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "endpoint");
    return true;
  });
  hcn.script("HcnOpenEndpoint", { fail: HRESULT.ERROR_NOT_FOUND });
  await assert.rejects(host.getEndpoint(EP0), NotFoundError);
  // Deleted between open and query: still not found, handle still closed.
  hcn.script("HcnQueryEndpointProperties", { fail: HRESULT.HCN_E_ENDPOINT_NOT_FOUND });
  await assert.rejects(host.getEndpoint(EP0), NotFoundError);
  assert.equal(hcn.openHandles, 0);
});

Deno.test("a failing query closes the handle and passes the HResultError through", async () => {
  const { hcn, host } = await pod3();
  hcn.script("HcnQueryNamespaceProperties", {
    fail: HRESULT.HCN_E_MANAGER_STOPPED,
    record: '{"Error":"HNS stopped"}',
  });
  await assert.rejects(host.getNamespace(NS), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.HCN_E_MANAGER_STOPPED);
    assert.equal(e.call, "HcnQueryNamespaceProperties");
    return true;
  });
  assert.deepEqual(hcn.callNames(), [
    "HcnOpenNamespace",
    "HcnQueryNamespaceProperties",
    "HcnCloseNamespace",
  ]);
  assert.equal(hcn.openHandles, 0);
});

Deno.test("a failing open leaves nothing to close", async () => {
  const { hcn, host } = await pod3();
  hcn.script("HcnOpenEndpoint", { fail: HRESULT.E_INVALIDARG });
  await assert.rejects(host.getEndpoint(EP0), HResultError);
  assert.deepEqual(hcn.callNames(), ["HcnOpenEndpoint"]);
  assert.equal(hcn.openHandles, 0);
});

Deno.test("a failing close never masks the query's outcome", async () => {
  const { hcn, host } = await pod3();
  hcn.script("HcnQueryEndpointProperties", { fail: HRESULT.HCN_E_INVALID_JSON });
  hcn.script("HcnCloseEndpoint", { fail: HRESULT.E_HANDLE });
  await assert.rejects(host.getEndpoint(EP0), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.HCN_E_INVALID_JSON);
    return true;
  });
  hcn.script("HcnCloseNamespace", { fail: HRESULT.E_HANDLE });
  const ns = await host.getNamespace(NS);
  assert.equal(ns.endpointIds.length, 3);
});

Deno.test("malformed documents are InvalidHostDataError naming the field", async () => {
  const cases: [string, string][] = [
    ["{not json", "document"],
    ["[1,2]", "document"],
    ['"text"', "document"],
    [
      endpointDoc({ IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 129 }] }),
      "IpConfigurations.0.PrefixLength",
    ],
    [
      endpointDoc({ IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: -1 }] }),
      "IpConfigurations.0.PrefixLength",
    ],
    [
      endpointDoc({
        IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 8 }, {
          IpAddress: "10.0.0.6",
          PrefixLength: "24",
        }],
      }),
      "IpConfigurations.1.PrefixLength",
    ],
    [
      endpointDoc({ IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 24.5 }] }),
      "IpConfigurations.0.PrefixLength",
    ],
    [endpointDoc({ IpConfigurations: [{ PrefixLength: 24 }] }), "IpConfigurations.0.IpAddress"],
    [endpointDoc({ IpConfigurations: { IpAddress: "10.0.0.5" } }), "IpConfigurations"],
    [
      endpointDoc({
        Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0/0", Metric: 70000 }],
      }),
      "Routes.0.Metric",
    ],
    [
      endpointDoc({ Routes: [{ NextHop: 10, DestinationPrefix: "0.0.0.0/0" }] }),
      "Routes.0.NextHop",
    ],
    [endpointDoc({ Dns: { Search: "cluster.local" } }), "Dns.Search"],
    [endpointDoc({ Dns: { ServerList: ["10.0.0.10", 5] } }), "Dns.ServerList.1"],
    [endpointDoc({ Dns: "x" }), "Dns"],
    [endpointDoc({ Policies: [{ Type: 7, Settings: {} }] }), "Policies.0.Type"],
    [endpointDoc({ Name: 7 }), "Name"],
    [endpointDoc({ MacAddress: false }), "MacAddress"],
    [JSON.stringify({ ID: "not-a-guid" }), "ID"],
    [JSON.stringify({ ID: EP1 }), "ID"],
  ];
  for (const [text, field] of cases) {
    const hcn = new RecordingHcn();
    hcn.setEndpoint(EP0, text);
    await rejectsField(new HcnHostNetwork(hcn).getEndpoint(EP0), field);
    assert.equal(hcn.openHandles, 0, `handle closed for ${field}`);
  }
});

Deno.test("every field podnet sends on is checked when the endpoint is read", async () => {
  const ip = (IpAddress: string, PrefixLength: number) => ({
    IpConfigurations: [{ IpAddress, PrefixLength }],
  });
  const route = (NextHop: string, DestinationPrefix: string) => ({
    Routes: [{ NextHop, DestinationPrefix, Metric: 0 }],
  });
  const cases: [JsonObject, string, RegExp][] = [
    [ip("10.0.0.256", 24), "IpConfigurations.0.IpAddress", /IPv4 or IPv6 address/],
    [ip("10.0.0.5", 33), "IpConfigurations.0.PrefixLength", /0\.\.32 for an IPv4/],
    [ip("fd00::1", 129), "IpConfigurations.0.PrefixLength", /0\.\.128/],
    [ip("fd00:::1", 64), "IpConfigurations.0.IpAddress", /IPv4 or IPv6/],
    [ip("", 24), "IpConfigurations.0.IpAddress", /IPv4 or IPv6/],
    [route("10.0.0.999", "0.0.0.0/0"), "Routes.0.NextHop", /IPv4 or IPv6/],
    [route("10.0.0.1", "0.0.0.0/33"), "Routes.0.DestinationPrefix", /CIDR/],
    [route("10.0.0.1", "10.0.0.0"), "Routes.0.DestinationPrefix", /CIDR/],
    [route("fd00::1", "0.0.0.0/0"), "Routes.0.NextHop", /same IP family/],
    [{ Routes: [{ NextHop: "10.0.0.1" }] }, "Routes.0.DestinationPrefix", /is missing/],
    [{ MacAddress: "00-15-5D-52-C0" }, "MacAddress", /MAC address/],
    [{ MacAddress: "00-15-5D-52-C0-ZZ" }, "MacAddress", /MAC address/],
    [{ Dns: { ServerList: ["10.0.0.10", "dns.example"] } }, "Dns.ServerList.1", /IPv4 or IPv6/],
    [{ Dns: { ServerList: ["fe80::1%"] } }, "Dns.ServerList.0", /IPv4 or IPv6/],
    [{ Dns: { Domain: "svc cluster.local" } }, "Dns.Domain", /domain name/],
    [{ Dns: { Search: ["ok.local", "bad name"] } }, "Dns.Search.1", /domain name/],
    [{ Dns: { Options: ["ndots:5", "a b"] } }, "Dns.Options.1", /resolver option/],
    [{ HostComputeNamespace: 5 }, "HostComputeNamespace", /string/],
    [
      { Policies: [{ Type: "EncapOverhead", Settings: { Overhead: 65536 } }] },
      "Policies.0.Settings.Overhead",
      /0\.\.65535/,
    ],
  ];
  for (const [extra, field, reason] of cases) {
    const hcn = new RecordingHcn();
    hcn.setEndpoint(EP0, endpointDoc(extra));
    await assert.rejects(new HcnHostNetwork(hcn).getEndpoint(EP0), (e: unknown) => {
      assert.ok(e instanceof InvalidHostDataError, `${field}: ${e}`);
      assert.equal(e.field, field, JSON.stringify(extra));
      assert.match(e.message, new RegExp(`^Cannot use endpoint ${EP0}: `));
      assert.match(e.message, reason);
      return true;
    });
  }
  // And what is valid passes: both families, zones, on-link routes, colons.
  const hcn = new RecordingHcn();
  hcn.setEndpoint(
    EP0,
    endpointDoc({
      MacAddress: "00:15:5d:52:c0:0a",
      IpConfigurations: [
        { IpAddress: "10.0.0.5", PrefixLength: 32 },
        { IpAddress: "fd00::5", PrefixLength: 128 },
      ],
      Routes: [
        { DestinationPrefix: "10.0.0.0/24" },
        { NextHop: "", DestinationPrefix: "fd00::/64" },
        { NextHop: "fd00::1", DestinationPrefix: "::/0", Metric: 65535 },
      ],
      Dns: {
        Domain: "cluster.local.",
        Search: ["svc.cluster.local"],
        ServerList: ["FE80::1%Eth0", "10.0.0.10"],
        Options: ["ndots:5", "rotate"],
      },
    }),
  );
  const ep = await new HcnHostNetwork(hcn).getEndpoint(EP0);
  assert.equal(ep.routes.length, 3);
});

Deno.test("malformed namespace documents name the field", async () => {
  const cases: [JsonObject | string, string][] = [
    [{ ID: NS, Resources: [{ Type: "Endpoint", Data: { ID: "eth0" } }] }, "Resources.0.Data.ID"],
    [
      { ID: NS, Resources: [{ Type: "Container", Data: 1 }, { Type: "Endpoint" }] },
      "Resources.1.Data",
    ],
    [{ ID: NS, Resources: [{ Type: "Endpoint", Data: {} }] }, "Resources.0.Data.ID"],
    [{ ID: NS, Resources: "none" }, "Resources"],
    [{ ID: NS, Resources: [5] }, "Resources.0"],
    [{ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" }, "ID"],
    ["null", "document"],
  ];
  for (const [doc, field] of cases) {
    const hcn = new RecordingHcn();
    hcn.setNamespace(NS, doc);
    await rejectsField(new HcnHostNetwork(hcn).getNamespace(NS), field);
  }
  const ok = new RecordingHcn();
  ok.setNamespace(NS, { Resources: [{ Type: "Container", Data: { ID: "not a guid" } }] });
  assert.deepEqual((await new HcnHostNetwork(ok).getNamespace(NS)).endpointIds, []);
});

Deno.test("a hanging open or query times out, and the handle is still closed", async () => {
  const { hcn, host } = await pod3({ timeoutMs: 20 });
  hcn.script("HcnOpenNamespace", { hang: true });
  await assert.rejects(host.getNamespace(NS), (e: unknown) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.timeoutMs, 20);
    assert.equal(e.operation, `read namespace ${NS}`);
    return true;
  });
  hcn.script("HcnQueryEndpointProperties", { hang: true });
  await assert.rejects(host.getEndpoint(EP0), OperationTimeoutError);
  assert.deepEqual(hcn.callNames().slice(1), [
    "HcnOpenEndpoint",
    "HcnQueryEndpointProperties",
    "HcnCloseEndpoint",
  ]);
  assert.equal(hcn.openHandles, 0);
});

Deno.test("the caller's abort rejects with its reason and closes the handle", async () => {
  const { hcn, host } = await pod3();
  hcn.script("HcnQueryEndpointProperties", { hang: true });
  const controller = new AbortController();
  const read = host.getEndpoint(EP0, { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("teardown requested")), 5);
  await assert.rejects(read, /teardown requested/);
  assert.equal(hcn.openHandles, 0);
  const aborted = AbortSignal.abort(new Error("already"));
  const before = hcn.calls.length;
  await assert.rejects(host.getNamespace(NS, { signal: aborted }), /already/);
  assert.equal(hcn.calls.length, before);
});

Deno.test("HcnHostNetwork rejects a bad time limit", () => {
  assert.throws(
    () => new HcnHostNetwork(new RecordingHcn(), { timeoutMs: -5 }),
    InvalidArgumentError,
  );
  assert.equal(new HcnHostNetwork(new RecordingHcn()).timeoutMs, 30_000);
});
