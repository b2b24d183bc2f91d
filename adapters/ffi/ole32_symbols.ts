/**
 * The symbol table of ole32.dll for `Deno.dlopen`: `CoTaskMemFree`, which
 * frees every string computenetwork.dll and vmcompute.dll return.
 *
 * @module
 */

/**
 * ole32.dll: `void CoTaskMemFree(LPVOID pv)`. Called on the event loop
 * thread: it is fast and must run exactly once per returned string.
 *
 * @example Free a string a DLL returned
 * ```ts
 * import { OLE32_SYMBOLS } from "@podnet/hcs/native";
 * const ole32 = Deno.dlopen("C:\\Windows\\System32\\ole32.dll", OLE32_SYMBOLS);
 * ole32.symbols.CoTaskMemFree(null); // freeing NULL does nothing
 * ole32.close();
 * ```
 */
export const OLE32_SYMBOLS = {
  CoTaskMemFree: {
    parameters: [
      "pointer", // LPVOID pv: void*
    ],
    result: "void", // void
  },
} as const satisfies Deno.ForeignLibraryInterface;
