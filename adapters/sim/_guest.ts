import type { z } from "zod";
import type { JsonObject } from "../../ports/json.ts";
import { HRESULT } from "../dll/hresult.ts";
import {
  describeIssue,
  goLcowAdapter,
  hcnDocumentSchema,
  lcowAdapterSchema,
  wcowNetworkAddSchema,
  wcowNetworkRemoveSchema,
} from "./_documents.ts";
import { linkFailure } from "./_lcow_link.ts";
import { hcsFailure } from "./_records.ts";
import type { World } from "./_world.ts";

const CALL = "HcsModifyComputeSystem";

/** A validated guest request (the GuestRequest of a modify document). */
export interface GuestRequest {
  readonly ResourceType: string;
  readonly RequestType: "Add" | "Remove" | "Update";
  readonly Settings?: unknown;
}

function fail(hresult: number, message: string): Error {
  return hcsFailure(CALL, hresult, message);
}

function parse<T>(schema: z.ZodType<T>, settings: unknown, what: string): T {
  const parsed = schema.safeParse(settings);
  if (!parsed.success) {
    throw fail(
      HRESULT.HCS_E_INVALID_JSON,
      `Invalid ${what}: ${describeIssue(parsed.error, "GuestRequest.Settings")}`,
    );
  }
  return parsed.data;
}

function requireVmNic(world: World, nicId: string): void {
  if (!world.vmNics.has(nicId)) {
    throw fail(
      HRESULT.ERROR_NOT_FOUND,
      `Cannot add adapter ${nicId} in the guest: the VM has no NIC ${nicId}`,
    );
  }
}

/** At most this many search domains in resolv.conf (hcsshim internal/guest/network/network.go maxDNSSearches). */
const MAX_DNS_SEARCHES = 6;

/**
 * A comma-separated list as the Linux guest reads it: split on commas, each
 * entry trimmed and lower-cased (hcsshim internal/guest/runtime/hcsv2/
 * network.go dnsConfig).
 */
function guestList(text: string | undefined): string[] {
  if (text === undefined || text.length === 0) return [];
  return text.split(",").map((entry) => entry.trim().toLowerCase());
}

/**
 * The search domains the adapter adds to its namespace's resolv.conf, which
 * holds those of all its adapters, unique; the guest refuses more than 6
 * (hcsv2/network.go dnsConfig; internal/guest/network/network.go
 * GenerateResolvConfContent) with its generic E_FAIL (hcsshim
 * internal/bridgeutils/commonutils falls back to HrFail for an error
 * without an HRESULT). The real guest fails when it writes resolv.conf for
 * the pod's sandbox; the simulator fails the add that makes the list too
 * long, before it records anything.
 */
function searchDomains(
  world: World,
  namespaceId: string,
  adapter: z.infer<typeof lcowAdapterSchema>,
): string[] {
  const search = guestList(adapter.DNSSuffix);
  const all = new Set(search);
  for (const other of world.guestAdapters.values()) {
    if (other.namespaceId !== namespaceId) continue;
    for (const domain of other.dnsSearch ?? []) all.add(domain);
  }
  if (all.size > MAX_DNS_SEARCHES) {
    throw fail(
      HRESULT.E_FAIL,
      `Cannot add adapter ${adapter.ID} in the guest: namespace ${namespaceId} ` +
        `would have ${all.size} DNS search domains: searches has more than ` +
        `${MAX_DNS_SEARCHES} domains`,
    );
  }
  return search;
}

function lcowNetwork(world: World, request: GuestRequest): void {
  // hcsv2/uvm.go modifyNetwork takes Add and Remove only; anything else is
  // "the RequestType %q is not supported", a plain error: E_FAIL.
  if (request.RequestType === "Update") {
    throw fail(HRESULT.E_FAIL, `the RequestType "Update" is not supported`);
  }
  const adapter = parse(lcowAdapterSchema, goLcowAdapter(request.Settings), `LCOW network adapter`);
  // The guest keys namespaces by their ID lower-cased (hcsv2/network.go
  // GetOrAddNetworkNamespace), matches adapter IDs regardless of case, and
  // finds a NIC's device under its ID lower-cased (network.go InstanceIDToName).
  const namespaceId = (adapter.NamespaceID ?? "").toLowerCase();
  const id = (adapter.ID ?? "").toLowerCase();
  if (request.RequestType === "Add") {
    // hcsv2/network.go AddAdapter: "adapter with id ... already present in
    // namespace", an error without HRESULT.
    if (world.guestAdapters.has(id)) {
      throw fail(HRESULT.E_FAIL, `Cannot add adapter ${id} in the guest: it is already present`);
    }
    // Then it looks for the NIC's device (internal/guest/network/network.go
    // InstanceIDToName), waiting up to 5 s for it to appear; an ID that names
    // no NIC of the VM (not a GUID, braces, another NIC) fails there, before
    // anything is recorded, with the generic E_FAIL. (The simulator fails at
    // once: the wait is not modelled.)
    if (!world.vmNics.has(id)) {
      throw fail(
        HRESULT.E_FAIL,
        `Cannot add adapter ${JSON.stringify(adapter.ID ?? "")} in the guest: timed out ` +
          `waiting for its device: the VM has no NIC of that ID`,
      );
    }
    const search = searchDomains(world, namespaceId, adapter);
    // AddAdapter records the adapter, then Sync configures the link
    // (netns.go); a link that cannot be configured fails the add and leaves
    // the record, which only a Remove clears.
    world.guestAdapters.set(id, {
      id,
      state: "added",
      namespaceId,
      ...(adapter.DNSSuffix === undefined ? {} : { dnsSearch: search }),
    });
    const link = linkFailure(adapter);
    if (link !== undefined) {
      throw fail(HRESULT.E_FAIL, `Cannot add adapter ${id} in the guest: ${link}`);
    }
    return;
  }
  // hcsv2/uvm.go modifyNetwork: a Remove for a namespace the guest does not
  // know succeeds ("namespace not found for adapter removal, skipping"), and
  // hcsv2/network.go RemoveAdapter returns no error for an adapter the
  // namespace does not hold.
  const existing = world.guestAdapters.get(id);
  if (existing !== undefined && existing.namespaceId === namespaceId) {
    world.guestAdapters.delete(id);
  }
}

