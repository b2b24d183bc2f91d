import { HResultError } from "../../../domain/errors.ts";
import type { FaultQueue } from "./_fault_queue.ts";
import type { LatencyModel } from "./_latency_model.ts";
import { callFailure } from "./_records.ts";
import type { World } from "./_world.ts";
import { SimulatedCrashError } from "./simulated_crash_error.ts";
import type { TraceOutcome } from "./trace_entry.ts";

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

function sleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  return new Promise((resolve, reject) => {
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener("abort", onAbort);
      resolve();
    }, ms);
    signal?.addEventListener("abort", onAbort, { once: true });
  });
}

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
 * effect, trace.
 */
export class Runner {
  constructor(
    private readonly world: World,
    private readonly faults: FaultQueue,
    private readonly latency: LatencyModel,
    private readonly host: HostControl,
  ) {}

  /** Appends one trace entry. */
  record(ctx: CallContext, outcome: TraceOutcome, hresult?: number, latencyMs = 0): void {
    const trace = this.world.trace;
    trace.push({
      seq: trace.length + 1,
      call: ctx.call,
      op: ctx.op,
      ...(ctx.target === undefined ? {} : { target: ctx.target }),
      outcome,
      ...(hresult === undefined ? {} : { hresult }),
      ...(latencyMs > 0 ? { latencyMs } : {}),
    });
  }

  /**
   * Runs an asynchronous DLL call. `effect` checks and applies the call on
   * the world (throwing an `HResultError` when the host says no); `discard`
   * undoes what a crashed caller can never use (a handle it never received).
   */
  async run<T>(ctx: CallContext, effect: () => T, discard?: (value: T) => void): Promise<T> {
    ctx.signal?.throwIfAborted();
    const taken = this.faults.take(ctx.call, ctx.op);
    const fault = taken?.action;
    if (fault?.type === "vm-gone") this.host.stopVm();
    if (fault?.type === "guest-gone") this.host.disconnectGuest();
    if (fault?.type === "hang") {
      this.record(ctx, "hang");
      return await hangUntilAborted(ctx.signal);
    }
    const delay = this.latency.delayMs(ctx.call, ctx.op);
    if (delay > 0) {
      try {
        await sleep(delay, ctx.signal);
      } catch (reason) {
        // The call never reached the host: a failure or crash due on it
        // stays due for the next call it matches (a lost VM or guest is
        // already lost).
        if (taken !== undefined && (fault?.type === "hresult" || fault?.type === "crash")) {
          this.faults.restore(taken);
        }
        this.record(ctx, "aborted", undefined, delay);
        throw reason;
      }
    }
    if (fault?.type === "hresult") {
      const message = fault.message ?? `Simulated failure of ${ctx.op}`;
      this.record(ctx, "error", fault.hresult, delay);
      throw callFailure(ctx.call, fault.hresult, message);
    }
    if (fault?.type === "crash") {
      const applied = fault.applied ?? true;
      if (applied) {
        try {
          const value = effect();
          discard?.(value);
        } catch {
          // the caller crashed: it never sees this failure either
        }
      }
      this.record(ctx, "crash", undefined, delay);
      throw new SimulatedCrashError(ctx.call, ctx.op, applied);
    }
    return this.#apply(ctx, effect, delay);
  }

  /** Runs a synchronous close call: never delayed, never faulted. */
  runSync<T>(ctx: CallContext, effect: () => T): T {
    return this.#apply(ctx, effect);
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
