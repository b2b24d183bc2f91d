import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  NotFoundError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { WcowGuestNetwork } from "../adapters/guest/wcow.ts";
import { HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { HcsVmNetwork } from "../adapters/hcs/hcs_vm_network.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import type { GuestNamespace, GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import {
  type HcnFixture,
  readFixture,
  RecordingHcn,
  RecordingHcs,
} from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";

/**
 * eth0 of pod-3nic.json as hcsshim sends it in the pre-add: decoded into
 * hcn.HostComputeEndpoint and encoded again (hcn/hcnendpoint.go): zero
 * `Metric` and `Flags` dropped (omitempty), `Dns`, `Health` and
 * `SchemaVersion` always present (struct fields).
 */
const ETH0_AS_HCSSHIM_SENDS = {
  ID: EP0,
  Name: "4f1d0c2b9a7e_eth0",
  HostComputeNetwork: "aa11bb22-cc33-4d44-8e55-ff6677889900",
  HostComputeNamespace: NS,
  Policies: [
    { Type: "EncapOverhead", Settings: { Overhead: 50 } },
    { Type: "OutBoundNAT", Settings: { Exceptions: ["10.244.0.0/16"] } },
  ],
  IpConfigurations: [
    { IpAddress: "10.244.1.17", PrefixLength: 24 },
    { IpAddress: "fd00:10:244:1::11", PrefixLength: 64 },
  ],
  Dns: {
    Domain: "Default.svc.Cluster.Local",
    Search: ["svc.cluster.local", "Cluster.Local"],
    ServerList: ["10.96.0.10", "FD00:10:96::A"],
    Options: ["ndots:5"],
  },
  Routes: [
    { NextHop: "10.244.1.1", DestinationPrefix: "0.0.0.0/0" },
    { NextHop: "fd00:10:244:1::1", DestinationPrefix: "::/0" },
  ],
  MacAddress: "00-15-5D-52-C0-0A",
  Health: { Extra: {} },
  SchemaVersion: { Major: 2, Minor: 0 },
};

interface Pod {
  readonly fixture: HcnFixture;
  readonly namespace: GuestNamespace;
  readonly eth0: HostEndpoint;
}

async function pod(): Promise<Pod> {
  const fixture = await readFixture("pod-3nic.json");
  const hcn = new RecordingHcn();
  hcn.loadFixture(fixture);
  const host = new HcnHostNetwork(hcn);
  const ns = await host.getNamespace(NS);
  return {
    fixture,
    namespace: { id: ns.id, document: ns.document },
    eth0: await host.getEndpoint(EP0),
  };
}

function nicConfig(endpoint: HostEndpoint, nicId = NIC0): GuestNicConfig {
  return { nicId, endpointId: endpoint.id, namespaceId: NS, endpoint, policyBasedRouting: true };
}

function setup(capability: boolean | "absent" = true) {
  const hcs = new RecordingHcs({ capability });
  const system = new ComputeSystem(hcs, "uvm-test");
  return { hcs, system, guest: new WcowGuestNetwork(system) };
}

Deno.test("WCOW addNamespace sends NetworkNamespace Add with the HCN namespace document", async () => {
  const { fixture, namespace } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  assert.equal(guest.platform, "wcow");
  assert.equal(await guest.addNamespace(namespace), true);
  assert.deepEqual(hcs.modifyDocuments(), [
    {
      GuestRequest: {
        ResourceType: "NetworkNamespace",
        RequestType: "Add",
        Settings: fixture.namespace,
      },
    },
  ]);
});

Deno.test("WCOW removeNamespace sends NetworkNamespace Remove", async () => {
  const { fixture, namespace } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  await guest.removeNamespace(namespace);
  assert.deepEqual(hcs.modifyDocuments(), [
    {
      GuestRequest: {
        ResourceType: "NetworkNamespace",
        RequestType: "Remove",
        Settings: fixture.namespace,
      },
    },
  ]);
});

Deno.test("WCOW NIC: pre-add, host hot-add, add, then remove and hot-remove, in order", async () => {
  const { eth0 } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  const vm = new HcsVmNetwork(system);
  const nic = nicConfig(eth0, NIC0.toUpperCase());
  const vmNic = { nicId: NIC0, endpointId: EP0, macAddress: "00-15-5D-52-C0-0A" };
  assert.equal(await guest.prepare(nic), true);
  await vm.addNic(vmNic);
  await guest.attach(nic);
  await guest.detach(nic);
  await vm.removeNic(vmNic);
  const hostNic = (type: string) => ({
    ResourcePath: `VirtualMachine/Devices/NetworkAdapters/${NIC0}`,
    RequestType: type,
    Settings: { EndpointId: EP0, MacAddress: "00-15-5D-52-C0-0A" },
  });
  assert.deepEqual(hcs.modifyDocuments(), [
    {
      GuestRequest: {
        ResourceType: "Network",
        RequestType: "Add",
        Settings: { AdapterId: NIC0, RequestType: "PreAdd", Settings: ETH0_AS_HCSSHIM_SENDS },
      },
    },
    hostNic("Add"),
    {
      GuestRequest: {
        ResourceType: "Network",
        RequestType: "Add",
        Settings: { AdapterId: NIC0, RequestType: "Add" },
      },
    },
    {
      GuestRequest: {
        ResourceType: "Network",
        RequestType: "Remove",
        Settings: { AdapterId: NIC0, RequestType: "Remove" },
      },
    },
    hostNic("Remove"),
  ]);
  assert.equal(hcs.opened, 1, "VM and guest share one handle");
});

