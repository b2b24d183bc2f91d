/**
 * JSON values: deep copies and a depth limit, without recursion, so that a
 * hostile document cannot overflow the stack.
 *
 * @module
 */
import type { JsonObject, JsonValue } from "../ports/json.ts";

/** A deep copy of a JSON object. */
export function cloneJson<T extends JsonObject>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/**
 * The nesting depth of a parsed value (0 for a scalar), counted without
 * recursion; stops counting once `limit` is exceeded.
 */
export function jsonDepth(value: unknown, limit: number): number {
  let deepest = 0;
  const stack: [unknown, number][] = [[value, 0]];
  while (stack.length > 0) {
    const [v, depth] = stack.pop() as [unknown, number];
    if (typeof v !== "object" || v === null) continue;
    const d = depth + 1;
    if (d > deepest) deepest = d;
    if (deepest > limit) return deepest;
    for (const child of Array.isArray(v) ? v : Object.values(v as Record<string, JsonValue>)) {
      if (typeof child === "object" && child !== null) stack.push([child, d]);
    }
  }
  return deepest;
}
