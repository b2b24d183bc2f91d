/**
 * The `HostNetwork` port over HCN (computenetwork.dll): opens, queries and
 * closes the namespace or endpoint, and validates what HNS returned.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { HResultError, InvalidArgumentError, NotFoundError } from "../../domain/errors.ts";
import { requireGuid } from "../../domain/guid.ts";
import type { CallOptions } from "../../ports/call_options.ts";
import type { HostEndpoint, HostNamespace, HostNetwork } from "../../ports/host_network.ts";
import type { HcnApi } from "../dll/hcn_api.ts";
import { isNotFoundHResult } from "../dll/hresult.ts";
import { checkTimeoutMs, withTimeLimit } from "../async/time_limit.ts";
import { type Normalisation, parseEndpointDocument, parseNamespaceDocument } from "./_schemas.ts";

const logger = getLogger(["podnet", "hcn"]);

/**
 * The query document podnet sends with HcnQuery*Properties.
 */
export const HCN_QUERY: string = JSON.stringify({
  SchemaVersion: { Major: 2, Minor: 0 },
  Flags: 0,
});

/**
 * The time limit of one HCN read (open, query, close) when none is given:
 * 30 seconds.
 *
 * @example
 * ```ts
 * import { DEFAULT_HCN_TIMEOUT_MS } from "@podnet/hcs";
 * console.log(DEFAULT_HCN_TIMEOUT_MS); // 30000
 * ```
 */
export const DEFAULT_HCN_TIMEOUT_MS = 30_000;

/**
 * Options of an {@linkcode HcnHostNetwork}.
 */
export interface HcnHostNetworkOptions {
  /** Time limit of each read (open, query and close), in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * The guest the endpoints are read for. A Windows guest ("wcow") refuses
   * an endpoint document without `ID`, so such a document is then an
   * `InvalidHostDataError` when it is read. Default: not known (no such check).
   */
  readonly guest?: "lcow" | "wcow";
}

/** How many normalisation notes an adapter remembers having logged. */
const LOGGED_NOTES_LIMIT = 1_024;

/** The open/query/close triple of one HCN object kind. */
interface HcnObjectCalls<H> {
  open(id: string, signal: AbortSignal): Promise<H>;
  query(handle: H, signal: AbortSignal): Promise<string>;
  close(handle: H): void;
}

/**
 * `HostNetwork` over computenetwork.dll. Each read opens the object, queries
 * it and closes the handle on every path (a failed query, an abort, a time
 * limit). IDs must be GUIDs (any case, braces allowed): anything else is an
 * `InvalidArgumentError` before any call. A missing object is a
 * `NotFoundError` ("namespace" or "endpoint"); a malformed document is an
 * `InvalidHostDataError` naming the field.
 */
export class HcnHostNetwork implements HostNetwork {
  /** The time limit of each read, in ms. */
  readonly timeoutMs: number;
  readonly #hcn: HcnApi;
  readonly #guest: "lcow" | "wcow" | undefined;
  readonly #logged = new Set<string>();

  /**
   * Creates the adapter over computenetwork.dll.
   *
   * @param hcn the computenetwork.dll interface
   * @param options the time limit
   */
  constructor(hcn: HcnApi, options: HcnHostNetworkOptions = {}) {
    const timeoutMs = checkTimeoutMs(options.timeoutMs ?? DEFAULT_HCN_TIMEOUT_MS);
    const guest = options.guest;
    if (guest !== undefined && guest !== "lcow" && guest !== "wcow") {
      throw new InvalidArgumentError(
        "options.guest",
        `must be "lcow" or "wcow", not ${String(guest)}`,
      );
    }
    this.#hcn = hcn;
    this.#guest = guest;
    this.timeoutMs = timeoutMs;
  }

  /** Reads and validates one namespace. */
  async getNamespace(namespaceId: string, options: CallOptions = {}): Promise<HostNamespace> {
    const id = requireGuid("namespaceId", namespaceId);
    const hcn = this.#hcn;
    const source = await this.#read("namespace", id, options, {
      open: (guid, signal) => hcn.openNamespace(guid, { signal }),
      query: (handle, signal) => hcn.queryNamespaceProperties(handle, HCN_QUERY, { signal }),
      close: (handle) => hcn.closeNamespace(handle),
    });
    const { value: namespace, normalised } = parseNamespaceDocument(source, id);
    this.#logNormalised("namespace", id, normalised);
    logger.debug("Read namespace {namespaceId}: {count} endpoint(s)", {
      namespaceId: id,
      count: namespace.endpointIds.length,
    });
    return namespace;
  }

  /** Reads and validates one endpoint. */
  async getEndpoint(endpointId: string, options: CallOptions = {}): Promise<HostEndpoint> {
    const id = requireGuid("endpointId", endpointId);
    const hcn = this.#hcn;
    const source = await this.#read("endpoint", id, options, {
      open: (guid, signal) => hcn.openEndpoint(guid, { signal }),
      query: (handle, signal) => hcn.queryEndpointProperties(handle, HCN_QUERY, { signal }),
      close: (handle) => hcn.closeEndpoint(handle),
    });
    const { value: endpoint, normalised } = parseEndpointDocument(source, id, this.#guest);
    this.#logNormalised("endpoint", id, normalised);
    logger.debug("Read endpoint {endpointId} ({name})", { endpointId: id, name: endpoint.name });
    return endpoint;
  }

  /**
   * Logs each normalisation at debug, once per object and field: a pod's
   * endpoints are read again on every operation.
   */
  #logNormalised(kind: string, id: string, normalised: readonly Normalisation[]): void {
    for (const { field, change } of normalised) {
      const key = `${id} ${field} ${change}`;
      if (this.#logged.has(key)) continue;
      if (this.#logged.size >= LOGGED_NOTES_LIMIT) this.#logged.clear();
      this.#logged.add(key);
      logger.debug("Read {kind} {id}: {field} {change}", { kind, id, field, change });
    }
  }

  async #read<H>(
    kind: "namespace" | "endpoint",
    id: string,
    options: CallOptions,
    calls: HcnObjectCalls<H>,
  ): Promise<string> {
    try {
      return await withTimeLimit(
        `read ${kind} ${id}`,
        this.timeoutMs,
        options.signal,
        async (signal) => {
          const handle = await calls.open(id, signal);
          try {
            return await calls.query(handle, signal);
          } finally {
            try {
              calls.close(handle);
            } catch (error) {
              // Never let a close failure mask the query's outcome.
              logger.warn("Cannot close the handle of {kind} {id}: {error}", { kind, id, error });
            }
          }
        },
      );
    } catch (error) {
      if (error instanceof HResultError && isNotFoundHResult(error.hresult)) {
        throw new NotFoundError(kind, id, { cause: error });
      }
      throw error;
    }
  }
}
