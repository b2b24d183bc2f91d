import { NetworkController } from "../../domain/network_controller.ts";
import type { NetworkControllerOptions } from "../../domain/controller_options.ts";
import { InvalidArgumentError, SetupError } from "../../domain/errors.ts";
import type { FileStore } from "../store/file_store.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { HostRecords } from "./_host_records.ts";
import { Hosts } from "./_hosts.ts";
import { nextCommand } from "./_next.ts";
import {
  CALL_HELP,
  CALL_OPTIONS,
  callSettings,
  type Common,
  common,
  COMMON_OPTIONS,
  guestOf,
  guidOf,
  parse,
  required,
  usage,
  usageFrom,
} from "./_options.ts";
import { codeOf, oneLine } from "./_output.ts";
import { describePod, podView } from "./_pod_view.ts";
import { loadRecord, lockPod } from "./_records.ts";
import { openStateDir } from "./_state_dir.ts";
import { StepLog } from "./_step_log.ts";
import { Timeline, TIMELINE_HELP, TIMELINE_OPTION } from "./_timeline.ts";

/** `podnet setup --help`. */
export const SETUP_HELP =
  `Usage: deno task podnet setup --pod ID --namespace GUID --vm ID --guest lcow|wcow [options]

Hot-adds one NIC per endpoint of the pod's HCN namespace to the utility VM and
wires each into the guest, eth0 first. Each step is printed as it happens. On
failure, what setup did is undone (unless --no-rollback); what is left on
record, and the command to run next, are printed.

  --pod ID                  the pod (any printable text up to 256 characters)
  --namespace GUID          the HCN namespace CNI made for the pod
  --vm ID                   the utility VM's compute system ID
  --guest lcow|wcow         the VM's guest
  --policy-based-routing    the guest routes by policy (LCOW)
  --no-rollback             on failure, leave what was done for teardown
  --timeout SECONDS         deadline of the whole setup (then it is undone)
${CALL_HELP}
${TIMELINE_HELP}
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CALL_OPTIONS,
  pod: { type: "string" },
  namespace: { type: "string" },
  vm: { type: "string" },
  guest: { type: "string" },
  "policy-based-routing": { type: "boolean", default: false },
  "no-rollback": { type: "boolean", default: false },
  ...TIMELINE_OPTION,
} as const;

/** `podnet setup`. */
export async function setup(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, OPTIONS);
  const podId = required(values.pod, "pod");
  const namespaceId = guidOf(required(values.namespace, "namespace"), "namespace");
  const vmId = required(values.vm, "vm");
  const guest = guestOf(required(values.guest, "guest"));
  const settings = callSettings(values);
  const c = common(values);
  const { store, hostRecords } = await openStateDir(ctx, c);
  await using _lock = await lockPod(store, podId, "set up");
  const existing = await loadRecord(store, podId);
  if (existing !== undefined) {
    const during = existing.operation === null ? "" : `, written during ${existing.operation}`;
    throw usage(
      `Cannot set up pod ${podId}: it already has a record (${existing.state}${during}); ` +
        `run ${nextCommand("teardown", podId, c)} first`,
    );
  }
  await using hosts = new Hosts(c);
  await hosts.check();
  const ports = hosts.portsFor(vmId, guest, settings.callTimeoutMs);
  try {
    const log = new StepLog(
      ctx.json ? undefined : (line) => ctx.io.out(line),
      values.timeline ? new Timeline() : undefined,
    );
    const options: NetworkControllerOptions = {
      podId,
      namespaceId,
      store,
      onEvent: log.onEvent,
      policyBasedRouting: values["policy-based-routing"],
      rollbackOnSetupFailure: !values["no-rollback"],
      // The controller's NIC pipeline width, passed through as given.
      ...(settings.hostConcurrency === undefined
        ? {}
        : { hostConcurrency: settings.hostConcurrency }),
    };
    let controller: NetworkController;
    try {
      controller = new NetworkController(options, ports);
    } catch (cause) {
      if (cause instanceof InvalidArgumentError) throw usageFrom("set up", cause);
      throw cause;
    }
    const head = { podId, namespaceId: controller.namespaceId, vmId, guest };
    ctx.say(
      `podnet setup: pod ${podId}, namespace ${head.namespaceId}, VM ${vmId} (${guest.toUpperCase()})`,
    );
    const record = { schemaVersion: 1, podId, vmId, guest } as const;
    await hostRecords.save({ ...record, operation: "setup" });
    const signal = settings.timeoutMs === undefined
      ? undefined
      : AbortSignal.timeout(settings.timeoutMs);
    try {
      await controller.setup({ signal });
    } catch (error) {
      log.printTimeline();
      return await failed(ctx, error, controller, head, log, store, hostRecords, c);
    }
    log.printTimeline();
    await hostRecords.save({ ...record, operation: null });
    const view = podView(podId, await store.load(podId), { ...record, operation: null });
    ctx.say("");
    for (const line of describePod(view)) ctx.say(line);
    ctx.emit({
      ...head,
      state: controller.state,
      bindings: view.bindings,
      steps: log.steps,
      ...log.timelineJson(),
    });
    return EXIT_CODES.OK;
  } finally {
    await ports.close();
  }
}

async function failed(
  ctx: Ctx,
  error: unknown,
  controller: NetworkController,
  head: { podId: string; namespaceId: string; vmId: string; guest: GuestPlatform },
  log: StepLog,
  store: FileStore,
  hostRecords: HostRecords,
  c: Common,
): Promise<ExitCode> {
  const podId = head.podId;
  let snapshot;
  let recordError: { code: string; message: string } | undefined;
  try {
    snapshot = await store.load(podId);
  } catch (loadError) {
    // Keep the host record: teardown will need it. The operator is told.
    recordError = { code: codeOf(loadError), message: oneLine(loadError) };
  }
  const readable = recordError === undefined;
  if (readable && snapshot === undefined) await hostRecords.delete(podId);
  const recorded = snapshot === undefined ? null : podView(podId, snapshot, {
    schemaVersion: 1,
    podId,
    vmId: head.vmId,
    guest: head.guest,
    operation: "setup",
  });
  const next = readable && snapshot === undefined ? null : nextCommand("teardown", podId, c);
  const rolledBack = error instanceof SetupError ? error.rolledBack : false;
  ctx.io.err(`podnet setup: ${oneLine(error)}`);
  if (recordError !== undefined) {
    ctx.io.err(`podnet setup: and the record cannot be read: ${recordError.message}`);
  }
  ctx.say("");
  if (recorded === null && next === null) {
    ctx.say(
      `setup failed; ${
        rolledBack ? "everything it did was undone" : "nothing was done"
      }: nothing is recorded for pod ${podId}`,
    );
  } else {
    ctx.say("setup failed; recorded:");
    if (recorded !== null) { for (const line of describePod(recorded)) ctx.say(`  ${line}`); }
    ctx.say(`next: ${next}`);
  }
  ctx.emit({
    ...head,
    state: controller.state,
    error: { code: codeOf(error), message: oneLine(error), rolledBack },
    recorded,
    ...(recordError === undefined ? {} : { recordError }),
    next,
    steps: log.steps,
    ...log.timelineJson(),
  });
  return EXIT_CODES.FAILED;
}
