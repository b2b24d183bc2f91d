/**
 * `podnet nic add|remove|update`: one NIC of a running pod.
 *
 * @module
 */
import { checkIovSettings, type IovSettings } from "../../domain/iov.ts";
import { InvalidArgumentError } from "../../domain/errors.ts";
import type { ExitCode } from "./exit_codes.ts";
import type { Ctx } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import { runOnLivingPod } from "./_living_pod.ts";
import {
  CALL_HELP,
  CALL_OPTIONS,
  callSettings,
  common,
  COMMON_OPTIONS,
  guidOf,
  integerOf,
  parse,
  required,
  usage,
} from "./_options.ts";
import { TIMELINE_HELP, TIMELINE_OPTION } from "./_timeline.ts";

/** `podnet nic --help`. */
export const NIC_HELP =
  `Usage: deno task podnet nic add|remove|update --pod ID --endpoint GUID [options]

Changes one NIC of a running (Configured) pod set up by podnet setup:
  add      binds an endpoint of the pod's namespace: a NIC hot-added after the
           others and wired into the guest. On failure only this NIC is undone.
  remove   takes the endpoint's NIC out of the guest, then off the VM. On
           failure the NIC stays recorded; run it again to finish.
  update   applies SR-IOV settings to the endpoint's NIC (HCS Update; no guest
           request). Give at least one --iov-* option.
Each step is printed as it happens.

  --pod ID                  the pod
  --endpoint GUID           the HCN endpoint
  --iov-weight N            OffloadWeight (0 to 4294967295; 0 turns SR-IOV off)
  --iov-queue-pairs N       QueuePairsRequested (0 to 4294967295)
  --iov-moderation MODE     InterruptModeration: Default, Adaptive, Off, Low,
                            Medium or High
                            (add takes them too: applied right after the hot-add)
  --timeout SECONDS         deadline of the whole operation
${CALL_HELP}
${TIMELINE_HELP}
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CALL_OPTIONS,
  ...TIMELINE_OPTION,
  pod: { type: "string" },
  endpoint: { type: "string" },
  "iov-weight": { type: "string" },
  "iov-queue-pairs": { type: "string" },
  "iov-moderation": { type: "string" },
} as const;

/** `podnet nic add|remove|update`. */
export async function nic(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const [action, ...rest] = args;
  if (action !== "add" && action !== "remove" && action !== "update") {
    throw usage(`podnet nic: give add, remove or update (see: podnet nic --help)`);
  }
  const { values } = parse(rest, OPTIONS);
  const podId = required(values.pod, "pod");
  const endpointId = guidOf(required(values.endpoint, "endpoint"), "endpoint");
  const iov = iovOf(values);
  if (action === "remove" && iov !== undefined) {
    throw usage("podnet nic remove: --iov-* options are for add and update");
  }
  if (action === "update" && iov === undefined) {
    throw usage(
      "podnet nic update: give at least one of --iov-weight, --iov-queue-pairs, --iov-moderation",
    );
  }
  return await runOnLivingPod(ctx, {
    command: `nic ${action}`,
    what: action === "add"
      ? "add a NIC to"
      : action === "remove"
      ? "remove a NIC from"
      : "update a NIC of",
    podId,
    settings: callSettings(values),
    common: common(values),
    timeline: values.timeline,
    run: async (controller, signal) => {
      switch (action) {
        case "add": {
          const added = await controller.addEndpoint(endpointId, {
            signal,
            ...(iov === undefined ? {} : { iov }),
          });
          if (!added) ctx.say(`endpoint ${endpointId} is already bound: nothing to do`);
          return { endpointId, added };
        }
        case "remove":
          await controller.removeEndpoint(endpointId, { signal });
          return { endpointId, removed: true };
        case "update":
          await controller.updateEndpoint(endpointId, { iov: iov ?? {} }, { signal });
          return { endpointId, iov };
      }
    },
  });
}

function iovOf(values: {
  "iov-weight"?: string | undefined;
  "iov-queue-pairs"?: string | undefined;
  "iov-moderation"?: string | undefined;
}): IovSettings | undefined {
  const weight = integerOf(values["iov-weight"], "iov-weight", 0);
  const pairs = integerOf(values["iov-queue-pairs"], "iov-queue-pairs", 0);
  const moderation = values["iov-moderation"];
  const iov = {
    ...(weight === undefined ? {} : { offloadWeight: weight }),
    ...(pairs === undefined ? {} : { queuePairsRequested: pairs }),
    ...(moderation === undefined ? {} : { interruptModeration: moderation }),
  };
  if (Object.keys(iov).length === 0) return undefined;
  try {
    return checkIovSettings("iov", iov);
  } catch (cause) {
    if (!(cause instanceof InvalidArgumentError)) throw cause;
    const flag = cause.argument === "iov.offloadWeight"
      ? "iov-weight"
      : cause.argument === "iov.queuePairsRequested"
      ? "iov-queue-pairs"
      : "iov-moderation";
    throw usage(`Invalid --${flag}: ${cause.message.replace(/^Invalid [^:]*: /, "")}`);
  }
}
