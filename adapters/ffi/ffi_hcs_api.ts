/**
 * `HcsApi` over vmcompute.dll through Deno FFI.
 *
 * @module
 */
import type { HcsApi, HcsSystemHandle } from "../dll/hcs_api.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { HandleTable } from "./_handle_table.ts";
import {
  checkOutcome,
  finishOpen,
  finishWithResult,
  runNativeCall,
  StringSlot,
} from "./_native_call.ts";
import type { NativeLibraries } from "./_native_libraries.ts";
import { nativeLibrariesOf, type WindowsLibraries } from "./windows_libraries.ts";
import { encodeWide } from "./wide_string.ts";

const OPEN = "HcsOpenComputeSystem";
const MODIFY = "HcsModifyComputeSystem";
const PROPERTIES = "HcsGetComputeSystemProperties";
const CLOSE = "HcsCloseComputeSystem";

/**
 * vmcompute.dll (HCS v1 entry points) through Deno FFI. Strings go in as
 * NUL-terminated UTF-16LE; every returned string (properties, ResultError
 * document) is decoded then freed with `CoTaskMemFree` exactly once; every
 * handle is closed on every path. Open, modify and property queries run on
 * worker threads (admitted by the libraries' `maxInFlight`) and stop waiting
 * when `options.signal` aborts; a call that keeps running after that is
 * reported through `options.onAbandoned` (a late modify may still take
 * effect). Failures are `HResultError`s carrying the parsed ResultError
 * document. A success HRESULT that comes with a ResultError document is a
 * success, logged at warn (hcsshim treats it so).
 *
 * @example
 * ```ts
 * import { WindowsLibraries } from "@podnet/hcs";
 * import { FfiHcsApi } from "@podnet/hcs/native";
 * await using libraries = new WindowsLibraries();
 * const hcs = new FfiHcsApi(libraries);
 * const vm = await hcs.openComputeSystem("uvm-7");
 * try {
 *   console.log(await hcs.getComputeSystemProperties(vm, '{"PropertyTypes":["GuestConnection"]}'));
 * } finally {
 *   hcs.closeComputeSystem(vm);
 * }
 * ```
 */
export class FfiHcsApi implements HcsApi {
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
    this.#systems = new HandleTable(
      libraries,
      CLOSE,
      (pointer) => libraries.vmcompute.symbols.HcsCloseComputeSystem(pointer),
    );
  }

  /** HcsOpenComputeSystem, by the compute system's ID string. */
  openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle> {
    try {
      const symbols = this.#libraries.vmcomputeSymbols();
      const text = encodeWide(id, "id");
      const handleSlot = new BigUint64Array(1);
      const record = new StringSlot(this.#libraries);
      const table = this.#systems;
      return runNativeCall(this.#libraries, {
        start: () => symbols.HcsOpenComputeSystem(text, handleSlot, record.slot),
        finish: (hresult) =>
          finishOpen(
            OPEN,
            hresult,
            handleSlot,
            record,
            table,
            () => Object.freeze({ hcsSystem: true as const }),
            "warn",
          ),
        discard: (handle) => table.discard(handle),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsModifyComputeSystem with a configuration document. */
  modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void> {
    try {
      const symbols = this.#libraries.vmcomputeSymbols();
      const text = encodeWide(configuration, "configuration");
      const lease = this.#systems.acquire(handle, MODIFY);
      const record = new StringSlot(this.#libraries);
      return runNativeCall(this.#libraries, {
        start: () => symbols.HcsModifyComputeSystem(lease.pointer, text, record.slot),
        finish: (hresult) => {
          using result = record;
          checkOutcome(MODIFY, hresult, result.take(), "warn");
        },
        settle: () => lease.release(),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsGetComputeSystemProperties: the properties document. */
  getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    try {
      const symbols = this.#libraries.vmcomputeSymbols();
      const text = encodeWide(query, "query");
      const lease = this.#systems.acquire(handle, PROPERTIES);
      const properties = new StringSlot(this.#libraries);
      const record = new StringSlot(this.#libraries);
      return runNativeCall(this.#libraries, {
        start: () =>
          symbols.HcsGetComputeSystemProperties(lease.pointer, text, properties.slot, record.slot),
        finish: (hresult) => finishWithResult(PROPERTIES, hresult, properties, record, "warn"),
        settle: () => lease.release(),
      }, options);
    } catch (error) {
      return Promise.reject(error);
    }
  }

  /** HcsCloseComputeSystem (at once, or when the calls using the handle return). */
  closeComputeSystem(handle: HcsSystemHandle): void {
    this.#systems.close(handle);
  }
}
