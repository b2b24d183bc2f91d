import { normalizeGuid } from "../../domain/guid.ts";
import { HRESULT } from "../dll/hresult.ts";
import { describeIssue, vmNicSettingsSchema } from "./_documents.ts";
import { hcsFailure } from "./_records.ts";
import type { JsonObject } from "../../ports/json.ts";
import { applyGuestRequest, type GuestRequest } from "./_guest.ts";
import type { NicIovSettings, World } from "./_world.ts";

/** The resource path of a VM NIC, before its GUID. */
export const NIC_PATH_PREFIX = "VirtualMachine/Devices/NetworkAdapters/";

const CALL = "HcsModifyComputeSystem";

/** A validated host-side request (the document had a ResourcePath). */
export interface HostRequest {
  readonly ResourcePath: string;
  readonly RequestType: "Add" | "Remove" | "Update";
  readonly Settings?: unknown;
}

function settingsOf(request: HostRequest, nicId: string) {
  if (request.Settings === undefined) {
    throw hcsFailure(
      CALL,
      HRESULT.HCS_E_INVALID_JSON,
      `Invalid settings of NIC ${nicId}: Settings: a NIC ${request.RequestType} needs Settings`,
    );
  }
  const parsed = vmNicSettingsSchema.safeParse(request.Settings);
  if (!parsed.success) {
    throw hcsFailure(
      CALL,
      HRESULT.HCS_E_INVALID_JSON,
      `Invalid settings of NIC ${nicId}: ${describeIssue(parsed.error, "Settings")}`,
    );
  }
  return parsed.data;
}

function checkEndpoint(world: World, nicId: string, endpointId: string): void {
  if (!world.endpoints.has(endpointId)) {
    throw hcsFailure(
      CALL,
      HRESULT.HCN_E_ENDPOINT_NOT_FOUND,
      `Cannot attach NIC ${nicId}: the endpoint ${endpointId} was not found`,
    );
  }
  for (const nic of world.vmNics.values()) {
    if (nic.id !== nicId && nic.endpointId === endpointId) {
      throw hcsFailure(
        CALL,
        HRESULT.HCN_E_ENDPOINT_ALREADY_ATTACHED,
        `Cannot attach NIC ${nicId}: the endpoint ${endpointId} is attached to NIC ${nic.id}`,
      );
    }
  }
}

/** Settings' IOV fields merged over the NIC's (a field left out keeps its value). */
function mergedIov(
  before: NicIovSettings | undefined,
  given: { [K in keyof NicIovSettings]?: NicIovSettings[K] | undefined } | undefined,
): NicIovSettings | undefined {
  if (given === undefined) return before;
  const merged: NicIovSettings = { ...before };
  if (given.OffloadWeight !== undefined) merged.OffloadWeight = given.OffloadWeight;
  if (given.QueuePairsRequested !== undefined) {
    merged.QueuePairsRequested = given.QueuePairsRequested;
  }
  if (given.InterruptModeration !== undefined) {
    merged.InterruptModeration = given.InterruptModeration;
  }
  return merged;
}

/**
 * Applies a VM NIC add, remove or update to the world, or throws the HRESULT
 * Windows would.
 *
 * Settings follow HCS's NetworkAdapter (hcsshim
 * internal/hcs/schema2/network_adapter.go): `EndpointId`, `MacAddress` and
 * `IovSettings` are each optional in the schema. An Add needs an endpoint
 * (a NIC is the VM's port on one; hcsshim always sends it). An Update needs
 * Settings (hcsshim internal/vm/vmmanager/network.go refuses nil ones) and
 * changes only the fields it carries. A Remove or Update of a NIC the VM does
 * not have fails with ERROR_NOT_FOUND 0x80070490, the code hcsshim names
 * `ErrElementNotFound`, "the object being referenced does not exist"
 * (internal/hcs/errors.go).
 */
