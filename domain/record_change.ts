/**
 * Changes to a pod's record, so that a store can keep a journal: the record
 * written whole now and then, and between those writes only what changed.
 * A write then costs the same at 8 NICs and at 64.
 *
 * @module
 */
import { z } from "zod";
import type { NicBinding, NicIov, StepProgress } from "./binding.ts";
import { SnapshotError } from "./errors.ts";
import { type Snapshot, snapshotParts as p } from "./snapshot.ts";
import type { NicStep } from "./steps.ts";

/**
 * One change to a pod's record since it was last written whole.
 *
 * - `state`: the controller's state, the operation in progress and the
 *   destination namespace;
 * - `namespace`: the guest namespace record, whole (set at setup and reset);
 * - `namespace-progress`: how far the guest namespace step got;
 * - `bind`: a binding is listed, after the binding `after` (`null`: first);
 * - `progress`: how far one step of a binding got;
 * - `drop`: a binding with nothing left to undo is forgotten;
 * - `iov`: a binding's SR-IOV settings and how far applying them got
 *   (`null`: none).
 *
 * @example
 * ```ts
 * import type { RecordChange } from "@podnet/hcs/ports";
 * const change: RecordChange = {
 *   type: "progress",
 *   nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
 *   step: "vm-add",
 *   progress: "pending",
 * };
 * ```
 */
export type RecordChange =
  | {
    readonly type: "state";
    readonly state: Snapshot["state"];
    readonly operation: Snapshot["operation"];
    readonly destinationNamespaceId: string | null;
  }
  | { readonly type: "namespace"; readonly namespace: Snapshot["guestNamespace"] }
  | { readonly type: "namespace-progress"; readonly progress: StepProgress }
  | { readonly type: "bind"; readonly after: string | null; readonly binding: NicBinding }
  | {
    readonly type: "progress";
    readonly nicId: string;
    readonly step: NicStep;
    readonly progress: StepProgress;
  }
  | { readonly type: "drop"; readonly nicId: string }
  | { readonly type: "iov"; readonly nicId: string; readonly iov: NicIov | null };

/**
 * Every kind of change and the shape of its fields: the one list a new kind
 * is added to (with its member of {@linkcode RecordChange} and its case in
 * {@linkcode applyRecordChanges}; the compiler asks for both). Fields are
 * checked exactly as the snapshot's own (same schemas), and no field beyond
 * these is allowed.
 */
const CHANGE_KINDS = {
  state: {
    state: p.state,
    operation: p.operation,
    destinationNamespaceId: p.guid.nullable(),
  },
  namespace: { namespace: p.guestNamespace },
  "namespace-progress": { progress: p.progress },
  bind: { after: p.guid.nullable(), binding: p.binding },
  progress: {
    nicId: p.guid,
    step: z.enum(["guest-prepare", "vm-add", "guest-attach"]),
    progress: p.progress,
  },
  drop: { nicId: p.guid },
  iov: { nicId: p.guid, iov: p.iov.nullable() },
} as const;

type Kind = keyof typeof CHANGE_KINDS;
const KINDS = Object.keys(CHANGE_KINDS) as Kind[];

const changeSchema = z.discriminatedUnion(
  "type",
  KINDS.map((type) =>
    z.strictObject({ type: z.literal(type), ...CHANGE_KINDS[type] })
  ) as unknown as [
    z.ZodObject,
    ...z.ZodObject[],
  ],
  { error: `must be one of ${KINDS.join(", ")}` },
);
const changesSchema = z.array(changeSchema).min(1);

// Every kind in the list is a kind of RecordChange and the other way round.
type _SameKinds = [Kind] extends [RecordChange["type"]]
  ? [RecordChange["type"]] extends [Kind] ? true : never
  : never;
const _sameKinds: _SameKinds = true;

/**
 * Checks one journal entry (a non-empty list of changes, as a store wrote
 * it) against the record's schema and returns it typed. Throws
 * {@linkcode SnapshotError} naming the first bad field; never anything else.
 *
 * @example
 * ```ts
 * import { parseRecordChanges } from "@podnet/hcs/ports";
 * const changes = parseRecordChanges(JSON.parse(
 *   '[{"type":"namespace-progress","progress":"done"}]',
 * ));
 * console.log(changes.length); // 1
 * ```
 *
 * @param value the parsed entry
 * @returns the changes, in order
 * @throws {SnapshotError} when it is not a non-empty list of valid changes
 */
export function parseRecordChanges(value: unknown): RecordChange[] {
  let result;
  try {
    result = changesSchema.safeParse(value);
  } catch (cause) {
    throw new SnapshotError("journal entry: cannot be read", { cause });
  }
  if (!result.success) {
    const issue = result.error.issues[0];
    const where = issue && issue.path.length > 0 ? issue.path.join(".") : "entry";
    throw new SnapshotError(`${where}: ${issue?.message ?? "malformed"}`, { cause: result.error });
  }
  return result.data as RecordChange[];
}

/**
 * The record after `changes`, applied in order to `snapshot` (which is not
 * changed). Check the result with `parseSnapshot` before use.
 *
 * @example
 * ```ts
 * import type { Snapshot } from "@podnet/hcs";
 * import { applyRecordChanges, type RecordChange } from "@podnet/hcs/ports";
 * declare const written: Snapshot;
 * declare const journal: RecordChange[];
 * const current = applyRecordChanges(written, journal);
 * console.log(current.state);
 * ```
 *
 * @param snapshot the record as last written whole
 * @param changes the changes since, in order
 * @returns the current record
 * @throws {SnapshotError} when a change does not fit the record (a binding
 *   it names is not there)
 */
export function applyRecordChanges(
  snapshot: Snapshot,
  changes: readonly RecordChange[],
): Snapshot {
  let state = snapshot.state;
  let operation = snapshot.operation;
  let destinationNamespaceId = snapshot.destinationNamespaceId;
  let guestNamespace = snapshot.guestNamespace;
  const bindings: NicBinding[] = [...snapshot.bindings];
  const at = (nicId: string, i: number): number => {
    const index = bindings.findIndex((b) => b.nicId === nicId);
    if (index < 0) throw new SnapshotError(`journal entry ${i}: no binding of NIC ${nicId}`);
    return index;
  };
  changes.forEach((c, i) => {
    switch (c.type) {
      case "state":
        ({ state, operation, destinationNamespaceId } = c);
        break;
      case "namespace":
        guestNamespace = c.namespace;
        break;
      case "namespace-progress":
        if (guestNamespace === null) {
          throw new SnapshotError(`journal entry ${i}: no guest namespace record`);
        }
        guestNamespace = { ...guestNamespace, progress: c.progress };
        break;
      case "bind":
        bindings.splice(c.after === null ? 0 : at(c.after, i) + 1, 0, c.binding);
        break;
      case "progress": {
        const index = at(c.nicId, i);
        const b = bindings[index] as NicBinding;
        bindings[index] = { ...b, progress: { ...b.progress, [c.step]: c.progress } };
        break;
      }
      case "drop":
        bindings.splice(at(c.nicId, i), 1);
        break;
      case "iov": {
        const index = at(c.nicId, i);
        const { iov: _, ...b } = bindings[index] as NicBinding;
        bindings[index] = c.iov === null ? b : { ...b, iov: c.iov };
        break;
      }
    }
  });
  return {
    ...snapshot,
    state,
    operation,
    destinationNamespaceId,
    guestNamespace,
    bindings,
  };
}
