/**
 * Runs one step of an operation and reports it: the event, the log record,
 * and the progress in the pod's record (written before a step whose outcome
 * could be unknown starts; its success rides on the next write).
 *
 * @module
 */
import type { Logger } from "@logtape/logtape";
import type { StepProgress } from "./binding.ts";
import type { ControllerEvent, StepPhase } from "./controller_event.ts";
import { NotFoundError, TeardownStepError } from "./errors.ts";
import type { BindingRecord, PodRecord } from "./_pod_record.ts";
import type { IovSettings } from "./iov.ts";
import type { Recorder } from "./_recorder.ts";
import type { ControllerStep, NicStep, TeardownStep } from "./steps.ts";
import { afterFailure, type UndoOutcome, undoOutcome } from "./_undo_policy.ts";
import { endSpan, startStepSpan } from "./_tracing.ts";
import type { Span } from "@opentelemetry/api";

/** What the runner needs from its controller. */
export interface StepContext {
  readonly record: PodRecord;
  readonly recorder: Recorder;
  readonly log: Logger;
  /** Delivers an event; undefined when nobody listens (no event is built then). */
  readonly emit: ((event: ControllerEvent) => void) | undefined;
}

/**
 * What a changing step records its progress in: a NIC step of a binding,
 * the guest namespace, or a binding's IOV settings (`settings` are recorded
 * with the progress; a definitive failure puts back what was recorded).
 */
export type ChangeTarget =
  | { readonly binding: BindingRecord; readonly step: NicStep }
  | { readonly namespace: true }
  | { readonly binding: BindingRecord; readonly iov: IovSettings };

/** The IDs a step is about. */
export interface StepSubject {
  readonly nicId?: string;
  readonly endpointId?: string;
  readonly endpointName?: string;
}

/** Runs steps for one controller. */
export class StepRunner {
  readonly #ctx: StepContext;
  /** The span of the operation running now: the parent of its steps' spans. */
  span: Span | undefined;

  constructor(ctx: StepContext) {
    this.#ctx = ctx;
  }

  /** The controller's logger. */
  get log(): Logger {
    return this.#ctx.log;
  }

  /** A read: changes nothing, so records nothing. */
  async read<T>(step: ControllerStep, subject: StepSubject, run: () => Promise<T>): Promise<T> {
    const span = this.#start(step, subject);
    try {
      const value = await run();
      this.#report(step, "done", subject);
      endSpan(span);
      return value;
    } catch (error) {
      this.#report(step, "failed", subject, error);
      endSpan(span, error, true);
      throw error;
    }
  }

  /**
   * A step that changes the host, VM or guest. Its cell is set `pending` and
   * written before the call; afterwards `done`, `none` (nothing to do, or the
   * host said no) or still `pending` (outcome unknown). `run` resolves
   * whether it did anything.
   */
  async change(
    step: ControllerStep,
    target: ChangeTarget,
    run: () => Promise<boolean>,
  ): Promise<void> {
    const record = this.#ctx.record;
    const binding = "binding" in target ? target.binding : undefined;
    const earlierIov = binding?.iov;
    const set = (progress: StepProgress): void => {
      if ("iov" in target) {
        record.setIov(
          target.binding,
          // Refused: what was applied before, if that is known.
          progress === "none"
            ? (earlierIov?.progress === "done" ? earlierIov : null)
            : { settings: target.iov, progress },
        );
      } else if ("step" in target) record.setProgress(target.binding, target.step, progress);
      else record.setNamespaceProgress(progress);
    };
    const before = "iov" in target
      ? "none"
      : "step" in target
      ? target.binding.progress[target.step]
      : record.guestNamespace?.progress ?? "none";
    const wasListed = binding?.listed ?? true;
    if (binding !== undefined) record.list(binding);
    set("pending");
    try {
      await this.#ctx.recorder.save();
    } catch (error) {
      set(before);
      if (binding !== undefined && !wasListed) record.unlist(binding);
      throw error;
    }
    const subject = binding === undefined ? {} : subjectOf(binding);
    const span = this.#start(step, subject);
    let did: boolean;
    try {
      did = await run();
    } catch (error) {
      set(afterFailure(error));
      this.#report(step, "failed", subject, error);
      endSpan(span, error, true);
      this.#ctx.recorder.touch();
      throw error;
    }
    // Not written now: the next step's "pending" or the operation's end
    // writes it. Until then the record says the step may have run, which
    // a crash recovery handles as it must anyway (it undoes the step).
    set(did ? "done" : "none");
    this.#report(step, did ? "done" : "skipped", subject);
    span.setAttribute("podnet.outcome", did ? "done" : "skipped");
    endSpan(span);
  }

