/**
 * In-memory `HcnApi` and `HcsApi` for unit and golden tests: they record
 * every call (with the documents sent), answer from scripted steps, honour
 * abort signals, and track which handles are still open.
 *
 * @module
 */
import { normalizeGuid } from "../../domain/guid.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import { hresultError } from "../../adapters/dll/error_record.ts";
import type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "../../adapters/dll/hcn_api.ts";
import type { HcsApi, HcsSystemHandle } from "../../adapters/dll/hcs_api.ts";
import { HRESULT } from "../../adapters/dll/hresult.ts";
import type { NativeCallOptions } from "../../adapters/dll/native_call_options.ts";

/**
 * One scripted answer to the next call of a DLL function:
 * - `fail`: fail with this HRESULT (and error record text);
 * - `hang`: never answer (until the call's signal aborts);
 * - `result`: answer this text (query calls) instead of the default;
 * - `gate`: wait for the promise, then answer as usual;
 * - `straggle`: never answer; when the call's signal aborts, reject with its
 *   reason and report the call as abandoned (`options.onAbandoned`), its work
 *   finishing when the promise settles, like a DLL call still running on its
 *   worker thread.
 */
export type Scripted =
  | { readonly fail: number; readonly record?: string }
  | { readonly hang: true }
  | { readonly result: string }
  | { readonly gate: Promise<unknown> }
  | { readonly straggle: Promise<unknown> };

/** One recorded call: the DLL function name and its string arguments. */
export interface RecordedCall {
  /** The DLL function ("HcsModifyComputeSystem"...). */
  readonly call: string;
  /** Its string arguments (IDs, documents). */
  readonly args: readonly string[];
}

/** The per-function queues of scripted answers, shared by both fakes. */
class Recorder {
  readonly calls: RecordedCall[] = [];
  readonly #queues = new Map<string, Scripted[]>();

  script(call: string, steps: readonly Scripted[]): void {
    const queue = this.#queues.get(call) ?? [];
    queue.push(...steps);
    this.#queues.set(call, queue);
  }

  /** Records the call and plays its next scripted step; returns an override result. */
  async play(
    call: string,
    args: readonly string[],
    options: NativeCallOptions | undefined,
  ): Promise<string | undefined> {
    this.calls.push({ call, args });
    const signal = options?.signal;
    signal?.throwIfAborted();
    const step = this.#queues.get(call)?.shift();
    if (step === undefined) return undefined;
    if ("fail" in step) throw hresultError(call, step.fail, step.record ?? "");
    if ("result" in step) return step.result;
    if ("gate" in step) {
      await step.gate;
      signal?.throwIfAborted();
      return undefined;
    }
    const straggle = "straggle" in step ? step.straggle : undefined;
    return await new Promise<never>((_, reject) => {
      signal?.addEventListener("abort", () => {
        if (straggle !== undefined) options?.onAbandoned?.(straggle.then(() => {}, () => {}));
        reject(signal.reason);
      }, { once: true });
    });
  }

  /** Plays a synchronous call (close): only `fail` steps apply. */
  playSync(call: string, args: readonly string[]): void {
    this.calls.push({ call, args });
    const step = this.#queues.get(call)?.shift();
    if (step !== undefined && "fail" in step) {
      throw hresultError(call, step.fail, step.record ?? "");
    }
  }

  names(): string[] {
    return this.calls.map((c) => c.call);
  }
}

/** The vmcompute.dll function names the fake answers. */
export type HcsCallName =
  | "HcsOpenComputeSystem"
  | "HcsModifyComputeSystem"
  | "HcsGetComputeSystemProperties"
  | "HcsCloseComputeSystem";

/** Options of {@linkcode RecordingHcs}. */
export interface RecordingHcsOptions {
  /** The ID of the one compute system it knows. Default "uvm-test". */
  readonly vmId?: string;
  /** NamespaceAddRequestSupported, or "absent" for no GuestConnectionInfo. Default true. */
  readonly capability?: boolean | "absent";
}

