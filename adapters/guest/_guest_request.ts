/**
 * Shared pieces of the guest adapters: the `GuestRequest` envelope and ID
 * validation.
 *
 * @module
 */
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";
import type { GuestModificationRequest } from "./guest_transport.ts";

/** The guest resource types podnet sends. */
export type GuestResourceType = "Network" | "NetworkNamespace";

/** Wraps a guest modification request as a whole HcsModifyComputeSystem document. */
export function guestRequest(
  resourceType: GuestResourceType,
  requestType: "Add" | "Remove",
  settings: JsonValue,
): { GuestRequest: GuestModificationRequest } & JsonObject {
  return {
    GuestRequest: { ResourceType: resourceType, RequestType: requestType, Settings: settings },
  };
}

/** Only the signal of the caller's options (nothing else is passed on). */
export function signalOnly(options: CallOptions | undefined): CallOptions {
  return options?.signal ? { signal: options.signal } : {};
}
