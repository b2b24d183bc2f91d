/**
 * What a `podnet` command costs as a fresh process, against an empty script
 * run the same way (the same Deno binary, called directly, with the same
 * flags and working directory): `status` of a pod with 3 NICs, `setup` of
 * that pod and its `teardown`, on a simulated host kept in a file that
 * answers at once (latency 0). Each entry is measured:
 *
 * - `source`: `deno run adapters/cli/podnet.ts` from a clone;
 * - `bundle`: `deno run dist/podnet.js`, the script `deno task bundle`
 *   writes (with its chunks beside it, each command loading only its own),
 *   built here from the current code before anything is timed;
 * - `compiled`: the executable `deno compile` makes, where `deno compile`
 *   works (it needs the `denort` runtime for the target; where that cannot
 *   be had, the group says so and skips it).
 *
 * `deno bench` prints each entry's ratio to the empty script of its group;
 * the differences are the averages' differences in the same run.
 *
 * ```
 * deno bench --allow-read --allow-write --allow-env --allow-run bench/cli_startup_bench.ts
 * ```
 */
import { fileURLToPath } from "node:url";
import { runPodnet } from "../adapters/cli/podnet.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const ENTRY = "adapters/cli/podnet.ts";
/** The flags the README gives for every entry (the compiled one has them built in). */
const PERMISSIONS = [
  "--allow-read",
  "--allow-write",
  "--allow-env=SystemRoot,ProgramData",
  "--allow-ffi",
];
const NAMESPACE = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";
const VM = "podnet-uvm-1";
const RUNS = { n: 30, warmup: 3 };

const dir = await Deno.makeTempDir({ prefix: "podnet-startup-" });
const simState = `${dir}/sim.json`;
const stateDir = `${dir}/state`;
// `status` reads the records of a pod left set up on a host of its own.
const shownSimState = `${dir}/shown-sim.json`;
const shownStateDir = `${dir}/shown-state`;
await Deno.mkdir(stateDir);
await Deno.mkdir(shownStateDir);
await Deno.writeTextFile(`${dir}/empty.ts`, "");
const quiet = { out: () => {}, err: () => {} };
await inProcess(["sim", "init", "--sim-state", simState, "--guest", "lcow"]);
await inProcess(["sim", "init", "--sim-state", shownSimState, "--guest", "lcow"]);

/** A way to start podnet: the program and the arguments before the command. */
type Entry = readonly [program: string, ...args: string[]];

const EMPTY: Entry = [Deno.execPath(), "run", ...PERMISSIONS, `${dir}/empty.ts`];
const SOURCE: Entry = [Deno.execPath(), "run", ...PERMISSIONS, ENTRY];
const BUNDLE: Entry = [Deno.execPath(), "run", ...PERMISSIONS, await bundle()];
const COMPILED = await compile();
// The machine's load when the run started: on a shared machine it decides the spread.
const load = await new Deno.Command("cat", { args: ["/proc/loadavg"], stdout: "piped" }).output()
  .then((o) => new TextDecoder().decode(o.stdout).trim(), () => "unknown");
console.log(`load average: ${load}`);
if (typeof COMPILED === "string") console.log(`podnet (compiled): not measured: ${COMPILED}`);

/** Bundles the entry as `deno task bundle` does (deno.json), into the temporary directory. */
async function bundle(): Promise<string> {
  const out = `${dir}/dist`;
  await run([
    Deno.execPath(),
    "bundle",
    "--quiet",
    "--platform=deno",
    "--code-splitting",
    `--outdir=${out}`,
    ENTRY,
  ], []);
  return `${out}/podnet.js`;
}

/** The compiled executable, or why there is none here. */
async function compile(): Promise<Entry | string> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: [
      "compile",
      ...PERMISSIONS,
      "--no-check",
      "--include=adapters/sim/fixtures/pod-3nic.json",
      "-o",
      `${dir}/podnet`,
      ENTRY,
    ],
    cwd: ROOT,
    env: { NO_COLOR: "1" },
    stdout: "null",
    stderr: "piped",
  }).output();
  if (out.success) return [`${dir}/podnet`];
  const why = new TextDecoder().decode(out.stderr).split("\n").find((l) => /error/i.test(l));
  return `deno compile failed here: ${why?.trim() ?? "no reason"}`;
}

