/**
 * A simulated Windows host: HCN namespaces and endpoints, a utility VM with
 * NIC slots, and an LCOW or WCOW guest that checks the real request
 * documents, with latency profiles, fault plans and a trace of every call.
 *
 * @module
 */
import { InvalidArgumentError, NotFoundError } from "../../../domain/errors.ts";
import { normalizeGuid } from "../../../domain/guid.ts";
import type { JsonObject } from "../../../ports/json.ts";
import type { HcnApi } from "../hcn_api.ts";
import type { HcsApi } from "../hcs_api.ts";
import { FaultQueue } from "./_fault_queue.ts";
import { fixtureSchema, hostDocumentSchema } from "./_fixture_schema.ts";
import { describeIssue } from "./_documents.ts";
import { LatencyModel } from "./_latency_model.ts";
import { Runner } from "./_runner.ts";
import { SimHcn } from "./_sim_hcn.ts";
import { SimHcs } from "./_sim_hcs.ts";
import { type StoredDocument, World } from "./_world.ts";
import type { FaultPlan } from "./fault_plan.ts";
import type { Inventory } from "./inventory.ts";
import type { LatencyProfile, LatencySpec } from "./latency.ts";
import type { TraceEntry } from "./trace_entry.ts";

/**
 * Options of a {@linkcode SimulatedHost}.
 *
 * @example
 * ```ts
 * import type { SimulatedHostOptions } from "@podnet/hcs/sim";
 * const options: SimulatedHostOptions = {
 *   guest: "wcow",
 *   latency: { "vm.add-nic": { minMs: 1, maxMs: 5 } },
 *   seed: 42,
 * };
 * ```
 */
export interface SimulatedHostOptions {
  /** The guest platform of the utility VM. */
  readonly guest: "lcow" | "wcow";
  /** The utility VM's compute system ID; default `"podnet-uvm-1"`. */
  readonly vmId?: string;
  /**
   * The guest's `NamespaceAddRequestSupported` capability; default true.
   * When false, every guest `Network`/`NetworkNamespace` request is rejected
   * with HCS_E_UNKNOWN_MESSAGE.
   */
  readonly namespaceAddRequestSupported?: boolean;
  /**
   * How long calls take: one spec for every call, or a profile per operation
   * or DLL function name (`"*"` for the rest); default 0. Close calls take no
   * time. Zero latency uses no timers.
   */
  readonly latency?: LatencySpec | LatencyProfile;
  /** Seed of the generator that draws random latencies; default 0. */
  readonly seed?: number;
}

function badArgument(argument: string, reason: string): never {
  throw new InvalidArgumentError(argument, reason);
}

/**
 * A simulated Windows host implementing the DLL-level `HcnApi` and `HcsApi`,
 * so podnet's real adapters run on it. It is strict: it rejects what Windows
 * would (bad handles, unknown or mistyped document fields, steps out of
 * order) with the HRESULT Windows uses.
 *
 * What it rejects, and with which HRESULT (the error record is an HNS-style
 * `{"Error","ErrorCode","Success":false}` for HCN calls, an HCS ResultError
 * document for HCS calls):
 *
 * | rule | HRESULT |
 * |---|---|
 * | unknown, closed or wrong-kind handle | E_HANDLE 0x80070006 |
 * | HCN ID that is not a GUID | HCN_E_GUID_CONVERSION_FAILURE 0x803B0019 |
 * | missing namespace / endpoint | ERROR_NOT_FOUND 0x80070490 / HCN_E_ENDPOINT_NOT_FOUND 0x803B0002 |
 * | HCN query not JSON, no `SchemaVersion` 2.x, bad `Filter` | HCN_E_INVALID_JSON 0x803B001B |
 * | open of an unknown or stopped VM | HCS_E_SYSTEM_NOT_FOUND 0xC037010E |
 * | modify / properties on a stopped VM's handle | HCS_E_SYSTEM_ALREADY_STOPPED 0xC0370110 |
 * | modify document not JSON; unknown field, wrong type or malformed GUID, MAC, IP address, CIDR or range (u16, prefix length 0..32 for IPv4, 0..128 for IPv6) anywhere in it; both or neither of ResourcePath and GuestRequest | HCS_E_INVALID_JSON 0xC037010D |
 * | ResourcePath other than `VirtualMachine/Devices/NetworkAdapters/<guid>` | E_INVALIDARG 0x80070057 |
 * | VM NIC add of an existing NIC | ERROR_ALREADY_EXISTS 0x800700B7 |
 * | VM NIC add/update for a missing endpoint | HCN_E_ENDPOINT_NOT_FOUND 0x803B0002 |
 * | VM NIC add/update for an endpoint another NIC uses | HCN_E_ENDPOINT_ALREADY_ATTACHED 0x803B0014 |
 * | VM NIC remove/update of a missing NIC | ERROR_NOT_FOUND 0x80070490 |
 * | guest request after `disconnectGuest()` | HCS_E_CONNECTION_CLOSED 0x8037010A |
 * | guest request without the namespace capability, LCOW `NetworkNamespace`, unknown ResourceType | HCS_E_UNKNOWN_MESSAGE 0xC037010B |
 * | guest `Update` request | E_NOTIMPL 0x80004001 |
 * | guest adapter add (LCOW add, WCOW add) before the VM NIC exists | ERROR_NOT_FOUND 0x80070490 |
 * | WCOW add without a prior pre-add | ERROR_NOT_FOUND 0x80070490 |
 * | guest adapter added or pre-added twice | HCN_E_ENDPOINT_ALREADY_ATTACHED 0x803B0014 |
 * | WCOW namespace added twice | HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS 0x803B002B |
 * | remove of an unknown guest adapter or namespace (LCOW: also another namespace's adapter) | ERROR_NOT_FOUND 0x80070490 |
 * | GetComputeSystemProperties type other than `GuestConnection` | E_INVALIDARG 0x80070057 |
 *
 * Modelling choices worth knowing:
 * - latency elapses before a call reaches the host; a signal that aborts
 *   during it cancels the call with no effect (trace outcome `"aborted"`);
 * - a host hot-remove leaves the guest's adapter in place (the inventory
 *   shows a missing guest detach);
 * - a crash fault on an open call discards the handle (a crashed process's
 *   handles die with it).
 *
 * @example Set up a pod's NIC by hand
 * ```ts
 * import { SimulatedHost } from "@podnet/hcs/sim";
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.addEndpoint({ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" });
 * const vm = await host.hcs.openComputeSystem(host.vmId);
 * await host.hcs.modifyComputeSystem(vm, JSON.stringify({
 *   ResourcePath: "VirtualMachine/Devices/NetworkAdapters/0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0",
 *   RequestType: "Add",
 *   Settings: { EndpointId: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" },
 * }));
 * host.hcs.closeComputeSystem(vm);
 * console.log(host.inventory().vmNics); // ["0f1e2d3c-4b5a-5978-8796-a5b4c3d2e1f0"]
 * ```
 */
