/**
 * Wiring of the driven ports over the DLL-level interfaces.
 *
 * @module
 */
import { requireMethods, requireObject } from "../domain/arguments.ts";
import { InvalidArgumentError } from "../domain/errors.ts";
import type { GuestNetwork, GuestPlatform } from "../ports/guest_network.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";
import { LcowGuestNetwork } from "./guest/lcow.ts";
import { WcowGuestNetwork } from "./guest/wcow.ts";
import { HcnHostNetwork } from "./hcn/hcn_host_network.ts";
import { ComputeSystem } from "./hcs/compute_system.ts";
import { HcsVmNetwork } from "./hcs/hcs_vm_network.ts";
import type { HcnApi } from "./dll/hcn_api.ts";
import type { HcsApi } from "./dll/hcs_api.ts";
import type { GuestTransport } from "./guest/guest_transport.ts";
import { checkTimeoutMs } from "./async/time_limit.ts";

/** What the ports call on computenetwork.dll. */
const HCN_METHODS = [
  "openNamespace",
  "queryNamespaceProperties",
  "closeNamespace",
  "openEndpoint",
  "queryEndpointProperties",
  "closeEndpoint",
] as const;

/** What the ports call on vmcompute.dll. */
const HCS_METHODS = [
  "openComputeSystem",
  "modifyComputeSystem",
  "getComputeSystemProperties",
  "closeComputeSystem",
] as const;

/**
 * What {@linkcode createPorts} needs.
 *
 * @example
 * ```ts
 * import type { CreatePortsOptions } from "@podnet/hcs";
 * import type { HcnApi, HcsApi } from "@podnet/hcs/native";
 * declare const hcn: HcnApi;
 * declare const hcs: HcsApi;
 * const options: CreatePortsOptions = { hcn, hcs, vmId: "uvm-7", guest: "lcow", timeoutMs: 10_000 };
 * ```
 */
export interface CreatePortsOptions {
  /** computenetwork.dll (real or simulated). */
  readonly hcn: HcnApi;
  /** vmcompute.dll (real or simulated). */
  readonly hcs: HcsApi;
  /** The utility VM's compute system ID. */
  readonly vmId: string;
  /** The guest's platform. */
  readonly guest: GuestPlatform;
  /** Time limit of each adapter call, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * Where guest requests go when the runtime owns the guest connection (a
   * GCS bridge of its own). Default: through HCS.
   */
  readonly guestTransport?: GuestTransport;
}

/**
 * The driven ports of one pod, plus the compute system handle they share.
 * Disposing closes that handle.
 *
 * @example
 * ```ts
 * import type { HostPorts } from "@podnet/hcs";
 * function release(ports: HostPorts): void {
 *   ports[Symbol.dispose]();
 * }
 * ```
 */
export interface HostPorts extends NetworkPorts, Disposable {
  /** The utility VM's compute system, shared by `vm` and `guest`. */
  readonly computeSystem: ComputeSystem;
}

/**
 * Builds the ports of one pod: `host` over HCN, `vm` and `guest` over one
 * shared compute system handle (opened on first use).
 *
 * @example
 * ```ts
 * import { createPorts } from "@podnet/hcs";
 * import type { HcnApi, HcsApi } from "@podnet/hcs/native";
 * declare const hcn: HcnApi;
 * declare const hcs: HcsApi;
 * using ports = createPorts({ hcn, hcs, vmId: "uvm-7", guest: "wcow" });
 * const ns = await ports.host.getNamespace("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b");
 * console.log(ns.endpointIds.length, ports.guest.platform);
 * ```
 *
 * @throws {InvalidArgumentError} when an option is missing or unusable (nothing is made)
 */
export function createPorts(options: CreatePortsOptions): HostPorts {
  const o = requireObject("options", options);
  requireMethods("hcn", o.hcn, HCN_METHODS);
  requireMethods("hcs", o.hcs, HCS_METHODS);
  if (options.guest !== "lcow" && options.guest !== "wcow") {
    throw new InvalidArgumentError(
      "guest",
      `must be "lcow" or "wcow", not ${String(options.guest)}`,
    );
  }
  const timeout = options.timeoutMs === undefined
    ? {}
    : { timeoutMs: checkTimeoutMs(options.timeoutMs) };
  const host = new HcnHostNetwork(options.hcn, { ...timeout, guest: options.guest });
  const computeSystem = new ComputeSystem(options.hcs, options.vmId, timeout);
  const vm = new HcsVmNetwork(computeSystem);
  const guestOptions = options.guestTransport === undefined
    ? {}
    : { transport: options.guestTransport };
  const guest: GuestNetwork = options.guest === "lcow"
    ? new LcowGuestNetwork(computeSystem, guestOptions)
    : new WcowGuestNetwork(computeSystem, { ...guestOptions, hostNetwork: host });
  return {
    host,
    vm,
    guest,
    computeSystem,
    [Symbol.dispose](): void {
      computeSystem.close();
    },
  };
}
