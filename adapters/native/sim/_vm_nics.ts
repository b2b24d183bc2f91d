import { normalizeGuid } from "../../../domain/guid.ts";
import { HRESULT } from "../hresult.ts";
import { describeIssue, vmNicSettingsSchema } from "./_documents.ts";
import { hcsFailure } from "./_records.ts";
import type { World } from "./_world.ts";

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

/** Applies a VM NIC add, remove or update to the world, or throws the HRESULT Windows would. */
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
      checkEndpoint(world, nicId, settings.EndpointId);
      existing.endpointId = settings.EndpointId;
      existing.macAddress = settings.MacAddress;
      return;
    }
  }
}
