/**
 * The versioned snapshot of a controller: what `save()` returns, what a
 * store keeps, what `NetworkController.import()` takes.
 *
 * @module
 */
import { z } from "zod";
import type { NicBinding } from "./binding.ts";
import { SnapshotError } from "./errors.ts";
import { isCanonicalGuid } from "./guid.ts";
import { CONTROLLER_STATES, type ControllerState } from "./state.ts";
import type { JsonObject } from "../ports/json.ts";

/**
 * A controller snapshot, schema version 1. Plain JSON.
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
  /** Always 1. */
  readonly schemaVersion: 1;
  /** The pod. */
  readonly podId: string;
  /** The HCN namespace GUID. */
  readonly namespaceId: string;
  /** The controller's state when the snapshot was taken. */
  readonly state: ControllerState;
  /** The operation that was running when the snapshot was written, if any. */
  readonly operation: "setup" | "teardown" | "reset" | null;
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

const schema = z.strictObject({
  schemaVersion: z.literal(1),
  podId: z.string().min(1).max(256),
  namespaceId: guid,
  state: z.enum(CONTROLLER_STATES),
  operation: z.enum(["setup", "teardown", "reset"]).nullable(),
  policyBasedRouting: z.boolean(),
  guestNamespace: z.strictObject({
    progress,
    document: z.record(z.string(), json),
  }).nullable(),
  bindings: z.array(z.strictObject({
    nicId: guid,
    endpointId: guid,
    endpointName: z.string(),
    macAddress: z.string().min(1).optional(),
    prepared: progress,
    vmAdded: progress,
    attached: progress,
  })),
});

/**
 * Validates a snapshot given as a parsed value or as JSON text. Throws
 * {@linkcode SnapshotError} naming the first bad field.
 *
 * @example
 * ```ts
 * import { parseSnapshot } from "@podnet/hcs";
 * try {
 *   parseSnapshot('{"schemaVersion": 2}');
 * } catch (e) {
 *   console.log((e as Error).message);
 * }
 * ```
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
  const result = schema.safeParse(value);
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "document";
    throw new SnapshotError(`${where}: ${issue?.message ?? "malformed"}`, { cause: result.error });
  }
  const s = result.data;
  const seen = new Set<string>();
  for (const b of s.bindings) {
    if (seen.has(b.nicId)) throw new SnapshotError(`bindings: NIC ${b.nicId} appears twice`);
    seen.add(b.nicId);
  }
  return s as Snapshot;
}
