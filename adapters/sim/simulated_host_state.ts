/**
 * The whole world of a simulated host as plain JSON data: what
 * `SimulatedHost.exportState()` returns, what `SimulatedHost.fromState()`
 * and `SimulatedHost.receiveMigration()` take, and what a host file holds.
 *
 * @module
 */
import type { JsonObject } from "../../ports/json.ts";
import type { FaultAction } from "./fault_plan.ts";
import type { LatencyProfile, LatencySpec } from "./latency.ts";

/**
 * A NIC's SR-IOV settings as HCS keeps them: the fields of HCS's
 * `IovSettings`, each present when an Add or Update set it (an Update that
 * leaves a field out keeps its value).
 *
 * @example
 * ```ts
 * import type { SimulatedIovSettings } from "@podnet/hcs/sim";
 * const iov: SimulatedIovSettings = {
 *   OffloadWeight: 100,
 *   QueuePairsRequested: 4,
 *   InterruptModeration: "Adaptive",
 * };
 * ```
 */
export interface SimulatedIovSettings {
  /** IOV offload weight (u32); 0 turns offloading off. */
  readonly OffloadWeight?: number;
  /** Queue pairs requested (u32). */
  readonly QueuePairsRequested?: number;
  /** Interrupt moderation mode. */
  readonly InterruptModeration?: "Default" | "Adaptive" | "Off" | "Low" | "Medium" | "High";
}

/**
 * A NIC hot-added to the simulated utility VM, as the host keeps it.
 *
 * @example Read the IOV settings an Update left on a NIC
 * ```ts
 * import { SimulatedHost, type SimulatedVmNic } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * const nics: readonly SimulatedVmNic[] = host.vmNics();
 * console.log(nics.map((n) => n.iovSettings?.OffloadWeight));
 * ```
 */
export interface SimulatedVmNic {
  /** The NIC's GUID, lower case. */
  readonly id: string;
  /** The endpoint it is connected to, lower case. */
  readonly endpointId: string;
  /** The MAC address the last request gave, as written. */
  readonly macAddress?: string;
  /** Its SR-IOV settings, when a request gave any. */
  readonly iovSettings?: SimulatedIovSettings;
}

/**
 * A simulated host's world, schema version 1: its HCN objects, the utility
 * VM and its NICs, the guest's adapters and namespaces, the faults not yet
 * fired and the latency. Plain JSON (`JSON.stringify` keeps all of it).
 *
 * Not in it: open handles, the trace and the request logs, which belong to
 * the process that made the calls (a dead process's handles die with it).
 *
 * @example Copy a host's world into a second host
 * ```ts
 * import { SimulatedHost, type SimulatedHostState } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.addEndpoint({ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" });
 * const state: SimulatedHostState = host.exportState();
 * const twin = SimulatedHost.fromState(JSON.parse(JSON.stringify(state)));
 * console.log(twin.exportState().endpoints.length); // 1
 * ```
 */
export interface SimulatedHostState {
  /** Always 1. */
  readonly schemaVersion: 1;
  /** The guest platform of the utility VM. */
  readonly guest: "lcow" | "wcow";
  /** The utility VM's compute system ID. */
  readonly vmId: string;
  /** The guest's `NamespaceAddRequestSupported` capability. */
  readonly namespaceAddRequestSupported: boolean;
  /** Whether the utility VM runs. */
  readonly vmRunning: boolean;
  /** Whether the running VM is paused (it refuses changes); absent: no. */
  readonly vmPaused?: boolean;
  /** Whether the guest connection is open. */
  readonly guestConnected: boolean;
  /** The HCN namespace documents, each with an `ID` GUID. */
  readonly namespaces: readonly JsonObject[];
  /** The HCN endpoint documents, each with an `ID` GUID. */
  readonly endpoints: readonly JsonObject[];
  /** The NICs hot-added to the VM (IDs lower case). */
  readonly vmNics: readonly SimulatedVmNic[];
  /** The guest's adapters: WCOW ones `preadded` until the guest add; LCOW ones carry their namespace. */
  readonly guestAdapters: readonly {
    readonly id: string;
    readonly state: "preadded" | "added";
    /** LCOW: the namespace ID as the guest keeps it (lower-cased; any text, like the guest). */
    readonly namespaceId?: string;
    /** LCOW: the search domains its `DNSSuffix` gave, as the guest parsed them. */
    readonly dnsSearch?: readonly string[];
  }[];
  /** The guest's namespaces (WCOW), with the document each was added with. */
  readonly guestNamespaces: readonly { readonly id: string; readonly document: JsonObject }[];
  /** The fault plan: faults not yet fired, in injection order, with their counts. */
  readonly faults: {
    /** The injection number the next fault gets. */
    readonly next: number;
    /** How many times the plan was cleared. */
    readonly clears: number;
    /** The faults not yet fired. */
    readonly armed: readonly {
      readonly order: number;
      readonly on: string;
      readonly nth: number;
      readonly seen: number;
      readonly action: FaultAction;
    }[];
  };
  /** The latency option, or `null` for none. */
  readonly latency: LatencySpec | LatencyProfile | null;
  /** The state of the generator that draws random latencies (unsigned 32-bit). */
  readonly randomState: number;
}
