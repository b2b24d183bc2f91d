import assert from "node:assert/strict";
import { HResultError, InvalidHostDataError, NotFoundError } from "../domain/errors.ts";
import { WcowGuestNetwork } from "../adapters/guest/wcow.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../sim.ts";
import type { GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint, HostNamespace } from "../ports/host_network.ts";
import type { JsonObject } from "../ports/json.ts";
import { RecordingHcs } from "./_fakes/recording_apis.ts";

// Source of every expectation here: hcsshim decodes what HNS returned into
// its schema types and encodes those for the guest, so only the schema's
// fields go out, in its casing (hcn/hcnendpoint.go HostComputeEndpoint,
// hcn/hcnnamespace.go HostComputeNamespace, hcn/hcnpolicy.go,
// hcn/hcnnetwork.go, hcn/hcn.go Health; internal/vm/guestmanager/
// network_wcow.go), and reads the namespace again before removing it from
// the guest (internal/controller/network/network_wcow.go).

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";

/** An endpoint as a newer HNS might write it: unknown fields at every level, keys in other cases. */
const RAW_ENDPOINT: JsonObject = {
  ID: EP0.toUpperCase(),
  Name: "pod_eth0",
  hostComputeNetwork: "aa11bb22-cc33-4d44-8e55-ff6677889900",
  HOSTCOMPUTENAMESPACE: NS,
  Policies: [{ Type: "EncapOverhead", Settings: { Overhead: 50, Future: 1 }, Extra: true }],
  IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 24, Zone: "a" }],
  Dns: { Search: ["svc.cluster.local"], ServerList: ["10.96.0.10"], Sorting: true },
  Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0/0", Metric: 5, Scope: "x" }],
  MacAddress: "00-15-5D-52-C0-0A",
  flags: 3,
  Health: { Data: { ok: 1 }, Extra: { SwitchGuid: "sw", Unknown: 1 }, Other: 2 },
  SchemaVersion: { Major: 2, Minor: 16, Patch: 1 },
  VirtualNetworkName: "azure",
  AdditionalParams: { a: 1 },
  Flags2: 9,
};

/** The endpoint as the host port gives it (parsed fields and the raw document). */
const ENDPOINT: HostEndpoint = {
  id: EP0,
  name: "pod_eth0",
  macAddress: "00-15-5D-52-C0-0A",
  ipConfigurations: [{ ipAddress: "10.0.0.5", prefixLength: 24 }],
  dns: { domain: "", search: ["svc.cluster.local"], serverList: ["10.96.0.10"], options: [] },
  routes: [{ nextHop: "10.0.0.1", destinationPrefix: "0.0.0.0/0", metric: 5 }],
  policies: [{ type: "EncapOverhead", settings: { Overhead: 50, Future: 1 } }],
  encapOverhead: 50,
  document: RAW_ENDPOINT,
};

const RAW_NAMESPACE: JsonObject = {
  ID: NS,
  namespaceid: 7,
  Type: "Host",
  Resources: [
    { Type: "Endpoint", Data: { ID: EP0, Extra: "kept: Data is a json.RawMessage" }, Tag: 1 },
  ],
  SchemaVersion: { Major: 2, Minor: 0 },
  Sandbox: { anything: true },
};

function wcow(options: { capability?: boolean; host?: HostNamespaceReader } = {}) {
  const hcs = new RecordingHcs({ capability: options.capability ?? true });
  const system = new ComputeSystem(hcs, "uvm-test");
  const guest = new WcowGuestNetwork(
    system,
    options.host === undefined ? {} : { hostNetwork: options.host },
  );
  return { hcs, system, guest };
}

interface HostNamespaceReader {
  getNamespace(id: string): Promise<HostNamespace>;
}

function settingsOf(doc: unknown): unknown {
  return (doc as { GuestRequest: { Settings: unknown } }).GuestRequest.Settings;
}

