/**
 * A state store on disk: one JSON file per pod, written atomically, with a
 * per-pod lock held across processes.
 *
 * @module
 */
import { StoreError } from "../../domain/errors.ts";
import { applyRecordChanges, type RecordChange } from "../../domain/record_change.ts";
import { parseSnapshot, type Snapshot } from "../../domain/snapshot.ts";
import type { StateStore } from "../../ports/state_store.ts";
import type { PodLock } from "./pod_lock.ts";
import { RecordDirectory } from "./record_directory.ts";

const SUFFIX = ".json";
/**
 * The pod's journal: what changed since its record was last written whole.
 * The first line names the record it extends (the SHA-256 of its text), so
 * a journal left behind by a crash between writing a new record and
 * removing the old journal is recognised and ignored; a torn last line (a
 * crash while appending, before the step it records started) is ignored too.
 */
const JOURNAL = ".journal";

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
  /** The SHA-256 of each pod's record as this store last wrote it. */
  readonly #bases = new Map<string, string>();

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

  /** The pod's snapshot, or `undefined` when it has no file. *
   * @throws {StoreError} when the record cannot be read, is invalid or belongs to another pod
   */
  async load(podId: string): Promise<Snapshot | undefined> {
    await this.#cleanOnce();
    const path = await this.pathOf(podId);
    let text: string | undefined;
    try {
      text = await this.#files.read(podId, SUFFIX);
    } catch (cause) {
      throw new StoreError(`read the state of pod ${podId} from ${path}`, undefined, { cause });
    }
    if (text === undefined) return undefined;
    const context = `read the state of pod ${podId} from ${path}`;
    let snapshot = parse(text, context);
    const changes = await this.#journal(podId, text, context);
    if (changes.length > 0) snapshot = parse(applyChanges(snapshot, changes, context), context);
    if (snapshot.podId !== podId) {
      throw new StoreError(context, `it belongs to pod ${snapshot.podId}`);
    }
    return snapshot;
  }

  /** Atomically replaces the pod's snapshot (temp file, fsync, rename). *
   * @throws {StoreError} when the record cannot be written
   */
  async save(snapshot: Snapshot): Promise<void> {
    await this.#cleanOnce();
    const path = await this.pathOf(snapshot.podId);
    const text = JSON.stringify(snapshot);
    try {
      await this.#files.write(snapshot.podId, SUFFIX, text);
      this.#bases.set(snapshot.podId, await sha256(text));
      await this.#files.remove(snapshot.podId, JOURNAL);
    } catch (cause) {
      throw new StoreError(`write the state of pod ${snapshot.podId} to ${path}`, undefined, {
        cause,
      });
    }
  }

  /**
   * Appends what changed since this store last saved the pod's record to
   * its journal (one line, flushed); `load()` applies it.
   *
   * @throws {StoreError} when the journal cannot be written, or this store has not saved the pod
   */
  async append(podId: string, changes: readonly RecordChange[]): Promise<void> {
    const path = await this.#files.pathOf(podId, JOURNAL);
    const base = this.#bases.get(podId);
    if (base === undefined) {
      throw new StoreError(
        `append to the state of pod ${podId} at ${path}`,
        "this store has not saved it",
      );
    }
    try {
      await this.#files.append(
        podId,
        JOURNAL,
        `${JSON.stringify(changes)}\n`,
        `${JSON.stringify({ base })}\n`,
      );
    } catch (cause) {
      throw new StoreError(`write the state of pod ${podId} to ${path}`, undefined, { cause });
    }
  }

  /** The changes of the pod's journal that extend `record`; none when it has none. */
  async #journal(podId: string, record: string, context: string): Promise<RecordChange[]> {
    let text: string | undefined;
    try {
      text = await this.#files.read(podId, JOURNAL);
    } catch (cause) {
      throw new StoreError(context, "its journal cannot be read", { cause });
    }
    if (text === undefined) return [];
    const [header = "", ...lines] = text.split("\n");
    let base: unknown;
    try {
      base = (JSON.parse(header) as { base?: unknown }).base;
    } catch {
      return []; // a header torn by a crash: nothing after it was relied on
    }
    if (base !== await sha256(record)) return []; // the journal of an older record
    const changes: RecordChange[] = [];
    for (const line of lines) {
      if (line === "") continue;
      try {
        changes.push(...(JSON.parse(line) as RecordChange[]));
      } catch {
        break; // torn by a crash while it was written: its step never started
      }
    }
    return changes;
  }

  /** Removes the pod's file (no error when there is none). *
   * @throws {StoreError} when the record cannot be removed
   */
  async delete(podId: string): Promise<void> {
    await this.#cleanOnce();
    const path = await this.pathOf(podId);
    try {
      await this.#files.remove(podId, SUFFIX);
      await this.#files.remove(podId, JOURNAL);
      this.#bases.delete(podId);
    } catch (cause) {
      throw new StoreError(`delete the state of pod ${podId} at ${path}`, undefined, { cause });
    }
  }

  /**
   * The pods that have a snapshot, sorted; none when the directory does not
   * exist. Removes stale temporary files first. A file that is unreadable,
   * invalid or under another pod's name is a `StoreError` naming it.
   *
   * @throws {StoreError} when a record cannot be read or is not what its name says
   */
  async list(): Promise<string[]> {
    await this.#clean();
    let files;
    try {
      files = await this.#files.readAll(SUFFIX);
    } catch (cause) {
      throw new StoreError(`list the state in ${this.directory}`, undefined, { cause });
    }
    const podIds: string[] = [];
    for (const file of files) {
      const snapshot = parse(file.text, `read the state in ${file.path}`);
      if ((await this.#files.digest(snapshot.podId)) !== file.digest) {
        throw new StoreError(
          `read the state in ${file.path}`,
          `it belongs to pod ${snapshot.podId}, whose file has another name`,
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
   * if (lock === undefined) throw new TypeError("pod-a is busy");
   * try {
   *   // set up or tear down pod-a
   * } finally {
   *   await lock.release();
   * }
   * ```
   *
   * @param podId the pod
   *
   * @throws {StoreError} when the lock file cannot be made
   */
  async tryLock(podId: string): Promise<PodLock | undefined> {
    try {
      return await this.#files.tryLock(
        podId,
        async () => (await this.#files.read(podId, SUFFIX).catch(() => "")) !== undefined,
      );
    } catch (cause) {
      throw new StoreError(`lock pod ${podId} in ${this.directory}`, undefined, { cause });
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
      throw new StoreError(`remove temporary files in ${this.directory}`, undefined, { cause });
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

function parse(text: unknown, context: string): Snapshot {
  try {
    return parseSnapshot(text);
  } catch (cause) {
    throw new StoreError(context, "its content is not a valid record", { cause });
  }
}

/** The record with its journal applied; a journal that does not fit is a StoreError. */
function applyChanges(
  snapshot: Snapshot,
  changes: readonly RecordChange[],
  context: string,
): Snapshot {
  try {
    return applyRecordChanges(snapshot, changes);
  } catch (cause) {
    throw new StoreError(context, "its journal does not fit it", { cause });
  }
}

async function sha256(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
}
