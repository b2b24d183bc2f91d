import assert from "node:assert/strict";
import { HResultError } from "../domain/errors.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { HcnApi } from "../adapters/dll/hcn_api.ts";
import type { HcsApi, HcsSystemHandle } from "../adapters/dll/hcs_api.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { HCS_LIBRARIES, openHarness, readFixture } from "./native/standins.ts";

// The stand-in libraries check documents like the simulated host does: the
// same requests, applied in the same order to both, give the same HRESULTs.

const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP = [
  "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
  "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d",
  "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d",
] as const;
const NIC = [
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1",
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f2",
] as const;
const VM = "uvm-rules";
const PATH = "VirtualMachine/Devices/NetworkAdapters/";

type Doc = Record<string, unknown>;

const IOV = { OffloadWeight: 100, QueuePairsRequested: 4, InterruptModeration: "Adaptive" };

const host = (request: string, nic: string, settings?: Doc): Doc => ({
  ResourcePath: `${PATH}${nic}`,
  RequestType: request,
  ...(settings === undefined ? {} : { Settings: settings }),
});
const guest = (type: string, request: string, settings?: unknown): Doc => ({
  GuestRequest: {
    ResourceType: type,
    RequestType: request,
    ...(settings === undefined ? {} : { Settings: settings }),
  },
});
const lcowAdapter = (nic: string, extra: Doc = {}): Doc => ({
  NamespaceID: NS,
  ID: nic,
  MacAddress: "00-15-5D-52-C0-0A",
  DNSSuffix: "svc.cluster.local",
  DNSServerList: "10.96.0.10,fd00:10:96::a",
  EncapOverhead: 50,
  IPConfigs: [
    { IPAddress: "10.244.1.17", PrefixLength: 24 },
    { IPAddress: "fd00:10:244:1::11", PrefixLength: 64 },
  ],
  Routes: [
    { NextHop: "10.244.1.1", DestinationPrefix: "0.0.0.0/0", Metric: 0 },
    { NextHop: "fd00:10:244:1::1", DestinationPrefix: "::/0" },
  ],
  PolicyBasedRouting: false,
  ...extra,
});

/** Documents as text, so malformed JSON can be among them. */
const COMMON: readonly string[] = [
  "",
  "not json",
  "[]",
  JSON.stringify({}),
  JSON.stringify({ ResourcePath: `${PATH}${NIC[0]}` }),
  JSON.stringify({ ...host("Add", NIC[0], { EndpointId: EP[0] }), Extra: 1 }),
  JSON.stringify(host("Add", "not-a-guid", { EndpointId: EP[0] })),
  JSON.stringify(host("Add", `${NIC[0]}/x`, { EndpointId: EP[0] })),
  JSON.stringify(host("Add", `{${NIC[0].toUpperCase()}}`, { EndpointId: EP[0] })),
  JSON.stringify(host("Remove", NIC[0])),
  JSON.stringify(host("Add", NIC[0], { EndpointId: EP[0] })),
  JSON.stringify(host("Add", NIC[1])),
  JSON.stringify(host("Add", NIC[1], { EndpointId: "eth0" })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: EP[1], MacAddress: "00-15-5D" })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: EP[1], Mac: "00-15-5D-52-C0-0B" })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: "00000000-0000-4000-8000-000000000000" })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: EP[0] })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: EP[1], MacAddress: "00:15:5d:52:c0:0b" })),
  JSON.stringify(host("Add", NIC[1], { EndpointId: EP[1] })),
  // HCS NetworkAdapter settings, every field optional; IovSettings with
  // u32 numbers and a mode name (hcsshim internal/hcs/schema2/iov_settings.go).
  JSON.stringify(host("Update", NIC[1], { IovSettings: IOV })),
  JSON.stringify(host("Update", NIC[1], {})),
  JSON.stringify(host("Update", NIC[1])),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { ...IOV, OffloadWeight: -1 } })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { ...IOV, OffloadWeight: 4294967296 } })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { ...IOV, QueuePairsRequested: 1.5 } })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { ...IOV, InterruptModeration: "Fast" } })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { ...IOV, Extra: 1 } })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: null })),
  JSON.stringify(host("Update", NIC[1], { IovSettings: { OffloadWeight: 4294967295 } })),
  JSON.stringify(host("Update", NIC[2], { IovSettings: IOV })),
  JSON.stringify(host("Add", NIC[2], { MacAddress: "00-15-5D-52-C0-0C", IovSettings: IOV })),
  JSON.stringify(host("Update", NIC[2], { EndpointId: EP[2] })),
  JSON.stringify(host("Update", NIC[1], { EndpointId: EP[0] })),
  JSON.stringify(host("Update", NIC[1], { EndpointId: EP[1], MacAddress: "00-15-5D-52-C0-0C" })),
  JSON.stringify(host("Delete", NIC[1])),
  JSON.stringify(host("Add", NIC[2], { EndpointId: EP[2] })),
  JSON.stringify({ ...guest("Network", "Add", {}), ResourcePath: `${PATH}${NIC[0]}` }),
  JSON.stringify({ GuestRequest: { ResourceType: "Network" } }),
  JSON.stringify({ GuestRequest: { ResourceType: "Network", RequestType: "Add", X: 1 } }),
  JSON.stringify(guest("MappedVirtualDisk", "Add", {})),
  JSON.stringify(guest("Network", "Update", {})),
  JSON.stringify({ GuestRequest: { RequestType: "Add", Settings: {} } }),
];

