/**
 * One record of the simulated host's call trace.
 *
 * @module
 */

/**
 * How a traced call ended: `"ok"`, `"error"` (it failed with an HRESULT),
 * `"hang"` (a hang fault held it; it ended only if its signal aborted),
 * `"crash"` (a crash fault threw `SimulatedCrashError`) or `"aborted"` (its
 * signal aborted during a latency wait, before it reached the host: no
 * effect).
 *
 * @example
 * ```ts
 * import type { TraceOutcome } from "@podnet/hcs/sim";
 * const outcome: TraceOutcome = "ok";
 * ```
 */
export type TraceOutcome = "ok" | "error" | "hang" | "crash" | "aborted";

/**
 * One call the simulated host received. A call whose signal had already
 * aborted when it was made is rejected at once and not traced.
 *
 * @example
 * ```ts
 * import type { TraceEntry } from "@podnet/hcs/sim";
 * const entry: TraceEntry = {
 *   seq: 1, call: "HcsModifyComputeSystem", op: "vm.add-nic",
 *   target: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", outcome: "ok",
 * };
 * ```
 */
export interface TraceEntry {
  /** Position in the trace, from 1 (the order calls ended, or began to hang). */
  readonly seq: number;
  /** The DLL function, e.g. `"HcsModifyComputeSystem"`. */
  readonly call: string;
  /** The operation: the DLL function, or the classified modify request (`"vm.add-nic"`...). */
  readonly op: string;
  /** The namespace, endpoint, NIC or compute system the call addressed, when known. */
  readonly target?: string;
  /** How the call ended. */
  readonly outcome: TraceOutcome;
  /** The HRESULT (unsigned) of a call that failed with one. */
  readonly hresult?: number;
  /** The simulated latency the call waited, in milliseconds, when it waited any. */
  readonly latencyMs?: number;
}
