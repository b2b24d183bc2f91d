import { z } from "zod";
import { InvalidArgumentError } from "../../domain/errors.ts";
import { isCanonicalGuid, normalizeGuid } from "../../domain/guid.ts";
import type { JsonObject } from "../../ports/json.ts";
import { describeIssue, iovSettingsSchema } from "./_documents.ts";
import type { FaultQueue } from "./_fault_queue.ts";
import { hostDocumentSchema } from "./_fixture_schema.ts";
import type { LatencyModel } from "./_latency_model.ts";
import type { StoredDocument, World } from "./_world.ts";
import type { SimulatedHostState } from "./simulated_host_state.ts";

const guid = z.string().refine(isCanonicalGuid, "must be a lower-case GUID");
const count = z.int().min(0);

const stateSchema = z.strictObject({
  schemaVersion: z.literal(1),
  guest: z.enum(["lcow", "wcow"]),
  vmId: z.string().min(1),
  namespaceAddRequestSupported: z.boolean(),
  vmRunning: z.boolean(),
  vmPaused: z.boolean().optional(),
  guestConnected: z.boolean(),
  namespaces: z.array(hostDocumentSchema),
  endpoints: z.array(hostDocumentSchema),
  vmNics: z.array(z.strictObject({
    id: guid,
    endpointId: guid,
    macAddress: z.string().min(1).optional(),
    iovSettings: iovSettingsSchema.optional(),
  })),
  guestAdapters: z.array(z.strictObject({
    id: guid,
    state: z.enum(["preadded", "added"]),
    // LCOW: the namespace ID as the guest keeps it (any text, lower-cased).
    namespaceId: z.string().optional(),
    dnsSearch: z.array(z.string()).optional(),
  })),
  guestNamespaces: z.array(z.strictObject({ id: guid, document: hostDocumentSchema })),
  faults: z.strictObject({
    next: count,
    clears: count,
    armed: z.array(z.strictObject({
      order: count,
      on: z.string(),
      nth: z.int().min(1),
      seen: count,
      action: z.unknown(),
    })),
  }),
  latency: z.unknown(),
  randomState: z.int().min(0).max(0xffff_ffff),
});

function bad(reason: string): never {
  throw new InvalidArgumentError("state", reason);
}

function unique(ids: readonly string[], what: string): void {
  const seen = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) bad(`${what} ${id} appears twice`);
    seen.add(id);
  }
}

/**
 * Validates a host's state (structure, IDs, and that it could have come
 * about: nothing in a stopped VM or a disconnected guest, faults in order).
 * Throws `InvalidArgumentError` naming the first bad field.
 */
export function parseHostState(input: unknown): SimulatedHostState {
  const parsed = stateSchema.safeParse(input);
  if (!parsed.success) bad(describeIssue(parsed.error, "state"));
  const s = parsed.data;
  const key = (doc: { ID: string }) => normalizeGuid(doc.ID) ?? doc.ID;
  unique(s.namespaces.map(key), "namespace");
  unique(s.endpoints.map(key), "endpoint");
  unique(s.vmNics.map((n) => n.id), "VM NIC");
  unique(s.guestAdapters.map((a) => a.id), "guest adapter");
  unique(s.guestNamespaces.map((n) => n.id), "guest namespace");
  for (const n of s.guestNamespaces) {
    if (key(n.document) !== n.id) {
      bad(`guest namespace ${n.id} holds the document of ${n.document.ID}`);
    }
  }
  if (!s.vmRunning && (s.vmNics.length > 0 || s.guestConnected)) {
    bad("a stopped VM has no NICs and no guest connection");
  }
  if (!s.guestConnected && (s.guestAdapters.length > 0 || s.guestNamespaces.length > 0)) {
    bad("a disconnected guest has no adapters and no namespaces");
  }
  let previous = -1;
  for (const f of s.faults.armed) {
    if (f.order <= previous || f.order >= s.faults.next) {
      bad("faults.armed: orders must rise and stay below faults.next");
    }
    previous = f.order;
  }
  return s as SimulatedHostState;
}

