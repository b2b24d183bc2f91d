/**
 * Rewrites the transition table in docs/architecture.md from
 * domain/state.ts (between the markers of domain/_transition_table.ts).
 * Run it after changing the table: `deno task docs:table`.
 *
 * Usage: deno run --allow-read --allow-write --allow-run tools/transition_table.ts
 *
 * @module
 */
import { fileURLToPath } from "node:url";
import { renderTransitionTable, replaceTableBlock } from "../domain/_transition_table.ts";

const doc = fileURLToPath(new URL("../docs/architecture.md", import.meta.url));
const text = await Deno.readTextFile(doc);
const updated = replaceTableBlock(text, renderTransitionTable());
if (updated === undefined) {
  console.error(`${doc}: the transition table's markers are missing`);
  Deno.exit(1);
}
await Deno.writeTextFile(doc, updated);
const fmt = await new Deno.Command(Deno.execPath(), { args: ["fmt", "--quiet", doc] }).output();
if (!fmt.success) {
  console.error(new TextDecoder().decode(fmt.stderr));
  Deno.exit(1);
}
const changed = await Deno.readTextFile(doc) !== text;
console.log(changed ? "transition table: rewritten" : "transition table: up to date");
