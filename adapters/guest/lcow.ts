/**
 * The `GuestNetwork` port for a Linux guest (LCOW); its documents are described in docs/architecture.md.
 *
 * @module
 */
import type { CallOptions } from "../../ports/call_options.ts";
import type {
  EndpointShare,
  GuestNamespace,
  GuestNetwork,
  GuestNic,
  GuestNicConfig,
} from "../../ports/guest_network.ts";
import type { HostEndpoint } from "../../ports/host_network.ts";
import type { JsonObject } from "../../ports/json.ts";
import { HResultError, InvalidHostDataError } from "../../domain/errors.ts";
import { HRESULT } from "../dll/hresult.ts";
import type { ComputeSystem } from "../hcs/compute_system.ts";
import { requireMethods, requireObject } from "../../domain/arguments.ts";
import { requireGuid } from "../../domain/guid.ts";
import { GatedGuestRequests } from "./_gated_requests.ts";
import type { GuestAdapterOptions } from "./guest_adapter_options.ts";

/**
 * Builds the LCOW network adapter (the `Settings` of a guest "Network Add")
 * from a NIC and its host endpoint:
 * - `DNSSuffix`: `Dns.Domain` (when non-empty) then `Dns.Search`, lower case,
 *   comma-joined; `DNSServerList`: `Dns.ServerList` lower case, comma-joined
 *   (blank entries are skipped);
 * - `EncapOverhead`: the endpoint's `encapOverhead` (the last
 *   "EncapOverhead" policy, as hcsshim reads it; checked when the endpoint
 *   was read);
 * - `IPConfigs` and `Routes` copied; `PolicyBasedRouting` from the option;
 * - empty fields (empty strings and arrays, `false`, an overhead of 0) are
 *   omitted; `VPCIAssigned` and `EnableLowMetric` are never sent.
 *
 * The NIC and namespace IDs must be GUIDs (`InvalidArgumentError`); they are
 * written in canonical form.
 */
export function buildLcowAdapter(nic: GuestNicConfig): JsonObject {
  const nicId = requireGuid("nicId", nic.nicId);
  const namespaceId = requireGuid("namespaceId", nic.namespaceId);
  const endpoint = nic.endpoint;
  const adapter: JsonObject = { NamespaceID: namespaceId, ID: nicId };
  if (endpoint.macAddress) adapter.MacAddress = endpoint.macAddress;

  const dns = endpoint.dns;
  const suffixes = searchDomains(endpoint);
  if (suffixes.length > 0) adapter.DNSSuffix = suffixes.join(",");
  const servers = lowerNonBlank(dns?.serverList ?? []);
  if (servers.length > 0) adapter.DNSServerList = servers.join(",");

  const overhead = endpoint.encapOverhead;
  if (overhead !== undefined && overhead > 0) adapter.EncapOverhead = overhead;

  const ipConfigs = endpoint.ipConfigurations.map((ip) => {
    const config: JsonObject = {};
    if (ip.ipAddress) config.IPAddress = ip.ipAddress;
    config.PrefixLength = ip.prefixLength;
    return config;
  });
  if (ipConfigs.length > 0) adapter.IPConfigs = ipConfigs;

  const routes = endpoint.routes.map((route) => {
    const entry: JsonObject = {};
    if (route.nextHop) entry.NextHop = route.nextHop;
    if (route.destinationPrefix) entry.DestinationPrefix = route.destinationPrefix;
    entry.Metric = route.metric;
    return entry;
  });
  if (routes.length > 0) adapter.Routes = routes;

  if (nic.policyBasedRouting) adapter.PolicyBasedRouting = true;
  return adapter;
}

/** The search domains an endpoint gives the guest: `Dns.Domain` first, then `Dns.Search`. */
function searchDomains(endpoint: HostEndpoint): string[] {
  const dns = endpoint.dns;
  return lowerNonBlank([...(dns?.domain ? [dns.domain] : []), ...(dns?.search ?? [])]);
}

/**
 * The most search domains the Linux guest writes into the pod's
 * resolv.conf. It merges the search domains of every NIC in the pod
 * (duplicates once) and fails the sandbox past this many
 * (hcsshim `internal/guest/runtime/hcsv2/sandbox_container.go`,
 * `internal/guest/network/network.go` `GenerateResolvConfContent`).
 */
const MAX_POD_SEARCH_DOMAINS = 6;

function lowerNonBlank(values: readonly string[]): string[] {
  return values.filter((value) => value.trim() !== "").map((value) => value.toLowerCase());
}

