import { InvalidArgumentError } from "../../domain/errors.ts";
import type { FaultAction, FaultPlan, FaultSpec, PendingFault } from "./fault_plan.ts";
import { CLOSE_CALLS, isSimOp } from "./operations.ts";

/** A fault in the queue. */
export interface Armed {
  /** Injection order: the first injected fires first when several are due. */
  readonly order: number;
  /** The `clear()` generation it was injected in. */
  readonly generation: number;
  readonly on: string;
  readonly nth: number;
  seen: number;
  readonly action: FaultAction;
}

function checkAction(action: unknown): FaultAction {
  if (typeof action !== "object" || action === null || !("type" in action)) {
    throw new InvalidArgumentError("fault.action", "must be an object with a type");
  }
  const a = action as { type: unknown; hresult?: unknown; message?: unknown; applied?: unknown };
  switch (a.type) {
    case "hresult": {
      if (typeof a.hresult !== "number" || !Number.isInteger(a.hresult)) {
        throw new InvalidArgumentError("fault.action.hresult", "must be an integer");
      }
      if ((a.hresult | 0) >= 0) {
        throw new InvalidArgumentError("fault.action.hresult", "must be a failure HRESULT");
      }
      if (a.message !== undefined && typeof a.message !== "string") {
        throw new InvalidArgumentError("fault.action.message", "must be a string");
      }
      return a.message === undefined
        ? { type: "hresult", hresult: a.hresult >>> 0 }
        : { type: "hresult", hresult: a.hresult >>> 0, message: a.message };
    }
    case "crash":
    case "hang":
      if (a.applied !== undefined && typeof a.applied !== "boolean") {
        throw new InvalidArgumentError("fault.action.applied", "must be a boolean");
      }
      return a.applied === undefined ? { type: a.type } : { type: a.type, applied: a.applied };
    case "vm-gone":
    case "guest-gone":
      return { type: a.type };
    default:
      throw new InvalidArgumentError("fault.action.type", `unknown fault type ${String(a.type)}`);
  }
}

/** A fault as a host's state keeps it. */
export interface ArmedState extends PendingFault {
  /** Injection order. */
  readonly order: number;
}

/** The fault queue as a host's state keeps it. */
export interface FaultQueueState {
  /** The order the next injected fault gets. */
  readonly next: number;
  /** How many times `clear()` was called. */
  readonly clears: number;
  /** The faults that have not fired, in injection order. */
  readonly armed: readonly ArmedState[];
}

/** Checks a fault spec as `inject` does. */
function checkSpec(fault: FaultSpec): { on: string; nth: number; action: FaultAction } {
  const on: unknown = fault?.on;
  if (typeof on !== "string" || (on !== "*" && !isSimOp(on))) {
    throw new InvalidArgumentError("fault.on", `unknown operation ${String(on)}`);
  }
  if ((CLOSE_CALLS as readonly string[]).includes(on)) {
    throw new InvalidArgumentError("fault.on", `${on} is never faulted`);
  }
  const nth: unknown = fault.nth ?? 1;
  if (typeof nth !== "number" || !Number.isInteger(nth) || nth < 1) {
    throw new InvalidArgumentError("fault.nth", "must be a positive integer");
  }
  return { on, nth, action: checkAction(fault.action) };
}

/** The fault plan's implementation: counts calls and hands out due faults. */
export class FaultQueue implements FaultPlan {
  #armed: Armed[] = [];
  #injected = 0;
  #generation = 0;

  /** The queue as plain data. */
  exportState(): FaultQueueState {
    return {
      next: this.#injected,
      clears: this.#generation,
      armed: this.#armed.map((f) => ({
        order: f.order,
        on: f.on,
        nth: f.nth,
        seen: f.seen,
        action: structuredClone(f.action),
      })),
    };
  }

  /**
   * Replaces the queue with one from a host's state; each fault is checked
   * as `inject` checks it. Nothing changes when one is rejected.
   */
  loadState(state: FaultQueueState): void {
    const armed: Armed[] = state.armed.map((f) => {
      const checked = checkSpec(f);
      const seen: unknown = f.seen;
      if (typeof seen !== "number" || !Number.isInteger(seen) || seen < 0) {
        throw new InvalidArgumentError("fault.seen", "must be an integer >= 0");
      }
      return { ...checked, order: f.order, generation: state.clears, seen };
    });
    this.#armed = armed;
    this.#injected = state.next;
    this.#generation = state.clears;
  }

  inject(fault: FaultSpec): void {
    const checked = checkSpec(fault);
    this.#armed.push({
      ...checked,
      order: this.#injected++,
      generation: this.#generation,
      seen: 0,
    });
  }

  clear(): void {
    this.#armed = [];
    this.#generation++;
  }

  get pending(): readonly PendingFault[] {
    return this.#armed.map((f) => ({ on: f.on, nth: f.nth, seen: f.seen, action: f.action }));
  }

  /** Counts one (non-close) call and returns the fault that fires on it, if any. */
  take(call: string, op: string): Armed | undefined {
    if (this.#armed.length === 0) return undefined;
    let due: number | undefined;
    for (let i = 0; i < this.#armed.length; i++) {
      const f = this.#armed[i];
      if (f === undefined) continue;
      if (f.on !== "*" && f.on !== op && f.on !== call) continue;
      f.seen++;
      if (due === undefined && f.seen >= f.nth) due = i;
    }
    if (due === undefined) return undefined;
    const [fired] = this.#armed.splice(due, 1);
    return fired;
  }

  /**
   * Puts back a fault taken by a call that never reached the host (its
   * signal aborted during its latency): it stays due and fires on the next
   * call it matches. A fault dropped by `clear()` meanwhile stays dropped.
   */
  restore(fault: Armed): void {
    if (fault.generation !== this.#generation) return;
    const at = this.#armed.findIndex((f) => f.order > fault.order);
    this.#armed.splice(at < 0 ? this.#armed.length : at, 0, fault);
  }
}
