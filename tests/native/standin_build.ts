/**
 * Builds the stand-in libraries (C sources in this folder) into
 * `tests/native/build/<hash>/`, keyed by a hash of the sources and the
 * recipe, so an unchanged tree is built once. Race-safe: every builder
 * compiles into its own temporary folder and renames it into place; when
 * another builder won the race, its identical result is kept.
 *
 * Everything about building them lives here: the Linux and macOS builds, the
 * Windows build with MinGW (from Linux too: tools/check_native_header.ts and
 * the Windows lane, tools/windows_lane.sh, use it), and the file names, which
 * never collide with a system library (`podnet_standin_ole32.dll`, not
 * `ole32.dll`, which Windows and Wine would resolve to their own).
 *
 * @module
 */
import { basename, join } from "node:path";
import { fileURLToPath } from "node:url";
import type { WindowsLibraryName, WindowsLibraryPaths } from "../../adapters/ffi/library_paths.ts";

/** The folder of the C sources. */
export const NATIVE_DIR: URL = new URL("./", import.meta.url);
/** Where built libraries go (ignored by git). */
export const BUILD_DIR: URL = new URL("./build/", import.meta.url);

const RECIPE_VERSION = "2";
const RUNTIME = ["standin_runtime.c", "standin_json.c"];

/** The sources of each stand-in library. */
export const STANDIN_SOURCES: Readonly<Record<WindowsLibraryName, readonly string[]>> = {
  computenetwork: ["computenetwork.c", ...RUNTIME],
  vmcompute: ["vmcompute.c", "standin_hcs.c", ...RUNTIME],
  computecore: ["computecore.c", "standin_hcs.c", "standin_local.c", ...RUNTIME],
  ole32: ["ole32.c"],
  kernel32: ["kernel32.c"],
};

/**
 * The stand-ins of DLLs every Windows (and Wine) has. The others stand in
 * for DLLs of an optional Windows feature (Containers); on a Windows without
 * it they can be installed in their place ({@linkcode buildSystemStandins}).
 */
export const SHIPPED_WITH_WINDOWS: ReadonlySet<WindowsLibraryName> = new Set([
  "ole32",
  "kernel32",
]);

/** Warnings are errors: the stand-ins must build cleanly everywhere. */
export const C_FLAGS: readonly string[] = [
  "-std=c11",
  "-O2",
  "-Wall",
  "-Wextra",
  "-Wpedantic",
  "-Werror",
];

/** The operating systems the stand-ins build for. */
export type StandinOs = "linux" | "darwin" | "windows";

/**
 * Which build: `test` stand-ins are loaded by explicit path and count every
 * string and handle (their file names cannot collide with a system DLL);
 * `system` stand-ins (Windows only) are installed in place of the real DLL,
 * under its name, and hand out plain `CoTaskMemAlloc` strings, because the
 * real ole32 `CoTaskMemFree` frees them.
 */
export type StandinVariant = "test" | "system";

/** How to build the stand-ins for one operating system. */
export interface StandinRecipe {
  /** The target. */
  readonly os: StandinOs;
  /** Which build. */
  readonly variant: StandinVariant;
  /** The C compiler. */
  readonly cc: string;
  /** Flags before the sources. */
  readonly flags: readonly string[];
  /** Libraries after the sources. */
  readonly libs: readonly string[];
  /** The libraries this build makes. */
  readonly names: readonly WindowsLibraryName[];
  /** The file name of a library's stand-in. */
  fileName(name: WindowsLibraryName): string;
}

/** Built stand-ins: one path per library. */
export interface StandinBuild {
  /** The folder holding them. */
  readonly dir: string;
  /** The library paths, ready for `WindowsLibraries`. */
  readonly paths: Required<{ readonly [K in WindowsLibraryName]: string }>;
}

/** Built `system` stand-ins: the path of each, named as the real DLL. */
export interface SystemStandinBuild {
  /** The folder holding them. */
  readonly dir: string;
  /** The library paths (only the libraries Windows does not ship). */
  readonly paths: { readonly [K in WindowsLibraryName]?: string };
}

function env(name: string): string | undefined {
  try {
    return Deno.env.get(name);
  } catch {
    return undefined;
  }
}

function hostOs(): StandinOs {
  const os = Deno.build.os;
  return os === "windows" || os === "darwin" ? os : "linux";
}

/** MinGW-w64's compiler, by its usual name on Debian and in MSYS2. */
const MINGW = "x86_64-w64-mingw32-gcc";

/**
 * The C compiler for a target: for the machine's own system `$CC`, else `cc`
 * (MinGW's `x86_64-w64-mingw32-gcc` on Windows); for Windows from another
 * system `$MINGW_CC`, else MinGW's.
 */
export function compiler(os: StandinOs = hostOs()): string {
  if (os === hostOs()) return env("CC") ?? (os === "windows" ? MINGW : "cc");
  if (os === "windows") return env("MINGW_CC") ?? MINGW;
  throw new Error(`Cannot build the stand-in libraries for ${os} on ${hostOs()}`);
}

/**
 * How to build the stand-ins: for the machine's own system unless `os` says
 * otherwise (only Windows can be built from elsewhere, with MinGW).
 */
