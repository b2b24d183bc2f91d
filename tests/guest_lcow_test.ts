import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  NotFoundError,
  OperationTimeoutError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { buildLcowAdapter, LcowGuestNetwork } from "../adapters/guest/lcow.ts";
import { HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import type { GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../ports/json.ts";
import { readFixture, RecordingHcn, RecordingHcs } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const EP1 = "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d";
const EP2 = "b1e2c3d4-0002-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const NIC1 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1";
const NIC2 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f2";

/** The pod-3nic endpoints, read through the HCN adapter. */
async function endpoints(): Promise<
  { eth0: HostEndpoint; eth1: HostEndpoint; eth2: HostEndpoint }
> {
  const hcn = new RecordingHcn();
  hcn.loadFixture(await readFixture("pod-3nic.json"));
  const host = new HcnHostNetwork(hcn);
  return {
    eth0: await host.getEndpoint(EP0),
    eth1: await host.getEndpoint(EP1),
    eth2: await host.getEndpoint(EP2),
  };
}

function nicConfig(
  nicId: string,
  endpoint: HostEndpoint,
  policyBasedRouting = false,
): GuestNicConfig {
  return { nicId, endpointId: endpoint.id, namespaceId: NS, endpoint, policyBasedRouting };
}

function setup(capability: boolean | "absent" = true, timeoutMs?: number) {
  const hcs = new RecordingHcs({ capability });
  const system = new ComputeSystem(hcs, "uvm-test", timeoutMs === undefined ? {} : { timeoutMs });
  return { hcs, system, guest: new LcowGuestNetwork(system) };
}

/** Only the modify documents (no capability query). */
function sent(hcs: RecordingHcs): unknown[] {
  return hcs.modifyDocuments();
}

const ETH0_ADAPTER: JsonObject = {
  NamespaceID: NS,
  ID: NIC0,
  MacAddress: "00-15-5D-52-C0-0A",
  DNSSuffix: "default.svc.cluster.local,svc.cluster.local,cluster.local",
  DNSServerList: "10.96.0.10,fd00:10:96::a",
  EncapOverhead: 50,
  IPConfigs: [
    { IPAddress: "10.244.1.17", PrefixLength: 24 },
    { IPAddress: "fd00:10:244:1::11", PrefixLength: 64 },
  ],
  Routes: [
    { NextHop: "10.244.1.1", DestinationPrefix: "0.0.0.0/0", Metric: 0 },
    { NextHop: "fd00:10:244:1::1", DestinationPrefix: "::/0", Metric: 0 },
  ],
};

Deno.test("LCOW attach sends the exact Network Add for eth0 (DNS canonical, overhead 50)", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  assert.equal(guest.platform, "lcow");
  await guest.attach(nicConfig(NIC0, eth0));
  assert.deepEqual(sent(hcs), [
    { GuestRequest: { ResourceType: "Network", RequestType: "Add", Settings: ETH0_ADAPTER } },
  ]);
  const modify = hcs.calls.find((c) => c.call === "HcsModifyComputeSystem");
  assert.equal(
    modify?.args[0],
    '{"GuestRequest":{"ResourceType":"Network","RequestType":"Add","Settings":{' +
      `"NamespaceID":"${NS}","ID":"${NIC0}","MacAddress":"00-15-5D-52-C0-0A",` +
      '"DNSSuffix":"default.svc.cluster.local,svc.cluster.local,cluster.local",' +
      '"DNSServerList":"10.96.0.10,fd00:10:96::a","EncapOverhead":50,' +
      '"IPConfigs":[{"IPAddress":"10.244.1.17","PrefixLength":24},' +
      '{"IPAddress":"fd00:10:244:1::11","PrefixLength":64}],' +
      '"Routes":[{"NextHop":"10.244.1.1","DestinationPrefix":"0.0.0.0/0","Metric":0},' +
      '{"NextHop":"fd00:10:244:1::1","DestinationPrefix":"::/0","Metric":0}]}}}',
  );
});

Deno.test("LCOW adapter: PolicyBasedRouting only when on", async () => {
  const { eth0, eth1 } = await endpoints();
  assert.deepEqual(buildLcowAdapter(nicConfig(NIC0, eth0, true)), {
    ...ETH0_ADAPTER,
    PolicyBasedRouting: true,
  });
  const off = buildLcowAdapter(nicConfig(NIC1, eth1, false));
  assert.equal("PolicyBasedRouting" in off, false);
  assert.equal("EnableLowMetric" in off, false);
  assert.equal("VPCIAssigned" in off, false);
});

Deno.test("LCOW adapter: eth1 and eth2 omit empty fields", async () => {
  const { eth1, eth2 } = await endpoints();
  assert.deepEqual(buildLcowAdapter(nicConfig(NIC1, eth1)), {
    NamespaceID: NS,
    ID: NIC1,
    MacAddress: "00-15-5D-52-C0-0B",
    IPConfigs: [{ IPAddress: "192.168.40.7", PrefixLength: 24 }],
    Routes: [{ NextHop: "192.168.40.1", DestinationPrefix: "192.168.0.0/16", Metric: 10 }],
  });
  assert.deepEqual(buildLcowAdapter(nicConfig(NIC2, eth2, true)), {
    NamespaceID: NS,
    ID: NIC2,
    MacAddress: "00-15-5D-52-C0-0C",
    IPConfigs: [{ IPAddress: "172.20.3.9", PrefixLength: 20 }],
    PolicyBasedRouting: true,
  });
});

Deno.test("LCOW adapter: DNS suffix puts the domain first, lower case; blank entries skipped", async () => {
  const { eth2 } = await endpoints();
  const base = eth2;
  const adapter = (dns: HostEndpoint["dns"]) =>
    buildLcowAdapter(nicConfig(NIC2, dns === undefined ? base : { ...base, dns }));
  assert.deepEqual(
    adapter({ domain: "", search: ["B.Local", "a.local"], serverList: [], options: [] }).DNSSuffix,
    "b.local,a.local",
  );
  const onlyDomain = adapter({ domain: "Svc.Local", search: [], serverList: [" "], options: [] });
  assert.equal(onlyDomain.DNSSuffix, "svc.local");
  assert.equal("DNSServerList" in onlyDomain, false);
  const servers = adapter({
    domain: "",
    search: [""],
    serverList: ["FE80::1%Eth0", "10.0.0.10"],
    options: ["ndots:5"],
  });
  assert.equal("DNSSuffix" in servers, false);
  assert.equal(servers.DNSServerList, "fe80::1%eth0,10.0.0.10");
});

Deno.test("malformed EncapOverhead is InvalidHostDataError when the endpoint is read, never a silent zero", async () => {
  const fixture = await readFixture("pod-3nic.json");
  const other: JsonObject = { Type: "OutBoundNAT", Settings: {} };
  const cases: [JsonValue | undefined, string][] = [
    [{ Overhead: "50" }, "Settings.Overhead must be an integer 0..65535"],
    [{ Overhead: -1 }, "Settings.Overhead must be an integer 0..65535"],
    [{ Overhead: 70000 }, "Settings.Overhead must be an integer 0..65535"],
    [{ Overhead: 1.5 }, "Settings.Overhead must be an integer 0..65535"],
    // hcsshim's decoder fails on settings that are not an object (docs/host_documents.md).
    [[50], "Settings must be a JSON object"],
    ["50", "Settings must be a JSON object"],
  ];
  for (const [settings, reason] of cases) {
    const hcn = new RecordingHcn();
    hcn.loadFixture({
      ...fixture,
      endpoints: fixture.endpoints.map((e) =>
        e.ID === EP0
          ? {
            ...e,
            Policies: [other, {
              Type: "EncapOverhead",
              ...(settings === undefined ? {} : { Settings: settings }),
            }],
          }
          : e
      ),
    });
    await assert.rejects(new HcnHostNetwork(hcn).getEndpoint(EP0), (e: unknown) => {
      assert.ok(e instanceof InvalidHostDataError);
      assert.equal(e.field, `Policies.1.${reason.split(" ")[0]}`);
      assert.equal(e.message, `Cannot use endpoint ${EP0}: Policies.1.${reason}`);
      return true;
    });
  }
});

Deno.test("LCOW adapter: no overhead or an overhead of 0 omits EncapOverhead", async () => {
  const { eth0 } = await endpoints();
  const { encapOverhead: _, ...without } = eth0;
  for (const endpoint of [without, { ...without, encapOverhead: 0 }]) {
    const adapter = buildLcowAdapter(nicConfig(NIC0, endpoint));
    assert.equal("EncapOverhead" in adapter, false);
  }
  const max = buildLcowAdapter(nicConfig(NIC0, { ...without, encapOverhead: 65535 }));
  assert.equal(max.EncapOverhead, 65535);
});

Deno.test("LCOW detach sends Network Remove with NamespaceID and ID", async () => {
  const { hcs, system, guest } = setup();
  using _ = system;
  await guest.detach({ nicId: NIC1.toUpperCase(), endpointId: EP1, namespaceId: `{${NS}}` });
  assert.deepEqual(sent(hcs), [
    {
      GuestRequest: {
        ResourceType: "Network",
        RequestType: "Remove",
        Settings: { NamespaceID: NS, ID: NIC1 },
      },
    },
  ]);
});

Deno.test("LCOW namespace steps and prepare send nothing", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  assert.equal(await guest.addNamespace({ id: NS, document: {} }), false);
  await guest.removeNamespace({ id: NS, document: {} });
  assert.equal(await guest.prepare(nicConfig(NIC0, eth0)), false);
  assert.deepEqual(hcs.calls, []);
});