export function applyHostRequest(world: World, request: HostRequest): void {
  const path = request.ResourcePath;
  const nicId = path.startsWith(NIC_PATH_PREFIX)
    ? normalizeGuid(path.slice(NIC_PATH_PREFIX.length))
    : undefined;
  if (nicId === undefined) {
    throw hcsFailure(
      CALL,
      HRESULT.E_INVALIDARG,
      `Invalid ResourcePath ${JSON.stringify(path)}: ` +
        `expected ${NIC_PATH_PREFIX}<nic-guid>`,
    );
  }
  const existing = world.vmNics.get(nicId);
  switch (request.RequestType) {
    case "Add": {
      const settings = settingsOf(request, nicId);
      if (settings.EndpointId === undefined) {
        throw hcsFailure(
          CALL,
          HRESULT.HCS_E_INVALID_JSON,
          `Invalid settings of NIC ${nicId}: Settings.EndpointId: a NIC add needs an endpoint`,
        );
      }
      if (existing !== undefined) {
        throw hcsFailure(
          CALL,
          HRESULT.ERROR_ALREADY_EXISTS,
          `Cannot add NIC ${nicId}: the VM already has it`,
        );
      }
      checkEndpoint(world, nicId, settings.EndpointId);
      world.vmNics.set(nicId, {
        id: nicId,
        endpointId: settings.EndpointId,
        macAddress: settings.MacAddress,
        iovSettings: mergedIov(undefined, settings.IovSettings),
      });
      return;
    }
    case "Remove": {
      if (request.Settings !== undefined) settingsOf(request, nicId);
      if (existing === undefined) {
        throw hcsFailure(
          CALL,
          HRESULT.ERROR_NOT_FOUND,
          `Cannot remove NIC ${nicId}: the VM does not have it`,
        );
      }
      world.vmNics.delete(nicId);
      return;
    }
    case "Update": {
      const settings = settingsOf(request, nicId);
      if (existing === undefined) {
        throw hcsFailure(
          CALL,
          HRESULT.ERROR_NOT_FOUND,
          `Cannot update NIC ${nicId}: the VM does not have it`,
        );
      }
      if (settings.EndpointId !== undefined) {
        checkEndpoint(world, nicId, settings.EndpointId);
        existing.endpointId = settings.EndpointId;
      }
      if (settings.MacAddress !== undefined) existing.macAddress = settings.MacAddress;
      existing.iovSettings = mergedIov(existing.iovSettings, settings.IovSettings);
      return;
    }
  }
}

/**
 * Applies a host request that carries a GuestRequest too, as one: hcsshim's
 * legacy path sends a NIC's hot-add or hot-remove and its guest request in
 * one ModifySettingRequest (internal/uvm/network.go addNIC, removeNIC), and
 * real hosts take it. The NIC comes before its guest adapter on an Add and
 * goes after it on a Remove; when either part fails, neither is applied.
 */
export function applyHostAndGuest(world: World, host: HostRequest, guest: GuestRequest): void {
  const vmNics = [...world.vmNics.values()].map((n) => structuredClone(n));
  const adapters = [...world.guestAdapters.values()].map((a) => structuredClone(a));
  const namespaces: [string, JsonObject][] = [...world.guestNamespaces].map((
    [id, doc],
  ) => [id, structuredClone(doc)]);
  try {
    if (host.RequestType === "Remove") {
      applyGuestRequest(world, guest);
      applyHostRequest(world, host);
    } else {
      applyHostRequest(world, host);
      applyGuestRequest(world, guest);
    }
  } catch (error) {
    world.vmNics.clear();
    for (const n of vmNics) world.vmNics.set(n.id, n);
    world.guestAdapters.clear();
    for (const a of adapters) world.guestAdapters.set(a.id, a);
    world.guestNamespaces.clear();
    for (const [id, doc] of namespaces) world.guestNamespaces.set(id, doc);
    throw error;
  }
}
