/**
 * The guest's "namespace add request" capability, read once per adapter.
 *
 * @module
 */
import { z } from "zod";
import {
  GuestUnavailableError,
  InvalidHostDataError,
  VmUnavailableError,
} from "../../domain/errors.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { ComputeSystem } from "../hcs/compute_system.ts";
import { raceSignal } from "../async/race_signal.ts";
import { withTimeLimit } from "../async/time_limit.ts";
import type { GuestTransport } from "./guest_transport.ts";

const flag = z.boolean({ error: "must be a boolean" }).nullish();
const objectError = { error: "must be a JSON object" };

const propertiesSchema = z.looseObject({
  GuestConnectionInfo: z.looseObject({
    GuestDefinedCapabilities: z.looseObject({ NamespaceAddRequestSupported: flag }, objectError)
      .nullish(),
  }, objectError).nullish(),
});

/**
 * Reads `NamespaceAddRequestSupported` from the compute system's
 * GuestConnection properties on first need and remembers it. Concurrent
 * first needs share one read; a failed read, or a guest without a
 * connection, is not remembered (the next need reads again).
 */
export class NamespaceCapability {
  readonly #source: () => Promise<boolean | undefined>;
  #known: boolean | undefined;
  #reading: Promise<boolean | undefined> | undefined;

  /**
   * @param source reads the capability: `undefined` when the guest has no
   *   connection (see {@linkcode fromComputeSystem}, {@linkcode fromTransport})
   */
  constructor(source: () => Promise<boolean | undefined>) {
    this.#source = source;
  }

  /**
   * Whether the guest supports namespace requests. Failures name the
   * caller's step (`describe`) and chain the read's error as `cause`.
   */
  async supported(describe: string, options: CallOptions = {}): Promise<boolean> {
    if (this.#known !== undefined) return this.#known;
    options.signal?.throwIfAborted();
    this.#reading ??= this.#read();
    let value: boolean | undefined;
    try {
      value = await raceSignal(this.#reading, options.signal);
    } catch (error) {
      // Said again with the caller's action: the capability read was only
      // the way the guest's absence showed, its cause stays the evidence.
      if (error instanceof GuestUnavailableError) {
        throw new GuestUnavailableError(describe, error.reason ?? "the guest is unavailable", {
          cause: error.cause,
        });
      }
      if (error instanceof VmUnavailableError) {
        throw new VmUnavailableError(describe, error.reason ?? "the VM is gone", {
          cause: error.cause,
        });
      }
      throw error;
    }
    if (value === undefined) {
      throw new GuestUnavailableError(describe, "the guest connection is not established");
    }
    return value;
  }

  async #read(): Promise<boolean | undefined> {
    try {
      const supported = await this.#source();
      this.#known = supported;
      return supported;
    } finally {
      this.#reading = undefined;
    }
  }
}

/** The capability as the compute system's GuestConnection property reports it. */
export function fromComputeSystem(system: ComputeSystem): () => Promise<boolean | undefined> {
  return async () => {
    const properties = await system.properties(
      { PropertyTypes: ["GuestConnection"] },
      `read the guest capabilities of VM ${system.vmId}`,
    );
    const parsed = propertiesSchema.safeParse(properties);
    if (!parsed.success) {
      const issue = parsed.error.issues[0];
      throw new InvalidHostDataError(
        `the guest connection properties of VM ${system.vmId}`,
        issue?.path.map(String).join(".") || "document",
        issue?.message ?? "is invalid",
        { cause: parsed.error },
      );
    }
    const info = parsed.data.GuestConnectionInfo;
    if (info == null) return undefined;
    return info.GuestDefinedCapabilities?.NamespaceAddRequestSupported ?? false;
  };
}

/** The capability as a runtime's guest transport answers it, under a time limit. */
export function fromTransport(
  transport: GuestTransport,
  timeoutMs: number,
): () => Promise<boolean | undefined> {
  return async () => {
    const caps = await withTimeLimit(
      "read the guest capabilities",
      timeoutMs,
      undefined,
      (signal) => transport.capabilities({ signal }),
    );
    const value = (caps as { namespaceAddRequestSupported?: unknown } | null)
      ?.namespaceAddRequestSupported;
    if (typeof value !== "boolean") {
      throw new InvalidHostDataError(
        "the guest capabilities from the guest transport",
        "namespaceAddRequestSupported",
        "must be a boolean",
      );
    }
    return value;
  };
}
