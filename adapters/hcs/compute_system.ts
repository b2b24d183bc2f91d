/**
 * One utility VM's compute system handle, shared by the VM and guest
 * adapters: opened lazily, kept, closed on dispose. Every call runs under a
 * time limit and HCS failures become podnet's error vocabulary.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  NotFoundError,
  OperationTimeoutError,
  PodnetError,
  VmUnavailableError,
} from "../../domain/errors.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import type { HcsApi, HcsSystemHandle } from "../dll/hcs_api.ts";
import { HRESULT, isGuestGoneHResult, isNotFoundHResult, isVmGoneHResult } from "../dll/hresult.ts";
import { checkTimeoutMs, withTimeLimit } from "../async/time_limit.ts";
import { raceSignal } from "../async/race_signal.ts";
import { foldPropertyKeys } from "./_property_keys.ts";

const logger = getLogger(["podnet", "hcs"]);

function noop(): void {}

/** A signal that never fires. */
const NEVER: AbortSignal = new AbortController().signal;

/**
 * The time limit of one compute system call (a NIC hot-add or hot-remove, a
 * guest request, a properties read) when none is given: 30 seconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_HCS_TIMEOUT_MS } from "@podnet/hcs";
 * console.log(DEFAULT_HCS_TIMEOUT_MS); // 30000
 * ```
 */
export const DEFAULT_HCS_TIMEOUT_MS = 30_000;

/**
 * Options of a {@linkcode ComputeSystem}.
 *
 * @example
 * ```ts
 * import type { ComputeSystemOptions } from "@podnet/hcs/native";
 * const options: ComputeSystemOptions = { timeoutMs: 5_000 };
 * ```
 */
export interface ComputeSystemOptions {
  /** Time limit of each call (including the open it may need), in ms. Default 30 000. */
  readonly timeoutMs?: number;
}

/**
 * What a "not found" HRESULT of one call is about.
 *
 * @example
 * ```ts
 * import type { NotFoundTarget } from "@podnet/hcs/native";
 * const target: NotFoundTarget = { kind: "NIC", id: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0" };
 * ```
 */
export interface NotFoundTarget {
  /** The kind of object ("NIC", "guest NIC"...). */
  readonly kind: string;
  /** Its ID. */
  readonly id: string;
}

/**
 * Options of one {@linkcode ComputeSystem} call.
 *
 * @example
 * ```ts
 * import type { ComputeSystemCallOptions } from "@podnet/hcs/native";
 * const options: ComputeSystemCallOptions = {
 *   signal: AbortSignal.timeout(1_000),
 *   notFound: { kind: "NIC", id: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0" },
 * };
 * ```
 */
export interface ComputeSystemCallOptions extends CallOptions {
  /**
   * Turns a "not found" HRESULT of the call into a `NotFoundError` for this
   * object. Without it such a failure stays an `HResultError`.
   */
  readonly notFound?: NotFoundTarget;
}

/** One opened handle and who is using it. */
interface Lease {
  readonly handle: HcsSystemHandle;
  users: number;
  retired: boolean;
  closed: boolean;
}

