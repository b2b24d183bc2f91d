/**
 * The symbol table of kernel32.dll for `Deno.dlopen`: `lstrlenW`, to measure
 * the strings the DLLs return before copying them out in one piece, and
 * `LocalFree`, which frees computecore.dll's result documents.
 *
 * @module
 */

/**
 * kernel32.dll: `int lstrlenW(LPCWSTR lpString)`, the length in UTF-16 code
 * units (0 for NULL). Measuring once, copying the whole string and decoding it
 * in one call is about five times faster for a 1 KB string than reading one
 * code unit at a time from JavaScript (bench/ffi_bench.ts). And
 * `HLOCAL LocalFree(HLOCAL hMem)`, which frees the result documents of
 * computecore.dll as Microsoft documents (NULL on success). Both are called
 * on the event loop thread: they are fast.
 *
 * @example Measure a returned string
 * ```ts
 * import { KERNEL32_SYMBOLS } from "@podnet/hcs/native";
 * const kernel32 = Deno.dlopen("C:\\Windows\\System32\\kernel32.dll", KERNEL32_SYMBOLS);
 * console.log(kernel32.symbols.lstrlenW(null)); // 0
 * kernel32.close();
 * ```
 */
export const KERNEL32_SYMBOLS = {
  lstrlenW: {
    parameters: [
      "pointer", // LPCWSTR lpString: const WCHAR*
    ],
    result: "i32", // int
  },
  LocalFree: {
    parameters: [
      "pointer", // HLOCAL hMem: void*
    ],
    result: "pointer", // HLOCAL: NULL on success, hMem on failure
  },
} as const satisfies Deno.ForeignLibraryInterface;
