// One test per row of docs/host_documents.md, for an LCOW and a WCOW guest:
// what is accepted, what is normalised (and the LCOW guest document that
// comes of it), what is refused with InvalidHostDataError before the VM is
// touched.
import assert from "node:assert/strict";
import { configure, type LogRecord, reset } from "@logtape/logtape";
import { InvalidHostDataError, VmUnavailableError } from "../domain/errors.ts";
import { HcnHostNetwork } from "../adapters/hcn/hcn_host_network.ts";
import { buildLcowAdapter } from "../adapters/guest/lcow.ts";
import { ComputeSystem } from "../adapters/hcs/compute_system.ts";
import { fromComputeSystem } from "../adapters/guest/_namespace_capability.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { NetworkController } from "../domain/network_controller.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import type { JsonObject } from "../ports/json.ts";
import { readFixture, RecordingHcn, RecordingHcs } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC0 = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const GUESTS = ["lcow", "wcow"] as const;
type Guest = typeof GUESTS[number];

const fixture = await readFixture("pod-3nic.json");
const ETH0 = fixture.endpoints.find((e) => e.ID === EP0) as JsonObject;

async function read(doc: JsonObject | string, guest: Guest): Promise<HostEndpoint> {
  const hcn = new RecordingHcn();
  hcn.setEndpoint(EP0, doc);
  return await new HcnHostNetwork(hcn, { guest }).getEndpoint(EP0);
}

/** eth0 of the fixture with `patch` applied at the top level. */
function eth0(patch: JsonObject): JsonObject {
  return { ...ETH0, ...patch };
}

function lcow(endpoint: HostEndpoint): JsonObject {
  return buildLcowAdapter({
    nicId: NIC0,
    endpointId: EP0,
    namespaceId: NS,
    endpoint,
    policyBasedRouting: false,
  });
}

async function refused(doc: JsonObject, guest: Guest, field: string, reason: RegExp) {
  await assert.rejects(read(doc, guest), (e: unknown) => {
    assert.ok(e instanceof InvalidHostDataError, `${guest} ${JSON.stringify(doc)}: ${e}`);
    assert.equal(e.field, field, JSON.stringify(doc));
    assert.match(e.message, reason);
    return true;
  });
}

const USUAL = lcow(await read(ETH0, "lcow"));

/** The fixture's eth0 with every key spelled another way (Microsoft's schema page, and worse). */
const ODD_SPELLING: JsonObject = {
  id: EP0,
  NAME: ETH0.Name ?? null,
  hostcomputenetwork: ETH0.HostComputeNetwork ?? null,
  HostComputeNameSpace: ETH0.HostComputeNamespace ?? null,
  macaddress: ETH0.MacAddress ?? null,
  IPConfigurations: [
    { IPAddress: "10.244.1.17", pRefixLength: 24 },
    { ipaddress: "fd00:10:244:1::11", PREFIXLENGTH: 64 },
  ],
  dns: {
    domain: "Default.svc.Cluster.Local",
    SEARCH: ["svc.cluster.local", "Cluster.Local"],
    serverlist: ["10.96.0.10", "FD00:10:96::A"],
    options: ["ndots:5"],
  },
  routes: [
    { nexthop: "10.244.1.1", destinationPrefix: "0.0.0.0/0", METRIC: 0 },
    { NEXTHOP: "fd00:10:244:1::1", DestinationPREFIX: "::/0", metric: 0 },
  ],
  policies: [
    { type: "EncapOverhead", settings: { overhead: 50 } },
    { TYPE: "OutBoundNAT", Settings: { Exceptions: ["10.244.0.0/16"] } },
  ],
  flags: 0,
  schemaversion: { major: 2, minor: 0 },
};

