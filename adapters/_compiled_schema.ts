/**
 * Schemas that run on every call, with their fast path generated once by
 * zod's `z.compile` (one function per schema instead of a walk field by
 * field; the same results).
 *
 * Generating that function needs `new Function`. Where the runtime forbids
 * it (`--v8-flags=--disallow-code-generation-from-strings`), or for a schema
 * zod cannot compile, the schema stays as it was and checks the same things
 * the slower way; its name is kept in `uncompiledSchemas`, which the tests
 * expect to be empty.
 *
 * @module
 */
import { z } from "zod";

/** Names of the schemas left on zod's runtime parser (see the module's notes). */
export const uncompiledSchemas: string[] = [];

/** `schema` with its fast path generated, or as it was where that cannot be done. */
export function compiledSchema<T extends z.ZodType>(name: string, schema: T): T {
  const out = z.compile(schema);
  if (out === schema) uncompiledSchemas.push(name);
  return out;
}
