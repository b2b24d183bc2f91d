/**
 * The controller's lifecycle states and its transition table, as data.
 *
 * @module
 */

/**
 * The states of a {@linkcode NetworkController}.
 *
 * @example
 * ```ts
 * import { CONTROLLER_STATES } from "@podnet/hcs";
 * console.log(CONTROLLER_STATES.length); // 6
 * ```
 */
export const CONTROLLER_STATES = [
  "NotConfigured",
  "Configured",
  "Invalid",
  "TornDown",
  "SourceMigrating",
  "DestinationMigrating",
] as const;

/**
 * One state of a controller.
 *
 * @example
 * ```ts
 * import type { ControllerState } from "@podnet/hcs";
 * const s: ControllerState = "Configured";
 * ```
 */
export type ControllerState = typeof CONTROLLER_STATES[number];

/**
 * The operations that the transition table governs.
 *
 * @example
 * ```ts
 * import { CONTROLLER_OPERATIONS } from "@podnet/hcs";
 * console.log(CONTROLLER_OPERATIONS.includes("setup")); // true
 * ```
 */
export const CONTROLLER_OPERATIONS = [
  "setup",
  "teardown",
  "save",
  "resume",
  "patch",
  "resetAfterMigration",
  "addEndpoint",
  "removeEndpoint",
  "updateEndpoint",
  "sync",
  "finishInterrupted",
] as const;

/**
 * One operation of a controller.
 *
 * @example
 * ```ts
 * import type { ControllerOperation } from "@podnet/hcs";
 * const op: ControllerOperation = "teardown";
 * ```
 */
export type ControllerOperation = typeof CONTROLLER_OPERATIONS[number];

/**
 * What one operation does in one state; {@linkcode TRANSITION_ACTIONS} says
 * what each does.
 *
 * @example
 * ```ts
 * import { type TransitionAction, TRANSITIONS } from "@podnet/hcs";
 * const action: TransitionAction = TRANSITIONS.Configured.save;
 * console.log(action); // "snapshot"
 * ```
 */
export type TransitionAction =
  | "reject"
  | "noop"
  | "setup"
  | "teardown"
  | "drop"
  | "snapshot"
  | "resume-source"
  | "bind-ports"
  | "patch"
  | "reset"
  | "add-endpoint"
  | "remove-endpoint"
  | "update-endpoint"
  | "sync"
  | "finish";

/**
 * What each {@linkcode TransitionAction} does, and the state it leads to.
 *
 * @example
 * ```ts
 * import { TRANSITION_ACTIONS } from "@podnet/hcs";
 * console.log(TRANSITION_ACTIONS.drop);
 * ```
 */
export const TRANSITION_ACTIONS: { readonly [A in TransitionAction]: string } = {
  reject: "throws `InvalidStateError`, changes nothing",
  noop: "returns at once, changes nothing",
  setup: "runs setup (→ Configured, or failure)",
  teardown: "undoes the bindings (→ TornDown, or Invalid)",
  drop: "forgets the bindings without touching host, VM or guest (→ TornDown)",
  snapshot: "returns the snapshot (→ SourceMigrating)",
  "resume-source": "the migration was abandoned, the source goes on (→ Configured)",
  "bind-ports": "takes the destination's ports (→ Configured)",
  patch: "records the destination's namespace ID (state unchanged)",
  reset: "when `patch()` recorded a destination namespace, swaps the source's NICs for " +
    "the destination's endpoints (→ Configured, or Invalid and retryable); else nothing",
  "add-endpoint": "binds one more endpoint of the namespace after the others (state unchanged, " +
    "failed or not)",
  "remove-endpoint": "undoes one binding (state unchanged, failed or not)",
  "update-endpoint": "applies a NIC's SR-IOV settings on the VM (state unchanged, failed or not)",
  sync: "removes the NICs whose endpoints left the namespace and adds the endpoints that " +
    "arrived (state unchanged, failed or not)",
  finish: "after `recover()` of a record written during a NIC change, undoes an interrupted " +
    "add, finishes an interrupted remove, applies an interrupted update again; else nothing",
};

/**
 * The transition table: the one place that says what each operation does in
 * each state (docs/architecture.md shows it, checked by a test).
 *
 * @example
 * ```ts
 * import { TRANSITIONS } from "@podnet/hcs";
 * console.log(TRANSITIONS.TornDown.teardown); // "noop"
 * ```
 */
export const TRANSITIONS: {
  readonly [S in ControllerState]: { readonly [O in ControllerOperation]: TransitionAction };
} = {
  NotConfigured: {
    setup: "setup",
    teardown: "noop",
    save: "reject",
    resume: "reject",
    patch: "reject",
    resetAfterMigration: "reject",
    addEndpoint: "reject",
    removeEndpoint: "reject",
    updateEndpoint: "reject",
    sync: "reject",
    finishInterrupted: "reject",
  },
  Configured: {
    setup: "reject",
    teardown: "teardown",
    save: "snapshot",
    resume: "noop",
    patch: "reject",
    resetAfterMigration: "reset",
    addEndpoint: "add-endpoint",
    removeEndpoint: "remove-endpoint",
    updateEndpoint: "update-endpoint",
    sync: "sync",
    finishInterrupted: "finish",
  },
  Invalid: {
    setup: "reject",
    teardown: "teardown",
    save: "reject",
    resume: "reject",
    patch: "reject",
    resetAfterMigration: "reset",
    addEndpoint: "reject",
    removeEndpoint: "reject",
    updateEndpoint: "reject",
    sync: "reject",
    finishInterrupted: "reject",
  },
  TornDown: {
    setup: "reject",
    teardown: "noop",
    save: "reject",
    resume: "reject",
    patch: "reject",
    resetAfterMigration: "reject",
    addEndpoint: "reject",
    removeEndpoint: "reject",
    updateEndpoint: "reject",
    sync: "reject",
    finishInterrupted: "reject",
  },
  SourceMigrating: {
    setup: "reject",
    teardown: "drop",
    save: "snapshot",
    resume: "resume-source",
    patch: "reject",
    resetAfterMigration: "reject",
    addEndpoint: "reject",
    removeEndpoint: "reject",
    updateEndpoint: "reject",
    sync: "reject",
    finishInterrupted: "reject",
  },
  DestinationMigrating: {
    setup: "reject",
    teardown: "drop",
    save: "reject",
    resume: "bind-ports",
    patch: "patch",
    resetAfterMigration: "reject",
    addEndpoint: "reject",
    removeEndpoint: "reject",
    updateEndpoint: "reject",
    sync: "reject",
    finishInterrupted: "reject",
  },
};