for (const guest of GUESTS) {
  Deno.test(`${guest} row "keys": any case at every level reads as HNS's usual spelling`, async () => {
    const odd = await read(ODD_SPELLING, guest);
    const usual = await read(ETH0, guest);
    // Policy settings are kept as HNS wrote them (raw JSON to hcsshim too).
    assert.deepEqual({ ...odd, document: null, policies: null }, {
      ...usual,
      document: null,
      policies: null,
    });
    assert.deepEqual(odd.policies.map((p) => p.type), usual.policies.map((p) => p.type));
    assert.deepEqual(odd.document, ODD_SPELLING, "the document is kept as HNS returned it");
    assert.deepEqual(lcow(odd), USUAL, "the same LCOW guest document");
  });

  Deno.test(`${guest} row "keys": IPConfigurations/IPAddress gives the same guest document`, async () => {
    const { IpConfigurations: _, ...rest } = ETH0;
    const schemaPage = {
      ...rest,
      IPConfigurations: [
        { IPAddress: "10.244.1.17", PrefixLength: 24 },
        { IPAddress: "fd00:10:244:1::11", PrefixLength: 64 },
      ],
    };
    const endpoint = await read(schemaPage, guest);
    assert.deepEqual(endpoint.ipConfigurations, [
      { ipAddress: "10.244.1.17", prefixLength: 24 },
      { ipAddress: "fd00:10:244:1::11", prefixLength: 64 },
    ]);
    assert.deepEqual(lcow(endpoint), USUAL);
  });

  Deno.test(`${guest} row "keys": the same key twice, the later one wins (as in Go)`, async () => {
    const text = `{"ID":"${EP0}","IpConfigurations":[{"IpAddress":"10.0.0.5","PrefixLength":8,` +
      `"prefixlength":24}]}`;
    const endpoint = await read(text, guest);
    assert.deepEqual(endpoint.ipConfigurations, [{ ipAddress: "10.0.0.5", prefixLength: 24 }]);
  });

  Deno.test(`${guest} row "keys": a "__proto__" key is one more unknown key`, async () => {
    const text = `{"ID":"${EP0}","__proto__":{"IpConfigurations":[{"IpAddress":"10.9.9.9"}],` +
      `"Dns":{"ServerList":["10.9.9.9"]}},"name":"x_eth0","dns":{"__proto__":{"Domain":"evil"},"search":[]}}`;
    const endpoint = await read(text, guest);
    assert.deepEqual(endpoint.ipConfigurations, []);
    assert.deepEqual(endpoint.dns, { domain: "", search: [], serverList: [], options: [] });
    assert.equal(endpoint.name, "x_eth0");
  });

  Deno.test(`${guest} row "ID": any GUID form; another endpoint's or a non-GUID is refused`, async () => {
    assert.equal((await read(eth0({ ID: ` {${EP0.toUpperCase()}} ` }), guest)).id, EP0);
    await refused(eth0({ ID: "eth0" }), guest, "ID", /must be a GUID/);
    await refused(
      eth0({ ID: "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d" }),
      guest,
      "ID",
      /not the requested/,
    );
    await refused(eth0({ ID: 5 }), guest, "ID", /must be a string/);
  });

  Deno.test(`${guest} row "ID": absent is ${guest === "wcow" ? "refused" : "accepted"}`, async () => {
    const { ID: _, ...noId } = ETH0;
    for (const doc of [noId, { ...noId, ID: "" }, { ...noId, ID: null }]) {
      if (guest === "wcow") await refused(doc, guest, "ID", /is missing/);
      else assert.equal((await read(doc, guest)).id, EP0);
    }
  });

  Deno.test(`${guest} row "Name": any string, kept as written`, async () => {
    assert.equal((await read(eth0({ Name: " x_eth0 " }), guest)).name, " x_eth0 ");
    await refused(eth0({ Name: 7 }), guest, "Name", /must be a string/);
  });

  Deno.test(`${guest} row "HostComputeNamespace/Network": any string, empty included`, async () => {
    for (const value of ["", "  ", null, "ns"]) {
      await read(eth0({ HostComputeNamespace: value, HostComputeNetwork: value }), guest);
    }
    await refused(eth0({ HostComputeNetwork: 1 }), guest, "HostComputeNetwork", /string/);
  });

  Deno.test(`${guest} row "MacAddress": any case, - or : or none, read as HCS's form`, async () => {
    for (
      const mac of ["00-15-5d-52-c0-0a", "00:15:5D:52:C0:0A", "00155d52C00A", " 00-15-5D-52-C0-0A "]
    ) {
      const endpoint = await read(eth0({ MacAddress: mac }), guest);
      assert.equal(endpoint.macAddress, "00-15-5D-52-C0-0A", mac);
      assert.deepEqual(lcow(endpoint), USUAL);
    }
    for (const blank of ["", " ", null]) {
      assert.equal((await read(eth0({ MacAddress: blank }), guest)).macAddress, undefined);
    }
    for (const bad of ["00-15-5D-52-C0", "00-15:5D-52-C0-0A", "00155D52C00", "zz-15-5D-52-C0-0A"]) {
      await refused(eth0({ MacAddress: bad }), guest, "MacAddress", /MAC address/);
    }
  });

  Deno.test(`${guest} row "IpAddress": IPv4 or IPv6, trimmed; zone, junk, twice refused`, async () => {
    const ips = (...list: JsonObject[]) => eth0({ IpConfigurations: list });
    const endpoint = await read(ips({ IpAddress: " 10.0.0.5 ", PrefixLength: 24 }), guest);
    assert.deepEqual(endpoint.ipConfigurations, [{ ipAddress: "10.0.0.5", prefixLength: 24 }]);
    await refused(
      ips({ IpAddress: "fe80::1%eth0", PrefixLength: 64 }),
      guest,
      "IpConfigurations.0.IpAddress",
      /zone ID/,
    );
    await refused(ips({ PrefixLength: 24 }), guest, "IpConfigurations.0.IpAddress", /IPv4 or IPv6/);
    await refused(
      eth0({ IpConfigurations: [null] }),
      guest,
      "IpConfigurations.0.IpAddress",
      /IPv4 or IPv6/,
    );
    await refused(
      ips({ IpAddress: "fd00::1", PrefixLength: 64 }, { IpAddress: "FD00:0::1", PrefixLength: 64 }),
      guest,
      "IpConfigurations.1.IpAddress",
      /repeats IpConfigurations.0/,
    );
    await refused(
      ips({ IpAddress: "10.0.0.5", PrefixLength: 24 }, { IpAddress: "10.0.0.5", PrefixLength: 16 }),
      guest,
      "IpConfigurations.1.IpAddress",
      /repeats/,
    );
  });

  Deno.test(`${guest} row "PrefixLength": a u8 valid for the family; null is 0`, async () => {
    const ip = (IpAddress: string, PrefixLength: number | string | null) =>
      eth0({ IpConfigurations: [{ IpAddress, PrefixLength }] });
    const zero = await read(ip("10.0.0.5", null), guest);
    assert.deepEqual(zero.ipConfigurations, [{ ipAddress: "10.0.0.5", prefixLength: 0 }]);
    await refused(ip("10.0.0.5", 33), guest, "IpConfigurations.0.PrefixLength", /0\.\.32/);
    await refused(ip("fd00::5", 129), guest, "IpConfigurations.0.PrefixLength", /0\.\.128/);
    await refused(ip("10.0.0.5", 256), guest, "IpConfigurations.0.PrefixLength", /0\.\.255/);
    await refused(ip("10.0.0.5", "24"), guest, "IpConfigurations.0.PrefixLength", /0\.\.255/);
  });

  Deno.test(`${guest} row "DestinationPrefix": a CIDR prefix, trimmed; missing refused`, async () => {
    const route = (r: JsonObject) => eth0({ Routes: [r] });
    const ok = await read(
      route({ DestinationPrefix: " 10.1.0.0/16 ", NextHop: "10.244.1.1" }),
      guest,
    );
    assert.equal(ok.routes[0]?.destinationPrefix, "10.1.0.0/16");
    await refused(route({ NextHop: "10.0.0.1" }), guest, "Routes.0.DestinationPrefix", /missing/);
    await refused(eth0({ Routes: [null] }), guest, "Routes.0.DestinationPrefix", /missing/);
    await refused(
      route({ DestinationPrefix: "10.0.0.0" }),
      guest,
      "Routes.0.DestinationPrefix",
      /CIDR/,
    );
  });

  Deno.test(`${guest} row "NextHop": same family; on-link allowed; zone or default without it refused`, async () => {
    const route = (NextHop: string | null, DestinationPrefix: string) =>
      eth0({ Routes: [{ NextHop, DestinationPrefix }] });
    assert.equal((await read(route(null, "10.1.0.0/16"), guest)).routes[0]?.nextHop, "");
    assert.equal((await read(route(" ", "10.1.0.0/16"), guest)).routes[0]?.nextHop, "");
    // The guest skips a default route whose gateway is the unspecified address.
    await read(route("0.0.0.0", "0.0.0.0/0"), guest);
    await read(route("::", "::/0"), guest);
    await refused(route("", "0.0.0.0/0"), guest, "Routes.0.NextHop", /default route/);
    await refused(route(null, "::/0"), guest, "Routes.0.NextHop", /default route/);
    await refused(route("fe80::1%eth0", "::/0"), guest, "Routes.0.NextHop", /zone ID/);
    await refused(route("gateway", "10.1.0.0/16"), guest, "Routes.0.NextHop", /IPv4 or IPv6/);
    await refused(route("fd00::1", "0.0.0.0/0"), guest, "Routes.0.NextHop", /same IP family/);
  });

  Deno.test(`${guest} row "Metric": a u16; null is 0`, async () => {
    const route = (Metric: number | null) =>
      eth0({ Routes: [{ NextHop: "10.244.1.1", DestinationPrefix: "0.0.0.0/0", Metric }] });
    assert.equal((await read(route(null), guest)).routes[0]?.metric, 0);
    await refused(route(65_536), guest, "Routes.0.Metric", /0\.\.65535/);
  });

  Deno.test(`${guest} row "Dns.Domain": trimmed; a comma-separated list split into search domains`, async () => {
    const dns = (Domain: string) => eth0({ Dns: { Domain, Search: ["svc.local"] } });
    const split = await read(dns(" A.local, b_x.local ,,c.local "), guest);
    assert.equal(split.dns?.domain, "A.local");
    assert.deepEqual(split.dns?.search, ["b_x.local", "c.local", "svc.local"]);
    assert.equal(lcow(split).DNSSuffix, "a.local,b_x.local,c.local,svc.local");
    // The guest document hcsshim sends: "A.local, b_x.local ,,c.local ,svc.local", which
    // the guest splits, trims and lower-cases into the same list (blank aside).
    assert.equal((await read(dns(" "), guest)).dns?.domain, "");
    await refused(dns("a.local b.local"), guest, "Dns.Domain", /no spaces/);
    await refused(dns("a\u0007.local"), guest, "Dns.Domain", /control characters/);
  });

  Deno.test(`${guest} row "Dns.Search": trimmed, blanks dropped; commas, spaces, > 6 refused`, async () => {
    const search = (Search: (string | null)[], Domain = "") => eth0({ Dns: { Domain, Search } });
    const ok = await read(search([" a.local ", "", null, "_tcp.b.local"]), guest);
    assert.deepEqual(ok.dns?.search, ["a.local", "_tcp.b.local"]);
    await refused(search(["a.local,b.local"]), guest, "Dns.Search.0", /comma/);
    await refused(search(["ok", "a b"]), guest, "Dns.Search.1", /no spaces/);
    await refused(search(["a\nsearch evil"]), guest, "Dns.Search.0", /control/);
    const six = ["a", "b", "c", "d", "e", "f"];
    await read(search([...six, "A", " b "]), guest); // the guest keeps unique names
    await refused(search(six, "g"), guest, "Dns.Search", /at most 6/);
    await refused(search(["a"], "b,c,d,e,f,g"), guest, "Dns.Search", /at most 6/);
  });

  Deno.test(`${guest} row "Dns.ServerList": addresses (zone allowed), trimmed, blanks dropped`, async () => {
    const servers = (ServerList: (string | null)[]) => eth0({ Dns: { ServerList } });
    const ok = await read(servers([" 10.0.0.10 ", "", null, "fe80::1%Eth0"]), guest);
    assert.deepEqual(ok.dns?.serverList, ["10.0.0.10", "fe80::1%Eth0"]);
    assert.equal(lcow(ok).DNSServerList, "10.0.0.10,fe80::1%eth0");
    await refused(servers(["10.0.0.10,10.0.0.11"]), guest, "Dns.ServerList.0", /comma/);
    await refused(servers(["dns.example"]), guest, "Dns.ServerList.0", /IPv4 or IPv6/);
  });

  Deno.test(`${guest} row "Dns.Options": trimmed, blanks dropped; spaces inside refused`, async () => {
    const options = (Options: string[]) => eth0({ Dns: { Options } });
    assert.deepEqual((await read(options([" ndots:5", " "]), guest)).dns?.options, ["ndots:5"]);
    await refused(options(["ndots:5 rotate"]), guest, "Dns.Options.0", /no spaces/);
  });

  Deno.test(`${guest} row "Policies": any type kept; a null one dropped; bad shapes refused`, async () => {
    const endpoint = await read(eth0({ Policies: [null, { Type: "ACL" }] }), guest);
    assert.deepEqual(endpoint.policies, [{ type: "ACL", settings: undefined }]);
    await refused(eth0({ Policies: [5] }), guest, "Policies.0", /JSON object/);
    await refused(eth0({ Policies: {} }), guest, "Policies", /array/);
  });

  Deno.test(`${guest} row "EncapOverhead": empty settings no overhead, the last wins, MTU floor`, async () => {
    const policies = (...settings: (JsonObject | null | undefined)[]) =>
      eth0({
        Policies: settings.map((s) =>
          s === undefined ? { Type: "EncapOverhead" } : { Type: "EncapOverhead", Settings: s }
        ),
      });
    for (const empty of [{}, null, undefined, { Overhead: null }]) {
      const endpoint = await read(policies(empty), guest);
      assert.equal(endpoint.encapOverhead, 0, JSON.stringify(empty));
      assert.equal("EncapOverhead" in lcow(endpoint), false);
    }
    // hcsshim's loop keeps the last EncapOverhead policy.
    assert.equal(
      (await read(policies({ Overhead: 50 }, { Overhead: 100 }), guest)).encapOverhead,
      100,
    );
    // Another spelling of the type is another policy (hcsshim compares it as written).
    assert.equal(
      (await read(eth0({ Policies: [{ Type: "encapoverhead", Settings: 5 }] }), guest))
        .encapOverhead,
      undefined,
    );
    // eth0 has an IPv6 address: 1500 - 220 = 1280 is the floor.
    assert.equal((await read(policies({ Overhead: 220 }), guest)).encapOverhead, 220);
    await refused(
      policies({ Overhead: 221 }),
      guest,
      "Policies.0.Settings.Overhead",
      /MTU of 1279, below 1280/,
    );
    const v4 = { IpConfigurations: [{ IpAddress: "10.0.0.5", PrefixLength: 24 }], Routes: [] };
    const ipv4Only = (Overhead: number) => ({ ...policies({ Overhead }), ...v4 });
    assert.equal((await read(ipv4Only(1432), guest)).encapOverhead, 1432);
    await refused(ipv4Only(1433), guest, "Policies.0.Settings.Overhead", /MTU of 67, below 68/);
    await refused(
      policies({ Overhead: "50" }),
      guest,
      "Policies.0.Settings.Overhead",
      /0\.\.65535/,
    );
    await refused(
      policies({ Overhead: 1 }, { Overhead: 1.5 }),
      guest,
      "Policies.1.Settings.Overhead",
      /0\.\.65535/,
    );
    await refused(
      eth0({ Policies: [{ Type: "EncapOverhead", Settings: [50] }] }),
      guest,
      "Policies.0.Settings",
      /JSON object/,
    );
  });

  Deno.test(`${guest} row "Flags, Health, SchemaVersion": Go's types`, async () => {
    await read(eth0({ Flags: null, Health: {}, SchemaVersion: null }), guest);
    await refused(eth0({ Flags: -1 }), guest, "Flags", /integer/);
    await refused(eth0({ Health: "ok" }), guest, "Health", /JSON object/);
    await refused(eth0({ SchemaVersion: { Major: "2" } }), guest, "SchemaVersion.Major", /integer/);
  });

  Deno.test(`${guest} row "namespace": keys in any case, Data.Id read; bad IDs refused`, async () => {
    const hcn = new RecordingHcn();
    hcn.setNamespace(NS, {
      id: NS,
      RESOURCES: [
        { type: "Endpoint", data: { Id: EP0.toUpperCase() } },
        { Type: "Container", Data: { ID: "1c2d3e4f-5a6b-4c7d-8e9f-a0b1c2d3e4f5" } },
        null,
      ],
    });
    const host = new HcnHostNetwork(hcn, { guest });
    assert.deepEqual((await host.getNamespace(NS)).endpointIds, [EP0]);
    hcn.setNamespace(NS, { ID: NS, Resources: [{ Type: "Endpoint", Data: { Id: "eth0" } }] });
    await assert.rejects(host.getNamespace(NS), (e: unknown) => {
      assert.ok(e instanceof InvalidHostDataError);
      assert.equal(e.field, "Resources.0.Data.ID");
      return true;
    });
  });
}

