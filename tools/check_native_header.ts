/**
 * Checks the stand-in libraries and the FFI symbol tables against
 * Microsoft's declarations, with the MinGW cross-compiler:
 *
 * 1. Builds every stand-in as a Windows DLL. On Windows the sources include
 *    the official <computenetwork.h>, <computecore.h>, <objbase.h> and
 *    <windows.h>, so a stand-in prototype that differs from Microsoft's fails
 *    to compile (warnings are errors).
 * 2. Checks that each DLL exports every function of its FFI symbol table.
 * 3. Checks each FFI symbol table entry against the C prototype (the
 *    official header; for vmcompute.dll, which has none, the stand-in's):
 *    same number of parameters, a pointer-sized FFI type for every pointer
 *    (`function` or `pointer` for a callback), `u32` for DWORD, `i32` for
 *    HRESULT and int, `pointer` for a returned handle, `void` for void.
 *
 * Exits 1 on any mismatch. Needs `x86_64-w64-mingw32-gcc` (Debian:
 * `apt-get install -y gcc-mingw-w64-x86-64`) or `$MINGW_CC`.
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-env tools/check_native_header.ts
 *
 * @module
 */
import { join } from "node:path";
import { COMPUTECORE_SYMBOLS } from "../adapters/ffi/computecore_symbols.ts";
import { COMPUTENETWORK_SYMBOLS } from "../adapters/ffi/computenetwork_symbols.ts";
import { KERNEL32_SYMBOLS } from "../adapters/ffi/kernel32_symbols.ts";
import type { WindowsLibraryName } from "../adapters/ffi/library_paths.ts";
import { OLE32_SYMBOLS } from "../adapters/ffi/ole32_symbols.ts";
import { VMCOMPUTE_SYMBOLS } from "../adapters/ffi/vmcompute_symbols.ts";
import { compilerArgs, NATIVE_DIR, standinRecipe } from "../tests/native/standin_build.ts";

const TABLES: Record<WindowsLibraryName, Deno.ForeignLibraryInterface> = {
  computenetwork: COMPUTENETWORK_SYMBOLS,
  vmcompute: VMCOMPUTE_SYMBOLS,
  computecore: COMPUTECORE_SYMBOLS,
  ole32: OLE32_SYMBOLS,
  kernel32: KERNEL32_SYMBOLS,
};

/** Where each library's prototypes are declared: an SDK header, or a stand-in source. */
const DECLARED_IN: Record<WindowsLibraryName, { header?: string; source?: string }> = {
  computenetwork: { header: "computenetwork.h" },
  vmcompute: { source: "vmcompute.c" },
  computecore: { header: "computecore.h" },
  ole32: { header: "objbase.h" },
  kernel32: { header: "windows.h" },
};

/** C types that are pointers (all 8 bytes on x64), by name. */
const POINTER_TYPES = new Set([
  "REFGUID",
  "PCWSTR",
  "LPCWSTR",
  "PWSTR",
  "LPVOID",
  "PVOID",
  "HCN_NAMESPACE",
  "PHCN_NAMESPACE",
  "HCN_ENDPOINT",
  "PHCN_ENDPOINT",
  "HCS_SYSTEM",
  "HCS_OPERATION",
  "HANDLE",
  "HLOCAL",
]);
/** Function pointer types (callbacks), by name. */
const FUNCTION_TYPES = new Set(["HCS_OPERATION_COMPLETION"]);
const I32_TYPES = new Set(["HRESULT", "int", "INT", "LONG"]);
const U32_TYPES = new Set(["DWORD", "UINT", "ULONG"]);

const problems: string[] = [];
// The Windows build of the stand-ins, as tests/native/standin_build.ts makes it.
const recipe = standinRecipe("windows");
const cc = recipe.cc;
const objdump = cc.replace(/gcc(-[\w.]+)?$/, "objdump");

async function run(command: string, args: string[]): Promise<string> {
  let output: Deno.CommandOutput;
  try {
    output = await new Deno.Command(command, { args, stdout: "piped", stderr: "piped" }).output();
  } catch (error) {
    if (error instanceof Deno.errors.NotFound) {
      throw new Error(
        `${command} not found; install it with ` +
          "`apt-get install -y gcc-mingw-w64-x86-64` (or set MINGW_CC)",
        { cause: error },
      );
    }
    throw error;
  }
  const text = new TextDecoder().decode(output.stdout);
  if (!output.success) {
    throw new Error(
      `${command} ${args.join(" ")}\n${new TextDecoder().decode(output.stderr)}${text}`,
    );
  }
  return text;
}

