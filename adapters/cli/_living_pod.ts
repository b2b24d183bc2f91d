/**
 * What `nic` and `sync` share: opening a running pod's controller from its
 * records (pod lock held), following its steps, and reporting the outcome
 * with the exit codes and `--json` shape of `setup`.
 *
 * @module
 */
import type { NetworkController } from "../../domain/network_controller.ts";
import { NicChangeError } from "../../domain/errors.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { Hosts } from "./_hosts.ts";
import { nextCommand } from "./_next.ts";
import { type CallSettings, type Common, usage } from "./_options.ts";
import { codeOf, oneLine } from "./_output.ts";
import { describePod, podView } from "./_pod_view.ts";
import { loadRecord, lockPod } from "./_records.ts";
import { recovered } from "./_pod_teardown.ts";
import { openStateDir } from "./_state_dir.ts";
import { StepLog } from "./_step_log.ts";
import { Timeline } from "./_timeline.ts";

/** One operation on a running pod, as a command runs it. */
export interface LivingRun {
  /** The command's name for messages ("nic add", "sync"). */
  readonly command: string;
  /** What the command does, for "Cannot <what> pod P". */
  readonly what: string;
  readonly podId: string;
  readonly settings: CallSettings;
  readonly common: Common;
  readonly timeline: boolean;
  /** Runs the operation; resolves what to report besides the pod. */
  readonly run: (
    controller: NetworkController,
    signal: AbortSignal | undefined,
  ) => Promise<Record<string, unknown>>;
}

/** Runs `op` on the pod's controller and reports it. */
export async function runOnLivingPod(ctx: Ctx, op: LivingRun): Promise<ExitCode> {
  const { podId, settings, common: c } = op;
  const { store, hostRecords } = await openStateDir(ctx, c);
  await using _lock = await lockPod(store, podId, op.what);
  const snapshot = await loadRecord(store, podId);
  const host = await hostRecords.load(podId);
  if (snapshot === undefined || host === undefined) {
    throw usage(`Cannot ${op.what} pod ${podId}: it has no record; run podnet setup first`);
  }
  if (snapshot.state !== "Configured" || snapshot.operation !== null) {
    const during = snapshot.operation === null ? "" : ` during ${snapshot.operation}`;
    const next = snapshot.state === "Configured"
      ? nextCommand("recover", undefined, c)
      : nextCommand("teardown", podId, c);
    throw usage(`Cannot ${op.what} pod ${podId}: it is recorded ${snapshot.state}${during}`, {
      hint: `run ${next}`,
    });
  }
  await using hosts = new Hosts(c);
  await hosts.check();
  const ports = hosts.portsFor(host.vmId, host.guest, settings.callTimeoutMs);
  const log = new StepLog(
    ctx.json ? undefined : (line) => ctx.io.out(line),
    op.timeline ? new Timeline() : undefined,
  );
  try {
    ctx.say(
      `podnet ${op.command}: pod ${podId}, namespace ${snapshot.namespaceId}, VM ${host.vmId} ` +
        `(${host.guest.toUpperCase()})`,
    );
    const { controller, signal } = recovered(snapshot, ports, store, settings, log);
    let result: Record<string, unknown> | undefined;
    let error: unknown;
    try {
      result = await op.run(controller, signal);
    } catch (e) {
      error = e;
    }
    log.printTimeline();
    let snapshotAfter;
    try {
      snapshotAfter = await store.load(podId);
    } catch (loadError) {
      ctx.io.err(`podnet ${op.command}: and the record cannot be read: ${oneLine(loadError)}`);
    }
    const view = podView(podId, snapshotAfter, host);
    const tl = log.timelineJson();
    if (error === undefined) {
      ctx.say("");
      for (const line of describePod(view)) ctx.say(line);
      ctx.emit({
        podId,
        state: controller.state,
        ...result,
        bindings: view.bindings,
        steps: log.steps,
        ...tl,
      });
      return EXIT_CODES.OK;
    }
    const undone = error instanceof NicChangeError ? error.undone : true;
    const next = undone ? null : nextCommand("teardown", podId, c);
    ctx.io.err(`podnet ${op.command}: ${oneLine(error)}`);
    ctx.say("");
    ctx.say(`${op.command} failed; recorded:`);
    for (const line of describePod(view)) ctx.say(`  ${line}`);
    if (next !== null) ctx.say(`next: retry, or ${next}`);
    ctx.emit({
      podId,
      state: controller.state,
      error: { code: codeOf(error), message: oneLine(error), undone },
      recorded: view,
      next,
      steps: log.steps,
      ...tl,
    });
    return codeOf(error) === "INVALID_ARGUMENT" || codeOf(error) === "NOT_FOUND"
      ? EXIT_CODES.USAGE
      : EXIT_CODES.FAILED;
  } finally {
    await ports.close();
  }
}
