// The Linux guest writes one resolv.conf for the pod, merging the search
// domains of all its NICs, and fails the sandbox past 6 (hcsshim
// internal/guest/runtime/hcsv2/sandbox_container.go). Each endpoint can be
// within the limit while the pod is not: podnet refuses such a pod before
// the VM is touched, on LCOW only (a Windows guest has no such limit).
import assert from "node:assert/strict";
import { InvalidHostDataError, SetupError } from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { defaultFixture } from "../adapters/sim/default_fixture.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";

type Fixture = { namespace: { ID: string }; endpoints: { Dns?: unknown }[] };

/** The 3-NIC fixture with 3 distinct search domains on each endpoint. */
async function crowded(): Promise<Fixture> {
  const fixture = await defaultFixture() as Fixture;
  fixture.endpoints.forEach((e, i) => {
    e.Dns = { Search: [`a${i}.example`, `b${i}.example`, `c${i}.example`] };
  });
  return fixture;
}

function podOn(host: SimulatedHost, guest: "lcow" | "wcow", namespaceId: string) {
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  return new NetworkController({ podId: "pod-a", namespaceId }, ports);
}

Deno.test("LCOW: NICs whose search domains add up to more than 6 are refused before the VM is touched", async () => {
  const fixture = await crowded();
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const pod = podOn(host, "lcow", fixture.namespace.ID);
  const error = await pod.setup().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SetupError, String(error));
  assert.ok(error.cause instanceof InvalidHostDataError, String(error.cause));
  assert.match(error.cause.message, /9 search domains in all/);
  assert.deepEqual(host.trace.filter((t) => t.op.startsWith("vm.")), []);
  assert.deepEqual(host.vmNics(), []);
  assert.equal(pod.state, "TornDown");
});

Deno.test("LCOW: the same domain on every NIC counts once", async () => {
  const fixture = await crowded();
  for (const e of fixture.endpoints) e.Dns = { Search: ["a.example", "b.example", "c.example"] };
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const pod = podOn(host, "lcow", fixture.namespace.ID);
  await pod.setup();
  assert.equal(host.vmNics().length, 3);
  await pod.teardown();
  assert.deepEqual(host.vmNics(), []);
});

Deno.test("WCOW: no pod-wide search domain limit", async () => {
  const fixture = await crowded();
  const host = new SimulatedHost({ guest: "wcow" });
  host.loadFixture(fixture);
  const pod = podOn(host, "wcow", fixture.namespace.ID);
  await pod.setup();
  assert.equal(host.vmNics().length, 3);
  await pod.teardown();
  assert.deepEqual(host.vmNics(), []);
});

/** An endpoint for the 3-NIC fixture's namespace with the given search domains. */
function lateEndpoint(search: string[]) {
  return {
    ID: "b1e2c3d4-0007-4a5b-8c6d-7e8f9a0b1c2d",
    Name: "4f1d0c2b9a7e_eth7",
    MacAddress: "00-15-5D-52-C0-27",
    IpConfigurations: [{ IpAddress: "192.168.50.17", PrefixLength: 24 }],
    Dns: { Search: search },
  };
}

const endpointReads = (host: SimulatedHost, from: number) =>
  host.trace.slice(from).filter((t) => t.call === "HcnOpenEndpoint").map((t) => t.target);

Deno.test("LCOW addEndpoint checks the pod with the search domains its NICs were given, reading only the new endpoint", async () => {
  const fixture = await defaultFixture() as Fixture;
  for (const e of fixture.endpoints) e.Dns = { Search: ["a.example", "b.example", "c.example"] };
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const pod = podOn(host, "lcow", fixture.namespace.ID);
  await pod.setup();
  const late = lateEndpoint(["d.example", "e.example", "f.example", "g.example"]);
  host.addNamespaceEndpoint(fixture.namespace.ID, late);
  const before = host.trace.length;
  const error = await pod.addEndpoint(late.ID).then(() => undefined, (e: unknown) => e);
  assert.equal((error as { cause?: { code?: string } }).cause?.code, "INVALID_HOST_DATA");
  assert.match(String((error as { cause?: unknown }).cause), /7 search domains in all/);
  assert.deepEqual(endpointReads(host, before), [late.ID], "the held endpoints were not read");
  assert.deepEqual(host.trace.slice(before).filter((t) => t.op.startsWith("vm.")), []);
  assert.equal(host.vmNics().length, 3);
  await pod.teardown();
  assert.deepEqual(host.vmNics(), []);
});

Deno.test("LCOW addEndpoint after a restart reads the held endpoints once for the pod check, then keeps their domains", async () => {
  const fixture = await defaultFixture() as Fixture;
  for (const e of fixture.endpoints) e.Dns = { Search: ["a.example", "b.example", "c.example"] };
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const store = new MemoryStore();
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const first = new NetworkController(
    { podId: "pod-a", namespaceId: fixture.namespace.ID, store },
    ports,
  );
  await first.setup();
  const snapshot = await store.load("pod-a");
  const pod = NetworkController.recover(snapshot, ports, { store });
  const held = pod.bindings.map((b) => b.endpointId);
  // A fourth domain fits (4 in all); the held endpoints are read for it.
  const late = lateEndpoint(["d.example"]);
  host.addNamespaceEndpoint(fixture.namespace.ID, late);
  let before = host.trace.length;
  assert.equal(await pod.addEndpoint(late.ID), true);
  assert.deepEqual(
    new Set(endpointReads(host, before)),
    new Set([late.ID, ...held]),
    "the restored bindings' endpoints were read",
  );
  // Removing it and adding it again reads only it: the others' domains are kept.
  await pod.removeEndpoint(late.ID);
  before = host.trace.length;
  assert.equal(await pod.addEndpoint(late.ID), true);
  assert.deepEqual(endpointReads(host, before), [late.ID]);
  assert.equal(host.vmNics().length, 4);
  await pod.teardown();
  assert.deepEqual(host.vmNics(), []);
});
