/**
 * The engine that runs a plan of steps with the limits of one pod: guest
 * requests one at a time, host NIC calls up to `hostConcurrency` at once and
 * handed out in plan order, every step after the steps it waits for.
 *
 * Setup, rollback, teardown and migration reset all build a plan and hand it
 * here; none of them schedules anything itself.
 *
 * @module
 */

import { InvalidArgumentError } from "./errors.ts";

/**
 * Where a step runs: `guest` (one at a time, lowest rank first among those
 * ready), `host` (up to the host limit, strictly in rank order), `free` (no
 * limit).
 */
export type Lane = "guest" | "host" | "free";

/** A step in a plan, as the plan's builder refers to it. */
export type StepRef = number;

interface Entry {
  readonly lane: Lane;
  readonly rank: number;
  readonly run: () => Promise<void>;
  /** Steps that wait for this one. */
  readonly next: StepRef[];
  /** How many steps this one still waits for. */
  waiting: number;
  started: boolean;
}

/** How a plan ran. */
export interface PlanResult {
  /** The failures of the steps that failed, in the order they failed. */
  readonly failures: readonly unknown[];
  /** Whether some steps never started (stopped by a failure or an abort). */
  readonly incomplete: boolean;
}

/** Options of {@linkcode Plan.run}. */
export interface PlanRunOptions {
  /** Host steps in flight at most. */
  readonly hostConcurrency: number;
  /** No new step starts once it has fired. */
  readonly signal?: AbortSignal | undefined;
  /**
   * `stop`: no new step starts after the first failure (setup);
   * `continue`: every step runs, failures are gathered (teardown).
   */
  readonly onFailure: "stop" | "continue";
}

/**
 * A set of steps and the order between them. A step waits for the steps
 * given as `after`, whether they succeeded or failed; a plan that stops on
 * failure starts nothing after the first one anyway.
 */
export class Plan {
  readonly #entries: Entry[] = [];

  /** Number of steps. */
  get size(): number {
    return this.#entries.length;
  }

  /**
   * Adds a step.
   *
   * @param lane where it runs
   * @param rank its order in the lane (lower first)
   * @param run the step; a rejection is its failure
   * @param after the steps it waits for
   */
  add(
    lane: Lane,
    rank: number,
    run: () => Promise<void>,
    after: readonly (StepRef | undefined)[] = [],
  ): StepRef {
    const ref = this.#entries.length;
    let waiting = 0;
    for (const dep of after) {
      if (dep === undefined) continue;
      const e = this.#entries[dep];
      if (e === undefined) throw new InvalidArgumentError("after", `has no step ${dep}`);
      e.next.push(ref);
      waiting++;
    }
    this.#entries.push({ lane, rank, run, next: [], waiting, started: false });
    return ref;
  }

  /** Runs every step; settles when none is in flight any more. */
  run(options: PlanRunOptions): Promise<PlanResult> {
    return new Run(this.#entries, options).result;
  }
}

class Run {
  readonly result: Promise<PlanResult>;
  readonly #entries: Entry[];
  readonly #options: PlanRunOptions;
  /** Host steps by rank: slots are handed out in this order. */
  readonly #hostOrder: Entry[];
  #nextHost = 0;
  #hostBusy = 0;
  #guestBusy = false;
  /** Ready guest steps, a min-heap by rank. */
  readonly #readyGuest: Entry[] = [];
  /** Ready free steps. */
  #readyFree: Entry[] = [];
  #inFlight = 0;
  #notStarted: number;
  #stopped = false;
  readonly #failures: unknown[] = [];
  #resolve!: (result: PlanResult) => void;

  constructor(entries: Entry[], options: PlanRunOptions) {
    this.#entries = entries;
    this.#options = options;
    this.#notStarted = entries.length;
    this.#hostOrder = entries.filter((e) => e.lane === "host").sort((a, b) => a.rank - b.rank);
    for (const e of entries) if (e.waiting === 0) this.#ready(e);
    this.result = new Promise((resolve) => (this.#resolve = resolve));
    this.#pump();
  }

  /** A step whose waits are over joins its lane's ready set (host: its order). */
  #ready(e: Entry): void {
    if (e.lane === "guest") heapPush(this.#readyGuest, e);
    else if (e.lane === "free") this.#readyFree.push(e);
  }

  #pump(): void {
    if (!this.#stopped && this.#options.signal?.aborted) this.#stopped = true;
    if (!this.#stopped) {
      this.#startHost();
      this.#startFree();
      this.#startGuest();
    }
    if (this.#inFlight === 0) {
      this.#resolve({ failures: this.#failures, incomplete: this.#notStarted > 0 });
    }
  }

  #startHost(): void {
    const order = this.#hostOrder;
    while (this.#hostBusy < this.#options.hostConcurrency && this.#nextHost < order.length) {
      const e = order[this.#nextHost];
      if (e === undefined || e.waiting > 0) return;
      this.#nextHost++;
      this.#hostBusy++;
      this.#start(e);
    }
  }

  #startFree(): void {
    const ready = this.#readyFree;
    this.#readyFree = [];
    for (const e of ready) this.#start(e);
  }

  #startGuest(): void {
    if (this.#guestBusy) return;
    const best = heapPop(this.#readyGuest);
    if (best === undefined) return;
    this.#guestBusy = true;
    this.#start(best);
  }

  #start(e: Entry): void {
    e.started = true;
    this.#notStarted--;
    this.#inFlight++;
    let promise: Promise<void>;
    try {
      promise = e.run();
    } catch (error) {
      promise = Promise.reject(error);
    }
    promise.then(
      () => this.#settle(e, undefined, false),
      (error) => this.#settle(e, error, true),
    );
  }

  #settle(e: Entry, error: unknown, failed: boolean): void {
    this.#inFlight--;
    if (e.lane === "host") this.#hostBusy--;
    if (e.lane === "guest") this.#guestBusy = false;
    if (failed) {
      this.#failures.push(error);
      if (this.#options.onFailure === "stop") this.#stopped = true;
    }
    for (const ref of e.next) {
      const n = this.#entries[ref];
      if (n !== undefined && --n.waiting === 0) this.#ready(n);
    }
    this.#pump();
  }
}

function heapPush(heap: Entry[], e: Entry): void {
  heap.push(e);
  let i = heap.length - 1;
  while (i > 0) {
    const parent = (i - 1) >> 1;
    const p = heap[parent] as Entry;
    if (p.rank <= e.rank) break;
    heap[i] = p;
    i = parent;
  }
  heap[i] = e;
}

function heapPop(heap: Entry[]): Entry | undefined {
  const top = heap[0];
  const last = heap.pop();
  if (top === undefined || last === undefined || heap.length === 0) return top;
  let i = 0;
  for (;;) {
    const l = 2 * i + 1;
    if (l >= heap.length) break;
    const r = l + 1;
    const left = heap[l] as Entry;
    const right = heap[r];
    const child = right !== undefined && right.rank < left.rank ? r : l;
    const c = heap[child] as Entry;
    if (last.rank <= c.rank) break;
    heap[i] = c;
    i = child;
  }
  heap[i] = last;
  return top;
}