/**
 * The compute system (utility VM) handle shared by the VM and guest
 * adapters. The handle is opened on first use (concurrent first uses share
 * one open) and kept; a call that finds the VM gone or the handle invalid
 * drops it (the next call opens a new one). `close()` closes it; a handle in
 * use by a running call is closed when that call settles. After `close()`
 * nothing more is sent: a call that has not reached the DLL yet (waiting for
 * the open, for earlier changes, or just for its turn) fails at once with an
 * `INVALID_STATE` `PodnetError`.
 *
 * Late results: a call cut off by its time limit or its caller's signal may
 * still be running in the DLL (the HcsApi reports it through
 * `onAbandoned`), and an abandoned modify may still take effect. Such calls
 * are this VM's stragglers: every later `modify` (host NIC or guest request)
 * waits until the current stragglers have finished before it is sent, under
 * its own time limit and signal, so a remove can never overtake the add it
 * undoes. A modify whose wait is cut off fails like any call cut off (with
 * `OperationTimeoutError`, or the caller's reason) and is not sent. The
 * handle stays open until every abandoned call using it has finished.
 *
 * Errors of every call: VM gone (or handle invalid) → `VmUnavailableError`;
 * guest connection closed or never made → `GuestUnavailableError`; "not
 * found" → `NotFoundError` when the call names its target (else
 * `HResultError`); time limit → `OperationTimeoutError`; the caller's abort →
 * the signal's reason; anything else → the `HResultError`.
 *
 * @example
 * ```ts
 * import { ComputeSystem } from "@podnet/hcs/native";
 * import type { HcsApi } from "@podnet/hcs/native";
 * declare const hcs: HcsApi;
 * using system = new ComputeSystem(hcs, "uvm-7", { timeoutMs: 10_000 });
 * await system.modify({ GuestRequest: { ResourceType: "Network", RequestType: "Remove" } }, "detach NIC 0f1e");
 * ```
 */
export class ComputeSystem implements Disposable {
  /** The compute system's ID (the utility VM's ID). */
  readonly vmId: string;
  /** The time limit of each call, in ms. */
  readonly timeoutMs: number;
  readonly #hcs: HcsApi;
  #lease: Lease | undefined;
  #opening: Promise<Lease> | undefined;
  #closed = false;
  /** Aborts when `close()` is called: wakes the calls still waiting to be sent. */
  readonly #closing = new AbortController();
  /** Abandoned modify calls still running: settle when they have finished. */
  readonly #stragglers = new Set<Promise<void>>();