/**
 * `GuestNetwork` for a Linux guest. The pod namespace belongs to the pause
 * container, so the namespace steps and `prepare` do nothing. `attach` sends
 * a guest "Network Add" with the adapter of {@linkcode buildLcowAdapter};
 * `detach` a "Network Remove". Both are skipped (nothing is sent) when the
 * guest does not support namespace requests; that capability is read once.
 *
 * Errors: guest connection gone → `GuestUnavailableError`; VM gone →
 * `VmUnavailableError`; a NIC the guest does not know on `detach` →
 * `NotFoundError("guest NIC", nicId)`; a NIC or namespace ID that is not a
 * GUID → `InvalidArgumentError` (nothing is sent).
 */
export class LcowGuestNetwork implements GuestNetwork {
  /** Always "lcow". */
  readonly platform = "lcow" as const;
  readonly #requests: GatedGuestRequests;

  /**
   * Creates the adapter over the VM's compute system.
   *
   * @param system the utility VM's compute system
   * @param options the guest transport, when the runtime owns the guest connection
   */
  constructor(system: ComputeSystem, options: GuestAdapterOptions = {}) {
    const transport = requireObject("options", options).transport;
    if (transport !== undefined) {
      requireMethods("options.transport", transport, ["send", "capabilities"]);
    }
    this.#requests = new GatedGuestRequests(system, options.transport);
  }

  /** Does nothing (the pause container owns the namespace); resolves false. */
  addNamespace(_namespace: GuestNamespace, options: CallOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    return Promise.resolve(false);
  }

  /** Does nothing (the namespace goes with the pause container). */
  removeNamespace(_namespace: GuestNamespace, options: CallOptions = {}): Promise<void> {
    options.signal?.throwIfAborted();
    return Promise.resolve();
  }

  /** The endpoint's search domains, as the attach sends them: the pod's resolv.conf merges them. */
  podShare(endpoint: HostEndpoint): readonly string[] {
    return searchDomains(endpoint);
  }

  /**
   * Refuses a pod whose NICs together give the guest more than 6 distinct
   * search domains: each endpoint may be within the limit while the pod's
   * resolv.conf, which merges them all, is not.
   */
  checkPod(pod: readonly EndpointShare[]): void {
    const domains = new Set(pod.flatMap((e) => e.share));
    if (domains.size > MAX_POD_SEARCH_DOMAINS) {
      const ids = pod.map((e) => e.endpointId).join(", ");
      throw new InvalidHostDataError(
        `the endpoints ${ids} of one pod`,
        "Dns",
        `gives ${domains.size} search domains in all; the Linux guest writes at most ` +
          `${MAX_POD_SEARCH_DOMAINS} into the pod's resolv.conf`,
      );
    }
  }

  /** Does nothing on LCOW; resolves false. */
  prepare(_nic: GuestNicConfig, options: CallOptions = {}): Promise<boolean> {
    options.signal?.throwIfAborted();
    return Promise.resolve(false);
  }

  /**
   * Sends the guest "Network Add" (when the guest supports namespace
   * requests). The guest records the adapter before it configures the link
   * and keeps the record when configuring fails (hcsshim hcsv2/network.go
   * AddAdapter, then Sync), answering with a bare E_FAIL: such a failure is
   * `mayHaveApplied`, so an undo sends the "Network Remove" that clears the
   * record (a NIC added again under the same ID would be refused else).
   */
  async attach(nic: GuestNicConfig, options: CallOptions = {}): Promise<void> {
    const adapter = buildLcowAdapter(nic);
    const nicId = String(adapter.ID);
    try {
      await this.#requests.send({
        describe: `attach NIC ${nicId}`,
        resourceType: "Network",
        requestType: "Add",
        settings: adapter,
        gated: true,
        log: { nicId, endpointId: nic.endpointId },
      }, options);
    } catch (error) {
      if (error instanceof HResultError && error.hresult === HRESULT.E_FAIL) {
        throw new HResultError(error.call, error.hresult, error.record, {
          ...(error.cause === undefined ? {} : { cause: error.cause }),
          reportedSuccess: error.reportedSuccess,
          mayHaveApplied: true,
        });
      }
      throw error;
    }
  }

  /** Sends the guest "Network Remove" (when the guest supports namespace requests). */
  async detach(nic: GuestNic, options: CallOptions = {}): Promise<void> {
    const nicId = requireGuid("nicId", nic.nicId);
    const namespaceId = requireGuid("namespaceId", nic.namespaceId);
    await this.#requests.send({
      describe: `detach NIC ${nicId}`,
      resourceType: "Network",
      requestType: "Remove",
      settings: { NamespaceID: namespaceId, ID: nicId },
      gated: true,
      notFound: { kind: "guest NIC", id: nicId },
      log: { nicId, endpointId: nic.endpointId },
    }, options);
  }

  /** Reads the guest's capabilities now (changes nothing in the guest). */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.#requests.connect(options);
  }
}
