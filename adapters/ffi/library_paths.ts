/**
 * Where the Windows DLLs podnet binds to are loaded from.
 *
 * @module
 */
import { trustedSystemRoot } from "./_system_root.ts";

/**
 * The libraries podnet binds to, by the key their path options use.
 *
 * @example
 * ```ts
 * import type { WindowsLibraryName } from "@podnet/hcs";
 * const name: WindowsLibraryName = "computenetwork";
 * ```
 */
export type WindowsLibraryName =
  | "computenetwork"
  | "vmcompute"
  | "computecore"
  | "ole32"
  | "kernel32";

/**
 * Explicit paths of the libraries, overriding the System32 defaults (tests
 * load stand-in libraries this way). A missing key uses the default.
 *
 * @example
 * ```ts
 * import type { WindowsLibraryPaths } from "@podnet/hcs";
 * const paths: WindowsLibraryPaths = { computenetwork: "D:\\lab\\computenetwork.dll" };
 * ```
 */
export type WindowsLibraryPaths = { readonly [K in WindowsLibraryName]?: string | URL };

/**
 * The file name of each library on Windows.
 */
export const WINDOWS_LIBRARY_FILES: Readonly<Record<WindowsLibraryName, string>> = {
  computenetwork: "computenetwork.dll",
  vmcompute: "vmcompute.dll",
  computecore: "computecore.dll",
  ole32: "ole32.dll",
  kernel32: "kernel32.dll",
};

/**
 * The full default path of a library on Windows: `%SystemRoot%\System32\<dll>`
 * (`C:\Windows` when `SystemRoot` is unset or cannot be read). Never a bare
 * name, which the DLL search order could resolve to a planted copy. Reads the
 * environment only when called.
 * (`systemLibraryPath("ole32", "C:\\Windows")` is `C:\Windows\System32\ole32.dll`.)
 *
 * @param name the library
 * @param systemRoot the Windows directory; read from `SystemRoot` when omitted
 */
export function systemLibraryPath(name: WindowsLibraryName, systemRoot?: string): string {
  const root = (systemRoot ?? readSystemRoot()).replace(/[\\/]+$/, "");
  return `${root}\\System32\\${WINDOWS_LIBRARY_FILES[name]}`;
}

function readSystemRoot(): string {
  let value: string | undefined;
  try {
    value = Deno.env.get("SystemRoot");
  } catch {
    // No --allow-env: the usual location is the only safe guess.
    value = undefined;
  }
  return trustedSystemRoot(value);
}
