/**
 * A state store on disk: one record file and one journal per pod, each
 * checked against its own checksums, with a per-pod lock held across
 * processes.
 *
 * @module
 */
import { storeLog } from "./_store_log.ts";
import { StoreError } from "../../domain/errors.ts";
import {
  applyRecordChanges,
  parseRecordChanges,
  type RecordChange,
} from "../../domain/record_change.ts";
import { parseSnapshot, type Snapshot } from "../../domain/snapshot.ts";
import type { StateStore } from "../../ports/state_store.ts";
import type { PodLock } from "./pod_lock.ts";
import { RecordDirectory } from "./record_directory.ts";
import {
  chainLine,
  claimedGeneration,
  decodeJournal,
  decodeRecord,
  encodeRecord,
  FormatProblem,
  journalHeader,
} from "./_record_format.ts";

const SUFFIX = ".json";
/** The pod's journal: what changed since its record was last written whole. */
const JOURNAL = ".journal";
/**
 * The journal is folded into a new record once it holds more bytes than
 * the record (and at least this many), so loading a pod that changed NICs
 * for weeks reads at most about twice a fresh record, and a write still
 * costs what changed (a whole write after at least a record's worth of
 * appends).
 */
const MIN_JOURNAL_LIMIT = 1024;

/**
 * One file of {@linkcode FileStore.scan}: a pod's record, or why it is unusable.
 *
 * @example
 * ```ts
 * import type { RecordEntry } from "@podnet/hcs";
 * function describe(entry: RecordEntry): string {
 *   return entry.error === undefined ? entry.podId : `${entry.path}: ${entry.error.message}`;
 * }
 * ```
 */
export type RecordEntry =
  | { readonly path: string; readonly podId: string; readonly error?: undefined }
  | {
    readonly path: string;
    /** The pod, when it can still be told from the file (else `undefined`). */
    readonly podId: string | undefined;
    /** The digest naming the file (the SHA-256 of its pod's ID). */
    readonly digest: string;
    readonly error: StoreError;
  };

/** What the store knows of a pod's files since it last wrote or read them. */
interface PodFiles {
  readonly generation: number;
  readonly digest: string;
  readonly recordBytes: number;
  /** The last journal line's digest; `undefined` while the journal is not started. */
  chain: string | undefined;
  journalBytes: number;
  /** An append failed part way: the next write folds the journal first. */
  broken: boolean;
}

