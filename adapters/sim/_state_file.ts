import { basename, dirname, join } from "node:path";

const TEMP = /^\.[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}\.tmp$/;

/**
 * The file a simulated host's world lives in, shared by processes. Every
 * read-modify-write holds an exclusive lock on `<file>.lock` (the file itself
 * is replaced by each write, so it cannot carry the lock). A write goes to a
 * temporary file beside it and is renamed over it, so a process killed at
 * any moment leaves the old or the new world, never a torn one. The rename
 * is atomic, not flushed: a simulated host needs to survive a killed
 * process, not a power cut.
 */
export class StateFile {
  readonly #lockPath: string;

  constructor(readonly path: string) {
    this.#lockPath = `${path}.lock`;
  }

  /** Runs `work` holding the file's lock (waiting for another holder to finish). */
  locked<T>(work: () => T): T {
    const lock = Deno.openSync(this.#lockPath, { read: true, write: true, create: true });
    try {
      lock.lockSync(true);
      try {
        return work();
      } finally {
        try {
          lock.unlockSync();
        } catch {
          // Closing releases it (Wine refuses Deno's unlock, os error 33).
        }
      }
    } finally {
      lock.close();
    }
  }

  /** The file's text; `undefined` when there is no file. Call it holding the lock. */
  read(): string | undefined {
    try {
      return Deno.readTextFileSync(this.path);
    } catch (error) {
      if (error instanceof Deno.errors.NotFound) return undefined;
      throw error;
    }
  }

  /** Replaces the file's text atomically. Call it holding the lock. */
  write(text: string): void {
    const temp = `${this.path}.${crypto.randomUUID()}.tmp`;
    try {
      Deno.writeTextFileSync(temp, text, { createNew: true });
      Deno.renameSync(temp, this.path);
    } catch (error) {
      try {
        Deno.removeSync(temp);
      } catch {
        // it was never created, or it was renamed
      }
      throw error;
    }
  }

  /**
   * Removes temporary files left by writers that died before their rename.
   * Call it holding the lock: every writer holds it, so any temporary file
   * seen then is stale. Returns how many were removed.
   */
  removeStaleTemporaryFiles(): number {
    const prefix = basename(this.path);
    const directory = dirname(this.path);
    let removed = 0;
    for (const entry of Deno.readDirSync(directory)) {
      if (!entry.isFile || !entry.name.startsWith(prefix)) continue;
      if (!TEMP.test(entry.name.slice(prefix.length))) continue;
      try {
        Deno.removeSync(join(directory, entry.name));
        removed++;
      } catch (error) {
        if (!(error instanceof Deno.errors.NotFound)) throw error;
      }
    }
    return removed;
  }
}
