/**
 * A guest transport a runtime can own: how guest requests reach the guest
 * when the runtime holds the guest connection itself (hcsshim's own GCS
 * bridge for LCOW, `UseGuestConnection`) instead of leaving it to HCS. podnet
 * still builds the LCOW and WCOW request documents, gates them on the
 * guest's capabilities and maps the answers; the transport only carries them.
 *
 * @module
 */
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonValue } from "../../ports/json.ts";

/**
 * One guest modification request, exactly as podnet would put it in the
 * `GuestRequest` field of an HcsModifyComputeSystem document.
 *
 * @example
 * ```ts
 * import type { GuestModificationRequest } from "@podnet/hcs/ports";
 * const remove: GuestModificationRequest = {
 *   ResourceType: "Network",
 *   RequestType: "Remove",
 *   Settings: { NamespaceID: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", ID: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0" },
 * };
 * ```
 */
export interface GuestModificationRequest {
  /** `Network` (a NIC) or `NetworkNamespace` (WCOW's pod namespace). */
  readonly ResourceType: "Network" | "NetworkNamespace";
  /** `Add` or `Remove`. */
  readonly RequestType: "Add" | "Remove";
  /** The LCOW network adapter, the WCOW NIC request or the namespace document. */
  readonly Settings: JsonValue;
}

/**
 * What the guest declared about itself when its connection was made.
 *
 * @example
 * ```ts
 * import type { GuestCapabilities } from "@podnet/hcs/ports";
 * const caps: GuestCapabilities = { namespaceAddRequestSupported: true };
 * ```
 */
export interface GuestCapabilities {
  /** `IsNamespaceAddRequestSupported`: whether the guest takes namespace requests. */
  readonly namespaceAddRequestSupported: boolean;
}

/**
 * Carries guest requests over a connection the runtime owns.
 *
 * - `send` resolves when the guest has applied the request. It throws
 *   `GuestUnavailableError` when the connection is closed or was never made
 *   (the owner of the connection knows: podnet believes it), an
 *   `HResultError` with the guest's HRESULT when the guest refused (podnet
 *   turns "not found" into `NotFoundError`; the rest stays as it is), and
 *   anything else for an outcome it cannot tell (podnet then treats the step
 *   as possibly done). It should honour `options.signal`.
 * - `capabilities` answers what the guest declared; it throws
 *   `GuestUnavailableError` when there is no connection.
 *
 * Every call runs under the ports' time limit. Ordering the requests on the
 * connection is the transport's business (podnet sends one guest request at
 * a time per pod).
 *
 * @example Over a bridge of your own
 * ```ts
 * import { createPorts } from "@podnet/hcs";
 * import type { GuestTransport } from "@podnet/hcs/ports";
 * import { SimulatedHost } from "@podnet/hcs/sim";
 * declare const bridge: { rpc(method: string, body: unknown, signal?: AbortSignal): Promise<void> };
 * const transport: GuestTransport = {
 *   send: (request, options) => bridge.rpc("ModifySettings", request, options?.signal),
 *   capabilities: () => Promise.resolve({ namespaceAddRequestSupported: true }),
 * };
 * const host = new SimulatedHost({ guest: "lcow" });
 * using ports = createPorts({
 *   hcn: host.hcn,
 *   hcs: host.hcs,
 *   vmId: host.vmId,
 *   guest: "lcow",
 *   guestTransport: transport,
 * });
 * ```
 */
export interface GuestTransport {
  /** Sends one request to the guest. */
  send(request: GuestModificationRequest, options?: CallOptions): Promise<void>;
  /** The guest's capabilities. */
  capabilities(options?: CallOptions): Promise<GuestCapabilities>;
}
