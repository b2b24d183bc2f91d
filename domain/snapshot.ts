/**
 * The versioned snapshot of a controller: what `save()` returns, what a
 * store keeps, what `NetworkController.import()` and `recover()` take.
 *
 * A snapshot is checked before it is used: its shape (with zod), that no
 * document nests deeper than {@linkcode MAX_SNAPSHOT_DEPTH}, and that every
 * binding's NIC ID is the one podnet derives from the snapshot's pod and the
 * binding's endpoint, so a record cannot name another pod's NIC.
 *
 * @module
 */
import { z } from "zod";
import type { NicBinding } from "./binding.ts";
import { SnapshotError } from "./errors.ts";
import { isCanonicalGuid } from "./guid.ts";
import { deriveNicId } from "./nic_id.ts";
import { CONTROLLER_STATES, type ControllerState } from "./state.ts";
import { jsonDepth } from "./_json.ts";
import { podIdProblem } from "./_pod_id.ts";
import { INTERRUPT_MODERATIONS } from "./iov.ts";
import type { JsonObject } from "../ports/json.ts";

/**
 * A controller snapshot, schema version 2. Plain JSON.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "@podnet/hcs";
 * function nicIds(s: Snapshot): string[] {
 *   return s.bindings.map((b) => b.nicId);
 * }
 * ```
 */
export interface Snapshot {
  /** Always 2 (version 1 records are read and upgraded). */
  readonly schemaVersion: 2;
  /** The pod. */
  readonly podId: string;
  /** The pod's HCN namespace GUID: the one the guest knows the pod by. */
  readonly namespaceId: string;
  /**
   * On a migration destination: the destination's namespace recorded by
   * `patch()`, until `resetAfterMigration()` completes; else `null`.
   */
  readonly destinationNamespaceId: string | null;
  /** The controller's state when the snapshot was taken. */
  readonly state: ControllerState;
  /** The operation that was running when the snapshot was written, if any. */
  readonly operation: RecordedOperationName | null;
  /** The PBR option the NICs were configured with. */
  readonly policyBasedRouting: boolean;
  /** The guest namespace step and the namespace document captured at setup. */
  readonly guestNamespace: {
    readonly progress: "none" | "pending" | "done";
    readonly document: JsonObject;
  } | null;
  /** The bindings, in attach order. */
  readonly bindings: readonly NicBinding[];
}

/**
 * The operations a record names while they run: `setup`, `teardown`,
 * `reset` (migration), and on a running pod `add`, `remove`, `update` and
 * `sync` (`addEndpoint()`, `removeEndpoint()`, `updateEndpoint()`, `sync()`).
 *
 * @example
 * ```ts
 * import { RECORDED_OPERATIONS } from "@podnet/hcs/ports";
 * console.log(RECORDED_OPERATIONS.includes("sync")); // true
 * ```
 */
export const RECORDED_OPERATIONS = [
  "setup",
  "teardown",
  "reset",
  "add",
  "remove",
  "update",
  "sync",
] as const;

/**
 * One operation a record names while it runs.
 *
 * @example
 * ```ts
 * import type { RecordedOperationName } from "@podnet/hcs/ports";
 * const op: RecordedOperationName = "add";
 * ```
 */
export type RecordedOperationName = typeof RECORDED_OPERATIONS[number];

/**
 * How deep a snapshot may nest (the namespace document included). Deeper
 * input is rejected before any parser walks it.
 *
 * @example
 * ```ts
 * import { MAX_SNAPSHOT_DEPTH } from "@podnet/hcs/ports";
 * console.log(MAX_SNAPSHOT_DEPTH); // 64
 * ```
 */
export const MAX_SNAPSHOT_DEPTH = 64;

const guid = z.string().refine(isCanonicalGuid, { message: "must be a lower-case GUID" });
const progress = z.enum(["none", "pending", "done"]);
const json: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number(),
    z.string(),
    z.array(json),
    z.record(z.string(), json),
  ])
);
const u32 = z.number().int().min(0).max(0xffff_ffff);
const iov = z.strictObject({
  settings: z.strictObject({
    offloadWeight: u32.optional(),
    queuePairsRequested: u32.optional(),
    interruptModeration: z.enum(INTERRUPT_MODERATIONS).optional(),
  }),
  progress,
});
const common = {
  podId: z.string().superRefine((id, ctx) => {
    const problem = podIdProblem(id);
    if (problem !== undefined) ctx.addIssue({ code: "custom", message: problem });
  }),
  namespaceId: guid,
  state: z.enum(CONTROLLER_STATES),
  operation: z.enum(RECORDED_OPERATIONS).nullable(),
  policyBasedRouting: z.boolean(),
  guestNamespace: z.strictObject({
    progress,
    document: z.record(z.string(), json),
  }).nullable(),
};
const binding = {
  nicId: guid,
  endpointId: guid,
  endpointName: z.string(),
  macAddress: z.string().min(1).optional(),
};

