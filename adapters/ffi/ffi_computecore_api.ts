/**
 * `HcsApi` over computecore.dll (HCS v2) through Deno FFI.
 *
 * @module
 */
import { hresultError } from "../dll/error_record.ts";
import type { HcsApi, HcsSystemHandle } from "../dll/hcs_api.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { HandleTable } from "./_handle_table.ts";
import { finishOpen, runNativeCall } from "./_native_call.ts";
import { runOperation } from "./_operation_call.ts";
import type { NativeLibraries } from "./_native_libraries.ts";
import { nativeLibrariesOf, type WindowsLibraries } from "./windows_libraries.ts";
import { encodeWide } from "./wide_string.ts";

const OPEN = "HcsOpenComputeSystem";
const MODIFY = "HcsModifyComputeSystem";
const PROPERTIES = "HcsGetComputeSystemProperties";
const CLOSE = "HcsCloseComputeSystem";
/** The access hcsshim asks for, and podnet too. */
const GENERIC_ALL = 0x10000000;

/**
 * computecore.dll (HCS v2) through Deno FFI. A modify or property query runs
 * as an HCS operation: created per call with one shared thread-safe
 * completion callback, started with a call that returns at once, completed
 * by HCS from its own thread (no worker thread waits, so any number of calls
 * can wait for HCS at once), then read with `HcsGetOperationResult`, its
 * result document decoded and freed with `LocalFree` exactly once, and
 * closed. A compute system handle is closed only after every operation
 * using it has completed. `HcsOpenComputeSystem` has no operation: it runs
 * on a worker thread (admitted by the libraries' `maxInFlight`).
 *
 * When `options.signal` aborts, the call stops waiting at once; HCS's work
 * goes on (it cannot be cancelled), and its late completion is still read,
 * freed and closed. The promise of that is handed to `options.onAbandoned`,
 * so a later modify can wait for a late one. Failures are `HResultError`s
 * carrying the parsed ResultError document; a success that comes with a
 * result document is a success.
 *
 * @example
 * ```ts
 * import { WindowsLibraries } from "@podnet/hcs";
 * import { FfiComputecoreApi } from "@podnet/hcs/native";
 * await using libraries = new WindowsLibraries();
 * const hcs = new FfiComputecoreApi(libraries);
 * const vm = await hcs.openComputeSystem("uvm-7");
 * try {
 *   console.log(await hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["GuestConnection"]}'));
 * } finally {
 *   hcs.closeComputeSystem(vm);
 * }
 * ```
 */
export class FfiComputecoreApi implements HcsApi {
  readonly #libraries: NativeLibraries;
  readonly #systems: HandleTable<HcsSystemHandle>;

  /**
   * Binds to the libraries (loaded on the first call).
   *
   * @param libraries the libraries to call through
   */
  constructor(windowsLibraries: WindowsLibraries) {
    const libraries = nativeLibrariesOf(windowsLibraries);
    this.#libraries = libraries;
    this.#systems = new HandleTable(libraries, CLOSE, (pointer) => {
      libraries.computecore.symbols.HcsCloseComputeSystem(pointer);
      return 0;
    });
  }

  /** HcsOpenComputeSystem, by the compute system's ID string, with GENERIC_ALL access. */
  openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle> {
    try {
      const symbols = this.#libraries.computecoreSymbols();
      const text = encodeWide(id, "id");
      const handleSlot = new BigUint64Array(1);
      const table = this.#systems;
      return runNativeCall(this.#libraries, {
        start: () => symbols.HcsOpenComputeSystem(text, GENERIC_ALL, handleSlot),
        finish: (hresult) =>
          finishOpen(
            OPEN,
            hresult,
            handleSlot,
            undefined,
            table,
            () => Object.freeze({ hcsSystem: true as const }),
          ),
        discard: (handle) => table.discard(handle),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsModifyComputeSystem with a configuration document, as an operation. */
  modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void> {
    try {
      const symbols = this.#libraries.computecoreSymbols();
      const text = encodeWide(configuration, "configuration");
      const lease = this.#systems.acquire(handle, MODIFY);
      return runOperation(this.#libraries, symbols, {
        name: MODIFY,
        start: (operation) => symbols.HcsModifyComputeSystem(lease.pointer, operation, text, null),
        finish: (hresult, document) => {
          if (hresult < 0) throw hresultError(MODIFY, hresult, document);
        },
        settle: () => lease.release(),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsGetComputeSystemProperties, as an operation: its result document. */
  getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    try {
      const symbols = this.#libraries.computecoreSymbols();
      const text = encodeWide(query, "query");
      const lease = this.#systems.acquire(handle, PROPERTIES);
      return runOperation(this.#libraries, symbols, {
        name: PROPERTIES,
        start: (operation) => symbols.HcsGetComputeSystemProperties(lease.pointer, operation, text),
        finish: (hresult, document) => {
          if (hresult < 0) throw hresultError(PROPERTIES, hresult, document);
          return document;
        },
        settle: () => lease.release(),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsCloseComputeSystem (at once, or when the operations using the handle complete). */
  closeComputeSystem(handle: HcsSystemHandle): void {
    this.#systems.close(handle);
  }
}