  /**
   * Creates the handle holder; nothing is opened until the first call.
   *
   * @param hcs the vmcompute.dll interface
   * @param vmId the compute system's ID
   * @param options the time limit
   */
  constructor(hcs: HcsApi, vmId: string, options: ComputeSystemOptions = {}) {
    if (typeof vmId !== "string" || vmId.trim().length === 0) {
      throw new InvalidArgumentError("vmId", "must be a non-empty string");
    }
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? DEFAULT_HCS_TIMEOUT_MS);
    this.#hcs = hcs;
    this.vmId = vmId;
    this.timeoutMs = timeoutMs;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closed;
  }

  /** Whether a handle is currently held (opened and not yet dropped). */
  get hasHandle(): boolean {
    return this.#lease !== undefined;
  }

  /**
   * Modify calls whose callers stopped waiting (time limit or abort) and
   * that still run in the DLL; the next modify waits for them.
   */
  get stragglers(): number {
    return this.#stragglers.size;
  }

  /**
   * Sends a modify document (HcsModifyComputeSystem), once the stragglers of
   * earlier modify calls have finished.
   *
   * @param document the configuration document
   * @param describe what the call does, for messages ("attach NIC 3f2a...")
   * @param options signal and not-found target
   */
  modify(
    document: JsonObject,
    describe: string,
    options: ComputeSystemCallOptions = {},
  ): Promise<void> {
    const text = JSON.stringify(document);
    return this.#run(describe, options, true, async (handle, signal, onAbandoned) => {
      await this.#hcs.modifyComputeSystem(handle, text, { signal, onAbandoned });
    });
  }

  /**
   * Reads properties (HcsGetComputeSystemProperties) and parses them. A
   * result that is not a JSON object is an `InvalidHostDataError`.
   *
   * @param query the property query document
   * @param describe what the call does, for messages
   * @param options signal and not-found target
   */
  properties(
    query: JsonObject,
    describe: string,
    options: ComputeSystemCallOptions = {},
  ): Promise<JsonObject> {
    const text = JSON.stringify(query);
    return this.#run(describe, options, false, async (handle, signal, onAbandoned) => {
      const result = await this.#hcs.getComputeSystemProperties(handle, text, {
        signal,
        onAbandoned,
      });
      return this.#parseObject(result);
    });
  }

  /**
   * Opens the handle now, if none is held, so that later calls need not
   * wait for the open. Changes nothing on the VM. An abort stops the wait
   * for an open that another call started, never an open this call started
   * (it runs to its own time limit, so no open outlives its caller).
   *
   * @param options signal
   */
  async connect(options: CallOptions = {}): Promise<void> {
    const describe = "open the compute system";
    if (this.#closed) throw this.#closedError(describe);
    options.signal?.throwIfAborted();
    let lease: Lease;
    try {
      lease = await this.#acquire(describe, options.signal ?? NEVER);
    } catch (error) {
      throw await this.#mapOpenError(error, describe);
    }
    this.#release(lease);
  }

  /**
   * Closes the handle (at once, or when the calls using it, abandoned ones
   * included, have finished). Calls not yet sent fail at once and are never
   * sent. Idempotent.
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    const lease = this.#lease;
    if (lease) this.#retire(lease);
    this.#closing.abort();
  }

  /** Same as {@linkcode ComputeSystem.close}. */
  [Symbol.dispose](): void {
    this.close();
  }

  async #run<T>(
    describe: string,
    options: ComputeSystemCallOptions,
    ordered: boolean,
    call: (
      handle: HcsSystemHandle,
      signal: AbortSignal,
      onAbandoned: (settled: Promise<void>) => void,
    ) => Promise<T>,
  ): Promise<T> {
    if (this.#closed) throw this.#closedError(describe);
    return await withTimeLimit(describe, this.timeoutMs, options.signal, async (signal) => {
      let lease: Lease;
      try {
        lease = await this.#acquire(describe, signal);
      } catch (error) {
        throw await this.#mapOpenError(error, describe);
      }
      try {
        if (ordered) await this.#awaitStragglers(describe, signal);
        // Closed while this call waited (for the open, earlier changes or
        // just its turn): the owner is done with this VM; send nothing new.
        if (this.#closed) throw this.#closedError(describe);
        let reported = false;
        return await call(lease.handle, signal, (settled) => {
          if (reported) return;
          reported = true;
          this.#abandoned(lease, settled, ordered);
        });
      } catch (error) {
        if (error instanceof HResultError && isVmGoneHResult(error.hresult)) {
          logger.debug("Dropping the handle of VM {vmId}: {describe} found it gone", {
            vmId: this.vmId,
            describe,
            hresult: error.hex,
          });
          this.#retire(lease);
        }
        throw await this.#mapCallError(error, describe, options.notFound);
      } finally {
        this.#release(lease);
      }
    });
  }

  /**
   * Waits, under `signal`, until no abandoned modify of this VM still runs.
   * Loops: a call abandoned during the wait started before this one too.
   */
  async #awaitStragglers(describe: string, signal: AbortSignal): Promise<void> {
    if (this.#stragglers.size === 0) return;
    logger.warn(
      "{describe} waits for {count} earlier change(s) to VM {vmId} that timed out or were " +
        "aborted but still run",
      { vmId: this.vmId, describe, count: this.#stragglers.size },
    );
    try {
      const wait = AbortSignal.any([signal, this.#closing.signal]);
      while (this.#stragglers.size > 0 && !this.#closed) {
        await raceSignal(Promise.all(this.#stragglers), wait);
      }
    } catch (error) {
      // close() woke the wait: the call fails as any call after close() does.
      if (this.#closed && !signal.aborted) throw this.#closedError(describe);
      // The caller gets this failure; say it once, there.
      logger.debug(
        "Not sending {describe}: an earlier change to VM {vmId} still runs",
        { vmId: this.vmId, describe, error },
      );
      throw error;
    }
  }

  /**
   * A call stopped waiting while its DLL work runs on: it keeps the handle
   * in use until that work has finished, and a modify becomes a straggler.
   */
  #abandoned(lease: Lease, settled: Promise<void>, ordered: boolean): void {
    lease.users++;
    const finished: Promise<void> = settled.then(noop, noop).then(() => {
      this.#stragglers.delete(finished);
      this.#release(lease);
    });
    if (ordered) this.#stragglers.add(finished);
  }

  async #acquire(describe: string, signal: AbortSignal): Promise<Lease> {
    for (;;) {
      if (this.#closed) throw this.#closedError(describe);
      const held = this.#lease;
      if (held && !held.retired) {
        held.users++;
        return held;
      }
      const joined = this.#opening !== undefined;
      this.#opening ??= this.#open();
      try {
        await raceSignal(this.#opening, AbortSignal.any([signal, this.#closing.signal]));
      } catch (error) {
        // close() woke the wait; the open goes on and closes what it gets.
        if (this.#closed && !signal.aborted) throw this.#closedError(describe);
        // An open started by an earlier caller ran out of its own time: that
        // says nothing about ours, so try a fresh open while time is left.
        if (!joined || !(error instanceof OperationTimeoutError) || signal.aborted) throw error;
        continue;
      }
      // Loop: the new lease may already be retired, or close() ran meanwhile.
    }
  }

  async #open(): Promise<Lease> {
    try {
      const handle = await withTimeLimit(
        `open compute system ${this.vmId}`,
        this.timeoutMs,
        undefined,
        (signal) => this.#hcs.openComputeSystem(this.vmId, { signal }),
      );
      const lease: Lease = { handle, users: 0, retired: false, closed: false };
      logger.debug("Opened the compute system of VM {vmId}", { vmId: this.vmId });
      if (this.#closed) {
        lease.retired = true;
        this.#closeHandle(lease);
      } else {
        this.#lease = lease;
      }
      return lease;
    } finally {
      this.#opening = undefined;
    }
  }

  #release(lease: Lease): void {
    lease.users--;
    if (lease.retired && lease.users === 0) this.#closeHandle(lease);
  }

  #retire(lease: Lease): void {
    lease.retired = true;
    if (this.#lease === lease) this.#lease = undefined;
    if (lease.users === 0) this.#closeHandle(lease);
  }

  #closeHandle(lease: Lease): void {
    if (lease.closed) return;
    lease.closed = true;
    try {
      this.#hcs.closeComputeSystem(lease.handle);
      logger.debug("Closed the compute system of VM {vmId}", { vmId: this.vmId });
    } catch (error) {
      // A handle the VM took with it may refuse to close; nothing else to do.
      logger.debug("Cannot close the compute system of VM {vmId}: {error}", {
        vmId: this.vmId,
        error,
      });
    }
  }

  #closedError(describe: string): PodnetError {
    return new PodnetError(
      "INVALID_STATE",
      describe,
      `the compute system handle of VM ${this.vmId} is closed`,
    );
  }

  async #mapOpenError(error: unknown, describe: string): Promise<unknown> {
    if (!(error instanceof HResultError)) return error;
    // A compute system that a fresh open cannot find is a VM that is gone.
    if (isNotFoundHResult(error.hresult) || error.hresult === HRESULT.HCS_E_SYSTEM_NOT_FOUND) {
      return new VmUnavailableError(describe, "the VM is gone", { cause: error });
    }
    return await this.#mapCallError(error, describe, undefined);
  }

  /**
   * Turns an HCS failure into podnet's vocabulary. A code that says "VM
   * gone" or "guest gone" is only a hint (a paused, saving or migrating VM
   * answers HCS_E_INVALID_STATE too, and a handle can be closed while the VM
   * runs): it becomes `VmUnavailableError` / `GuestUnavailableError` only
   * when a fresh look confirms it, else the `HResultError` stays (the step
   * failed, nothing changed, it can be retried).
   */
  async #mapCallError(
    error: unknown,
    describe: string,
    notFound: NotFoundTarget | undefined,
  ): Promise<unknown> {
    if (!(error instanceof HResultError)) return error;
    const code = error.hresult;
    if (isVmGoneHResult(code)) {
      const look = await this.#freshLook("vm");
      if (look.gone) {
        return new VmUnavailableError(describe, "the VM is gone", { cause: error });
      }
      logger.warn(
        "VM {vmId} answered {hresult} to {describe}, but a fresh look finds it {state}: " +
          "not counted as gone",
        { vmId: this.vmId, describe, hresult: error.hex, state: look.state },
      );
      return error;
    }
    if (isGuestGoneHResult(code)) {
      const look = await this.#freshLook("guest");
      if (look.gone) {
        const why = code === HRESULT.HCS_E_CONNECT_FAILED
          ? "the guest connection was never made"
          : "the guest connection is closed";
        return new GuestUnavailableError(describe, why, { cause: error });
      }
      logger.warn(
        "VM {vmId} answered {hresult} to {describe}, but a fresh look finds the guest " +
          "connected: not counted as gone",
        { vmId: this.vmId, describe, hresult: error.hex, state: look.state },
      );
      return error;
    }
    if (notFound && isNotFoundHResult(code)) {
      return new NotFoundError(notFound.kind, notFound.id, { cause: error });
    }
    return error;
  }

  /**
   * Looks at the VM afresh, through a new handle: it is gone when the open
   * cannot find it or its properties say it stopped; its guest is gone
   * when, besides, the GuestConnection property has no connection. A look
   * that cannot be completed confirms nothing.
   */
  async #freshLook(kind: "vm" | "guest"): Promise<{ gone: boolean; state: string }> {
    const describe = `look at compute system ${this.vmId} again`;
    let handle: HcsSystemHandle;
    try {
      handle = await withTimeLimit(
        describe,
        this.timeoutMs,
        undefined,
        (signal) => this.#hcs.openComputeSystem(this.vmId, { signal }),
      );
    } catch (error) {
      const gone = error instanceof HResultError &&
        (isNotFoundHResult(error.hresult) || error.hresult === HRESULT.HCS_E_SYSTEM_NOT_FOUND);
      return { gone, state: gone ? "not found" : "unknown" };
    }
    try {
      const query = kind === "guest" ? { PropertyTypes: ["GuestConnection"] } : {};
      const text = await withTimeLimit(
        describe,
        this.timeoutMs,
        undefined,
        (signal) => this.#hcs.getComputeSystemProperties(handle, JSON.stringify(query), { signal }),
      );
      const properties = this.#parseObject(text);
      const state = typeof properties.State === "string" ? properties.State : "unknown";
      if (properties.Stopped === true || state === "Stopped") return { gone: true, state };
      if (kind === "vm") return { gone: false, state };
      return { gone: properties.GuestConnectionInfo == null, state };
    } catch (error) {
      // A fresh handle that finds the VM stopped is proof too.
      const gone = error instanceof HResultError &&
        (error.hresult === HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED ||
          error.hresult === HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED_WARNING ||
          error.hresult === HRESULT.HCS_E_SYSTEM_NOT_FOUND);
      return { gone, state: gone ? "Stopped" : "unknown" };
    } finally {
      try {
        this.#hcs.closeComputeSystem(handle);
      } catch {
        // Closing a handle of a VM that went meanwhile may fail; nothing to do.
      }
    }
  }

  #parseObject(text: string): JsonObject {
    const what = `the properties of compute system ${this.vmId}`;
    let value: JsonValue;
    try {
      value = JSON.parse(text) as JsonValue;
    } catch (error) {
      throw new InvalidHostDataError(what, "document", "is not valid JSON", { cause: error });
    }
    if (typeof value !== "object" || value === null || Array.isArray(value)) {
      throw new InvalidHostDataError(what, "document", "is not a JSON object");
    }
    // Keys matched regardless of case, as hcsshim's decoder matches them.
    return foldPropertyKeys(value);
  }
}
