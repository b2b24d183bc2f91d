/**
 * The `VmNetwork` port over HCS: hot-adds, updates (SR-IOV settings) and
 * hot-removes the utility VM's NICs with HcsModifyComputeSystem
 * (docs/architecture.md, "HCS: the compute system and the host NIC document").
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { requireGuid } from "../../domain/guid.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonObject } from "../../ports/json.ts";
import type { VmNetwork, VmNic } from "../../ports/vm_network.ts";
import { checkIovSettings, type IovSettings } from "../../domain/iov.ts";
import type { ComputeSystem } from "./compute_system.ts";

const logger = getLogger(["podnet", "hcs"]);

/** The HCS resource path of the VM's network adapters. */
const NETWORK_ADAPTERS = "VirtualMachine/Devices/NetworkAdapters";

/**
 * The host NIC request types podnet sends.
 */
export type VmNicRequestType = "Add" | "Remove" | "Update";

/**
 * Builds the HcsModifyComputeSystem document that hot-adds or hot-removes a
 * NIC. The NIC and endpoint IDs are validated as GUIDs (and written in
 * canonical form) before the NIC ID enters the resource path; a bad one is
 * an `InvalidArgumentError`. `MacAddress` is omitted when unknown.
 */
export function buildVmNicRequest(
  requestType: VmNicRequestType,
  nic: VmNic,
  iov?: IovSettings,
): JsonObject {
  return requestDocument(requestType, canonicalNic(nic), iov && checkIovSettings("iov", iov));
}

/** A NIC with its IDs validated and in canonical form. */
interface CanonicalNic {
  readonly nicId: string;
  readonly endpointId: string;
  readonly macAddress: string | undefined;
}

function canonicalNic(nic: VmNic): CanonicalNic {
  const nicId = requireGuid("nicId", nic.nicId);
  const endpointId = requireGuid("endpointId", nic.endpointId);
  const macAddress = nic.macAddress === "" ? undefined : nic.macAddress;
  return { nicId, endpointId, macAddress };
}

function requestDocument(
  requestType: VmNicRequestType,
  nic: CanonicalNic,
  iov?: IovSettings,
): JsonObject {
  const settings: JsonObject = { EndpointId: nic.endpointId };
  if (nic.macAddress !== undefined) settings.MacAddress = nic.macAddress;
  if (iov !== undefined) {
    const doc: JsonObject = {};
    if (iov.offloadWeight !== undefined) doc.OffloadWeight = iov.offloadWeight;
    if (iov.queuePairsRequested !== undefined) doc.QueuePairsRequested = iov.queuePairsRequested;
    if (iov.interruptModeration !== undefined) doc.InterruptModeration = iov.interruptModeration;
    settings.IovSettings = doc;
  }
  return {
    ResourcePath: `${NETWORK_ADAPTERS}/${nic.nicId}`,
    RequestType: requestType,
    Settings: settings,
  };
}

/**
 * `VmNetwork` over a {@linkcode ComputeSystem}. A VM that is gone is a
 * `VmUnavailableError`; a "not found" answer is a `NotFoundError` for the
 * endpoint (add) or the NIC (remove).
 */
export class HcsVmNetwork implements VmNetwork {
  readonly #system: ComputeSystem;

  /**
   * Creates the adapter over the VM's compute system.
   *
   * @param system the utility VM's compute system
   */
  constructor(system: ComputeSystem) {
    this.#system = system;
  }

  /** Hot-adds the NIC, bound to its endpoint. */
  async addNic(nic: VmNic, options: CallOptions = {}): Promise<void> {
    const canonical = canonicalNic(nic);
    const { nicId, endpointId } = canonical;
    logger.debug("Adding NIC {nicId} to the VM", { nicId, endpointId });
    await this.#system.modify(requestDocument("Add", canonical), `add NIC ${nicId}`, {
      ...signalOf(options),
      notFound: { kind: "endpoint", id: endpointId },
    });
    logger.debug("Added NIC {nicId} to the VM", { nicId, endpointId });
  }

  /** Hot-removes the NIC. */
  async removeNic(nic: VmNic, options: CallOptions = {}): Promise<void> {
    const canonical = canonicalNic(nic);
    const { nicId, endpointId } = canonical;
    logger.debug("Removing NIC {nicId} from the VM", { nicId, endpointId });
    await this.#system.modify(requestDocument("Remove", canonical), `remove NIC ${nicId}`, {
      ...signalOf(options),
      notFound: { kind: "NIC", id: nicId },
    });
    logger.debug("Removed NIC {nicId} from the VM", { nicId, endpointId });
  }

  /**
   * Applies the NIC's SR-IOV settings (`RequestType: "Update"`); bad
   * settings are an `InvalidArgumentError` before any call.
   */
  async updateNic(nic: VmNic, iov: IovSettings, options: CallOptions = {}): Promise<void> {
    const canonical = canonicalNic(nic);
    const settings = checkIovSettings("iov", iov);
    const { nicId, endpointId } = canonical;
    logger.debug("Updating NIC {nicId} of the VM", { nicId, endpointId });
    await this.#system.modify(
      requestDocument("Update", canonical, settings),
      `update NIC ${nicId}`,
      { ...signalOf(options), notFound: { kind: "NIC", id: nicId } },
    );
    logger.debug("Updated NIC {nicId} of the VM", { nicId, endpointId });
  }

  /** Opens the VM's compute system handle now (changes nothing). */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.#system.connect(signalOf(options));
  }
}

function signalOf(options: CallOptions): CallOptions {
  return options.signal ? { signal: options.signal } : {};
}
