/**
 * The Windows libraries podnet binds to, loaded lazily and closed together,
 * with the bookkeeping that makes closing safe: calls still running on worker
 * threads, HCS operations not completed yet, and handles still open. This is
 * the adapters' side of `WindowsLibraries` (which an application holds and
 * which shows only what an application calls); the FFI classes reach it
 * with `nativeLibrariesOf()`.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { InvalidArgumentError, NativeLoadError } from "../../domain/errors.ts";
import { CallQueue } from "./_call_queue.ts";
import { COMPUTECORE_SYMBOLS } from "./computecore_symbols.ts";
import { COMPUTENETWORK_SYMBOLS } from "./computenetwork_symbols.ts";
import { KERNEL32_SYMBOLS } from "./kernel32_symbols.ts";
import { LazyLibrary } from "./lazy_library.ts";
import type { WindowsLibraryPaths } from "./library_paths.ts";
import type { HcsLibrary, WindowsLibrariesOptions } from "./windows_libraries_options.ts";
import { OLE32_SYMBOLS } from "./ole32_symbols.ts";
import { VMCOMPUTE_SYMBOLS } from "./vmcompute_symbols.ts";
import { decodeWide } from "./wide_string.ts";

const logger = getLogger(["podnet", "ffi"]);

/**
 * The most native calls Deno runs on worker threads at once; calls beyond it
 * would wait inside Deno, where they can no longer be cancelled.
 */
const DENO_NONBLOCKING_LIMIT = 32;

/**
 * How long `close()` waits, once nothing is pending, before it releases
 * what HCS's threads call back into: a thread that delivered the last
 * completion was let go when its callback task ended, and must have left
 * the callback's code before that code is freed.
 */
const CALLBACK_GRACE_MS = 20;

/** A call waiting for a worker slot. */
interface QueuedCall {
  readonly start: () => Promise<number>;
  readonly resolve: (hresult: Promise<number>) => void;
  readonly signal: AbortSignal | undefined;
  readonly onAbort: () => void;
}

/**
 * computenetwork.dll, computecore.dll or vmcompute.dll, ole32.dll and
 * kernel32.dll, and the plumbing of the calls into them (see
 * `WindowsLibraries` for what loads when, how calls are admitted and what
 * `close()` waits for). One per `WindowsLibraries`.
 */
export class NativeLibraries {
  /** computenetwork.dll (HCN). */
  readonly computenetwork: LazyLibrary<typeof COMPUTENETWORK_SYMBOLS>;
  /** vmcompute.dll (HCS v1). */
  readonly vmcompute: LazyLibrary<typeof VMCOMPUTE_SYMBOLS>;
  /** computecore.dll (HCS v2). */
  readonly computecore: LazyLibrary<typeof COMPUTECORE_SYMBOLS>;
  /** ole32.dll (`CoTaskMemFree`). */
  readonly ole32: LazyLibrary<typeof OLE32_SYMBOLS>;
  /** kernel32.dll (`lstrlenW`, `LocalFree`). */
  readonly kernel32: LazyLibrary<typeof KERNEL32_SYMBOLS>;
  /** How many native calls may run on worker threads at once. */
  readonly maxInFlight: number;
  #pending = 0;
  #inFlight = 0;
  readonly #queue = new CallQueue<QueuedCall>();
  #idle: PromiseWithResolvers<void> | undefined;
  #closing: Promise<void> | undefined;
  #finished = false;
  readonly #openHandles = new Set<() => void>();
  readonly #atClose: Array<() => void> = [];
  readonly #hcsOption: HcsLibrary | undefined;
  #hcsChoice: HcsLibrary | undefined;

  /**
   * Describes the libraries; nothing is loaded yet.
   *
   * @param paths explicit library paths; the System32 defaults otherwise
   * @param options how many native calls may run at once; the HCS library
   *
   * @throws {InvalidArgumentError} for an unusable `maxInFlight` or `hcs`
   */
  constructor(paths: WindowsLibraryPaths = {}, options: WindowsLibrariesOptions = {}) {
    const maxInFlight = options.maxInFlight ?? DENO_NONBLOCKING_LIMIT;
    if (
      !Number.isInteger(maxInFlight) || maxInFlight < 1 || maxInFlight > DENO_NONBLOCKING_LIMIT
    ) {
      throw new InvalidArgumentError(
        "maxInFlight",
        `must be an integer from 1 to ${DENO_NONBLOCKING_LIMIT}`,
      );
    }
    this.maxInFlight = maxInFlight;
    if (options.hcs !== undefined && options.hcs !== "computecore" && options.hcs !== "vmcompute") {
      throw new InvalidArgumentError("hcs", 'must be "computecore" or "vmcompute"');
    }
    this.#hcsOption = options.hcs;
    this.computenetwork = new LazyLibrary(
      "computenetwork",
      COMPUTENETWORK_SYMBOLS,
      paths.computenetwork,
    );
    this.vmcompute = new LazyLibrary("vmcompute", VMCOMPUTE_SYMBOLS, paths.vmcompute);
    this.computecore = new LazyLibrary("computecore", COMPUTECORE_SYMBOLS, paths.computecore);
    this.ole32 = new LazyLibrary("ole32", OLE32_SYMBOLS, paths.ole32);
    this.kernel32 = new LazyLibrary("kernel32", KERNEL32_SYMBOLS, paths.kernel32);
  }

