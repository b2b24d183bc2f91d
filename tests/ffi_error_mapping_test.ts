import assert from "node:assert/strict";
import {
  GuestUnavailableError,
  HResultError,
  NotFoundError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { createWindowsPorts, type WindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import {
  HRESULT,
  isGuestGoneHResult,
  isNotFoundHResult,
  isVmGoneHResult,
} from "../adapters/dll/hresult.ts";
import type { HcsLibrary } from "../adapters/ffi/windows_libraries.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import { HCS_LIBRARIES, openStandins, readFixture, type Standins } from "./native/standins.ts";

const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
const NIC = "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0";
const VM = "uvm-errors";
const codes = Object.values(HRESULT).filter((code) => code !== HRESULT.S_OK);

interface Pod extends AsyncDisposable {
  readonly standins: Standins;
  readonly ports: WindowsPorts;
}

async function pod(guest: GuestPlatform, hcs: HcsLibrary = "computecore"): Promise<Pod> {
  const standins = await openStandins(hcs);
  standins.seed(fixture);
  standins.addSystem(VM, guest);
  const ports = createWindowsPorts({ vmId: VM, guest, libraries: standins.paths, hcs });
  return {
    standins,
    ports,
    async [Symbol.asyncDispose]() {
      try {
        ports.computeSystem.close();
        await standins.assertClean(ports.libraries);
      } finally {
        await ports.close();
        await standins.close();
      }
    },
  };
}

Deno.test("HCN: not-found codes become NotFoundError, the rest stay HResultError", async () => {
  await using p = await pod("lcow");
  for (const code of codes) {
    p.standins.failNext("hcn", "HcnOpenNamespace", code, `{"Error":"x","ErrorCode":${code}}`);
    await assert.rejects(p.ports.host.getNamespace(NS), (e: unknown) => {
      if (isNotFoundHResult(code)) {
        assert.ok(e instanceof NotFoundError, `0x${code.toString(16)}`);
        assert.equal(e.kind, "namespace");
        assert.equal(e.id, NS);
        assert.ok(e.cause instanceof HResultError && e.cause.hresult === code);
      } else {
        assert.ok(e instanceof HResultError, `0x${code.toString(16)}`);
        assert.equal(e.hresult, code);
      }
      return true;
    });
    p.standins.failNext("hcn", "HcnQueryEndpointProperties", code);
    await assert.rejects(p.ports.host.getEndpoint(EP0), (e: unknown) => {
      assert.ok(isNotFoundHResult(code) ? e instanceof NotFoundError : e instanceof HResultError);
      return true;
    });
  }
  // And without injection: the stand-in's own answers for missing objects.
  p.standins.removeHcnObject(EP0);
  await assert.rejects(p.ports.host.getEndpoint(EP0), NotFoundError);
  await assert.rejects(p.ports.host.getNamespace(EP0), NotFoundError);
});

for (const hcs of HCS_LIBRARIES) {
  Deno.test(`${hcs}: 'gone' codes from a VM and guest that a fresh look finds alive are not believed`, async () => {
    await using p = await pod("lcow", hcs);
    const nic = { nicId: NIC, endpointId: EP0, macAddress: "00-15-5D-52-C0-0A" };
    // computecore fails in two places: when the operation completes, or at its start.
    const ways = hcs === "computecore" ? ["completion", "start"] as const : ["call"] as const;
    for (const way of ways) {
      for (const code of codes) {
        if (way === "start") p.standins.failStart("HcsModifyComputeSystem", code);
        else p.standins.failNext("hcs", "HcsModifyComputeSystem", code);
        await assert.rejects(p.ports.vm.addNic(nic), (e: unknown) => {
          const hex = `0x${code.toString(16)} (${way})`;
          if (isNotFoundHResult(code)) assert.ok(e instanceof NotFoundError, hex);
          else assert.ok(e instanceof HResultError && e.hresult === code, hex);
          return true;
        });
      }
    }
    assert.ok(codes.some(isVmGoneHResult) && codes.some(isGuestGoneHResult));
    // Opening a VM that does not exist is a VM that is gone.
    await using other = await pod("lcow", hcs);
    const missing = createWindowsPorts({
      vmId: "uvm-missing",
      guest: "lcow",
      libraries: other.ports.libraries,
      hcs,
    });
    await assert.rejects(missing.vm.addNic(nic), VmUnavailableError);
    await missing.close();
  });

  Deno.test(`${hcs}: a failure injected for one document waits for a call that sends it`, async () => {
    await using p = await pod("lcow", hcs);
    const first = { nicId: NIC, endpointId: EP0, macAddress: "00-15-5D-52-C0-0A" };
    const endpoint = fixture.endpoints.find((e) => e.ID.toLowerCase() !== EP0)?.ID;
    assert.ok(endpoint !== undefined);
    const second = {
      nicId: "1a2b3c4d-5e6f-5a7b-8c9d-0e1f2a3b4c5d",
      endpointId: endpoint,
      macAddress: "00-15-5D-52-C0-0B",
    };
    p.standins.failNextMatching(
      "hcs",
      "HcsModifyComputeSystem",
      `NetworkAdapters/${second.nicId}`,
      HRESULT.E_FAIL,
      '{"Error":-2147467259,"ErrorMessage":"busy"}',
    );
    await p.ports.vm.addNic(first); // another document: passed by
    await assert.rejects(p.ports.vm.addNic(second), (e: unknown) => {
      assert.ok(e instanceof HResultError && e.hresult === HRESULT.E_FAIL);
      assert.match(e.message, /busy/);
      return true;
    });
    await p.ports.vm.addNic(second); // taken once
    assert.deepEqual(p.standins.systemState(VM).Nics.length, 2);
    await p.ports.vm.removeNic(first);
    await p.ports.vm.removeNic(second);
  });

  Deno.test(`${hcs}: a stopped VM, a closed and a never-made guest connection, through the stand-in`, async () => {
    await using p = await pod("lcow", hcs);
    const nic = { nicId: NIC, endpointId: EP0, macAddress: "00-15-5D-52-C0-0A" };
    await p.ports.vm.addNic(nic);
    const endpoint = await p.ports.host.getEndpoint(EP0);
    const config = { ...nic, namespaceId: NS, endpoint, policyBasedRouting: false };
    // Before the capability was read, a guest without a connection has none.
    p.standins.setGuestConnection(VM, "closed");
    await assert.rejects(p.ports.guest.attach(config), GuestUnavailableError);
    p.standins.setGuestConnection(VM, "connected");
    await p.ports.guest.attach(config);
    // Afterwards the modify itself reports the connection, closed or never made.
    p.standins.setGuestConnection(VM, "closed");
    await assert.rejects(p.ports.guest.detach(config), (e: unknown) => {
      assert.ok(e instanceof GuestUnavailableError);
      assert.match(e.message, /closed/);
      return true;
    });
    p.standins.setGuestConnection(VM, "never");
    await assert.rejects(p.ports.guest.detach(config), (e: unknown) => {
      assert.ok(e instanceof GuestUnavailableError);
      assert.match(e.message, /never made/);
      return true;
    });
    p.standins.setGuestConnection(VM, "connected");
    p.standins.stopSystem(VM);
    await assert.rejects(p.ports.guest.detach(config), VmUnavailableError);
    await assert.rejects(p.ports.vm.removeNic(nic), VmUnavailableError);
    assert.deepEqual(p.standins.systemState(VM).Nics, []);
  });
}
