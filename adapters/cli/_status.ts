import type { FileStore } from "../store/file_store.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { HostRecords } from "./_host_records.ts";
import { common, COMMON_OPTIONS, nonEmpty, parse } from "./_options.ts";
import { describePod, type PodView, podView } from "./_pod_view.ts";
import {
  describeUnreadable,
  fileOf,
  loadRecord,
  scanPods,
  type Unreadable,
  unreadableOf,
} from "./_records.ts";
import { openStateDir } from "./_state_dir.ts";

/** `podnet status --help`. */
export const STATUS_HELP = `Usage: deno task podnet status [--pod ID] [options]

Shows what is recorded for a pod (or every pod): its state, whether a record
was left in the middle of an operation, its VM, and each NIC in attach order
(eth0 first) with how far each step got (none, pending, done). A pod with no
record is NotConfigured. Reads records only; touches no host. Without --pod,
a record that cannot be read (corrupt, damaged) is reported with its file and
the reason, and every other pod is still shown; the exit code is then 2.

  --pod ID                  the pod (default: every pod with a record)
${COMMON_HELP}`;

/** `podnet list --help`. */
export const LIST_HELP = `Usage: deno task podnet list [options]

Lists every pod with a record, one line each: pod, state, the operation a
record was left in the middle of, VM and number of NICs. Touches no host.
A record that cannot be read (corrupt, damaged) is reported with its file and
the reason, and every other pod is still listed; the exit code is then 2.
${COMMON_HELP}`;

const STATUS_OPTIONS = { ...COMMON_OPTIONS, pod: { type: "string" } } as const;

/** What `status` and `list` show of every pod: the views, and the records they could not read. */
async function allViews(
  ctx: Ctx,
  store: FileStore,
  hostRecords: HostRecords,
): Promise<{ views: PodView[]; unreadable: Unreadable[] }> {
  const { podIds, unreadable } = await scanPods(store, hostRecords);
  const views: PodView[] = [];
  for (const id of podIds) {
    try {
      views.push(await view(store, hostRecords, id));
    } catch (error) {
      unreadable.push(unreadableOf(id, await fileOf(store, id, error), error));
    }
  }
  for (const u of unreadable) ctx.io.err(`podnet ${ctx.command}: ${describeUnreadable(u)}`);
  return { views, unreadable };
}

async function view(store: FileStore, hostRecords: HostRecords, podId: string): Promise<PodView> {
  return podView(podId, await loadRecord(store, podId), await hostRecords.load(podId));
}

/** `podnet status`. */
export async function status(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, STATUS_OPTIONS);
  const podId = nonEmpty(values.pod, "pod");
  const c = common(values, false);
  const { store, hostRecords } = await openStateDir(ctx, c);
  if (podId !== undefined) {
    const v = await view(store, hostRecords, podId);
    for (const line of describePod(v)) ctx.say(line);
    ctx.emit(v);
    return EXIT_CODES.OK;
  }
  const { views, unreadable } = await allViews(ctx, store, hostRecords);
  if (views.length === 0 && unreadable.length === 0) ctx.say(`no pods recorded in ${c.stateDir}`);
  for (const v of views) for (const line of describePod(v)) ctx.say(line);
  for (const u of unreadable) ctx.say(`UNREADABLE ${describeUnreadable(u)}`);
  ctx.emit(unreadable.length > 0 ? { pods: views, unreadable } : { pods: views });
  return unreadable.length > 0 ? EXIT_CODES.USAGE : EXIT_CODES.OK;
}

/** `podnet list`. */
export async function list(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, COMMON_OPTIONS);
  const c = common(values, false);
  const { store, hostRecords } = await openStateDir(ctx, c);
  const { views, unreadable } = await allViews(ctx, store, hostRecords);
  const pods = views.map((v) => ({
    podId: v.podId,
    state: v.state,
    operation: v.operation,
    ...(v.vmId === undefined ? {} : { vmId: v.vmId, guest: v.guest }),
    nics: v.bindings.length,
  }));
  if (pods.length === 0 && unreadable.length === 0) ctx.say(`no pods recorded in ${c.stateDir}`);
  for (const p of pods) {
    const during = p.operation === null ? "" : ` (left during ${p.operation})`;
    const where = p.vmId === undefined ? "" : `  VM ${p.vmId} ${p.guest?.toUpperCase()}`;
    ctx.say(`${p.podId}  ${p.state}${during}${where}  ${p.nics} NIC${p.nics === 1 ? "" : "s"}`);
  }
  for (const u of unreadable) ctx.say(`${u.podId ?? "?"}  UNREADABLE  ${u.file}`);
  ctx.emit(unreadable.length > 0 ? { pods, unreadable } : { pods });
  return unreadable.length > 0 ? EXIT_CODES.USAGE : EXIT_CODES.OK;
}
