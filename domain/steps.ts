/**
 * The steps a controller runs, by the one name each has in events, errors,
 * records, logs and traces.
 *
 * | step | what it does | where |
 * |---|---|---|
 * | `read-namespace` | reads the HCN namespace | host |
 * | `read-endpoint` | reads one HCN endpoint | host |
 * | `guest-namespace-add` | adds the pod namespace in the guest (WCOW) | guest |
 * | `guest-prepare` | tells the guest a NIC is coming (WCOW pre-add) | guest |
 * | `vm-add` | hot-adds the NIC to the utility VM | host |
 * | `vm-update` | applies the NIC's SR-IOV settings (HCS `Update`) | host |
 * | `guest-attach` | moves the NIC into the pod namespace | guest |
 * | `guest-detach` | takes the NIC out of the guest | guest |
 * | `vm-remove` | hot-removes the NIC from the VM | host |
 * | `guest-namespace-remove` | removes the pod namespace in the guest | guest |
 *
 * @module
 */

/**
 * Every step a controller runs.
 *
 * @example
 * ```ts
 * import type { ControllerStep } from "@podnet/hcs";
 * const step: ControllerStep = "vm-add";
 * ```
 */
export type ControllerStep =
  | "read-namespace"
  | "read-endpoint"
  | "guest-namespace-add"
  | "vm-update"
  | NicStep
  | TeardownStep;

/**
 * The steps that bind one NIC, in the order they run for it. A binding
 * records how far each got under the same name.
 *
 * @example
 * ```ts
 * import type { NicBinding, NicStep } from "@podnet/hcs";
 * declare const binding: NicBinding;
 * const step: NicStep = "vm-add";
 * console.log(binding.progress[step]);
 * ```
 */
export type NicStep = "guest-prepare" | "vm-add" | "guest-attach";

/**
 * The steps that undo what setup did.
 *
 * @example
 * ```ts
 * import type { TeardownStep } from "@podnet/hcs";
 * const step: TeardownStep = "vm-remove";
 * ```
 */
export type TeardownStep = "guest-detach" | "vm-remove" | "guest-namespace-remove";

/** The NIC steps in the order they run for one NIC. */
export const NIC_STEPS: readonly NicStep[] = ["guest-prepare", "vm-add", "guest-attach"];
