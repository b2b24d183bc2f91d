import assert from "node:assert/strict";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { type HcsSystemHandle, SimulatedHost } from "../sim.ts";
import { hresultOf } from "./_helpers/hresult_failure.ts";

// Each test names the hcsshim file its rule comes from: the simulator fails
// where the real guest and HCS fail, and succeeds where they succeed.

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const NS2 = "7f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";
const PATH = "VirtualMachine/Devices/NetworkAdapters/";

interface Rig {
  readonly host: SimulatedHost;
  readonly vm: HcsSystemHandle;
  modify(doc: unknown): Promise<void>;
  guest(type: string, settings: unknown, resource?: string): Promise<void>;
  hostNic(nicId: string, type: string, endpointId?: string): Promise<void>;
}

async function rig(guest: "lcow" | "wcow"): Promise<Rig> {
  const host = new SimulatedHost({ guest });
  host.addEndpoint({ ID: EP0 });
  host.addEndpoint({ ID: EP1 });
  const vm = await host.hcs.openComputeSystem(host.vmId);
  const modify = (doc: unknown) => host.hcs.modifyComputeSystem(vm, JSON.stringify(doc));
  return {
    host,
    vm,
    modify,
    guest: (RequestType, Settings, ResourceType = "Network") =>
      modify({ GuestRequest: { ResourceType, RequestType, Settings } }),
    hostNic: (nicId, RequestType, endpointId = EP0) =>
      modify({
        ResourcePath: `${PATH}${nicId}`,
        RequestType,
        Settings: { EndpointId: endpointId },
      }),
  };
}

Deno.test("sim lcow (hcsshim internal/guest/runtime/hcsv2/uvm.go modifyNetwork, network.go RemoveAdapter): a Network Remove of an adapter the guest does not have succeeds", async () => {
  const r = await rig("lcow");
  await r.guest("Remove", { NamespaceID: NS, ID: NIC0 });
  await r.hostNic(NIC0, "Add");
  await r.guest("Add", { NamespaceID: NS, ID: NIC0 });
  // another namespace's adapter: success, and the adapter stays
  await r.guest("Remove", { NamespaceID: NS2, ID: NIC0 });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.guest("Remove", { NamespaceID: NS, ID: NIC0 });
  await r.guest("Remove", { NamespaceID: NS, ID: NIC0 }); // twice: still success
  assert.deepEqual(r.host.inventory().guestAdapters, []);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim lcow (hcsshim internal/guest/runtime/hcsv2/uvm.go modifyNetwork): only Add and Remove are taken for Network; an Update is E_FAIL", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Add", { NamespaceID: NS, ID: NIC0 });
  assert.equal(await hresultOf(r.guest("Update", { NamespaceID: NS, ID: NIC0 })), HRESULT.E_FAIL);
  assert.equal(await hresultOf(r.guest("Update", {})), HRESULT.E_FAIL);
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim lcow (hcsshim internal/protocol/guestresource/resources.go LCOWNetworkAdapter): optional fields are optional (PrefixLength and Metric left out when 0, an on-link route without NextHop)", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Add", {
    NamespaceID: NS,
    ID: NIC0,
    IPConfigs: [{ IPAddress: "10.0.0.5" }, { IPAddress: "fd00::5", PrefixLength: 64 }],
    Routes: [
      { DestinationPrefix: "10.0.0.0/24" }, // on-link: no next hop
      { NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0/0" },
      { NextHop: "0.0.0.0", DestinationPrefix: "0.0.0.0/0" }, // "no gateway": skipped
    ],
  });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim lcow (hcsshim internal/guest/network/netns.go configureLink): a route fails the add without a destination, and a default route without a next hop it can parse", async () => {
  for (
    const route of [
      { NextHop: "10.0.0.1" }, // ParseCIDR("") fails: no destination is no default route
      { DestinationPrefix: "0.0.0.0/0" },
      { DestinationPrefix: "::/0", NextHop: "fe80::1%eth0" }, // net.ParseIP takes no zone
      { DestinationPrefix: "10.0.0.0/33", NextHop: "10.0.0.1" },
    ]
  ) {
    const r = await rig("lcow");
    await r.hostNic(NIC0, "Add");
    assert.equal(
      await hresultOf(r.guest("Add", { NamespaceID: NS, ID: NIC0, Routes: [route] })),
      HRESULT.E_FAIL,
      JSON.stringify(route),
    );
    // hcsv2/network.go AddAdapter recorded it before Sync failed: it stays
    // until a Remove, and an Add again is "already present".
    assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
    assert.equal(await hresultOf(r.guest("Add", { NamespaceID: NS, ID: NIC0 })), HRESULT.E_FAIL);
    await r.guest("Remove", { NamespaceID: NS, ID: NIC0 });
    await r.guest("Add", { NamespaceID: NS, ID: NIC0 });
    assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
    r.host.hcs.closeComputeSystem(r.vm);
  }
});

