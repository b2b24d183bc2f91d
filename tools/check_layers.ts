/**
 * The layering rule of docs/architecture.md, checked: exits 1 and lists
 * every violation.
 *
 * - domain/ imports only domain/ and ports/, plus the pure libraries in
 *   DOMAIN_LIBRARIES; it imports no `node:` module and touches no host global
 *   (FORBIDDEN_GLOBALS: Deno.*, timers, task queues, I/O, clocks, randomness,
 *   the console).
 * - ports/ imports only ports/, and domain/ for types (`import type`).
 * - adapters/ never import another adapter folder's private `_*.ts` files;
 *   dll/, async/ and store/ import no other adapter folder, ffi/ and sim/
 *   never each other, and hcn/, hcs/ and guest/ neither of them
 *   (ADAPTER_LIMITS).
 * - The entry points (deno.json's `exports`) only re-export.
 * - JSDoc examples import as users do (`@podnet/hcs...`), never by a
 *   relative path, anywhere in the project.
 * - No import cycle anywhere in the project (every `.ts` file, tests, bench
 *   and tools included; `import type` counts too, since a cycle of types is
 *   still two concepts that cannot be read apart).
 *
 * Usage: deno run --allow-read tools/check_layers.ts [root]
 *
 * @module
 */

/** Libraries the domain may use: pure functions, no I/O of their own. */
const DOMAIN_LIBRARIES = new Set([
  "@noble/hashes",
  "zod",
  "@logtape/logtape",
  "@opentelemetry/api",
]);

const root = (Deno.args[0] ?? ".").replace(/\/+$/, "");