  /**
   * An undo step. Resolves how it went: a VM or guest that is gone, or a
   * believable "not found", counts as done (`gone`); a failure comes with a
   * `TeardownStepError` naming the step, NIC and endpoint. Never rejects.
   *
   * @param known whether the step being undone is known to be done
   * @param askAgain whether a surprising "not found" is asked again at once
   *   (a second one is believed) rather than left for the next attempt
   */
  async undo(
    step: TeardownStep,
    binding: BindingRecord | undefined,
    known: boolean,
    run: () => Promise<void>,
    askAgain = false,
  ): Promise<UndoResult> {
    const subject = binding === undefined ? {} : subjectOf(binding);
    const span = this.#start(step, subject);
    let tries = askAgain ? 2 : 1;
    for (;;) {
      try {
        await run();
        this.#report(step, "done", subject);
        endSpan(span);
        return { outcome: "done" };
      } catch (error) {
        const outcome = undoOutcome(step, error, known);
        if (outcome === "gone") {
          this.#report(step, "gone", subject, error);
          span.setAttribute("podnet.outcome", "gone");
          endSpan(span);
          return { outcome };
        }
        // A surprising "not found": ask once more, and believe a second one.
        if (--tries > 0 && error instanceof NotFoundError) {
          this.#ctx.log.info("Step {step}: not found, asking again", { step, ...subject });
          known = false;
          continue;
        }
        this.#report(step, "failed", subject, error);
        endSpan(span, error, true);
        return {
          outcome,
          error: new TeardownStepError(step, error, binding?.nicId, binding?.endpointId),
        };
      }
    }
  }

  /** Reports a step's start and opens its span. */
  #start(step: ControllerStep, subject: StepSubject): Span {
    this.#report(step, "start", subject);
    const r = this.#ctx.record;
    return startStepSpan(step, {
      podId: r.podId,
      namespaceId: r.namespaceId,
      nicId: subject.nicId,
      endpointId: subject.endpointId,
    }, this.span);
  }

  #report(step: ControllerStep, phase: StepPhase, subject: StepSubject, error?: unknown): void {
    this.#ctx.emit?.({
      type: "step",
      step,
      phase,
      ...subject,
      ...(error === undefined ? {} : { error }),
    });
    if (phase === "start") return;
    // Failures reach the caller inside the error podnet throws: say them
    // once, there; here only at debug.
    const level = phase === "gone" ? "info" : "debug";
    const log = this.#ctx.log;
    if (!log.isEnabledFor(level)) return;
    const props: Record<string, unknown> = { step, phase };
    if (subject.nicId !== undefined) props.nicId = subject.nicId;
    if (subject.endpointId !== undefined) props.endpointId = subject.endpointId;
    if (phase === "failed") log.debug("Step {step} failed", { ...props, error });
    else if (phase === "gone") log.info("Step {step}: already gone, counted as done", props);
    else log.debug("Step {step}: {phase}", props);
  }
}

/** How an undo went, and its error when it failed. */
export interface UndoResult {
  readonly outcome: UndoOutcome;
  readonly error?: TeardownStepError;
}

function subjectOf(b: BindingRecord): StepSubject {
  return { nicId: b.nicId, endpointId: b.endpointId, endpointName: b.endpointName };
}
