import { InvalidArgumentError, NotFoundError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import { describeIssue } from "./_documents.ts";
import { hostDocumentSchema } from "./_fixture_schema.ts";
import type { StoredDocument, World } from "./_world.ts";

// How HNS lists a namespace's endpoints: a `Resources` entry
// `{"Type": "Endpoint", "Data": {"ID": "<guid>"}}` (hcsshim hcn/hcnnamespace.go,
// NamespaceResource and NamespaceResourceEndpoint), and the endpoint names its
// namespace in `HostComputeNamespace` (hcn/hcnendpoint.go).

function stored(doc: JsonObject): StoredDocument {
  const text = JSON.stringify(doc);
  return { id: String(doc["ID"]), text, doc: JSON.parse(text) };
}

function isObject(value: JsonValue | undefined): value is JsonObject {
  return typeof value === "object" && value !== null && !Array.isArray(value);
}

/** Whether a `Resources` entry lists the endpoint (any key case, any GUID form). */
function listsEndpoint(entry: JsonValue, endpointId: string): boolean {
  if (!isObject(entry)) return false;
  const type = Object.entries(entry).find(([k]) => k.toLowerCase() === "type")?.[1];
  const data = Object.entries(entry).find(([k]) => k.toLowerCase() === "data")?.[1];
  if (typeof type !== "string" || type.toLowerCase() !== "endpoint" || !isObject(data)) {
    return false;
  }
  const id = Object.entries(data).find(([k]) => k.toLowerCase() === "id")?.[1];
  return typeof id === "string" && normalizeGuid(id) === endpointId;
}

function resourcesOf(doc: JsonObject): JsonValue[] {
  const resources = doc["Resources"];
  return Array.isArray(resources) ? resources : [];
}

/**
 * Creates the endpoint and lists it last in the namespace, as CNI's endpoint
 * create and `HcnAddNamespaceEndpoint` do. Nothing changes when it throws.
 */
export function addNamespaceEndpoint(
  world: World,
  namespaceId: string,
  endpoint: JsonObject,
): string {
  const nsKey = normalizeGuid(namespaceId);
  const namespace = nsKey === undefined ? undefined : world.namespaces.get(nsKey);
  if (nsKey === undefined || namespace === undefined) {
    throw new NotFoundError("namespace", namespaceId);
  }
  const parsed = hostDocumentSchema.safeParse(endpoint);
  if (!parsed.success) {
    throw new InvalidArgumentError("endpoint", describeIssue(parsed.error, "endpoint"));
  }
  const key = normalizeGuid(parsed.data.ID) ?? parsed.data.ID;
  if (world.endpoints.has(key)) {
    throw new InvalidArgumentError("endpoint", `endpoint ${key} already exists`);
  }
  const named = endpoint["HostComputeNamespace"];
  if (typeof named === "string" && named !== "" && normalizeGuid(named) !== nsKey) {
    throw new InvalidArgumentError(
      "endpoint",
      `endpoint ${key} names namespace ${named} in HostComputeNamespace, not ${nsKey}`,
    );
  }
  const doc: JsonObject = typeof named === "string" && named !== ""
    ? { ...endpoint }
    : { ...endpoint, HostComputeNamespace: namespace.id };
  const nsDoc = structuredClone(namespace.doc);
  nsDoc["Resources"] = [...resourcesOf(nsDoc), { Type: "Endpoint", Data: { ID: key } }];
  world.endpoints.set(key, stored(doc));
  world.namespaces.set(nsKey, stored(nsDoc));
  return key;
}

/**
 * Takes the endpoint out of every namespace that lists it and, unless
 * `keepEndpoint`, deletes it (CNI's `HcnRemoveNamespaceEndpoint` then
 * `HcnDeleteEndpoint`). Returns the namespaces it left. Nothing changes when
 * it throws.
 */
export function removeNamespaceEndpoint(
  world: World,
  endpointId: string,
  keepEndpoint: boolean,
): string[] {
  const key = normalizeGuid(endpointId);
  if (key === undefined) throw new NotFoundError("endpoint", endpointId);
  const left: string[] = [];
  for (const [nsKey, namespace] of world.namespaces) {
    const resources = resourcesOf(namespace.doc);
    const kept = resources.filter((r) => !listsEndpoint(r, key));
    if (kept.length !== resources.length) left.push(nsKey);
  }
  const endpoint = world.endpoints.get(key);
  if (left.length === 0 && endpoint === undefined) throw new NotFoundError("endpoint", endpointId);
  for (const nsKey of left) {
    const namespace = world.namespaces.get(nsKey);
    if (namespace === undefined) continue;
    const nsDoc = structuredClone(namespace.doc);
    nsDoc["Resources"] = resourcesOf(nsDoc).filter((r) => !listsEndpoint(r, key));
    world.namespaces.set(nsKey, stored(nsDoc));
  }
  if (endpoint !== undefined) {
    if (keepEndpoint) {
      const doc = structuredClone(endpoint.doc);
      delete doc["HostComputeNamespace"];
      world.endpoints.set(key, stored(doc));
    } else {
      world.endpoints.delete(key);
    }
  }
  return left;
}