interface FakeHcsHandle extends HcsSystemHandle {
  readonly serial: number;
}

/**
 * An in-memory vmcompute.dll with one compute system.
 *
 * @example
 * ```ts
 * const hcs = new RecordingHcs({ capability: false });
 * hcs.script("HcsModifyComputeSystem", { fail: 0x8037010a });
 * ```
 */
export class RecordingHcs implements HcsApi {
  /** The compute system's ID. */
  readonly vmId: string;
  /** The guest's namespace capability (or "absent"). */
  capability: boolean | "absent";
  readonly #recorder = new Recorder();
  readonly #live = new Set<number>();
  #serial = 0;
  /** How many handles were opened in total. */
  opened = 0;
  /**
   * What a fresh look at the VM finds: a `Stopped` VM cannot be opened (its
   * properties, through a handle still open, say `Stopped`).
   */
  vmState: "Running" | "Paused" | "Stopped" = "Running";
  /** Whether a fresh look finds the guest connected. */
  guestConnected = true;

  constructor(options: RecordingHcsOptions = {}) {
    this.vmId = options.vmId ?? "uvm-test";
    this.capability = options.capability ?? true;
  }

  /** Every call so far. */
  get calls(): readonly RecordedCall[] {
    return this.#recorder.calls;
  }

  /** Handles opened and not closed. */
  get openHandles(): number {
    return this.#live.size;
  }

  /** The DLL function names called so far, in order. */
  callNames(): string[] {
    return this.#recorder.names();
  }

  /** Queues answers for the next calls of one function. */
  script(call: HcsCallName, ...steps: Scripted[]): void {
    this.#recorder.script(call, steps);
  }

  /** The documents sent with HcsModifyComputeSystem, parsed, in order. */
  modifyDocuments(): JsonValue[] {
    return this.#recorder.calls
      .filter((c) => c.call === "HcsModifyComputeSystem")
      .map((c) => JSON.parse(c.args[0] ?? "null") as JsonValue);
  }

  /** The property queries sent, parsed, in order. */
  propertyQueries(): JsonValue[] {
    return this.#recorder.calls
      .filter((c) => c.call === "HcsGetComputeSystemProperties")
      .map((c) => JSON.parse(c.args[0] ?? "null") as JsonValue);
  }

  /** HcsOpenComputeSystem. */
  async openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle> {
    await this.#recorder.play("HcsOpenComputeSystem", [id], options);
    if (id !== this.vmId || this.vmState === "Stopped") {
      throw hresultError("HcsOpenComputeSystem", HRESULT.HCS_E_SYSTEM_NOT_FOUND, "");
    }
    const serial = ++this.#serial;
    this.#live.add(serial);
    this.opened++;
    const handle: FakeHcsHandle = { hcsSystem: true, serial };
    return handle;
  }

  /** HcsModifyComputeSystem. */
  async modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void> {
    this.#check(handle, "HcsModifyComputeSystem");
    await this.#recorder.play("HcsModifyComputeSystem", [configuration], options);
    this.#check(handle, "HcsModifyComputeSystem");
  }

  /** HcsGetComputeSystemProperties. */
  async getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    this.#check(handle, "HcsGetComputeSystemProperties");
    const override = await this.#recorder.play("HcsGetComputeSystemProperties", [query], options);
    if (override !== undefined) return override;
    const doc: JsonObject = {
      Id: this.vmId,
      State: this.vmState,
      Stopped: this.vmState === "Stopped",
    };
    if (this.capability !== "absent" && this.guestConnected) {
      doc.GuestConnectionInfo = {
        GuestDefinedCapabilities: { NamespaceAddRequestSupported: this.capability },
      };
    }
    return JSON.stringify(doc);
  }

  /** HcsCloseComputeSystem: throws for a handle not open. */
  closeComputeSystem(handle: HcsSystemHandle): void {
    const serial = serialOf(handle);
    this.#recorder.playSync("HcsCloseComputeSystem", [String(serial)]);
    if (!this.#live.delete(serial)) throw new Error(`fake: handle ${serial} closed twice`);
  }

  #check(handle: HcsSystemHandle, call: string): void {
    if (!this.#live.has(serialOf(handle))) throw hresultError(call, HRESULT.E_HANDLE, "");
  }
}

