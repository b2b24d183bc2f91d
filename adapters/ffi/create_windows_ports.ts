/**
 * The ports of one pod on a real Windows host: the HCN, HCS and guest
 * adapters over computenetwork.dll and computecore.dll (or vmcompute.dll)
 * through Deno FFI.
 *
 * @module
 */
import { requireObject } from "../../domain/arguments.ts";
import { InvalidArgumentError } from "../../domain/errors.ts";
import { createPorts, type HostPorts } from "../create_ports.ts";
import type { GuestTransport } from "../guest/guest_transport.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { FfiHcnApi } from "./ffi_hcn_api.ts";
import type { WindowsLibraryPaths } from "./library_paths.ts";
import { WindowsHcsApi } from "./windows_hcs_api.ts";
import { type HcsLibrary, WindowsLibraries } from "./windows_libraries.ts";

/**
 * What {@linkcode createWindowsPorts} needs.
 *
 * @example
 * ```ts
 * import type { WindowsPortsOptions } from "@podnet/hcs";
 * const options: WindowsPortsOptions = { vmId: "uvm-7", guest: "lcow", hcs: "computecore" };
 * ```
 */
export interface WindowsPortsOptions {
  /** The utility VM's compute system ID. */
  readonly vmId: string;
  /** The guest's platform. */
  readonly guest: GuestPlatform;
  /** Time limit of each adapter call, in ms. Default 30 000. */
  readonly timeoutMs?: number;
  /**
   * The libraries: explicit paths (these ports then own the libraries and
   * close them), or a shared {@linkcode WindowsLibraries} (left open: its
   * owner closes it). Default: the System32 DLLs, owned.
   */
  readonly libraries?: WindowsLibraryPaths | WindowsLibraries;
  /**
   * The HCS library: computecore.dll (HCS v2, no thread held while HCS
   * works) or vmcompute.dll (HCS v1). Default: the libraries' choice, which
   * is computecore.dll when it loads, else vmcompute.dll.
   */
  readonly hcs?: HcsLibrary;
  /**
   * Where guest requests go when the runtime owns the guest connection (its
   * own GCS bridge). Default: through HCS.
   */
  readonly guestTransport?: GuestTransport;
}

/**
 * The ports of one pod over the Windows DLLs, and the libraries under them.
 * Disposing (or `close()`) closes the compute system handle; when these
 * ports own their libraries, it then also waits for calls still running on
 * worker threads and closes the libraries.
 *
 * @example
 * ```ts
 * import { createWindowsPorts, type WindowsPorts } from "@podnet/hcs";
 * await using ports: WindowsPorts = createWindowsPorts({ vmId: "uvm-7", guest: "wcow" });
 * console.log(ports.guest.platform, ports.libraries.pending);
 * ```
 */
export interface WindowsPorts extends HostPorts, AsyncDisposable {
  /** The libraries the ports call through. */
  readonly libraries: WindowsLibraries;
  /** Whether these ports close `libraries` when they are closed. */
  readonly ownsLibraries: boolean;
  /** Closes the compute system handle, then (when owned) the libraries. */
  close(): Promise<void>;
}

/**
 * Wires the FFI implementations of `HcnApi` and `HcsApi` under the HCN, HCS
 * and guest adapters, ready to pass to `NetworkController`. Loads nothing
 * (and needs no permission) until the first call: then `--allow-ffi`. The
 * HCS side speaks computecore.dll when it loads (Windows Server 2019 and
 * later), else vmcompute.dll, unless `hcs` names one.
 *
 * @example On a Windows host
 * ```ts
 * import { createWindowsPorts } from "@podnet/hcs";
 * await using ports = createWindowsPorts({ vmId: "uvm-7", guest: "lcow" });
 * const ns = await ports.host.getNamespace("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b");
 * console.log(ns.endpointIds);
 * ```
 *
 * @param options the VM, its guest, the time limit, the libraries and the HCS library
 *
 * @throws {InvalidArgumentError} when an option is missing or unusable (nothing is loaded)
 */
export function createWindowsPorts(options: WindowsPortsOptions): WindowsPorts {
  const o = requireObject("options", options);
  checkLibraries(o.libraries);
  const shared = options.libraries instanceof WindowsLibraries;
  const libraries = options.libraries instanceof WindowsLibraries
    ? options.libraries
    : new WindowsLibraries(options.libraries ?? {}, { hcs: options.hcs });
  let ports: HostPorts;
  try {
    ports = createPorts({
      hcn: new FfiHcnApi(libraries),
      hcs: new WindowsHcsApi(libraries, options.hcs),
      vmId: options.vmId,
      guest: options.guest,
      ...(options.timeoutMs === undefined ? {} : { timeoutMs: options.timeoutMs }),
      ...(options.guestTransport === undefined ? {} : { guestTransport: options.guestTransport }),
    });
  } catch (error) {
    if (!shared) void libraries.close();
    throw error;
  }
  let closing: Promise<void> | undefined;
  const close = (): Promise<void> => {
    closing ??= (async () => {
      ports[Symbol.dispose]();
      if (!shared) await libraries.close();
    })();
    return closing;
  };
  return {
    host: ports.host,
    vm: ports.vm,
    guest: ports.guest,
    computeSystem: ports.computeSystem,
    libraries,
    ownsLibraries: !shared,
    close,
    [Symbol.dispose](): void {
      void close();
    },
    [Symbol.asyncDispose](): Promise<void> {
      return close();
    },
  };
}

/** `libraries`: a `WindowsLibraries`, or paths by library name (strings). */
function checkLibraries(value: unknown): void {
  if (value === undefined || value instanceof WindowsLibraries) return;
  const paths = requireObject("libraries", value);
  for (const [name, path] of Object.entries(paths)) {
    if (path !== undefined && (typeof path !== "string" || path === "")) {
      throw new InvalidArgumentError(`libraries.${name}`, "must be a path (non-empty text)");
    }
  }
}
