/**
 * `podnet sync`: brings a running pod's NICs in line with its namespace.
 *
 * @module
 */
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
  parse,
  required,
} from "./_options.ts";
import { TIMELINE_HELP, TIMELINE_OPTION } from "./_timeline.ts";

/** `podnet sync --help`. */
export const SYNC_HELP = `Usage: deno task podnet sync --pod ID [options]

Reads the running pod's HCN namespace afresh and brings the VM in line: a NIC
for each endpoint that appeared (after the others, in eth order), and off the
VM the NICs whose endpoints left the namespace or no longer exist. Prints each
step, then what changed. One NIC's failure stays its own: a failed add is
undone, a failed removal stays recorded for the next sync.

  --pod ID                  the pod
  --timeout SECONDS         deadline of the whole sync
${CALL_HELP}
${TIMELINE_HELP}
${COMMON_HELP}`;

const OPTIONS = {
  ...COMMON_OPTIONS,
  ...CALL_OPTIONS,
  ...TIMELINE_OPTION,
  pod: { type: "string" },
} as const;

/** `podnet sync`. */
export function sync(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, OPTIONS);
  return runOnLivingPod(ctx, {
    command: "sync",
    what: "sync",
    podId: required(values.pod, "pod"),
    settings: callSettings(values),
    common: common(values),
    timeline: values.timeline,
    run: async (controller, signal) => {
      const result = await controller.sync({ signal });
      ctx.say(
        `added ${result.added.length === 0 ? "nothing" : result.added.join(", ")}; ` +
          `removed ${result.removed.length === 0 ? "nothing" : result.removed.join(", ")}`,
      );
      return { added: result.added, removed: result.removed };
    },
  });
}
