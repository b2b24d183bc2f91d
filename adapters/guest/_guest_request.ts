/**
 * Shared pieces of the guest adapters: the `GuestRequest` envelope and ID
 * validation.
 *
 * @module
 */
import { InvalidArgumentError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonObject, JsonValue } from "../../ports/json.ts";

/** The guest resource types podnet sends. */
export type GuestResourceType = "Network" | "NetworkNamespace";

/** Wraps a guest modification request as a whole HcsModifyComputeSystem document. */
export function guestRequest(
  resourceType: GuestResourceType,
  requestType: "Add" | "Remove",
  settings: JsonValue,
): JsonObject {
  return {
    GuestRequest: { ResourceType: resourceType, RequestType: requestType, Settings: settings },
  };
}

/** The canonical form of a GUID argument, or an `InvalidArgumentError`. */
export function requireGuid(argument: string, value: unknown): string {
  const id = typeof value === "string" ? normalizeGuid(value) : undefined;
  if (id === undefined) throw new InvalidArgumentError(argument, "not a GUID");
  return id;
}

/** Only the signal of the caller's options (nothing else is passed on). */
export function signalOnly(options: CallOptions | undefined): CallOptions {
  return options?.signal ? { signal: options.signal } : {};
}
