/**
 * Writes a pod's record to its store, in order: one write at a time, each
 * taken from the record as it is when the write starts, so an older record
 * never lands over a newer one. Requests that arrive while a write runs are
 * served together by the next one.
 *
 * A write costs what changed, not the whole record: the record logs its
 * changes, and when the store can `append` the recorder hands it only those
 * (copying and serialising every binding on every step is what grew with
 * the pod). First, after a delete, and every so often it saves the whole
 * record, so a store's journal stays short.
 *
 * @module
 */
import type { PodRecord } from "./_pod_record.ts";
import type { StateStore } from "../ports/state_store.ts";

interface Request {
  readonly kind: "save" | "delete";
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** Appends after a whole save, at most: `max(MIN_APPENDS, 2 x bindings)`. */
const MIN_APPENDS = 64;

/** The ordered writer of one pod's record. */
export class Recorder {
  readonly #store: StateStore | undefined;
  readonly #record: PodRecord;
  readonly #onLost: (error: unknown) => void;
  #requests: Request[] = [];
  #draining: Promise<void> | undefined;
  /** Whether the next write must be the whole record (first, or after a delete). */
  #whole = true;
  #appends = 0;

  /**
   * @param store where to write; none: every request succeeds at once
   * @param record the pod's record
   * @param onLost reports a failed write nobody waited for
   */
  constructor(store: StateStore | undefined, record: PodRecord, onLost: (error: unknown) => void) {
    this.#store = store;
    this.#record = record;
    this.#onLost = onLost;
  }

  /** Writes the record; resolves once a write taken after this call has landed. */
  save(): Promise<void> {
    return this.#request("save");
  }

  /** Writes the record without waiting; a failure is reported to `onLost`. */
  touch(): void {
    if (this.#store === undefined) {
      this.#record.takeChanges();
      return;
    }
    this.save().catch(this.#onLost);
  }

  /** Deletes the record after the writes requested before. */
  delete(): Promise<void> {
    return this.#request("delete");
  }

  /** Resolves when every request made so far has settled. */
  async idle(): Promise<void> {
    while (this.#draining !== undefined) await this.#draining;
  }

  #request(kind: Request["kind"]): Promise<void> {
    if (this.#store === undefined) {
      // Nothing to write them to: changes kept would grow with every step.
      this.#record.takeChanges();
      return Promise.resolve();
    }
    const done = new Promise<void>((resolve, reject) => {
      this.#requests.push({ kind, resolve, reject });
    });
    this.#draining ??= this.#drain();
    return done;
  }

  async #drain(): Promise<void> {
    const store = this.#store;
    try {
      while (store !== undefined && this.#requests.length > 0) {
        // Serve the leading run of requests of one kind with one write.
        const first = this.#requests[0];
        if (first === undefined) break;
        let n = 1;
        while (this.#requests[n]?.kind === first.kind) n++;
        const batch = this.#requests.splice(0, n);
        try {
          if (first.kind === "save") await this.#write(store);
          else {
            this.#record.takeChanges();
            await store.delete(this.#record.podId);
            this.#whole = true;
          }
          for (const r of batch) r.resolve();
        } catch (error) {
          for (const r of batch) r.reject(error);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }

  /** One write: the changes since the last one, or now and then the whole record. */
  async #write(store: StateStore): Promise<void> {
    const record = this.#record;
    const limit = Math.max(MIN_APPENDS, 2 * record.listedCount);
    const changes = record.takeChanges();
    if (store.append !== undefined && !this.#whole && this.#appends < limit) {
      if (changes.length === 0) return;
      try {
        await store.append(record.podId, changes);
      } catch (error) {
        // What reached the store is unknown: the next write is the whole
        // record, which holds these changes too.
        record.returnChanges(changes);
        this.#whole = true;
        throw error;
      }
      this.#appends++;
      return;
    }
    // The whole record holds every change so far.
    this.#whole = true;
    await store.save(record.snapshot());
    this.#whole = false;
    this.#appends = 0;
  }
}