function serialOf(handle: object): number {
  const serial: unknown = Reflect.get(handle, "serial");
  if (typeof serial !== "number") throw new Error("fake: not a handle of this fake");
  return serial;
}

/** The computenetwork.dll function names the fake answers. */
export type HcnCallName =
  | "HcnOpenNamespace"
  | "HcnQueryNamespaceProperties"
  | "HcnCloseNamespace"
  | "HcnEnumerateNamespaces"
  | "HcnOpenEndpoint"
  | "HcnQueryEndpointProperties"
  | "HcnCloseEndpoint"
  | "HcnEnumerateEndpoints";

/** The shape of adapters/sim/fixtures/*.json fixtures. */
export interface HcnFixture {
  /** The namespace document. */
  readonly namespace: JsonObject;
  /** The endpoint documents. */
  readonly endpoints: readonly JsonObject[];
}

interface FakeHcnHandle {
  readonly serial: number;
  readonly id: string;
}

/**
 * An in-memory computenetwork.dll holding namespace and endpoint documents
 * (as text, so tests can store malformed ones).
 *
 * @example
 * ```ts
 * const hcn = new RecordingHcn();
 * hcn.setEndpoint("b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d", '{"ID":"b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d"}');
 * ```
 */
export class RecordingHcn implements HcnApi {
  readonly #recorder = new Recorder();
  readonly #namespaces = new Map<string, string>();
  readonly #endpoints = new Map<string, string>();
  readonly #live = new Map<number, string>();
  #serial = 0;

  /** Every call so far. */
  get calls(): readonly RecordedCall[] {
    return this.#recorder.calls;
  }

  /** Handles (namespace and endpoint) opened and not closed. */
  get openHandles(): number {
    return this.#live.size;
  }

  /** The DLL function names called so far, in order. */
  callNames(): string[] {
    return this.#recorder.names();
  }

  /** Queues answers for the next calls of one function. */
  script(call: HcnCallName, ...steps: Scripted[]): void {
    this.#recorder.script(call, steps);
  }

