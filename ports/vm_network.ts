/**
 * The VM side: hot-adding, updating and hot-removing NICs on the utility VM.
 *
 * @module
 */
import type { CallOptions } from "./call_options.ts";
import type { IovSettings } from "../domain/iov.ts";

/**
 * A NIC of the utility VM, bound to a host endpoint.
 *
 * @example
 * ```ts
 * import type { VmNic } from "@podnet/hcs/ports";
 * const nic: VmNic = {
 *   nicId: "0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
 *   endpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d",
 *   macAddress: "00-15-5D-52-C0-0A",
 * };
 * ```
 */
export interface VmNic {
  /** The NIC's GUID (names the adapter inside the VM). */
  readonly nicId: string;
  /** The host endpoint the NIC is bound to. */
  readonly endpointId: string;
  /** The MAC address, when known. */
  readonly macAddress?: string;
}

/**
 * Port: hot-add and hot-remove NICs. A VM that is gone is a
 * `VmUnavailableError`; a NIC the VM does not have is a `NotFoundError`.
 *
 * @example
 * ```ts
 * import type { VmNetwork, VmNic } from "@podnet/hcs/ports";
 * async function bounce(vm: VmNetwork, nic: VmNic): Promise<void> {
 *   await vm.removeNic(nic);
 *   await vm.addNic(nic);
 * }
 * ```
 */
export interface VmNetwork {
  /** Hot-adds a NIC. */
  addNic(nic: VmNic, options?: CallOptions): Promise<void>;
  /** Hot-removes a NIC. */
  removeNic(nic: VmNic, options?: CallOptions): Promise<void>;
  /**
   * Optional: applies a NIC's SR-IOV settings (HCS modify, `RequestType:
   * "Update"`). A NIC the VM does not have is a `NotFoundError`. Without
   * it, `updateEndpoint()` fails with an `InvalidArgumentError` naming
   * `ports.vm`.
   */
  updateNic?(nic: VmNic, iov: IovSettings, options?: CallOptions): Promise<void>;
  /**
   * Optional: gets ready to change the VM without changing it (opens its
   * handle). Setup and reset call it while they read the host; a failure here
   * is ignored (the step that needs the VM reports it).
   */
  connect?(options?: CallOptions): Promise<void>;
}
