/**
 * Waiting for a promise under a caller's signal, without cancelling it.
 *
 * @module
 */

/**
 * Resolves or rejects like `promise`, unless `signal` aborts first: then it
 * rejects with the signal's reason at once, after calling `onAbandon`. The
 * promise itself keeps running (a shared open, a native call on its worker
 * thread); `onAbandon` is where the caller arranges for its late result.
 */
export function raceSignal<T>(
  promise: Promise<T>,
  signal: AbortSignal | undefined,
  onAbandon?: () => void,
): Promise<T> {
  if (signal === undefined) return promise;
  if (signal.aborted) {
    onAbandon?.();
    return Promise.reject(signal.reason);
  }
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => {
      onAbandon?.();
      reject(signal.reason);
    };
    signal.addEventListener("abort", onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener("abort", onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener("abort", onAbort);
        reject(error);
      },
    );
  });
}