/** The parameter list and return type of `name` in C text, or undefined. */
function prototype(text: string, name: string): { result: string; params: string[] } | undefined {
  const pattern = new RegExp(
    `(?:^|[;}\\n])\\s*(?:extern\\s+)?(?:__attribute__\\s*\\(\\(.*?\\)\\)\\s*|__declspec\\s*\\(\\w+\\)\\s*|STANDIN_EXPORT\\s+)*` +
      `(\\w+)\\s+(?:__attribute__\\s*\\(\\(\\s*__stdcall__\\s*\\)\\)\\s*|__stdcall\\s+|WINAPI\\s+)*` +
      `${name}\\s*\\(([^)]*)\\)`,
    "g",
  );
  const match = pattern.exec(text);
  if (match === null) return undefined;
  const list = (match[2] ?? "").trim();
  const params = list === "" || list === "void" ? [] : list.split(",").map((p) => p.trim());
  return { result: match[1] ?? "", params };
}

/** The FFI types a C parameter may be declared as. */
function ffiTypesFor(param: string): string[] | undefined {
  const words = param.replace(/\bconst\b/g, "").replace(/\*/g, " * ").trim().split(/\s+/);
  if (words.includes("*")) return ["buffer", "pointer"];
  const type = words.length > 1 ? words.slice(0, -1).join(" ") : words[0] ?? "";
  if (POINTER_TYPES.has(type)) return ["buffer", "pointer"];
  if (FUNCTION_TYPES.has(type)) return ["function", "pointer"];
  if (I32_TYPES.has(type)) return ["i32"];
  if (U32_TYPES.has(type)) return ["u32"];
  return undefined;
}

function resultTypeFor(result: string): string | undefined {
  if (result === "void" || result === "VOID") return "void";
  if (I32_TYPES.has(result)) return "i32";
  if (POINTER_TYPES.has(result)) return "pointer";
  return undefined;
}

const temp = await Deno.makeTempDir({ prefix: "podnet-header-" });
try {
  await run(cc, ["--version"]); // one clear message when the compiler is missing
  let checked = 0;
  let checkedLibraries = 0;
  for (const name of Object.keys(TABLES) as WindowsLibraryName[]) {
    const dll = join(temp, recipe.fileName(name));
    checkedLibraries++;
    try {
      await run(cc, compilerArgs(recipe, name, dll));
    } catch (error) {
      problems.push(
        `${name}: the stand-in does not build against the Windows headers:\n${
          error instanceof Error ? error.message : String(error)
        }`,
      );
      continue;
    }
    const exports = new Set<string>();
    const dump = await run(objdump, ["-p", dll]);
    const table = dump.slice(dump.indexOf("[Ordinal/Name Pointer] Table"));
    for (const match of table.matchAll(/^\s*\[\s*\d+\]\s+(\w+)\s*$/gm)) exports.add(match[1] ?? "");

    const where = DECLARED_IN[name];
    let text: string;
    if (where.header !== undefined) {
      const probe = join(temp, `${name}_header.c`);
      await Deno.writeTextFile(probe, `#include <windows.h>\n#include <${where.header}>\n`);
      text = await run(cc, ["-E", "-P", probe]);
    } else {
      text = await Deno.readTextFile(new URL(where.source ?? "", NATIVE_DIR));
    }

    for (const [symbol, definition] of Object.entries(TABLES[name])) {
      checked++;
      if (!("parameters" in definition)) continue;
      if (!exports.has(symbol)) {
        problems.push(`${name}: the stand-in DLL does not export ${symbol}`);
      }
      const proto = prototype(text, symbol);
      const origin = where.header ?? where.source ?? "?";
      if (proto === undefined) {
        problems.push(`${name}: ${symbol} is not declared in ${origin}`);
        continue;
      }
      const params = definition.parameters as readonly string[];
      if (proto.params.length !== params.length) {
        problems.push(
          `${name}: ${symbol} takes ${proto.params.length} parameters in ${origin} ` +
            `(${proto.params.join(", ")}), ${params.length} in the FFI table`,
        );
        continue;
      }
      proto.params.forEach((param, i) => {
        const allowed = ffiTypesFor(param);
        const actual = params[i] ?? "";
        if (allowed === undefined) {
          problems.push(`${name}: ${symbol}: unknown C type in "${param}"; teach the checker`);
        } else if (!allowed.includes(actual)) {
          problems.push(
            `${name}: ${symbol} parameter ${i + 1} is "${param}" in ${origin}, ` +
              `"${actual}" in the FFI table (want ${allowed.join(" or ")})`,
          );
        }
      });
      const result = resultTypeFor(proto.result);
      if (result !== definition.result) {
        problems.push(
          `${name}: ${symbol} returns ${proto.result} in ${origin}, ` +
            `"${String(definition.result)}" in the FFI table`,
        );
      }
    }
  }
  if (problems.length > 0) {
    console.error(`native:header: ${problems.length} problem(s)`);
    for (const problem of problems) console.error(`- ${problem}`);
    Deno.exitCode = 1;
  } else {
    console.log(
      `native:header: ok (${checked} functions of ${checkedLibraries} libraries: stand-ins ` +
        "built against computenetwork.h, computecore.h, objbase.h and windows.h; FFI tables " +
        "match the prototypes)",
    );
  }
} catch (error) {
  console.error(`native:header: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exitCode = 1;
} finally {
  await Deno.remove(temp, { recursive: true });
}
