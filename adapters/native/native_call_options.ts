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
 * @example
 * ```ts
 * import type { NativeCallOptions } from "@podnet/hcs";
 * const opts: NativeCallOptions = { signal: AbortSignal.timeout(1_000) };
 * ```
 */
export interface NativeCallOptions {
  /** Stops waiting for the call. */
  readonly signal?: AbortSignal | undefined;
}
