/**
 * Reading the HCN namespace and endpoint documents into the port's value
 * types, once, when they are read, the way hcsshim reads them and the guest
 * then uses them:
 * 1. keys matched regardless of case at every level
 *    (`_fold_documents.ts`), as Go's `encoding/json` matches them;
 * 2. the JSON types checked as Go's decoder checks them against hcsshim's
 *    types (`hcn/hcnendpoint.go`, `hcn/hcnnetwork.go`, `hcn/hcnpolicy.go`,
 *    `hcn/hcnnamespace.go`): a string where a number belongs, a number out
 *    of its Go type's range, an object where a list belongs fails there and
 *    fails here; `null` is Go's zero value;
 * 3. the values checked and normalised by the rules of the guest that
 *    receives them (`_endpoint_rules.ts`).
 * Anything refused is an `InvalidHostDataError` naming the document and the
 * field path, before the VM is touched. `docs/host_documents.md` has the
 * table of every field.
 *
 * @module
 */
import { z } from "zod";
import { InvalidHostDataError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import { endpointShape, namespaceShape } from "./_shapes.ts";
import type { HostEndpoint, HostNamespace } from "../../ports/host_network.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import { type Folded, foldEndpointKeys, foldNamespaceKeys } from "./_fold_documents.ts";
import { endpointFromDocument, type Platform } from "./_endpoint_rules.ts";

// hcn/hcnnamespace.go: NamespaceResourceEndpoint { Id string `json:"ID"` }.
const endpointResourceData = z.looseObject({ ID: z.string({ error: "must be a GUID string" }) }, {
  error: "must be a JSON object",
});

/**
 * Checks the JSON types of a folded document, and of each value a later
 * spelling of its key replaced (Go's decoder reads, and type-checks, every
 * spelling before the last one wins), all with the same schema.
 */
function validateFolded<T extends z.ZodType>(schema: T, folded: Folded, what: string): z.output<T> {
  for (const { path, value } of folded.shadowed) {
    validate(schema, replaceAt(folded.document, path, value), what);
  }
  return validate(schema, folded.document, what);
}

/** A copy of `root` (along `path` only) with `value` at `path`. */
function replaceAt(
  root: JsonValue,
  path: readonly (string | number)[],
  value: JsonValue,
): JsonValue {
  const [head, ...rest] = path;
  if (head === undefined) return value;
  if (Array.isArray(root) && typeof head === "number") {
    const out = [...root];
    out[head] = replaceAt(root[head] ?? null, rest, value);
    return out;
  }
  if (typeof root === "object" && root !== null && !Array.isArray(root)) {
    return { ...root, [head]: replaceAt(root[String(head)] ?? null, rest, value) };
  }
  return root;
}

/** Parses with `schema`, turning the first issue into an `InvalidHostDataError`. */
function validate<T extends z.ZodType>(
  schema: T,
  value: unknown,
  what: string,
  prefix: readonly (string | number)[] = [],
): z.output<T> {
  const result = schema.safeParse(value);
  if (result.success) return result.data;
  const issue = result.error.issues[0];
  const path = [...prefix, ...(issue?.path ?? [])].map(String).join(".");
  throw new InvalidHostDataError(
    what,
    path === "" ? "document" : path,
    issue?.message ?? "is invalid",
    { cause: result.error },
  );
}

/** Parses document text into a JSON object. */
function parseObject(source: string, what: string): JsonObject {
  let value: JsonValue;
  try {
    value = JSON.parse(source) as JsonValue;
  } catch (error) {
    throw new InvalidHostDataError(what, "document", "is not valid JSON", { cause: error });
  }
  if (typeof value !== "object" || value === null || Array.isArray(value)) {
    throw new InvalidHostDataError(what, "document", "is not a JSON object");
  }
  return value;
}

/** What podnet changed while reading a document: field path and change, for the log. */
export interface Normalisation {
  /** The field's path ("Dns.Domain"). */
  readonly field: string;
  /** What was done ("trimmed", "split into 2 search domains"). */
  readonly change: string;
}

/** A document read, with what was normalised on the way. */
export interface Read<T> {
  /** The value. */
  readonly value: T;
  /** The normalisations, in field order; empty for a document HNS wrote as usual. */
  readonly normalised: readonly Normalisation[];
}

const FOLDED: Normalisation = {
  field: "document",
  change: "keys spelled in another case matched as hcsshim's decoder matches them",
};

/**
 * Validates an HCN namespace document. `requestedId` is the canonical GUID
 * that was opened; the document's own ID (when present) must match it.
 */
export function parseNamespaceDocument(source: string, requestedId: string): Read<HostNamespace> {
  const what = `namespace ${requestedId}`;
  const document = parseObject(source, what);
  const folded = foldNamespaceKeys(document);
  const parsed = validateFolded(namespaceShape, folded, what);
  if (parsed.ID != null && parsed.ID.trim() !== "") {
    const id = normalizeGuid(parsed.ID.trim());
    if (id === undefined) throw new InvalidHostDataError(what, "ID", "must be a GUID");
    if (id !== requestedId) {
      throw new InvalidHostDataError(what, "ID", `is ${id}, not the requested ${requestedId}`);
    }
  }
  const endpointIds: string[] = [];
  (parsed.Resources ?? []).forEach((resource, index) => {
    // hcsshim compares the resource type as written (hcn/hcnnamespace.go).
    if (resource?.Type !== "Endpoint") return;
    const path = ["Resources", index, "Data"];
    const data = validate(endpointResourceData, resource.Data, what, path);
    const id = normalizeGuid(data.ID.trim());
    if (id === undefined) {
      throw new InvalidHostDataError(what, [...path, "ID"].join("."), "must be a GUID");
    }
    endpointIds.push(id);
  });
  return {
    value: { id: requestedId, endpointIds, document },
    normalised: folded.document === document ? [] : [FOLDED],
  };
}

/**
 * Validates an HCN endpoint document. `requestedId` is the canonical GUID
 * that was opened; the document's own ID (when present) must match it. A
 * Windows guest (`platform` "wcow") also needs the ID in the document.
 */
export function parseEndpointDocument(
  source: string,
  requestedId: string,
  platform?: Platform,
): Read<HostEndpoint> {
  const what = `endpoint ${requestedId}`;
  const document = parseObject(source, what);
  const folded = foldEndpointKeys(document);
  const parsed = validateFolded(endpointShape, folded, what);
  const normalised: Normalisation[] = folded.document === document ? [] : [FOLDED];
  const value = endpointFromDocument(parsed, {
    what,
    requestedId,
    platform,
    document,
    note: (field, change) => normalised.push({ field, change }),
  });
  return { value, normalised };
}
