/**
 * One dynamic library, opened on first use with clear errors.
 *
 * @module
 */
import { NativeLoadError } from "../../domain/errors.ts";
import {
  systemLibraryPath,
  WINDOWS_LIBRARY_FILES,
  type WindowsLibraryName,
} from "./library_paths.ts";

/**
 * A library opened on first use: by its explicit path, else (on Windows) by
 * its full System32 path. Opening needs `--allow-ffi`; constructing does not.
 * Every way of failing to open throws a `NativeLoadError` that names the
 * library and what to do: no permission, a file that cannot be loaded, or a
 * library that lacks some of the functions.
 *
 * @example
 * ```ts
 * import { LazyLibrary } from "@podnet/hcs/native";
 * import { KERNEL32_SYMBOLS } from "@podnet/hcs/native";
 * const kernel32 = new LazyLibrary("kernel32", KERNEL32_SYMBOLS);
 * console.log(kernel32.symbols.lstrlenW(null)); // 0 (opens the DLL now)
 * kernel32.close();
 * ```
 */
export class LazyLibrary<S extends Deno.ForeignLibraryInterface> {
  /** The library's key ("computenetwork", ...). */
  readonly name: WindowsLibraryName;
  readonly #symbols: S;
  readonly #path: string | URL | undefined;
  #library: Deno.DynamicLibrary<S> | undefined;
  #closed = false;

  /**
   * Describes the library; nothing is opened yet.
   *
   * @param name the library's key
   * @param symbols its symbol table
   * @param path an explicit path; the System32 default on Windows otherwise
   */
  constructor(name: WindowsLibraryName, symbols: S, path?: string | URL) {
    this.name = name;
    this.#symbols = symbols;
    this.#path = path;
  }

  /** Whether the library is open now. */
  get loaded(): boolean {
    return this.#library !== undefined;
  }

  /** The functions; opens the library on first use (throws `NativeLoadError`). */
  get symbols(): Deno.StaticForeignLibraryInterface<S> {
    return this.load().symbols;
  }

  /** Opens the library if it is not open yet, and returns it. */
  load(): Deno.DynamicLibrary<S> {
    if (this.#library !== undefined) return this.#library;
    const file = WINDOWS_LIBRARY_FILES[this.name];
    if (this.#closed) {
      throw new NativeLoadError(`load ${file}`, "the libraries were closed");
    }
    const path = this.#resolvePath(file);
    const shown = path instanceof URL ? path.href : path;
    // First a probe with every symbol optional (and blocking: Deno only
    // reports missing optional symbols of blocking functions), so that a
    // library lacking some functions is reported with all their names.
    const probe: Record<string, Deno.ForeignFunction | Deno.ForeignStatic> = {};
    for (const [key, definition] of Object.entries(this.#symbols)) {
      probe[key] = "parameters" in definition
        ? { ...definition, nonblocking: false, optional: true }
        : { ...definition, optional: true };
    }
    let library: Deno.DynamicLibrary<S>;
    try {
      const probed = Deno.dlopen(path, probe);
      try {
        const table = probed.symbols as Record<string, unknown>;
        const missing = Object.keys(this.#symbols).filter((key) => table[key] === null);
        if (missing.length > 0) {
          throw new NativeLoadError(
            `load ${file} from ${shown}`,
            `it does not export ${missing.join(", ")}; it is not ${file} or it is too old`,
            { hint: "podnet needs Windows Server 2019 or later" },
          );
        }
        // Opened while the probe still holds the library: it is loaded once.
        library = Deno.dlopen(path, this.#symbols);
      } finally {
        probed.close();
      }
    } catch (error) {
      if (error instanceof NativeLoadError) throw error;
      if (
        error instanceof Deno.errors.NotCapable || error instanceof Deno.errors.PermissionDenied
      ) {
        throw new NativeLoadError(`load ${file} from ${shown}`, "FFI is not permitted", {
          cause: error,
          hint: "run Deno with --allow-ffi",
        });
      }
      // The OS's own text (the cause) says why.
      throw new NativeLoadError(`load ${file} from ${shown}`, undefined, {
        cause: error,
        hint: "check that the file exists and is built for this platform, or pass its path " +
          `as libraries.${this.name}`,
      });
    }
    this.#library = library;
    return library;
  }

  /** Closes the library if it is open; later use throws `NativeLoadError`. */
  close(): void {
    this.#closed = true;
    const library = this.#library;
    this.#library = undefined;
    library?.close();
  }

  #resolvePath(file: string): string | URL {
    if (this.#path !== undefined) return this.#path;
    if (Deno.build.os !== "windows") {
      throw new NativeLoadError(`load ${file}`, "it exists only on Windows", {
        hint: `pass libraries.${this.name} with the path of a library that exports the same ` +
          "functions",
      });
    }
    return systemLibraryPath(this.name);
  }
}