Deno.test("WCOW pre-add (hcsshim hcn/hcnendpoint.go): an endpoint with unknown fields goes out with only the schema's fields, in HCS's casing", async () => {
  const { hcs, system, guest } = wcow();
  using _ = system;
  const nic: GuestNicConfig = {
    nicId: NIC0,
    endpointId: EP0,
    namespaceId: NS,
    endpoint: ENDPOINT,
    policyBasedRouting: false,
  };
  await guest.prepare(nic);
  const [preAdd] = hcs.modifyDocuments();
  assert.deepEqual(settingsOf(preAdd), {
    AdapterId: NIC0,
    RequestType: "PreAdd",
    Settings: {
      ID: EP0,
      Name: "pod_eth0",
      HostComputeNetwork: "aa11bb22-cc33-4d44-8e55-ff6677889900",
      HostComputeNamespace: NS,
      // Policy Settings is a json.RawMessage: passed on as written.
      Policies: [{ Type: "EncapOverhead", Settings: { Overhead: 50, Future: 1 } }],
      IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 24 }],
      Dns: { Search: ["svc.cluster.local"], ServerList: ["10.96.0.10"] },
      Routes: [{ NextHop: "10.0.0.1", DestinationPrefix: "0.0.0.0/0", Metric: 5 }],
      MacAddress: "00-15-5D-52-C0-0A",
      Flags: 3,
      Health: { Data: { ok: 1 }, Extra: { SwitchGuid: "sw" } },
      SchemaVersion: { Major: 2, Minor: 16 },
    },
  });
});

Deno.test("WCOW pre-add (hcsshim hcn/hcnendpoint.go): zero values are omitted, struct fields always written, ill-typed raw fields left out", async () => {
  const { hcs, system, guest } = wcow();
  using _ = system;
  const bare: HostEndpoint = {
    id: EP1,
    name: "",
    ipConfigurations: [{ ipAddress: "10.0.0.6", prefixLength: 0 }],
    routes: [{ nextHop: "", destinationPrefix: "10.0.0.0/8", metric: 0 }],
    policies: [],
    document: { ID: EP1, HostComputeNetwork: 5, Flags: -1, SchemaVersion: "2.0" },
  };
  await guest.prepare({
    nicId: NIC0,
    endpointId: EP1,
    namespaceId: NS,
    endpoint: bare,
    policyBasedRouting: false,
  });
  const [preAdd] = hcs.modifyDocuments();
  assert.deepEqual((settingsOf(preAdd) as { Settings: unknown }).Settings, {
    ID: EP1,
    IpConfigurations: [{ IpAddress: "10.0.0.6" }],
    Dns: {},
    Routes: [{ DestinationPrefix: "10.0.0.0/8" }],
    Health: { Extra: {} },
    SchemaVersion: { Major: 0, Minor: 0 },
  });
});

const NAMESPACE_AS_HCSSHIM_SENDS = {
  ID: NS,
  NamespaceId: 7,
  Type: "Host",
  Resources: [{ Type: "Endpoint", Data: { ID: EP0, Extra: "kept: Data is a json.RawMessage" } }],
  SchemaVersion: { Major: 2, Minor: 0 },
};

Deno.test("WCOW NetworkNamespace Add (hcsshim hcn/hcnnamespace.go): only the schema's fields, in HCS's casing", async () => {
  const { hcs, system, guest } = wcow();
  using _ = system;
  assert.equal(await guest.addNamespace({ id: NS, document: RAW_NAMESPACE }), true);
  assert.deepEqual(settingsOf(hcs.modifyDocuments()[0]), NAMESPACE_AS_HCSSHIM_SENDS);
});

