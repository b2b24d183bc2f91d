/**
 * What a step's failure means for the record: the rules every operation
 * shares.
 *
 * - A failure is *definitive* when the host said no, so nothing changed: an
 *   HRESULT (unless the adapter marks it `mayHaveApplied`), "not found",
 *   invalid data or arguments, a VM or guest that is gone. Anything else (a timeout, an abort, a crash, an unexpected
 *   exception) leaves the step's outcome unknown.
 * - Undoing: a VM that is gone took its NICs with it, a guest that is gone
 *   took its configuration (adapters only say "gone" once a fresh look has
 *   confirmed it). "Not found" is believed for a step whose outcome was
 *   unknown; for a step known to be done it is a surprise: the undo failed
 *   and the step becomes unknown, so the next attempt asks again and then
 *   believes a second "not found".
 *
 * @module
 */
import type { StepProgress } from "./binding.ts";
import {
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  NotFoundError,
  VmUnavailableError,
} from "./errors.ts";
import type { TeardownStep } from "./steps.ts";

/** Whether a failed step certainly had no effect (the host said no). */
export function isDefinitive(error: unknown): boolean {
  // A success the DLL reported, refused for the record that came with it,
  // or a failure the adapter knows may leave a change behind: the call may
  // have done (some of) its work.
  if (error instanceof HResultError) return !error.reportedSuccess && !error.mayHaveApplied;
  return error instanceof NotFoundError ||
    error instanceof InvalidArgumentError || error instanceof InvalidHostDataError ||
    error instanceof GuestUnavailableError || error instanceof VmUnavailableError;
}

/** The progress of a step that was started and failed with `error`. */
export function afterFailure(error: unknown): StepProgress {
  return isDefinitive(error) ? "none" : "pending";
}

/**
 * How an undo went: counts as done (`gone` when the VM, guest or object was
 * already gone); failed with nothing changed; failed with an unknown outcome.
 */
export type UndoOutcome = "done" | "gone" | "failed" | "unknown";

/** Classifies the failure of an undo step. `known`: the step was known to be done. */
export function undoOutcome(step: TeardownStep, error: unknown, known: boolean): UndoOutcome {
  if (error instanceof VmUnavailableError) return "gone";
  if (step !== "vm-remove" && error instanceof GuestUnavailableError) return "gone";
  if (error instanceof NotFoundError) return known ? "unknown" : "gone";
  return isDefinitive(error) ? "failed" : "unknown";
}

/** The progress of a step after an undo attempt. */
export function afterUndo(progress: StepProgress, outcome: UndoOutcome): StepProgress {
  if (outcome === "done" || outcome === "gone") return "none";
  if (outcome === "unknown" && progress === "done") return "pending";
  return progress;
}
