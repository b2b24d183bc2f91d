/**
 * GUID text: recognising and normalising the forms Windows accepts.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";

const BODY = "[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}";
const GUID = new RegExp(`^(?:\\{(${BODY})\\}|(${BODY}))$`);
/** The canonical form alone: most GUIDs podnet sees are already in it. */
const CANONICAL = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/**
 * Returns the GUID in canonical form (lower case, no braces), or `undefined`
 * when the text is not a GUID. Braces must come in pairs.
 */
export function normalizeGuid(text: string): string | undefined {
  if (text.length === 36 && CANONICAL.test(text)) return text;
  const m = GUID.exec(text);
  const body = m?.[1] ?? m?.[2];
  return body?.toLowerCase();
}

/**
 * Whether the text is a GUID in canonical form (lower case, no braces).
 */
export function isCanonicalGuid(text: string): boolean {
  return normalizeGuid(text) === text;
}

/**
 * The canonical form of a GUID argument, or an `InvalidArgumentError` naming
 * the argument: the one check every podnet API applies to GUIDs it is given
 * (`requireGuid("nicId", "{6F1A...}")` gives `"6f1a..."`).
 *
 * @param argument the argument's name, for the error
 * @param value what was given
 * @returns the GUID, lower case, without braces
 * @throws {InvalidArgumentError} when `value` is not a GUID
 */
export function requireGuid(argument: string, value: unknown): string {
  const id = typeof value === "string" ? normalizeGuid(value) : undefined;
  if (id === undefined) {
    const shown = typeof value === "string" ? JSON.stringify(value.slice(0, 64)) : typeof value;
    throw new InvalidArgumentError(argument, `must be a GUID, got ${shown}`);
  }
  return id;
}
