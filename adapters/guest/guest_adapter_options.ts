/**
 * Options shared by the guest adapters.
 *
 * @module
 */

/**
 * Options of the guest adapters (none yet; reserved).
 *
 * @example
 * ```ts
 * import type { GuestAdapterOptions } from "./guest_adapter_options.ts";
 * const options: GuestAdapterOptions = {};
 * ```
 */
export type GuestAdapterOptions = Record<string, never>;
