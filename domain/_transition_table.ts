/**
 * The transition table as Markdown, for docs/architecture.md: rendered from
 * `TRANSITIONS` and `TRANSITION_ACTIONS` over whatever states and operations
 * they hold, so the document never keeps a copy of its own.
 * `tests/transition_table_test.ts` fails when the document's block differs;
 * `deno task docs:table` rewrites it.
 *
 * @module
 */
import {
  CONTROLLER_OPERATIONS,
  CONTROLLER_STATES,
  TRANSITION_ACTIONS,
  type TransitionAction,
  TRANSITIONS,
} from "./state.ts";

/** The line before the generated block in docs/architecture.md. */
export const TABLE_BEGIN =
  "<!-- transition table: generated from domain/state.ts by `deno task docs:table` -->";
/** The line after it. */
export const TABLE_END = "<!-- end of transition table -->";

/**
 * The table and its legend as Markdown (columns padded as `deno fmt` pads
 * them; `deno fmt` may still wrap a long legend line).
 */
export function renderTransitionTable(): string {
  const header = ["state", ...CONTROLLER_OPERATIONS];
  const rows = CONTROLLER_STATES.map((state) => [
    state,
    ...CONTROLLER_OPERATIONS.map((operation) => `\`${TRANSITIONS[state][operation]}\``),
  ]);
  const widths = header.map((title, i) =>
    Math.max(title.length, ...rows.map((row) => (row[i] ?? "").length))
  );
  const line = (cells: readonly string[]) =>
    `| ${cells.map((cell, i) => cell.padEnd(widths[i] ?? 0)).join(" | ")} |`;
  const legend = (Object.keys(TRANSITION_ACTIONS) as TransitionAction[]).map((action) =>
    `- \`${action}\`: ${TRANSITION_ACTIONS[action]}`
  );
  return [
    line(header),
    line(widths.map((w) => "-".repeat(w))),
    ...rows.map(line),
    "",
    ...legend,
  ].join("\n");
}

/**
 * `document` with the text between {@linkcode TABLE_BEGIN} and
 * {@linkcode TABLE_END} replaced by `block`; `undefined` when the markers
 * are missing.
 */
export function replaceTableBlock(document: string, block: string): string | undefined {
  const begin = document.indexOf(TABLE_BEGIN);
  const end = document.indexOf(TABLE_END, begin);
  if (begin < 0 || end < 0) return undefined;
  return `${document.slice(0, begin + TABLE_BEGIN.length)}\n\n${block}\n\n${document.slice(end)}`;
}

/**
 * A block as compared: runs of whitespace and of a separator row's dashes
 * collapsed, so that `deno fmt`'s wrapping and padding do not count.
 */
export function normalizeTableBlock(block: string): string {
  return block.replace(/-{3,}/g, "---").replace(/\s+/g, " ").trim();
}

/** The block between the markers in `document`; `undefined` when they are missing. */
export function tableBlockOf(document: string): string | undefined {
  const begin = document.indexOf(TABLE_BEGIN);
  const end = document.indexOf(TABLE_END, begin);
  if (begin < 0 || end < 0) return undefined;
  return document.slice(begin + TABLE_BEGIN.length, end);
}
