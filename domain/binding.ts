/**
 * A NIC binding: one host endpoint, the NIC that carries it into the VM, and
 * how far each step got.
 *
 * @module
 */
import type { NicStep } from "./steps.ts";
import type { IovSettings } from "./iov.ts";

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
  /**
   * The NIC's SR-IOV settings, when `updateEndpoint()` (or `addEndpoint()`
   * with `iov`) set them, and how far applying them got: `done` applied,
   * `pending` maybe applied (applied again by a retry or recovery), `none`
   * not applied yet (a NIC re-added by a migration reset).
   */
  readonly iov?: NicIov;
}

/**
 * A binding's SR-IOV settings and how far applying them got.
 *
 * @example
 * ```ts
 * import type { NicIov } from "@podnet/hcs";
 * const iov: NicIov = { settings: { offloadWeight: 100 }, progress: "done" };
 * ```
 */
export interface NicIov {
  /** The settings. */
  readonly settings: IovSettings;
  /** How far applying them got. */
  readonly progress: StepProgress;
}
