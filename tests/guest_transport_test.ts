/**
 * Guest requests over a transport the runtime owns (its own GCS bridge)
 * instead of HCS: the same LCOW and WCOW documents, the same capability
 * gating and error mapping, and a whole pod set up and torn down with the
 * host NICs through HCS and every guest request through the transport.
 */
import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  NotFoundError,
  OperationTimeoutError,
} from "../domain/errors.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { createPorts } from "../adapters/create_ports.ts";
import type {
  GuestCapabilities,
  GuestModificationRequest,
  GuestTransport,
} from "../adapters/guest/guest_transport.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { hresultError } from "../adapters/dll/error_record.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import type { CallOptions } from "../ports/call_options.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const EMPTY = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };

/**
 * A runtime's bridge to the guest, for the test: it applies each request to
 * the simulated guest through a compute system handle of its own (as a real
 * bridge would reach the real guest), and records what it carried.
 */
class BridgeTransport implements GuestTransport {
  readonly sent: GuestModificationRequest[] = [];
  capabilityReads = 0;
  closed = false;
  failNext: (() => unknown) | undefined;
  hang = false;

  constructor(private readonly host: SimulatedHost, private readonly supported = true) {}

  async send(request: GuestModificationRequest, options?: CallOptions): Promise<void> {
    this.sent.push(request);
    if (this.hang) {
      return await new Promise((_, reject) =>
        options?.signal?.addEventListener("abort", () => reject(options.signal?.reason))
      );
    }
    if (this.closed) {
      throw new GuestUnavailableError("send a guest request", "the bridge is closed");
    }
    const fail = this.failNext;
    this.failNext = undefined;
    if (fail) throw fail();
    const handle = await this.host.hcs.openComputeSystem(this.host.vmId);
    try {
      await this.host.hcs.modifyComputeSystem(handle, JSON.stringify({ GuestRequest: request }));
    } finally {
      this.host.hcs.closeComputeSystem(handle);
    }
  }

  capabilities(): Promise<GuestCapabilities> {
    this.capabilityReads++;
    if (this.closed) {
      return Promise.reject(
        new GuestUnavailableError("read the guest capabilities", "there is no bridge"),
      );
    }
    return Promise.resolve({ namespaceAddRequestSupported: this.supported });
  }
}

function stack(guest: "lcow" | "wcow", supported = true, timeoutMs?: number) {
  const host = new SimulatedHost({ guest, namespaceAddRequestSupported: supported });
  host.loadFixture(fixture);
  const transport = new BridgeTransport(host, supported);
  const ports = createPorts({
    hcn: host.hcn,
    hcs: host.hcs,
    vmId: host.vmId,
    guest,
    guestTransport: transport,
    ...(timeoutMs === undefined ? {} : { timeoutMs }),
  });
  return { host, transport, ports };
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: a whole pod over a guest transport: host NICs through HCS, guest requests over the transport`, async () => {
    // The same pod through HCS alone, for the documents to compare.
    const direct = new SimulatedHost({ guest });
    direct.loadFixture(fixture);
    {
      using ports = createPorts({ hcn: direct.hcn, hcs: direct.hcs, vmId: direct.vmId, guest });
      const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
      await c.setup();
      await c.teardown();
    }

    const { host, transport, ports } = stack(guest);
    const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
    await c.setup();
    assert.equal(c.state, "Configured");
    assert.equal(host.inventory().guestAdapters.length, 3);
    await c.teardown();
    ports[Symbol.dispose]();
    assert.deepEqual(host.inventory(), EMPTY);
    // What the transport carried is what HCS carried in GuestRequest.
    assert.deepEqual(transport.sent, direct.guestRequests());
    assert.equal(transport.capabilityReads, 1, "the capability is read once");
    // podnet's own modify calls carried no guest request: they were the bridge's.
    const podnetGuestCalls = host.trace.filter((t) =>
      t.call === "HcsModifyComputeSystem" && t.op.startsWith("guest.")
    ).length;
    assert.equal(podnetGuestCalls, transport.sent.length, "every guest call came from the bridge");
  });

  Deno.test(`${guest}: capability gating comes from the transport`, async () => {
    const { host, transport, ports } = stack(guest, false);
    const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
    await c.setup();
    // LCOW sends no NIC requests without the capability; WCOW no namespace request.
    if (guest === "lcow") assert.deepEqual(transport.sent, []);
    else assert.ok(transport.sent.every((r) => r.ResourceType === "Network"));
    await c.teardown();
    ports[Symbol.dispose]();
    assert.deepEqual(host.inventory(), EMPTY);
  });
}

Deno.test("transport answers are mapped like HCS's: not found, guest gone, time limit", async () => {
  const { transport, ports } = stack("lcow", true, 50);
  const nic = {
    nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
    endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
    namespaceId: NS,
  };
  transport.failNext = () => hresultError("GCS", HRESULT.ERROR_NOT_FOUND, "");
  await assert.rejects(ports.guest.detach(nic), (e: unknown) => {
    assert.ok(e instanceof NotFoundError);
    assert.equal(e.kind, "guest NIC");
    assert.ok(e.cause instanceof HResultError);
    return true;
  });
  transport.failNext = () => hresultError("GCS", HRESULT.E_FAIL, "");
  await assert.rejects(ports.guest.detach(nic), HResultError);
  transport.closed = true;
  await assert.rejects(ports.guest.detach(nic), GuestUnavailableError);
  transport.closed = false;
  transport.hang = true;
  await assert.rejects(ports.guest.detach(nic), OperationTimeoutError);
  ports[Symbol.dispose]();
});

Deno.test("a guest that is gone over the transport counts as done in teardown", async () => {
  const { host, transport, ports } = stack("wcow");
  const c = new NetworkController({ podId: "pod-t", namespaceId: NS }, ports);
  await c.setup();
  host.disconnectGuest();
  transport.closed = true;
  await c.teardown();
  ports[Symbol.dispose]();
  assert.equal(c.state, "TornDown");
  assert.deepEqual(host.inventory(), EMPTY);
});

Deno.test("a transport without send() or capabilities() is refused up front", () => {
  const host = new SimulatedHost({ guest: "lcow" });
  for (const guestTransport of [{}, { send() {} }, { capabilities() {} }]) {
    assert.throws(
      () =>
        createPorts({
          hcn: host.hcn,
          hcs: host.hcs,
          vmId: host.vmId,
          guest: "lcow",
          guestTransport: guestTransport as never,
        }),
      (e: unknown) => e instanceof InvalidArgumentError && e.argument === "options.transport",
    );
  }
});
