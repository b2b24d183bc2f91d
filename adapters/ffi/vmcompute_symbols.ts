/**
 * The symbol table of vmcompute.dll (Host Compute Service, v1 entry points)
 * for `Deno.dlopen`: the functions podnet calls, with their C types.
 *
 * @module
 */

/**
 * vmcompute.dll. No public header declares these; the prototypes are the ones
 * hcsshim uses in production. Every function returns an `HRESULT` (`i32`).
 * The compute system ID goes in as a string, not a GUID struct. Open, modify
 * and property queries may take seconds (they wait for the VM and its
 * guest), so they run on a worker thread (`nonblocking`); the close does not.
 *
 * @example Load the table yourself
 * ```ts
 * import { VMCOMPUTE_SYMBOLS } from "@podnet/hcs/native";
 * const lib = Deno.dlopen("C:\\Windows\\System32\\vmcompute.dll", VMCOMPUTE_SYMBOLS);
 * lib.close();
 * ```
 */
export const VMCOMPUTE_SYMBOLS = {
  HcsOpenComputeSystem: {
    parameters: [
      "buffer", // PCWSTR Id: NUL-terminated UTF-16LE
      "buffer", // HCS_SYSTEM* ComputeSystem: out-slot (8 bytes)
      "buffer", // PWSTR* Result: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcsModifyComputeSystem: {
    parameters: [
      "pointer", // HCS_SYSTEM ComputeSystem: void*
      "buffer", // PCWSTR Configuration: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Result: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcsGetComputeSystemProperties: {
    parameters: [
      "pointer", // HCS_SYSTEM ComputeSystem: void*
      "buffer", // PCWSTR PropertyQuery: NUL-terminated UTF-16LE
      "buffer", // PWSTR* Properties: out-slot (8 bytes), freed with CoTaskMemFree
      "buffer", // PWSTR* Result: out-slot (8 bytes), freed with CoTaskMemFree
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcsCloseComputeSystem: {
    parameters: [
      "pointer", // HCS_SYSTEM ComputeSystem: void*
    ],
    result: "i32", // HRESULT
  },
} as const satisfies Deno.ForeignLibraryInterface;