export class SimulatedHost {
  /** The simulated computenetwork.dll. */
  readonly hcn: HcnApi;
  /** The simulated vmcompute.dll. */
  readonly hcs: HcsApi;
  /** The utility VM's compute system ID. */
  readonly vmId: string;
  /** The guest platform. */
  readonly guest: "lcow" | "wcow";
  /** The fault plan: inject failures, hangs and crashes at chosen calls. */
  readonly faults: FaultPlan;
  readonly #world: World;

  /**
   * Creates a host with a running VM, a connected guest and no HCN objects.
   *
   * @param options the guest platform, VM ID, guest capability, latency and seed
   * @throws InvalidArgumentError for a malformed option
   */
  constructor(options: SimulatedHostOptions) {
    const guest: unknown = options?.guest;
    if (guest !== "lcow" && guest !== "wcow") badArgument("guest", 'must be "lcow" or "wcow"');
    const vmId: unknown = options.vmId ?? "podnet-uvm-1";
    if (typeof vmId !== "string" || vmId.length === 0) {
      badArgument("vmId", "must be a non-empty string");
    }
    const supported: unknown = options.namespaceAddRequestSupported ?? true;
    if (typeof supported !== "boolean") {
      badArgument("namespaceAddRequestSupported", "must be a boolean");
    }
    const seed: unknown = options.seed ?? 0;
    if (typeof seed !== "number" || !Number.isInteger(seed)) {
      badArgument("seed", "must be an integer");
    }
    this.guest = guest;
    this.vmId = vmId;
    const world = new World(vmId, guest, supported);
    const faults = new FaultQueue();
    const runner = new Runner(world, faults, new LatencyModel(options.latency, seed), this);
    this.#world = world;
    this.faults = faults;
    this.hcn = new SimHcn(world, runner);
    this.hcs = new SimHcs(world, runner);
  }

  /**
   * Loads a fixture (`{namespace, endpoints: [...]}`, as in
   * `tests/data/*.json`): adds its namespace and endpoints. Nothing is added
   * when it is rejected.
   *
   * @throws InvalidArgumentError for a bad shape, a non-GUID ID or an ID already present
   */
  loadFixture(fixture: unknown): void {
    const parsed = fixtureSchema.safeParse(fixture);
    if (!parsed.success) badArgument("fixture", describeIssue(parsed.error, "fixture"));
    const namespace = parsed.data.namespace;
    const endpoints = parsed.data.endpoints;
    const nsKey = normalizeGuid(namespace.ID) ?? namespace.ID;
    if (this.#world.namespaces.has(nsKey)) {
      badArgument("fixture.namespace", `namespace ${nsKey} already exists`);
    }
    const seen = new Set<string>();
    for (const endpoint of endpoints) {
      const key = normalizeGuid(endpoint.ID) ?? endpoint.ID;
      if (seen.has(key) || this.#world.endpoints.has(key)) {
        badArgument("fixture.endpoints", `endpoint ${key} is listed twice or already exists`);
      }
      seen.add(key);
    }
    this.addNamespace(namespace as unknown as JsonObject);
    for (const endpoint of endpoints) this.addEndpoint(endpoint as unknown as JsonObject);
  }

