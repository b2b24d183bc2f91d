/**
 * Time limits for adapter calls.
 *
 * @module
 */
import { OperationTimeoutError } from "../../domain/errors.ts";

/**
 * Runs `call` with a signal that aborts when the caller's signal does or when
 * `timeoutMs` passes. A call cut off by the time limit rejects with
 * `OperationTimeoutError`; one cut off by the caller rejects with the
 * caller's reason.
 *
 * @example
 * ```ts
 * import { withTimeLimit } from "@podnet/hcs";
 * const text = await withTimeLimit("HcnOpenNamespace", 5_000, undefined, async (signal) => {
 *   signal.throwIfAborted();
 *   return "ok";
 * });
 * ```
 */
export async function withTimeLimit<T>(
  operation: string,
  timeoutMs: number,
  signal: AbortSignal | undefined,
  call: (signal: AbortSignal) => Promise<T>,
): Promise<T> {
  signal?.throwIfAborted();
  const timer = new AbortController();
  const id = setTimeout(
    () => timer.abort(new OperationTimeoutError(operation, timeoutMs)),
    timeoutMs,
  );
  try {
    return await call(signal ? AbortSignal.any([signal, timer.signal]) : timer.signal);
  } finally {
    clearTimeout(id);
  }
}
