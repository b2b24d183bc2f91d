/**
 * Options shared by the guest adapters.
 *
 * @module
 */
import type { HostNetwork } from "../../ports/host_network.ts";
import type { GuestTransport } from "./guest_transport.ts";

/**
 * Options of the guest adapters.
 */
export interface GuestAdapterOptions {
  /**
   * Where guest requests go when the runtime owns the guest connection.
   * Default: HCS, as `GuestRequest` in HcsModifyComputeSystem, with the
   * capabilities read from the compute system's GuestConnection property.
   */
  readonly transport?: GuestTransport;
  /**
   * WCOW: where the namespace is read again right before its removal from
   * the guest, so the guest gets the namespace as it is now (hcsshim
   * `internal/controller/network/network_wcow.go` does the same). A
   * namespace the host no longer has is removed with the document recorded
   * at setup. Default: none; the recorded document is sent. The LCOW adapter
   * ignores it.
   */
  readonly hostNetwork?: Pick<HostNetwork, "getNamespace">;
}
