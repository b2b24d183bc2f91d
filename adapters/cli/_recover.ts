import { PodnetError } from "../../domain/errors.ts";
import type { Snapshot } from "../../domain/snapshot.ts";
import type { FileStore } from "../store/file_store.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { HostRecord, HostRecords } from "./_host_records.ts";
import { Hosts } from "./_hosts.ts";
import { nextCommand } from "./_next.ts";
import {
  CALL_HELP,
  CALL_OPTIONS,
  type CallSettings,
  callSettings,
  type Common,
  common,
  COMMON_OPTIONS,
  parse,
} from "./_options.ts";
import { codeOf, oneLine } from "./_output.ts";
import { describeUnreadable, fileOf, scanPods, type Unreadable, unreadableOf } from "./_records.ts";
import { openStateDir } from "./_state_dir.ts";
import { StepLog } from "./_step_log.ts";
import { tearDownPod } from "./_pod_teardown.ts";
import { finishLiving, isLivingOperation } from "./_finish_living.ts";

/** `podnet recover --help`. */
export const RECOVER_HELP = `Usage: deno task podnet recover [options]

Finishes what crashed or killed processes left: for every pod whose record
was written in the middle of an operation (setup, teardown or a migration
reset), whose podnet setup or teardown never answered, or that a failed
operation left Invalid, everything that was or may have been done is torn
down. A running pod whose nic add, nic remove, nic update or sync was cut
short keeps running: the interrupted add is undone, the interrupted remove
finished, an update whose outcome is unknown applied again (finished). A setup cut short is torn down rather than
finished: the runtime that asked for it did not get an answer and will ask
again. Running pods (Configured) and pods in a migration are left as they
are; a record with nothing done on the host is removed. A teardown that
fails is tried once more: a killed teardown can leave a step recorded as
done that it had already undone, and podnet believes the host's "not found"
for such a step only on a second look. Pods another
process is working on are skipped (busy). A pod whose record cannot be read
(corrupt, damaged) is reported with its file and the reason and left as it
is; every other pod is still recovered. The result is reported per pod.
Exit code: 1 if any pod failed, else 2 if any record could not be read, else
3 if any was busy, else 0.

  --timeout SECONDS         deadline of each pod's teardown
${CALL_HELP}
${COMMON_HELP}`;

/** What recover did with one pod. */
interface PodResult {
  /** The pod (absent only for a record file that no longer says whose it is). */
  readonly podId?: string;
  /**
   * torn-down, finished (a NIC operation on a running pod was finished, the
   * pod kept), left, forgotten (nothing on the host), busy, unreadable or failed.
   */
  readonly action:
    | "torn-down"
    | "finished"
    | "left"
    | "forgotten"
    | "busy"
    | "unreadable"
    | "failed";
  /** The record that could not be read (unreadable). */
  readonly file?: string;
  /** The state recorded before (absent when nothing was recorded). */
  readonly was?: { readonly state: string; readonly operation: string | null };
  /** The state after. */
  readonly state?: string;
  readonly error?: { readonly code: string; readonly message: string };
  readonly next?: string;
}

/** `podnet recover`. */
export async function recover(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, { ...COMMON_OPTIONS, ...CALL_OPTIONS });
  const settings = callSettings(values);
  const c = common(values);
  const { store, hostRecords } = await openStateDir(ctx, c);
  const { podIds, unreadable } = await scanPods(store, hostRecords);
  await using hosts = new Hosts(c);
  if (podIds.length > 0) await hosts.check();
  const results: PodResult[] = [];
  for (const u of unreadable) results.push(reportUnreadable(ctx, u));
  for (const podId of podIds) {
    const result = await recoverPod(ctx, podId, store, hostRecords, hosts, settings, c);
    results.push(result);
    if (result.action === "unreadable") continue; // reported already
    const detail = result.error === undefined ? "" : `: ${result.error.message}`;
    ctx.say(`pod ${podId}: ${result.action}${detail}`);
    if (result.next !== undefined) ctx.say(`  next: ${result.next}`);
  }
  if (results.length === 0) ctx.say(`no pods recorded in ${c.stateDir}: nothing to recover`);
  ctx.emit({ pods: results });
  if (results.some((r) => r.action === "failed")) return EXIT_CODES.FAILED;
  if (results.some((r) => r.action === "unreadable")) return EXIT_CODES.USAGE;
  if (results.some((r) => r.action === "busy")) return EXIT_CODES.BUSY;
  return EXIT_CODES.OK;
}

