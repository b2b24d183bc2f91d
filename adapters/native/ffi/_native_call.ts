/**
 * Running one DLL call on a worker thread under an AbortSignal, and the
 * out-slots of its results.
 *
 * @module
 */
import { hresultError } from "../error_record.ts";
import type { WindowsLibraries } from "./windows_libraries.ts";
import { raceSignal } from "../race_signal.ts";

/**
 * An 8-byte out-slot for a returned string (`PWSTR*`). `take()` decodes and
 * frees it; disposing frees it if it was not taken. Either way exactly once.
 */
export class StringSlot implements Disposable {
  /** The slot the DLL writes the pointer into. */
  readonly slot: BigUint64Array<ArrayBuffer> = new BigUint64Array(1);
  readonly #libraries: WindowsLibraries;

  constructor(libraries: WindowsLibraries) {
    this.#libraries = libraries;
  }

  /** The string, decoded and freed ("" when the DLL returned none). */
  take(): string {
    const address = this.slot[0] ?? 0n;
    this.slot[0] = 0n;
    return this.#libraries.takeString(address);
  }

  [Symbol.dispose](): void {
    this.take();
  }
}

/** One nonblocking DLL call and what to do with its outcome. */
export interface NativeCall<T> {
  /** Starts the call on a worker thread; resolves to its HRESULT. */
  start(): Promise<number>;
  /**
   * Takes every out-slot (decoding and freeing strings, adopting handles)
   * and returns the result, or throws the failure. Runs once, when the call
   * returns, whether or not anyone still waits.
   */
  finish(hresult: number): T;
  /** Runs after `finish`, always (releases what the call held). */
  settle?(): void;
  /** Disposes of a result nobody waits for any more (closes a late handle). */
  discard?(value: T): void;
}

/**
 * Runs `call` as pending work of `libraries`. When `signal` aborts first, the
 * promise rejects with its reason at once; the call still finishes on its
 * worker thread, and its result is then finished and discarded.
 */
export function runNativeCall<T>(
  libraries: WindowsLibraries,
  call: NativeCall<T>,
  signal: AbortSignal | undefined,
): Promise<T> {
  if (signal?.aborted) {
    call.settle?.();
    return Promise.reject(signal.reason);
  }
  let started: Promise<number>;
  try {
    started = call.start();
  } catch (error) {
    call.settle?.();
    return Promise.reject(error);
  }
  let abandoned = false;
  let finished: { readonly value: T } | undefined;
  const work = libraries.track(started.then((hresult) => {
    let value: T;
    try {
      value = call.finish(hresult);
    } finally {
      call.settle?.();
    }
    if (abandoned) call.discard?.(value);
    else finished = { value };
    return value;
  }));
  return raceSignal(work, signal, () => {
    abandoned = true;
    // Finished but not yet handed over: nobody will take it now.
    if (finished !== undefined) call.discard?.(finished.value);
    work.catch(() => {
      // Nobody waits for this failure; its strings were freed in finish().
    });
  });
}

/**
 * Takes a result string and an error record (both freed, whatever happens)
 * and returns the result, or throws the failure.
 */
export function finishWithResult(
  call: string,
  hresult: number,
  resultSlot: StringSlot,
  recordSlot: StringSlot,
): string {
  using result = resultSlot;
  using record = recordSlot;
  const value = result.take();
  const errors = record.take();
  if (hresult < 0 || errors.length > 0) throw hresultError(call, hresult, errors);
  return value;
}
