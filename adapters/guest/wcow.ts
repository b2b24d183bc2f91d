/**
 * The `GuestNetwork` port for a Windows guest (WCOW): windows-api.md section 4.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { CallOptions } from "../../ports/call_options.ts";
import type {
  GuestNamespace,
  GuestNetwork,
  GuestNic,
  GuestNicConfig,
} from "../../ports/guest_network.ts";
import type { ComputeSystem } from "../hcs/compute_system.ts";
import { guestRequest, requireGuid, signalOnly } from "./_guest_request.ts";
import type { GuestAdapterOptions } from "./guest_adapter_options.ts";
import { NamespaceCapability } from "./_namespace_capability.ts";

const logger = getLogger(["podnet", "guest"]);

/**
 * `GuestNetwork` for a Windows guest. Every step is gated by the guest's
 * namespace capability (read once): without it nothing is sent, and
 * `addNamespace`/`prepare` resolve false.
 * - `addNamespace`/`removeNamespace`: guest "NetworkNamespace Add/Remove"
 *   with the HCN namespace document;
 * - `prepare`: guest "Network Add" `{AdapterId, RequestType: "PreAdd", Settings: <endpoint document>}`;
 * - `attach`: guest "Network Add" `{AdapterId, RequestType: "Add"}`;
 * - `detach`: guest "Network Remove" `{AdapterId, RequestType: "Remove"}`.
 *
 * Errors: guest connection gone → `GuestUnavailableError`; VM gone →
 * `VmUnavailableError`; "not found" on `detach` / `removeNamespace` →
 * `NotFoundError("guest NIC" | "guest namespace", id)`; an ID that is not a
 * GUID → `InvalidArgumentError` (nothing is sent).
 *
 * @example
 * ```ts
 * import { ComputeSystem } from "../hcs/compute_system.ts";
 * import { WcowGuestNetwork } from "./wcow.ts";
 * import type { GuestNicConfig } from "../../ports/guest_network.ts";
 * import type { HcsApi } from "../native/hcs_api.ts";
 * declare const hcs: HcsApi;
 * declare const nic: GuestNicConfig;
 * using system = new ComputeSystem(hcs, "uvm-7");
 * const guest = new WcowGuestNetwork(system);
 * if (await guest.prepare(nic)) console.log("pre-added");
 * ```
 */
export class WcowGuestNetwork implements GuestNetwork {
  /** Always "wcow". */
  readonly platform = "wcow" as const;
  readonly #system: ComputeSystem;
  readonly #capability: NamespaceCapability;

  /**
   * Creates the adapter over the VM's compute system.
   *
   * @param system the utility VM's compute system
   * @param _options reserved
   */
  constructor(system: ComputeSystem, _options: GuestAdapterOptions = {}) {
    this.#system = system;
    this.#capability = new NamespaceCapability(system);
  }

  /** Sends the guest "NetworkNamespace Add" when supported; resolves whether it did. */
  async addNamespace(namespace: GuestNamespace, options: CallOptions = {}): Promise<boolean> {
    const namespaceId = requireGuid("namespaceId", namespace.id);
    const describe = `add namespace ${namespaceId} to the guest`;
    if (!(await this.#capability.supported(describe, options))) {
      logger.debug("Skipping namespace {namespaceId}: no namespace support in the guest", {
        namespaceId,
      });
      return false;
    }
    await this.#system.modify(
      guestRequest("NetworkNamespace", "Add", namespace.document),
      describe,
      signalOnly(options),
    );
    logger.debug("Added namespace {namespaceId} to the guest", { namespaceId });
    return true;
  }

  /** Sends the guest "NetworkNamespace Remove" when supported. */
  async removeNamespace(namespace: GuestNamespace, options: CallOptions = {}): Promise<void> {
    const namespaceId = requireGuid("namespaceId", namespace.id);
    const describe = `remove namespace ${namespaceId} from the guest`;
    if (!(await this.#capability.supported(describe, options))) return;
    await this.#system.modify(
      guestRequest("NetworkNamespace", "Remove", namespace.document),
      describe,
      { ...signalOnly(options), notFound: { kind: "guest namespace", id: namespaceId } },
    );
    logger.debug("Removed namespace {namespaceId} from the guest", { namespaceId });
  }

  /** Sends the guest pre-add when supported; resolves whether it did. */
  async prepare(nic: GuestNicConfig, options: CallOptions = {}): Promise<boolean> {
    const nicId = requireGuid("nicId", nic.nicId);
    const log = { nicId, endpointId: nic.endpointId };
    const describe = `prepare NIC ${nicId}`;
    if (!(await this.#capability.supported(describe, options))) {
      logger.debug("Skipping pre-add of NIC {nicId}: no namespace support in the guest", log);
      return false;
    }
    await this.#system.modify(
      guestRequest("Network", "Add", {
        AdapterId: nicId,
        RequestType: "PreAdd",
        Settings: nic.endpoint.document,
      }),
      describe,
      signalOnly(options),
    );
    logger.debug("Pre-added NIC {nicId} in the guest", log);
    return true;
  }

  /** Sends the guest add when supported. */
  async attach(nic: GuestNicConfig, options: CallOptions = {}): Promise<void> {
    const nicId = requireGuid("nicId", nic.nicId);
    const log = { nicId, endpointId: nic.endpointId };
    const describe = `attach NIC ${nicId}`;
    if (!(await this.#capability.supported(describe, options))) {
      logger.debug("Skipping attach of NIC {nicId}: no namespace support in the guest", log);
      return;
    }
    await this.#system.modify(
      guestRequest("Network", "Add", { AdapterId: nicId, RequestType: "Add" }),
      describe,
      signalOnly(options),
    );
    logger.debug("Attached NIC {nicId} in the guest", log);
  }

  /** Sends the guest remove when supported. */
  async detach(nic: GuestNic, options: CallOptions = {}): Promise<void> {
    const nicId = requireGuid("nicId", nic.nicId);
    const log = { nicId, endpointId: nic.endpointId };
    const describe = `detach NIC ${nicId}`;
    if (!(await this.#capability.supported(describe, options))) {
      logger.debug("Skipping detach of NIC {nicId}: no namespace support in the guest", log);
      return;
    }
    await this.#system.modify(
      guestRequest("Network", "Remove", { AdapterId: nicId, RequestType: "Remove" }),
      describe,
      { ...signalOnly(options), notFound: { kind: "guest NIC", id: nicId } },
    );
    logger.debug("Detached NIC {nicId} in the guest", log);
  }
}
