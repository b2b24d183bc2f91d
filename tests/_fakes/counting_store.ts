/**
 * A `MemoryStore` that counts its writes, for tests that check how often
 * the controller writes and how (whole saves against appended changes).
 */
import { MemoryStore } from "../../adapters/store/memory_store.ts";
import type { RecordChange } from "../../domain/record_change.ts";
import type { Snapshot } from "../../domain/snapshot.ts";

/** Counts the `save()` and (successful) `append()` calls it gets. */
export class CountingStore extends MemoryStore {
  /** How many times `save` was called. */
  saves = 0;
  /** How many times `append` added changes. */
  appends = 0;

  override save(snapshot: Snapshot): Promise<void> {
    this.saves++;
    return super.save(snapshot);
  }

  override async append(podId: string, changes: readonly RecordChange[]): Promise<void> {
    await super.append(podId, changes);
    this.appends++;
  }
}