/** The package's entry points (deno.json's `exports`): they only re-export. */
const ENTRY_POINTS: string[] = Object.values(
  JSON.parse(await Deno.readTextFile(`${root}/deno.json`)).exports as Record<string, string>,
).map((path) => path.replace(/^\.\//, ""));
const problems: string[] = [];

async function* tsFiles(dir: string): AsyncGenerator<string> {
  let entries: Deno.DirEntry[];
  try {
    entries = await Array.fromAsync(Deno.readDir(`${root}/${dir}`));
  } catch (e) {
    if (e instanceof Deno.errors.NotFound) return;
    throw e;
  }
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = `${dir}/${entry.name}`;
    if (entry.isDirectory) yield* tsFiles(path);
    else if (entry.name.endsWith(".ts")) yield path;
  }
}

interface Import {
  readonly specifier: string;
  readonly typeOnly: boolean;
  readonly line: number;
}

const IMPORT =
  /(?:^|\n)\s*(import|export)\s+(type\s+)?(?:[^'";]*?\s+from\s+)?["']([^"']+)["']|import\(\s*["']([^"']+)["']\s*\)/g;

function importsOf(text: string): Import[] {
  const found: Import[] = [];
  for (const m of text.matchAll(IMPORT)) {
    const specifier = m[3] ?? m[4];
    if (specifier === undefined) continue;
    const line = text.slice(0, m.index + (m[0].startsWith("\n") ? 1 : 0)).split("\n").length;
    found.push({ specifier, typeOnly: m[2] !== undefined, line });
  }
  return found;
}

function resolve(from: string, specifier: string): string {
  const parts = from.split("/").slice(0, -1);
  for (const seg of specifier.split("/")) {
    if (seg === "..") parts.pop();
    else if (seg !== ".") parts.push(seg);
  }
  return parts.join("/");
}

function bare(specifier: string): string {
  const s = specifier.replace(/^npm:/, "");
  const parts = s.split("/");
  return s.startsWith("@") ? parts.slice(0, 2).join("/") : parts[0] ?? s;
}

/**
 * Host globals the domain must not touch: time and randomness come through
 * ports (or not at all), and so does every kind of I/O.
 */
const FORBIDDEN_GLOBALS: readonly [RegExp, string][] = [
  [/\bDeno\./, "Deno.*"],
  [/\b(setTimeout|setInterval|clearTimeout|clearInterval|setImmediate)\s*\(/, "timers"],
  [/\b(queueMicrotask|requestAnimationFrame)\s*\(/, "the host's task queues"],
  [/\b(globalThis|window|self|navigator|localStorage|sessionStorage|process)\b\s*[.[]/, "globals"],
  [/\b(fetch|WebSocket|Worker|XMLHttpRequest|EventSource|BroadcastChannel)\b\s*\(/, "I/O"],
  [/\bnew\s+(WebSocket|Worker|XMLHttpRequest|EventSource|BroadcastChannel)\b/, "I/O"],
  [/\b(performance|crypto)\s*\./, "clocks and randomness"],
  [/\bDate\.now\s*\(|\bnew\s+Date\s*\(|\bMath\.random\s*\(/, "clocks and randomness"],
  [/\bconsole\s*\./, "console (log through LogTape)"],
];

for await (const file of tsFiles("domain")) {
  const text = await Deno.readTextFile(`${root}/${file}`);
  text.split("\n").forEach((l, i) => {
    // Comments and JSDoc may name what the code must not use.
    const code = l.replace(/\/\/.*$/, "");
    if (/^\s*(\*|\/\*)/.test(code)) return;
    for (const [pattern, what] of FORBIDDEN_GLOBALS) {
      if (pattern.test(code)) problems.push(`${file}:${i + 1}: domain/ must not use ${what}`);
    }
  });
  for (const imp of importsOf(text)) {
    if (imp.specifier.startsWith(".")) {
      const target = resolve(file, imp.specifier);
      if (!target.startsWith("domain/") && !target.startsWith("ports/")) {
        problems.push(`${file}:${imp.line}: domain/ imports ${target}`);
      }
    } else if (!DOMAIN_LIBRARIES.has(bare(imp.specifier))) {
      problems.push(`${file}:${imp.line}: domain/ imports ${imp.specifier}`);
    }
  }
}

for await (const file of tsFiles("ports")) {
  const text = await Deno.readTextFile(`${root}/${file}`);
  for (const imp of importsOf(text)) {
    const target = imp.specifier.startsWith(".") ? resolve(file, imp.specifier) : imp.specifier;
    if (target.startsWith("ports/")) continue;
    if (target.startsWith("domain/") && imp.typeOnly) continue;
    problems.push(
      `${file}:${imp.line}: ports/ may import only ports/ and domain/ types, not ${target}`,
    );
  }
}

for await (const file of tsFiles("adapters")) {
  const text = await Deno.readTextFile(`${root}/${file}`);
  const folder = file.split("/").slice(0, -1).join("/");
  for (const imp of importsOf(text)) {
    if (!imp.specifier.startsWith(".")) continue;
    const target = resolve(file, imp.specifier);
    const name = target.split("/").pop() ?? "";
    const targetFolder = target.split("/").slice(0, -1).join("/");
    if (
      name.startsWith("_") && !targetFolder.startsWith(folder) && !folder.startsWith(targetFolder)
    ) {
      problems.push(`${file}:${imp.line}: reaches into another adapter's private ${target}`);
    }
  }
}

/**
 * What the adapter folders may not import (their own folder always may):
 * the DLL contract (dll/), the shared async helpers (async/) and the stores
 * stand alone on domain/ and ports/; the two implementations of the DLL
 * contract (ffi/, sim/) never see each other; the port adapters (hcn/, hcs/,
 * guest/) reach a DLL only through the contract, never an implementation.
 */
const PORT_ADAPTER_LIMITS = ["adapters/ffi/", "adapters/sim/", "adapters/cli/", "adapters/store/"];
const ADAPTER_LIMITS: Readonly<Record<string, readonly string[]>> = {
  "adapters/dll/": ["adapters/"],
  "adapters/async/": ["adapters/"],
  "adapters/store/": ["adapters/"],
  "adapters/sim/": [
    "adapters/ffi/",
    "adapters/cli/",
    "adapters/hcn/",
    "adapters/hcs/",
    "adapters/guest/",
    "adapters/store/",
  ],
  "adapters/ffi/": ["adapters/sim/", "adapters/cli/", "adapters/store/"],
  "adapters/hcn/": PORT_ADAPTER_LIMITS,
  "adapters/hcs/": PORT_ADAPTER_LIMITS,
  "adapters/guest/": PORT_ADAPTER_LIMITS,
};

for (const [folder, limits] of Object.entries(ADAPTER_LIMITS)) {
  for await (const file of tsFiles(folder.slice(0, -1))) {
    const text = await Deno.readTextFile(`${root}/${file}`);
    for (const imp of importsOf(text)) {
      if (!imp.specifier.startsWith(".")) continue;
      const target = resolve(file, imp.specifier);
      if (target.startsWith(folder)) continue;
      if (limits.some((limit) => target.startsWith(limit))) {
        problems.push(`${file}:${imp.line}: ${folder} may not import ${target}`);
      }
    }
  }
}

for (const entry of ENTRY_POINTS) {
  let text: string;
  try {
    text = await Deno.readTextFile(`${root}/${entry}`);
  } catch {
    continue;
  }
  const code = text.replace(/\/\*[\s\S]*?\*\//g, "").replace(/\/\/.*$/gm, "");
  const statements = code.split(";").map((s) => s.trim()).filter((s) => s.length > 0);
  for (const s of statements) {
    if (!/^export\s+(type\s+)?(\*|\{[^}]*\})\s+from\s+["'][^"']+["']$/.test(s)) {
      problems.push(`${entry}: holds more than re-exports: ${s.slice(0, 60)}`);
    }
  }
}

/** A JSDoc line that imports by relative path: what no user can copy. */
const RELATIVE_EXAMPLE = /^\s*\*.*\bfrom\s+["']\.\.?\//;
for (const dir of ["domain", "ports", "adapters", "tests", "bench", "tools", "."]) {
  const files = dir === "." ? ENTRY_POINTS : await Array.fromAsync(tsFiles(dir));
  for (const file of files) {
    let lines: string[];
    try {
      lines = (await Deno.readTextFile(`${root}/${file}`)).split("\n");
    } catch {
      continue;
    }
    lines.forEach((line, i) => {
      if (RELATIVE_EXAMPLE.test(line)) {
        problems.push(
          `${file}:${i + 1}: a JSDoc example imports by relative path; use @podnet/hcs`,
        );
      }
    });
  }
}

/** Folders the cycle rule does not walk: generated or not ours. */
const NOT_WALKED = new Set([".git", "node_modules", "tests/native/build"]);

/** Every `.ts` file of the project, relative to the root. */
async function* projectFiles(dir = ""): AsyncGenerator<string> {
  const entries = await Array.fromAsync(Deno.readDir(dir === "" ? root : `${root}/${dir}`));
  for (const entry of entries.sort((a, b) => a.name.localeCompare(b.name))) {
    const path = dir === "" ? entry.name : `${dir}/${entry.name}`;
    if (entry.isDirectory && !NOT_WALKED.has(path) && !entry.name.startsWith(".")) {
      yield* projectFiles(path);
    } else if (entry.isFile && entry.name.endsWith(".ts")) yield path;
  }
}

/** Each file's relative imports that resolve to a file of the project. */
const graph = new Map<string, string[]>();
for await (const file of projectFiles()) {
  const text = await Deno.readTextFile(`${root}/${file}`);
  graph.set(
    file,
    importsOf(text).filter((imp) => imp.specifier.startsWith(".")).map((imp) =>
      resolve(file, imp.specifier)
    ),
  );
}
for (const cycle of importCycles(graph)) {
  problems.push(`import cycle: ${[...cycle, cycle[0]].join(" -> ")}`);
}

/**
 * The import cycles of a graph: one cycle (as a path of files) for each
 * strongly connected component that has one, found with Tarjan's algorithm.
 */
function importCycles(edges: ReadonlyMap<string, readonly string[]>): string[][] {
  const index = new Map<string, number>();
  const low = new Map<string, number>();
  const stack: string[] = [];
  const onStack = new Set<string>();
  const cycles: string[][] = [];
  const visit = (node: string): void => {
    index.set(node, index.size);
    low.set(node, index.get(node) ?? 0);
    stack.push(node);
    onStack.add(node);
    for (const next of edges.get(node) ?? []) {
      if (!edges.has(next)) continue;
      if (!index.has(next)) {
        visit(next);
        low.set(node, Math.min(low.get(node) ?? 0, low.get(next) ?? 0));
      } else if (onStack.has(next)) {
        low.set(node, Math.min(low.get(node) ?? 0, index.get(next) ?? 0));
      }
    }
    if (low.get(node) !== index.get(node)) return;
    const component = new Set<string>();
    for (let top = stack.pop(); top !== undefined; top = stack.pop()) {
      onStack.delete(top);
      component.add(top);
      if (top === node) break;
    }
    if (component.size > 1 || (edges.get(node) ?? []).includes(node)) {
      cycles.push(cycleThrough(node, component, edges));
    }
  };
  for (const node of [...edges.keys()].sort()) if (!index.has(node)) visit(node);
  return cycles;
}

/** A shortest path from `start` back to itself inside one component. */
function cycleThrough(
  start: string,
  component: ReadonlySet<string>,
  edges: ReadonlyMap<string, readonly string[]>,
): string[] {
  const previous = new Map<string, string>();
  const queue = [start];
  for (let i = 0; i < queue.length; i++) {
    const node = queue[i] ?? start;
    for (const next of edges.get(node) ?? []) {
      if (!component.has(next)) continue;
      if (next === start) {
        const path = [node];
        for (let at = node; at !== start;) {
          at = previous.get(at) ?? start;
          path.unshift(at);
        }
        return path;
      }
      if (!previous.has(next)) {
        previous.set(next, node);
        queue.push(next);
      }
    }
  }
  return [start];
}

if (problems.length > 0) {
  console.error(`Layering rule broken (${problems.length}):\n` + problems.join("\n"));
  Deno.exit(1);
}
console.log("layers: ok");