Deno.test("LCOW without namespace support: attach and detach send nothing", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup(false);
  using _ = system;
  await guest.attach(nicConfig(NIC0, eth0));
  await guest.detach({ nicId: NIC0, endpointId: EP0, namespaceId: NS });
  assert.deepEqual(sent(hcs), []);
  assert.deepEqual(hcs.callNames(), ["HcsOpenComputeSystem", "HcsGetComputeSystemProperties"]);
});

Deno.test("LCOW reads the capability once, with the GuestConnection query", async () => {
  const { eth0, eth1 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  await Promise.all([guest.attach(nicConfig(NIC0, eth0)), guest.attach(nicConfig(NIC1, eth1))]);
  await guest.detach({ nicId: NIC0, endpointId: EP0, namespaceId: NS });
  await guest.detach({ nicId: NIC1, endpointId: EP1, namespaceId: NS });
  assert.deepEqual(hcs.propertyQueries(), [{ PropertyTypes: ["GuestConnection"] }]);
  assert.equal(sent(hcs).length, 4);
  hcs.capability = false;
  await guest.attach(nicConfig(NIC0, eth0));
  assert.equal(sent(hcs).length, 5, "the remembered answer is used");
});

Deno.test("LCOW: a guest without a connection is GuestUnavailableError and is not remembered", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup("absent");
  using _ = system;
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, `Cannot attach NIC ${NIC0}: the guest connection is not established`);
    return true;
  });
  hcs.capability = true;
  await guest.attach(nicConfig(NIC0, eth0));
  assert.equal(hcs.propertyQueries().length, 2);
  assert.equal(sent(hcs).length, 1);
});

