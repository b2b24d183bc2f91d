import type { z } from "zod";
import type { JsonObject } from "../../../ports/json.ts";
import { HRESULT } from "../hresult.ts";
import {
  describeIssue,
  hcnDocumentSchema,
  lcowAdapterSchema,
  lcowRemoveSchema,
  wcowNetworkAddSchema,
  wcowNetworkRemoveSchema,
} from "./_documents.ts";
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

function requireVmNic(world: World, nicId: string, action: string): void {
  if (!world.vmNics.has(nicId)) {
    throw fail(
      HRESULT.ERROR_NOT_FOUND,
      `Cannot ${action} adapter ${nicId} in the guest: the VM has no NIC ${nicId}`,
    );
  }
}

function lcowNetwork(world: World, request: GuestRequest): void {
  if (request.RequestType === "Add") {
    const adapter = parse(lcowAdapterSchema, request.Settings, "LCOW network adapter");
    requireVmNic(world, adapter.ID, "add");
    if (world.guestAdapters.has(adapter.ID)) {
      throw fail(
        HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
        `Cannot add adapter ${adapter.ID} in the guest: it is already added`,
      );
    }
    world.guestAdapters.set(adapter.ID, {
      id: adapter.ID,
      state: "added",
      namespaceId: adapter.NamespaceID,
    });
    return;
  }
  const target = parse(lcowRemoveSchema, request.Settings, "LCOW network remove");
  const existing = world.guestAdapters.get(target.ID);
  if (existing === undefined || existing.namespaceId !== target.NamespaceID) {
    throw fail(
      HRESULT.ERROR_NOT_FOUND,
      `Cannot remove adapter ${target.ID} in the guest: namespace ${target.NamespaceID} ` +
        `has no such adapter`,
    );
  }
  world.guestAdapters.delete(target.ID);
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
  requireVmNic(world, id, "add");
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
  if (request.RequestType === "Update") {
    throw fail(HRESULT.E_NOTIMPL, `The simulated guest does not model ${resource} Update`);
  }
  if (world.guest === "lcow") lcowNetwork(world, request);
  else if (resource === "NetworkNamespace") wcowNamespace(world, request);
  else wcowNetwork(world, request);
}
