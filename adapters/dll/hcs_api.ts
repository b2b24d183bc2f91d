/**
 * The DLL-level interface of the Host Compute Service: the calls podnet makes,
 * as computecore.dll (HCS v2) and vmcompute.dll (HCS v1) both offer them.
 * Implemented by `ffi/` (either real DLL) and `sim/`.
 *
 * @module
 */
import type { NativeCallOptions } from "./native_call_options.ts";

/**
 * An open compute system handle (opaque).
 *
 * @example
 * ```ts
 * import type { HcsSystemHandle } from "@podnet/hcs/native";
 * let handle: HcsSystemHandle | undefined;
 * ```
 */
export interface HcsSystemHandle {
  /** Brand. */
  readonly hcsSystem: true;
}

/**
 * The Host Compute Service, one method per function podnet uses (served by
 * computecore.dll or vmcompute.dll). Failures reject with an `HResultError`
 * carrying the parsed ResultError document; returned strings are already
 * decoded and freed.
 *
 * Each asynchronous call takes `NativeCallOptions`: when its `signal` aborts
 * it rejects at once with the signal's reason. If the DLL call keeps running
 * after that (a worker thread cannot be stopped), the implementation calls
 * `options.onAbandoned` once with a promise that resolves when the call has
 * really finished and its results are freed or closed: until then an
 * abandoned `modifyComputeSystem` may still take effect, so a caller that
 * needs its modifications applied in order waits for that promise before
 * sending the next one. An implementation whose work stops with the wait
 * never calls it.
 *
 * @example
 * ```ts
 * import type { HcsApi } from "@podnet/hcs/native";
 * async function modify(hcs: HcsApi, vmId: string, doc: object): Promise<void> {
 *   const h = await hcs.openComputeSystem(vmId);
 *   try {
 *     await hcs.modifyComputeSystem(h, JSON.stringify(doc));
 *   } finally {
 *     hcs.closeComputeSystem(h);
 *   }
 * }
 * ```
 */
export interface HcsApi {
  /** HcsOpenComputeSystem, by the compute system's ID string. */
  openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle>;
  /** HcsModifyComputeSystem with a configuration document. */
  modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void>;
  /** HcsGetComputeSystemProperties: the properties document. */
  getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string>;
  /** HcsCloseComputeSystem. */
  closeComputeSystem(handle: HcsSystemHandle): void;
}
