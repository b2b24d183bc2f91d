/**
 * Checks of what callers hand podnet's constructors, shared by the domain
 * and the adapters: bad input is an `InvalidArgumentError` naming the
 * argument, thrown before anything exists or changes, never a `TypeError`
 * later.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";

/**
 * Checks that `value` is an object with a function for each of `methods`.
 * `requireMethods("hcs", api, ["openComputeSystem"])` throws
 * `InvalidArgumentError("hcs", "must have a openComputeSystem() method")`.
 */
export function requireMethods(argument: string, value: unknown, methods: readonly string[]): void {
  if (typeof value !== "object" || value === null) {
    throw new InvalidArgumentError(argument, `must be an object with ${methods.join(", ")}`);
  }
  for (const m of methods) {
    if (typeof (value as Record<string, unknown>)[m] !== "function") {
      throw new InvalidArgumentError(argument, `must have a ${m}() method`);
    }
  }
}

/** Checks that `value` is an object (an options bag), else `InvalidArgumentError`. */
export function requireObject(argument: string, value: unknown): Record<string, unknown> {
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidArgumentError(argument, "must be an object");
  }
  return value as Record<string, unknown>;
}