/**
 * Keeps each pod's snapshot in `<directory>/<sha256(podId)>.json` and what
 * changed since in `<sha256(podId)>.journal`. A whole write goes to a
 * temporary file in the same directory, is flushed to disk, then renamed
 * over the old one, so a crash leaves the old or the new record, never half
 * of one; the temporary files of a writer killed mid-write are removed by
 * the store that finds them (on its first use and on every `list()`), once
 * no writer is at work.
 *
 * Damage is detected, not guessed around: the record carries a checksum of
 * itself and its generation; journal lines carry a checksum chain and are
 * each checked with the record's schema. Only a torn last journal line (a
 * crash while appending) is left out, and only a journal whose header names
 * an older generation (a crash between a whole write and the removal of
 * the old journal) is dropped; both are logged. Anything else unreadable
 * or invalid is a `StoreError` naming the file and line, never "no
 * snapshot". `tryLock(podId)` keeps two processes from driving one pod.
 * Needs `--allow-read` and `--allow-write` on the directory.
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
  readonly #pods = new Map<string, PodFiles>();

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
   * @throws {StoreError} when the record or its journal cannot be read, is
   *   damaged or invalid, or belongs to another pod
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
    const context = `use the state of pod ${podId} in ${path}`;
    const record = decodeRecord(text);
    if (record instanceof FormatProblem) {
      throw new StoreError(context, `line ${record.line}: ${record.reason}`);
    }
    let snapshot = parse(record.body, context);
    if (snapshot.podId !== podId) {
      throw new StoreError(context, `it belongs to pod ${snapshot.podId}`);
    }
    const files: PodFiles = {
      generation: record.generation,
      digest: record.digest,
      recordBytes: text.length,
      chain: undefined,
      journalBytes: 0,
      broken: false,
    };
    snapshot = await this.#applyJournal(podId, snapshot, files);
    if (record.generation > 0) this.#pods.set(podId, files);
    return snapshot;
  }

  /** Atomically replaces the pod's record (temp file, fsync, rename) and starts its journal afresh. *
   * @throws {StoreError} when the record cannot be written
   */
  async save(snapshot: Snapshot): Promise<void> {
    await this.#cleanOnce();
    const podId = snapshot.podId;
    const path = await this.pathOf(podId);
    try {
      const generation = (this.#pods.get(podId)?.generation ?? await this.#lastGeneration(podId)) +
        1;
      const { text, digest } = encodeRecord(JSON.stringify(snapshot), generation);
      this.#pods.delete(podId);
      await this.#files.write(podId, SUFFIX, text);
      // From here the old journal (if the removal below does not happen) names
      // an older generation: a load drops it.
      await this.#files.remove(podId, JOURNAL);
      this.#pods.set(podId, {
        generation,
        digest,
        recordBytes: text.length,
        chain: undefined,
        journalBytes: 0,
        broken: false,
      });
    } catch (cause) {
      throw new StoreError(`write the state of pod ${podId} to ${path}`, undefined, { cause });
    }
  }

  /**
   * Appends what changed since this store last saved or loaded the pod's
   * record to its journal (one line, flushed); `load()` applies it. When the
   * journal has grown past the record's size, the record is written whole
   * with the changes in it instead, and the journal starts afresh.
   *
   * @throws {StoreError} when the journal cannot be written, or this store has not saved the pod
   */
  async append(podId: string, changes: readonly RecordChange[]): Promise<void> {
    const path = await this.#files.pathOf(podId, JOURNAL);
    const files = this.#pods.get(podId);
    if (files === undefined) {
      throw new StoreError(
        `append to the state of pod ${podId} at ${path}`,
        `this store has not saved it`,
      );
    }
    if (changes.length === 0) return;
    const json = JSON.stringify(changes);
    const limit = Math.max(MIN_JOURNAL_LIMIT, files.recordBytes);
    if (files.broken || files.journalBytes + json.length > limit) {
      await this.#compact(podId, changes);
      return;
    }
    const header = files.chain === undefined
      ? journalHeader(files.generation, files.digest)
      : undefined;
    const line = chainLine(header?.digest ?? files.chain ?? "", json);
    const text = (header?.line ?? "") + line.line;
    try {
      files.broken = true; // until the line is known to be whole
      await this.#files.append(podId, JOURNAL, text, header !== undefined);
      files.broken = false;
    } catch (cause) {
      throw new StoreError(`write the state of pod ${podId} to ${path}`, undefined, { cause });
    }
    files.chain = line.digest;
    files.journalBytes += text.length;
  }

  /** Writes the record whole with the journal and `changes` folded in. */
  async #compact(podId: string, changes: readonly RecordChange[]): Promise<void> {
    const current = await this.load(podId);
    const path = await this.pathOf(podId);
    if (current === undefined) {
      throw new StoreError(`write the state of pod ${podId} to ${path}`, `its record is gone`);
    }
    const context = `write the state of pod ${podId} to ${path}`;
    const next = parse(applyChanges(current, changes, context), context);
    await this.save(next);
  }

  /** The highest generation the pod's files claim (0: none), for a store that has not read them. */
  async #lastGeneration(podId: string): Promise<number> {
    const [record, journal] = await Promise.all([
      this.#files.read(podId, SUFFIX),
      this.#files.read(podId, JOURNAL),
    ]);
    return Math.max(claimedGeneration(record), claimedGeneration(journal));
  }

  /** The snapshot with the pod's journal applied, line by line, each checked. */
  async #applyJournal(podId: string, snapshot: Snapshot, files: PodFiles): Promise<Snapshot> {
    const path = await this.#files.pathOf(podId, JOURNAL);
    const context = `use the journal of pod ${podId} in ${path}`;
    let text: string | undefined;
    try {
      text = await this.#files.read(podId, JOURNAL);
    } catch (cause) {
      throw new StoreError(context, `it cannot be read`, { cause });
    }
    if (text === undefined) return snapshot;
    if (files.generation === 0) {
      throw new StoreError(
        context,
        `its record was written by an older podnet, whose journal this one does not read`,
        { hint: "finish the pod's operation with that version" },
      );
    }
    const journal = decodeJournal(text);
    if (journal === undefined) {
      await storeLog(
        "warn",
        "Left out the torn journal {path} of pod {podId}: a crash cut its first line",
        {
          path,
          podId,
        },
      );
      files.broken = true;
      return snapshot;
    }
    if (journal instanceof FormatProblem) {
      throw new StoreError(context, `line ${journal.line}: ${journal.reason}`);
    }
    const { header } = journal;
    if (header.generation < files.generation) {
      await storeLog(
        "info",
        "Dropped the journal {path} of pod {podId}: it extends record generation " +
          "{old}, replaced by generation {generation} (a crash before its removal)",
        { path, podId, old: header.generation, generation: files.generation },
      );
      files.broken = true; // the next append starts afresh through a whole write
      return snapshot;
    }
    if (header.generation !== files.generation || header.extends !== files.digest) {
      throw new StoreError(
        context,
        `line 1: it extends record generation ${header.generation}, not the ` +
          `record's generation ${files.generation} (a record replaced by an older one?)`,
      );
    }
    let current = snapshot;
    for (const entry of journal.entries) {
      const at = `${context} at line ${entry.line}`;
      let changes: RecordChange[];
      try {
        changes = parseRecordChanges(entry.json);
      } catch (cause) {
        throw new StoreError(at, `not a valid change`, { cause });
      }
      current = applyChanges(current, changes, at);
    }
    if (journal.torn !== undefined) {
      await storeLog(
        "warn",
        "Left out the torn last line {line} of the journal {path} of pod {podId}: a crash " +
          "cut it while it was written, before the step it records started",
        { line: journal.torn, path, podId },
      );
      files.broken = true;
    } else {
      files.chain = journal.entries.length === 0
        ? journalHeader(files.generation, files.digest).digest
        : lastDigest(text);
      files.journalBytes = text.length;
    }
    return journal.entries.length === 0 ? current : parse(current, `${context}: the result`);
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
      this.#pods.delete(podId);
    } catch (cause) {
      throw new StoreError(`delete the state of pod ${podId} at ${path}`, undefined, { cause });
    }
  }

  /**
   * The pods that have a snapshot, sorted; none when the directory does not
   * exist. Removes stale temporary files first. A file that is unreadable,
   * damaged, invalid or under another pod's name is a `StoreError` naming
   * it: use {@linkcode FileStore.scan} to go on past such a file.
   *
   * @throws {StoreError} when a record cannot be read or is not what its name says
   */
  async list(): Promise<string[]> {
    const podIds: string[] = [];
    for (const entry of await this.scan()) {
      if (entry.error !== undefined) throw entry.error;
      podIds.push(entry.podId);
    }
    return podIds.sort();
  }

  /**
   * Every record file, in file name order, each either its pod or the
   * `StoreError` that makes it unusable (with its pod when the file still
   * tells it), so that one damaged record hides no other. Checks each
   * record's own checksum and shape, not its journal (`load()` does).
   * Removes stale temporary files first.
   *
   * @example
   * ```ts
   * import { FileStore } from "@podnet/hcs";
   * const store = new FileStore(await Deno.makeTempDir());
   * for (const entry of await store.scan()) {
   *   if (entry.error !== undefined) console.log(entry.path, entry.error.message);
   * }
   * ```
   *
   * @throws {StoreError} when the directory cannot be read
   */
  async scan(): Promise<RecordEntry[]> {
    await this.#clean();
    let files;
    try {
      files = await this.#files.readAll(SUFFIX);
    } catch (cause) {
      throw new StoreError(`list the state in ${this.directory}`, undefined, { cause });
    }
    const entries: RecordEntry[] = [];
    for (const file of files) {
      const context = `use the state in ${file.path}`;
      try {
        const record = decodeRecord(file.text);
        if (record instanceof FormatProblem) {
          throw new StoreError(context, `line ${record.line}: ${record.reason}`);
        }
        const snapshot = parse(record.body, context);
        if ((await this.#files.digest(snapshot.podId)) !== file.digest) {
          throw new StoreError(
            context,
            `it belongs to pod ${snapshot.podId}, whose file has another name`,
          );
        }
        entries.push({ path: file.path, podId: snapshot.podId });
      } catch (error) {
        if (!(error instanceof StoreError)) throw error;
        entries.push({
          path: file.path,
          podId: await this.#podIdIn(file.text, file.digest),
          digest: file.digest,
          error,
        });
      }
    }
    return entries;
  }

  /** The pod ID a damaged record still names, when it is the one its file name says. */
  async #podIdIn(text: string, digest: string): Promise<string | undefined> {
    for (const match of text.matchAll(/"podId":("(?:[^"\\]|\\.)*")/g)) {
      let podId: unknown;
      try {
        podId = JSON.parse(match[1] ?? "");
      } catch {
        continue; // damaged there too: try the next
      }
      if (typeof podId === "string" && await this.#files.digest(podId) === digest) return podId;
    }
    return undefined;
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
   * if (lock === undefined) throw new RangeError("pod-a is busy");
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
        async () => {
          try {
            return (await this.#files.read(podId, SUFFIX)) !== undefined;
          } catch (error) {
            await storeLog(
              "warn",
              "Kept the lock file of pod {podId}: cannot tell if it has a record",
              {
                podId,
                error,
              },
            );
            return true;
          }
        },
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
    try {
      await this.removeStaleTemporaryFiles();
    } catch (error) {
      await storeLog("warn", "Cannot remove stale temporary files in {directory}; going on", {
        directory: this.directory,
        error,
      });
    }
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
    throw new StoreError(context, `the change does not fit the record`, { cause });
  }
}

/** The digest of the last whole line of a journal's text. */
function lastDigest(text: string): string {
  const end = text.endsWith("\n") ? text.length - 1 : text.length;
  const start = text.lastIndexOf("\n", end - 1) + 1;
  return text.slice(start, start + 64);
}
