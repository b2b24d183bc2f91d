/**
 * Writes a pod's record to its store, in order: one write at a time, each
 * taken from the record as it is when the write starts, so an older record
 * never lands over a newer one. Requests that arrive while a write runs are
 * served together by the next one.
 *
 * @module
 */
import type { Snapshot } from "./snapshot.ts";
import type { StateStore } from "../ports/state_store.ts";

interface Request {
  readonly kind: "save" | "delete";
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** The ordered writer of one pod's record. */
export class Recorder {
  readonly #store: StateStore | undefined;
  readonly #podId: string;
  readonly #snapshot: () => Snapshot;
  readonly #onLost: (error: unknown) => void;
  #requests: Request[] = [];
  #draining: Promise<void> | undefined;

  /**
   * @param store where to write; none: every request succeeds at once
   * @param podId the pod
   * @param snapshot takes the record as it is now
   * @param onLost reports a failed write nobody waited for
   */
  constructor(
    store: StateStore | undefined,
    podId: string,
    snapshot: () => Snapshot,
    onLost: (error: unknown) => void,
  ) {
    this.#store = store;
    this.#podId = podId;
    this.#snapshot = snapshot;
    this.#onLost = onLost;
  }

  /** Writes the record; resolves once a write taken after this call has landed. */
  save(): Promise<void> {
    return this.#request("save");
  }

  /** Writes the record without waiting; a failure is reported to `onLost`. */
  touch(): void {
    if (this.#store === undefined) return;
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
    if (this.#store === undefined) return Promise.resolve();
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
          if (first.kind === "save") await store.save(this.#snapshot());
          else await store.delete(this.#podId);
          for (const r of batch) r.resolve();
        } catch (error) {
          for (const r of batch) r.reject(error);
        }
      }
    } finally {
      this.#draining = undefined;
    }
  }
}
