/**
 * The `GuestNetwork` port for a Windows guest (WCOW); its documents are described in docs/architecture.md.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonObject } from "../../ports/json.ts";
import type { HostNetwork } from "../../ports/host_network.ts";
import type {
  GuestNamespace,
  GuestNetwork,
  GuestNic,
  GuestNicConfig,
} from "../../ports/guest_network.ts";
import type { ComputeSystem } from "../hcs/compute_system.ts";
import { requireMethods, requireObject } from "../../domain/arguments.ts";
import { InvalidHostDataError, NotFoundError } from "../../domain/errors.ts";
import { requireGuid } from "../../domain/guid.ts";
import { GatedGuestRequests } from "./_gated_requests.ts";
import type { GuestAdapterOptions } from "./guest_adapter_options.ts";
import { wcowEndpointDocument, wcowNamespaceDocument } from "./_wcow_documents.ts";

const logger = getLogger(["podnet", "guest"]);

/**
 * `GuestNetwork` for a Windows guest. The namespace steps are gated by the
 * guest's namespace capability (read once): without it they send nothing and
 * `addNamespace` resolves false. The NIC steps are always sent (a WCOW guest
 * must be told about every NIC), and `prepare` resolves true.
 * - `addNamespace`/`removeNamespace`: guest "NetworkNamespace Add/Remove"
 *   with the HCN namespace document; before the remove the namespace is read
 *   again from `options.hostNetwork` when given (a namespace the host no
 *   longer has, or can no longer parse, goes with the recorded document);
 * - `prepare`: guest "Network Add" `{AdapterId, RequestType: "PreAdd", Settings: <endpoint document>}`;
 *
 * The namespace and endpoint documents go out as hcsshim sends them: only
 * the fields of its schema types (hcn `HostComputeNamespace`,
 * `HostComputeEndpoint`), in HCS's casing, whatever else HNS wrote.
 * - `attach`: guest "Network Add" `{AdapterId, RequestType: "Add"}`;
 * - `detach`: guest "Network Remove" `{AdapterId, RequestType: "Remove"}`.
 *
 * Errors: guest connection gone → `GuestUnavailableError`; VM gone →
 * `VmUnavailableError`; "not found" on `detach` / `removeNamespace` →
 * `NotFoundError("guest NIC" | "guest namespace", id)`; an ID that is not a
 * GUID → `InvalidArgumentError` (nothing is sent).
 */
export class WcowGuestNetwork implements GuestNetwork {
  /** Always "wcow". */
  readonly platform = "wcow" as const;
  readonly #requests: GatedGuestRequests;
  readonly #hostNetwork: Pick<HostNetwork, "getNamespace"> | undefined;

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
    const hostNetwork = options.hostNetwork;
    if (hostNetwork !== undefined) {
      requireMethods("options.hostNetwork", hostNetwork, ["getNamespace"]);
    }
    this.#requests = new GatedGuestRequests(system, options.transport);
    this.#hostNetwork = hostNetwork;
  }

  /** Sends the guest "NetworkNamespace Add" when supported; resolves whether it did. */
  async addNamespace(namespace: GuestNamespace, options: CallOptions = {}): Promise<boolean> {
    const namespaceId = requireGuid("namespaceId", namespace.id);
    return await this.#requests.send({
      describe: `add namespace ${namespaceId} to the guest`,
      resourceType: "NetworkNamespace",
      requestType: "Add",
      settings: wcowNamespaceDocument(namespaceId, namespace.document),
      gated: true,
      log: { namespaceId },
    }, options);
  }

  /** Sends the guest "NetworkNamespace Remove" when supported. */
  async removeNamespace(namespace: GuestNamespace, options: CallOptions = {}): Promise<void> {
    const namespaceId = requireGuid("namespaceId", namespace.id);
    await this.#requests.send({
      describe: `remove namespace ${namespaceId} from the guest`,
      resourceType: "NetworkNamespace",
      requestType: "Remove",
      settings: (o) => this.#namespaceNow(namespaceId, namespace.document, o),
      gated: true,
      notFound: { kind: "guest namespace", id: namespaceId },
      log: { namespaceId },
    }, options);
  }

  /**
   * The namespace document for its removal from the guest: read afresh from
   * the host, or the recorded one when the host no longer has it (or it no
   * longer parses: a teardown must not wait for a repaired document).
   */
  async #namespaceNow(
    namespaceId: string,
    recorded: JsonObject,
    options: CallOptions,
  ): Promise<JsonObject> {
    if (this.#hostNetwork === undefined) return wcowNamespaceDocument(namespaceId, recorded);
    try {
      const fresh = await this.#hostNetwork.getNamespace(namespaceId, options);
      return wcowNamespaceDocument(namespaceId, fresh.document);
    } catch (error) {
      if (!(error instanceof NotFoundError) && !(error instanceof InvalidHostDataError)) {
        throw error;
      }
      logger.info(
        "Removing namespace {namespaceId} from the guest with its recorded document: {reason}",
        { namespaceId, reason: error.message },
      );
      return wcowNamespaceDocument(namespaceId, recorded);
    }
  }

  /** Sends the guest pre-add; resolves true. */
  async prepare(nic: GuestNicConfig, options: CallOptions = {}): Promise<boolean> {
    const nicId = requireGuid("nicId", nic.nicId);
    return await this.#requests.send({
      describe: `prepare NIC ${nicId}`,
      resourceType: "Network",
      requestType: "Add",
      settings: {
        AdapterId: nicId,
        RequestType: "PreAdd",
        Settings: wcowEndpointDocument(nic.endpoint),
      },
      gated: false,
      log: { nicId, endpointId: nic.endpointId },
    }, options);
  }

  /** Sends the guest add. */
  async attach(nic: GuestNicConfig, options: CallOptions = {}): Promise<void> {
    const nicId = requireGuid("nicId", nic.nicId);
    await this.#requests.send({
      describe: `attach NIC ${nicId}`,
      resourceType: "Network",
      requestType: "Add",
      settings: { AdapterId: nicId, RequestType: "Add" },
      gated: false,
      log: { nicId, endpointId: nic.endpointId },
    }, options);
  }

  /** Sends the guest remove. */
  async detach(nic: GuestNic, options: CallOptions = {}): Promise<void> {
    const nicId = requireGuid("nicId", nic.nicId);
    await this.#requests.send({
      describe: `detach NIC ${nicId}`,
      resourceType: "Network",
      requestType: "Remove",
      settings: { AdapterId: nicId, RequestType: "Remove" },
      gated: false,
      notFound: { kind: "guest NIC", id: nicId },
      log: { nicId, endpointId: nic.endpointId },
    }, options);
  }

  /** Reads the guest's capabilities now (changes nothing in the guest). */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.#requests.connect(options);
  }
}
