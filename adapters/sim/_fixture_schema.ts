import { z } from "zod";
import { normalizeGuid } from "../../domain/guid.ts";

/** Whether the value is plain JSON (what JSON.parse could have produced). */
function isPlainJson(value: unknown, depth = 0): boolean {
  if (depth > 64) return false;
  switch (typeof value) {
    case "string":
    case "boolean":
      return true;
    case "number":
      return Number.isFinite(value);
    case "object": {
      if (value === null) return true;
      if (Array.isArray(value)) return value.every((v) => isPlainJson(v, depth + 1));
      const proto = Object.getPrototypeOf(value);
      if (proto !== Object.prototype && proto !== null) return false;
      return Object.values(value).every((v) => isPlainJson(v, depth + 1));
    }
    default:
      return false;
  }
}

const documentSchema = z.looseObject({
  ID: z.string().refine((s) => normalizeGuid(s) !== undefined, "must be a GUID"),
}).refine((doc) => isPlainJson(doc), "must be plain JSON");

/** A host fixture, validated. */
export const fixtureSchema = z.looseObject({
  description: z.string().optional(),
  namespace: documentSchema,
  endpoints: z.array(documentSchema),
});

/** A host document, validated (an object of plain JSON with an ID GUID). */
export const hostDocumentSchema = documentSchema;
