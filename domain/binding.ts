/**
 * A NIC binding: one host endpoint, the NIC that carries it into the VM, and
 * how far each step got.
 *
 * @module
 */

/**
 * How far one step of a binding got: not done, maybe done (started but its
 * outcome is unknown: a timeout, a crash, a lost connection) or done.
 *
 * @example
 * ```ts
 * import type { StepProgress } from "@podnet/hcs";
 * const p: StepProgress = "pending";
 * ```
 */
export type StepProgress = "none" | "pending" | "done";

/**
 * One NIC binding, as the controller reports and records it.
 *
 * @example
 * ```ts
 * import type { NicBinding } from "@podnet/hcs";
 * function isLive(b: NicBinding): boolean {
 *   return b.attached === "done";
 * }
 * ```
 */
export interface NicBinding {
  /** The NIC's GUID: a v5 UUID of the pod ID and endpoint ID. */
  readonly nicId: string;
  /** The host endpoint's GUID. */
  readonly endpointId: string;
  /** The host endpoint's name ("<container-id>_eth0"). */
  readonly endpointName: string;
  /** The endpoint's MAC address, when HNS gave one. */
  readonly macAddress?: string;
  /** Guest prepare (WCOW pre-add). */
  readonly prepared: StepProgress;
  /** Host hot-add to the VM. */
  readonly vmAdded: StepProgress;
  /** Guest attach (move into the pod namespace). */
  readonly attached: StepProgress;
}
