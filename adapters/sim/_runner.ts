import { getLogger } from "@logtape/logtape";
import { HResultError } from "../../domain/errors.ts";
import type { Armed, FaultQueue } from "./_fault_queue.ts";
import type { LatencyModel } from "./_latency_model.ts";
import { latencySleep } from "./_latency_sleep.ts";
import { callFailure } from "./_records.ts";
import type { World } from "./_world.ts";
import { SimulatedCrashError } from "./simulated_crash_error.ts";
import type { TraceEntry, TraceOutcome } from "./trace_entry.ts";

type Mutable<T> = { -readonly [K in keyof T]: T[K] };

/** One call as the runner sees it. */
export interface CallContext {
  readonly call: string;
  readonly op: string;
  readonly target: string | undefined;
  readonly signal: AbortSignal | undefined;
}

/** What a fault can do to the host besides the call. */
export interface HostControl {
  stopVm(): void;
  disconnectGuest(): void;
}

/**
 * Runs a piece of work on the host's world as one transaction: for a host
 * kept in a file, it reloads the world before and writes it after, under the
 * file's lock. For a host in memory it just runs the work.
 */
export type Transaction = <T>(work: () => T) => T;

/** What the first half of a call decided. */
type Start<T> =
  | { readonly kind: "hang" }
  | { readonly kind: "wait"; readonly taken: Armed | undefined; readonly delay: number }
  | { readonly kind: "done"; readonly value: T };

const log = getLogger(["podnet", "sim"]);

function hangUntilAborted(signal: AbortSignal | undefined): Promise<never> {
  return new Promise((_resolve, reject) => {
    if (signal === undefined) return; // hangs forever, by design
    if (signal.aborted) {
      reject(signal.reason);
      return;
    }
    signal.addEventListener("abort", () => reject(signal.reason), { once: true });
  });
}

/**
 * Runs every simulated call the same way: abort check, fault, latency,
 * effect, trace. The fault and the effect each run inside a transaction;
 * the latency and a hang are waited outside, so a host shared through a file
 * is never locked while a call waits.
 */
export class Runner {
  constructor(
    private readonly world: World,
    private readonly faults: FaultQueue,
    private readonly latency: LatencyModel,
    private readonly host: HostControl,
    private readonly transaction: Transaction = (work) => work(),
  ) {}

  /** Appends one trace entry. */
  record(ctx: CallContext, outcome: TraceOutcome, hresult?: number, latencyMs = 0): void {
    const trace = this.world.trace;
    const entry: Mutable<TraceEntry> = {
      seq: trace.length + 1,
      call: ctx.call,
      op: ctx.op,
      outcome,
    };
    if (ctx.target !== undefined) entry.target = ctx.target;
    if (hresult !== undefined) entry.hresult = hresult;
    if (latencyMs > 0) entry.latencyMs = latencyMs;
    trace.push(entry);
  }

  /**
   * Runs an asynchronous DLL call. `effect` checks and applies the call on
   * the world (throwing an `HResultError` when the host says no); `discard`
   * undoes what a caller that never gets the answer can never use (a handle
   * it never received).
   */
  async run<T>(ctx: CallContext, effect: () => T, discard?: (value: T) => void): Promise<T> {
    ctx.signal?.throwIfAborted();
    const start = this.transaction((): Start<T> => {
      const taken = this.faults.take(ctx.call, ctx.op);
      const fault = taken?.action;
      if (fault?.type === "vm-gone") this.host.stopVm();
      if (fault?.type === "guest-gone") this.host.disconnectGuest();
      if (fault?.type === "hang") {
        if (fault.applied === true) applyUnseen(effect, discard);
        this.record(ctx, "hang");
        return { kind: "hang" };
      }
      const delay = this.latency.delayMs(ctx.call, ctx.op);
      if (delay > 0) return { kind: "wait", taken, delay };
      return { kind: "done", value: this.#finish(ctx, taken, effect, discard, 0) };
    });
    if (start.kind === "done") return start.value;
    if (start.kind === "hang") {
      const held = this.world.trace.at(-1);
      log.info("{call} ({op}) is held by a hang fault", {
        call: ctx.call,
        op: ctx.op,
        target: ctx.target,
        seq: held?.seq,
      });
      return await hangUntilAborted(ctx.signal);
    }
    const { taken, delay } = start;
    try {
      await latencySleep(delay, ctx.signal);
    } catch (reason) {
      // The call never reached the host: a failure or crash due on it
      // stays due for the next call it matches (a lost VM or guest is
      // already lost).
      this.transaction(() => {
        const type = taken?.action.type;
        if (taken !== undefined && (type === "hresult" || type === "crash")) {
          this.faults.restore(taken);
        }
        this.record(ctx, "aborted", undefined, delay);
      });
      throw reason;
    }
    return this.transaction(() => this.#finish(ctx, taken, effect, discard, delay));
  }

  /** Runs a synchronous close call: never delayed, never faulted, touches only this process's handles. */
  runSync<T>(ctx: CallContext, effect: () => T): T {
    return this.#apply(ctx, effect);
  }

  /** The second half of a call: the failure or crash due on it, or its effect. */
  #finish<T>(
    ctx: CallContext,
    taken: Armed | undefined,
    effect: () => T,
    discard: ((value: T) => void) | undefined,
    delay: number,
  ): T {
    const fault = taken?.action;
    if (fault?.type === "hresult") {
      const message = fault.message ?? `Simulated failure of ${ctx.op}`;
      this.record(ctx, "error", fault.hresult, delay);
      throw callFailure(ctx.call, fault.hresult, message);
    }
    if (fault?.type === "crash") {
      const applied = fault.applied ?? true;
      if (applied) applyUnseen(effect, discard);
      this.record(ctx, "crash", undefined, delay);
      throw new SimulatedCrashError(ctx.call, ctx.op, applied);
    }
    return this.#apply(ctx, effect, delay);
  }

  #apply<T>(ctx: CallContext, effect: () => T, delay = 0): T {
    let value: T;
    try {
      value = effect();
    } catch (err) {
      this.record(ctx, "error", err instanceof HResultError ? err.hresult : undefined, delay);
      throw err;
    }
    this.record(ctx, "ok", undefined, delay);
    return value;
  }
}

/** Applies a call whose caller never sees the outcome (a crash, a lost answer). */
function applyUnseen<T>(effect: () => T, discard: ((value: T) => void) | undefined): void {
  try {
    const value = effect();
    discard?.(value);
  } catch {
    // the caller never sees this failure either
  }
}
