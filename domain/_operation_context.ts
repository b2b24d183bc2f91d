/**
 * What the parts of an operation share: the ports, the pod's record, the
 * step runner and the limits.
 *
 * @module
 */
import type { ControllerSettings } from "./controller_options.ts";
import { CancelledError } from "./errors.ts";
import type { PodRecord } from "./_pod_record.ts";
import type { Recorder } from "./_recorder.ts";
import type { StepRunner } from "./_step_runner.ts";
import type { ControllerState } from "./state.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";

/** The context of one running operation. */
export interface OperationContext {
  readonly ports: NetworkPorts;
  readonly record: PodRecord;
  readonly recorder: Recorder;
  readonly runner: StepRunner;
  readonly settings: ControllerSettings;
  /** The operation's signal: the caller's, and a teardown that preempts it. */
  readonly signal: AbortSignal | undefined;
}

/** Why an operation stopped early, when its signal fired; else `undefined`. */
export function stopReason(
  operation: string,
  signal: AbortSignal | undefined,
): CancelledError | undefined {
  if (!signal?.aborted) return undefined;
  const reason = signal.reason;
  if (reason instanceof CancelledError) return reason;
  return new CancelledError(operation, abortReason(reason), { cause: reason });
}

/**
 * Why an abort happened, in podnet's words (the signal's reason, the
 * `cause`, has its own): a deadline that passed, or the caller.
 */
export function abortReason(reason: unknown): string {
  const name = typeof reason === "object" && reason !== null
    ? (reason as { name?: unknown }).name
    : undefined;
  return name === "TimeoutError" ? "its deadline passed" : "the caller aborted it";
}

/**
 * What an operation's body needs from its controller besides the context:
 * moving the state (logged and evented), writing or deleting the record,
 * and a context under another signal (setup's rollback runs under the
 * teardown's takeover signal, not the caller's).
 */
export interface ControllerHooks {
  /** Ends the running operation in state `to` (logged, evented). */
  end(to: ControllerState): void;
  /** Writes the record; a failure is logged (the pod goes on). */
  persist(): Promise<void>;
  /** Deletes the record; a failure is logged. */
  forget(): Promise<void>;
  /** Aborted when a teardown takes over the running operation. */
  readonly takeover: AbortSignal | undefined;
  /** The same context under another signal. */
  withSignal(signal: AbortSignal | undefined): OperationContext;
}
