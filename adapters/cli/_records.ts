import type { Snapshot } from "../../domain/snapshot.ts";
import type { HostRecords } from "./_host_records.ts";
import { codeOf, oneLine } from "./_output.ts";
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

/** A record `status`, `list` or `recover` could not use, reported for its pod. */
export interface Unreadable {
  /** The pod, when its files still tell it. */
  readonly podId?: string;
  /** The file at fault. */
  readonly file: string;
  readonly error: { readonly code: string; readonly message: string };
}

/** The pods of a state directory, and the records that could not be read. */
export interface PodIndex {
  /** Every pod with a readable snapshot or host record, sorted. */
  readonly podIds: string[];
  readonly unreadable: Unreadable[];
}

/**
 * Every pod with a snapshot or a host record, sorted, going on past any
 * file that cannot be read: each is reported (with its pod when the file
 * or the pod's other record names it). A directory that cannot be listed
 * is bad input (exit 2).
 */
export async function scanPods(store: FileStore, hostRecords: HostRecords): Promise<PodIndex> {
  let records, hosts;
  try {
    [records, hosts] = await Promise.all([store.scan(), hostRecords.scan()]);
  } catch (cause) {
    throw usageFrom(`list the records in ${store.directory}`, cause);
  }
  const ids = new Set<string>();
  const byDigest = new Map<string, string>();
  for (const e of [...records, ...hosts]) {
    if (e.error === undefined) {
      ids.add(e.podId);
      byDigest.set(await hostRecords.digest(e.podId), e.podId);
    }
  }
  const unreadable: Unreadable[] = [];
  for (const e of [...records, ...hosts]) {
    if (e.error === undefined) continue;
    const podId = ("podId" in e ? e.podId : undefined) ?? byDigest.get(e.digest);
    if (podId !== undefined) ids.delete(podId);
    unreadable.push(unreadableOf(podId, e.path, e.error));
  }
  return { podIds: [...ids].sort(), unreadable };
}

/** How a record that could not be used is reported. */
export function unreadableOf(podId: string | undefined, file: string, error: unknown): Unreadable {
  return {
    ...(podId === undefined ? {} : { podId }),
    file,
    error: { code: error instanceof CliError ? "USAGE" : codeOf(error), message: oneLine(error) },
  };
}

/** The file a load error is about: the journal when it names it, else the record. */
export async function fileOf(store: FileStore, podId: string, error: unknown): Promise<string> {
  const record = await store.pathOf(podId);
  const journal = record.replace(/\.json$/, ".journal");
  const host = record.replace(/\.json$/, ".host.json");
  const text = oneLine(error);
  return [journal, host].find((f) => text.includes(f)) ?? record;
}

/** One line naming an unreadable record, its pod and why (human output). */
export function describeUnreadable(u: Unreadable): string {
  const pod = u.podId === undefined ? "a pod" : `pod ${u.podId}`;
  // The store's message names the file already: say it once.
  return u.error.message.includes(u.file)
    ? `${pod}: ${u.error.message}`
    : `${pod}: cannot read ${u.file}: ${u.error.message}`;
}
