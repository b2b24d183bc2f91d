import assert from "node:assert/strict";
import { NotFoundError, OperationTimeoutError } from "../domain/errors.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { FfiComputecoreApi } from "../adapters/ffi/ffi_computecore_api.ts";
import { FfiHcnApi } from "../adapters/ffi/ffi_hcn_api.ts";
import { WindowsLibraries } from "../adapters/ffi/windows_libraries.ts";
import type { HcsApi } from "../adapters/dll/hcs_api.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import type { GuestPlatform } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import { openStandins, readFixture, type Standins } from "./native/standins.ts";

// 10,000 setup/teardown cycles of a NIC through computecore, with random
// faults (failed starts, failed completions, failures after the work, no
// operation at all, a result that cannot be read) and late completions
// (waits cut off while HCS still works), at zero stand-in delay. Each cycle
// opens the VM (a new compute system handle), sets the NIC up (WCOW guest
// pre-add, host hot-add, guest attach), then tears it down until it is gone
// (guest detach, host hot-remove) and closes the handle. Afterwards nothing
// may be left: no operation, handle, result document or callback, and no
// NIC on any VM.

const CYCLES = 10_000;
const PODS = 16; // cycles run in this many pods at once
const SEED = 0x5eed_11;
const fixture = await readFixture();
const NS = fixture.namespace.ID;
const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

