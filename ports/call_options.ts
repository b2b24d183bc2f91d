/**
 * Options every port call takes.
 *
 * @module
 */

/**
 * Options of one port call.
 *
 * @example
 * ```ts
 * import type { CallOptions } from "@podnet/hcs/ports";
 * const opts: CallOptions = { signal: AbortSignal.timeout(5_000) };
 * ```
 */
export interface CallOptions {
  /** Aborts the call; the adapter stops waiting and rejects with the signal's reason. */
  readonly signal?: AbortSignal | undefined;
}
