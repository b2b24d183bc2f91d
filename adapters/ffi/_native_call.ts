/**
 * Running one DLL call on a worker thread under an AbortSignal, and the
 * out-slots of its results.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { hresultError } from "../dll/error_record.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import type { HandleTable } from "./_handle_table.ts";
import type { NativeLibraries } from "./_native_libraries.ts";
import { raceSignal } from "../async/race_signal.ts";

const logger = getLogger(["podnet", "ffi"]);

/**
 * An 8-byte out-slot for a returned string (`PWSTR*`). `take()` decodes and
 * frees it; disposing frees it, without decoding, if it was not taken.
 * Either way exactly once, with `CoTaskMemFree` (computenetwork, vmcompute)
 * or, for a `"local"` slot, `LocalFree` (computecore's result documents).
 */
export class StringSlot implements Disposable {
  /** The slot the DLL writes the pointer into. */
  readonly slot: BigUint64Array<ArrayBuffer> = new BigUint64Array(1);
  readonly #libraries: NativeLibraries;
  readonly #local: boolean;

  constructor(libraries: NativeLibraries, allocator: "cotaskmem" | "local" = "cotaskmem") {
    this.#libraries = libraries;
    this.#local = allocator === "local";
  }

  /** The string, decoded and freed ("" when the DLL returned none). */
  take(): string {
    const address = this.slot[0] ?? 0n;
    this.slot[0] = 0n;
    return this.#local
      ? this.#libraries.takeLocalString(address)
      : this.#libraries.takeString(address);
  }

  [Symbol.dispose](): void {
    // Not take(): a string nobody reads is not decoded, so freeing it cannot
    // fail (and hide the failure that left it untaken).
    const address = this.slot[0] ?? 0n;
    this.slot[0] = 0n;
    if (address === 0n) return;
    const pointer = Deno.UnsafePointer.create(address);
    if (this.#local) this.#libraries.kernel32.symbols.LocalFree(pointer);
    else this.#libraries.ole32.symbols.CoTaskMemFree(pointer);
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
 * Runs `call` as pending work of `libraries`: it starts when the libraries
 * admit it (at once, or when a worker slot frees up). When `options.signal`
 * aborts first, the promise rejects with its reason at once. A call still
 * queued is then dropped and never started. A call already running finishes
 * on its worker thread, its result is finished and discarded, and
 * `options.onAbandoned` receives the promise of that clean-up.
 */
export function runNativeCall<T>(
  libraries: NativeLibraries,
  call: NativeCall<T>,
  options: NativeCallOptions | undefined,
): Promise<T> {
  const signal = options?.signal;
  if (signal?.aborted) {
    call.settle?.();
    return Promise.reject(signal.reason);
  }
  const state = new CallState<T>(call);
  const work = libraries.run(
    () => state.start(),
    (code) => state.finish(code),
    () => state.fail(),
    signal,
  );
  if (signal === undefined) return work;
  return raceSignal(work, signal, () => {
    const running = state.abandon();
    work.catch(() => {
      // Nobody waits for this failure; its strings were freed in finish().
    });
    if (running) notifyAbandoned(options?.onAbandoned, work);
  });
}

/** Where one native call is, and what its outcome needs. */
class CallState<T> {
  readonly #call: NativeCall<T>;
  #phase: "queued" | "running" | "returned" = "queued";
  #abandoned = false;
  #finished: { readonly value: T } | undefined;

  constructor(call: NativeCall<T>) {
    this.#call = call;
  }

  start(): Promise<number> {
    const native = this.#call.start();
    this.#phase = "running";
    return native;
  }

  finish(code: number): T {
    this.#phase = "returned";
    let value: T;
    try {
      value = this.#call.finish(code);
    } finally {
      this.#call.settle?.();
    }
    if (this.#abandoned) this.#call.discard?.(value);
    else this.#finished = { value };
    return value;
  }

  /** The call returned no result: never started, or the start threw. */
  fail(): void {
    this.#phase = "returned";
    this.#call.settle?.();
  }

  /** Nobody waits any more; returns whether the native call still runs. */
  abandon(): boolean {
    this.#abandoned = true;
    // Finished but not yet handed over: nobody will take it now.
    if (this.#finished !== undefined) this.#call.discard?.(this.#finished.value);
    return this.#phase === "running";
  }
}

/** Hands the caller the promise of an abandoned call's clean-up. */
export function notifyAbandoned(
  onAbandoned: ((settled: Promise<void>) => void) | undefined,
  work: Promise<unknown>,
): void {
  if (onAbandoned === undefined) return;
  const settled = work.then(() => {}, () => {});
  try {
    onAbandoned(settled);
  } catch (error) {
    // A throwing callback must not turn the abort into an uncaught error.
    logger.warn("onAbandoned threw; ignored: {error}", { error });
  }
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
  recordOnSuccess: RecordOnSuccess = "fail",
): string {
  using result = resultSlot;
  using record = recordSlot;
  const value = result.take();
  const errors = record.take();
  checkOutcome(call, hresult, errors, recordOnSuccess);
  return value;
}

/**
 * What an error record means beside a success HRESULT: HCN calls it a
 * failure (`fail`); HCS calls it a success (`warn`: logged, as hcsshim
 * treats it).
 */
export type RecordOnSuccess = "fail" | "warn";

/** Throws the failure an HRESULT and its error record say, if any. */
export function checkOutcome(
  call: string,
  hresult: number,
  errors: string,
  recordOnSuccess: RecordOnSuccess,
): void {
  if (hresult < 0 || (errors.length > 0 && recordOnSuccess === "fail")) {
    throw hresultError(call, hresult, errors);
  }
  if (errors.length > 0) {
    logger.warn("{call} succeeded but returned an error record; taken as a success", {
      call,
      record: errors,
    });
  }
}

/**
 * Takes the handle and the error record an open call returned, and returns
 * the adopted handle, or throws the failure. The record is freed whatever
 * happens; the handle is closed on every path where it is not adopted: a
 * failing HRESULT, a record with a success HRESULT, a record that cannot be
 * decoded. An open without an error record (computecore's) passes none.
 */
export function finishOpen<H extends object>(
  call: string,
  hresult: number,
  handleSlot: BigUint64Array,
  recordSlot: StringSlot | undefined,
  table: HandleTable<H>,
  create: () => H,
  recordOnSuccess: RecordOnSuccess = "fail",
): H {
  const address = handleSlot[0] ?? 0n;
  handleSlot[0] = 0n;
  let adopted = false;
  try {
    using record = recordSlot;
    const errors = record?.take() ?? "";
    checkOutcome(call, hresult, errors, recordOnSuccess);
    if (address === 0n) throw hresultError(call, hresult, errors);
    const handle = table.adopt(address, create());
    adopted = true;
    return handle;
  } finally {
    if (!adopted && address !== 0n) table.closeAddress(address);
  }
}
