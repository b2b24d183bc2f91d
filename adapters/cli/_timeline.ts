/**
 * `--timeline`: after the step output, a waterfall of the operation. One
 * row per step, a bar from its start to its end on a common time axis, host
 * steps drawn with `=` and guest steps with `#` (reads with `-`), so an
 * operator sees the pipeline and which call was slow.
 *
 * @module
 */
import type { ControllerEvent } from "../../domain/controller_event.ts";

/** The `--timeline` option, for a command's options. */
export const TIMELINE_OPTION = { timeline: { type: "boolean", default: false } } as const;

/** Help text line of `--timeline`. */
export const TIMELINE_HELP =
  "  --timeline                after the steps, a waterfall of them (host =, guest #, read -)";

/** Where a step runs, for its bar. */
const HOST_STEPS = new Set(["vm-add", "vm-remove", "vm-update"]);
const READ_STEPS = new Set(["read-namespace", "read-endpoint"]);

interface Row {
  readonly label: string;
  readonly mark: string;
  readonly start: number;
  end: number | undefined;
  outcome: string;
}

/** Collects step timings from controller events and draws the waterfall. */
export class Timeline {
  readonly #rows: Row[] = [];
  readonly #open = new Map<string, Row>();
  readonly #now: () => number;

  /** @param now a clock in milliseconds (default `performance.now`) */
  constructor(now: () => number = () => performance.now()) {
    this.#now = now;
  }

  /** Follows one event (chain it after the step log's `onEvent`). */
  readonly onEvent = (e: ControllerEvent): void => {
    if (e.type !== "step") return;
    const key = `${e.step} ${e.nicId ?? e.endpointId ?? ""}`;
    if (e.phase === "start") {
      const row: Row = {
        label: `${e.step}${
          e.endpointName ? ` ${e.endpointName}` : e.endpointId ? ` ${e.endpointId.slice(0, 8)}` : ""
        }`,
        mark: HOST_STEPS.has(e.step) ? "=" : READ_STEPS.has(e.step) ? "-" : "#",
        start: this.#now(),
        end: undefined,
        outcome: "",
      };
      this.#rows.push(row);
      this.#open.set(key, row);
      return;
    }
    const row = this.#open.get(key);
    if (row === undefined) return;
    this.#open.delete(key);
    row.end = this.#now();
    row.outcome = e.phase;
  };

  /** The waterfall as lines (`width` columns of bar). */
  lines(width = 50): string[] {
    const rows = this.#rows;
    if (rows.length === 0) return ["timeline: no steps"];
    const t0 = Math.min(...rows.map((r) => r.start));
    const t1 = Math.max(...rows.map((r) => r.end ?? this.#now()));
    const span = Math.max(t1 - t0, 1e-6);
    const labelWidth = Math.max(...rows.map((r) => r.label.length));
    const out = [`timeline (${fmt(t1 - t0)} total; host =, guest #, read -):`];
    for (const r of rows) {
      const end = r.end ?? t1;
      const from = Math.min(width - 1, Math.floor(((r.start - t0) / span) * width));
      const to = Math.max(from + 1, Math.min(width, Math.ceil(((end - t0) / span) * width)));
      const bar = " ".repeat(from) + r.mark.repeat(to - from) + " ".repeat(width - to);
      const outcome = r.outcome === "" ? "running" : r.outcome;
      out.push(`  ${r.label.padEnd(labelWidth)} |${bar}| ${fmt(end - r.start)} ${outcome}`);
    }
    return out;
  }

  /** The rows as data, for `--json` (times in ms from the first start). */
  toJson(): { step: string; lane: string; startMs: number; endMs: number | null }[] {
    const t0 = Math.min(...this.#rows.map((r) => r.start));
    return this.#rows.map((r) => ({
      step: r.label,
      lane: r.mark === "=" ? "host" : r.mark === "#" ? "guest" : "read",
      startMs: round(r.start - t0),
      endMs: r.end === undefined ? null : round(r.end - t0),
    }));
  }
}

function round(ms: number): number {
  return Math.round(ms * 1000) / 1000;
}

function fmt(ms: number): string {
  return ms >= 1000 ? `${(ms / 1000).toFixed(2)} s` : `${ms.toFixed(ms < 10 ? 2 : 0)} ms`;
}