const v2 = z.strictObject({
  schemaVersion: z.literal(2),
  ...common,
  destinationNamespaceId: guid.nullable(),
  bindings: z.array(z.strictObject({
    ...binding,
    progress: z.strictObject({
      "guest-prepare": progress,
      "vm-add": progress,
      "guest-attach": progress,
    }),
    iov: iov.optional(),
  })),
});

/** Version 1: progress as three fields, no destination namespace. */
const v1 = z.strictObject({
  schemaVersion: z.literal(1),
  ...common,
  bindings: z.array(z.strictObject({
    ...binding,
    prepared: progress,
    vmAdded: progress,
    attached: progress,
  })),
}).transform((s): z.infer<typeof v2> => ({
  ...s,
  schemaVersion: 2,
  destinationNamespaceId: null,
  bindings: s.bindings.map(({ prepared, vmAdded, attached, ...b }) => ({
    ...b,
    progress: { "guest-prepare": prepared, "vm-add": vmAdded, "guest-attach": attached },
  })),
}));

/**
 * The parts of the current snapshot schema that a journal's changes carry,
 * so that a change is checked exactly as the record it changes (internal:
 * `record_change.ts` builds its schema from them).
 */
export const snapshotParts = {
  guid,
  progress,
  state: common.state,
  operation: common.operation,
  guestNamespace: common.guestNamespace,
  binding: v2.shape.bindings.element,
  iov,
} as const;

const schema = z.discriminatedUnion("schemaVersion", [v2, v1], {
  error: "must be 1 or 2",
});

/**
 * Validates a snapshot given as a parsed value or as JSON text, and returns
 * a copy in the current version. Throws {@linkcode SnapshotError} naming the
 * first bad field; never anything else, however hostile the input.
 *
 * @example
 * ```ts
 * import { SnapshotError } from "@podnet/hcs";
 * import { parseSnapshot } from "@podnet/hcs/ports";
 * try {
 *   parseSnapshot('{"schemaVersion": 3}');
 * } catch (e) {
 *   if (e instanceof SnapshotError) console.log(e.message);
 * }
 * ```
 *
 * @param input the snapshot, parsed or as JSON text
 * @returns the validated snapshot
 * @throws {SnapshotError} when the input is not a snapshot podnet can use
 */
export function parseSnapshot(input: unknown): Snapshot {
  let value = input;
  if (typeof input === "string") {
    try {
      value = JSON.parse(input);
    } catch (cause) {
      throw new SnapshotError("not JSON (truncated or corrupt)", { cause });
    }
  }
  if (jsonDepth(value, MAX_SNAPSHOT_DEPTH) > MAX_SNAPSHOT_DEPTH) {
    throw new SnapshotError(`document: nested deeper than ${MAX_SNAPSHOT_DEPTH} levels`);
  }
  let result;
  try {
    result = schema.safeParse(value);
  } catch (cause) {
    // A getter or proxy in a parsed value may throw: still a bad snapshot.
    throw new SnapshotError("document: cannot be read", { cause });
  }
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "document";
    throw new SnapshotError(`${where}: ${issue?.message ?? "malformed"}`, { cause: result.error });
  }
  const s = result.data;
  const seen = new Set<string>();
  s.bindings.forEach((b, i) => {
    if (seen.has(b.nicId)) throw new SnapshotError(`bindings.${i}: NIC ${b.nicId} appears twice`);
    seen.add(b.nicId);
    if (deriveNicId(s.podId, b.endpointId) !== b.nicId) {
      throw new SnapshotError(
        `bindings.${i}.nicId: ${b.nicId} is not the NIC of endpoint ${b.endpointId} in pod ` +
          JSON.stringify(s.podId),
      );
    }
  });
  return s as Snapshot;
}
