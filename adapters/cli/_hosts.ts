import type { HostPorts } from "../create_ports.ts";
import type { WindowsLibraries } from "../ffi/windows_libraries.ts";
import type { SimulatedHost } from "../sim/simulated_host.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { EXIT_CODES } from "./exit_codes.ts";
import type { Common } from "./_options.ts";
import { CliError, usage, usageFrom } from "./_options.ts";

/** The ports of one pod, to close when its command is done. */
export interface PodPorts extends HostPorts {
  close(): Promise<void>;
}

/** Builds the ports of a pod on the host that `check()` loaded. */
type PortsMaker = (vmId: string, guest: GuestPlatform, timeout: { timeoutMs?: number }) => PodPorts;

/**
 * The host a command drives: the real one through one shared
 * `WindowsLibraries` for the whole process (loaded on first use), or the
 * simulated host kept in `--sim-state` (opened once). Close it at the end.
 *
 * Only the code of the host named is loaded, in `check()`: the simulator
 * with `--host sim`, the FFI bindings with `--host windows`.
 */
export class Hosts implements AsyncDisposable {
  #libraries: WindowsLibraries | undefined;
  #make: PortsMaker | undefined;
  readonly #common: Common;

  constructor(common: Common) {
    this.#common = common;
  }

  /**
   * Loads the code of the host and opens the simulated host now, so a
   * missing or corrupt file is bad input found before anything is written.
   * Call it, once, before `portsFor`.
   */
  async check(): Promise<void> {
    if (this.#make !== undefined) return;
    if (this.#common.host === "windows") {
      const [{ createWindowsPorts }, { WindowsLibraries }] = await Promise.all([
        import("../ffi/create_windows_ports.ts"),
        import("../ffi/windows_libraries.ts"),
      ]);
      this.#make = (vmId, guest, timeout) => {
        this.#libraries ??= new WindowsLibraries();
        return createWindowsPorts({ vmId, guest, libraries: this.#libraries, ...timeout });
      };
      return;
    }
    const [{ createPorts }, { SimulatedHost }] = await Promise.all([
      import("../create_ports.ts"),
      import("../sim/simulated_host.ts"),
    ]);
    const sim = this.#openSim(SimulatedHost);
    this.#make = (vmId, guest, timeout) => {
      this.#checkSimPod(sim, vmId, guest);
      const ports = createPorts({ hcn: sim.hcn, hcs: sim.hcs, vmId, guest, ...timeout });
      return {
        ...ports,
        close: () => {
          ports[Symbol.dispose]();
          return Promise.resolve();
        },
      };
    };
  }

  /** The ports of a pod on a VM (after `check()`). */
  portsFor(vmId: string, guest: GuestPlatform, callTimeoutMs: number | undefined): PodPorts {
    if (this.#make === undefined) {
      throw new CliError(
        EXIT_CODES.FAILED,
        `Cannot drive the ${this.#common.host} host: not loaded`,
      );
    }
    return this.#make(vmId, guest, callTimeoutMs === undefined ? {} : { timeoutMs: callTimeoutMs });
  }

  #openSim(Host: typeof SimulatedHost): SimulatedHost {
    const path = this.#common.simState ?? "";
    try {
      return Host.openFile(path);
    } catch (cause) {
      throw usageFrom(`open the simulated host ${path}`, cause);
    }
  }

  #checkSimPod(sim: SimulatedHost, vmId: string, guest: GuestPlatform): void {
    if (sim.vmId.toLowerCase() !== vmId.toLowerCase()) {
      throw usage(`Cannot find VM ${vmId} on ${this.#common.simState}: its VM is ${sim.vmId}`);
    }
    if (sim.guest !== guest) {
      throw usage(
        `Cannot drive a ${guest.toUpperCase()} pod on ${this.#common.simState}: ` +
          `its VM has a ${sim.guest.toUpperCase()} guest`,
      );
    }
  }

  async [Symbol.asyncDispose](): Promise<void> {
    await this.#libraries?.close();
  }
}
