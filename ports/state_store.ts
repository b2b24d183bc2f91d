/**
 * Durable record of a controller's bindings.
 *
 * @module
 */
import type { RecordChange } from "../domain/record_change.ts";
import type { Snapshot } from "../domain/snapshot.ts";

/**
 * Port: keeps one snapshot per pod so that a crash or a new process can
 * finish the job. Unreadable or invalid content is an error, never "empty".
 *
 * @example
 * ```ts
 * import type { StateStore } from "@podnet/hcs/ports";
 * async function forget(store: StateStore, podId: string): Promise<void> {
 *   if (await store.load(podId)) await store.delete(podId);
 * }
 * ```
 */
export interface StateStore {
  /** The pod's last snapshot, or `undefined` when there is none. */
  load(podId: string): Promise<Snapshot | undefined>;
  /** Replaces the pod's snapshot, durably, before it resolves. */
  save(snapshot: Snapshot): Promise<void>;
  /** Removes the pod's snapshot (no error when there is none). */
  delete(podId: string): Promise<void>;
  /**
   * The pods that have a snapshot, sorted, so that an operator or a
   * restarted process can find every record. A record that cannot be read
   * is an error, never left out.
   */
  list(): Promise<string[]>;
  /**
   * Optional: adds what changed since the pod's last `save()` (in this
   * store object), durably, before it resolves; `load()` then returns the
   * record with every change applied (`applyRecordChanges`). A store that
   * has it is given only the changes on most writes, so a write costs the
   * same at 8 NICs and at 64; the controller still saves the whole record
   * now and then (and always first). A store without it gets `save()`.
   * A store may fold its journal into a whole record whenever it likes
   * (`FileStore` does once the journal outgrows the record), so the
   * journal of a pod that changes for weeks stays bounded.
   */
  append?(podId: string, changes: readonly RecordChange[]): Promise<void>;
}
