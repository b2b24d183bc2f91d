import type { ControllerEvent } from "../../domain/controller_event.ts";
import { oneLine } from "./_output.ts";
import type { Timeline } from "./_timeline.ts";

/** One step event as `--json` reports it (the error as its message). */
export interface StepRecord {
  readonly step: string;
  readonly phase: string;
  readonly nicId?: string;
  readonly endpointId?: string;
  readonly endpointName?: string;
  readonly error?: string;
}

/**
 * Follows a controller's events: prints each step as it happens (start,
 * then done, skipped, gone or failed, with its NIC and endpoint), so a slow
 * host call is visibly in progress, and keeps them for `--json`.
 */
export class StepLog {
  readonly steps: StepRecord[] = [];
  readonly #say: ((line: string) => void) | undefined;
  /** The waterfall of `--timeline`, when asked for. */
  readonly timeline: Timeline | undefined;

  /**
   * `say` prints a line; `undefined` prints nothing (`--json`). `timeline`
   * also follows the steps (`--timeline`).
   */
  constructor(say: ((line: string) => void) | undefined, timeline?: Timeline) {
    this.#say = say;
    this.timeline = timeline;
  }

  /** Prints the waterfall after the steps, when `--timeline` asked for it. */
  printTimeline(): void {
    if (this.timeline === undefined || this.#say === undefined) return;
    this.#say("");
    for (const line of this.timeline.lines()) this.#say(line);
  }

  /** The waterfall for `--json` (`{}` without `--timeline`). */
  timelineJson(): { timeline?: ReturnType<Timeline["toJson"]> } {
    return this.timeline === undefined ? {} : { timeline: this.timeline.toJson() };
  }

  /** The controller's `onEvent`. */
  readonly onEvent = (e: ControllerEvent): void => {
    this.timeline?.onEvent(e);
    if (e.type === "transition") {
      this.#say?.(`  state ${e.from ?? "(record)"} -> ${e.to} (${e.operation})`);
      return;
    }
    const record: StepRecord = {
      step: e.step,
      phase: e.phase,
      ...(e.nicId === undefined ? {} : { nicId: e.nicId }),
      ...(e.endpointId === undefined ? {} : { endpointId: e.endpointId }),
      ...(e.endpointName === undefined ? {} : { endpointName: e.endpointName }),
      ...(e.error === undefined ? {} : { error: oneLine(e.error) }),
    };
    this.steps.push(record);
    if (this.#say === undefined) return;
    const nic = e.nicId === undefined
      ? ""
      : ` NIC ${e.nicId} endpoint ${e.endpointId} (${e.endpointName})`;
    const phase = nic === "" ? e.phase : e.phase.padEnd(7);
    const why = record.error === undefined ? "" : `: ${record.error}`;
    this.#say(`  ${e.step.padEnd(22)} ${phase}${nic}${why}`);
  };
}
