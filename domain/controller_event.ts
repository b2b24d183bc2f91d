/**
 * What a controller reports while it works, for progress displays and
 * metrics (logs go through LogTape separately).
 *
 * @module
 */
import type { ControllerOperation, ControllerState } from "./state.ts";
import type { ControllerStep } from "./steps.ts";

/**
 * How a step went: `start`; `done`; `skipped` (the adapter had nothing to
 * do, or the step was never started so there is nothing to undo); `gone`
 * (the VM or guest is gone, counted as done); `failed`.
 *
 * @example
 * ```ts
 * import type { StepPhase } from "@podnet/hcs";
 * const p: StepPhase = "gone";
 * ```
 */
export type StepPhase = "start" | "done" | "skipped" | "gone" | "failed";

/**
 * An event of a controller.
 *
 * @example
 * ```ts
 * import type { ControllerEvent } from "@podnet/hcs";
 * function show(e: ControllerEvent): string {
 *   return e.type === "transition" ? `${e.from} -> ${e.to}` : `${e.step} ${e.phase}`;
 * }
 * ```
 */
export type ControllerEvent =
  | {
    readonly type: "transition";
    readonly operation: ControllerOperation | "import";
    readonly from: ControllerState | null;
    readonly to: ControllerState;
  }
  | {
    readonly type: "step";
    readonly step: ControllerStep;
    readonly phase: StepPhase;
    readonly nicId?: string;
    readonly endpointId?: string;
    readonly endpointName?: string;
    readonly error?: unknown;
  };