Deno.test("LCOW: a failed capability read is not remembered and names the step", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  hcs.script(
    "HcsGetComputeSystemProperties",
    { fail: HRESULT.HCS_E_CONNECTION_CLOSED },
    // The fresh look that confirms the guest is gone: no connection info.
    { result: '{"State":"Running","Stopped":false}' },
    { fail: HRESULT.E_FAIL },
    {
      result:
        '{"GuestConnectionInfo":{"GuestDefinedCapabilities":{"NamespaceAddRequestSupported":"yes"}}}',
    },
  );
  await assert.rejects(
    guest.detach({ nicId: NIC0, endpointId: EP0, namespaceId: NS }),
    (e: unknown) => {
      assert.ok(e instanceof GuestUnavailableError);
      assert.equal(e.message, `Cannot detach NIC ${NIC0}: the guest connection is closed`);
      // Said once, with the step's action: the capability read's HRESULT is the cause.
      assert.ok(e.cause instanceof HResultError);
      assert.equal(e.cause.call, "HcsGetComputeSystemProperties");
      return true;
    },
  );
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), HResultError);
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), (e: unknown) => {
    assert.ok(e instanceof InvalidHostDataError);
    assert.equal(
      e.field,
      "GuestConnectionInfo.GuestDefinedCapabilities.NamespaceAddRequestSupported",
    );
    return true;
  });
  await guest.attach(nicConfig(NIC0, eth0));
  assert.equal(hcs.propertyQueries().length, 5, "three reads, one fresh look, the good read");
  assert.equal(sent(hcs).length, 1);
});

