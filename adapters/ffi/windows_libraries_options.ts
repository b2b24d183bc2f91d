/**
 * The options of `WindowsLibraries`.
 *
 * @module
 */
/**
 * Which library speaks for the Host Compute Service: computecore.dll (HCS
 * v2: a call waiting for HCS holds no thread) or vmcompute.dll (HCS v1: each
 * call holds a worker thread until HCS answers).
 *
 * @example
 * ```ts
 * import type { HcsLibrary } from "@podnet/hcs";
 * const hcs: HcsLibrary = "computecore";
 * ```
 */
export type HcsLibrary = "computecore" | "vmcompute";

/**
 * Options of `WindowsLibraries`.
 *
 * @example
 * ```ts
 * import type { WindowsLibrariesOptions } from "@podnet/hcs";
 * const options: WindowsLibrariesOptions = { maxInFlight: 8, hcs: "vmcompute" };
 * ```
 */
export interface WindowsLibrariesOptions {
  /**
   * How many native calls may run on worker threads at once, abandoned ones
   * included: an integer from 1 to 32 (Deno's own limit). Default 32.
   */
  readonly maxInFlight?: number;
  /**
   * The HCS library: by default computecore.dll when it loads, else
   * vmcompute.dll (decided at the first HCS call).
   */
  readonly hcs?: HcsLibrary | undefined;
}