const LCOW: readonly string[] = [
  JSON.stringify(guest("NetworkNamespace", "Add", fixture.namespace)),
  JSON.stringify(guest("Network", "Add", lcowAdapter("0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1ff"))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { Unknown: true }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { EncapOverhead: 70000 }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { EncapOverhead: 1.5 }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { VPCIAssigned: "no" }))),
  JSON.stringify(
    guest("Network", "Add", lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "10.0.0.1" }] })),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "10.0.0.1", PrefixLength: 33 }] }),
    ),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "10.0.0.256", PrefixLength: 8 }] }),
    ),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "fd00::1::2", PrefixLength: 64 }] }),
    ),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "10.0.0.0" }] }),
    ),
  ),
  JSON.stringify(
    guest("Network", "Add", lcowAdapter(NIC[0], { Routes: [{ DestinationPrefix: "::/0" }] })),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], {
        Routes: [{ NextHop: "fe80::1%eth0", DestinationPrefix: "::/129" }],
      }),
    ),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], {
        IPConfigs: [{ IPAddress: "::ffff:10.0.0.1", PrefixLength: 128 }],
        Routes: [{ NextHop: "fe80::1%eth0", DestinationPrefix: "::/0", Metric: 65535 }],
      }),
    ),
  ),
  // The link as the guest configures it (netns.go): MTU less EncapOverhead,
  // addresses and destinations parsed, a default route needs a next hop.
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { EncapOverhead: 1433 }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { EncapOverhead: 221 }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { IPConfigs: [null] }))),
  JSON.stringify(
    guest("Network", "Add", lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "fe80::1%eth0" }] })),
  ),
  JSON.stringify(
    guest("Network", "Add", lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: 1 }] })),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { IPConfigs: [{ IPAddress: "10.0.0.1", PrefixLength: 256 }] }),
    ),
  ),
  JSON.stringify(
    guest("Network", "Add", lcowAdapter(NIC[0], { Routes: [{ NextHop: "10.0.0.1" }] })),
  ),
  JSON.stringify(
    guest(
      "Network",
      "Add",
      lcowAdapter(NIC[0], { Routes: [{ NextHop: "gw", DestinationPrefix: "0.0.0.0/0" }] }),
    ),
  ),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { MacAddress: 5 }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0], { Routes: [null] }))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0]))),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[0]))),
  JSON.stringify(guest("Network", "Add", { ID: NIC[1] })),
  JSON.stringify(guest("Network", "Add", lcowAdapter(NIC[1], { MacAddress: "00:15:5D:52:C0:0B" }))),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[2] })),
  JSON.stringify(
    guest("Network", "Remove", { NamespaceID: "00000000-0000-4000-8000-000000000000", ID: NIC[0] }),
  ),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[0], X: 1 })),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[0] })),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[0] })),
  JSON.stringify(host("Remove", NIC[0], { EndpointId: EP[0] })),
  JSON.stringify(host("Remove", NIC[0])),
  // Optional adapter fields (hcsshim guestresource/resources.go), routes
  // without a destination (guest/network/netns.go), DNS search
  // domains as the guest counts them (hcsv2/network.go, network/network.go).
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[2] })),
  JSON.stringify(
    guest("Network", "Add", {
      NamespaceID: NS,
      ID: NIC[2],
      IPConfigs: [{ IPAddress: "10.0.0.9" }],
      Routes: [{ NextHop: "10.0.0.1" }, { DestinationPrefix: "10.0.0.0/24" }],
      DNSSuffix: "A.local, a.local,b.local",
    }),
  ),
  JSON.stringify(
    guest("Network", "Remove", { NamespaceID: "00000000-0000-4000-8000-000000000000", ID: NIC[2] }),
  ),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[2] })),
  // IDs as the guest reads them: the adapter ID names a device (lower-cased),
  // a namespace ID is any text, kept lower-cased (hcsv2/network.go).
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: "eth0" })),
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: `{${NIC[2]}}` })),
  JSON.stringify(guest("Network", "Add", { NamespaceID: "pod-ns", ID: NIC[2].toUpperCase() })),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[2] })),
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: NIC[2] })),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: "POD-NS", ID: "eth0" })),
  JSON.stringify(guest("Network", "Remove", { NamespaceID: "POD-NS", ID: NIC[2] })),
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: NIC[2], Routes: [{ Metric: 1 }] })),
  JSON.stringify(
    guest("Network", "Add", { NamespaceID: NS, ID: NIC[2], DNSSuffix: "1,2,3,4,5,6,7" }),
  ),
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: NIC[2], DNSSuffix: "1,2,,3" })),
  JSON.stringify(guest("Network", "Add", { NamespaceID: NS, ID: NIC[2], DNSSuffix: "4,5,6" })),
  // Keys matched as Go matches them, nulls and unknown fields ignored; a next
  // hop the guest cannot parse leaves the route without a gateway (no error);
  // a default route through 0.0.0.0 is skipped.
  JSON.stringify(
    guest("Network", "Add", {
      namespaceid: NS,
      Id: NIC[2],
      dnssuffix: "X.local",
      DNSServerList: null,
      Extra: [1],
      ipconfigs: [{ ipaddress: "fd00::9", PREFIXLENGTH: 64, More: true }],
      EncapOverhead: 220,
      routes: [
        { NextHop: "10.0.0.256", DestinationPrefix: "10.1.0.0/16", Metric: null },
        { NextHop: "0.0.0.0", DestinationPrefix: "0.0.0.0/0" },
      ],
    }),
  ),
  JSON.stringify(guest("Network", "Remove", { namespaceID: NS, id: NIC[2] })),
  // Host and guest in one request (hcsshim internal/uvm/network.go addNIC, removeNIC).
  JSON.stringify({
    ...host("Remove", NIC[2], { EndpointId: EP[2] }),
    ...guest("Network", "Remove", { NamespaceID: NS, ID: NIC[2] }),
  }),
  JSON.stringify({
    ...host("Add", NIC[2], { EndpointId: EP[2] }),
    ...guest("Network", "Add", { NamespaceID: NS, ID: NIC[2], Routes: [{}] }),
  }),
  JSON.stringify({
    ...host("Add", NIC[2], { EndpointId: EP[2] }),
    ...guest("Network", "Add", { NamespaceID: NS, ID: NIC[2] }),
  }),
  JSON.stringify({
    ...host("Add", NIC[2], { EndpointId: EP[2] }),
    ...guest("Network", "Add", { NamespaceID: NS, ID: NIC[2] }),
  }),
];

