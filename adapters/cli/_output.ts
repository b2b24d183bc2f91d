import { PodnetError } from "../../domain/errors.ts";

/** Where a command writes: one line at a time, to stdout or stderr. */
export interface Output {
  /** Writes a line to stdout. */
  out(line: string): void;
  /** Writes a line to stderr. */
  err(line: string): void;
}

/** An error's message with its causes, as one line ("a: b: c"). */
export function oneLine(error: unknown): string {
  const parts: string[] = [];
  let e: unknown = error;
  for (let depth = 0; e !== undefined && depth < 8; depth++) {
    const text = e instanceof Error ? e.message : String(e);
    if (text !== "" && !parts.some((p) => p.includes(text))) parts.push(text);
    e = e instanceof Error ? e.cause : undefined;
  }
  return parts.join(": ").replace(/\s+/g, " ").trim();
}

/**
 * The advice that came with an error or, failing that, with its nearest
 * cause that has some (podnet errors keep advice in `hint`, out of the
 * message); `undefined` when there is none.
 */
export function hintOf(error: unknown): string | undefined {
  let e: unknown = error;
  for (let depth = 0; e instanceof Error && depth < 8; depth++) {
    const hint = (e as { hint?: unknown }).hint;
    if (typeof hint === "string" && hint !== "") return hint;
    e = e.cause;
  }
  return undefined;
}

/** The stable code of an error: podnet's own, or UNKNOWN. */
export function codeOf(error: unknown): string {
  return error instanceof PodnetError ? error.code : "UNKNOWN";
}