  #add(kind: "namespace" | "endpoint", doc: JsonObject): void {
    const parsed = hostDocumentSchema.safeParse(doc);
    if (!parsed.success) badArgument(kind, describeIssue(parsed.error, kind));
    const key = normalizeGuid(parsed.data.ID) ?? parsed.data.ID;
    const store = this.#store(kind);
    if (store.has(key)) badArgument(kind, `${kind} ${key} already exists`);
    const text = JSON.stringify(doc);
    store.set(key, { id: parsed.data.ID, text, doc: JSON.parse(text) });
  }

  #store(kind: "namespace" | "endpoint"): Map<string, StoredDocument> {
    return kind === "namespace" ? this.#world.namespaces : this.#world.endpoints;
  }

  #delete(kind: "namespace" | "endpoint", id: string): void {
    const key = normalizeGuid(id);
    if (key === undefined || !this.#store(kind).delete(key)) throw new NotFoundError(kind, id);
  }

  /**
   * Adds an HCN namespace document (it needs an `ID` GUID). The document is
   * copied; HCN queries return it as JSON text.
   *
   * @throws InvalidArgumentError for a missing or non-GUID ID, or an ID already present
   */
  addNamespace(doc: JsonObject): void {
    this.#add("namespace", doc);
  }

  /**
   * Adds an HCN endpoint document (it needs an `ID` GUID). The document is
   * copied; HCN queries return it as JSON text.
   *
   * @throws InvalidArgumentError for a missing or non-GUID ID, or an ID already present
   */
  addEndpoint(doc: JsonObject): void {
    this.#add("endpoint", doc);
  }

  /**
   * Deletes an HCN namespace (any GUID form). Open handles stay open; queries
   * through them then fail with ERROR_NOT_FOUND.
   *
   * @throws NotFoundError when there is no such namespace
   */
  deleteNamespace(id: string): void {
    this.#delete("namespace", id);
  }

  /**
   * Deletes an HCN endpoint (any GUID form). Open handles stay open; queries
   * through them then fail with HCN_E_ENDPOINT_NOT_FOUND.
   *
   * @throws NotFoundError when there is no such endpoint
   */
  deleteEndpoint(id: string): void {
    this.#delete("endpoint", id);
  }

  /**
   * Stops the utility VM: its NICs, guest adapters and guest namespaces go
   * with it and the guest connection closes. Open compute system handles
   * stay open (calls on them fail with HCS_E_SYSTEM_ALREADY_STOPPED) and must
   * still be closed; opening the VM fails with HCS_E_SYSTEM_NOT_FOUND.
   */
  stopVm(): void {
    this.#world.stopVm();
  }

  /**
   * Closes the guest connection: guest adapters and namespaces are gone,
   * VM NICs stay. Guest requests then fail with HCS_E_CONNECTION_CLOSED and
   * the GuestConnection property has no `GuestConnectionInfo`.
   */
  disconnectGuest(): void {
    this.#world.disconnectGuest();
  }

  /**
   * Pauses the utility VM (as a save or a live migration does): it keeps its
   * NICs, guest adapters and connection, answers property queries with
   * `State: "Paused"`, and refuses every change with HCS_E_INVALID_STATE, the
   * code a stopped VM may also give. `resumeVm()` ends the pause.
   */
  pauseVm(): void {
    if (this.#world.vmRunning) this.#world.vmPaused = true;
  }

  /** Ends a `pauseVm()`. */
  resumeVm(): void {
    this.#world.vmPaused = false;
  }

  /** Whether the utility VM is running (false after `stopVm()`). */
  get vmRunning(): boolean {
    return this.#world.vmRunning;
  }

  /** Whether the guest connection is open (false after `disconnectGuest()` or `stopVm()`). */
  get guestConnected(): boolean {
    return this.#world.guestConnected;
  }

  /** Every call received, in the order each ended (or began to hang). */
  get trace(): readonly TraceEntry[] {
    return this.#world.trace;
  }

  /** Empties the trace; numbering starts again at 1. */
  clearTrace(): void {
    this.#world.trace.length = 0;
  }

  /** What the host holds now that podnet could leak. */
  inventory(): Inventory {
    const w = this.#world;
    return {
      vmNics: [...w.vmNics.keys()].sort(),
      guestAdapters: [...w.guestAdapters.keys()].sort(),
      guestNamespaces: [...w.guestNamespaces.keys()].sort(),
      openHandles: w.handles.size,
    };
  }

  /** Whether there are no VM NICs, guest adapters, guest namespaces nor open handles. */
  isClean(): boolean {
    const w = this.#world;
    return w.vmNics.size === 0 && w.guestAdapters.size === 0 && w.guestNamespaces.size === 0 &&
      w.handles.size === 0;
  }

  /**
   * Every guest request the guest accepted, in order: the `GuestRequest`
   * value of each modify document (`{ResourceType, RequestType, Settings}`).
   */
  guestRequests(): readonly JsonObject[] {
    return this.#world.guestRequests.slice();
  }

  /** Every VM NIC modify document the host accepted, in order (whole documents). */
  hostRequests(): readonly JsonObject[] {
    return this.#world.hostRequests.slice();
  }
}
