/**
 * 1,000 pods x 2 NICs, each pod set up and torn down by its own controller,
 * all at once, through the FFI bindings against the stand-ins, with every
 * HCS call taking 5 ms in the stand-in (HCN calls take no time): once
 * through computecore.dll (HCS v2: a call waiting for HCS holds no thread)
 * and once through vmcompute.dll (HCS v1: each call holds one of Deno's 32
 * worker threads for its 5 ms). The baseline is one pod alone: the time HCS
 * latency alone sets, which 1,000 pods would also take if nothing but HCS
 * limited them.
 *
 * Two more groups compare the two ways to wait for a computecore operation:
 * the completion callback podnet uses, against a nonblocking
 * `HcsWaitForOperationResult` (each wait on a worker thread, admitted like
 * any call): 200 property queries at once, 5 ms each; and the same while 32
 * slow guest requests (200 ms) are in flight, as a busy guest makes them.
 *
 * At the end it prints, per run, the CPU time per HCS call (all threads of
 * the process, over the run) and, for vmcompute, the bound 32 concurrent
 * calls set. Every bench function is `async`: deno bench awaits only async
 * functions.
 */
import process from "node:process";
import { NetworkController } from "../domain/network_controller.ts";
import { COMPUTECORE_SYMBOLS } from "../adapters/ffi/computecore_symbols.ts";
import { createWindowsPorts } from "../adapters/ffi/create_windows_ports.ts";
import { FfiComputecoreApi } from "../adapters/ffi/ffi_computecore_api.ts";
import {
  type HcsLibrary,
  nativeLibrariesOf,
  WindowsLibraries,
} from "../adapters/ffi/windows_libraries.ts";
import { encodeWide } from "../adapters/ffi/wide_string.ts";
import {
  openStandins,
  type PodFixture,
  readFixture,
  type Standins,
} from "../tests/native/standins.ts";

const PODS = 1_000;
const DELAY_MS = 5;
const HCS_CALLS = [
  "HcsOpenComputeSystem",
  "HcsModifyComputeSystem",
  "HcsGetComputeSystemProperties",
] as const;

// Two NICs per pod: eth0 and eth1 of the 3-NIC fixture.
const three = await readFixture();
const endpoints = three.endpoints.filter((e) => /_eth[01]$/.test(String(e.Name)));
const ids = new Set(endpoints.map((e) => e.ID));
const resources = Array.isArray(three.namespace.Resources) ? three.namespace.Resources : [];
const fixture: PodFixture = {
  namespace: {
    ...three.namespace,
    Resources: resources.filter((r: { Type?: string; Data?: { ID?: string } }) =>
      r.Type !== "Endpoint" || ids.has(r.Data?.ID ?? "")
    ),
  },
  endpoints,
};
if (endpoints.length !== 2) throw new Error("the fixture lacks eth0 and eth1");

interface Setting {
  readonly hcs: HcsLibrary;
  readonly standins: Standins;
  readonly libraries: WindowsLibraries;
}

/** One stand-in copy per HCS library, 1,000 VMs each, 5 ms per HCS call. */
async function setting(hcs: HcsLibrary): Promise<Setting> {
  const standins = await openStandins(hcs);
  standins.seed(fixture);
  for (let i = 0; i < PODS; i++) standins.addSystem(`uvm-${i}`, "lcow");
  for (const call of HCS_CALLS) standins.setDelay("hcs", call, DELAY_MS);
  return { hcs, standins, libraries: new WindowsLibraries(standins.paths, { hcs }) };
}

const settings = {
  computecore: await setting("computecore"),
  vmcompute: await setting("vmcompute"),
};

/** What one run measured. */
interface Run {
  wallMs: number;
  hcsCalls: number;
  cpuUs: number;
}
const runs: Record<string, Run[]> = {};

function hcsCalls(standins: Standins): number {
  return HCS_CALLS.reduce((n, call) => n + standins.callCount("hcs", call), 0);
}

