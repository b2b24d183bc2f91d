/**
 * One computecore.dll operation: created, started, completed by HCS's
 * callback, its result read and freed, then closed, whether or not anyone
 * still waits for it.
 *
 * @module
 */
import { hresultError } from "../dll/error_record.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { raceSignal } from "../async/race_signal.ts";
import type { COMPUTECORE_SYMBOLS } from "./computecore_symbols.ts";
import { notifyAbandoned, StringSlot } from "./_native_call.ts";
import { completionsOf } from "./_operation_completions.ts";
import type { NativeLibraries } from "./_native_libraries.ts";

type Computecore = Deno.StaticForeignLibraryInterface<typeof COMPUTECORE_SYMBOLS>;

/** What one operation does. */
export interface OperationCall<T> {
  /** The function that starts it, for errors ("HcsModifyComputeSystem"). */
  readonly name: string;
  /** Starts the work with the operation (a call that returns at once). */
  start(operation: Deno.PointerObject): number;
  /** Turns the outcome (HRESULT, result document) into the result, or throws. */
  finish(hresult: number, document: string): T;
  /** Runs once the operation is closed, always (releases the handle it used). */
  settle(): void;
}

/** E_OUTOFMEMORY: what a NULL from HcsCreateOperation means. */
const E_OUTOFMEMORY = 0x8007000e;

function noop(): void {}

/**
 * Runs one operation. The operation is created with the libraries' shared
 * completion callback and started at once; no worker thread waits while HCS
 * works. When HCS reports the completion, the result is read, its document
 * decoded and freed with `LocalFree` exactly once, the operation closed and
 * `settle()` run, in the callback, and then the promise settles: all of it
 * also when the caller stopped waiting. When `options.signal` aborts first,
 * the promise rejects with its reason at once and `options.onAbandoned`
 * receives the promise of that late clean-up (HCS cannot cancel the work:
 * `HcsCancelOperation` is not implemented). A start that fails has nothing
 * pending: its result document is read, the operation closed, and the
 * failure thrown.
 */
export function runOperation<T>(
  libraries: NativeLibraries,
  symbols: Computecore,
  call: OperationCall<T>,
  options: NativeCallOptions | undefined,
): Promise<T> {
  const signal = options?.signal;
  if (signal?.aborted) {
    call.settle();
    return Promise.reject(signal.reason);
  }
  const completions = completionsOf(libraries, (release) => libraries.atClose(release));
  const { promise, resolve, reject } = Promise.withResolvers<T>();
  let expected: ReturnType<typeof completions.expect> | undefined;
  let operation: Deno.PointerObject | null = null;
  try {
    expected = completions.expect(() => {
      // In the completion callback (see OperationCompletions): read, free, close.
      const started = operation;
      if (started === null) return;
      const document = new StringSlot(libraries, "local");
      try {
        const hresult = symbols.HcsGetOperationResult(started, document.slot);
        resolve(call.finish(hresult, document.take()));
      } catch (error) {
        reject(error);
      } finally {
        document[Symbol.dispose]();
        symbols.HcsCloseOperation(started);
        call.settle();
      }
    });
    operation = symbols.HcsCreateOperation(expected.context, completions.pointer);
    if (operation === null) {
      throw hresultError("HcsCreateOperation", E_OUTOFMEMORY, "");
    }
    const hresult = call.start(operation);
    if (hresult < 0) {
      // Not started: no completion will come; the operation holds the failure.
      expected.forget();
      expected = undefined;
      const started = operation;
      operation = null;
      throw startFailure(libraries, symbols, call.name, started, hresult);
    }
  } catch (error) {
    expected?.forget();
    if (operation !== null) symbols.HcsCloseOperation(operation);
    call.settle();
    return Promise.reject(error);
  }
  const work = libraries.track(promise);
  if (signal === undefined) return work;
  return raceSignal(work, signal, () => {
    // Nobody waits for this failure; its document was freed in the clean-up.
    work.catch(noop);
    notifyAbandoned(options?.onAbandoned, work);
  });
}

/**
 * The failure of a start: the HRESULT, with the result document HCS may
 * already hold for the operation (as hcsshim reads it). Frees the document
 * and closes the operation, whatever happens.
 */
function startFailure(
  libraries: NativeLibraries,
  symbols: Computecore,
  name: string,
  operation: Deno.PointerObject,
  hresult: number,
): Error {
  try {
    using document = new StringSlot(libraries, "local");
    symbols.HcsGetOperationResult(operation, document.slot);
    return hresultError(name, hresult, document.take());
  } finally {
    symbols.HcsCloseOperation(operation);
  }
}
