/**
 * Options shared by the guest adapters.
 *
 * @module
 */
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
}
