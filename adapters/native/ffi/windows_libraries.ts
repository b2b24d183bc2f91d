/**
 * The four Windows libraries podnet binds to, loaded lazily and closed
 * together, with the bookkeeping that makes closing safe: calls still running
 * on worker threads and handles still open.
 *
 * @module
 */
import { NativeLoadError } from "../../../domain/errors.ts";
import { COMPUTENETWORK_SYMBOLS } from "./computenetwork_symbols.ts";
import { KERNEL32_SYMBOLS } from "./kernel32_symbols.ts";
import { LazyLibrary } from "./lazy_library.ts";
import type { WindowsLibraryPaths } from "./library_paths.ts";
import { OLE32_SYMBOLS } from "./ole32_symbols.ts";
import { VMCOMPUTE_SYMBOLS } from "./vmcompute_symbols.ts";
import { decodeWide } from "./wide_string.ts";

/**
 * computenetwork.dll, vmcompute.dll, ole32.dll and kernel32.dll. Nothing is
 * opened (and no permission is needed) until the first call; each DLL opens
 * together with ole32 and kernel32, which free and measure the strings it
 * returns. Shared by any number of `FfiHcnApi`/`FfiHcsApi` instances.
 *
 * `close()` stops new calls, waits for the calls still running on worker
 * threads (their late results are freed, their late handles closed), closes
 * the handles still open, then closes the libraries.
 *
 * @example Load stand-in libraries from explicit paths
 * ```ts ignore
 * import { WindowsLibraries } from "./windows_libraries.ts";
 * await using libraries = new WindowsLibraries({
 *   computenetwork: "/opt/standins/libcomputenetwork.so",
 *   vmcompute: "/opt/standins/libvmcompute.so",
 *   ole32: "/opt/standins/libole32.so",
 *   kernel32: "/opt/standins/libkernel32.so",
 * });
 * console.log(libraries.pending); // 0
 * ```
 */
export class WindowsLibraries implements Disposable, AsyncDisposable {
  /** computenetwork.dll (HCN). */
  readonly computenetwork: LazyLibrary<typeof COMPUTENETWORK_SYMBOLS>;
  /** vmcompute.dll (HCS v1). */
  readonly vmcompute: LazyLibrary<typeof VMCOMPUTE_SYMBOLS>;
  /** ole32.dll (`CoTaskMemFree`). */
  readonly ole32: LazyLibrary<typeof OLE32_SYMBOLS>;
  /** kernel32.dll (`lstrlenW`). */
  readonly kernel32: LazyLibrary<typeof KERNEL32_SYMBOLS>;
  #pending = 0;
  #idle: PromiseWithResolvers<void> | undefined;
  #closing: Promise<void> | undefined;
  #finished = false;
  readonly #openHandles = new Set<() => void>();

  /**
   * Describes the libraries; nothing is loaded yet.
   *
   * @param paths explicit library paths; the System32 defaults otherwise
   */
  constructor(paths: WindowsLibraryPaths = {}) {
    this.computenetwork = new LazyLibrary(
      "computenetwork",
      COMPUTENETWORK_SYMBOLS,
      paths.computenetwork,
    );
    this.vmcompute = new LazyLibrary("vmcompute", VMCOMPUTE_SYMBOLS, paths.vmcompute);
    this.ole32 = new LazyLibrary("ole32", OLE32_SYMBOLS, paths.ole32);
    this.kernel32 = new LazyLibrary("kernel32", KERNEL32_SYMBOLS, paths.kernel32);
  }

  /** Calls running on worker threads (or handle closes waiting for them). */
  get pending(): number {
    return this.#pending;
  }

  /** Handles opened through these libraries and not closed yet. */
  get openHandles(): number {
    return this.#openHandles.size;
  }

  /** Whether `close()` was called. */
  get closed(): boolean {
    return this.#closing !== undefined;
  }

  /**
   * computenetwork.dll's functions, for starting a call: loads it (and ole32
   * and kernel32) on first use. Throws `NativeLoadError` when it cannot be
   * loaded or the libraries are closed.
   */
  hcn(): Deno.StaticForeignLibraryInterface<typeof COMPUTENETWORK_SYMBOLS> {
    this.#ready("computenetwork.dll");
    return this.computenetwork.symbols;
  }

  /**
   * vmcompute.dll's functions, for starting a call: loads it (and ole32 and
   * kernel32) on first use. Throws `NativeLoadError` when it cannot be loaded
   * or the libraries are closed.
   */
  hcs(): Deno.StaticForeignLibraryInterface<typeof VMCOMPUTE_SYMBOLS> {
    this.#ready("vmcompute.dll");
    return this.vmcompute.symbols;
  }

  /**
   * Decodes the string a DLL returned at `address`, then frees it with
   * `CoTaskMemFree`, exactly once, even if decoding fails. 0 is "".
   *
   * @param address the `PWSTR` read from an out-slot
   */
  takeString(address: bigint): string {
    if (address === 0n) return "";
    const pointer = Deno.UnsafePointer.create(address);
    try {
      if (pointer === null) return "";
      return decodeWide(pointer, this.kernel32.symbols.lstrlenW(pointer));
    } finally {
      this.ole32.symbols.CoTaskMemFree(pointer);
    }
  }

  /**
   * Counts `work` as pending until it settles (`close()` and `settled()` wait
   * for it).
   *
   * @param work a call running on a worker thread, with its clean-up
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending++;
    return work.finally(() => {
      this.#pending--;
      if (this.#pending === 0) {
        const idle = this.#idle;
        this.#idle = undefined;
        idle?.resolve();
      }
    });
  }

  /**
   * Registers an open handle: `close()` runs `closeHandle` if the handle is
   * still open then. Returns the function that unregisters it.
   *
   * @param closeHandle closes the handle
   */
  registerHandle(closeHandle: () => void): () => void {
    this.#openHandles.add(closeHandle);
    return () => {
      this.#openHandles.delete(closeHandle);
    };
  }

  /** Resolves when no call is pending (at once when none is). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers<void>();
    return this.#idle.promise;
  }

  /**
   * Stops new calls, waits for the pending ones, closes the handles still
   * open, then closes the libraries. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      if (this.#pending === 0) {
        this.#finish();
        this.#closing = Promise.resolve();
      } else {
        this.#closing = this.settled().then(() => this.#finish());
      }
    }
    return this.#closing;
  }

  /** Same as {@linkcode WindowsLibraries.close}. */
  [Symbol.asyncDispose](): Promise<void> {
    return this.close();
  }

  /**
   * Starts `close()`: done at once when no call is pending, else when the
   * pending calls settle.
   */
  [Symbol.dispose](): void {
    void this.close();
  }

  #ready(file: string): void {
    if (this.#closing !== undefined) {
      throw new NativeLoadError(`Cannot use ${file}: the libraries were closed`);
    }
    // The helpers first: a string the DLL returns must always be freeable.
    this.ole32.load();
    this.kernel32.load();
  }

  #finish(): void {
    if (this.#finished) return;
    this.#finished = true;
    for (const closeHandle of [...this.#openHandles]) closeHandle();
    this.#openHandles.clear();
    this.computenetwork.close();
    this.vmcompute.close();
    this.ole32.close();
    this.kernel32.close();
  }
}
