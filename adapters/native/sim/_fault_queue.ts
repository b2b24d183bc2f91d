import { InvalidArgumentError } from "../../../domain/errors.ts";
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
      if (a.applied !== undefined && typeof a.applied !== "boolean") {
        throw new InvalidArgumentError("fault.action.applied", "must be a boolean");
      }
      return a.applied === undefined ? { type: "crash" } : { type: "crash", applied: a.applied };
    case "vm-gone":
    case "guest-gone":
    case "hang":
      return { type: a.type };
    default:
      throw new InvalidArgumentError("fault.action.type", `unknown fault type ${String(a.type)}`);
  }
}

/** The fault plan's implementation: counts calls and hands out due faults. */
export class FaultQueue implements FaultPlan {
  #armed: Armed[] = [];
  #injected = 0;
  #generation = 0;

  inject(fault: FaultSpec): void {
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
    const action = checkAction(fault.action);
    this.#armed.push({
      order: this.#injected++,
      generation: this.#generation,
      on,
      nth,
      seen: 0,
      action,
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
