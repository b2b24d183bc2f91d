/**
 * A state store on disk: one JSON file per pod, written atomically.
 *
 * @module
 */
import { StoreError } from "../../domain/errors.ts";
import { parseSnapshot, type Snapshot } from "../../domain/snapshot.ts";
import type { StateStore } from "../../ports/state_store.ts";

/**
 * Keeps each pod's snapshot in `<directory>/<sha256(podId)>.json`. A write
 * goes to a temporary file in the same directory, is flushed to disk, then
 * renamed over the old one, so a crash leaves the old or the new snapshot,
 * never half of one. Unreadable or invalid content is a `StoreError`, never
 * "no snapshot". Needs `--allow-read` and `--allow-write` on the directory.
 *
 * @example
 * ```ts
 * import { FileStore } from "@podnet/hcs";
 * const store = new FileStore(await Deno.makeTempDir());
 * console.log(await store.load("pod-a")); // undefined
 * ```
 */
export class FileStore implements StateStore {
  readonly #directory: string;

  /**
   * Creates a store over a directory.
   *
   * @param directory where the files live; created on first write
   */
  constructor(directory: string) {
    this.#directory = directory.replace(/[\\/]+$/, "") || directory;
  }

  /** The path of the pod's file. */
  async pathOf(podId: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(podId));
    const hex = Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join(
      "",
    );
    return `${this.#directory}/${hex}.json`;
  }

  /** The pod's snapshot, or `undefined` when it has no file. */
  async load(podId: string): Promise<Snapshot | undefined> {
    const path = await this.pathOf(podId);
    let text: string;
    try {
      text = await Deno.readTextFile(path);
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) return undefined;
      throw new StoreError(`Cannot read the state of pod ${podId} from ${path}`, { cause });
    }
    let snapshot: Snapshot;
    try {
      snapshot = parseSnapshot(text);
    } catch (cause) {
      throw new StoreError(`Cannot use the state of pod ${podId} in ${path}: invalid content`, {
        cause,
      });
    }
    if (snapshot.podId !== podId) {
      throw new StoreError(
        `Cannot use the state of pod ${podId} in ${path}: it belongs to pod ${snapshot.podId}`,
      );
    }
    return snapshot;
  }

  /** Atomically replaces the pod's snapshot (temp file, fsync, rename). */
  async save(snapshot: Snapshot): Promise<void> {
    const path = await this.pathOf(snapshot.podId);
    const temp = `${path}.${crypto.randomUUID()}.tmp`;
    try {
      await Deno.mkdir(this.#directory, { recursive: true });
      const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
      try {
        const bytes = new TextEncoder().encode(JSON.stringify(snapshot));
        let written = 0;
        while (written < bytes.length) written += await file.write(bytes.subarray(written));
        await file.sync();
      } finally {
        file.close();
      }
      await Deno.rename(temp, path);
      await this.#syncDirectory();
    } catch (cause) {
      await Deno.remove(temp).catch(() => {});
      throw new StoreError(`Cannot write the state of pod ${snapshot.podId} to ${path}`, {
        cause,
      });
    }
  }

  /** Removes the pod's file (no error when there is none). */
  async delete(podId: string): Promise<void> {
    const path = await this.pathOf(podId);
    try {
      await Deno.remove(path);
    } catch (cause) {
      if (cause instanceof Deno.errors.NotFound) return;
      throw new StoreError(`Cannot delete the state of pod ${podId} at ${path}`, { cause });
    }
  }

  /** Makes the rename durable where the OS allows syncing a directory. */
  async #syncDirectory(): Promise<void> {
    if (Deno.build.os === "windows") return;
    const dir = await Deno.open(this.#directory, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  }
}
