/**
 * The set of ports a controller drives.
 *
 * @module
 */
import type { GuestNetwork } from "./guest_network.ts";
import type { HostNetwork } from "./host_network.ts";
import type { VmNetwork } from "./vm_network.ts";

/**
 * The driven ports of one pod's controller.
 *
 * @example
 * ```ts
 * import type { NetworkPorts } from "@podnet/hcs/ports";
 * function describe(ports: NetworkPorts): string {
 *   return `guest ${ports.guest.platform}`;
 * }
 * ```
 */
export interface NetworkPorts {
  /** The host's HCN objects. */
  readonly host: HostNetwork;
  /** The utility VM's NICs. */
  readonly vm: VmNetwork;
  /** The guest. */
  readonly guest: GuestNetwork;
}
