/**
 * What the simulated host holds that podnet could leak.
 *
 * @module
 */

/**
 * What the simulated host holds that podnet could leak, each list sorted.
 *
 * @example
 * ```ts
 * import type { Inventory } from "@podnet/hcs/sim";
 * const clean: Inventory = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };
 * ```
 */
export interface Inventory {
  /** IDs (lower case) of the NICs hot-added to the utility VM. */
  readonly vmNics: readonly string[];
  /** IDs (lower case) of the adapters present in the guest, from (pre-)add to remove. */
  readonly guestAdapters: readonly string[];
  /** IDs (lower case) of the namespaces added in the guest. */
  readonly guestNamespaces: readonly string[];
  /** HCN and HCS handles open now. */
  readonly openHandles: number;
}