/** Sets up and tears down `pods` pods at once; records wall time, HCS calls, CPU time. */
async function cycle(name: string, { hcs, standins, libraries }: Setting, pods: number) {
  const calls = hcsCalls(standins);
  const cpu = process.cpuUsage();
  const started = performance.now();
  const all = Array.from({ length: pods }, (_, i) => {
    const ports = createWindowsPorts({ vmId: `uvm-${i}`, guest: "lcow", libraries, hcs });
    const controller = new NetworkController(
      { podId: `default/pod-${i}`, namespaceId: fixture.namespace.ID },
      ports,
    );
    return { ports, controller };
  });
  try {
    await Promise.all(all.map((p) => p.controller.setup()));
    await Promise.all(all.map((p) => p.controller.teardown()));
  } finally {
    for (const p of all) await p.ports.close();
  }
  const wallMs = performance.now() - started;
  const used = process.cpuUsage(cpu);
  (runs[name] ??= []).push({
    wallMs,
    hcsCalls: hcsCalls(standins) - calls,
    cpuUs: used.user + used.system,
  });
}

const GROUP = `${PODS} pods x 2 NICs, setup + teardown, ${DELAY_MS} ms per HCS call`;

Deno.bench({
  name: "1 pod alone: the bound HCS latency sets",
  group: GROUP,
  baseline: true,
  n: 20,
  warmup: 2,
  async fn() {
    await cycle("1 pod alone", settings.computecore, 1);
  },
});

Deno.bench({
  name: "computecore.dll (HCS v2)",
  group: GROUP,
  n: 5,
  warmup: 1,
  async fn() {
    await cycle("computecore", settings.computecore, PODS);
  },
});

Deno.bench({
  name: "vmcompute.dll (HCS v1)",
  group: GROUP,
  n: 5,
  warmup: 1,
  async fn() {
    await cycle("vmcompute", settings.vmcompute, PODS);
  },
});

// ---- waiting for an operation: callback against a nonblocking wait -------

const QUICK = 200;
const SLOW = 32;
const SLOW_MS = 200;
const waitSetting = await setting("computecore");
// Guest requests that take long (a busy guest), beside quick property queries.
waitSetting.standins.setDelay("hcs", "HcsModifyComputeSystem", SLOW_MS);
const callbackApi = new FfiComputecoreApi(waitSetting.libraries);
const system = await callbackApi.openComputeSystem("uvm-0");
// The other way, as hcsshim does it (one wait per operation), on worker threads.
const raw = Deno.dlopen(waitSetting.standins.paths.computecore ?? "", {
  HcsCreateOperation: COMPUTECORE_SYMBOLS.HcsCreateOperation,
  HcsCloseOperation: COMPUTECORE_SYMBOLS.HcsCloseOperation,
  HcsGetComputeSystemProperties: COMPUTECORE_SYMBOLS.HcsGetComputeSystemProperties,
  HcsModifyComputeSystem: COMPUTECORE_SYMBOLS.HcsModifyComputeSystem,
  HcsWaitForOperationResult: COMPUTECORE_SYMBOLS.HcsWaitForOperationResult,
  HcsCloseComputeSystem: COMPUTECORE_SYMBOLS.HcsCloseComputeSystem,
});
const INFINITE = 0xffffffff;
const SLOW_REQUEST = encodeWide('{"GuestRequest":{}}');

/** One operation waited for on a worker thread (admitted like any call); its result freed. */
async function byWait(start: (operation: Deno.PointerValue) => number): Promise<string> {
  const operation = raw.symbols.HcsCreateOperation(null, null);
  try {
    const started = start(operation);
    if (started < 0) throw new Error(`start failed: ${started}`);
    const slot = new BigUint64Array(1);
    await nativeLibrariesOf(waitSetting.libraries).schedule(() =>
      raw.symbols.HcsWaitForOperationResult(operation, INFINITE, slot)
    );
    return nativeLibrariesOf(waitSetting.libraries).takeLocalString(slot[0] ?? 0n);
  } finally {
    raw.symbols.HcsCloseOperation(operation);
  }
}
const rawHandle = (() => {
  const open = Deno.dlopen(waitSetting.standins.paths.computecore ?? "", {
    HcsOpenComputeSystem: { ...COMPUTECORE_SYMBOLS.HcsOpenComputeSystem, nonblocking: false },
  });
  const slot = new BigUint64Array(1);
  const hr = open.symbols.HcsOpenComputeSystem(encodeWide("uvm-1"), 0x10000000, slot);
  open.close();
  if (hr < 0) throw new Error("cannot open uvm-1");
  return Deno.UnsafePointer.create(slot[0] ?? 0n);
})();
const waitQuery = () =>
  byWait((op) => raw.symbols.HcsGetComputeSystemProperties(rawHandle, op, encodeWide("")));
