/**
 * The guest side: the pod's network namespace inside the utility VM and the
 * per-NIC phases.
 *
 * @module
 */
import type { CallOptions } from "./call_options.ts";
import type { HostEndpoint } from "./host_network.ts";
import type { JsonObject } from "./json.ts";

/**
 * The pod namespace as the guest is told about it.
 *
 * @example
 * ```ts
 * import type { GuestNamespace } from "@podnet/hcs/ports";
 * const ns: GuestNamespace = { id: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", document: {} };
 * ```
 */
export interface GuestNamespace {
  /** The HCN namespace GUID. */
  readonly id: string;
  /** The HCN namespace document captured at setup. */
  readonly document: JsonObject;
}

/**
 * What the guest needs to find a NIC again (enough for `detach`).
 *
 * @example
 * ```ts
 * import type { GuestNic } from "@podnet/hcs/ports";
 * const nic: GuestNic = {
 *   nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
 *   endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
 *   namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
 * };
 * ```
 */
export interface GuestNic {
  /** The NIC's GUID. */
  readonly nicId: string;
  /** The host endpoint's GUID. */
  readonly endpointId: string;
  /** The pod namespace's GUID. */
  readonly namespaceId: string;
}

/**
 * Everything the guest needs to configure a NIC (for `prepare` and `attach`).
 *
 * @example
 * ```ts
 * import type { GuestNicConfig, HostEndpoint } from "@podnet/hcs/ports";
 * declare const endpoint: HostEndpoint;
 * const cfg: GuestNicConfig = {
 *   nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0", endpointId: endpoint.id,
 *   namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", endpoint, policyBasedRouting: false,
 * };
 * ```
 */
export interface GuestNicConfig extends GuestNic {
  /** The host endpoint, as read at setup. */
  readonly endpoint: HostEndpoint;
  /** Whether the guest routes by policy (then NIC order decides routing). */
  readonly policyBasedRouting: boolean;
}

/**
 * One endpoint's share of what the guest merges for the whole pod, as
 * `GuestNetwork.podShare` gives it (the Linux guest: the endpoint's DNS
 * search domains, which go into the pod's one resolv.conf).
 *
 * @example
 * ```ts
 * import type { EndpointShare } from "@podnet/hcs/ports";
 * const share: EndpointShare = {
 *   endpointId: "8e3b1f2a-5c4d-4e6f-9a0b-1c2d3e4f5a6b",
 *   share: ["svc.cluster.local", "cluster.local"],
 * };
 * ```
 */
export interface EndpointShare {
  /** The host endpoint's ID. */
  readonly endpointId: string;
  /** What `podShare` gave for it. */
  readonly share: readonly string[];
}

/** The guest operating systems podnet drives. */
export type GuestPlatform = "lcow" | "wcow";

/**
 * Port: the guest. Which phases do real work, and whether the guest's
 * namespace capability gates them, is the adapter's business. A guest that
 * cannot be reached is a `GuestUnavailableError`; an adapter the guest does
 * not have is a `NotFoundError`.
 *
 * @example
 * ```ts
 * import type { GuestNetwork, GuestNicConfig } from "@podnet/hcs/ports";
 * async function plug(guest: GuestNetwork, nic: GuestNicConfig): Promise<void> {
 *   await guest.prepare(nic);
 *   // ... host hot-add here ...
 *   await guest.attach(nic);
 * }
 * ```
 */
export interface GuestNetwork {
  /** The guest's platform. */
  readonly platform: GuestPlatform;
  /** Creates the pod namespace in the guest. Returns false when it had nothing to do. */
  addNamespace(namespace: GuestNamespace, options?: CallOptions): Promise<boolean>;
  /** Removes the pod namespace from the guest. */
  removeNamespace(namespace: GuestNamespace, options?: CallOptions): Promise<void>;
  /** Before the host hot-add. Returns false when it had nothing to do. */
  prepare(nic: GuestNicConfig, options?: CallOptions): Promise<boolean>;
  /** After the host hot-add: moves the NIC into the pod namespace. */
  attach(nic: GuestNicConfig, options?: CallOptions): Promise<void>;
  /** Takes the NIC out of the guest (undoes `attach` and `prepare`). */
  detach(nic: GuestNic, options?: CallOptions): Promise<void>;
  /**
   * Optional: gets ready for requests without changing the guest (opens the
   * connection, reads capabilities). Setup and reset call it while they read
   * the host, so the first guest step need not wait for it; a failure here is
   * ignored (the step that needs the guest reports it).
   */
  connect?(options?: CallOptions): Promise<void>;
  /**
   * Optional, together with `checkPod`: what of one endpoint the guest
   * merges for the whole pod (the Linux guest: its search domains). The
   * controller keeps it with the NIC's binding while it runs, so a NIC added
   * later is checked against the pod without reading every other endpoint
   * again.
   */
  podShare?(endpoint: HostEndpoint): readonly string[];
  /**
   * Optional, together with `podShare`: refuses the pod's endpoints, taken
   * together, when the guest would fail on them as a whole (throws
   * `InvalidHostDataError`). Setup, the migration reset, `sync()` and
   * `addEndpoint()` call it with the share of every endpoint the pod will
   * hold, before the VM is touched.
   */
  checkPod?(pod: readonly EndpointShare[]): void;
}
