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
