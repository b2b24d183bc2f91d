/**
 * The wait of a simulated call's latency, ended when the latency model says.
 *
 * A plain `setTimeout(ms)` ends about 1.2 ms late in Deno (timers fire on
 * the next millisecond tick, then wait their turn in the event loop), and a
 * 1 ms HCN call then takes twice its modelled time: the simulator would
 * charge a pipeline that makes many short calls for time no host takes.
 * So the timer is set to end a little early, and the last stretch is waited
 * out one event-loop turn at a time (`setImmediate`, which lets timers, I/O
 * and every other call proceed in between) until the deadline has passed.
 *
 * @module
 */
import { setImmediate } from "node:timers";

/** How long before the deadline the coarse timer hands over to the loop turns. */
const TIMER_EARLY_MS = 2;

/**
 * Resolves once `ms` milliseconds have passed (measured with
 * `performance.now()`), or rejects with the signal's reason when it aborts
 * first.
 */
export function latencySleep(ms: number, signal: AbortSignal | undefined): Promise<void> {
  const deadline = performance.now() + ms;
  return new Promise((resolve, reject) => {
    if (signal?.aborted) {
      reject(signal.reason);
      return;
    }
    let timer: ReturnType<typeof setTimeout> | undefined;
    let done = false;
    const finish = (): void => {
      done = true;
      signal?.removeEventListener("abort", onAbort);
    };
    const onAbort = (): void => {
      if (done) return;
      finish();
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const turn = (): void => {
      if (done) return;
      if (performance.now() >= deadline) {
        finish();
        resolve();
        return;
      }
      setImmediate(turn);
    };
    signal?.addEventListener("abort", onAbort, { once: true });
    const coarse = ms - TIMER_EARLY_MS;
    if (coarse >= 1) {
      timer = setTimeout(() => {
        timer = undefined;
        turn();
      }, coarse);
    } else {
      turn();
    }
  });
}
