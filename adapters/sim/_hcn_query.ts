import { z } from "zod";
import { normalizeGuid } from "../../domain/guid.ts";
import type { JsonObject } from "../../ports/json.ts";
import { HRESULT } from "../dll/hresult.ts";
import { hcnFailure } from "./_records.ts";
import { compiledSchema } from "../_compiled_schema.ts";

const querySchema = compiledSchema(
  "sim querySchema",
  z.looseObject({
    SchemaVersion: z.looseObject({ Major: z.literal(2), Minor: z.int().min(0) }),
    Flags: z.int().min(0).optional(),
    Filter: z.string().optional(),
  }),
);

/** A parsed HCN query: the filter of an enumeration, if any. */
export interface HcnQuery {
  readonly filter: ReadonlyMap<string, unknown> | undefined;
}

function invalid(call: string, why: string): Error {
  return hcnFailure(call, HRESULT.HCN_E_INVALID_JSON, `Invalid query document: ${why}`);
}

/** Parses an HCN query document; a bad one fails with HCN_E_INVALID_JSON. */
export function parseHcnQuery(call: string, text: string): HcnQuery {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw invalid(call, "not JSON");
  }
  const parsed = querySchema.safeParse(raw);
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw invalid(call, `${issue?.path.join(".") || "document"}: ${issue?.message ?? "invalid"}`);
  }
  if (parsed.data.Filter === undefined || parsed.data.Filter === "") return { filter: undefined };
  let filter: unknown;
  try {
    filter = JSON.parse(parsed.data.Filter);
  } catch {
    throw invalid(call, "Filter is not JSON");
  }
  if (typeof filter !== "object" || filter === null || Array.isArray(filter)) {
    throw invalid(call, "Filter is not a JSON object");
  }
  return { filter: new Map(Object.entries(filter)) };
}

/** Whether a document passes a filter: every filter field equals the document's. */
export function matchesFilter(doc: JsonObject, filter: ReadonlyMap<string, unknown>): boolean {
  for (const [key, want] of filter) {
    const have = doc[key];
    if (key === "ID" && typeof want === "string" && typeof have === "string") {
      if (normalizeGuid(want) !== normalizeGuid(have)) return false;
      continue;
    }
    if (JSON.stringify(have) !== JSON.stringify(want)) return false;
  }
  return true;
}