async function run(entry: Entry, args: string[]): Promise<void> {
  const [program, ...before] = entry;
  const out = await new Deno.Command(program, {
    args: [...before, ...args],
    cwd: ROOT,
    stdin: "null",
    stdout: "null",
    stderr: "piped",
  }).output();
  if (!out.success) {
    throw new Deno.errors.Interrupted(
      `${[program, ...before, ...args].join(" ")} exited ${out.code}: ` +
        new TextDecoder().decode(out.stderr),
    );
  }
}

async function inProcess(args: string[]): Promise<void> {
  const code = await runPodnet(args, quiet);
  if (code !== 0) throw new Deno.errors.Interrupted(`podnet ${args.join(" ")} exited ${code}`);
}

let pods = 0;
const common = ["--host", "sim", "--sim-state", simState, "--state-dir", stateDir];
const setupArgs = (pod: string) => [
  "setup",
  "--pod",
  pod,
  "--namespace",
  NAMESPACE,
  "--vm",
  VM,
  "--guest",
  "lcow",
  ...common,
];
const teardownArgs = (pod: string) => ["teardown", "--pod", pod, ...common];

await inProcess([
  "setup",
  "--pod",
  "shown",
  "--namespace",
  NAMESPACE,
  "--vm",
  VM,
  "--guest",
  "lcow",
  "--sim-state",
  shownSimState,
  "--state-dir",
  shownStateDir,
]);
const statusArgs = ["status", "--pod", "shown", "--state-dir", shownStateDir];

/**
 * `PODNET_BENCH_BEFORE`: another entry to measure beside these, say the
 * source of an earlier commit (`git archive <commit> | tar -x -C /tmp/old`,
 * then `/tmp/old/adapters/cli/podnet.ts`), to compare in the same run.
 */
const BEFORE = Deno.env.get("PODNET_BENCH_BEFORE");

const ENTRIES: [string, Entry | string][] = [
  ["source", SOURCE],
  ["bundle", BUNDLE],
  ["compiled", COMPILED],
  ...(BEFORE === undefined
    ? []
    : [["before", [Deno.execPath(), "run", ...PERMISSIONS, BEFORE]] as [string, Entry]]),
];

Deno.bench({ name: "empty script", group: "status", baseline: true, ...RUNS }, async () => {
  await run(EMPTY, []);
});
for (const [name, entry] of ENTRIES) {
  Deno.bench({
    name: typeof entry === "string"
      ? `podnet status (${name}): ${entry}`
      : `podnet status (${name})`,
    group: "status",
    ignore: typeof entry === "string",
    ...RUNS,
  }, async () => {
    if (typeof entry !== "string") await run(entry, statusArgs);
  });
}

Deno.bench({ name: "empty script", group: "setup", baseline: true, ...RUNS }, async () => {
  await run(EMPTY, []);
});
for (const [name, entry] of ENTRIES) {
  Deno.bench({
    name: `podnet setup, 3 NICs (${name})`,
    group: "setup",
    ignore: typeof entry === "string",
    ...RUNS,
  }, async (b) => {
    if (typeof entry === "string") return;
    const pod = `pod-${pods++}`;
    b.start();
    await run(entry, setupArgs(pod));
    b.end();
    await inProcess(teardownArgs(pod));
  });
}

Deno.bench({ name: "empty script", group: "teardown", baseline: true, ...RUNS }, async () => {
  await run(EMPTY, []);
});
for (const [name, entry] of ENTRIES) {
  Deno.bench({
    name: `podnet teardown, 3 NICs (${name})`,
    group: "teardown",
    ignore: typeof entry === "string",
    ...RUNS,
  }, async (b) => {
    if (typeof entry === "string") return;
    const pod = `pod-${pods++}`;
    await inProcess(setupArgs(pod));
    b.start();
    await run(entry, teardownArgs(pod));
    b.end();
  });
}

globalThis.addEventListener("unload", () => {
  Deno.removeSync(dir, { recursive: true });
});