  /**
   * Calls not finished yet: waiting for a worker slot, running on a worker
   * thread, HCS operations not completed yet, or having their results freed.
   */
  get pending(): number {
    return this.#pending;
  }

  /** Native calls running on worker threads now (abandoned ones included). */
  get inFlight(): number {
    return this.#inFlight;
  }

  /** Calls waiting for a worker slot. */
  get queued(): number {
    return this.#queue.length;
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
  computenetworkSymbols(): Deno.StaticForeignLibraryInterface<typeof COMPUTENETWORK_SYMBOLS> {
    this.#ready("computenetwork.dll");
    return this.computenetwork.symbols;
  }

  /**
   * vmcompute.dll's functions, for starting a call: loads it (and ole32 and
   * kernel32) on first use. Throws `NativeLoadError` when it cannot be loaded
   * or the libraries are closed.
   */
  vmcomputeSymbols(): Deno.StaticForeignLibraryInterface<typeof VMCOMPUTE_SYMBOLS> {
    this.#ready("vmcompute.dll");
    return this.vmcompute.symbols;
  }

  /**
   * computecore.dll's functions, for starting a call: loads it (and ole32
   * and kernel32) on first use. Throws `NativeLoadError` when it cannot be
   * loaded or the libraries are closed.
   */
  computecoreSymbols(): Deno.StaticForeignLibraryInterface<typeof COMPUTECORE_SYMBOLS> {
    this.#ready("computecore.dll");
    return this.computecore.symbols;
  }

  /**
   * The HCS library calls use when none is named: the `hcs` option, else
   * computecore.dll if it loads (it is loaded now to find out), else
   * vmcompute.dll. Decided once. Throws `NativeLoadError` when the libraries
   * are closed or ole32/kernel32 cannot be loaded.
   */
  chooseHcs(): HcsLibrary {
    if (this.#hcsChoice !== undefined) return this.#hcsChoice;
    this.#ready("computecore.dll");
    let choice = this.#hcsOption;
    if (choice === undefined) {
      try {
        this.computecore.load();
        choice = "computecore";
      } catch (error) {
        if (!(error instanceof NativeLoadError)) throw error;
        logger.info("Using vmcompute.dll: {reason}", { reason: error.message });
        choice = "vmcompute";
      }
    }
    this.#hcsChoice = choice;
    return choice;
  }

  /** The HCS library chosen so far (`chooseHcs()`), if any. */
  get hcsLibrary(): HcsLibrary | undefined {
    return this.#hcsChoice;
  }

  /**
   * Decodes the string a DLL returned at `address`, then frees it with
   * `CoTaskMemFree`, exactly once, even if decoding fails. 0 is "".
   *
   * @param address the `PWSTR` read from an out-slot
   */
  takeString(address: bigint): string {
    return this.#take(address, (pointer) => this.ole32.symbols.CoTaskMemFree(pointer));
  }

  /**
   * Decodes a result document computecore.dll returned at `address`, then
   * frees it with `LocalFree` (as Microsoft documents), exactly once, even
   * if decoding fails. 0 is "".
   *
   * @param address the `PWSTR` read from an out-slot
   */
  takeLocalString(address: bigint): string {
    return this.#take(address, (pointer) => this.kernel32.symbols.LocalFree(pointer));
  }

  /** Decodes the string at `address`, then hands its pointer to `free`, even if decoding fails. */
  #take(address: bigint, free: (pointer: Deno.PointerValue) => unknown): string {
    if (address === 0n) return "";
    const pointer = Deno.UnsafePointer.create(address);
    try {
      if (pointer === null) return "";
      return decodeWide(pointer, this.kernel32.symbols.lstrlenW(pointer));
    } finally {
      free(pointer);
    }
  }

  /**
   * Starts a nonblocking native call: at once when fewer than `maxInFlight`
   * calls run and none waits, else when its turn in the queue comes. Resolves
   * or rejects like the call's promise. When `signal` aborts while the call
   * waits, it leaves the queue, `start` never runs, and the promise rejects
   * with the signal's reason.
   *
   * @param start starts the call (a nonblocking FFI function) and returns its promise
   * @param signal drops the call while it waits
   */
  schedule(start: () => Promise<number>, signal?: AbortSignal): Promise<number> {
    if (this.#queue.length === 0 && this.#inFlight < this.maxInFlight) return this.#launch(start);
    if (signal?.aborted) return Promise.reject(signal.reason);
    const { promise, resolve, reject } = Promise.withResolvers<number>();
    const entry: QueuedCall = {
      start,
      resolve,
      signal,
      onAbort: () => {
        if (!this.#queue.remove(entry)) return;
        reject(signal?.reason);
      },
    };
    signal?.addEventListener("abort", entry.onAbort, { once: true });
    this.#queue.push(entry);
    return promise;
  }

  /**
   * Counts `work` as pending until it settles (`close()` and `settled()` wait
   * for it).
   *
   * @param work a call running on a worker thread, with its clean-up
   */
  track<T>(work: Promise<T>): Promise<T> {
    this.#pending++;
    return work.then(
      (value) => {
        this.#untrack();
        return value;
      },
      (error: unknown) => {
        this.#untrack();
        throw error;
      },
    );
  }

  /**
   * Runs a nonblocking native call as pending work, in one step: admitted
   * like `schedule()`, counted like
   * `track()`, and `finish` runs with the HRESULT
   * the moment the call returns (before the worker slot goes to the next
   * call's caller code). The promise settles like `finish`, or, when the
   * call returned nothing (dropped from the queue by `signal`, or `start`
   * threw), rejects after `failed` ran.
   *
   * @param start starts the call (a nonblocking FFI function) and returns its promise
   * @param finish takes the call's results; its value or exception settles the promise
   * @param failed runs when there is no result to finish
   * @param signal drops the call while it waits
   */
  run<T>(
    start: () => Promise<number>,
    finish: (hresult: number) => T,
    failed: (error: unknown) => void,
    signal?: AbortSignal,
  ): Promise<T> {
    if (this.#queue.length > 0 || this.#inFlight >= this.maxInFlight) {
      return this.track(
        this.schedule(start, signal).then(finish, (error: unknown) => {
          failed(error);
          throw error;
        }),
      );
    }
    // The common case, with as few promise reactions as possible.
    let native: Promise<number>;
    try {
      native = start();
    } catch (error) {
      failed(error);
      return Promise.reject(error);
    }
    this.#inFlight++;
    this.#pending++;
    return native.then(
      (hresult) => {
        this.#inFlight--;
        try {
          return finish(hresult);
        } finally {
          this.#untrack();
          if (this.#queue.length > 0) this.#admit();
        }
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#untrack();
        this.#admit();
        failed(error);
        throw error;
      },
    );
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

  /**
   * Runs `release` when the libraries close: after every pending call has
   * settled and the handles still open are closed, before the libraries
   * themselves close (what HCS may call back into is released there).
   *
   * @param release releases something that lives as long as the libraries
   */
  atClose(release: () => void): void {
    this.#atClose.push(release);
  }

  /** Resolves when no call is pending (at once when none is). */
  settled(): Promise<void> {
    if (this.#pending === 0) return Promise.resolve();
    this.#idle ??= Promise.withResolvers<void>();
    return this.#idle.promise;
  }

  /**
   * Stops new calls, waits for the pending ones, closes the handles still
   * open, then closes the libraries. When HCS operations were used, it also
   * gives HCS's threads a moment to leave the completion callback before
   * that is released. Idempotent.
   */
  close(): Promise<void> {
    if (this.#closing === undefined) {
      if (this.#pending === 0 && this.#atClose.length === 0) {
        this.#finish();
        this.#closing = Promise.resolve();
      } else {
        this.#closing = this.settled()
          .then(() => this.#atClose.length === 0 ? undefined : delay(CALLBACK_GRACE_MS))
          .then(() => this.#finish());
      }
    }
    return this.#closing;
  }

  #untrack(): void {
    this.#pending--;
    if (this.#pending === 0) {
      const idle = this.#idle;
      this.#idle = undefined;
      idle?.resolve();
    }
  }

  #launch(start: () => Promise<number>): Promise<number> {
    let native: Promise<number>;
    try {
      native = start();
    } catch (error) {
      return Promise.reject(error);
    }
    this.#inFlight++;
    return native.then(
      (hresult) => {
        this.#inFlight--;
        this.#admit();
        return hresult;
      },
      (error: unknown) => {
        this.#inFlight--;
        this.#admit();
        throw error;
      },
    );
  }

  /** Starts queued calls while worker slots are free, oldest first. */
  #admit(): void {
    while (this.#inFlight < this.maxInFlight) {
      const next = this.#queue.shift();
      if (next === undefined) return;
      next.signal?.removeEventListener("abort", next.onAbort);
      next.resolve(this.#launch(next.start));
    }
  }

  #ready(file: string): void {
    if (this.#closing !== undefined) {
      throw new NativeLoadError(`use ${file}`, "the libraries were closed");
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
    for (const release of this.#atClose.splice(0)) {
      try {
        release();
      } catch (error) {
        logger.warn("Releasing a resource of the libraries failed: {error}", { error });
      }
    }
    this.computenetwork.close();
    this.vmcompute.close();
    this.computecore.close();
    this.ole32.close();
    this.kernel32.close();
  }
}

function delay(ms: number): Promise<void> {
  return new Promise((resolve) => setTimeout(resolve, ms));
}
