/**
 * The names the simulated host gives its calls: DLL function names and the
 * request operations an `HcsModifyComputeSystem` document is classified into.
 * Trace entries, latency profiles and fault plans use them.
 *
 * @module
 */

/**
 * The computenetwork.dll functions the simulator implements.
 *
 * @example
 * ```ts
 * import { HCN_CALLS } from "@podnet/hcs/sim";
 * console.log(HCN_CALLS.includes("HcnOpenNamespace")); // true
 * ```
 */
export const HCN_CALLS = [
  "HcnOpenNamespace",
  "HcnQueryNamespaceProperties",
  "HcnCloseNamespace",
  "HcnEnumerateNamespaces",
  "HcnOpenEndpoint",
  "HcnQueryEndpointProperties",
  "HcnCloseEndpoint",
  "HcnEnumerateEndpoints",
] as const;

/**
 * The vmcompute.dll functions the simulator implements.
 *
 * @example
 * ```ts
 * import { HCS_CALLS } from "@podnet/hcs/sim";
 * console.log(HCS_CALLS.length); // 4
 * ```
 */
export const HCS_CALLS = [
  "HcsOpenComputeSystem",
  "HcsModifyComputeSystem",
  "HcsGetComputeSystemProperties",
  "HcsCloseComputeSystem",
] as const;

/**
 * The request operations an `HcsModifyComputeSystem` call is classified into
 * by its document. A document that fits none has the op
 * `"HcsModifyComputeSystem"`.
 *
 * @example
 * ```ts
 * import { MODIFY_REQUEST_OPS } from "@podnet/hcs/sim";
 * console.log(MODIFY_REQUEST_OPS[0]); // vm.add-nic
 * ```
 */
export const MODIFY_REQUEST_OPS = [
  "vm.add-nic",
  "vm.remove-nic",
  "vm.update-nic",
  "guest.namespace-add",
  "guest.namespace-remove",
  "guest.nic-add",
  "guest.nic-preadd",
  "guest.nic-remove",
] as const;

/**
 * A DLL function the simulator implements.
 *
 * @example
 * ```ts
 * import type { SimCall } from "@podnet/hcs/sim";
 * const call: SimCall = "HcsModifyComputeSystem";
 * ```
 */
export type SimCall = typeof HCN_CALLS[number] | typeof HCS_CALLS[number];

/**
 * An operation name: a DLL function name, or for `HcsModifyComputeSystem`
 * the request operation its document was classified into.
 *
 * @example
 * ```ts
 * import type { SimOp } from "@podnet/hcs/sim";
 * const op: SimOp = "guest.nic-preadd";
 * ```
 */
export type SimOp = SimCall | typeof MODIFY_REQUEST_OPS[number];

/**
 * The close calls: never delayed, never faulted, never counted by `"*"`.
 *
 * @example
 * ```ts
 * import { CLOSE_CALLS } from "@podnet/hcs/sim";
 * console.log(CLOSE_CALLS.includes("HcsCloseComputeSystem")); // true
 * ```
 */
export const CLOSE_CALLS: readonly SimCall[] = [
  "HcnCloseNamespace",
  "HcnCloseEndpoint",
  "HcsCloseComputeSystem",
];

const known: ReadonlySet<string> = new Set<string>([
  ...HCN_CALLS,
  ...HCS_CALLS,
  ...MODIFY_REQUEST_OPS,
]);

/**
 * Whether the name is a call or operation name the simulator knows.
 *
 * @example
 * ```ts
 * import { isSimOp } from "@podnet/hcs/sim";
 * isSimOp("vm.add-nic"); // true
 * isSimOp("vm.add-nics"); // false
 * ```
 */
export function isSimOp(name: string): name is SimOp {
  return known.has(name);
}
