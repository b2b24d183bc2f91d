/**
 * The options of a {@linkcode NetworkController} and of its operations, and
 * how they are checked: bad input is an `InvalidArgumentError` naming the
 * argument, thrown before anything exists or changes.
 *
 * @module
 */
import type { ControllerEvent } from "./controller_event.ts";
import type { IovSettings } from "./iov.ts";
import { requireMethods, requireObject } from "./arguments.ts";
import { InvalidArgumentError } from "./errors.ts";
import { requireGuid } from "./guid.ts";
import { podIdProblem } from "./_pod_id.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";
import type { StateStore } from "../ports/state_store.ts";

/**
 * Options of a {@linkcode NetworkController}.
 *
 * @example
 * ```ts
 * import type { NetworkControllerOptions } from "@podnet/hcs";
 * const options: NetworkControllerOptions = {
 *   podId: "default/nginx-7c5ddbdf54-x8f2k",
 *   namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
 *   hostConcurrency: 4,
 * };
 * ```
 */
export interface NetworkControllerOptions {
  /** The pod: non-empty printable text, at most 256 characters. Part of every NIC ID. */
  readonly podId: string;
  /** The HCN namespace CNI prepared for the pod (GUID; braces and case tolerated). */
  readonly namespaceId: string;
  /** Whether the guest routes by policy (LCOW); default false. */
  readonly policyBasedRouting?: boolean;
  /** Whether a failed setup undoes what it did before throwing; default true. */
  readonly rollbackOnSetupFailure?: boolean;
  /**
   * How many host NIC calls (hot-add, hot-remove) of the pod may be in
   * flight at once: an integer from 1 to {@linkcode MAX_HOST_CONCURRENCY}.
   * Default 1: HCS never gets two device changes for one VM at once.
   */
  readonly hostConcurrency?: number;
  /** Where bindings are recorded before each step whose outcome could be unknown. */
  readonly store?: StateStore;
  /** Called synchronously with every transition and step; must not throw. */
  readonly onEvent?: (event: ControllerEvent) => void;
}

/**
 * The largest `hostConcurrency` a controller takes.
 *
 * @example
 * ```ts
 * import { MAX_HOST_CONCURRENCY } from "@podnet/hcs";
 * console.log(MAX_HOST_CONCURRENCY); // 64
 * ```
 */
export const MAX_HOST_CONCURRENCY = 64;

/**
 * Options of a controller operation.
 *
 * @example
 * ```ts
 * import type { OperationOptions } from "@podnet/hcs";
 * const opts: OperationOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface OperationOptions {
  /**
   * Stops the operation: a waiting operation leaves the queue, a running one
   * starts no new step and cuts off the calls in flight.
   */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of `addEndpoint()`.
 *
 * @example
 * ```ts
 * import type { AddEndpointOptions } from "@podnet/hcs";
 * const opts: AddEndpointOptions = { iov: { offloadWeight: 100 } };
 * ```
 */
export interface AddEndpointOptions extends OperationOptions {
  /** SR-IOV settings to apply right after the hot-add. */
  readonly iov?: IovSettings | undefined;
}

/**
 * What `updateEndpoint()` changes.
 *
 * @example
 * ```ts
 * import type { EndpointUpdate } from "@podnet/hcs";
 * const update: EndpointUpdate = { iov: { interruptModeration: "Low" } };
 * ```
 */
export interface EndpointUpdate {
  /** The NIC's SR-IOV settings. */
  readonly iov: IovSettings;
}

/**
 * Options of {@linkcode NetworkController.import} and
 * {@linkcode NetworkController.recover}: those of the constructor that a
 * snapshot does not carry.
 *
 * @example
 * ```ts
 * import type { RestoreOptions } from "@podnet/hcs";
 * const opts: RestoreOptions = { rollbackOnSetupFailure: true, hostConcurrency: 2 };
 * ```
 */
export type RestoreOptions = Pick<
  NetworkControllerOptions,
  "rollbackOnSetupFailure" | "store" | "onEvent" | "hostConcurrency"
>;

/** Checked options, defaults applied. */
export interface ControllerSettings {
  readonly podId: string;
  readonly namespaceId: string;
  readonly policyBasedRouting: boolean;
  readonly rollbackOnSetupFailure: boolean;
  readonly hostConcurrency: number;
  readonly store: StateStore | undefined;
  readonly onEvent: ((event: ControllerEvent) => void) | undefined;
}

/** Checks the constructor's options and applies the defaults. */
export function checkOptions(options: unknown): ControllerSettings {
  const o = requireObject("options", options);
  return {
    podId: checkPodId(o.podId),
    namespaceId: requireGuid("namespaceId", o.namespaceId),
    policyBasedRouting: checkFlag("policyBasedRouting", o.policyBasedRouting, false),
    rollbackOnSetupFailure: checkFlag("rollbackOnSetupFailure", o.rollbackOnSetupFailure, true),
    hostConcurrency: checkHostConcurrency(o.hostConcurrency),
    store: checkStore(o.store),
    onEvent: checkOnEvent(o.onEvent),
  };
}

function checkPodId(podId: unknown): string {
  const problem = podIdProblem(podId);
  if (problem !== undefined) throw new InvalidArgumentError("podId", problem);
  return podId as string;
}

function checkFlag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidArgumentError(name, "must be a boolean");
  return value;
}

function checkHostConcurrency(value: unknown): number {
  if (value === undefined) return 1;
  if (
    typeof value !== "number" || !Number.isInteger(value) || value < 1 ||
    value > MAX_HOST_CONCURRENCY
  ) {
    throw new InvalidArgumentError(
      "hostConcurrency",
      `must be an integer from 1 to ${MAX_HOST_CONCURRENCY}, got ${describe(value)}`,
    );
  }
  return value;
}

function checkStore(value: unknown): StateStore | undefined {
  if (value === undefined) return undefined;
  requireMethods("store", value, ["load", "save", "delete"]);
  return value as StateStore;
}

function checkOnEvent(value: unknown): ((event: ControllerEvent) => void) | undefined {
  if (value === undefined) return undefined;
  if (typeof value !== "function") throw new InvalidArgumentError("onEvent", "must be a function");
  return value as (event: ControllerEvent) => void;
}

/** Checks that ports have every method the controller calls. */
export function checkPorts(ports: unknown): NetworkPorts {
  if (typeof ports !== "object" || ports === null) {
    throw new InvalidArgumentError("ports", "must be an object with host, vm and guest");
  }
  const p = ports as Record<string, unknown>;
  requireMethods("ports.host", p.host, ["getNamespace", "getEndpoint"]);
  requireMethods("ports.vm", p.vm, ["addNic", "removeNic"]);
  requireMethods("ports.guest", p.guest, [
    "addNamespace",
    "removeNamespace",
    "prepare",
    "attach",
    "detach",
  ]);
  return ports as NetworkPorts;
}

function describe(value: unknown): string {
  if (typeof value === "string") return JSON.stringify(value.slice(0, 64));
  if (typeof value === "number" || typeof value === "boolean" || value == null) {
    return String(value);
  }
  return typeof value;
}