Deno.test("WCOW without namespace support skips the namespace but still sends its NICs", async () => {
  const { namespace, eth0 } = await pod();
  const { hcs, system, guest } = setup(false);
  using _ = system;
  assert.equal(await guest.addNamespace(namespace), false);
  assert.equal(await guest.prepare(nicConfig(eth0)), true);
  await guest.attach(nicConfig(eth0));
  await guest.detach(nicConfig(eth0));
  await guest.removeNamespace(namespace);
  const sent = hcs.modifyDocuments() as {
    GuestRequest: { ResourceType: string; Settings: { RequestType: string } };
  }[];
  assert.deepEqual(
    sent.map((d) => `${d.GuestRequest.ResourceType} ${d.GuestRequest.Settings.RequestType}`),
    ["Network PreAdd", "Network Add", "Network Remove"],
  );
  assert.equal(hcs.propertyQueries().length, 1, "capability read once");
});

Deno.test("WCOW reads the capability once across every step", async () => {
  const { namespace, eth0 } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  await guest.addNamespace(namespace);
  await guest.prepare(nicConfig(eth0));
  await guest.attach(nicConfig(eth0));
  await guest.detach(nicConfig(eth0));
  await guest.removeNamespace(namespace);
  assert.deepEqual(hcs.propertyQueries(), [{ PropertyTypes: ["GuestConnection"] }]);
  assert.equal(hcs.modifyDocuments().length, 5);
});

Deno.test("WCOW not found on detach and removeNamespace is NotFoundError", async () => {
  const { namespace, eth0 } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.ERROR_NOT_FOUND },
    { fail: HRESULT.ERROR_NOT_FOUND },
    { fail: HRESULT.ERROR_NOT_FOUND },
  );
  await assert.rejects(guest.detach(nicConfig(eth0)), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "guest NIC");
    assert.equal(e.id, NIC0);
    return true;
  });
  await assert.rejects(guest.removeNamespace(namespace), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "guest namespace");
    assert.equal(e.id, NS);
    return true;
  });
  await assert.rejects(guest.attach(nicConfig(eth0)), HResultError, "attach keeps the HRESULT");
});

Deno.test("WCOW guest and VM gone map to their errors with step messages", async () => {
  const { namespace, eth0 } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  await guest.connect(); // reads the capability while the guest is there
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.HCS_E_CONNECTION_CLOSED },
    { fail: HRESULT.HCS_E_CONNECT_FAILED },
    { fail: HRESULT.HCS_E_SYSTEM_NOT_FOUND },
  );
  hcs.guestConnected = false; // what a fresh look finds
  await assert.rejects(guest.detach(nicConfig(eth0)), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, `Cannot detach NIC ${NIC0}: the guest connection is closed`);
    return true;
  });
  await assert.rejects(guest.removeNamespace(namespace), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(
      e.message,
      `Cannot remove namespace ${NS} from the guest: the guest connection was never made`,
    );
    return true;
  });
  hcs.vmState = "Stopped";
  await assert.rejects(guest.prepare(nicConfig(eth0)), (e: unknown) => {
    assert.ok(e instanceof VmUnavailableError);
    assert.equal(e.message, `Cannot prepare NIC ${NIC0}: the VM is gone`);
    return true;
  });
});

Deno.test("WCOW: a guest without a connection fails the step and is read again later", async () => {
  const { namespace } = await pod();
  const { hcs, system, guest } = setup("absent");
  using _ = system;
  await assert.rejects(guest.addNamespace(namespace), GuestUnavailableError);
  hcs.capability = true;
  assert.equal(await guest.addNamespace(namespace), true);
  assert.equal(hcs.propertyQueries().length, 2);
});

Deno.test("WCOW validates NIC and namespace IDs before anything is sent", async () => {
  const { namespace, eth0 } = await pod();
  const { hcs, system, guest } = setup();
  using _ = system;
  const bad = nicConfig(eth0, "not-a-guid");
  await assert.rejects(guest.prepare(bad), InvalidArgumentError);
  await assert.rejects(guest.attach(bad), InvalidArgumentError);
  await assert.rejects(guest.detach(bad), InvalidArgumentError);
  const badNs = { ...namespace, id: "ns-1" };
  await assert.rejects(guest.addNamespace(badNs), InvalidArgumentError);
  await assert.rejects(guest.removeNamespace(badNs), InvalidArgumentError);
  assert.deepEqual(hcs.calls, []);
});
