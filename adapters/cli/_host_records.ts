import { z } from "zod";
import { RecordDirectory } from "../store/record_directory.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { CliError, usage } from "./_options.ts";

const SUFFIX = ".host.json";

/**
 * What `podnet` keeps about a pod beside the controller's snapshot: the VM
 * and guest its ports need, which the snapshot does not carry. Written
 * before setup starts, removed after the snapshot is gone, so `teardown`
 * and `recover` can always rebuild the ports.
 */
export interface HostRecord {
  readonly schemaVersion: 1;
  readonly podId: string;
  readonly vmId: string;
  readonly guest: GuestPlatform;
  /**
   * The command working on the pod, written before it starts and cleared
   * when it answers: a process killed before the controller recorded its
   * first step (a teardown killed before its first undo, say) still leaves
   * the intent behind, and `recover` finishes the job.
   */
  readonly operation: "setup" | "teardown" | null;
}

const schema = z.strictObject({
  schemaVersion: z.literal(1),
  podId: z.string().min(1),
  vmId: z.string().min(1),
  guest: z.enum(["lcow", "wcow"]),
  operation: z.enum(["setup", "teardown"]).nullable(),
});

/** The host records of a state directory (`<sha256(podId)>.host.json`). */
export class HostRecords {
  readonly #files: RecordDirectory;

  constructor(directory: string) {
    this.#files = new RecordDirectory(directory);
  }

  /** The pod's host record; a corrupt one is bad input (exit 2). */
  async load(podId: string): Promise<HostRecord | undefined> {
    const text = await this.#files.read(podId, SUFFIX);
    if (text === undefined) return undefined;
    const record = parse(text, await this.#files.pathOf(podId, SUFFIX));
    if (record.podId !== podId) {
      throw usage(
        `Cannot use the host record ${await this.#files.pathOf(podId, SUFFIX)}: ` +
          `it belongs to pod ${record.podId}`,
      );
    }
    return record;
  }

  /** Writes the pod's host record atomically. */
  save(record: HostRecord): Promise<void> {
    return this.#files.write(record.podId, SUFFIX, JSON.stringify(record));
  }

  /** Removes the pod's host record (no error when there is none). */
  async delete(podId: string): Promise<void> {
    await this.#files.remove(podId, SUFFIX);
  }

  /** The pods that have a host record; a corrupt one is bad input (exit 2). */
  async podIds(): Promise<string[]> {
    const files = await this.#files.readAll(SUFFIX);
    return files.map((f) => parse(f.text, f.path).podId);
  }

  /**
   * Every host record file, each its pod or why it is unusable (with the
   * digest naming the file), so that one corrupt file hides no other pod.
   */
  async scan(): Promise<HostRecordEntry[]> {
    const entries: HostRecordEntry[] = [];
    for (const f of await this.#files.readAll(SUFFIX)) {
      try {
        entries.push({ path: f.path, podId: parse(f.text, f.path).podId });
      } catch (error) {
        if (!(error instanceof CliError)) throw error;
        entries.push({ path: f.path, digest: f.digest, error });
      }
    }
    return entries;
  }

  /** The path of the pod's host record. */
  pathOf(podId: string): Promise<string> {
    return this.#files.pathOf(podId, SUFFIX);
  }

  /** The digest naming a pod's files. */
  digest(podId: string): Promise<string> {
    return this.#files.digest(podId);
  }
}

/** One file of {@linkcode HostRecords.scan}. */
export type HostRecordEntry =
  | { readonly path: string; readonly podId: string; readonly error?: undefined }
  | { readonly path: string; readonly digest: string; readonly error: CliError };

function parse(text: string, path: string): HostRecord {
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (cause) {
    throw usage(`Cannot use the host record ${path}: not JSON (truncated or corrupt)`, { cause });
  }
  const parsed = schema.safeParse(value);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw usage(
      `Cannot use the host record ${path}: ${issue?.path.join(".") || "document"}: ` +
        `${issue?.message ?? "malformed"}`,
    );
  }
  return parsed.data;
}