function wcowNamespace(world: World, request: GuestRequest): void {
  const doc = parse(hcnDocumentSchema, request.Settings, "WCOW namespace document");
  if (request.RequestType === "Add") {
    if (world.guestNamespaces.has(doc.ID)) {
      throw fail(
        HRESULT.HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS,
        `Cannot add namespace ${doc.ID} in the guest: it already exists`,
      );
    }
    world.guestNamespaces.set(doc.ID, request.Settings as JsonObject);
    return;
  }
  if (!world.guestNamespaces.delete(doc.ID)) {
    throw fail(
      HRESULT.ERROR_NOT_FOUND,
      `Cannot remove namespace ${doc.ID} in the guest: it does not exist`,
    );
  }
}

function wcowNetwork(world: World, request: GuestRequest): void {
  if (request.RequestType === "Remove") {
    const { AdapterId } = parse(wcowNetworkRemoveSchema, request.Settings, "WCOW network remove");
    if (!world.guestAdapters.delete(AdapterId)) {
      throw fail(
        HRESULT.ERROR_NOT_FOUND,
        `Cannot remove adapter ${AdapterId} in the guest: it was neither pre-added nor added`,
      );
    }
    return;
  }
  const settings = parse(wcowNetworkAddSchema, request.Settings, "WCOW network add");
  const id = settings.AdapterId;
  const existing = world.guestAdapters.get(id);
  if (settings.RequestType === "PreAdd") {
    if (existing !== undefined) {
      throw fail(
        HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
        `Cannot pre-add adapter ${id} in the guest: it is already ${existing.state}`,
      );
    }
    world.guestAdapters.set(id, { id, state: "preadded", namespaceId: undefined });
    return;
  }
  if (existing === undefined) {
    throw fail(
      HRESULT.ERROR_NOT_FOUND,
      `Cannot add adapter ${id} in the guest: it was not pre-added`,
    );
  }
  if (existing.state === "added") {
    throw fail(
      HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
      `Cannot add adapter ${id} in the guest: it is already added`,
    );
  }
  requireVmNic(world, id);
  existing.state = "added";
}

/** Applies a guest request to the world, or throws the HRESULT Windows would. */
export function applyGuestRequest(world: World, request: GuestRequest): void {
  if (!world.guestConnected) {
    throw fail(
      HRESULT.HCS_E_CONNECTION_CLOSED,
      `Cannot send ${request.ResourceType} ${request.RequestType} to the guest: ` +
        `the guest connection is closed`,
    );
  }
  const resource = request.ResourceType;
  const known = resource === "Network" || resource === "NetworkNamespace";
  // Without the namespace capability a guest refuses namespace requests, and
  // an LCOW guest also its NIC requests; a WCOW guest still takes its NICs.
  const gated = resource === "NetworkNamespace" || world.guest === "lcow";
  if (
    !known || (world.guest === "lcow" && resource === "NetworkNamespace") ||
    (gated && !world.namespaceAddRequestSupported)
  ) {
    throw fail(
      HRESULT.HCS_E_UNKNOWN_MESSAGE,
      `The ${world.guest.toUpperCase()} guest does not support ${resource} requests`,
    );
  }
  if (world.guest === "lcow") {
    lcowNetwork(world, request);
    return;
  }
  if (request.RequestType === "Update") {
    throw fail(HRESULT.E_NOTIMPL, `The simulated guest does not model ${resource} Update`);
  }
  if (resource === "NetworkNamespace") wcowNamespace(world, request);
  else wcowNetwork(world, request);
}
