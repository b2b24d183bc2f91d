/**
 * The Windows libraries an application loads once per process and shares
 * between pods: what it calls on them is here; the plumbing the FFI
 * adapters use (symbols, admission, handles, strings) is in
 * `_native_libraries.ts`, reached with {@linkcode nativeLibrariesOf}.
 *
 * @module
 */
import { InvalidArgumentError } from "../../domain/errors.ts";
import { NativeLibraries } from "./_native_libraries.ts";
import type { WindowsLibraryPaths } from "./library_paths.ts";
import type { HcsLibrary, WindowsLibrariesOptions } from "./windows_libraries_options.ts";

export type { HcsLibrary, WindowsLibrariesOptions } from "./windows_libraries_options.ts";

let nativeOf: (libraries: WindowsLibraries) => NativeLibraries;

/**
 * computenetwork.dll, computecore.dll or vmcompute.dll, ole32.dll and
 * kernel32.dll. Nothing is opened (and no permission is needed) until the
 * first call; each DLL opens together with ole32 and kernel32, which free and
 * measure the strings it returns. Shared by any number of pods' ports
 * (`createWindowsPorts({ libraries })`) and of `FfiHcnApi`,
 * `FfiComputecoreApi` and `FfiHcsApi` instances.
 *
 * `close()` stops new calls, waits for the calls still running on worker
 * threads and the HCS operations not completed yet (their late results are
 * freed, their late handles closed), closes the handles still open, then
 * closes the libraries.
 *
 * Admission: at most `maxInFlight` native calls run on worker threads at
 * once (a call whose caller stopped waiting still counts until it returns).
 * Later calls wait in a first-in, first-out queue on the JavaScript side, so
 * that none waits inside Deno, where it could not be cancelled; a queued
 * call whose signal aborts leaves the queue and is never started. A
 * computecore operation holds no worker thread while HCS works, so it is not
 * admitted this way: only its open is.
 *
 * @example Load stand-in libraries from explicit paths
 * ```ts
 * import { WindowsLibraries } from "@podnet/hcs";
 * await using libraries = new WindowsLibraries({
 *   computenetwork: "/opt/standins/libcomputenetwork.so",
 *   vmcompute: "/opt/standins/libvmcompute.so",
 *   ole32: "/opt/standins/libole32.so",
 *   kernel32: "/opt/standins/libkernel32.so",
 * }, { maxInFlight: 16 });
 * console.log(libraries.pending, libraries.inFlight, libraries.queued); // 0 0 0
 * ```
 */
export class WindowsLibraries implements Disposable, AsyncDisposable {
  readonly #native: NativeLibraries;

  static {
    nativeOf = (libraries) => libraries.#native;
  }

  /**
   * Describes the libraries; nothing is loaded yet.
   *
   * @param paths explicit library paths; the System32 defaults otherwise
   * @param options how many native calls may run at once; the HCS library
   *
   * @throws {InvalidArgumentError} for an unusable `maxInFlight` or `hcs`
   */
  constructor(paths: WindowsLibraryPaths = {}, options: WindowsLibrariesOptions = {}) {
    this.#native = new NativeLibraries(paths, options);
  }

  /** How many native calls may run on worker threads at once. */
  get maxInFlight(): number {
    return this.#native.maxInFlight;
  }

  /**
   * Calls not finished yet: waiting for a worker slot, running on a worker
   * thread, HCS operations not completed yet, or having their results freed.
   */
  get pending(): number {
    return this.#native.pending;
  }

  /** Native calls running on worker threads now (abandoned ones included). */
  get inFlight(): number {
    return this.#native.inFlight;
  }

  /** Calls waiting for a worker slot. */
  get queued(): number {
    return this.#native.queued;
  }

  /** Handles opened through these libraries and not closed yet. */
  get openHandles(): number {
    return this.#native.openHandles;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#native.closed;
  }

  /**
   * The HCS library in use, once the first HCS call decided it (the `hcs`
   * option, else computecore.dll when it loads, else vmcompute.dll).
   */
  get hcsLibrary(): HcsLibrary | undefined {
    return this.#native.hcsLibrary;
  }

  /** Resolves when no call is pending (at once when none is). */
  settled(): Promise<void> {
    return this.#native.settled();
  }

  /**
   * Stops new calls, waits for the pending ones, closes the handles still
   * open, then closes the libraries. When HCS operations were used, it also
   * gives HCS's threads a moment to leave the completion callback before
   * that is released. Idempotent.
   */
  close(): Promise<void> {
    return this.#native.close();
  }

  /** Same as {@linkcode WindowsLibraries.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Starts `close()`: done at once when no call is pending and no HCS
   * operation was used, else when the pending calls settle.
   */
  [Symbol.dispose](): void {
    void this.close();
  }
}

/**
 * The plumbing under `libraries`, for the FFI adapters.
 *
 * @throws {InvalidArgumentError} when `libraries` is not a `WindowsLibraries`
 */
export function nativeLibrariesOf(libraries: WindowsLibraries): NativeLibraries {
  if (!(libraries instanceof WindowsLibraries)) {
    throw new InvalidArgumentError("libraries", "must be a WindowsLibraries");
  }
  return nativeOf(libraries);
}
