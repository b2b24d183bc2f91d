/**
 * A state store in memory, for tests and for processes that need no
 * durability.
 *
 * @module
 */
import { applyRecordChanges, type RecordChange } from "../../domain/record_change.ts";
import { StoreError } from "../../domain/errors.ts";
import { parseSnapshot, type Snapshot } from "../../domain/snapshot.ts";
import type { StateStore } from "../../ports/state_store.ts";

/**
 * Keeps snapshots in memory, as JSON text, so that what comes back is a copy
 * that went through the same validation as a file.
 *
 * @example
 * ```ts
 * import { MemoryStore } from "@podnet/hcs";
 * const store = new MemoryStore();
 * console.log(await store.load("pod-a")); // undefined
 * ```
 */
export class MemoryStore implements StateStore {
  readonly #records = new Map<string, string>();
  /** The changes appended since each pod's last save, as JSON text. */
  readonly #journals = new Map<string, string[]>();

  /** The pod's snapshot, or `undefined`. *
   * @throws {SnapshotError} when the record kept is not valid
   */
  load(podId: string): Promise<Snapshot | undefined> {
    const text = this.#records.get(podId);
    if (text === undefined) return Promise.resolve(undefined);
    const changes = (this.#journals.get(podId) ?? []).flatMap((t) =>
      JSON.parse(t) as RecordChange[]
    );
    const written = parseSnapshot(text);
    return Promise.resolve(
      changes.length === 0 ? written : parseSnapshot(applyRecordChanges(written, changes)),
    );
  }

  /** Replaces the pod's snapshot. */
  save(snapshot: Snapshot): Promise<void> {
    this.#records.set(snapshot.podId, JSON.stringify(snapshot));
    this.#journals.delete(snapshot.podId);
    return Promise.resolve();
  }

  /** Adds changes to the pod's record since its last save. *
   * @throws {StoreError} when the pod has no record to append to
   */
  append(podId: string, changes: readonly RecordChange[]): Promise<void> {
    if (!this.#records.has(podId)) {
      return Promise.reject(new StoreError(`append to the state of pod ${podId}`, "it has none"));
    }
    let journal = this.#journals.get(podId);
    if (journal === undefined) this.#journals.set(podId, journal = []);
    journal.push(JSON.stringify(changes));
    return Promise.resolve();
  }

  /** Removes the pod's snapshot. */
  delete(podId: string): Promise<void> {
    this.#records.delete(podId);
    this.#journals.delete(podId);
    return Promise.resolve();
  }

  /** The pods that have a snapshot, sorted. */
  list(): Promise<string[]> {
    return Promise.resolve(this.podIds);
  }

  /** The pods that have a snapshot, sorted. */
  get podIds(): string[] {
    return [...this.#records.keys()].sort();
  }
}
