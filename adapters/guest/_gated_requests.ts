/**
 * Sending guest requests through the compute system, gated (where the
 * platform says so) by the guest's namespace capability: the one path every
 * guest step of both adapters takes.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import type { CallOptions } from "../../ports/call_options.ts";
import type { JsonValue } from "../../ports/json.ts";
import type { ComputeSystem, NotFoundTarget } from "../hcs/compute_system.ts";
import { guestRequest, type GuestResourceType, signalOnly } from "./_guest_request.ts";
import { NamespaceCapability } from "./_namespace_capability.ts";

const logger = getLogger(["podnet", "guest"]);

/** One guest request, described for messages and logs. */
export interface GatedRequest {
  /** The step, for messages: "attach NIC 3f2a...". */
  readonly describe: string;
  /** The guest resource type. */
  readonly resourceType: GuestResourceType;
  /** Add or Remove. */
  readonly requestType: "Add" | "Remove";
  /** The request's Settings. */
  readonly settings: JsonValue;
  /** What a "not found" answer is about, when it should be a `NotFoundError`. */
  readonly notFound?: NotFoundTarget;
  /**
   * Whether the guest's namespace capability gates the request (LCOW NIC
   * steps and WCOW namespace steps are; WCOW NIC steps are not).
   */
  readonly gated: boolean;
  /** Log properties (nicId, endpointId, namespaceId). */
  readonly log: Readonly<Record<string, string>>;
}

/** Sends guest requests; gated ones only when the guest supports namespace requests. */
export class GatedGuestRequests {
  readonly #system: ComputeSystem;
  readonly #capability: NamespaceCapability;

  constructor(system: ComputeSystem) {
    this.#system = system;
    this.#capability = new NamespaceCapability(system);
  }

  /** Reads the guest's capability now (opening the handle if needed). */
  async connect(options: CallOptions = {}): Promise<void> {
    await this.#capability.supported("read the guest capabilities", options);
  }

  /** Sends the request unless it is gated and the guest lacks the capability; resolves whether it did. */
  async send(request: GatedRequest, options: CallOptions = {}): Promise<boolean> {
    const props = { ...request.log, describe: request.describe };
    if (request.gated && !(await this.#capability.supported(request.describe, options))) {
      logger.debug("Skipping {describe}: no namespace support in the guest", props);
      return false;
    }
    logger.debug("Sending {describe}", props);
    await this.#system.modify(
      guestRequest(request.resourceType, request.requestType, request.settings),
      request.describe,
      {
        ...signalOnly(options),
        ...(request.notFound === undefined ? {} : { notFound: request.notFound }),
      },
    );
    logger.debug("Done: {describe}", props);
    return true;
  }
}