Deno.test(`row "HCS properties": State, Stopped and the guest capability in any case`, async () => {
  const hcs = new RecordingHcs();
  using system = new ComputeSystem(hcs, "uvm-test");
  hcs.script("HcsGetComputeSystemProperties", {
    result:
      '{"guestconnectioninfo":{"GUESTDEFINEDCAPABILITIES":{"namespaceAddRequestSupported":false}}}',
  });
  assert.equal(await fromComputeSystem(system)(), false);
  // A VM-gone code is believed when a fresh look reads "stopped": true or "state": "Stopped".
  for (const answer of ['{"stopped":true}', '{"sTATE":"Stopped"}']) {
    await system.modify({ A: 1 }, "add NIC 1");
    hcs.script("HcsModifyComputeSystem", { fail: HRESULT.HCS_E_SYSTEM_NOT_FOUND });
    hcs.script("HcsGetComputeSystemProperties", { result: answer });
    await assert.rejects(system.modify({ A: 1 }, "add NIC 1"), VmUnavailableError, answer);
  }
});

Deno.test("each normalisation is logged once at debug, under podnet.hcn", async () => {
  const records: LogRecord[] = [];
  await configure({
    sinks: { test: (record) => records.push(record) },
    loggers: [
      { category: ["podnet", "hcn"], lowestLevel: "debug", sinks: ["test"] },
      { category: ["logtape", "meta"], lowestLevel: "warning", sinks: [] },
    ],
    reset: true,
  });
  try {
    const hcn = new RecordingHcn();
    hcn.setEndpoint(EP0, eth0({ MacAddress: "00155d52c00a", Dns: { Domain: "a,b" } }));
    const host = new HcnHostNetwork(hcn, { guest: "lcow" });
    await host.getEndpoint(EP0);
    await host.getEndpoint(EP0);
    const notes = records
      .filter((r) => r.level === "debug" && r.properties.field !== undefined)
      .map((r) => `${r.properties.field} ${r.properties.change}`);
    assert.deepEqual(notes, [
      "MacAddress written as 00-15-5D-52-C0-0A",
      "Dns.Domain split into 2 search domain(s)",
    ]);
  } finally {
    await reset();
  }
});

