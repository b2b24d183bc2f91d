/**
 * Time limits for adapter calls, cheap enough to put around every call.
 *
 * Each call gets its own `AbortController`, aborted by its deadline or by
 * the caller's signal. Neither costs much per call:
 *
 * - deadlines of one length are kept in one queue (they arrive in deadline
 *   order) served by one timer, which keeps the process alive only while a
 *   call of that length is in flight;
 * - a caller's signal gets one listener, however many calls it governs;
 *   calls join and leave its set of children (no `AbortSignal.any`, which
 *   costs more than a simulated call).
 *
 * @module
 */
import { InvalidArgumentError, OperationTimeoutError } from "../../domain/errors.ts";

/**
 * The longest time limit a timer can hold, and so the largest `timeoutMs`
 * podnet takes: 2^31 - 1 ms (about 24.8 days).
 *
 * @example
 * ```ts
 * import { MAX_TIMEOUT_MS } from "@podnet/hcs";
 * console.log(MAX_TIMEOUT_MS); // 2147483647
 * ```
 */
export const MAX_TIMEOUT_MS = 2_147_483_647;

/**
 * A time limit given by a caller, checked: a positive number of
 * milliseconds a timer can hold (longer ones would fire at once), else an
 * `InvalidArgumentError` naming the argument.
 */
export function checkTimeoutMs(value: unknown, argument = "timeoutMs"): number {
  if (
    typeof value !== "number" || !Number.isFinite(value) || value <= 0 || value > MAX_TIMEOUT_MS
  ) {
    throw new InvalidArgumentError(
      argument,
      `must be a number of milliseconds from 1 to ${MAX_TIMEOUT_MS}, got ${String(value)}`,
    );
  }
  return value;
}

/**
 * Runs `call` with a signal that aborts when the caller's signal does or when
 * `timeoutMs` passes. A call cut off by the time limit rejects with
 * `OperationTimeoutError`; one cut off by the caller rejects with the
 * caller's reason (provided `call` honours its signal).
 */
export async function withTimeLimit<T>(
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const controller = new AbortController();
  const deadline = queueFor(timeoutMs).add(controller, operation);
  const children = signal === undefined ? undefined : childrenOf(signal);
  children?.add(controller);
  try {
    return await call(controller.signal);
  } finally {
    children?.delete(controller);
    deadline.finish();
  }
}

/** A registered deadline. */
interface Deadline {
  readonly at: number;
  readonly controller: AbortController;
  readonly operation: string;
  done: boolean;
  finish(): void;
}

/**
 * The deadlines of one length, in deadline order, and the timer serving
 * them. The timer stays armed between busy spells (a deadline may be stale:
 * when it fires early it arms for the next live one), and is unref'ed while
 * no call is in flight so it never keeps the process alive; so a run of
 * calls one after another costs a ref and an unref each, not a timer.
 */
class DeadlineQueue {
  readonly #timeoutMs: number;
  #entries: Deadline[] = [];
  #head = 0;
  #live = 0;
  #timer: number | undefined;

  constructor(timeoutMs: number) {
    this.#timeoutMs = timeoutMs;
  }

  add(controller: AbortController, operation: string): Deadline {
    const entry: Deadline = {
      at: performance.now() + this.#timeoutMs,
      controller,
      operation,
      done: false,
      finish: () => {
        if (entry.done) return;
        entry.done = true;
        if (--this.#live === 0) this.#idle();
      },
    };
    this.#entries.push(entry);
    if (++this.#live === 1) {
      if (this.#timer === undefined) this.#arm(this.#timeoutMs);
      else Deno.refTimer(this.#timer);
    }
    return entry;
  }

  /** No call in flight: every entry is done; the timer may go on, unref'ed. */
  #idle(): void {
    this.#entries = [];
    this.#head = 0;
    if (this.#timer !== undefined) Deno.unrefTimer(this.#timer);
  }

  #arm(ms: number): void {
    // Deno's setTimeout returns a number (npm type packages may say otherwise).
    this.#timer = setTimeout(() => this.#expire(), ms) as unknown as number;
  }

  #expire(): void {
    this.#timer = undefined;
    const now = performance.now();
    const entries = this.#entries;
    while (this.#head < entries.length) {
      const e = entries[this.#head];
      if (e === undefined) break;
      if (!e.done && e.at > now) break;
      this.#head++;
      if (e.done) continue;
      // Aborting runs the call's abort handlers; the call then finishes
      // and counts itself out.
      e.controller.abort(new OperationTimeoutError(e.operation, this.#timeoutMs));
    }
    if (this.#head > 1024 && this.#head * 2 > entries.length) {
      this.#entries = entries.slice(this.#head);
      this.#head = 0;
    }
    const next = this.#entries[this.#head];
    if (next !== undefined && this.#live > 0) this.#arm(Math.max(0, next.at - now));
  }
}

const queues = new Map<number, DeadlineQueue>();

function queueFor(timeoutMs: number): DeadlineQueue {
  let q = queues.get(timeoutMs);
  if (q === undefined) {
    q = new DeadlineQueue(timeoutMs);
    queues.set(timeoutMs, q);
  }
  return q;
}

/** The calls each caller's signal governs; one listener per signal. */
const governed = new WeakMap<AbortSignal, Set<AbortController>>();

function childrenOf(signal: AbortSignal): Set<AbortController> {
  let children = governed.get(signal);
  if (children === undefined) {
    const set = new Set<AbortController>();
    children = set;
    governed.set(signal, set);
    signal.addEventListener("abort", () => {
      for (const child of [...set]) child.abort(signal.reason);
    }, { once: true });
  }
  return children;
}