const waitSlow = () =>
  byWait((op) => raw.symbols.HcsModifyComputeSystem(rawHandle, op, SLOW_REQUEST, null));
const callbackQuery = () => callbackApi.getComputeSystemProperties(system, "");
const callbackSlow = () =>
  callbackApi.modifyComputeSystem(system, '{"GuestRequest":{}}').catch(() => {});

const WAIT_GROUP = `${QUICK} property queries at once, ${DELAY_MS} ms each`;

Deno.bench({
  name: "completion callback (podnet)",
  group: WAIT_GROUP,
  baseline: true,
  n: 20,
  warmup: 2,
  async fn() {
    await Promise.all(Array.from({ length: QUICK }, callbackQuery));
  },
});

Deno.bench({
  name: "nonblocking HcsWaitForOperationResult (a worker thread per wait)",
  group: WAIT_GROUP,
  n: 20,
  warmup: 2,
  async fn() {
    await Promise.all(Array.from({ length: QUICK }, waitQuery));
  },
});

const BUSY_GROUP =
  `${QUICK} property queries (${DELAY_MS} ms) while ${SLOW} guest requests (${SLOW_MS} ms) run`;

Deno.bench({
  name: "completion callback (podnet)",
  group: BUSY_GROUP,
  baseline: true,
  n: 10,
  warmup: 1,
  async fn(b) {
    const slow = Array.from({ length: SLOW }, callbackSlow);
    b.start();
    await Promise.all(Array.from({ length: QUICK }, callbackQuery));
    b.end();
    await Promise.all(slow);
  },
});

Deno.bench({
  name: "nonblocking HcsWaitForOperationResult (a worker thread per wait)",
  group: BUSY_GROUP,
  n: 10,
  warmup: 1,
  async fn(b) {
    const slow = Array.from({ length: SLOW }, () => waitSlow().catch(() => ""));
    b.start();
    await Promise.all(Array.from({ length: QUICK }, waitQuery));
    b.end();
    await Promise.all(slow);
  },
});

/** The runs of one kind, the warm-up left out. */
function summary(name: string) {
  const all = runs[name] ?? [];
  const measured = all.slice(all.length > 1 ? 1 : 0);
  const wall = measured.reduce((s, r) => s + r.wallMs, 0) / Math.max(1, measured.length);
  const calls = measured.reduce((s, r) => s + r.hcsCalls, 0);
  const cpu = measured.reduce((s, r) => s + r.cpuUs, 0);
  return { wall, callsPerRun: calls / Math.max(1, measured.length), cpuPerCall: cpu / calls };
}

function report(): void {
  const alone = summary("1 pod alone");
  console.log(`\n${GROUP}`);
  for (const name of ["computecore", "vmcompute"]) {
    const s = summary(name);
    const bound32 = (s.callsPerRun * DELAY_MS) / 32;
    console.log(
      `  ${name}: ${s.wall.toFixed(0)} ms a run, ${s.callsPerRun} HCS calls, ` +
        `${(s.wall / alone.wall).toFixed(2)}x the latency bound (${alone.wall.toFixed(1)} ms), ` +
        `${(s.wall / bound32).toFixed(2)}x the 32-call bound (${bound32.toFixed(0)} ms), ` +
        `CPU ${s.cpuPerCall.toFixed(1)} µs per HCS call`,
    );
  }
  const v1 = summary("vmcompute").wall;
  const v2 = summary("computecore").wall;
  console.log(`  throughput: computecore ${(v1 / v2).toFixed(2)}x vmcompute`);
}

globalThis.addEventListener("unload", () => {
  if (runs["1 pod alone"] && runs.computecore && runs.vmcompute) report();
  callbackApi.closeComputeSystem(system);
  raw.symbols.HcsCloseComputeSystem(rawHandle);
  raw.close();
  for (const s of [settings.computecore, settings.vmcompute, waitSetting]) {
    try {
      // Windows cannot delete a loaded DLL: there the copy stays in the temp folder.
      Deno.removeSync(s.standins.dir, { recursive: true });
    } catch {
      // Left for the system's temp clean-up.
    }
  }
});
