/**
 * The error a crash fault throws in place of a call's outcome.
 *
 * @module
 */

/**
 * Thrown by a simulated call that a `{ type: "crash" }` fault hit: it stands
 * for the caller's process dying during the call, so the caller never learns
 * whether the call took effect. Deliberately not a `PodnetError`: code under
 * test must not mistake it for an answer from the host.
 *
 * @example
 * ```ts
 * import { SimulatedCrashError } from "@podnet/hcs/sim";
 * const err = new SimulatedCrashError("HcsModifyComputeSystem", "vm.add-nic", true);
 * console.log(err.op, err.applied); // vm.add-nic true
 * ```
 */
export class SimulatedCrashError extends Error {
  /** The DLL function the crash hit. */
  readonly call: string;
  /** The operation the crash hit. */
  readonly op: string;
  /** Whether the call's effect was applied before the crash. */
  readonly applied: boolean;

  /**
   * Creates the error for a crash during one call.
   *
   * @param call the DLL function
   * @param op the operation
   * @param applied whether the call's effect was applied
   */
  constructor(call: string, op: string, applied: boolean) {
    super(
      `Simulated crash during ${call} (${op}): the caller never learns the outcome ` +
        `(effect ${applied ? "applied" : "not applied"})`,
    );
    this.name = "SimulatedCrashError";
    this.call = call;
    this.op = op;
    this.applied = applied;
  }
}
