/**
 * Object keys matched as Go's `encoding/json` matches them when it decodes
 * into a struct: an exact match or, failing that, a case-insensitive one
 * (Go's `foldName`: ASCII letters upper-cased, other letters through
 * `unicode.ToUpper(unicode.ToLower(r))`). When a document holds the same
 * key in two spellings, the later one in document order wins, as in Go,
 * which assigns the field once per key it reads.
 *
 * hcsshim decodes HCN and HCS documents this way (`hcn/hcnendpoint.go`,
 * `hcn/hcnnamespace.go`, `internal/hcs/system.go`), so podnet reads them the
 * same way: a document spelled as Microsoft's schema reference spells it
 * (`IPConfigurations`/`IPAddress`) means what HNS's usual spelling means.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../ports/json.ts";

/** The canonical key names of one object level, looked up by folded name. */
export interface KeyTable {
  /** The canonical names themselves (the fast path: nothing to fold). */
  readonly exact: ReadonlySet<string>;
  /** Folded name → canonical name. */
  readonly folded: ReadonlyMap<string, string>;
}

// deno-lint-ignore no-control-regex
const ascii = /^[\x00-\x7f]*$/;

/** Go's `foldName` of a key: the form two keys share when they match regardless of case. */
export function foldName(key: string): string {
  if (ascii.test(key)) return key.toUpperCase();
  let out = "";
  for (const ch of key) {
    // Go folds rune by rune; JavaScript's upper case of "ß" is "SS", Go's is "ß".
    const lower = ch.toLowerCase();
    const upper = lower.toUpperCase();
    out += [...upper].length === 1 ? upper : lower;
  }
  return out;
}

/** The key table of one object level. */
export function keyTable(names: readonly string[]): KeyTable {
  return {
    exact: new Set(names),
    folded: new Map(names.map((name) => [foldName(name), name])),
  };
}

/**
 * `value` with every key that matches a canonical name of `table` spelled
 * canonically; other keys kept as they are. The same object when nothing
 * needed it (the usual case costs one set look-up per key); a copy else.
 * Only this level: the caller folds the levels below.
 */
export function foldKeys(
  value: JsonObject,
  table: KeyTable,
  onShadowed?: (name: string, value: JsonValue) => void,
): JsonObject {
  for (const key in value) {
    // A key spelled canonically cannot appear twice; any other match can.
    if (!table.exact.has(key) && table.folded.has(foldName(key))) {
      return rebuild(value, table, onShadowed);
    }
  }
  return value;
}

/**
 * The copy. A value replaced by a later spelling of its key goes to
 * `onShadowed`: Go decodes it too (and fails on its type) before the later
 * one overwrites it.
 */
function rebuild(
  value: JsonObject,
  table: KeyTable,
  onShadowed: ((name: string, value: JsonValue) => void) | undefined,
): JsonObject {
  const out: JsonObject = {};
  for (const [key, item] of Object.entries(value)) {
    const name = table.exact.has(key) ? key : table.folded.get(foldName(key)) ?? key;
    if (Object.hasOwn(out, name)) onShadowed?.(name, out[name] as JsonValue);
    // An own property even for "__proto__" (JSON.parse makes it one; a plain
    // assignment would set the copy's prototype and let Go-ignored fields in).
    Object.defineProperty(out, name, {
      value: item,
      enumerable: true,
      writable: true,
      configurable: true,
    });
  }
  return out;
}

/** Whether `value` is a JSON object (not an array, not null). */
export function isJsonObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}
