/**
 * The symbol table of computecore.dll (Host Compute Service, v2) for
 * `Deno.dlopen`: the functions podnet calls, with their C types.
 *
 * @module
 */

/**
 * computecore.dll, as declared in Microsoft's `computecore.h`. A modify or a
 * property query takes an operation (`HcsCreateOperation`) and returns at
 * once; HCS does the work on its own threads and calls the operation's
 * completion callback, after which `HcsGetOperationResult` gives the HRESULT
 * and the result document (freed with `LocalFree`). So these calls are
 * blocking (they return at once) and hold no worker thread while HCS works.
 * `HcsOpenComputeSystem` has no operation and may wait for the service: it
 * runs on a worker thread (`nonblocking`), and so does
 * `HcsWaitForOperationResult`, which podnet does not use (its
 * benchmarks compare it with the callback). `HcsCancelOperation` is listed
 * for completeness: Microsoft documents it as not implemented (it always
 * returns `E_NOTIMPL`), so a wait that podnet cuts off never cancels HCS's
 * work.
 *
 * @example Load the table yourself
 * ```ts
 * import { COMPUTECORE_SYMBOLS } from "@podnet/hcs/native";
 * const lib = Deno.dlopen("C:\\Windows\\System32\\computecore.dll", COMPUTECORE_SYMBOLS);
 * lib.close();
 * ```
 */
export const COMPUTECORE_SYMBOLS = {
  HcsCreateOperation: {
    parameters: [
      "pointer", // const void* context: passed to the callback
      "function", // HCS_OPERATION_COMPLETION callback: void CALLBACK (HCS_OPERATION, void*)
    ],
    result: "pointer", // HCS_OPERATION: void*, NULL when out of resources
  },
  HcsCloseOperation: {
    parameters: [
      "pointer", // HCS_OPERATION operation: void*
    ],
    result: "void", // void
  },
  HcsOpenComputeSystem: {
    parameters: [
      "buffer", // PCWSTR id: NUL-terminated UTF-16LE
      "u32", // DWORD requestedAccess: GENERIC_ALL
      "buffer", // HCS_SYSTEM* computeSystem: out-slot (8 bytes)
    ],
    result: "i32", // HRESULT
    nonblocking: true,
  },
  HcsCloseComputeSystem: {
    parameters: [
      "pointer", // HCS_SYSTEM computeSystem: void*
    ],
    result: "void", // void
  },
  HcsModifyComputeSystem: {
    parameters: [
      "pointer", // HCS_SYSTEM computeSystem: void*
      "pointer", // HCS_OPERATION operation: void*
      "buffer", // PCWSTR configuration: NUL-terminated UTF-16LE
      "pointer", // HANDLE identity: NULL
    ],
    result: "i32", // HRESULT: whether the work was started
  },
  HcsGetComputeSystemProperties: {
    parameters: [
      "pointer", // HCS_SYSTEM computeSystem: void*
      "pointer", // HCS_OPERATION operation: void*
      "buffer", // PCWSTR propertyQuery: NUL-terminated UTF-16LE
    ],
    result: "i32", // HRESULT: whether the work was started
  },
  HcsGetOperationResult: {
    parameters: [
      "pointer", // HCS_OPERATION operation: void*
      "buffer", // PWSTR* resultDocument: out-slot (8 bytes), freed with LocalFree
    ],
    result: "i32", // HRESULT: the operation's outcome
  },
  HcsWaitForOperationResult: {
    parameters: [
      "pointer", // HCS_OPERATION operation: void*
      "u32", // DWORD timeoutMs
      "buffer", // PWSTR* resultDocument: out-slot (8 bytes), freed with LocalFree
    ],
    result: "i32", // HRESULT: the operation's outcome, or HCS_E_OPERATION_TIMEOUT
    nonblocking: true,
  },
  HcsSetOperationCallback: {
    parameters: [
      "pointer", // HCS_OPERATION operation: void*
      "pointer", // const void* context
      "function", // HCS_OPERATION_COMPLETION callback
    ],
    result: "i32", // HRESULT
  },
  HcsCancelOperation: {
    parameters: [
      "pointer", // HCS_OPERATION operation: void*
    ],
    result: "i32", // HRESULT: E_NOTIMPL, as documented
  },
} as const satisfies Deno.ForeignLibraryInterface;
