/**
 * A directory of JSON records, one file per key, written atomically, with a
 * lock per key held across processes.
 *
 * @module
 */
import { storeLog } from "./_store_log.ts";
import { InvalidArgumentError } from "../../domain/errors.ts";
import type { PodLock } from "./pod_lock.ts";

const UUID = "[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}";
const TEMP = new RegExp(`^[0-9a-f]{64}\\..+\\.${UUID}\\.tmp$`);
const WRITERS_LOCK = "writers.lock";

/** One record file read by {@linkcode RecordDirectory.readAll}. */
export interface RecordFile {
  /** The file's path. */
  readonly path: string;
  /** The digest of the record's key (the file name without its suffix). */
  readonly digest: string;
  /** The file's text. */
  readonly text: string;
}

/**
 * The files of a state directory. A record of key K with suffix S lives in
 * `<directory>/<sha256(K)>S`, so any key (a pod ID with slashes, say) stays
 * inside the directory. Writes go to `<file>.<uuid>.tmp`, are flushed and
 * renamed over the record, so a crash leaves the old or the new record.
 * Every writer holds a shared lock on `<directory>/writers.lock` while its
 * temporary file exists; {@linkcode removeStaleTemporaryFiles} removes
 * temporary files only when it gets that lock exclusively, that is when no
 * writer of any process is at work, so every temporary file it sees then
 * was left by a writer that died. The lock of key K is `<sha256(K)>.lock`.
 *
 * `FileStore` keeps snapshots here (suffix `.json`); the `podnet` command
 * line keeps its own per-pod host records beside them.
 */
export class RecordDirectory {
  /** The directory, without trailing separators. */
  readonly directory: string;

  /**
   * Creates the view of a directory (nothing is touched until a call).
   *
   * @param directory the directory; created on the first write
   * @throws InvalidArgumentError when it is not a non-empty string
   */
  constructor(directory: string) {
    const value: unknown = directory;
    if (typeof value !== "string" || value.length === 0) {
      throw new InvalidArgumentError(
        "directory",
        `must be a non-empty string, got ${value === "" ? '""' : typeof value}`,
      );
    }
    this.directory = value.replace(/[\\/]+$/, "") || value;
  }

