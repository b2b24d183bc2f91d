/**
 * Sums up a `deno test --junit-path` report on one line,
 * `LABEL: N passed, N failed, N skipped`, and exits 1 when a test failed,
 * none passed, or (with `--skip-reason`) a skipped test's name does not say
 * why it was skipped. `.ci/run` and the Windows lane print their closing
 * lines with it.
 *
 * Usage: deno run --allow-read tools/junit_summary.ts LABEL REPORT [--skip-reason REGEX]
 *
 * @module
 */
import { parseArgs } from "node:util";

const { values, positionals } = parseArgs({
  args: Deno.args,
  allowPositionals: true,
  options: { "skip-reason": { type: "string" } },
});
const [label, path] = positionals;
if (label === undefined || path === undefined || positionals.length > 2) {
  console.error("Usage: junit_summary.ts LABEL REPORT [--skip-reason REGEX]");
  Deno.exit(2);
}

const xml = await Deno.readTextFile(path);

function unescape(text: string): string {
  return text.replace(/&(quot|apos|lt|gt|amp);/g, (_, entity: string) => {
    switch (entity) {
      case "quot":
        return '"';
      case "apos":
        return "'";
      case "lt":
        return "<";
      case "gt":
        return ">";
      default:
        return "&";
    }
  });
}

/** A number attribute of the <testsuites> element (0 when absent). */
function total(name: string): number {
  const element = xml.match(/<testsuites\b[^>]*>/)?.[0] ?? "";
  return Number(element.match(new RegExp(`\\s${name}="(\\d+)"`))?.[1] ?? 0);
}

interface Case {
  readonly name: string;
  readonly file: string;
  readonly failed: boolean;
  readonly skipped: boolean;
}

const cases: Case[] = [];
for (const match of xml.matchAll(/<testcase\b([^>]*?)(\/>|>([\s\S]*?)<\/testcase>)/g)) {
  const attributes = match[1] ?? "";
  const body = match[3] ?? "";
  cases.push({
    name: unescape(attributes.match(/\sname="([^"]*)"/)?.[1] ?? ""),
    file: unescape(attributes.match(/\sclassname="([^"]*)"/)?.[1] ?? ""),
    failed: /<(failure|error)\b/.test(body),
    skipped: /<skipped\b/.test(body),
  });
}

const tests = total("tests");
const failed = Math.max(total("failures") + total("errors"), cases.filter((c) => c.failed).length);
const skipped = cases.filter((c) => c.skipped);
const passed = Math.max(tests, cases.length) - failed - skipped.length;

let ok = failed === 0 && passed > 0;
for (const c of cases.filter((c) => c.failed)) {
  console.log(`${label}: failed: ${c.file} => ${c.name}`);
}
if (values["skip-reason"] !== undefined) {
  const reason = new RegExp(values["skip-reason"]);
  for (const c of skipped.filter((c) => !reason.test(c.name))) {
    ok = false;
    console.log(`${label}: skipped without saying why in its name: ${c.file} => ${c.name}`);
  }
}
if (passed <= 0) console.log(`${label}: no test passed`);
console.log(`${label}: ${passed} passed, ${failed} failed, ${skipped.length} skipped`);
if (!ok) Deno.exitCode = 1;