Deno.test("sim lcow (hcsshim internal/guest/network/netns.go configureLink): a next hop the guest cannot parse installs the route without a gateway: the add succeeds", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.guest("Add", {
    NamespaceID: NS,
    ID: NIC0,
    IPConfigs: [{ IPAddress: "10.0.0.5", PrefixLength: 24 }],
    Routes: [{ NextHop: "10.0.0.256", DestinationPrefix: "10.1.0.0/16" }],
  });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  r.host.hcs.closeComputeSystem(r.vm);
});

Deno.test("sim lcow (hcsshim internal/guest/network/netns.go NetNSConfig): the MTU less EncapOverhead must stay at least 68, and 1280 with an IPv6 address", async () => {
  const cases: [number, string, number][] = [
    [1432, "10.0.0.5", 0], // 68: the least Linux takes
    [1433, "10.0.0.5", HRESULT.E_FAIL],
    [220, "fd00::5", 0], // 1280: the least IPv6 takes
    [221, "fd00::5", HRESULT.E_FAIL],
    [221, "10.0.0.5", 0],
  ];
  for (const [overhead, address, expected] of cases) {
    const r = await rig("lcow");
    await r.hostNic(NIC0, "Add");
    const add = r.guest("Add", {
      NamespaceID: NS,
      ID: NIC0,
      EncapOverhead: overhead,
      IPConfigs: [{ IPAddress: address, PrefixLength: address.includes(":") ? 64 : 24 }],
    });
    if (expected === 0) await add;
    else assert.equal(await hresultOf(add), expected, `${overhead} ${address}`);
    // Recorded either way (a failed link leaves the record: see above).
    assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
    r.host.hcs.closeComputeSystem(r.vm);
  }
});

Deno.test("sim lcow (hcsshim hcsv2/network.go dnsConfig, internal/guest/network/network.go GenerateResolvConfContent): DNSSuffix is split on commas, trimmed, lower-cased, made unique across the namespace, and at most 6", async () => {
  const r = await rig("lcow");
  await r.hostNic(NIC0, "Add");
  await r.hostNic(NIC1, "Add", EP1);
  // 4 domains, two of them the same once trimmed and lower-cased
  await r.guest("Add", {
    NamespaceID: NS,
    ID: NIC0,
    DNSSuffix: "a.local, B.local,b.local ,c.local,d.local",
    DNSServerList: "10.96.0.10, FD00::A",
  });
  assert.deepEqual(r.host.exportState().guestAdapters[0]?.dnsSearch, [
    "a.local",
    "b.local",
    "b.local",
    "c.local",
    "d.local",
  ]);
  // 3 more, one shared: 6 in the namespace, accepted
  await r.guest("Add", { NamespaceID: NS, ID: NIC1, DNSSuffix: "D.LOCAL,e.local,f.local" });
  await r.guest("Remove", { NamespaceID: NS, ID: NIC1 });
  // 7 in the namespace: the guest cannot write resolv.conf
  assert.equal(
    await hresultOf(
      r.guest("Add", { NamespaceID: NS, ID: NIC1, DNSSuffix: "e.local,f.local,g.local" }),
    ),
    HRESULT.E_FAIL,
  );
  // a blank entry is a domain too (split keeps it)
  assert.equal(
    await hresultOf(r.guest("Add", { NamespaceID: NS, ID: NIC1, DNSSuffix: "e.local,,f.local" })),
    HRESULT.E_FAIL,
  );
  // another namespace has its own resolv.conf
  await r.guest("Add", {
    NamespaceID: NS2,
    ID: NIC1,
    DNSSuffix: "1.l,2.l,3.l,4.l,5.l,6.l",
  });
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0, NIC1]);
  // 7 in one adapter fails on its own
  const r2 = await rig("lcow");
  await r2.hostNic(NIC0, "Add");
  assert.equal(
    await hresultOf(r2.guest("Add", { NamespaceID: NS, ID: NIC0, DNSSuffix: "1,2,3,4,5,6,7" })),
    HRESULT.E_FAIL,
  );
  r.host.hcs.closeComputeSystem(r.vm);
  r2.host.hcs.closeComputeSystem(r2.vm);
});

