import { z } from "zod";
import type { JsonObject } from "../../../ports/json.ts";
import { normalizeGuid } from "../../../domain/guid.ts";

const jsonValue: z.ZodType<unknown> = z.lazy(() =>
  z.union([
    z.null(),
    z.boolean(),
    z.number().refine(Number.isFinite, "must be a finite number"),
    z.string(),
    z.array(jsonValue),
    z.record(z.string(), jsonValue),
  ])
);

const documentSchema = z.looseObject({
  ID: z.string().refine((s) => normalizeGuid(s) !== undefined, "must be a GUID"),
}).refine((doc) => jsonValue.safeParse(doc).success, "must be plain JSON");

/** A host fixture, validated. */
export const fixtureSchema = z.looseObject({
  description: z.string().optional(),
  namespace: documentSchema,
  endpoints: z.array(documentSchema),
});

/** A host document, validated (an object of plain JSON with an ID GUID). */
export const hostDocumentSchema = documentSchema;

/** Narrows a validated document to the JSON type. */
export function asJsonObject(doc: { ID: string }): JsonObject {
  return doc as unknown as JsonObject;
}
