/**
 * A NIC binding: one host endpoint, the NIC that carries it into the VM, and
 * how far each step got.
 *
 * @module
 */
import type { NicStep } from "./steps.ts";

/**
 * How far one step got: not done, maybe done (started but its outcome is
 * unknown: a timeout, a crash, a lost connection) or done.
 *
 * @example
 * ```ts
 * import type { StepProgress } from "@podnet/hcs";
 * const p: StepProgress = "pending";
 * ```
 */
export type StepProgress = "none" | "pending" | "done";

/**
 * One NIC binding, as the controller reports and records it. `progress` is
 * keyed by the step names of events and errors.
 *
 * @example
 * ```ts
 * import type { NicBinding } from "@podnet/hcs";
 * function isLive(b: NicBinding): boolean {
 *   return b.progress["guest-attach"] === "done";
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
  /** How far each step of the NIC got. */
  readonly progress: Readonly<Record<NicStep, StepProgress>>;
}
