/**
 * Stand-in libraries for the FFI tests: a fresh, private copy per call of
 * {@linkcode openStandins}, with the test controls the C sources export
 * (seeding, injected failures, delays, counters, received documents).
 *
 * @module
 */
import assert from "node:assert/strict";
import type { WindowsLibraryPaths } from "../../adapters/ffi/library_paths.ts";
import { FfiHcnApi } from "../../adapters/ffi/ffi_hcn_api.ts";
import { WindowsHcsApi } from "../../adapters/ffi/windows_hcs_api.ts";
import {
  type HcsLibrary,
  WindowsLibraries,
  type WindowsLibrariesOptions,
} from "../../adapters/ffi/windows_libraries.ts";
import { buildStandins, copyStandins, type StandinBuild } from "./standin_build.ts";

/** The controls every API stand-in (computenetwork, vmcompute) exports. */
const RUNTIME_CONTROLS = {
  StandinReset: { parameters: [], result: "void" },
  StandinFailNext: { parameters: ["buffer", "i32", "buffer"], result: "void" },
  StandinFailNextAfterWork: { parameters: ["buffer", "i32", "buffer"], result: "void" },
  StandinFailNextMatching: {
    parameters: ["buffer", "buffer", "i32", "buffer"],
    result: "void",
  },
  StandinSetDelay: { parameters: ["buffer", "u32"], result: "void" },
  StandinHold: { parameters: ["buffer"], result: "void" },
  StandinRelease: { parameters: ["buffer"], result: "void" },
  StandinHeldCalls: { parameters: [], result: "i64" },
  StandinOutstandingAllocations: { parameters: [], result: "i64" },
  StandinBadReleases: { parameters: [], result: "i64" },
  StandinOpenHandles: { parameters: [], result: "i64" },
  StandinInFlight: { parameters: [], result: "i64" },
  StandinMaxInFlight: { parameters: [], result: "i64" },
  StandinCallCount: { parameters: ["buffer"], result: "i64" },
  StandinDocuments: { parameters: ["buffer", "usize"], result: "usize" },
} as const satisfies Deno.ForeignLibraryInterface;

const HCN_CONTROLS = {
  ...RUNTIME_CONTROLS,
  HcnStandinAddNamespace: { parameters: ["buffer"], result: "i32" },
  HcnStandinAddEndpoint: { parameters: ["buffer"], result: "i32" },
  HcnStandinRemove: { parameters: ["buffer"], result: "i32" },
  HcnStandinLastGuid: { parameters: ["buffer"], result: "void" },
} as const satisfies Deno.ForeignLibraryInterface;

const HCS_CONTROLS = {
  ...RUNTIME_CONTROLS,
  HcsStandinAddSystem: { parameters: ["buffer", "buffer", "i32"], result: "i32" },
  HcsStandinAddHostEndpoint: { parameters: ["buffer"], result: "i32" },
  HcsStandinSetGuestConnection: { parameters: ["buffer", "i32"], result: "i32" },
  HcsStandinStopSystem: { parameters: ["buffer"], result: "i32" },
  HcsStandinSystemState: { parameters: ["buffer", "buffer", "usize"], result: "usize" },
} as const satisfies Deno.ForeignLibraryInterface;

