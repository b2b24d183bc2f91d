import { createPorts, type HostPorts } from "../create_ports.ts";
import { createWindowsPorts } from "../native/ffi/create_windows_ports.ts";
import { WindowsLibraries } from "../native/ffi/windows_libraries.ts";
import { SimulatedHost } from "../native/sim/simulated_host.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import type { Common } from "./_options.ts";
import { usage, usageFrom } from "./_options.ts";

/** The ports of one pod, to close when its command is done. */
export interface PodPorts extends HostPorts {
  close(): Promise<void>;
}

/**
 * The host a command drives: the real one through one shared
 * `WindowsLibraries` for the whole process (loaded on first use), or the
 * simulated host kept in `--sim-state` (opened once). Close it at the end.
 */
export class Hosts implements AsyncDisposable {
  #libraries: WindowsLibraries | undefined;
  #sim: SimulatedHost | undefined;
  readonly #common: Common;

  constructor(common: Common) {
    this.#common = common;
  }

  /**
   * Opens the simulated host now, so a missing or corrupt file is bad input
   * found before anything is written (nothing for the real host).
   */
  check(): void {
    if (this.#common.host === "sim") this.#simHost();
  }

  /** The ports of a pod on a VM. */
  portsFor(vmId: string, guest: GuestPlatform, callTimeoutMs: number | undefined): PodPorts {
    const timeout = callTimeoutMs === undefined ? {} : { timeoutMs: callTimeoutMs };
    if (this.#common.host === "windows") {
      this.#libraries ??= new WindowsLibraries();
      return createWindowsPorts({ vmId, guest, libraries: this.#libraries, ...timeout });
    }
    const sim = this.#simHost();
    if (sim.vmId.toLowerCase() !== vmId.toLowerCase()) {
      throw usage(`Cannot find VM ${vmId} on ${this.#common.simState}: its VM is ${sim.vmId}`);
    }
    if (sim.guest !== guest) {
      throw usage(
        `Cannot drive a ${guest.toUpperCase()} pod on ${this.#common.simState}: ` +
          `its VM has a ${sim.guest.toUpperCase()} guest`,
      );
    }
    const ports = createPorts({ hcn: sim.hcn, hcs: sim.hcs, vmId, guest, ...timeout });
    return {
      ...ports,
      close: () => {
        ports[Symbol.dispose]();
        return Promise.resolve();
      },
    };
  }

  #simHost(): SimulatedHost {
    if (this.#sim !== undefined) return this.#sim;
    const path = this.#common.simState ?? "";
    try {
      this.#sim = SimulatedHost.openFile(path);
    } catch (cause) {
      throw usageFrom(`open the simulated host ${path}`, cause);
    }
    return this.#sim;
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#libraries?.close();
  }
}
