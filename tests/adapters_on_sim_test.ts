import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  NotFoundError,
  OperationTimeoutError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { createPorts, type HostPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { GuestNicConfig, GuestPlatform } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import { readFixture } from "./_fakes/recording_apis.ts";

const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const NIC_IDS = [
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f1",
  "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f2",
];

async function simPod(
  guest: GuestPlatform,
  options: { supported?: boolean; timeoutMs?: number } = {},
) {
  const sim = new SimulatedHost({
    guest,
    ...(options.supported === undefined ? {} : { namespaceAddRequestSupported: options.supported }),
  });
  sim.loadFixture(await readFixture("pod-3nic.json"));
  const ports = createPorts({
    hcn: sim.hcn,
    hcs: sim.hcs,
    vmId: sim.vmId,
    guest,
    ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
  });
  return { sim, ports };
}

async function readEndpoints(ports: HostPorts): Promise<HostEndpoint[]> {
  const ns = await ports.host.getNamespace(NS);
  const endpoints: HostEndpoint[] = [];
  for (const id of ns.endpointIds) endpoints.push(await ports.host.getEndpoint(id));
  return endpoints;
}

function configs(endpoints: readonly HostEndpoint[]): GuestNicConfig[] {
  return endpoints.map((endpoint, i) => ({
    nicId: NIC_IDS[i] ?? "",
    endpointId: endpoint.id,
    namespaceId: NS,
    endpoint,
    policyBasedRouting: true,
  }));
}

async function plugAll(ports: HostPorts, nics: readonly GuestNicConfig[]): Promise<void> {
  for (const nic of nics) {
    await ports.guest.prepare(nic);
    await ports.vm.addNic({
      nicId: nic.nicId,
      endpointId: nic.endpointId,
      ...(nic.endpoint.macAddress === undefined ? {} : { macAddress: nic.endpoint.macAddress }),
    });
    await ports.guest.attach(nic);
  }
}

async function unplugAll(ports: HostPorts, nics: readonly GuestNicConfig[]): Promise<void> {
  for (const nic of [...nics].reverse()) {
    await ports.guest.detach(nic);
    await ports.vm.removeNic({ nicId: nic.nicId, endpointId: nic.endpointId });
  }
}

Deno.test("sim LCOW: the simulated guest accepts every document; teardown leaves the host clean", async () => {
  const { sim, ports } = await simPod("lcow");
  const nics = configs(await readEndpoints(ports));
  assert.equal(await ports.guest.addNamespace({ id: NS, document: {} }), false);
  await plugAll(ports, nics);
  assert.deepEqual(sim.inventory().vmNics, [...NIC_IDS].sort());
  assert.deepEqual(sim.inventory().guestAdapters, [...NIC_IDS].sort());
  const adds = sim.guestRequests().filter((r) => r.RequestType === "Add");
  assert.equal(adds.length, 3);
  assert.deepEqual(sim.hostRequests().length, 3);
  await unplugAll(ports, nics);
  await ports.guest.removeNamespace({ id: NS, document: {} });
  assert.equal(sim.inventory().openHandles, 1, "the shared compute system handle");
  ports[Symbol.dispose]();
  assert.equal(sim.isClean(), true);
});

Deno.test("sim WCOW: namespace, pre-add, hot-add, add and back; the host ends clean", async () => {
  const { sim, ports } = await simPod("wcow");
  const ns = await ports.host.getNamespace(NS);
  const nics = configs(await readEndpoints(ports));
  assert.equal(await ports.guest.addNamespace({ id: ns.id, document: ns.document }), true);
  await plugAll(ports, nics);
  assert.deepEqual(sim.inventory().guestNamespaces, [NS]);
  assert.deepEqual(sim.inventory().guestAdapters, [...NIC_IDS].sort());
  await unplugAll(ports, nics);
  await ports.guest.removeNamespace({ id: ns.id, document: ns.document });
  ports[Symbol.dispose]();
  assert.equal(sim.isClean(), true);
  assert.deepEqual(
    sim.guestRequests().map((r) => `${r.ResourceType} ${r.RequestType}`),
    [
      "NetworkNamespace Add",
      ...nics.flatMap(() => ["Network Add", "Network Add"]),
      ...nics.map(() => "Network Remove"),
      "NetworkNamespace Remove",
    ],
  );
});

Deno.test("sim: without namespace support LCOW gets no guest requests, WCOW only its NICs", async () => {
  for (const guest of ["lcow", "wcow"] as const) {
    const { sim, ports } = await simPod(guest, { supported: false });
    const nics = configs(await readEndpoints(ports));
    await plugAll(ports, nics);
    await unplugAll(ports, nics);
    ports[Symbol.dispose]();
    const kinds = sim.guestRequests().map((r) => `${r.ResourceType} ${r.RequestType}`);
    if (guest === "lcow") assert.deepEqual(kinds, []);
    else {
      assert.ok(kinds.length > 0 && kinds.every((k) => k.startsWith("Network ")), kinds.join());
    }
    assert.equal(sim.isClean(), true, guest);
  }
});

Deno.test("sim: a stopped VM and a closed guest connection map to podnet's errors", async () => {
  const { sim, ports } = await simPod("lcow");
  const nics = configs(await readEndpoints(ports));
  await plugAll(ports, nics);
  const first = nics[0];
  assert.ok(first);
  sim.disconnectGuest();
  await assert.rejects(ports.guest.detach(first), GuestUnavailableError);
  sim.stopVm();
  await assert.rejects(
    ports.vm.removeNic({ nicId: first.nicId, endpointId: first.endpointId }),
    VmUnavailableError,
  );
  ports[Symbol.dispose]();
  assert.equal(sim.inventory().openHandles, 0);
});

Deno.test("sim: a missing endpoint is NotFoundError and HCN handles are never left open", async () => {
  const { sim, ports } = await simPod("lcow");
  await assert.rejects(
    ports.host.getEndpoint("00000000-0000-4000-8000-000000000000"),
    NotFoundError,
  );
  sim.faults.inject({
    on: "HcnQueryNamespaceProperties",
    action: { type: "hresult", hresult: 0x803b0020 },
  });
  await assert.rejects(ports.host.getNamespace(NS), (e: unknown) => {
    assert.ok(e instanceof HResultError, String(e));
    assert.equal(e.hresult, 0x803b0020);
    assert.equal(e.call, "HcnQueryNamespaceProperties");
    return true;
  });
  assert.deepEqual(
    sim.trace.filter((t) => t.op === "HcnOpenNamespace" || t.op === "HcnCloseNamespace")
      .map((t) => [t.op, t.outcome]),
    [["HcnOpenNamespace", "ok"], ["HcnCloseNamespace", "ok"]],
    "the namespace handle was opened, then closed after the failed query",
  );
  assert.equal(sim.inventory().openHandles, 0);
  ports[Symbol.dispose]();
});

Deno.test("sim: a hanging hot-add times out and dispose still closes the handle", async () => {
  const { sim, ports } = await simPod("wcow", { timeoutMs: 30 });
  const [nic] = configs(await readEndpoints(ports));
  assert.ok(nic);
  sim.faults.inject({ on: "vm.add-nic", action: { type: "hang" } });
  await assert.rejects(
    ports.vm.addNic({ nicId: nic.nicId, endpointId: nic.endpointId }),
    OperationTimeoutError,
  );
  ports[Symbol.dispose]();
  assert.equal(sim.inventory().openHandles, 0);
});