/** Sets a pod up and tears it down on the simulated host; what the VM and guest were sent. */
async function runPod(guest: Guest, endpoints: readonly JsonObject[]) {
  const host = new SimulatedHost({ guest });
  host.loadFixture({ ...fixture, endpoints });
  const store = new MemoryStore();
  {
    using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
    await new NetworkController({ podId: "pod-a", namespaceId: NS, store }, ports).setup();
  }
  {
    using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
    await NetworkController.recover(await store.load("pod-a"), ports, { store }).teardown();
  }
  assert.ok(host.isClean(), "nothing left on the host");
  return { host: host.hostRequests(), guest: host.guestRequests() };
}

for (const guest of GUESTS) {
  Deno.test(`${guest} on the simulated host: eth0 spelled oddly sets up as the usual spelling`, async () => {
    const usual = await runPod(guest, fixture.endpoints);
    // The simulator files documents by their "ID" key.
    const { id: _, ...rest } = ODD_SPELLING;
    const odd: JsonObject = { ID: EP0, ...rest };
    const other = await runPod(guest, fixture.endpoints.map((e) => e.ID === EP0 ? odd : e));
    assert.deepEqual(other.host, usual.host, "the same VM NIC requests");
    if (guest === "lcow") assert.deepEqual(other.guest, usual.guest, "the same guest requests");
    else assert.equal(other.guest.length, usual.guest.length);
  });
}
