/**
 * A lock on one pod, held across processes.
 *
 * @module
 */

/**
 * A pod's lock, taken with `FileStore.tryLock()`: while one process holds
 * it, no other process (nor another `tryLock` in the same process) gets it,
 * so two processes never drive one pod. The operating system drops it when
 * the holding process dies, however it dies. Release it with `release()` or
 * `await using`.
 *
 * @example
 * ```ts
 * import { FileStore } from "@podnet/hcs";
 * const store = new FileStore(await Deno.makeTempDir());
 * await using lock = await store.tryLock("default/web-0");
 * if (lock === undefined) console.log("another process is working on this pod");
 * ```
 */
export interface PodLock extends AsyncDisposable {
  /** The pod the lock is for. */
  readonly podId: string;
  /** Lets go of the lock (no error when already released). */
  release(): Promise<void>;
}
