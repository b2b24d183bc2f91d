/**
 * Builds the stand-in libraries (C sources in this folder) into
 * `tests/native/build/<hash>/`, keyed by a hash of the sources and the
 * recipe, so an unchanged tree is built once. Race-safe: every builder
 * compiles into its own temporary folder and renames it into place; when
 * another builder won the race, its identical result is kept.
 *
 * @module
 */
import type {
  WindowsLibraryName,
  WindowsLibraryPaths,
} from "../../adapters/native/ffi/library_paths.ts";

/** The folder of the C sources. */
export const NATIVE_DIR: URL = new URL("./", import.meta.url);
/** Where built libraries go (ignored by git). */
export const BUILD_DIR: URL = new URL("./build/", import.meta.url);

const RECIPE_VERSION = "1";
const RUNTIME = ["standin_runtime.c", "standin_json.c"];

/** The sources of each stand-in library. */
export const STANDIN_SOURCES: Readonly<Record<WindowsLibraryName, readonly string[]>> = {
  computenetwork: ["computenetwork.c", ...RUNTIME],
  vmcompute: ["vmcompute.c", "standin_hcs.c", ...RUNTIME],
  computecore: ["computecore.c", "standin_hcs.c", "standin_local.c", ...RUNTIME],
  ole32: ["ole32.c"],
  kernel32: ["kernel32.c"],
};

/** Warnings are errors: the stand-ins must build cleanly everywhere. */
export const C_FLAGS: readonly string[] = [
  "-std=c11",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Wpedantic",
  "-Werror",
];

/** Built stand-ins: one path per library. */
export interface StandinBuild {
  /** The folder holding them. */
  readonly dir: string;
  /** The library paths, ready for `WindowsLibraries`. */
  readonly paths: Required<{ readonly [K in WindowsLibraryName]: string }>;
}

function platform(): { ext: string; flags: string[]; prefix: string } {
  switch (Deno.build.os) {
    case "windows":
      return { ext: "dll", prefix: "", flags: ["-shared"] };
    case "darwin":
      return {
        ext: "dylib",
        prefix: "lib",
        flags: ["-dynamiclib", "-fPIC", "-fvisibility=hidden"],
      };
    default:
      return {
        ext: "so",
        prefix: "lib",
        flags: [
          "-shared",
          "-fPIC",
          "-fvisibility=hidden",
          "-Wl,-Bsymbolic",
          "-D_POSIX_C_SOURCE=200809L",
          "-pthread",
        ],
      };
  }
}

/** The C compiler: `$CC`, else `cc`. */
export function compiler(): string {
  try {
    return Deno.env.get("CC") ?? "cc";
  } catch {
    return "cc";
  }
}

async function sourceHash(cc: string, flags: readonly string[]): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(NATIVE_DIR)) {
    if (entry.isFile && /\.[ch]$/.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  const parts: Uint8Array[] = [
    new TextEncoder().encode([RECIPE_VERSION, Deno.build.target, cc, ...flags].join("\n")),
  ];
  for (const name of names) {
    parts.push(new TextEncoder().encode(`\n--${name}--\n`));
    parts.push(await Deno.readFile(new URL(name, NATIVE_DIR)));
  }
  const total = parts.reduce((n, p) => n + p.length, 0);
  const all = new Uint8Array(total);
  let offset = 0;
  for (const p of parts) {
    all.set(p, offset);
    offset += p.length;
  }
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", all));
  return Array.from(digest.slice(0, 10), (b) => b.toString(16).padStart(2, "0")).join("");
}

function pathsIn(dir: string): StandinBuild["paths"] {
  const { ext, prefix } = platform();
  const file = (name: WindowsLibraryName): string => `${dir}/${prefix}${name}.${ext}`;
  return {
    computenetwork: file("computenetwork"),
    vmcompute: file("vmcompute"),
    computecore: file("computecore"),
    ole32: file("ole32"),
    kernel32: file("kernel32"),
  };
}

async function exists(path: string): Promise<boolean> {
  try {
    await Deno.stat(path);
    return true;
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) return false;
    throw error;
  }
}

async function complete(paths: StandinBuild["paths"]): Promise<boolean> {
  for (const path of Object.values(paths)) {
    if (!(await exists(path))) return false;
  }
  return true;
}

async function compile(cc: string, args: string[]): Promise<void> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(cc, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `Cannot build the stand-in libraries: no C compiler "${cc}"; install gcc (or set CC)`,
        { cause: error },
      );
    }
    throw error;
  }
  if (!output.success) {
    const text = new TextDecoder().decode(output.stderr) + new TextDecoder().decode(output.stdout);
    throw new Error(
      `Cannot build the stand-in libraries: ${cc} ${args.join(" ")} failed:\n${text}`,
    );
  }
}

/**
 * Builds the stand-ins if the current sources were not built yet, and
 * returns their paths.
 *
 * @example
 * ```ts ignore
 * import { buildStandins } from "./standin_build.ts";
 * const build = await buildStandins();
 * console.log(build.paths.computenetwork);
 * ```
 */
export async function buildStandins(): Promise<StandinBuild> {
  const cc = compiler();
  const { flags: platformFlags } = platform();
  const flags = [...C_FLAGS, ...platformFlags];
  const hash = await sourceHash(cc, flags);
  const root = decodeURIComponent(BUILD_DIR.pathname).replace(/^\/([A-Za-z]:)/, "$1");
  const dir = `${root}${hash}`;
  const paths = pathsIn(dir);
  if (await complete(paths)) return { dir, paths };

  await Deno.mkdir(root, { recursive: true });
  const temp = await Deno.makeTempDir({ dir: root, prefix: ".tmp-" });
  try {
    const tempPaths = pathsIn(temp);
    const sourceDir = decodeURIComponent(NATIVE_DIR.pathname).replace(/^\/([A-Za-z]:)/, "$1");
    await Promise.all(
      (Object.keys(STANDIN_SOURCES) as WindowsLibraryName[]).map((name) =>
        compile(cc, [
          ...flags,
          "-o",
          tempPaths[name],
          ...STANDIN_SOURCES[name].map((file) => `${sourceDir}${file}`),
        ])
      ),
    );
    try {
      await Deno.rename(temp, dir);
    } catch (error) {
      // Another builder renamed its identical result into place first.
      if (!(await complete(paths))) throw error;
      await Deno.remove(temp, { recursive: true });
    }
  } catch (error) {
    await Deno.remove(temp, { recursive: true }).catch(() => {});
    throw error;
  }
  return { dir, paths };
}

/**
 * Copies built stand-ins into a new temporary folder. Each copy is a separate
 * library to the loader, with its own state, so test files running in
 * parallel in one process do not see each other's handles and counters.
 *
 * @example
 * ```ts ignore
 * import { buildStandins, copyStandins } from "./standin_build.ts";
 * const copy = await copyStandins(await buildStandins());
 * await Deno.remove(copy.dir, { recursive: true });
 * ```
 */
export async function copyStandins(build: StandinBuild): Promise<StandinBuild> {
  const dir = await Deno.makeTempDir({ prefix: "podnet-standins-" });
  const paths = pathsIn(dir.replaceAll("\\", "/"));
  for (const name of Object.keys(paths) as WindowsLibraryName[]) {
    await Deno.copyFile(build.paths[name], paths[name]);
  }
  return { dir, paths };
}

/** Library paths as `WindowsLibraries` takes them. */
export function libraryPaths(build: StandinBuild): WindowsLibraryPaths {
  return { ...build.paths };
}
