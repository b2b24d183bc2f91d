/**
 * Waiting for a shared promise under one caller's signal.
 *
 * @module
 */

/**
 * Resolves or rejects like `promise`, unless `signal` aborts first: then it
 * rejects with the signal's reason at once. The promise itself keeps running
 * (other callers may share it).
 */
export function raceSignal<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(signal.reason);
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason);
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
