/**
 * `@podnet/hcs/native`: the DLL level, for people who write their own
 * adapters or bind other DLLs the same way. `HcnApi` and `HcsApi` mirror the
 * computenetwork.dll and HCS functions podnet uses (strings in, strings out,
 * opaque handles, failures as `HResultError`); the FFI classes implement
 * them with `Deno.dlopen` of the real DLLs; the symbol tables are the FFI
 * signatures, each checked against Microsoft's headers; the HRESULT tables
 * say what a code means. `ComputeSystem` is the one handle on the utility
 * VM that `createPorts()` shares between the VM and guest ports.
 *
 * An application needs none of this: `createWindowsPorts()` in
 * `@podnet/hcs` wires it all.
 *
 * @example Call computenetwork.dll directly
 * ```ts
 * import { FfiHcnApi } from "@podnet/hcs/native";
 * import { WindowsLibraries } from "@podnet/hcs";
 *
 * await using libraries = new WindowsLibraries();
 * const hcn = new FfiHcnApi(libraries);
 * const ids = await hcn.enumerateNamespaces('{"SchemaVersion":{"Major":2,"Minor":0}}');
 * console.log(JSON.parse(ids));
 * ```
 *
 * @module
 */
export type { HcnApi, HcnEndpointHandle, HcnNamespaceHandle } from "./adapters/dll/hcn_api.ts";
export type { HcsApi, HcsSystemHandle } from "./adapters/dll/hcs_api.ts";
export type { NativeCallOptions } from "./adapters/dll/native_call_options.ts";
export { ComputeSystem } from "./adapters/hcs/compute_system.ts";
export type {
  ComputeSystemCallOptions,
  ComputeSystemOptions,
  NotFoundTarget,
} from "./adapters/hcs/compute_system.ts";
export { FfiHcnApi } from "./adapters/ffi/ffi_hcn_api.ts";
export { FfiHcsApi } from "./adapters/ffi/ffi_hcs_api.ts";
export { FfiComputecoreApi } from "./adapters/ffi/ffi_computecore_api.ts";
export { WindowsHcsApi } from "./adapters/ffi/windows_hcs_api.ts";
export { LazyLibrary } from "./adapters/ffi/lazy_library.ts";
export { COMPUTENETWORK_SYMBOLS } from "./adapters/ffi/computenetwork_symbols.ts";
export { VMCOMPUTE_SYMBOLS } from "./adapters/ffi/vmcompute_symbols.ts";
export { COMPUTECORE_SYMBOLS } from "./adapters/ffi/computecore_symbols.ts";
export { OLE32_SYMBOLS } from "./adapters/ffi/ole32_symbols.ts";
export { KERNEL32_SYMBOLS } from "./adapters/ffi/kernel32_symbols.ts";
export {
  HRESULT,
  isGuestGoneHResult,
  isNotFoundHResult,
  isVmGoneHResult,
} from "./adapters/dll/hresult.ts";
export { hresultError, parseErrorRecord } from "./adapters/dll/error_record.ts";
// What the above refer to (also in @podnet/hcs and @podnet/hcs/ports)
export type { CallOptions } from "./ports/call_options.ts";
export type { JsonObject, JsonValue } from "./ports/json.ts";
export { HResultError, PodnetError } from "./domain/errors.ts";
export type { ErrorRecord, HcsErrorEvent, PodnetErrorCode } from "./domain/errors.ts";
export type { HcsLibrary } from "./adapters/ffi/windows_libraries.ts";
export type { WindowsLibraryName } from "./adapters/ffi/library_paths.ts";
