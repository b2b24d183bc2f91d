import type { Snapshot } from "../../domain/snapshot.ts";
import type { FileStore } from "../store/file_store.ts";
import type { PodLock } from "../store/pod_lock.ts";
import { EXIT_CODES } from "./exit_codes.ts";
import { CliError, usageFrom } from "./_options.ts";

/** Takes the pod's lock, or fails with exit code 3 when another process holds it. */
export async function lockPod(store: FileStore, podId: string, what: string): Promise<PodLock> {
  let lock: PodLock | undefined;
  try {
    lock = await store.tryLock(podId);
  } catch (cause) {
    throw usageFrom(`${what} pod ${podId}`, cause);
  }
  if (lock === undefined) {
    throw new CliError(
      EXIT_CODES.BUSY,
      `Cannot ${what} pod ${podId}: another process is working on it`,
    );
  }
  return lock;
}

/** The pod's snapshot; a record that cannot be read is bad input (exit 2). */
export async function loadRecord(store: FileStore, podId: string): Promise<Snapshot | undefined> {
  try {
    return await store.load(podId);
  } catch (cause) {
    throw usageFrom(`read the record of pod ${podId}`, cause);
  }
}

/** Every pod with a snapshot; a record that cannot be read is bad input (exit 2). */
export async function listRecords(store: FileStore): Promise<string[]> {
  try {
    return await store.list();
  } catch (cause) {
    throw usageFrom(`list the records in ${store.directory}`, cause);
  }
}
