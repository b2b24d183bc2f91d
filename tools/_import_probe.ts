/**
 * Imports each module named on the command line, in order, and prints how
 * long each import took as JSON (`[[specifier, ms], ...]`). Run by
 * tools/import_times.ts in a fresh process, with every module's
 * dependencies named before it, so each time is that module's own cost.
 *
 * @module
 */
const times: [string, number][] = [];
for (const specifier of Deno.args) {
  const start = performance.now();
  await import(specifier);
  times.push([specifier, performance.now() - start]);
}
console.log(JSON.stringify(times));
