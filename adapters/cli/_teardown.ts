import { TeardownError } from "../../domain/errors.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import { Hosts } from "./_hosts.ts";
import { nextCommand } from "./_next.ts";
import {
  CALL_HELP,
  CALL_OPTIONS,
  callSettings,
  common,
  COMMON_OPTIONS,
  guestOf,
  nonEmpty,
  parse,
  required,
  usage,
} from "./_options.ts";
import { codeOf, oneLine } from "./_output.ts";
import { describePod, podView } from "./_pod_view.ts";
import { loadRecord, lockPod } from "./_records.ts";
import { openStateDir } from "./_state_dir.ts";
import { StepLog } from "./_step_log.ts";
import { Timeline, TIMELINE_HELP, TIMELINE_OPTION } from "./_timeline.ts";
import { hostOf, tearDownPod } from "./_pod_teardown.ts";

/** `podnet teardown --help`. */
export const TEARDOWN_HELP = `Usage: deno task podnet teardown --pod ID [options]

Undoes everything recorded for the pod, in reverse order: each NIC out of the
guest, then off the VM, then the guest namespace. Every NIC is attempted; the
steps that failed are listed, and running teardown again retries them. A pod
with no record has nothing to undo (exit 0).

  --pod ID                  the pod
  --vm ID, --guest lcow|wcow
                            the pod's VM and guest, only for a record that podnet
                            setup did not write (setup records them)
  --timeout SECONDS         deadline of the whole teardown
${CALL_HELP}
${TIMELINE_HELP}
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CALL_OPTIONS,
  pod: { type: "string" },
  vm: { type: "string" },
  guest: { type: "string" },
  ...TIMELINE_OPTION,
} as const;

/** `podnet teardown`. */
export async function teardown(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, OPTIONS);
  const podId = required(values.pod, "pod");
  const vmId = nonEmpty(values.vm, "vm");
  const guestFlag = values.guest === undefined ? undefined : guestOf(values.guest);
  const settings = callSettings(values);
  const c = common(values);
  const { store, hostRecords } = await openStateDir(ctx, c);
  await using _lock = await lockPod(store, podId, "tear down");
  const snapshot = await loadRecord(store, podId);
  const record = await hostRecords.load(podId);
  if (snapshot === undefined) {
    await hostRecords.delete(podId);
    ctx.say(`podnet teardown: pod ${podId}: nothing recorded, nothing to undo`);
    ctx.emit({ podId, state: "TornDown", steps: [] });
    return EXIT_CODES.OK;
  }
  const host = hostOf(podId, record, vmId, guestFlag);
  if (host === undefined) {
    throw usage(`Cannot tear down pod ${podId}: no host record says which VM it is on`, {
      hint: "pass --vm ID and --guest lcow|wcow",
    });
  }
  await using hosts = new Hosts(c);
  await hosts.check();
  ctx.say(
    `podnet teardown: pod ${podId}, namespace ${snapshot.namespaceId}, VM ${host.vmId} ` +
      `(${host.guest.toUpperCase()}), recorded ${snapshot.state}` +
      (snapshot.operation === null ? "" : ` during ${snapshot.operation}`),
  );
  const log = new StepLog(
    ctx.json ? undefined : (line) => ctx.io.out(line),
    values.timeline ? new Timeline() : undefined,
  );
  const result = await tearDownPod(snapshot, host, hosts, store, hostRecords, settings, log);
  log.printTimeline();
  if (result.error === undefined) {
    ctx.say(`pod ${podId}: torn down, nothing left on record`);
    ctx.emit({ podId, state: result.state, steps: log.steps, ...log.timelineJson() });
    return EXIT_CODES.OK;
  }
  const error = result.error;
  let snapshotAfter;
  try {
    snapshotAfter = await store.load(podId);
  } catch (loadError) {
    ctx.io.err(`podnet teardown: and the record cannot be read: ${oneLine(loadError)}`);
  }
  const recorded = podView(podId, snapshotAfter, host);
  const next = nextCommand("teardown", podId, c);
  ctx.io.err(`podnet teardown: ${oneLine(error)}`);
  ctx.say("");
  ctx.say("teardown failed:");
  const failedSteps = error instanceof TeardownError
    ? error.errors.map((e) => ({
      step: e.step,
      ...(e.nicId === undefined ? {} : { nicId: e.nicId }),
      ...(e.endpointId === undefined ? {} : { endpointId: e.endpointId }),
      message: oneLine(e),
    }))
    : [];
  for (const s of failedSteps) ctx.say(`  - ${s.message}`);
  ctx.say("recorded:");
  for (const line of describePod(recorded)) ctx.say(`  ${line}`);
  ctx.say(`next: ${next}`);
  ctx.emit({
    podId,
    state: result.state,
    error: { code: codeOf(error), message: oneLine(error), steps: failedSteps },
    recorded,
    next,
    steps: log.steps,
    ...log.timelineJson(),
  });
  return EXIT_CODES.FAILED;
}
