/**
 * What each module on a command's path costs at start-up: the command line's
 * entry, the command's module and everything they import statically, each
 * imported in a fresh process after its own dependencies (so each time is
 * that module's own: reading, compiling and running it), the median of
 * several processes. An npm package counts as one module (all its files).
 *
 * Usage (`deno task imports` runs it for status, setup and teardown):
 *
 * ```
 * deno run --allow-read --allow-run tools/import_times.ts [--runs N] [--max-ms MS] COMMAND...
 * ```
 *
 * COMMAND: status, list, setup, teardown, recover or sim (setup, teardown and
 * recover include the simulated host they load with `--host sim`). With
 * `--max-ms`, exits 1 when a module on a path costs more.
 *
 * @module
 */
import { parseArgs } from "node:util";
import { fileURLToPath } from "node:url";

const ROOT = new URL("../", import.meta.url);
const CLI = "adapters/cli/";
const SIM_HOST = ["adapters/create_ports.ts", "adapters/sim/simulated_host.ts"];

/** The modules a command loads beside the entry (see COMMANDS in adapters/cli/podnet.ts). */
const PATHS: Record<string, string[]> = {
  status: [`${CLI}_status.ts`],
  list: [`${CLI}_status.ts`],
  setup: [`${CLI}_setup.ts`, ...SIM_HOST],
  teardown: [`${CLI}_teardown.ts`, ...SIM_HOST],
  recover: [`${CLI}_recover.ts`, ...SIM_HOST],
  sim: [`${CLI}_sim.ts`],
};

interface InfoModule {
  specifier: string;
  kind?: string;
  dependencies?: {
    specifier: string;
    isDynamic?: boolean;
    code?: { specifier: string };
  }[];
}

const { values, positionals } = parseArgs({
  args: Deno.args,
  options: { runs: { type: "string", default: "7" }, "max-ms": { type: "string" } },
  allowPositionals: true,
});
const runs = Number(values.runs);
const maxMs = values["max-ms"] === undefined ? undefined : Number(values["max-ms"]);
const commands = positionals.length === 0 ? ["status"] : positionals;

/** The module graph of the entry and the command's modules, from `deno info --json`. */
async function graph(roots: string[]): Promise<Map<string, InfoModule>> {
  const byUrl = new Map<string, InfoModule>();
  for (const root of roots) {
    const out = await new Deno.Command(Deno.execPath(), {
      args: ["info", "--json", root],
      cwd: fileURLToPath(ROOT),
      stdout: "piped",
      stderr: "inherit",
    }).output();
    if (!out.success) Deno.exit(1);
    const info: { modules: InfoModule[]; redirects: Record<string, string> } = JSON.parse(
      new TextDecoder().decode(out.stdout),
    );
    for (const m of info.modules) byUrl.set(m.specifier, m);
    for (const [from, to] of Object.entries(info.redirects)) {
      const m = byUrl.get(to);
      if (m !== undefined) byUrl.set(from, m);
    }
  }
  return byUrl;
}

/** The statically imported modules from `roots`, each after its dependencies. */
function order(roots: string[], modules: Map<string, InfoModule>): string[] {
  const done = new Set<string>();
  const out: string[] = [];
  const visit = (url: string) => {
    const m = modules.get(url);
    const key = m?.kind === "npm" ? npmName(m.specifier) : url;
    if (done.has(key)) return;
    done.add(key);
    if (m !== undefined && m.kind !== "npm") {
      for (const d of m.dependencies ?? []) {
        if (d.isDynamic !== true && d.code !== undefined) visit(d.code.specifier);
      }
    }
    if (!key.startsWith("node:")) out.push(key);
  };
  for (const r of roots) visit(r);
  return out;
}

function npmName(specifier: string): string {
  return specifier.replace(/^npm:\/?/, "npm:");
}

function short(specifier: string): string {
  return specifier.startsWith("file:")
    ? fileURLToPath(specifier).slice(fileURLToPath(ROOT).length)
    : specifier;
}

async function probe(specifiers: string[]): Promise<Map<string, number>> {
  const out = await new Deno.Command(Deno.execPath(), {
    args: ["run", "--allow-read", "--allow-env", "tools/_import_probe.ts", ...specifiers],
    cwd: fileURLToPath(ROOT),
    stdout: "piped",
    stderr: "inherit",
  }).output();
  if (!out.success) Deno.exit(1);
  return new Map(JSON.parse(new TextDecoder().decode(out.stdout)));
}

function median(xs: number[]): number {
  const s = [...xs].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)] ?? NaN;
}

let over = false;
for (const command of commands) {
  const extra = PATHS[command];
  if (extra === undefined) {
    console.error(`import_times: unknown command ${command} (one of ${Object.keys(PATHS)})`);
    Deno.exit(2);
  }
  const roots = [`${CLI}podnet.ts`, ...extra].map((p) => new URL(p, ROOT).href);
  const list = order(roots, await graph(roots));
  const samples = new Map<string, number[]>(list.map((s) => [s, []]));
  for (let i = 0; i < runs; i++) {
    for (const [s, ms] of await probe(list)) samples.get(s)?.push(ms);
  }
  const rows = list.map((s) =>
    [short(s), median(samples.get(s) ?? []), Math.min(...samples.get(s) ?? [])] as const
  ).sort((a, b) => b[1] - a[1]);
  const total = rows.reduce((sum, [, ms]) => sum + ms, 0);
  console.log(
    `podnet ${command}: ${rows.length} modules, ${total.toFixed(1)} ms in all ` +
      `(median and fastest of ${runs} processes, each module after its imports)`,
  );
  for (const [name, ms, min] of rows) {
    const flag = maxMs !== undefined && ms > maxMs ? `  over ${maxMs} ms` : "";
    if (flag !== "") over = true;
    console.log(`${ms.toFixed(1).padStart(8)} ms ${min.toFixed(1).padStart(6)} ms  ${name}${flag}`);
  }
  console.log();
}
if (over) Deno.exit(1);
