/**
 * A state store in memory, for tests and for processes that need no
 * durability.
 *
 * @module
 */
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
  /** How many times `save` was called (for tests that check durability points). */
  saves = 0;

  /** The pod's snapshot, or `undefined`. */
  load(podId: string): Promise<Snapshot | undefined> {
    const text = this.#records.get(podId);
    return Promise.resolve(text === undefined ? undefined : parseSnapshot(text));
  }

  /** Replaces the pod's snapshot. */
  save(snapshot: Snapshot): Promise<void> {
    this.saves++;
    this.#records.set(snapshot.podId, JSON.stringify(snapshot));
    return Promise.resolve();
  }

  /** Removes the pod's snapshot. */
  delete(podId: string): Promise<void> {
    this.#records.delete(podId);
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
