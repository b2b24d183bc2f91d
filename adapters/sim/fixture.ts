/**
 * The fixture shape the simulated host loads: one HCN namespace and its
 * endpoints, as in `adapters/sim/fixtures/*.json`.
 *
 * @module
 */
import type { JsonObject } from "../../ports/json.ts";

/**
 * A host fixture: an HCN namespace document and HCN endpoint documents, each
 * with an `ID` GUID. Other fields (`description`, `expectedOrder`...) are
 * allowed and ignored by the simulator.
 *
 * @example
 * ```ts
 * import type { SimFixture } from "@podnet/hcs/sim";
 * const fixture: SimFixture = {
 *   namespace: { ID: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", Resources: [] },
 *   endpoints: [],
 * };
 * ```
 */
export interface SimFixture {
  /** What the fixture shows. */
  readonly description?: string;
  /** The HCN namespace document. */
  readonly namespace: JsonObject;
  /** The HCN endpoint documents. */
  readonly endpoints: readonly JsonObject[];
}
