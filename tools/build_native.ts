/**
 * Builds the stand-in libraries of tests/native (when their sources
 * changed) and prints where they are. The tests build them on demand too;
 * this task builds them up front.
 *
 * `--os windows` builds the Windows DLLs with MinGW from any machine (the
 * tests under Wine find them, since Deno under Wine cannot start a Linux
 * compiler). `--system32 DIR` (with `--os windows`) also builds the stand-ins
 * of the DLLs Windows does not ship (computenetwork.dll, vmcompute.dll...)
 * under their real names and copies them into DIR: the Windows lane
 * (tools/windows_lane.sh) installs them into its Wine prefix that way.
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-env tools/build_native.ts
 *   [--os linux|darwin|windows] [--system32 DIR]
 *
 * @module
 */
import { basename, join } from "node:path";
import { parseArgs } from "node:util";
import {
  buildStandins,
  buildSystemStandins,
  type StandinOs,
} from "../tests/native/standin_build.ts";

const OSES: readonly string[] = ["linux", "darwin", "windows"];

try {
  const { values } = parseArgs({
    args: Deno.args,
    options: { os: { type: "string" }, system32: { type: "string" } },
  });
  if (values.os !== undefined && !OSES.includes(values.os)) {
    throw new Error(`--os must be one of ${OSES.join(", ")}, not "${values.os}"`);
  }
  const os = values.os as StandinOs | undefined;
  if (values.system32 !== undefined && os !== "windows") {
    throw new Error("--system32 needs --os windows");
  }
  const build = await buildStandins(os);
  console.log(`native: stand-ins in ${build.dir}`);
  for (const [name, path] of Object.entries(build.paths)) console.log(`  ${name}: ${path}`);
  if (values.system32 !== undefined) {
    const system = await buildSystemStandins();
    console.log(`native: system stand-ins in ${system.dir}, copied into ${values.system32}`);
    for (const path of Object.values(system.paths)) {
      const target = join(values.system32, basename(path));
      await Deno.copyFile(path, target);
      console.log(`  ${target}`);
    }
  }
} catch (error) {
  console.error(`native: ${error instanceof Error ? error.message : String(error)}`);
  Deno.exit(1);
}