const WCOW: readonly string[] = [
  JSON.stringify(guest("NetworkNamespace", "Add", { Type: "Host" })),
  JSON.stringify(guest("NetworkNamespace", "Add", fixture.namespace)),
  JSON.stringify(guest("NetworkNamespace", "Add", fixture.namespace)),
  JSON.stringify(
    guest("Network", "Add", { AdapterId: NIC[0], RequestType: "Add" }),
  ),
  JSON.stringify(
    guest("Network", "Add", { AdapterId: NIC[0], RequestType: "PreAdd" }),
  ),
  JSON.stringify(
    guest("Network", "Add", { AdapterId: NIC[0], RequestType: "PreAdd", Settings: { Name: "x" } }),
  ),
  JSON.stringify(
    guest("Network", "Add", { AdapterId: NIC[0], RequestType: "Remove" }),
  ),
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: NIC[0],
      RequestType: "PreAdd",
      Settings: fixture.endpoints[1],
      Extra: 1,
    }),
  ),
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: NIC[0],
      RequestType: "PreAdd",
      Settings: fixture.endpoints[1],
    }),
  ),
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: NIC[0],
      RequestType: "PreAdd",
      Settings: fixture.endpoints[1],
    }),
  ),
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1ff",
      RequestType: "PreAdd",
      Settings: fixture.endpoints[0],
    }),
  ),
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1ff",
      RequestType: "Add",
    }),
  ),
  JSON.stringify(guest("Network", "Add", { AdapterId: NIC[0], RequestType: "Add" })),
  JSON.stringify(guest("Network", "Add", { AdapterId: NIC[0], RequestType: "Add" })),
  JSON.stringify(guest("Network", "Remove", { AdapterId: NIC[0], RequestType: "PreAdd" })),
  JSON.stringify(guest("Network", "Remove", { AdapterId: NIC[2], RequestType: "Remove" })),
  JSON.stringify(guest("Network", "Remove", { AdapterId: NIC[0], RequestType: "Remove" })),
  JSON.stringify(guest("Network", "Remove", { AdapterId: NIC[0], RequestType: "Remove" })),
  JSON.stringify(guest("NetworkNamespace", "Remove", fixture.namespace)),
  JSON.stringify(guest("NetworkNamespace", "Remove", fixture.namespace)),
  // hcsshim's legacy combined NIC add, and its remove whose GuestRequest has
  // no ResourceType (internal/uvm/network.go addNIC, removeNIC).
  JSON.stringify(
    guest("Network", "Add", {
      AdapterId: NIC[2],
      RequestType: "PreAdd",
      Settings: fixture.endpoints[2],
    }),
  ),
  JSON.stringify({
    ...host("Add", NIC[2], { EndpointId: EP[2] }),
    ...guest("Network", "Add", { AdapterId: NIC[2], RequestType: "Add" }),
  }),
  JSON.stringify({
    ...host("Remove", NIC[2], { EndpointId: EP[2] }),
    GuestRequest: { RequestType: "Remove", Settings: { AdapterId: NIC[2], RequestType: "Remove" } },
  }),
  JSON.stringify({
    ...host("Remove", NIC[2], { EndpointId: EP[2] }),
    GuestRequest: { RequestType: "Remove", Settings: { AdapterId: NIC[2], RequestType: "Remove" } },
  }),
];