  /** Stores a namespace document (text is stored as is). */
  setNamespace(id: string, document: JsonObject | string): void {
    this.#namespaces.set(
      key(id),
      typeof document === "string" ? document : JSON.stringify(document),
    );
  }

  /** Stores an endpoint document (text is stored as is). */
  setEndpoint(id: string, document: JsonObject | string): void {
    this.#endpoints.set(
      key(id),
      typeof document === "string" ? document : JSON.stringify(document),
    );
  }

  /** Stores a fixture's namespace and endpoints under their IDs. */
  loadFixture(fixture: HcnFixture): void {
    this.setNamespace(idOf(fixture.namespace), fixture.namespace);
    for (const endpoint of fixture.endpoints) this.setEndpoint(idOf(endpoint), endpoint);
  }

  /** HcnOpenNamespace. */
  async openNamespace(id: string, options?: NativeCallOptions): Promise<HcnNamespaceHandle> {
    await this.#recorder.play("HcnOpenNamespace", [id], options);
    const k = this.#lookup("HcnOpenNamespace", id, this.#namespaces, HRESULT.ERROR_NOT_FOUND);
    return { hcnNamespace: true, ...this.#open(`namespace:${k}`) };
  }

  /** HcnQueryNamespaceProperties. */
  async queryNamespaceProperties(
    handle: HcnNamespaceHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    const target = this.#check(handle, "HcnQueryNamespaceProperties");
    return await this.#query("HcnQueryNamespaceProperties", target, query, options, {
      prefix: "namespace:",
      store: this.#namespaces,
      missing: HRESULT.ERROR_NOT_FOUND,
    });
  }

  /** HcnCloseNamespace. */
  closeNamespace(handle: HcnNamespaceHandle): void {
    this.#close(handle, "HcnCloseNamespace");
  }

  /** HcnEnumerateNamespaces. */
  async enumerateNamespaces(query: string, options?: NativeCallOptions): Promise<string> {
    const override = await this.#recorder.play("HcnEnumerateNamespaces", [query], options);
    return override ?? JSON.stringify([...this.#namespaces.keys()]);
  }

  /** HcnOpenEndpoint. */
  async openEndpoint(id: string, options?: NativeCallOptions): Promise<HcnEndpointHandle> {
    await this.#recorder.play("HcnOpenEndpoint", [id], options);
    const k = this.#lookup(
      "HcnOpenEndpoint",
      id,
      this.#endpoints,
      HRESULT.HCN_E_ENDPOINT_NOT_FOUND,
    );
    return { hcnEndpoint: true, ...this.#open(`endpoint:${k}`) };
  }

  /** HcnQueryEndpointProperties. */
  async queryEndpointProperties(
    handle: HcnEndpointHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    const target = this.#check(handle, "HcnQueryEndpointProperties");
    return await this.#query("HcnQueryEndpointProperties", target, query, options, {
      prefix: "endpoint:",
      store: this.#endpoints,
      missing: HRESULT.HCN_E_ENDPOINT_NOT_FOUND,
    });
  }

  /** HcnCloseEndpoint. */
  closeEndpoint(handle: HcnEndpointHandle): void {
    this.#close(handle, "HcnCloseEndpoint");
  }

  /** HcnEnumerateEndpoints. */
  async enumerateEndpoints(query: string, options?: NativeCallOptions): Promise<string> {
    const override = await this.#recorder.play("HcnEnumerateEndpoints", [query], options);
    return override ?? JSON.stringify([...this.#endpoints.keys()]);
  }

  /** A query: the scripted answer if any, else the stored document of the handle's target. */
  async #query(
    call: HcnCallName,
    target: string,
    query: string,
    options: NativeCallOptions | undefined,
    from: { prefix: string; store: Map<string, string>; missing: number },
  ): Promise<string> {
    const override = await this.#recorder.play(call, [query], options);
    if (override !== undefined) return override;
    const text = from.store.get(target.slice(from.prefix.length));
    if (text === undefined) throw hresultError(call, from.missing, "");
    return text;
  }

  #lookup(call: string, id: string, store: Map<string, string>, missing: number): string {
    const k = normalizeGuid(id);
    if (k === undefined) throw hresultError(call, HRESULT.HCN_E_GUID_CONVERSION_FAILURE, "");
    if (!store.has(k)) throw hresultError(call, missing, "");
    return k;
  }

  #open(target: string): FakeHcnHandle {
    const serial = ++this.#serial;
    this.#live.set(serial, target);
    return { serial, id: target };
  }

  #check(handle: object, call: string): string {
    const target = this.#live.get(serialOf(handle));
    if (target === undefined) throw hresultError(call, HRESULT.E_HANDLE, "");
    return target;
  }

  #close(handle: object, call: string): void {
    const serial = serialOf(handle);
    const wasLive = this.#live.delete(serial);
    this.#recorder.playSync(call, [String(serial)]);
    if (!wasLive) throw new Error(`fake: handle ${serial} closed twice`);
  }
}

function key(id: string): string {
  return normalizeGuid(id) ?? id.toLowerCase();
}

function idOf(document: JsonObject): string {
  const id = document.ID;
  if (typeof id !== "string") throw new Error("fake: fixture document without ID");
  return id;
}

/** Reads a fixture of adapters/sim/fixtures/ (e.g. "pod-3nic.json"). */
export async function readFixture(name: string): Promise<HcnFixture> {
  const text = await Deno.readTextFile(
    new URL(`../../adapters/sim/fixtures/${name}`, import.meta.url),
  );
  return JSON.parse(text) as HcnFixture;
}
