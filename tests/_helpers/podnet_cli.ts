/**
 * Helpers of the `podnet` command line tests: a state directory and a
 * simulated host file per test, and the command run in this process or in
 * a new one.
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { runPodnet } from "../../adapters/cli/podnet.ts";

/** The pod namespace of `adapters/sim/fixtures/pod-3nic.json`. */
export const NS = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
/** The fixture's path. */
export const FIXTURE = fileURLToPath(
  new URL("../../adapters/sim/fixtures/pod-3nic.json", import.meta.url),
);
/**
 * The command line's entry point: the source, or the script named by
 * `PODNET_ENTRY` (say the bundle of `deno task bundle`:
 * `PODNET_ENTRY=dist/bundle/podnet.js deno task test`), so the process and
 * crash tests run on the entry the README recommends.
 */
export const PODNET = Deno.env.get("PODNET_ENTRY") ??
  fileURLToPath(new URL("../../adapters/cli/podnet.ts", import.meta.url));
/** The repository root (the config file lives there). */
export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
/** The permissions of `deno task podnet`. */
export const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=SystemRoot,ProgramData",
  "--allow-ffi",
];

/** What a command printed and returned. */
export interface Run {
  readonly code: number;
  readonly out: string;
  readonly err: string;
}

/** Runs `podnet ARGS` in this process. */
export async function podnet(...args: string[]): Promise<Run> {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runPodnet(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

/** Runs `podnet ARGS` in a new Deno process, as `deno task podnet` does. */
export async function podnetProcess(...args: string[]): Promise<Run> {
  const output = await new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, PODNET, ...args],
    cwd: ROOT,
    stdout: "piped",
    stderr: "piped",
  }).output();
  const text = (bytes: Uint8Array) => new TextDecoder().decode(bytes).replace(/\r?\n$/, "");
  return { code: output.code, out: text(output.stdout), err: text(output.stderr) };
}

/** A test's world: a state directory and a simulated host file with the 3-NIC pod. */
export interface World {
  readonly dir: string;
  readonly stateDir: string;
  readonly simState: string;
  /** `--state-dir DIR --host sim --sim-state FILE`. */
  readonly flags: string[];
  /** Removes it all. */
  remove(): Promise<void>;
}

/** Makes a world (in this process): `podnet sim init` and an empty state directory. */
export async function world(guest: "lcow" | "wcow", vmId = "podnet-uvm-1"): Promise<World> {
  const dir = await Deno.makeTempDir({ prefix: "podnet-cli-" });
  const stateDir = `${dir}/state`;
  const simState = `${dir}/host.json`;
  await Deno.mkdir(stateDir);
  const init = await podnet(
    "sim",
    "init",
    "--sim-state",
    simState,
    "--fixture",
    FIXTURE,
    "--guest",
    guest,
    "--vm",
    vmId,
  );
  if (init.code !== 0) throw new Error(`sim init failed: ${init.err}`);
  return {
    dir,
    stateDir,
    simState,
    flags: ["--state-dir", stateDir, "--host", "sim", "--sim-state", simState],
    remove: () => Deno.remove(dir, { recursive: true }),
  };
}

/** The setup flags of the fixture's pod. */
export function setupFlags(guest: "lcow" | "wcow", podId = "default/web-0"): string[] {
  return ["--pod", podId, "--namespace", NS, "--vm", "podnet-uvm-1", "--guest", guest];
}

/** Every file in a directory (but lock files on Windows) with its bytes, to check that nothing changed. */
export async function snapshotDir(dir: string): Promise<Record<string, string>> {
  const files: Record<string, string> = {};
  for await (const entry of Deno.readDir(dir)) {
    // On Windows a pod's lock file stays after its lock is released: it is
    // no record, and its presence says nothing about what was written.
    if (Deno.build.os === "windows" && entry.name.endsWith(".lock")) continue;
    if (entry.isFile) files[entry.name] = await Deno.readTextFile(`${dir}/${entry.name}`);
  }
  return files;
}

/**
 * The files of a state directory other than the writers' lock (and, on
 * Windows, where lock files stay, other than lock files): records, host
 * records, temporary files.
 */
export async function leftoverFiles(stateDir: string): Promise<string[]> {
  const names = Object.keys(await snapshotDir(stateDir)).filter((name) =>
    name !== "writers.lock" && !(Deno.build.os === "windows" && name.endsWith(".lock"))
  );
  return names.sort();
}

/** What the simulated host logs when a call is held by a hang fault. */
export const HELD = "is held by a hang fault";

/**
 * Runs `podnet ARGS` in a new process and SIGKILLs it the moment it logs a
 * held call. Returns whether it was held, how it ended and what it logged.
 */
export async function killWhenHeld(
  args: string[],
): Promise<{ held: boolean; status: Deno.CommandStatus; log: string }> {
  const child = new Deno.Command(Deno.execPath(), {
    args: ["run", ...PERMISSIONS, PODNET, ...args, "--verbose", "--log-format", "json"],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).spawn();
  const reader = child.stderr.pipeThrough(new TextDecoderStream()).getReader();
  let log = "";
  let held = false;
  for (;;) {
    const { value, done } = await reader.read();
    if (done) break;
    log += value;
    if (log.includes(HELD)) {
      held = true;
      child.kill("SIGKILL");
      break;
    }
  }
  await reader.cancel();
  return { held, status: await child.status, log };
}