export function standinRecipe(
  os: StandinOs = hostOs(),
  variant: StandinVariant = "test",
): StandinRecipe {
  const all = Object.keys(STANDIN_SOURCES) as WindowsLibraryName[];
  const cc = compiler(os);
  if (os === "windows") {
    if (variant === "system") {
      return {
        os,
        variant,
        cc,
        flags: [...C_FLAGS, "-shared", "-DSTANDIN_SYSTEM_ALLOCATOR"],
        libs: ["-lole32"],
        names: all.filter((name) => !SHIPPED_WITH_WINDOWS.has(name)),
        fileName: (name) => `${name}.dll`,
      };
    }
    return {
      os,
      variant,
      cc,
      flags: [...C_FLAGS, "-shared"],
      libs: [],
      names: all,
      fileName: (name) => `podnet_standin_${name}.dll`,
    };
  }
  if (variant === "system") {
    throw new Error("Cannot build system stand-ins off Windows: they replace Windows DLLs");
  }
  if (os === "darwin") {
    return {
      os,
      variant,
      cc,
      flags: [...C_FLAGS, "-dynamiclib", "-fPIC", "-fvisibility=hidden"],
      libs: [],
      names: all,
      fileName: (name) => `libpodnet_standin_${name}.dylib`,
    };
  }
  return {
    os,
    variant,
    cc,
    flags: [
      ...C_FLAGS,
      "-shared",
      "-fPIC",
      "-fvisibility=hidden",
      "-Wl,-Bsymbolic",
      "-D_POSIX_C_SOURCE=200809L",
      "-pthread",
    ],
    libs: [],
    names: all,
    fileName: (name) => `libpodnet_standin_${name}.so`,
  };
}

/**
 * The compiler arguments that build one stand-in into `output`.
 *
 * @example
 * ```ts ignore
 * const recipe = standinRecipe("windows");
 * console.log(recipe.cc, compilerArgs(recipe, "ole32", "/tmp/ole32.dll").join(" "));
 * ```
 */
export function compilerArgs(
  recipe: StandinRecipe,
  name: WindowsLibraryName,
  output: string,
): string[] {
  const sourceDir = fileURLToPath(NATIVE_DIR);
  return [
    ...recipe.flags,
    "-o",
    output,
    ...STANDIN_SOURCES[name].map((file) => join(sourceDir, file)),
    ...recipe.libs,
  ];
}

async function sourceHash(recipe: StandinRecipe): Promise<string> {
  const names: string[] = [];
  for await (const entry of Deno.readDir(NATIVE_DIR)) {
    if (entry.isFile && /\.[ch]$/.test(entry.name)) names.push(entry.name);
  }
  names.sort();
  const parts: Uint8Array[] = [
    new TextEncoder().encode(
      [
        RECIPE_VERSION,
        recipe.os,
        recipe.variant,
        Deno.build.arch,
        recipe.cc,
        ...recipe.flags,
        ...recipe.libs,
        ...recipe.names.map((name) => recipe.fileName(name)),
      ].join("\n"),
    ),
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

function pathsIn(recipe: StandinRecipe, dir: string): Record<string, string> {
  return Object.fromEntries(recipe.names.map((name) => [name, join(dir, recipe.fileName(name))]));
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

async function complete(paths: Record<string, string>): Promise<boolean> {
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
        `Cannot build the stand-in libraries: no C compiler "${cc}"; install gcc ` +
          "(for Windows: MinGW-w64), or set CC",
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
 * Builds a recipe into `tests/native/build/<hash>/` unless that is done, and
 * returns the folder and the path of each library.
 */
async function build(
  recipe: StandinRecipe,
): Promise<{ dir: string; paths: Record<string, string> }> {
  const hash = await sourceHash(recipe);
  const root = fileURLToPath(BUILD_DIR);
  const dir = join(root, hash);
  const paths = pathsIn(recipe, dir);
  if (await complete(paths)) return { dir, paths };

  await Deno.mkdir(root, { recursive: true });
  const temp = await Deno.makeTempDir({ dir: root, prefix: ".tmp-" });
  try {
    await Promise.all(
      recipe.names.map((name) =>
        compile(recipe.cc, compilerArgs(recipe, name, join(temp, recipe.fileName(name))))
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
 * Builds the stand-ins if the current sources were not built yet, and
 * returns their paths: for this machine, or for `os` (only "windows" can be
 * built elsewhere, with MinGW).
 *
 * @example
 * ```ts ignore
 * const build = await buildStandins();
 * console.log(build.paths.computenetwork);
 * ```
 */
export async function buildStandins(os?: StandinOs): Promise<StandinBuild> {
  const built = await build(standinRecipe(os));
  return { dir: built.dir, paths: built.paths as StandinBuild["paths"] };
}

/**
 * Builds the `system` stand-ins (for Windows, with MinGW) of the libraries
 * Windows does not ship, each named as the real DLL, ready to be copied into
 * a test machine's `System32`: the Windows lane (tools/windows_lane.sh) does.
 *
 * @example
 * ```ts ignore
 * const build = await buildSystemStandins();
 * console.log(build.paths.vmcompute); // .../vmcompute.dll
 * ```
 */
export async function buildSystemStandins(): Promise<SystemStandinBuild> {
  return await build(standinRecipe("windows", "system"));
}

/**
 * Copies built stand-ins into a new temporary folder. Each copy is a separate
 * library to the loader, with its own state, so test files running in
 * parallel in one process do not see each other's handles and counters.
 *
 * @example
 * ```ts ignore
 * const copy = await copyStandins(await buildStandins());
 * await Deno.remove(copy.dir, { recursive: true });
 * ```
 */
export async function copyStandins(build: StandinBuild): Promise<StandinBuild> {
  const dir = await Deno.makeTempDir({ prefix: "podnet-standins-" });
  const paths: Record<string, string> = {};
  for (const [name, path] of Object.entries(build.paths)) {
    const copy = join(dir, basename(path));
    await Deno.copyFile(path, copy);
    paths[name] = copy;
  }
  return { dir, paths: paths as StandinBuild["paths"] };
}

/** Library paths as `WindowsLibraries` takes them. */
export function libraryPaths(build: StandinBuild): WindowsLibraryPaths {
  return { ...build.paths };
}