  /** The hex SHA-256 digest of a key, which names its files. */
  async digest(key: string): Promise<string> {
    const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key));
    return Array.from(new Uint8Array(digest), (b) => b.toString(16).padStart(2, "0")).join("");
  }

  /** The path of a key's record with the given suffix. */
  async pathOf(key: string, suffix: string): Promise<string> {
    return `${this.directory}/${await this.digest(key)}${suffix}`;
  }

  /** The record's text, or `undefined` when it has no file. */
  async read(key: string, suffix: string): Promise<string | undefined> {
    try {
      return await Deno.readTextFile(await this.pathOf(key, suffix));
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  /**
   * Replaces the record atomically: temporary file, flush, rename, and a
   * flush of the directory where the OS allows it. Creates the directory.
   */
  async write(key: string, suffix: string, text: string): Promise<void> {
    const path = await this.pathOf(key, suffix);
    await Deno.mkdir(this.directory, { recursive: true });
    const writers = await this.#openWritersLock();
    try {
      await writers.lock(false);
      const temp = `${path}.${crypto.randomUUID()}.tmp`;
      try {
        const file = await Deno.open(temp, { write: true, createNew: true, mode: 0o600 });
        try {
          const bytes = new TextEncoder().encode(text);
          let written = 0;
          while (written < bytes.length) written += await file.write(bytes.subarray(written));
          await file.sync();
        } finally {
          file.close();
        }
        await Deno.rename(temp, path);
      } catch (error) {
        await Deno.remove(temp).catch(() => {});
        throw error;
      }
      await this.#syncDirectory();
    } finally {
      await release(writers);
    }
  }

  /**
   * Appends `text` to the record and flushes it. With `create`, the file
   * must not exist yet (it is made); without, it must exist: an append
   * never lands after a file someone else started or removed.
   */
  async append(key: string, suffix: string, text: string, create: boolean): Promise<void> {
    const path = await this.pathOf(key, suffix);
    const file = await Deno.open(
      path,
      create ? { write: true, createNew: true, mode: 0o600 } : { append: true },
    );
    try {
      const bytes = new TextEncoder().encode(text);
      let written = 0;
      while (written < bytes.length) written += await file.write(bytes.subarray(written));
      await file.sync();
    } finally {
      file.close();
    }
  }

  /** Removes the record; false when it had no file. */
  async remove(key: string, suffix: string): Promise<boolean> {
    try {
      await Deno.remove(await this.pathOf(key, suffix));
      return true;
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return false;
      throw error;
    }
  }

  /**
   * Every record with the suffix (files named `<64 hex digits><suffix>`),
   * in file name order; none when the directory does not exist.
   */
  async readAll(suffix: string): Promise<RecordFile[]> {
    const names: string[] = [];
    try {
      for await (const entry of Deno.readDir(this.directory)) {
        const digest = entry.name.slice(0, -suffix.length);
        if (entry.isFile && entry.name.endsWith(suffix) && /^[0-9a-f]{64}$/.test(digest)) {
          names.push(entry.name);
        }
      }
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return [];
      throw error;
    }
    names.sort();
    const records: RecordFile[] = [];
    for (const name of names) {
      const path = `${this.directory}/${name}`;
      try {
        records.push({
          path,
          digest: name.slice(0, -suffix.length),
          text: await Deno.readTextFile(path),
        });
      } catch (error) {
        // Removed since the listing: it is no longer a record.
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return records;
  }

  /**
   * Takes the key's lock if no one holds it; `undefined` when another
   * holder (another process, or another `tryLock` here) has it. Creates the
   * directory. When released while `keep()` says the key has nothing left,
   * the lock file is removed (not on Windows, and only where the OS reports
   * file identities, so that a process racing for it can tell it lost).
   */
  async tryLock(
    key: string,
    keep: () => Promise<boolean>,
  ): Promise<PodLock | undefined> {
    const path = `${this.directory}/${await this.digest(key)}.lock`;
    await Deno.mkdir(this.directory, { recursive: true });
    for (;;) {
      const file = await Deno.open(path, { read: true, write: true, create: true, mode: 0o600 });
      let locked = false;
      try {
        locked = await file.tryLock(true);
        if (!locked) {
          file.close();
          return undefined;
        }
        const identity = await sameFile(file, path);
        if (identity === "same" || identity === "unknown") {
          // Windows cannot remove a file that is open elsewhere cleanly (a
          // process opening it meanwhile would be refused, not made to wait):
          // there, and where file identities are unknown, lock files stay.
          const removable = identity === "same" && Deno.build.os !== "windows";
          return new FileLock(key, file, path, removable ? keep : undefined);
        }
      } catch (error) {
        await release(file, locked);
        throw error;
      }
      // The holder before us removed the file after we opened it: the lock
      // we got is on a file no one else will open. Try the path again.
      await release(file, true);
    }
  }

  /**
   * Removes the temporary files of writers that died before their rename,
   * when no writer of any process is at work (else it removes nothing: the
   * next call will). Returns how many it removed.
   */
  async removeStaleTemporaryFiles(): Promise<number> {
    let writers: Deno.FsFile;
    try {
      // Not created here: every writer makes it before its temporary file,
      // so without it there is nothing to clean (and a read changes nothing).
      writers = await this.#openWritersLock(false);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return 0;
      throw error;
    }
    let locked = false;
    try {
      locked = await writers.tryLock(true);
      if (!locked) return 0;
      let removed = 0;
      for await (const entry of Deno.readDir(this.directory)) {
        if (!entry.isFile || !TEMP.test(entry.name)) continue;
        try {
          await Deno.remove(`${this.directory}/${entry.name}`);
          removed++;
        } catch (error) {
          if (!(error instanceof Deno.errors.NotFound)) throw error;
        }
      }
      return removed;
    } finally {
      await release(writers, locked);
    }
  }

  #openWritersLock(create = true): Promise<Deno.FsFile> {
    return Deno.open(`${this.directory}/${WRITERS_LOCK}`, {
      read: true,
      write: true,
      create,
      ...(create ? { mode: 0o600 } : {}),
    });
  }

  /** Makes a rename durable where the OS allows syncing a directory. */
  async #syncDirectory(): Promise<void> {
    if (Deno.build.os === "windows") return;
    const dir = await Deno.open(this.directory, { read: true });
    try {
      await dir.sync();
    } finally {
      dir.close();
    }
  }
}

/**
 * Unlocks (when locked) and closes a lock file. Closing releases the lock on
 * every OS, so a refused unlock is not an error: under Wine, UnlockFileEx
 * refuses the range Deno unlocks (os error 33) although the lock was taken.
 */
async function release(file: Deno.FsFile, locked = true): Promise<void> {
  try {
    if (locked) await file.unlock();
  } catch {
    // The close below releases it.
  } finally {
    file.close();
  }
}

/** Whether the open file is still the one at `path` (by device and inode). */
async function sameFile(file: Deno.FsFile, path: string): Promise<"same" | "other" | "unknown"> {
  const held = await file.stat();
  if (held.ino === null || held.dev === null) return "unknown";
  try {
    const now = await Deno.stat(path);
    return now.ino === held.ino && now.dev === held.dev ? "same" : "other";
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return "other";
    throw error;
  }
}

class FileLock implements PodLock {
  #file: Deno.FsFile | undefined;

  constructor(
    readonly podId: string,
    file: Deno.FsFile,
    private readonly path: string,
    private readonly keep: (() => Promise<boolean>) | undefined,
  ) {
    this.#file = file;
  }

  async release(): Promise<void> {
    const file = this.#file;
    if (file === undefined) return;
    this.#file = undefined;
    try {
      // Removed while still held, so that whoever opens the path next makes
      // a new file and anyone holding the old one sees it is not the path's.
      if (this.keep !== undefined && !(await this.keep())) {
        try {
          await Deno.remove(this.path);
        } catch (error) {
          // A lock file left behind is harmless: the next holder reuses it.
          await storeLog("warn", "Cannot remove the lock file {path}; it stays", {
            path: this.path,
            error,
          });
        }
      }
    } finally {
      await release(file);
    }
  }

  [Symbol.asyncDispose](): Promise<void> {
    return this.release();
  }
}