Deno.test("sim (hcsshim internal/uvm/network.go addNIC, removeNIC: legacy ModifySettingRequest): a host request with a GuestRequest is accepted and applied as one", async () => {
  const r = await rig("lcow");
  const add = {
    ResourcePath: `${PATH}${NIC0}`,
    RequestType: "Add",
    Settings: { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A" },
    GuestRequest: {
      ResourceType: "Network",
      RequestType: "Add",
      Settings: { NamespaceID: NS, ID: NIC0 },
    },
  };
  await r.modify(add);
  assert.deepEqual(r.host.inventory().vmNics, [NIC0]);
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  assert.equal(r.host.trace.at(-1)?.op, "vm.add-nic");
  assert.deepEqual(r.host.hostRequests(), [add]);
  assert.deepEqual(r.host.guestRequests(), [add.GuestRequest]);
  // the guest part fails: the host part is not applied either
  const bad = {
    ...add,
    ResourcePath: `${PATH}${NIC1}`,
    Settings: { EndpointId: EP1 },
    GuestRequest: { ...add.GuestRequest, Settings: { NamespaceID: NS, ID: NIC1, Routes: [{}] } },
  };
  assert.equal(await hresultOf(r.modify(bad)), HRESULT.E_FAIL);
  assert.deepEqual(r.host.inventory().vmNics, [NIC0]);
  // the host part fails: the guest part is not applied either
  const badHost = {
    ...add,
    ResourcePath: `${PATH}${NIC1}`,
    Settings: { EndpointId: EP0 }, // EP0 backs NIC0 already
    GuestRequest: { ...add.GuestRequest, Settings: { NamespaceID: NS, ID: NIC1 } },
  };
  assert.equal(await hresultOf(r.modify(badHost)), HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED);
  assert.deepEqual(r.host.inventory().guestAdapters, [NIC0]);
  await r.modify({
    ResourcePath: `${PATH}${NIC0}`,
    RequestType: "Remove",
    Settings: { EndpointId: EP0 },
    GuestRequest: {
      ResourceType: "Network",
      RequestType: "Remove",
      Settings: { NamespaceID: NS, ID: NIC0 },
    },
  });
  assert.equal(r.host.trace.at(-1)?.op, "vm.remove-nic");
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});

Deno.test("sim wcow (hcsshim internal/uvm/network.go addNIC, removeNIC): the legacy combined add, and the remove whose GuestRequest has no ResourceType", async () => {
  const r = await rig("wcow");
  await r.guest("Add", {
    AdapterId: NIC0,
    RequestType: "PreAdd",
    Settings: { ID: EP0, HostComputeNamespace: NS },
  });
  await r.modify({
    ResourcePath: `${PATH}${NIC0}`,
    RequestType: "Add",
    Settings: { EndpointId: EP0 },
    GuestRequest: {
      ResourceType: "Network",
      RequestType: "Add",
      Settings: { AdapterId: NIC0, RequestType: "Add" },
    },
  });
  assert.deepEqual(r.host.inventory().vmNics, [NIC0]);
  await r.modify({
    ResourcePath: `${PATH}${NIC0}`,
    RequestType: "Remove",
    Settings: { EndpointId: EP0 },
    GuestRequest: { RequestType: "Remove", Settings: { AdapterId: NIC0, RequestType: "Remove" } },
  });
  // a GuestRequest alone still needs its ResourceType
  assert.equal(
    await hresultOf(r.modify({ GuestRequest: { RequestType: "Add", Settings: {} } })),
    HRESULT.HCS_E_INVALID_JSON,
  );
  r.host.hcs.closeComputeSystem(r.vm);
  assert.ok(r.host.isClean());
});
