import type { Common } from "./_options.ts";

function quote(value: string): string {
  return /^[\w./:\\@=-]+$/.test(value) ? value : JSON.stringify(value);
}

/** The command line an operator runs next for a pod, with the flags this run used. */
export function nextCommand(command: string, podId: string | undefined, common: Common): string {
  const parts = ["deno", "task", "podnet", command];
  if (podId !== undefined) parts.push("--pod", quote(podId));
  parts.push("--state-dir", quote(common.stateDir), "--host", common.host);
  if (common.simState !== undefined) parts.push("--sim-state", quote(common.simState));
  return parts.join(" ");
}
