import assert from "node:assert/strict";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { type HcsSystemHandle, type JsonObject, SimulatedHost } from "../sim.ts";
import { hresultOf } from "./_helpers/hresult_failure.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";

interface Rig {
  readonly host: SimulatedHost;
  readonly vm: HcsSystemHandle;
  modify(doc: unknown): Promise<void>;
  guest(resource: string, type: string, settings: unknown): Promise<void>;
  hostNic(nicId: string, type: "Add" | "Remove"): Promise<void>;
}

async function rig(
  guest: "lcow" | "wcow",
  namespaceAddRequestSupported = true,
): Promise<Rig> {
  const host = new SimulatedHost({ guest, namespaceAddRequestSupported });
  host.addNamespace({ ID: NS, Resources: [{ Type: "Endpoint", Data: { ID: EP0 } }] });
  host.addEndpoint({ ID: EP0, Name: "pod_eth0" });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  const modify = (doc: unknown) => host.hcs.modifyComputeSystem(vm, JSON.stringify(doc));
  return {
    host,
    vm,
    modify,
    guest: (ResourceType, RequestType, Settings) =>
      modify({ GuestRequest: { ResourceType, RequestType, Settings } }),
    hostNic: (nicId, RequestType) =>
      modify({
        ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${nicId}`,
        RequestType,
        Settings: { EndpointId: EP0 },
      }),
  };
}

const LCOW_ADAPTER = {
  NamespaceID: NS,
  ID: NIC0,
  MacAddress: "00-15-5D-52-C0-0A",
  DNSSuffix: "default.svc.cluster.local,svc.cluster.local",
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
};

Deno.test("sim guest lcow: a full NIC lifecycle is accepted and recorded", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Network", "Add", LCOW_ADAPTER);
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  // hcsv2/network.go AddAdapter: "already present in namespace", no HRESULT: E_FAIL.
  assert.equal(await hresultOf(r.guest("Network", "Add", LCOW_ADAPTER)), HRESULT.E_FAIL);
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 });
  await r.hostNic(NIC0, "Remove");
  assert.deepEqual(r.host.guestRequests(), [
    { ResourceType: "Network", RequestType: "Add", Settings: LCOW_ADAPTER },
    { ResourceType: "Network", RequestType: "Remove", Settings: { NamespaceID: NS, ID: NIC0 } },
  ]);
  assert.deepEqual(
    r.host.trace.filter((e) => e.outcome === "ok").map((e) => e.op),
    [
      "HcsOpenComputeSystem",
      "vm.add-nic",
      "guest.nic-add",
      "guest.nic-remove",
      "vm.remove-nic",
    ],
  );
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});

Deno.test("sim guest lcow: adapter add before the host add and namespace requests are rejected; unknown removes succeed (hcsshim hcsv2/uvm.go modifyNetwork)", async () => {
  const r = await rig("lcow");
  // The guest finds no device for the NIC (internal/guest/network/network.go
  // InstanceIDToName): the generic E_FAIL, and nothing recorded.
  assert.equal(await hresultOf(r.guest("Network", "Add", LCOW_ADAPTER)), HRESULT.E_FAIL);
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  // hcsv2/uvm.go: a Remove for a namespace the guest does not know is skipped
  // with success; hcsv2/network.go RemoveAdapter: an unknown adapter is no error.
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 });
  assert.equal(
    await hresultOf(r.guest("NetworkNamespace", "Add", { ID: NS })),
    HRESULT.HCS_E_UNKNOWN_MESSAGE,
  );
  await r.hostNic(NIC0, "Add");
  await r.guest("Network", "Add", LCOW_ADAPTER);
  // removing it from another namespace succeeds and leaves it where it is
  await r.guest("Network", "Remove", { NamespaceID: EP0, ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  // a host hot-remove leaves the guest adapter: the missing detach shows as a leak
  await r.hostNic(NIC0, "Remove");
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  assert.equal(r.host.isClean(), false);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim guest lcow: adapter settings are decoded into the guest's types (HCS_E_INVALID_JSON), then the link is configured (E_FAIL)", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  // The Go decode fails: a wrong type or a number out of its type's range.
  const undecodable: JsonObject[] = [
    { ...LCOW_ADAPTER, ID: 5 },
    { ...LCOW_ADAPTER, NamespaceID: 7 },
    { ...LCOW_ADAPTER, EncapOverhead: 70000 },
    { ...LCOW_ADAPTER, EncapOverhead: "50" },
    { ...LCOW_ADAPTER, VPCIAssigned: "no" },
    { ...LCOW_ADAPTER, MacAddress: 5 },
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: "10.0.0.1", PrefixLength: 256 }] },
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: 10, PrefixLength: 8 }] },
    { ...LCOW_ADAPTER, Routes: [{ NextHop: 1, DestinationPrefix: "0.0.0.0/0" }] },
    {
      ...LCOW_ADAPTER,
      Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0/0", Metric: -1 }],
    },
  ];
  for (const settings of undecodable) {
    assert.equal(
      await hresultOf(r.guest("Network", "Add", settings)),
      HRESULT.HCS_E_INVALID_JSON,
      JSON.stringify(settings),
    );
  }
  // Decoded, but the guest cannot configure the link (netns.go): E_FAIL.
  const unconfigurable: JsonObject[] = [
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: "10.0.0.1", PrefixLength: 129 }] },
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: "10.0.0.1", PrefixLength: 33 }] },
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: "10.0.0.300", PrefixLength: 24 }] },
    { ...LCOW_ADAPTER, IPConfigs: [{ IPAddress: "fe80::1%eth0", PrefixLength: 64 }] },
    { ...LCOW_ADAPTER, IPConfigs: [{ PrefixLength: 24 }] },
    { ...LCOW_ADAPTER, Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0" }] },
    { ...LCOW_ADAPTER, Routes: [{ NextHop: "gw", DestinationPrefix: "0.0.0.0/0" }] },
  ];
  for (const settings of unconfigurable) {
    assert.equal(
      await hresultOf(r.guest("Network", "Add", settings)),
      HRESULT.E_FAIL,
      JSON.stringify(settings),
    );
    // AddAdapter recorded it before the link failed: only a Remove clears it.
    assert.deepEqual(r.host.inventory().guestAdapters, [NIC0], JSON.stringify(settings));
    await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 });
  }
  // hcsv2/uvm.go modifyNetwork: "the RequestType \"Update\" is not supported", a
  // plain error the bridge answers with E_FAIL.
  assert.equal(await hresultOf(r.guest("Network", "Update", LCOW_ADAPTER)), HRESULT.E_FAIL);
  assert.equal(
    await hresultOf(r.guest("MappedDirectory", "Add", {})),
    HRESULT.HCS_E_UNKNOWN_MESSAGE,
  );
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  assert.equal(r.host.guestRequests().length, unconfigurable.length, "only the Removes");
  // the minimal adapter is accepted
  await r.guest("Network", "Add", { NamespaceID: NS, ID: NIC0.toUpperCase() });
  await r.guest("Network", "Remove", { NamespaceID: NS.toUpperCase(), ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim guest lcow: IDs are text as the guest reads them: the adapter ID names a NIC's device, a namespace ID is any text", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  // The device is looked up under the ID lower-cased (network.go
  // InstanceIDToName): anything but the NIC's GUID names no device.
  for (const id of ["eth0", `{${NIC0}}`, "", NIC0.slice(1)]) {
    assert.equal(
      await hresultOf(r.guest("Network", "Add", { ...LCOW_ADAPTER, ID: id })),
      HRESULT.E_FAIL,
      id,
    );
  }
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  // No namespace ID is Go's zero value, "": a namespace like any other.
  await r.guest("Network", "Add", { ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 }); // another namespace: kept
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.guest("Network", "Remove", { ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  // Namespaces are kept lower-cased, braces and all (GetOrAddNetworkNamespace).
  await r.guest("Network", "Add", { NamespaceID: `{${NS.toUpperCase()}}`, ID: NIC0 });
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.guest("Network", "Remove", { NamespaceID: `{${NS}}`, ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim guest lcow: keys are matched as Go matches them, unknown fields and nulls ignored", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Network", "Add", {
    namespaceid: NS,
    Id: NIC0,
    Unknown: true,
    dnsSuffix: "A.local",
    DNSServerList: null,
    ipconfigs: [{ IpAddress: "10.0.0.5", prefixLength: 24, Extra: 1 }],
    ROUTES: [{ nexthop: "10.0.0.1", destinationprefix: "0.0.0.0/0", Metric: null }],
  });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  assert.deepEqual(r.host.exportState().guestAdapters[0]?.dnsSearch, ["a.local"]);
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0, Extra: 1 });
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim guest lcow: an on-link route (no NextHop) is accepted, as the GCS accepts it", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Network", "Add", {
    ...LCOW_ADAPTER,
    Routes: [{ DestinationPrefix: "10.244.1.0/24", Metric: 0 }],
  });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.guest("Network", "Remove", { NamespaceID: NS, ID: NIC0 });
  await r.hostNic(NIC0, "Remove");
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});

Deno.test("sim guest wcow: namespace and three-step NIC lifecycle", async () => {
  const r = await rig("wcow");
  const nsDoc = { ID: NS, Type: "Host", SchemaVersion: { Major: 2, Minor: 0 } };
  const endpoint = { ID: EP0, Name: "pod_eth0" };
  await r.guest("NetworkNamespace", "Add", nsDoc);
  assert.equal(
    await hresultOf(r.guest("NetworkNamespace", "Add", nsDoc)),
    HRESULT.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS,
  );
  await r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "PreAdd", Settings: endpoint });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0], "pre-added counts as present");
  assert.equal(
    await hresultOf(
      r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "PreAdd", Settings: endpoint }),
    ),
    HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
  );
  // the guest add needs the VM NIC
  assert.equal(
    await hresultOf(r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "Add" })),
    HRESULT.ERROR_NOT_FOUND,
  );
  await r.hostNic(NIC0, "Add");
  await r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "Add" });
  assert.equal(
    await hresultOf(r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "Add" })),
    HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
  );
  assert.deepEqual(r.host.inventory(), {
    vmNics: [NIC0],
    guestAdapters: [NIC0],
    guestNamespaces: [NS],
    openHandles: 1,
  });
  await r.guest("Network", "Remove", { AdapterId: NIC0, RequestType: "Remove" });
  await r.hostNic(NIC0, "Remove");
  await r.guest("NetworkNamespace", "Remove", nsDoc);
  assert.deepEqual(
    r.host.trace.filter((e) => e.outcome === "ok" && e.call === "HcsModifyComputeSystem").map((
      e,
    ) => [e.op, e.target]),
    [
      ["guest.namespace-add", NS],
      ["guest.nic-preadd", NIC0],
      ["vm.add-nic", NIC0],
      ["guest.nic-add", NIC0],
      ["guest.nic-remove", NIC0],
      ["vm.remove-nic", NIC0],
      ["guest.namespace-remove", NS],
    ],
  );
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});

Deno.test("sim guest wcow: unknown adapters and namespaces, missing pre-adds and bad shapes are rejected", async () => {
  const r = await rig("wcow");
  await r.hostNic(NIC1, "Add");
  assert.equal(
    await hresultOf(r.guest("Network", "Add", { AdapterId: NIC1, RequestType: "Add" })),
    HRESULT.ERROR_NOT_FOUND,
    "an add needs a prior pre-add",
  );
  assert.equal(
    await hresultOf(r.guest("Network", "Remove", { AdapterId: NIC1, RequestType: "Remove" })),
    HRESULT.ERROR_NOT_FOUND,
  );
  assert.equal(
    await hresultOf(r.guest("NetworkNamespace", "Remove", { ID: NS })),
    HRESULT.ERROR_NOT_FOUND,
  );
  const invalid: [string, string, unknown][] = [
    ["Network", "Add", { AdapterId: NIC0, RequestType: "PreAdd" }],
    ["Network", "Add", { AdapterId: NIC0, RequestType: "PreAdd", Settings: { Name: "x" } }],
    ["Network", "Add", { AdapterId: "eth0", RequestType: "Add" }],
    ["Network", "Add", { AdapterId: NIC0, RequestType: "Remove" }],
    ["Network", "Add", { AdapterId: NIC0, RequestType: "Add", Extra: true }],
    ["Network", "Remove", { AdapterId: NIC0, RequestType: "Add" }],
    ["NetworkNamespace", "Add", { Type: "Host" }],
  ];
  for (const [resource, type, settings] of invalid) {
    assert.equal(
      await hresultOf(r.guest(resource, type, settings)),
      HRESULT.HCS_E_INVALID_JSON,
      JSON.stringify(settings),
    );
  }
  // a pre-added adapter can be removed without the add
  await r.guest("Network", "Add", {
    AdapterId: NIC0,
    RequestType: "PreAdd",
    Settings: { ID: EP0 },
  });
  await r.guest("Network", "Remove", { AdapterId: NIC0, RequestType: "Remove" });
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim guest: without the namespace capability, namespace requests and LCOW NICs are unknown", async () => {
  for (const guest of ["lcow", "wcow"] as const) {
    const r = await rig(guest, false);
    await r.hostNic(NIC0, "Add");
    const requests: [string, string, unknown][] = [["NetworkNamespace", "Add", { ID: NS }]];
    if (guest === "lcow") {
      requests.push(["Network", "Add", LCOW_ADAPTER]);
      requests.push(["Network", "Remove", { NamespaceID: NS, ID: NIC0 }]);
    }
    for (const [resource, type, settings] of requests) {
      assert.equal(
        await hresultOf(r.guest(resource, type, settings)),
        HRESULT.HCS_E_UNKNOWN_MESSAGE,
        `${guest} ${resource} ${type}`,
      );
    }
    if (guest === "wcow") {
      // A WCOW guest still takes its NICs.
      await r.guest("Network", "Add", {
        AdapterId: NIC0,
        RequestType: "PreAdd",
        Settings: { ID: EP0 },
      });
      await r.guest("Network", "Add", { AdapterId: NIC0, RequestType: "Add" });
      assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
      await r.guest("Network", "Remove", { AdapterId: NIC0, RequestType: "Remove" });
    }
    await r.hostNic(NIC0, "Remove");
    r.host.hcs.closeComputeSystem(r.vm);
    assert.ok(r.host.isClean());
  }
});

Deno.test("sim guest: disconnectGuest drops guest state and closes the connection; stopVm drops everything", async () => {
  const r = await rig("wcow");
  await r.guest("NetworkNamespace", "Add", { ID: NS });
  await r.guest("Network", "Add", {
    AdapterId: NIC0,
    RequestType: "PreAdd",
    Settings: { ID: EP0 },
  });
  await r.hostNic(NIC0, "Add");
  r.host.disconnectGuest();
  assert.deepEqual(r.host.inventory(), {
    vmNics: [NIC0],
    guestAdapters: [],
    guestNamespaces: [],
    openHandles: 1,
  });
  assert.equal(
    await hresultOf(r.guest("Network", "Remove", { AdapterId: NIC0, RequestType: "Remove" })),
    HRESULT.HCS_E_CONNECTION_CLOSED,
  );
  // host NIC requests still work while the VM runs
  await r.hostNic(NIC0, "Remove");
  await r.hostNic(NIC0, "Add");
  r.host.stopVm();
  assert.deepEqual(r.host.inventory().vmNics, []);
  // for a stopped VM the HCS error comes first
  assert.equal(
    await hresultOf(r.guest("Network", "Remove", { AdapterId: NIC0, RequestType: "Remove" })),
    HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED,
  );
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});

Deno.test("sim guest wcow: Update requests are not modelled (E_NOTIMPL) and change nothing", async () => {
  const r = await rig("wcow");
  await r.guest("NetworkNamespace", "Add", { ID: NS });
  for (
    const [resource, settings] of [
      ["Network", { AdapterId: NIC0, RequestType: "Add" }],
      ["NetworkNamespace", { ID: NS }],
    ] as const
  ) {
    assert.equal(await hresultOf(r.guest(resource, "Update", settings)), HRESULT.E_NOTIMPL);
  }
  assert.deepEqual(r.host.inventory().guestNamespaces, [NS]);
  assert.equal(r.host.guestRequests().length, 1);
  r.host.hcs.closeComputeSystem(r.vm);
});