async function outcome(run: () => Promise<unknown>): Promise<string> {
  try {
    await run();
    return "ok";
  } catch (error) {
    if (error instanceof HResultError) return error.hex;
    throw error;
  }
}

async function modifyAll(hcs: HcsApi, docs: readonly string[]): Promise<string[]> {
  const vm: HcsSystemHandle = await hcs.openComputeSystem(VM);
  try {
    const results: string[] = [];
    for (const doc of docs) results.push(await outcome(() => hcs.modifyComputeSystem(vm, doc)));
    return results;
  } finally {
    hcs.closeComputeSystem(vm);
  }
}

for (const hcs of HCS_LIBRARIES) {
  for (const platform of ["lcow", "wcow"] as const) {
    for (const supported of [true, false]) {
      Deno.test(`${hcs}, ${platform} (namespace requests ${supported ? "supported" : "not supported"}): stand-in and simulated host agree on every document`, async () => {
        const docs = [...COMMON, ...(platform === "lcow" ? LCOW : WCOW)];
        const sim = new SimulatedHost({
          guest: platform,
          vmId: VM,
          namespaceAddRequestSupported: supported,
        });
        sim.loadFixture(fixture);
        const expected = await modifyAll(sim.hcs, docs);
        await using h = await openHarness({ libraries: { hcs } });
        h.standins.addSystem(VM, platform, supported);
        const actual = await modifyAll(h.hcs, docs);
        const differences = docs
          .map((doc, i) => ({ doc: doc.slice(0, 160), sim: expected[i], standin: actual[i] }))
          .filter((d) => d.sim !== d.standin);
        assert.deepEqual(differences, []);
        // Not a vacuous agreement: both accepted some documents and refused others.
        assert.ok(actual.includes("ok") && actual.some((r) => r !== "ok"));
        await h.assertClean();
      });
    }
  }
}

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: stand-in and simulated host agree on property queries and a stopped or disconnected VM`, async () => {
    const queries = [
      "",
      "  ",
      "{}",
      "[]",
      "nope",
      '{"PropertyTypes":["GuestConnection"]}',
      '{"PropertyTypes":["Memory"]}',
      '{"PropertyTypes":"GuestConnection"}',
      '{"PropertyTypes":[1]}',
      '{"PropertyTypes":[],"Other":1}',
    ];
    async function run(hcs: HcsApi, disconnect: () => void, stop: () => void): Promise<string[]> {
      const vm = await hcs.openComputeSystem(VM);
      const results: string[] = [];
      const all = async () => {
        for (const q of queries) {
          results.push(
            await outcome(async () => {
              const answer = JSON.parse(await hcs.getComputeSystemProperties(vm, q));
              results.push(
                JSON.stringify(answer.GuestConnectionInfo?.GuestDefinedCapabilities ?? null),
              );
            }),
          );
        }
      };
      await all();
      disconnect();
      await all();
      results.push(
        await outcome(() =>
          hcs.modifyComputeSystem(
            vm,
            JSON.stringify(guest("Network", "Remove", { NamespaceID: NS, ID: NIC[0] })),
          )
        ),
      );
      stop();
      await all();
      results.push(await outcome(() => hcs.modifyComputeSystem(vm, "{}")));
      hcs.closeComputeSystem(vm);
      results.push(await outcome(() => hcs.openComputeSystem(VM)));
      return results;
    }
    const sim = new SimulatedHost({ guest: "lcow", vmId: VM });
    const expected = await run(sim.hcs, () => sim.disconnectGuest(), () => sim.stopVm());
    await using h = await openHarness({ libraries: { hcs } });
    h.standins.addSystem(VM, "lcow");
    const actual = await run(
      h.hcs,
      () => h.standins.setGuestConnection(VM, "closed"),
      () => h.standins.stopSystem(VM),
    );
    assert.deepEqual(actual, expected);
    assert.ok(actual.includes(`0x${HRESULT.HCS_E_SYSTEM_NOT_FOUND.toString(16).toUpperCase()}`));
    await h.assertClean();
  });
}

Deno.test("stand-in and simulated host agree on HCN queries, filters and missing objects", async () => {
  const queries = [
    "",
    "{}",
    '{"SchemaVersion":{"Major":1,"Minor":0}}',
    '{"SchemaVersion":{"Major":2}}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":-1}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":0}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":""}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"[]"}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{"}',
    `{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"ID\\":\\"{${EP[1].toUpperCase()}}\\"}"}`,
    `{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"Name\\":\\"4f1d0c2b9a7e_eth2\\"}"}`,
    `{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"HostComputeNamespace\\":\\"${NS}\\",\\"Flags\\":0}"}`,
    `{"SchemaVersion":{"Major":2,"Minor":0},"Filter":"{\\"Missing\\":null}"}`,
    // Integers: safe integers only, as JSON numbers of any spelling.
    '{"SchemaVersion":{"Major":2,"Minor":2.5}}',
    '{"SchemaVersion":{"Major":2,"Minor":9007199254740992}}',
    '{"SchemaVersion":{"Major":2,"Minor":9007199254740991}}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":1e300}',
    '{"SchemaVersion":{"Major":2,"Minor":0},"Flags":-1e300}',
    '{"SchemaVersion":{"Major":2,"Minor":1E1},"Flags":0.0}',
  ];
  async function run(hcn: HcnApi): Promise<string[]> {
    const results: string[] = [];
    for (const q of queries) {
      results.push(await outcome(async () => results.push(await hcn.enumerateEndpoints(q))));
      results.push(await outcome(async () => results.push(await hcn.enumerateNamespaces(q))));
    }
    const ns = await hcn.openNamespace(NS);
    for (const q of queries.slice(0, 6)) {
      results.push(await outcome(() => hcn.queryNamespaceProperties(ns, q)));
    }
    hcn.closeNamespace(ns);
    results.push(await outcome(() => hcn.openNamespace(EP[0])));
    results.push(await outcome(() => hcn.openEndpoint(NS)));
    return results;
  }
  const sim = new SimulatedHost({ guest: "lcow", vmId: VM });
  sim.loadFixture(fixture);
  const expected = await run(sim.hcn);
  await using h = await openHarness();
  assert.deepEqual(await run(h.hcn), expected);
  await h.assertClean();
});
