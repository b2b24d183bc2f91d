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
import { HResultError, NotFoundError } from "../../domain/errors.ts";
import type { ComputeSystem, NotFoundTarget } from "../hcs/compute_system.ts";
import { isNotFoundHResult } from "../dll/hresult.ts";
import { withTimeLimit } from "../async/time_limit.ts";
import { guestRequest, type GuestResourceType, signalOnly } from "./_guest_request.ts";
import { fromComputeSystem, fromTransport, NamespaceCapability } from "./_namespace_capability.ts";
import type { GuestModificationRequest, GuestTransport } from "./guest_transport.ts";

const logger = getLogger(["podnet", "guest"]);

/** One guest request, described for messages and logs. */
export interface GatedRequest {
  /** The step, for messages: "attach NIC 3f2a...". */
  readonly describe: string;
  /** The guest resource type. */
  readonly resourceType: GuestResourceType;
  /** Add or Remove. */
  readonly requestType: "Add" | "Remove";
  /**
   * The request's Settings, or how to get them once the gate has let the
   * request through (a read that should happen only when it is sent).
   */
  readonly settings: JsonValue | ((options: CallOptions) => Promise<JsonValue>);
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

/**
 * Sends guest requests; gated ones only when the guest supports namespace
 * requests. They go through HCS (`GuestRequest` in HcsModifyComputeSystem,
 * ordered with the VM's other changes) unless the runtime owns the guest
 * connection and hands a transport over.
 */
export class GatedGuestRequests {
  readonly #system: ComputeSystem;
  readonly #transport: GuestTransport | undefined;
  readonly #capability: NamespaceCapability;

  constructor(system: ComputeSystem, transport?: GuestTransport) {
    this.#system = system;
    this.#transport = transport;
    this.#capability = new NamespaceCapability(
      transport === undefined
        ? fromComputeSystem(system)
        : fromTransport(transport, system.timeoutMs),
    );
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
    const settings = typeof request.settings === "function"
      ? await request.settings(options)
      : request.settings;
    const document = guestRequest(request.resourceType, request.requestType, settings);
    if (this.#transport === undefined) {
      await this.#system.modify(document, request.describe, {
        ...signalOnly(options),
        ...(request.notFound === undefined ? {} : { notFound: request.notFound }),
      });
    } else {
      await this.#sendOver(this.#transport, document.GuestRequest, request, options);
    }
    logger.debug("Done: {describe}", props);
    return true;
  }

  /** Sends over the runtime's transport, under the time limit, mapping its answers. */
  async #sendOver(
    transport: GuestTransport,
    document: GuestModificationRequest,
    request: GatedRequest,
    options: CallOptions,
  ): Promise<void> {
    try {
      await withTimeLimit(
        request.describe,
        this.#system.timeoutMs,
        options.signal,
        (signal) => transport.send(document, { signal }),
      );
    } catch (error) {
      const target = request.notFound;
      if (target && error instanceof HResultError && isNotFoundHResult(error.hresult)) {
        throw new NotFoundError(target.kind, target.id, { cause: error });
      }
      throw error;
    }
  }
}
