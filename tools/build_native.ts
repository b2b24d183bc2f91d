/**
 * Builds the stand-in libraries of tests/native (when their sources
 * changed) and prints where they are. The tests build them on demand too;
 * this task builds them up front.
 *
 * Usage: deno run --allow-read --allow-write --allow-run --allow-env tools/build_native.ts
 *
 * @module
 */
import { buildStandins } from "../tests/native/standin_build.ts";

try {
  const build = await buildStandins();
  console.log(`native: stand-ins in ${build.dir}`);
  for (const [name, path] of Object.entries(build.paths)) console.log(`  ${name}: ${path}`);
} catch (error) {
  console.error(error instanceof Error ? error.message : String(error));
  Deno.exit(1);
}