function stored(doc: JsonObject): StoredDocument {
  const text = JSON.stringify(doc);
  return { id: String(doc["ID"]), text, doc: JSON.parse(text) };
}

/**
 * Replaces the world's HCN objects, VM and guest, the fault queue and the
 * random generator's state with a validated state's. Handles, the trace and
 * the request logs stay (they belong to this process). The guest platform,
 * VM ID and capability are the world's own and must match.
 */
export function loadHostState(
  s: SimulatedHostState,
  world: World,
  faults: FaultQueue,
  latency: LatencyModel,
): void {
  if (
    s.guest !== world.guest || s.vmId !== world.vmId ||
    s.namespaceAddRequestSupported !== world.namespaceAddRequestSupported
  ) {
    bad("the guest platform, VM ID and capability cannot change");
  }
  faults.loadState(s.faults);
  latency.randomState = s.randomState;
  world.vmRunning = s.vmRunning;
  world.vmPaused = s.vmRunning && s.vmPaused === true;
  world.guestConnected = s.guestConnected;
  world.namespaces.clear();
  for (const doc of s.namespaces) {
    world.namespaces.set(normalizeGuid(String(doc["ID"])) ?? "", stored(doc));
  }
  world.endpoints.clear();
  for (const doc of s.endpoints) {
    world.endpoints.set(normalizeGuid(String(doc["ID"])) ?? "", stored(doc));
  }
  world.vmNics.clear();
  for (const n of s.vmNics) {
    world.vmNics.set(n.id, {
      id: n.id,
      endpointId: n.endpointId,
      macAddress: n.macAddress,
      iovSettings: n.iovSettings === undefined ? undefined : { ...n.iovSettings },
    });
  }
  world.guestAdapters.clear();
  for (const a of s.guestAdapters) {
    world.guestAdapters.set(a.id, {
      id: a.id,
      state: a.state,
      namespaceId: a.namespaceId,
      ...(a.dnsSearch === undefined ? {} : { dnsSearch: a.dnsSearch.slice() }),
    });
  }
  world.guestNamespaces.clear();
  for (const n of s.guestNamespaces) world.guestNamespaces.set(n.id, structuredClone(n.document));
}

/** The world, fault queue and latency model as one plain state (deep copies). */
export function exportHostState(
  world: World,
  faults: FaultQueue,
  latency: LatencyModel,
): SimulatedHostState {
  return {
    schemaVersion: 1,
    guest: world.guest,
    vmId: world.vmId,
    namespaceAddRequestSupported: world.namespaceAddRequestSupported,
    vmRunning: world.vmRunning,
    ...(world.vmPaused ? { vmPaused: true } : {}),
    guestConnected: world.guestConnected,
    namespaces: [...world.namespaces.values()].map((d) => JSON.parse(d.text)),
    endpoints: [...world.endpoints.values()].map((d) => JSON.parse(d.text)),
    vmNics: [...world.vmNics.values()].map((n) => ({
      id: n.id,
      endpointId: n.endpointId,
      ...(n.macAddress === undefined ? {} : { macAddress: n.macAddress }),
      ...(n.iovSettings === undefined ? {} : { iovSettings: { ...n.iovSettings } }),
    })),
    guestAdapters: [...world.guestAdapters.values()].map((a) => ({
      id: a.id,
      state: a.state,
      ...(a.namespaceId === undefined ? {} : { namespaceId: a.namespaceId }),
      ...(a.dnsSearch === undefined ? {} : { dnsSearch: a.dnsSearch.slice() }),
    })),
    guestNamespaces: [...world.guestNamespaces].map(([id, document]) => ({
      id,
      document: structuredClone(document),
    })),
    faults: faults.exportState(),
    latency: latency.spec === undefined ? null : structuredClone(latency.spec),
    randomState: latency.randomState,
  };
}