const COMPUTECORE_CONTROLS = {
  ...HCS_CONTROLS,
  ComputecoreStandinFailStart: { parameters: ["buffer", "i32", "buffer"], result: "void" },
  ComputecoreStandinOpenOperations: { parameters: [], result: "i64" },
  ComputecoreStandinPendingOperations: { parameters: [], result: "i64" },
  ComputecoreStandinUnfreedDocuments: { parameters: [], result: "i64" },
  ComputecoreStandinCallbacksAfterClose: { parameters: [], result: "i64" },
  ComputecoreStandinClosedWhileBusy: { parameters: [], result: "i64" },
  ComputecoreStandinMisuse: { parameters: [], result: "i64" },
  ComputecoreStandinCallbacksRunning: { parameters: [], result: "i64" },
  ComputecoreStandinWorkers: { parameters: [], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

const OLE32_CONTROLS = {
  Ole32StandinFrees: { parameters: [], result: "i64" },
  Ole32StandinBadFrees: { parameters: [], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

const KERNEL32_CONTROLS = {
  Kernel32StandinCalls: { parameters: [], result: "i64" },
  Kernel32StandinLocalFrees: { parameters: [], result: "i64" },
  Kernel32StandinBadLocalFrees: { parameters: [], result: "i64" },
} as const satisfies Deno.ForeignLibraryInterface;

/** A UTF-8, NUL-terminated `const char*`. */
export function cString(text: string): Uint8Array<ArrayBuffer> {
  return new TextEncoder().encode(`${text}\0`);
}

/** A pod fixture: a namespace and its endpoints, as HNS reports them. */
export interface PodFixture {
  readonly namespace: Record<string, unknown> & { readonly ID: string };
  readonly endpoints: ReadonlyArray<Record<string, unknown> & { readonly ID: string }>;
}

/** Reads a fixture from adapters/sim/fixtures. */
export async function readFixture(name = "pod-3nic.json"): Promise<PodFixture> {
  const text = await Deno.readTextFile(
    new URL(`../../adapters/sim/fixtures/${name}`, import.meta.url),
  );
  return JSON.parse(text) as PodFixture;
}

/**
 * Which API stand-in a control applies to: "hcs" is the HCS stand-in the
 * tests use ({@linkcode Standins.hcs}: computecore or vmcompute).
 */
export type StandinApi = "hcn" | "hcs";

/** Both HCS libraries, for tests that run over each. */
export const HCS_LIBRARIES: readonly HcsLibrary[] = ["computecore", "vmcompute"];

/** One document an API stand-in received. */
export interface ReceivedDocument {
  readonly Call: string;
  readonly Document: string;
}

/** The state of a stand-in VM. */
export interface StandinSystemState {
  readonly Id: string;
  readonly Stopped: boolean;
  readonly Nics: ReadonlyArray<{ Id: string; EndpointId: string; MacAddress: string }>;
  readonly GuestAdapters: ReadonlyArray<{ Id: string; NamespaceId: string; State: string }>;
  readonly GuestNamespaces: readonly string[];
}

/** The counters that must all be zero after a test. */
export interface StandinCounters {
  /** Strings computenetwork returned and nobody freed. */
  readonly hcnOutstanding: number;
  /** Strings vmcompute (or computecore) returned and nobody freed: CoTaskMem ones. */
  readonly hcsOutstanding: number;
  /** HCN namespace and endpoint handles still open. */
  readonly hcnHandles: number;
  /** HCS compute system handles still open (both HCS stand-ins). */
  readonly hcsHandles: number;
  /**
   * CoTaskMemFree or LocalFree of something that is not a live string of
   * that kind (double free, wrong free function...).
   */
  readonly badFrees: number;
  /** computecore operations created and not closed. */
  readonly hcsOperations: number;
  /** computecore result documents handed out and not freed with LocalFree. */
  readonly hcsDocuments: number;
  /** computecore completions of operations closed while pending, with a callback. */
  readonly hcsCallbacksAfterClose: number;
  /** computecore compute system handles closed while an operation used them. */
  readonly hcsClosedWhileBusy: number;
  /** computecore misuse: unknown or closed operations or handles, double starts. */
  readonly hcsMisuse: number;
}

/** All counters zero. */
export const CLEAN_COUNTERS: StandinCounters = Object.freeze({
  hcnOutstanding: 0,
  hcsOutstanding: 0,
  hcnHandles: 0,
  hcsHandles: 0,
  badFrees: 0,
  hcsOperations: 0,
  hcsDocuments: 0,
  hcsCallbacksAfterClose: 0,
  hcsClosedWhileBusy: 0,
  hcsMisuse: 0,
});

/** A private copy of the stand-ins, with their controls. */
export class Standins implements AsyncDisposable {
  /** Library paths for `WindowsLibraries` / `createWindowsPorts`. */
  readonly paths: WindowsLibraryPaths;
  /** The temporary folder holding this copy. */
  readonly dir: string;
  /**
   * The HCS stand-in that "hcs" controls, `systemState` and `documents`
   * apply to; seeding (VMs, endpoints, guest connections, stops) goes to both.
   */
  hcs: HcsLibrary;
  readonly #copy: StandinBuild;
  readonly #hcn: Deno.DynamicLibrary<typeof HCN_CONTROLS>;
  readonly #vmcompute: Deno.DynamicLibrary<typeof HCS_CONTROLS>;
  readonly #computecore: Deno.DynamicLibrary<typeof COMPUTECORE_CONTROLS>;
  readonly #ole32: Deno.DynamicLibrary<typeof OLE32_CONTROLS>;
  readonly #kernel32: Deno.DynamicLibrary<typeof KERNEL32_CONTROLS>;
  #closed = false;

  constructor(copy: StandinBuild, hcs: HcsLibrary = "computecore") {
    this.#copy = copy;
    this.paths = { ...copy.paths };
    this.dir = copy.dir;
    this.hcs = hcs;
    this.#hcn = Deno.dlopen(copy.paths.computenetwork, HCN_CONTROLS);
    this.#vmcompute = Deno.dlopen(copy.paths.vmcompute, HCS_CONTROLS);
    this.#computecore = Deno.dlopen(copy.paths.computecore, COMPUTECORE_CONTROLS);
    this.#ole32 = Deno.dlopen(copy.paths.ole32, OLE32_CONTROLS);
    this.#kernel32 = Deno.dlopen(copy.paths.kernel32, KERNEL32_CONTROLS);
  }

  /** The controls of the HCS stand-in in use. */
  get #hcs(): Deno.DynamicLibrary<typeof HCS_CONTROLS> {
    return this.hcs === "computecore" ? this.#computecore : this.#vmcompute;
  }

  /** The model controls of both HCS stand-ins. */
  get #bothHcs(): Array<Deno.StaticForeignLibraryInterface<typeof HCS_CONTROLS>> {
    return [this.#vmcompute.symbols, this.#computecore.symbols];
  }

  #api(api: StandinApi): Deno.StaticForeignLibraryInterface<typeof RUNTIME_CONTROLS> {
    return api === "hcn" ? this.#hcn.symbols : this.#hcs.symbols;
  }

  /** Adds a namespace document to the HCN stand-in. */
  addNamespace(document: Record<string, unknown>): void {
    const result = this.#hcn.symbols.HcnStandinAddNamespace(cString(JSON.stringify(document)));
    assert.equal(result, 0, `HcnStandinAddNamespace returned ${result}`);
  }

  /** Adds an endpoint document to the HCN stand-in (and lets VMs attach to it). */
  addEndpoint(document: Record<string, unknown> & { readonly ID: string }): void {
    const result = this.#hcn.symbols.HcnStandinAddEndpoint(cString(JSON.stringify(document)));
    assert.equal(result, 0, `HcnStandinAddEndpoint returned ${result}`);
    for (const hcs of this.#bothHcs) {
      assert.equal(hcs.HcsStandinAddHostEndpoint(cString(document.ID)), 0);
    }
  }

  /** Deletes a namespace or endpoint from the HCN stand-in. */
  removeHcnObject(id: string): number {
    return this.#hcn.symbols.HcnStandinRemove(cString(id));
  }

  /** Seeds the fixture's namespace and endpoints. */
  seed(fixture: PodFixture): void {
    this.addNamespace(fixture.namespace);
    for (const endpoint of fixture.endpoints) this.addEndpoint(endpoint);
  }

  /** Adds a running utility VM with a connected guest. */
  addSystem(id: string, platform: "lcow" | "wcow", namespaceSupported = true): void {
    for (const hcs of this.#bothHcs) {
      const result = hcs.HcsStandinAddSystem(
        cString(id),
        cString(platform),
        namespaceSupported ? 1 : 0,
      );
      assert.equal(result, 0, `HcsStandinAddSystem(${id}) returned ${result}`);
    }
  }

  /** Sets a VM's guest connection. */
  setGuestConnection(id: string, state: "connected" | "closed" | "never"): void {
    const code = state === "connected" ? 0 : state === "closed" ? 1 : 2;
    for (const hcs of this.#bothHcs) {
      assert.equal(hcs.HcsStandinSetGuestConnection(cString(id), code), 0);
    }
  }

  /** Stops a VM (its NICs and guest state go with it). */
  stopSystem(id: string): void {
    for (const hcs of this.#bothHcs) assert.equal(hcs.HcsStandinStopSystem(cString(id)), 0);
  }

  /** A VM's NICs and guest state. */
  systemState(id: string): StandinSystemState {
    const name = cString(id);
    const length = Number(this.#hcs.symbols.HcsStandinSystemState(name, null, 0n));
    assert.ok(length > 0, `no stand-in VM ${id}`);
    const buffer = new Uint8Array(length);
    this.#hcs.symbols.HcsStandinSystemState(name, buffer, BigInt(length));
    return JSON.parse(new TextDecoder().decode(buffer)) as StandinSystemState;
  }

  /** The GUID bytes the last HCN open received. */
  lastGuid(): Uint8Array {
    const out = new Uint8Array(16);
    this.#hcn.symbols.HcnStandinLastGuid(out);
    return out;
  }

  /**
   * The next call of `fn` returns `hresult` with `record` (a success code
   * still does the work and attaches the record).
   */
  failNext(api: StandinApi, fn: string, hresult: number, record?: string): void {
    this.#api(api).StandinFailNext(
      cString(fn),
      hresult | 0,
      record === undefined ? null : cString(record),
    );
  }

  /**
   * As {@linkcode Standins.failNext}, for the next call of `fn` whose
   * document contains `match` (an HCS modify's configuration); calls with
   * other documents pass it by. For calls that run concurrently in no fixed
   * order, such as one NIC's hot-remove beside another NIC's guest detach.
   */
  failNextMatching(
    api: StandinApi,
    fn: string,
    match: string,
    hresult: number,
    record?: string,
  ): void {
    this.#api(api).StandinFailNextMatching(
      cString(fn),
      cString(match),
      hresult | 0,
      record === undefined ? null : cString(record),
    );
  }

  /**
   * The next call of `fn` does its work (opens the handle, writes the
   * result), then returns `hresult` with `record`, its outputs left in
   * place: a DLL that hands back a handle or a string with a failure.
   */
  failAfterWork(api: StandinApi, fn: string, hresult: number, record?: string): void {
    this.#api(api).StandinFailNextAfterWork(
      cString(fn),
      hresult | 0,
      record === undefined ? null : cString(record),
    );
  }

  /**
   * computecore: the next start of `fn` (HcsModifyComputeSystem or
   * HcsGetComputeSystemProperties) fails at once with `hresult`, the
   * operation holding `record` as its result document; no completion comes.
   * (`failNext` makes the operation fail when it completes instead.)
   */
  failStart(fn: string, hresult: number, record?: string): void {
    this.#computecore.symbols.ComputecoreStandinFailStart(
      cString(fn),
      hresult | 0,
      record === undefined ? null : cString(record),
    );
  }

  /**
   * Every later call of `fn` ("*": of every function) sleeps first; a
   * computecore operation completes that much later instead.
   */
  setDelay(api: StandinApi, fn: string, ms: number): void {
    this.#api(api).StandinSetDelay(cString(fn), ms);
  }

  /**
   * Later calls of `fn` ("*": of every function) wait inside the DLL until
   * {@linkcode Standins.release} (at most 10 s). Tests use this instead of a
   * delay wherever a call must outlast something: it ends when the test
   * says, however loaded the machine is.
   */
  hold(api: StandinApi, fn: string): void {
    this.#api(api).StandinHold(cString(fn));
  }

  /** Lets the held calls of `fn` go ("*": ends every hold of that stand-in). */
  release(api: StandinApi, fn = "*"): void {
    this.#api(api).StandinRelease(cString(fn));
  }

  /** How many calls wait in a hold of one stand-in now. */
  heldCalls(api: StandinApi): number {
    return Number(this.#api(api).StandinHeldCalls());
  }

  /** Resolves once `count` calls wait in a hold of one stand-in (fails after 10 s). */
  async waitUntilHeld(api: StandinApi, count = 1): Promise<void> {
    const deadline = performance.now() + 10_000;
    while (this.heldCalls(api) < count) {
      if (performance.now() > deadline) {
        assert.fail(`${count} held call(s) expected, ${this.heldCalls(api)} seen`);
      }
      await new Promise((resolve) => setTimeout(resolve, 2));
    }
  }

  /** Forgets failures, delays, counts and documents of one stand-in. */
  reset(api: StandinApi): void {
    this.#api(api).StandinReset();
  }

  /** How many times `fn` was called. */
  callCount(api: StandinApi, fn: string): number {
    return Number(this.#api(api).StandinCallCount(cString(fn)));
  }

  /** The most calls of one stand-in that ran at once. */
  maxInFlight(api: StandinApi): number {
    return Number(this.#api(api).StandinMaxInFlight());
  }

  /** The documents one stand-in received, oldest first. */
  documents(api: StandinApi): ReceivedDocument[] {
    const symbols = this.#api(api);
    const length = Number(symbols.StandinDocuments(null, 0n));
    const buffer = new Uint8Array(length);
    symbols.StandinDocuments(buffer, BigInt(length));
    return JSON.parse(new TextDecoder().decode(buffer)) as ReceivedDocument[];
  }

  /** How many strings ole32 freed. */
  frees(): number {
    return Number(this.#ole32.symbols.Ole32StandinFrees());
  }

  /** How many computecore result documents kernel32's LocalFree freed. */
  localFrees(): number {
    return Number(this.#kernel32.symbols.Kernel32StandinLocalFrees());
  }

  /** computecore completion callbacks called and not returned yet. */
  callbacksRunning(): number {
    return Number(this.#computecore.symbols.ComputecoreStandinCallbacksRunning());
  }

  /** computecore operations started and not completed yet. */
  pendingOperations(): number {
    return Number(this.#computecore.symbols.ComputecoreStandinPendingOperations());
  }

  /** How many times lstrlenW ran. */
  lengthCalls(): number {
    return Number(this.#kernel32.symbols.Kernel32StandinCalls());
  }

  /** The leak counters. */
  counters(): StandinCounters {
    const vm = this.#vmcompute.symbols;
    const cc = this.#computecore.symbols;
    return {
      hcnOutstanding: Number(this.#hcn.symbols.StandinOutstandingAllocations()),
      hcsOutstanding: Number(vm.StandinOutstandingAllocations()) +
        Number(cc.StandinOutstandingAllocations()),
      hcnHandles: Number(this.#hcn.symbols.StandinOpenHandles()),
      hcsHandles: Number(vm.StandinOpenHandles()) + Number(cc.StandinOpenHandles()),
      badFrees: Number(this.#ole32.symbols.Ole32StandinBadFrees()) +
        Number(this.#kernel32.symbols.Kernel32StandinBadLocalFrees()) +
        Number(this.#hcn.symbols.StandinBadReleases()) +
        Number(vm.StandinBadReleases()) + Number(cc.StandinBadReleases()),
      hcsOperations: Number(cc.ComputecoreStandinOpenOperations()),
      hcsDocuments: Number(cc.ComputecoreStandinUnfreedDocuments()),
      hcsCallbacksAfterClose: Number(cc.ComputecoreStandinCallbacksAfterClose()),
      hcsClosedWhileBusy: Number(cc.ComputecoreStandinClosedWhileBusy()),
      hcsMisuse: Number(cc.ComputecoreStandinMisuse()),
    };
  }

  /**
   * Waits for the calls still running through `libraries`, then asserts that
   * no string is outstanding, no handle open and nothing freed twice.
   */
  async assertClean(libraries?: WindowsLibraries): Promise<void> {
    if (libraries !== undefined) {
      await libraries.settled();
      assert.equal(libraries.openHandles, 0, "handles still open in WindowsLibraries");
    }
    assert.deepEqual(this.counters(), CLEAN_COUNTERS);
  }

  /**
   * Closes the controls and deletes the copy. Everything else that loaded
   * the copy (`WindowsLibraries`, a `Deno.dlopen`) must be closed first:
   * Windows cannot delete a library that is loaded. Unloading computecore
   * stops its threads, which must not be inside a completion callback then:
   * a callback that does not return fails here, instead of hanging the run.
   */
  async close(): Promise<void> {
    if (this.#closed) return;
    const deadline = performance.now() + 5_000;
    // On Windows the stand-in's idle threads exit, each letting go of the
    // DLL: wait for them too, or the copy could not be deleted yet.
    const windows = Deno.build.os === "windows";
    const workers = () => Number(this.#computecore.symbols.ComputecoreStandinWorkers());
    while (this.callbacksRunning() > 0 || (windows && workers() > 0)) {
      if (performance.now() > deadline) {
        assert.fail("a computecore completion callback has not returned after 5 s");
      }
      await new Promise((resolve) => setTimeout(resolve, 1));
    }
    this.#closeControls();
    await Deno.remove(this.#copy.dir, { recursive: true });
  }

  /**
   * Same as {@linkcode Standins.close}, synchronously: for an `unload`
   * handler, where nothing can be awaited.
   */
  closeSync(): void {
    if (this.#closed) return;
    this.#closeControls();
    Deno.removeSync(this.#copy.dir, { recursive: true });
  }

  #closeControls(): void {
    this.#closed = true;
    this.#hcn.close();
    this.#vmcompute.close();
    this.#computecore.close();
    this.#ole32.close();
    this.#kernel32.close();
  }

  /** Same as {@linkcode Standins.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }
}

/**
 * Builds the stand-ins when needed and opens a private copy, whose "hcs"
 * controls apply to the given HCS stand-in (default computecore, which
 * `WindowsLibraries` chooses when it loads).
 */
export async function openStandins(hcs: HcsLibrary = "computecore"): Promise<Standins> {
  return new Standins(await copyStandins(await buildStandins()), hcs);
}

/** Stand-ins with FFI APIs over them: what most FFI tests need. */
export interface FfiHarness extends AsyncDisposable {
  /** The private stand-in copy and its controls. */
  readonly standins: Standins;
  /** The libraries, loaded from the stand-ins. */
  readonly libraries: WindowsLibraries;
  /** computenetwork through FFI. */
  readonly hcn: FfiHcnApi;
  /** The HCS library through FFI (computecore unless the options name vmcompute). */
  readonly hcs: WindowsHcsApi;
  /** Waits for pending calls, then asserts nothing leaked. */
  assertClean(): Promise<void>;
}

/**
 * Opens stand-ins, seeded with the fixture (unless `seed` is false), and
 * FFI APIs over them (with the given libraries options; `libraries.hcs`
 * picks the HCS stand-in, computecore by default). Disposing waits for
 * pending calls, asserts that nothing leaked, then closes everything.
 */
export async function openHarness(
  options: { fixture?: PodFixture; seed?: boolean; libraries?: WindowsLibrariesOptions } = {},
): Promise<FfiHarness> {
  const hcsLibrary = options.libraries?.hcs ?? "computecore";
  const standins = await openStandins(hcsLibrary);
  if (options.seed !== false) standins.seed(options.fixture ?? await readFixture());
  const libraries = new WindowsLibraries(standins.paths, { ...options.libraries, hcs: hcsLibrary });
  const assertClean = (): Promise<void> => standins.assertClean(libraries);
  return {
    standins,
    libraries,
    hcn: new FfiHcnApi(libraries),
    hcs: new WindowsHcsApi(libraries),
    assertClean,
    async [Symbol.asyncDispose](): Promise<void> {
      try {
        // A test that failed while a call was held must not wait for the hold.
        standins.release("hcn");
        standins.release("hcs");
        await assertClean();
      } finally {
        await libraries.close();
        await standins.close();
      }
    },
  };
}