/** Reports a record recover cannot read; the pod is left as it is. */
function reportUnreadable(ctx: Ctx, u: Unreadable): PodResult {
  ctx.io.err(`podnet recover: ${describeUnreadable(u)}`);
  ctx.say(`${u.podId === undefined ? "a pod" : `pod ${u.podId}`}: unreadable, left as it is`);
  return {
    ...(u.podId === undefined ? {} : { podId: u.podId }),
    action: "unreadable",
    file: u.file,
    error: u.error,
  };
}

async function recoverPod(
  ctx: Ctx,
  podId: string,
  store: FileStore,
  hostRecords: HostRecords,
  hosts: Hosts,
  settings: CallSettings,
  c: Common,
): Promise<PodResult> {
  await using lock = await store.tryLock(podId);
  if (lock === undefined) return { podId, action: "busy" };
  let snapshot: Snapshot | undefined;
  let host: HostRecord | undefined;
  try {
    snapshot = await store.load(podId);
    host = await hostRecords.load(podId);
  } catch (error) {
    return reportUnreadable(ctx, unreadableOf(podId, await fileOf(store, podId, error), error));
  }
  if (snapshot === undefined) {
    // Setup died before it recorded a step: it did nothing on the host.
    await hostRecords.delete(podId);
    return { podId, action: "forgotten", state: "NotConfigured" };
  }
  const operation = snapshot.operation ?? host?.operation ?? null;
  const was = { state: snapshot.state, operation };
  if (operation === null && snapshot.state !== "Invalid") {
    if (snapshot.state === "TornDown" || snapshot.state === "NotConfigured") {
      await store.delete(podId);
      await hostRecords.delete(podId);
      return { podId, action: "forgotten", was, state: snapshot.state };
    }
    return { podId, action: "left", was, state: snapshot.state };
  }
  if (host === undefined) {
    const error = new PodnetError(
      "NOT_FOUND",
      `recover pod ${podId}`,
      "no host record says which VM it is on",
    );
    return {
      ...failed(podId, was, error, c),
      next: `${nextCommand("teardown", podId, c)} --vm ID --guest lcow|wcow`,
    };
  }
  // A running pod whose NIC operation was cut short: finish that, keep the pod.
  if (isLivingOperation(snapshot)) {
    ctx.say(
      `pod ${podId}: recorded Configured during ${operation}, VM ${host.vmId} ` +
        `(${host.guest.toUpperCase()}): finishing it`,
    );
    const log = new StepLog(ctx.json ? undefined : (line) => ctx.io.out(line));
    try {
      const result = await finishLiving(snapshot, host, hosts, store, settings, log);
      if (result.error === undefined) {
        return { podId, action: "finished", was, state: result.state };
      }
      return { ...failed(podId, was, result.error, c), state: result.state };
    } catch (error) {
      return failed(podId, was, error, c);
    }
  }
  ctx.say(
    `pod ${podId}: recorded ${snapshot.state}` +
      (operation === null ? "" : ` during ${operation}`) +
      `, VM ${host.vmId} (${host.guest.toUpperCase()}): tearing down`,
  );
  const log = new StepLog(ctx.json ? undefined : (line) => ctx.io.out(line));
  try {
    const result = await tearDownPod(snapshot, host, hosts, store, hostRecords, settings, log);
    if (result.error === undefined) {
      return { podId, action: "torn-down", was, state: result.state };
    }
    return { ...failed(podId, was, result.error, c), state: result.state };
  } catch (error) {
    return failed(podId, was, error, c);
  }
}

function failed(
  podId: string,
  was: PodResult["was"],
  error: unknown,
  c: Common,
): PodResult {
  return {
    podId,
    action: "failed",
    ...(was === undefined ? {} : { was }),
    error: { code: codeOf(error), message: oneLine(error) },
    next: nextCommand("teardown", podId, c),
  };
}
