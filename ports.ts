/**
 * `@podnet/hcs/ports`: the ports of the hexagon, for people who write an
 * adapter of their own. The controller drives four of them through
 * `NetworkPorts`: the host network (HCN), the VM's NICs (HCS), the guest's
 * network, and a store for its records; `GuestTransport` carries guest
 * requests when the runtime owns the guest connection. Beside them, the
 * rules an adapter must agree on with the controller: how a snapshot is
 * checked and how record changes apply (for stores), how NIC IDs are
 * derived and endpoints ordered.
 *
 * An application needs none of this: `createPorts()` and
 * `createWindowsPorts()` in `@podnet/hcs` build the ports.
 *
 * @example A guest network that only records what it is asked
 * ```ts
 * import type { GuestNetwork, GuestNicConfig } from "@podnet/hcs/ports";
 *
 * const attached: GuestNicConfig[] = [];
 * const guest: GuestNetwork = {
 *   platform: "lcow",
 *   addNamespace: () => Promise.resolve(true),
 *   removeNamespace: () => Promise.resolve(),
 *   prepare: () => Promise.resolve(false),
 *   attach: (nic) => {
 *     attached.push(nic);
 *     return Promise.resolve();
 *   },
 *   detach: () => Promise.resolve(),
 * };
 * ```
 *
 * @module
 */

// What the controller drives
export type { NetworkPorts } from "./ports/network_ports.ts";
export type { CallOptions } from "./ports/call_options.ts";
export type { JsonObject, JsonValue } from "./ports/json.ts";
export type {
  DnsSettings,
  EndpointPolicy,
  HostEndpoint,
  HostNamespace,
  HostNetwork,
  IpConfiguration,
  Route,
} from "./ports/host_network.ts";
export type { VmNetwork, VmNic } from "./ports/vm_network.ts";
export type {
  EndpointShare,
  GuestNamespace,
  GuestNetwork,
  GuestNic,
  GuestNicConfig,
  GuestPlatform,
} from "./ports/guest_network.ts";
export type {
  GuestCapabilities,
  GuestModificationRequest,
  GuestTransport,
} from "./adapters/guest/guest_transport.ts";

// Stores
export type { StateStore } from "./ports/state_store.ts";
export { applyRecordChanges, parseRecordChanges } from "./domain/record_change.ts";
export type { RecordChange } from "./domain/record_change.ts";
export { MAX_SNAPSHOT_DEPTH, parseSnapshot, RECORDED_OPERATIONS } from "./domain/snapshot.ts";
export type { RecordedOperationName, Snapshot } from "./domain/snapshot.ts";
// What a snapshot and a record change hold (also in @podnet/hcs)
export type { NicBinding, NicIov, StepProgress } from "./domain/binding.ts";
export { INTERRUPT_MODERATIONS } from "./domain/iov.ts";
export type { InterruptModeration, IovSettings } from "./domain/iov.ts";
export type { NicStep } from "./domain/steps.ts";
export { CONTROLLER_STATES } from "./domain/state.ts";
export type { ControllerState } from "./domain/state.ts";

// NIC IDs and order
export { deriveNicId, NIC_ID_NAMESPACE } from "./domain/nic_id.ts";
export { ethIndex, orderEndpoints } from "./domain/endpoint_order.ts";
