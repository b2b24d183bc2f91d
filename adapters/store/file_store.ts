/**
 * A state store on disk: one JSON file per pod, written atomically, with a
 * per-pod lock held across processes.
 *
 * @module
 */
import { StoreError } from "../../domain/errors.ts";
import { parseSnapshot, type Snapshot } from "../../domain/snapshot.ts";
import type { StateStore } from "../../ports/state_store.ts";
import type { PodLock } from "./pod_lock.ts";
import { RecordDirectory } from "./record_directory.ts";

const SUFFIX = ".json";

/**
 * Keeps each pod's snapshot in `<directory>/<sha256(podId)>.json`. A write
 * goes to a temporary file in the same directory, is flushed to disk, then
 * renamed over the old one, so a crash leaves the old or the new snapshot,
 * never half of one; the temporary files of a writer killed mid-write are
 * removed by the store that finds them (on its first use and on every
 * `list()`), once no writer is at work. Unreadable or invalid content is a
 * `StoreError`, never "no snapshot". `tryLock(podId)` keeps two processes
 * from driving one pod. Needs `--allow-read` and `--allow-write` on the
 * directory.
 *
 * @example
 * ```ts
 * import { FileStore } from "@podnet/hcs";
 * const store = new FileStore(await Deno.makeTempDir());
 * console.log(await store.load("pod-a")); // undefined
 * console.log(await store.list()); // []
 * ```
 */
export class FileStore implements StateStore {
  readonly #files: RecordDirectory;
  #cleaned = false;

  /**
   * Creates a store over a directory (nothing is touched until a call).
   *
   * @param directory where the files live; created on first write
   * @throws InvalidArgumentError when `directory` is not a non-empty string
   */
  constructor(directory: string) {
    this.#files = new RecordDirectory(directory);
  }

  /** The directory the store keeps its files in. */
  get directory(): string {
    return this.#files.directory;
  }

  /** The path of the pod's file. */
  pathOf(podId: string): Promise<string> {
    return this.#files.pathOf(podId, SUFFIX);
  }

  /** The pod's snapshot, or `undefined` when it has no file. */
  async load(podId: string): Promise<Snapshot | undefined> {
    await this.#cleanOnce();
    const path = await this.pathOf(podId);
    let text: string | undefined;
    try {
      text = await this.#files.read(podId, SUFFIX);
    } catch (cause) {
      throw new StoreError(`Cannot read the state of pod ${podId} from ${path}`, { cause });
    }
    if (text === undefined) return undefined;
    const snapshot = parse(text, `Cannot use the state of pod ${podId} in ${path}`);
    if (snapshot.podId !== podId) {
      throw new StoreError(
        `Cannot use the state of pod ${podId} in ${path}: it belongs to pod ${snapshot.podId}`,
      );
    }
    return snapshot;
  }

  /** Atomically replaces the pod's snapshot (temp file, fsync, rename). */
  async save(snapshot: Snapshot): Promise<void> {
    await this.#cleanOnce();
    const path = await this.pathOf(snapshot.podId);
    try {
      await this.#files.write(snapshot.podId, SUFFIX, JSON.stringify(snapshot));
    } catch (cause) {
      throw new StoreError(`Cannot write the state of pod ${snapshot.podId} to ${path}`, {
        cause,
      });
    }
  }

  /** Removes the pod's file (no error when there is none). */
  async delete(podId: string): Promise<void> {
    await this.#cleanOnce();
    const path = await this.pathOf(podId);
    try {
      await this.#files.remove(podId, SUFFIX);
    } catch (cause) {
      throw new StoreError(`Cannot delete the state of pod ${podId} at ${path}`, { cause });
    }
  }

  /**
   * The pods that have a snapshot, sorted; none when the directory does not
   * exist. Removes stale temporary files first. A file that is unreadable,
   * invalid or under another pod's name is a `StoreError` naming it.
   */
  async list(): Promise<string[]> {
    await this.#clean();
    let files;
    try {
      files = await this.#files.readAll(SUFFIX);
    } catch (cause) {
      throw new StoreError(`Cannot list the state in ${this.directory}`, { cause });
    }
    const podIds: string[] = [];
    for (const file of files) {
      const snapshot = parse(file.text, `Cannot use the state in ${file.path}`);
      if ((await this.#files.digest(snapshot.podId)) !== file.digest) {
        throw new StoreError(
          `Cannot use the state in ${file.path}: it belongs to pod ${snapshot.podId}, ` +
            `whose file has another name`,
        );
      }
      podIds.push(snapshot.podId);
    }
    return podIds.sort();
  }

  /**
   * Takes the pod's lock unless another process (or another `tryLock` in
   * this one) holds it: `undefined` then. Hold it for as long as you drive
   * the pod; the OS drops it if the process dies. Creates the directory.
   * The lock file goes away on release when the pod has no snapshot left
   * (except on Windows, where lock files stay).
   *
   * @example
   * ```ts
   * import { FileStore } from "@podnet/hcs";
   * const store = new FileStore(await Deno.makeTempDir());
   * const lock = await store.tryLock("pod-a");
   * if (lock === undefined) throw new Error("pod-a is busy");
   * try {
   *   // set up or tear down pod-a
   * } finally {
   *   await lock.release();
   * }
   * ```
   *
   * @param podId the pod
   */
  async tryLock(podId: string): Promise<PodLock | undefined> {
    try {
      return await this.#files.tryLock(
        podId,
        async () => (await this.#files.read(podId, SUFFIX).catch(() => "")) !== undefined,
      );
    } catch (cause) {
      throw new StoreError(`Cannot lock pod ${podId} in ${this.directory}`, { cause });
    }
  }

  /**
   * Removes the temporary files of writers killed before their rename, when
   * no writer of any process is at work (else none: a later call will).
   * Returns how many it removed.
   */
  async removeStaleTemporaryFiles(): Promise<number> {
    try {
      return await this.#files.removeStaleTemporaryFiles();
    } catch (cause) {
      throw new StoreError(`Cannot remove temporary files in ${this.directory}`, { cause });
    }
  }

  /** Cleaning is a courtesy: a failure there (a read-only directory) is not the caller's. */
  async #clean(): Promise<void> {
    this.#cleaned = true;
    await this.removeStaleTemporaryFiles().catch(() => {});
  }

  async #cleanOnce(): Promise<void> {
    if (!this.#cleaned) await this.#clean();
  }
}

function parse(text: string, context: string): Snapshot {
  try {
    return parseSnapshot(text);
  } catch (cause) {
    throw new StoreError(`${context}: invalid content`, { cause });
  }
}
