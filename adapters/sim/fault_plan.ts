/**
 * Fault plans: failures, hangs, crashes and lost VMs or guests injected at a
 * chosen call of the simulated host.
 *
 * @module
 */

/**
 * What a fault does to the call it hits.
 *
 * - `hresult`: the call fails with that HRESULT (must be a failure code) and
 *   an error record carrying `message`; nothing is applied.
 * - `vm-gone`: the VM stops now (as `SimulatedHost.stopVm()`), then the call
 *   goes on as it would on a stopped VM.
 * - `guest-gone`: the guest connection closes now (as
 *   `SimulatedHost.disconnectGuest()`), then the call goes on.
 * - `hang`: the call never completes; when its `signal` aborts it rejects
 *   with `signal.reason`. Its effect is not applied, unless `applied` is
 *   true: then it is applied first and only the answer is lost, as when a
 *   caller's process dies after Windows did the work. A call made without a
 *   signal hangs forever (its promise never settles).
 * - `crash`: the call's effect is applied (unless `applied` is false), then
 *   the call throws `SimulatedCrashError`.
 *
 * @example
 * ```ts
 * import type { FaultAction } from "@podnet/hcs/sim";
 * const fail: FaultAction = { type: "hresult", hresult: 0x8037010a, message: "connection closed" };
 * const lost: FaultAction = { type: "crash", applied: false };
 * const noAnswer: FaultAction = { type: "hang", applied: true };
 * ```
 */
export type FaultAction =
  | { readonly type: "hresult"; readonly hresult: number; readonly message?: string }
  | { readonly type: "vm-gone" }
  | { readonly type: "guest-gone" }
  | { readonly type: "hang"; readonly applied?: boolean }
  | { readonly type: "crash"; readonly applied?: boolean };

/**
 * A fault to inject. `on` is an operation name (`"vm.add-nic"`), a DLL
 * function name (`"HcsModifyComputeSystem"`) or `"*"` (any call except the
 * close calls, which are never faulted). `nth` (from 1, default 1) counts the
 * matching calls made after the injection; the fault fires once, at that
 * call. A call whose signal aborts during its latency never reaches the
 * host: an `hresult` or `crash` fault due on it stays due and fires on the
 * next call it matches (`vm-gone` and `guest-gone` took effect already).
 *
 * @example
 * ```ts
 * import type { FaultSpec } from "@podnet/hcs/sim";
 * const second: FaultSpec = { on: "vm.add-nic", nth: 2, action: { type: "vm-gone" } };
 * ```
 */
export interface FaultSpec {
  /** An operation name, a DLL function name, or `"*"`. */
  readonly on: string;
  /** Which matching call (from 1) it hits; default 1. */
  readonly nth?: number;
  /** What it does. */
  readonly action: FaultAction;
}

/**
 * A fault that has not fired yet.
 *
 * @example
 * ```ts
 * import type { PendingFault } from "@podnet/hcs/sim";
 * const p: PendingFault = { on: "*", nth: 3, seen: 1, action: { type: "hang" } };
 * ```
 */
export interface PendingFault {
  /** What it matches. */
  readonly on: string;
  /** Which matching call it hits. */
  readonly nth: number;
  /** How many matching calls it has counted so far. */
  readonly seen: number;
  /** What it does. */
  readonly action: FaultAction;
}

/**
 * The fault plan of a simulated host. Faults count calls independently; when
 * several are due on the same call, the one injected first fires and the
 * others stay due and fire on the next calls they match.
 *
 * @example
 * ```ts
 * import { SimulatedHost } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.faults.inject({ on: "vm.add-nic", action: { type: "hresult", hresult: 0x80070057 } });
 * console.log(host.faults.pending.length); // 1
 * host.faults.clear();
 * ```
 */
export interface FaultPlan {
  /**
   * Adds a fault. Throws `InvalidArgumentError` for an unknown `on`, a close
   * call, an `nth` that is not a positive integer, or a malformed action.
   */
  inject(fault: FaultSpec): void;
  /** Drops every fault that has not fired. */
  clear(): void;
  /** The faults that have not fired yet, in injection order. */
  readonly pending: readonly PendingFault[];
}
