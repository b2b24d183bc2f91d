/**
 * Options of one DLL-level call.
 *
 * @module
 */

/**
 * Options of one DLL-level call. When `signal` aborts, the implementation
 * stops waiting and rejects with `signal.reason` at once; whatever the call
 * returns later is still freed.
 *
 * Stopping the wait does not always stop the work: a DLL call already
 * running on a worker thread runs to its end and may still take effect (a
 * NIC hot-add that lands after its caller gave up). An implementation that
 * stops waiting because `signal` aborted while such work still runs calls
 * `onAbandoned` once, with a promise that resolves (never rejects) when that
 * work has really finished and its results are freed or closed. A caller
 * that must not let a later call overtake the abandoned one waits for that
 * promise first. An implementation whose work stops with the wait (the
 * simulated host: an aborted call has no effect, then or later), or a call
 * that had not started yet, does not call it.
 *
 * @example
 * ```ts
 * import type { NativeCallOptions } from "@podnet/hcs/native";
 * const stragglers: Promise<void>[] = [];
 * const opts: NativeCallOptions = {
 *   signal: AbortSignal.timeout(1_000),
 *   onAbandoned: (settled) => stragglers.push(settled),
 * };
 * ```
 */
export interface NativeCallOptions {
  /** Stops waiting for the call. */
  readonly signal?: AbortSignal | undefined;
  /**
   * Called at most once, when the call stops waiting because `signal`
   * aborted while its native work still runs; `settled` resolves (never
   * rejects) when that work has finished and its results are freed.
   */
  readonly onAbandoned?: ((settled: Promise<void>) => void) | undefined;
}