Deno.test("LCOW: a missing capability field means unsupported", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  hcs.script("HcsGetComputeSystemProperties", { result: '{"GuestConnectionInfo":{}}' });
  await guest.attach(nicConfig(NIC0, eth0));
  assert.deepEqual(sent(hcs), []);
});

Deno.test("LCOW: NIC and namespace IDs are validated before anything is sent", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup();
  using _ = system;
  for (const nicId of ["eth0", "", `${NIC0}/x`]) {
    await assert.rejects(guest.attach(nicConfig(nicId, eth0)), (e: unknown) => {
      assert.ok(e instanceof InvalidArgumentError);
      assert.equal(e.argument, "nicId");
      return true;
    });
    await assert.rejects(
      guest.detach({ nicId, endpointId: EP0, namespaceId: NS }),
      InvalidArgumentError,
    );
  }
  await assert.rejects(
    guest.detach({ nicId: NIC0, endpointId: EP0, namespaceId: "pod" }),
    (e: unknown) => e instanceof InvalidArgumentError && e.argument === "namespaceId",
  );
  assert.deepEqual(hcs.calls, []);
});

Deno.test("LCOW error mapping: guest gone, VM gone, not found, other", async () => {
  const { eth0 } = await endpoints();
  const nic = { nicId: NIC0, endpointId: EP0, namespaceId: NS };
  const { hcs, system, guest } = setup();
  using _ = system;
  await guest.detach(nic); // reads the capability
  hcs.script(
    "HcsModifyComputeSystem",
    { fail: HRESULT.HCS_E_CONNECTION_CLOSED },
    { fail: HRESULT.HCS_E_CONNECT_FAILED },
    { fail: HRESULT.ERROR_NOT_FOUND },
    { fail: HRESULT.HCS_E_UNKNOWN_MESSAGE },
    { fail: HRESULT.HCS_E_UNEXPECTED_EXIT },
  );
  hcs.guestConnected = false; // what a fresh look finds
  await assert.rejects(guest.detach(nic), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, `Cannot detach NIC ${NIC0}: the guest connection is closed`);
    assert.ok(e.cause instanceof HResultError);
    assert.equal(e.cause.hresult, HRESULT.HCS_E_CONNECTION_CLOSED);
    return true;
  });
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), (e: unknown) => {
    assert.ok(e instanceof GuestUnavailableError);
    assert.equal(e.message, `Cannot attach NIC ${NIC0}: the guest connection was never made`);
    return true;
  });
  hcs.guestConnected = true;
  await assert.rejects(guest.detach(nic), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "guest NIC");
    assert.equal(e.id, NIC0);
    assert.ok(e.cause instanceof HResultError);
    return true;
  });
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), (e: unknown) => {
    assert.ok(e instanceof HResultError);
    assert.equal(e.hresult, HRESULT.HCS_E_UNKNOWN_MESSAGE);
    return true;
  });
  hcs.vmState = "Stopped";
  await assert.rejects(guest.detach(nic), (e: unknown) => {
    assert.ok(e instanceof VmUnavailableError);
    assert.equal(e.message, `Cannot detach NIC ${NIC0}: the VM is gone`);
    return true;
  });
});

Deno.test("LCOW attach that hangs times out; an aborted one rejects with the reason", async () => {
  const { eth0 } = await endpoints();
  const { hcs, system, guest } = setup(true, 25);
  using _ = system;
  hcs.script("HcsModifyComputeSystem", { hang: true }, { hang: true });
  await assert.rejects(guest.attach(nicConfig(NIC0, eth0)), (e: unknown) => {
    assert.ok(e instanceof OperationTimeoutError);
    assert.equal(e.operation, `attach NIC ${NIC0}`);
    return true;
  });
  const controller = new AbortController();
  const call = guest.attach(nicConfig(NIC0, eth0), { signal: controller.signal });
  setTimeout(() => controller.abort(new Error("stop")), 2);
  await assert.rejects(call, /stop/);
});
