/**
 * The host side: the HCN namespace CNI prepared for the pod and its
 * endpoints, as validated domain values.
 *
 * @module
 */
import type { CallOptions } from "./call_options.ts";
import type { JsonObject, JsonValue } from "./json.ts";

/**
 * One IP configuration of an endpoint.
 *
 * @example
 * ```ts
 * import type { IpConfiguration } from "@podnet/hcs/ports";
 * const ip: IpConfiguration = { ipAddress: "10.0.0.5", prefixLength: 24 };
 * ```
 */
export interface IpConfiguration {
  /** The address (IPv4 or IPv6). */
  readonly ipAddress: string;
  /** The prefix length: 0..32 for IPv4, 0..128 for IPv6. */
  readonly prefixLength: number;
}

/**
 * One route of an endpoint.
 *
 * @example
 * ```ts
 * import type { Route } from "@podnet/hcs/ports";
 * const r: Route = { nextHop: "10.0.0.1", destinationPrefix: "0.0.0.0/0", metric: 0 };
 * ```
 */
export interface Route {
  /** The gateway; empty for an on-link route. */
  readonly nextHop: string;
  /** The destination, in CIDR form. */
  readonly destinationPrefix: string;
  /** The metric (u16); 0 when HNS omitted it. */
  readonly metric: number;
}

/**
 * DNS settings of an endpoint, as HNS reports them (not canonicalized).
 *
 * @example
 * ```ts
 * import type { DnsSettings } from "@podnet/hcs/ports";
 * const dns: DnsSettings = { domain: "svc.cluster.local", search: [], serverList: ["10.0.0.10"], options: [] };
 * ```
 */
export interface DnsSettings {
  /** The DNS domain; empty when absent. */
  readonly domain: string;
  /** The search list. */
  readonly search: readonly string[];
  /** The servers. */
  readonly serverList: readonly string[];
  /** resolv.conf options. */
  readonly options: readonly string[];
}

/**
 * One endpoint policy; `settings` is free-form per `type`.
 *
 * @example
 * ```ts
 * import type { EndpointPolicy } from "@podnet/hcs/ports";
 * const p: EndpointPolicy = { type: "EncapOverhead", settings: { Overhead: 50 } };
 * ```
 */
export interface EndpointPolicy {
  /** The policy type, e.g. "EncapOverhead". */
  readonly type: string;
  /** Its settings, as HNS wrote them. */
  readonly settings: JsonValue | undefined;
}

/**
 * A host HCN endpoint.
 *
 * @example
 * ```ts
 * import type { HostEndpoint } from "@podnet/hcs/ports";
 * const ep: HostEndpoint = {
 *   id: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d", name: "pod_eth0",
 *   ipConfigurations: [], routes: [], policies: [], document: {},
 * };
 * ```
 */
export interface HostEndpoint {
  /** The endpoint's GUID, lower case. */
  readonly id: string;
  /** The endpoint's name ("<container-id>_eth0"); empty when absent. */
  readonly name: string;
  /** The MAC address ("00-15-5D-52-C0-0A"), when HNS gave one. */
  readonly macAddress?: string;
  /** IP configurations. */
  readonly ipConfigurations: readonly IpConfiguration[];
  /** DNS settings, when HNS gave any. */
  readonly dns?: DnsSettings;
  /** Routes. */
  readonly routes: readonly Route[];
  /** Policies. */
  readonly policies: readonly EndpointPolicy[];
  /**
   * The encapsulation overhead of its `EncapOverhead` policy (bytes, u16),
   * when it has one.
   */
  readonly encapOverhead?: number;
  /** The endpoint document exactly as HNS returned it. */
  readonly document: JsonObject;
}

/**
 * A host HCN namespace.
 *
 * @example
 * ```ts
 * import type { HostNamespace } from "@podnet/hcs/ports";
 * const ns: HostNamespace = { id: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", endpointIds: [], document: {} };
 * ```
 */
export interface HostNamespace {
  /** The namespace's GUID, lower case. */
  readonly id: string;
  /** IDs of its endpoints, lower case, in the order HNS listed them (duplicates kept). */
  readonly endpointIds: readonly string[];
  /** The namespace document exactly as HNS returned it. */
  readonly document: JsonObject;
}

/**
 * Port: reads the host's network objects. A missing object is a
 * `NotFoundError`; malformed host data is an error naming the field.
 *
 * @example
 * ```ts
 * import type { HostNetwork } from "@podnet/hcs/ports";
 * async function endpointNames(host: HostNetwork, nsId: string): Promise<string[]> {
 *   const ns = await host.getNamespace(nsId);
 *   return (await Promise.all(ns.endpointIds.map((id) => host.getEndpoint(id)))).map((e) => e.name);
 * }
 * ```
 */
export interface HostNetwork {
  /** Reads one namespace by GUID. */
  getNamespace(namespaceId: string, options?: CallOptions): Promise<HostNamespace>;
  /** Reads one endpoint by GUID. */
  getEndpoint(endpointId: string, options?: CallOptions): Promise<HostEndpoint>;
}