Deno.test("WCOW NetworkNamespace Remove (hcsshim controller/network/network_wcow.go): the namespace is read again first and sent as it is now", async () => {
  const events: string[] = [];
  const now: JsonObject = {
    ...RAW_NAMESPACE,
    Resources: [{ Type: "Endpoint", Data: { ID: EP1 } }],
    Unknown: 1,
  };
  const ref: { hcs?: RecordingHcs } = {};
  const host: HostNamespaceReader = {
    getNamespace: (id) => {
      events.push(`read ${id} (after ${ref.hcs?.modifyDocuments().length} modify)`);
      return Promise.resolve({ id, endpointIds: [EP1], document: now });
    },
  };
  const { hcs, system, guest } = wcow({ host });
  ref.hcs = hcs;
  using _ = system;
  await guest.removeNamespace({ id: NS, document: RAW_NAMESPACE });
  assert.deepEqual(events, [`read ${NS} (after 0 modify)`]);
  assert.deepEqual(settingsOf(hcs.modifyDocuments()[0]), {
    ...NAMESPACE_AS_HCSSHIM_SENDS,
    Resources: [{ Type: "Endpoint", Data: { ID: EP1 } }],
  });
});

Deno.test("WCOW NetworkNamespace Remove: a namespace already gone (or no longer readable as HCN's) goes with the recorded document", async () => {
  for (
    const failure of [
      new NotFoundError("namespace", NS),
      new InvalidHostDataError("namespace", "Resources", "must be a list"),
    ]
  ) {
    const host: HostNamespaceReader = { getNamespace: () => Promise.reject(failure) };
    const { hcs, system, guest } = wcow({ host });
    using _ = system;
    await guest.removeNamespace({ id: NS, document: RAW_NAMESPACE });
    assert.deepEqual(settingsOf(hcs.modifyDocuments()[0]), NAMESPACE_AS_HCSSHIM_SENDS);
  }
});

Deno.test("WCOW NetworkNamespace Remove: a failed read fails the step with nothing sent; without namespace support nothing is read", async () => {
  const failure = new HResultError("HcnQueryNamespaceProperties", 0x80004005);
  let reads = 0;
  const failing: HostNamespaceReader = {
    getNamespace: () => {
      reads++;
      return Promise.reject(failure);
    },
  };
  {
    const { hcs, system, guest } = wcow({ host: failing });
    using _ = system;
    await assert.rejects(
      guest.removeNamespace({ id: NS, document: RAW_NAMESPACE }),
      (e) => e === failure,
    );
    assert.deepEqual(hcs.modifyDocuments(), []);
  }
  {
    const { hcs, system, guest } = wcow({ host: failing, capability: false });
    using _ = system;
    await guest.removeNamespace({ id: NS, document: RAW_NAMESPACE });
    assert.deepEqual(hcs.modifyDocuments(), []);
  }
  assert.equal(reads, 1);
});

Deno.test("WCOW ports (createPorts) read the namespace from HCN right before its guest removal, on the simulated host", async () => {
  const sim = new SimulatedHost({ guest: "wcow" });
  sim.addNamespace(RAW_NAMESPACE);
  using ports = createPorts({ hcn: sim.hcn, hcs: sim.hcs, vmId: sim.vmId, guest: "wcow" });
  const ns = await ports.host.getNamespace(NS);
  await ports.guest.addNamespace({ id: ns.id, document: ns.document });
  const [added] = sim.guestRequests();
  assert.deepEqual(added?.["Settings"], NAMESPACE_AS_HCSSHIM_SENDS);
  // The namespace changes on the host while the pod runs.
  sim.addNamespaceEndpoint(NS, { ID: EP1 });
  sim.clearTrace();
  await ports.guest.removeNamespace({ id: ns.id, document: ns.document });
  const ops = sim.trace.map((t) => t.op);
  assert.ok(ops.indexOf("HcnQueryNamespaceProperties") >= 0, ops.join());
  assert.ok(ops.indexOf("HcnQueryNamespaceProperties") < ops.indexOf("guest.namespace-remove"));
  const [removed] = sim.guestRequests();
  assert.deepEqual(
    (removed?.["Settings"] as { Resources: unknown[] }).Resources.map((r) =>
      (r as { Data: { ID: string } }).Data.ID
    ),
    [EP0, EP1],
  );
  assert.deepEqual(sim.inventory().guestNamespaces, []);
});
