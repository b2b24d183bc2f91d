// The Linux guest records a network adapter before it configures the link
// and keeps the record when configuring fails (hcsshim hcsv2/network.go
// AddAdapter, then Sync; netns.go), answering with a bare E_FAIL. If podnet
// took that failure for "nothing changed", the record would stay, and the
// NIC, added again under its derived ID, would be refused forever
// ("already present"). The LCOW adapter marks the failure `mayHaveApplied`,
// so every undo sends the guest "Network Remove" that clears it.
import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import { HResultError, NicChangeError, SetupError } from "../domain/errors.ts";
import { isDefinitive } from "../domain/_undo_policy.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import type { GuestNetwork, GuestNicConfig } from "../ports/guest_network.ts";
import type { LcowGuestNetwork } from "../adapters/guest/lcow.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID.toLowerCase();
const LATE = "b1e2c3d4-0007-4a5b-8c6d-7e8f9a0b1c2d";

/**
 * The real ports, but the guest is told, for the endpoints in `failing`, a
 * default route without a next hop: podnet refuses such host data itself,
 * so this stands for whatever makes the guest's link configuration fail.
 */
function portsFailingLinkOf(
  host: SimulatedHost,
  failing: Set<string>,
): NetworkPorts & Disposable {
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  const real = ports.guest as LcowGuestNetwork;
  const guest: GuestNetwork = {
    platform: "lcow",
    connect: (options) => real.connect(options),
    podShare: (endpoint) => real.podShare(endpoint),
    checkPod: (pod) => real.checkPod(pod),
    addNamespace: (namespace, options) => real.addNamespace(namespace, options),
    removeNamespace: (namespace, options) => real.removeNamespace(namespace, options),
    prepare: (nic, options) => real.prepare(nic, options),
    detach: (nic, options) => real.detach(nic, options),
    attach: (nic: GuestNicConfig, options) =>
      real.attach(
        failing.has(nic.endpointId)
          ? {
            ...nic,
            endpoint: {
              ...nic.endpoint,
              routes: [{ nextHop: "", destinationPrefix: "0.0.0.0/0", metric: 0 }],
            },
          }
          : nic,
        options,
      ),
  };
  return { host: ports.host, vm: ports.vm, guest, [Symbol.dispose]: () => ports[Symbol.dispose]() };
}

Deno.test("LCOW attach: a bare E_FAIL from the guest may have left its adapter record (mayHaveApplied)", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const failing = new Set([LATE]);
  const ports = portsFailingLinkOf(host, failing);
  const pod = new NetworkController({ podId: "pod-a", namespaceId: NS }, ports);
  await pod.setup();
  host.addNamespaceEndpoint(NS, {
    ID: LATE,
    Name: "4f1d0c2b9a7e_eth7",
    MacAddress: "00-15-5D-52-C0-27",
    IpConfigurations: [{ IpAddress: "192.168.50.17", PrefixLength: 24 }],
  });
  const error = await pod.addEndpoint(LATE).then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof NicChangeError, String(error));
  assert.ok(error.cause instanceof HResultError, String(error.cause));
  assert.equal(error.cause.hresult, HRESULT.E_FAIL);
  assert.equal(error.cause.mayHaveApplied, true);
  assert.equal(isDefinitive(error.cause), false);
  assert.equal(error.undone, true);
  // The undo sent the guest Remove: the guest holds only the pod's three.
  assert.equal(host.inventory().guestAdapters.length, 3);
  assert.equal(host.vmNics().length, 3);
  // Once the guest can configure the link, the same NIC (same ID) goes in.
  failing.clear();
  assert.equal(await pod.addEndpoint(LATE), true);
  assert.equal(host.inventory().guestAdapters.length, 4);
  await pod.teardown();
  ports[Symbol.dispose]();
  assert.ok(host.isClean(), JSON.stringify(host.inventory()));
});

Deno.test("LCOW setup: a rollback after such a failure clears the guest's record too", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const second = (fixture.endpoints[1] as { ID: string }).ID.toLowerCase();
  const ports = portsFailingLinkOf(host, new Set([second]));
  const pod = new NetworkController({ podId: "pod-b", namespaceId: NS }, ports);
  await assert.rejects(pod.setup(), SetupError);
  assert.equal(pod.state, "TornDown");
  ports[Symbol.dispose]();
  assert.ok(host.isClean(), JSON.stringify(host.inventory()));
});

Deno.test("LCOW attach: other guest answers stay definitive (nothing changed)", async () => {
  const host = new SimulatedHost({ guest: "lcow" });
  host.loadFixture(fixture);
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
  host.faults.inject({
    on: "guest.nic-add",
    action: { type: "hresult", hresult: HRESULT.HCS_E_INVALID_JSON },
  });
  const pod = new NetworkController({ podId: "pod-c", namespaceId: NS }, ports);
  const error = await pod.setup().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SetupError, String(error));
  const cause = error.cause;
  assert.ok(cause instanceof HResultError, String(cause));
  assert.equal(cause.mayHaveApplied, false);
  assert.equal(isDefinitive(cause), true);
  ports[Symbol.dispose]();
  assert.ok(host.isClean(), JSON.stringify(host.inventory()));
});