/** A small seeded generator (mulberry32): the faults are the same every run. */
function random(seed: number): () => number {
  let state = seed >>> 0;
  return () => {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/**
 * An HcsApi that, now and then, stops waiting for a modify or property query
 * right after HCS started it, as a time limit would: its completion then
 * comes late, and the compute system must treat it as a straggler.
 */
function cutOffSometimes(hcs: HcsApi, next: () => number, counts: { late: number }): HcsApi {
  const late = (options: { signal?: AbortSignal | undefined } | undefined) => {
    if (next() >= 0.1) return { controller: undefined, signal: options?.signal };
    const controller = new AbortController();
    const signal = options?.signal === undefined
      ? controller.signal
      : AbortSignal.any([options.signal, controller.signal]);
    return { controller, signal };
  };
  const cut = (controller: AbortController | undefined) => {
    if (controller === undefined) return;
    counts.late++;
    controller.abort(new OperationTimeoutError("cut off by the test", 0));
  };
  return {
    openComputeSystem: (id, options) => hcs.openComputeSystem(id, options),
    modifyComputeSystem: (handle, configuration, options) => {
      const { controller, signal } = late(options);
      const call = hcs.modifyComputeSystem(handle, configuration, { ...options, signal });
      cut(controller); // the operation has started: the abort cuts off the wait only
      return call;
    },
    getComputeSystemProperties: (handle, query, options) => {
      const { controller, signal } = late(options);
      const call = hcs.getComputeSystemProperties(handle, query, { ...options, signal });
      cut(controller);
      return call;
    },
    closeComputeSystem: (handle) => hcs.closeComputeSystem(handle),
  };
}

/** Arms one random fault in the stand-in, or none. */
function armFault(standins: Standins, next: () => number, counts: Record<string, number>): void {
  const r = next();
  const fn = next() < 0.7 ? "HcsModifyComputeSystem" : "HcsGetComputeSystemProperties";
  const record = '{"Error":-2147467259,"ErrorMessage":"injected"}';
  let kind: string | undefined;
  if (r < 0.08) {
    standins.failNext("hcs", fn, HRESULT.E_FAIL, record);
    kind = "completion";
  } else if (r < 0.14) {
    standins.failStart(fn, HRESULT.E_FAIL, record);
    kind = "start";
  } else if (r < 0.2) {
    standins.failAfterWork("hcs", fn, HRESULT.E_FAIL, record);
    kind = "afterWork";
  } else if (r < 0.23) {
    standins.failNext("hcs", "HcsCreateOperation", HRESULT.E_FAIL);
    kind = "noOperation";
  } else if (r < 0.26) {
    standins.failNext("hcs", "HcsGetOperationResult", HRESULT.E_FAIL);
    kind = "noResult";
  }
  if (kind !== undefined) counts[kind] = (counts[kind] ?? 0) + 1;
}

/** Runs `step` until it succeeds or finds nothing to undo (at most 200 tries). */
async function untilGone(step: () => Promise<unknown>, what: string): Promise<void> {
  for (let attempt = 0; attempt < 200; attempt++) {
    try {
      await step();
      return;
    } catch (error) {
      if (error instanceof NotFoundError) return;
    }
  }
  assert.fail(`${what} never succeeded`);
}

Deno.test(`${CYCLES} NIC setup/teardown cycles through computecore with random faults and late completions leak nothing`, async () => {
  await using standins = await openStandins("computecore");
  standins.seed(fixture);
  const libraries = new WindowsLibraries(standins.paths, { hcs: "computecore" });
  const hcn = new FfiHcnApi(libraries);
  const hcs = new FfiComputecoreApi(libraries);
  const next = random(SEED);
  const faults: Record<string, number> = {};
  const late = { late: 0 };
  const wrapped = cutOffSometimes(hcs, next, late);
  const endpoint: HostEndpoint = await (async () => {
    using reader = createPorts({ hcn, hcs, vmId: "uvm-reader", guest: "lcow" });
    return await reader.host.getEndpoint(EP0);
  })();
  const vms = Array.from({ length: PODS }, (_, i) => {
    const guest: GuestPlatform = i % 2 === 0 ? "lcow" : "wcow";
    standins.addSystem(`uvm-cycle-${i}`, guest);
    return { vmId: `uvm-cycle-${i}`, guest };
  });
  const nic = { nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", endpointId: EP0 };
  const config = { ...nic, namespaceId: NS, endpoint, policyBasedRouting: false };

  async function cycle(vmId: string, guest: GuestPlatform): Promise<void> {
    using ports = createPorts({ hcn, hcs: wrapped, vmId, guest, timeoutMs: 10_000 });
    try {
      armFault(standins, next, faults);
      await ports.guest.prepare(config);
      armFault(standins, next, faults);
      await ports.vm.addNic(nic);
      armFault(standins, next, faults);
      await ports.guest.attach(config);
    } catch {
      // A failed setup step: the teardown below undoes what may have been done.
    }
    armFault(standins, next, faults);
    await untilGone(() => ports.guest.detach(config), `detach in ${vmId}`);
    armFault(standins, next, faults);
    await untilGone(() => ports.vm.removeNic(nic), `hot-remove in ${vmId}`);
  }

  const started = performance.now();
  await Promise.all(vms.map(async ({ vmId, guest }) => {
    for (let i = 0; i < CYCLES / PODS; i++) await cycle(vmId, guest);
  }));
  const elapsed = performance.now() - started;
  const opens = standins.callCount("hcs", "HcsOpenComputeSystem");
  standins.reset("hcs"); // faults armed but never reached
  await libraries.settled();

  const detail = `seed ${SEED}, faults ${JSON.stringify(faults)}, late ${late.late}`;
  // The faults and late completions really happened, many times over.
  for (const kind of ["completion", "start", "afterWork", "noOperation", "noResult"]) {
    assert.ok((faults[kind] ?? 0) > 100, `few ${kind} faults: ${detail}`);
  }
  assert.ok(late.late > 1000, `few late completions: ${detail}`);
  assert.ok(opens >= CYCLES, `${opens} opens: ${detail}`);
  for (const { vmId } of vms) {
    const state = standins.systemState(vmId);
    assert.deepEqual([state.Nics, state.GuestAdapters], [[], []], `${vmId} kept a NIC: ${detail}`);
  }
  await standins.assertClean(libraries);
  await libraries.close();
  console.log(`${CYCLES} cycles in ${Math.round(elapsed)} ms (${detail})`);
});
