/**
 * Writes a pod's record to its store, in order: one write at a time, each
 * taken from the record as it is when the write starts, so an older record
 * never lands over a newer one. Requests that arrive while a write runs are
 * served together by the next one.
 *
 * A write costs what changed, not the whole record: the recorder keeps a
 * shadow of what it last wrote and, when the store can `append`, hands it
 * only the differences (comparing a few fields per binding is cheap; copying
 * and serialising every binding on every step is what grew with the pod).
 * Every so often, and first, it saves the whole record, so a store's journal
 * stays short.
 *
 * @module
 */
import type { StepProgress } from "./binding.ts";
import type { RecordChange } from "./record_change.ts";
import { cloneJson } from "./_json.ts";
import { PodRecord } from "./_pod_record.ts";
import type { NicStep } from "./steps.ts";
import { NIC_STEPS } from "./steps.ts";
import type { JsonObject } from "../ports/json.ts";
import type { StateStore } from "../ports/state_store.ts";

interface Request {
  readonly kind: "save" | "delete";
  readonly resolve: () => void;
  readonly reject: (error: unknown) => void;
}

/** What the store holds, as far as the recorder knows. */
interface Shadow {
  readonly state: PodRecord["state"];
  readonly operation: PodRecord["operation"];
  readonly destinationNamespaceId: string | null;
  readonly namespace: { readonly progress: StepProgress; readonly document: JsonObject } | null;
  readonly bindings: ReadonlyMap<string, Readonly<Record<NicStep, StepProgress>>>;
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
  #written: Shadow | undefined;
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
          if (first.kind === "save") await this.#write(store);
          else {
            await store.delete(this.#record.podId);
            this.#written = undefined;
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

  /** One write: the changes since the last one, or the whole record. */
  async #write(store: StateStore): Promise<void> {
    const before = this.#written;
    const now = this.#shadow();
    const limit = Math.max(MIN_APPENDS, 2 * now.bindings.size);
    if (store.append !== undefined && before !== undefined && this.#appends < limit) {
      const changes = this.#diff(before);
      if (changes.length === 0) return;
      await store.append(this.#record.podId, changes);
      this.#appends++;
    } else {
      await store.save(this.#record.snapshot());
      this.#appends = 0;
    }
    this.#written = now;
  }

  /** The record's state now, as the shadow keeps it. */
  #shadow(): Shadow {
    const r = this.#record;
    const gns = r.guestNamespace;
    return {
      state: r.state,
      operation: r.operation,
      destinationNamespaceId: r.destinationNamespaceId,
      namespace: gns === null ? null : { progress: gns.progress, document: gns.document },
      bindings: new Map(r.bindings().map((b) => [b.nicId, { ...b.progress }])),
    };
  }

  /** The changes from `before` to the record now. */
  #diff(before: Shadow): RecordChange[] {
    const r = this.#record;
    const changes: RecordChange[] = [];
    if (
      before.state !== r.state || before.operation !== r.operation ||
      before.destinationNamespaceId !== r.destinationNamespaceId
    ) {
      changes.push({
        type: "state",
        state: r.state,
        operation: r.operation,
        destinationNamespaceId: r.destinationNamespaceId,
      });
    }
    const gns = r.guestNamespace;
    if (gns === null) {
      if (before.namespace !== null) changes.push({ type: "namespace", namespace: null });
    } else if (before.namespace === null || before.namespace.document !== gns.document) {
      changes.push({
        type: "namespace",
        namespace: { progress: gns.progress, document: cloneJson(gns.document) },
      });
    } else if (before.namespace.progress !== gns.progress) {
      changes.push({ type: "namespace-progress", progress: gns.progress });
    }
    const listed = r.bindings();
    const present = new Set<string>();
    for (const b of listed) present.add(b.nicId);
    for (const nicId of before.bindings.keys()) {
      if (!present.has(nicId)) changes.push({ type: "drop", nicId });
    }
    let after: string | null = null;
    for (const b of listed) {
      const was = before.bindings.get(b.nicId);
      if (was === undefined) {
        changes.push({ type: "bind", after, binding: PodRecord.view(b) });
      } else {
        for (const step of NIC_STEPS) {
          const progress = b.progress[step];
          if (was[step] !== progress) {
            changes.push({ type: "progress", nicId: b.nicId, step, progress });
          }
        }
      }
      after = b.nicId;
    }
    return changes;
  }
}
