import type { FileStore } from "../store/file_store.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { HostRecords } from "./_host_records.ts";
import { common, COMMON_OPTIONS, nonEmpty, parse } from "./_options.ts";
import { describePod, type PodView, podView } from "./_pod_view.ts";
import { listRecords, loadRecord } from "./_records.ts";
import { openStateDir } from "./_state_dir.ts";

/** `podnet status --help`. */
export const STATUS_HELP = `Usage: deno task podnet status [--pod ID] [options]

Shows what is recorded for a pod (or every pod): its state, whether a record
was left in the middle of an operation, its VM, and each NIC in attach order
(eth0 first) with how far each step got (none, pending, done). A pod with no
record is NotConfigured. Reads records only; touches no host.

  --pod ID                  the pod (default: every pod with a record)
${COMMON_HELP}`;

/** `podnet list --help`. */
export const LIST_HELP = `Usage: deno task podnet list [options]

Lists every pod with a record, one line each: pod, state, the operation a
record was left in the middle of, VM and number of NICs. Touches no host.
${COMMON_HELP}`;

const STATUS_OPTIONS = { ...COMMON_OPTIONS, pod: { type: "string" } } as const;

/** Every pod with a snapshot or a host record, sorted. */
export async function allPods(store: FileStore, hostRecords: HostRecords): Promise<string[]> {
  const ids = new Set([...await listRecords(store), ...await hostRecords.podIds()]);
  return [...ids].sort();
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
  const views: PodView[] = [];
  for (const id of await allPods(store, hostRecords)) {
    views.push(await view(store, hostRecords, id));
  }
  if (views.length === 0) ctx.say(`no pods recorded in ${c.stateDir}`);
  for (const v of views) for (const line of describePod(v)) ctx.say(line);
  ctx.emit({ pods: views });
  return EXIT_CODES.OK;
}

/** `podnet list`. */
export async function list(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, COMMON_OPTIONS);
  const c = common(values, false);
  const { store, hostRecords } = await openStateDir(ctx, c);
  const pods = [];
  for (const id of await allPods(store, hostRecords)) {
    const v = await view(store, hostRecords, id);
    pods.push({
      podId: v.podId,
      state: v.state,
      operation: v.operation,
      ...(v.vmId === undefined ? {} : { vmId: v.vmId, guest: v.guest }),
      nics: v.bindings.length,
    });
  }
  if (pods.length === 0) ctx.say(`no pods recorded in ${c.stateDir}`);
  for (const p of pods) {
    const during = p.operation === null ? "" : ` (left during ${p.operation})`;
    const where = p.vmId === undefined ? "" : `  VM ${p.vmId} ${p.guest?.toUpperCase()}`;
    ctx.say(`${p.podId}  ${p.state}${during}${where}  ${p.nics} NIC${p.nics === 1 ? "" : "s"}`);
  }
  ctx.emit({ pods });
  return EXIT_CODES.OK;
}
