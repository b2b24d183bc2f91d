import assert from "node:assert/strict";
import { parseArgs as nodeParseArgs, type ParseArgsOptionsConfig } from "node:util";
import fc from "fast-check";
import { parseArgs } from "../adapters/cli/_parse_args.ts";

const OPTIONS = {
  pod: { type: "string" },
  "state-dir": { type: "string" },
  json: { type: "boolean", default: false },
  verbose: { type: "boolean" },
  "log-format": { type: "string", default: "text" },
  file: { type: "string", short: "f" },
  all: { type: "boolean", short: "a" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

type Outcome = { values: unknown; positionals: unknown } | { error: string };

function ours(args: string[], positionals: boolean): Outcome {
  try {
    const { values, positionals: p } = parseArgs(args, OPTIONS, positionals);
    return { values: { ...values }, positionals: p };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

function node(args: string[], positionals: boolean): Outcome {
  try {
    const { values, positionals: p } = nodeParseArgs({
      args,
      options: OPTIONS,
      strict: true,
      allowPositionals: positionals,
    });
    return { values: { ...values }, positionals: p };
  } catch (e) {
    return { error: e instanceof Error ? e.message : String(e) };
  }
}

const token = fc.oneof(
  fc.constantFrom(
    "--pod",
    "--state-dir",
    "--json",
    "--verbose",
    "--log-format",
    "--file",
    "--all",
    "--help",
    "--bogus",
    "-h",
    "-a",
    "-f",
    "-ah",
    "-af",
    "-fa",
    "-x",
    "-",
    "--",
    "--json=1",
    "--pod=",
    "--pod=-x",
    "pod-a",
    "stray",
    "-1",
  ),
  fc.string({ maxLength: 6 }),
);

Deno.test("property: command lines parse as node:util's parseArgs parses them, errors included", () => {
  fc.assert(
    fc.property(fc.array(token, { maxLength: 8 }), fc.boolean(), (args, positionals) => {
      assert.deepEqual(ours(args, positionals), node(args, positionals), JSON.stringify(args));
    }),
    { seed: 18, numRuns: 3000 },
  );
});

Deno.test("the messages the command line's tests and users see", () => {
  assert.deepEqual(ours(["--bogus"], false), { error: "Unknown option '--bogus'" });
  assert.deepEqual(ours(["stray"], false), {
    error: "Unexpected argument 'stray'. This command does not take positional arguments",
  });
  assert.deepEqual(ours(["--pod"], false), { error: "Option '--pod <value>' argument missing" });
  assert.deepEqual(ours(["--json=yes"], false), {
    error: "Option '--json' does not take an argument",
  });
});
