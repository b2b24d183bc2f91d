/**
 * The `HcsApi` of a Windows host: computecore.dll or vmcompute.dll, chosen
 * at the first call.
 *
 * @module
 */
import type { HcsApi, HcsSystemHandle } from "../dll/hcs_api.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { FfiComputecoreApi } from "./ffi_computecore_api.ts";
import { FfiHcsApi } from "./ffi_hcs_api.ts";
import type { NativeLibraries } from "./_native_libraries.ts";
import { type HcsLibrary, nativeLibrariesOf, type WindowsLibraries } from "./windows_libraries.ts";

/**
 * `HcsApi` over the HCS library named here, or else the one the libraries
 * choose (computecore.dll when it loads,
 * else vmcompute.dll). Nothing is loaded until the first call; the choice
 * then holds for the life of this object.
 *
 * @example
 * ```ts
 * import { WindowsLibraries } from "@podnet/hcs";
 * import { WindowsHcsApi } from "@podnet/hcs/native";
 * await using libraries = new WindowsLibraries();
 * const hcs = new WindowsHcsApi(libraries);
 * const vm = await hcs.openComputeSystem("uvm-7");
 * console.log(hcs.library); // "computecore" on Windows Server 2019 and later
 * hcs.closeComputeSystem(vm);
 * ```
 */
export class WindowsHcsApi implements HcsApi {
  readonly #libraries: WindowsLibraries;
  readonly #native: NativeLibraries;
  readonly #named: HcsLibrary | undefined;
  #api: HcsApi | undefined;
  #library: HcsLibrary | undefined;

  /**
   * Binds to the libraries; loads nothing yet.
   *
   * @param libraries the libraries to call through
   * @param library the HCS library; the libraries' choice when omitted
   */
  constructor(libraries: WindowsLibraries, library?: HcsLibrary) {
    this.#libraries = libraries;
    this.#native = nativeLibrariesOf(libraries);
    this.#named = library;
  }

  /** The HCS library in use, once the first call chose it. */
  get library(): HcsLibrary | undefined {
    return this.#library;
  }

  /** HcsOpenComputeSystem, by the compute system's ID string. */
  openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle> {
    return this.#call((api) => api.openComputeSystem(id, options));
  }

  /** HcsModifyComputeSystem with a configuration document. */
  modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void> {
    return this.#call((api) => api.modifyComputeSystem(handle, configuration, options));
  }

  /** HcsGetComputeSystemProperties: the properties document. */
  getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    return this.#call((api) => api.getComputeSystemProperties(handle, query, options));
  }

  /** HcsCloseComputeSystem. */
  closeComputeSystem(handle: HcsSystemHandle): void {
    this.#chosen().closeComputeSystem(handle);
  }

  /** Runs an asynchronous call on the chosen API; a failed choice is a rejection, not a throw. */
  #call<T>(call: (api: HcsApi) => Promise<T>): Promise<T> {
    try {
      return call(this.#chosen());
    } catch (error) {
      return Promise.reject(error);
    }
  }

  #chosen(): HcsApi {
    if (this.#api !== undefined) return this.#api;
    const library = this.#named ?? this.#native.chooseHcs();
    this.#api = library === "computecore"
      ? new FfiComputecoreApi(this.#libraries)
      : new FfiHcsApi(this.#libraries);
    this.#library = library;
    return this.#api;
  }
}
