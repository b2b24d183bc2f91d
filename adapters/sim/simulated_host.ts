/**
 * A simulated Windows host: HCN namespaces and endpoints, a utility VM with
 * NIC slots, and an LCOW or WCOW guest that checks the real request
 * documents, with latency profiles, fault plans and a trace of every call.
 *
 * @module
 */
import { InvalidArgumentError, NotFoundError, StoreError } from "../../domain/errors.ts";
import { normalizeGuid } from "../../domain/guid.ts";
import type { JsonObject } from "../../ports/json.ts";
import type { HcnApi } from "../dll/hcn_api.ts";
import type { HcsApi } from "../dll/hcs_api.ts";
import { FaultQueue } from "./_fault_queue.ts";
import { fixtureSchema, hostDocumentSchema } from "./_fixture_schema.ts";
import { describeIssue } from "./_documents.ts";
import { exportHostState, loadHostState, parseHostState } from "./_host_state.ts";
import { LatencyModel } from "./_latency_model.ts";
import { addNamespaceEndpoint, removeNamespaceEndpoint } from "./_namespace_members.ts";
import { Runner, type Transaction } from "./_runner.ts";
import { SimHcn } from "./_sim_hcn.ts";
import { SimHcs } from "./_sim_hcs.ts";
import { StateFile } from "./_state_file.ts";
import { type StoredDocument, World } from "./_world.ts";
import type { FaultPlan, FaultSpec, PendingFault } from "./fault_plan.ts";
import type { Inventory } from "./inventory.ts";
import type { LatencyProfile, LatencySpec } from "./latency.ts";
import type { SimulatedHostState, SimulatedVmNic } from "./simulated_host_state.ts";
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

/**
 * Options of {@linkcode SimulatedHost.receiveMigration}: the destination
 * host's own HCN objects (CNI made a new namespace with new endpoints there)
 * and its latency.
 *
 * @example
 * ```ts
 * import type { SimulatedMigrationOptions } from "@podnet/hcs/sim";
 * declare const destinationFixture: { namespace: { ID: string }; endpoints: { ID: string }[] };
 * const options: SimulatedMigrationOptions = { fixture: destinationFixture, latency: 2 };
 * ```
 */
export interface SimulatedMigrationOptions {
  /**
   * The destination's HCN namespace and endpoints (`{namespace, endpoints}`,
   * as `loadFixture` takes). Their IDs are new: the source's HCN objects do
   * not exist on the destination.
   */
  readonly fixture: unknown;
  /** The VM's compute system ID on the destination; default the source's. */
  readonly vmId?: string;
  /** The destination's latency; default 0. */
  readonly latency?: LatencySpec | LatencyProfile;
  /** Seed of the destination's latency generator; default 0. */
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
 * | modify document not JSON; unknown field, wrong type or malformed GUID, MAC, IP address, CIDR or range (u16, prefix length 0..32 for IPv4, 0..128 for IPv6) anywhere in it; neither ResourcePath nor GuestRequest; a GuestRequest alone without ResourceType | HCS_E_INVALID_JSON 0xC037010D |
 * | ResourcePath other than `VirtualMachine/Devices/NetworkAdapters/<guid>` | E_INVALIDARG 0x80070057 |
 * | VM NIC add of an existing NIC | ERROR_ALREADY_EXISTS 0x800700B7 |
 * | VM NIC add/update for a missing endpoint | HCN_E_ENDPOINT_NOT_FOUND 0x803B0002 |
 * | VM NIC add/update for an endpoint another NIC uses | HCN_E_ENDPOINT_ALREADY_ATTACHED 0x803B0014 |
 * | VM NIC add without `Settings.EndpointId`; update without `Settings`; `IovSettings` field unknown, not a u32 (`OffloadWeight`, `QueuePairsRequested`) or not one of Default, Adaptive, Off, Low, Medium, High (`InterruptModeration`) | HCS_E_INVALID_JSON 0xC037010D |
 * | VM NIC remove/update of a missing NIC (hcsshim internal/hcs/errors.go `ErrElementNotFound`) | ERROR_NOT_FOUND 0x80070490 |
 * | guest request after `disconnectGuest()` | HCS_E_CONNECTION_CLOSED 0x8037010A |
 * | guest request without the namespace capability, LCOW `NetworkNamespace`, unknown ResourceType | HCS_E_UNKNOWN_MESSAGE 0xC037010B |
 * | LCOW `Network` `Update` (hcsshim hcsv2/uvm.go modifyNetwork: only Add and Remove) | E_FAIL 0x80004005 |
 * | LCOW adapter settings the guest cannot decode into its types (a string field not a string, `PrefixLength` not 0..255, `Metric` or `EncapOverhead` not 0..65535; hcsshim guestresource/resources.go, commonutils UnmarshalJSONWithHresult); keys match regardless of case, unknown ones and `null` members are ignored, as Go's decoder does | HCS_E_INVALID_JSON 0xC037010D |
 * | LCOW adapter add whose link the guest cannot configure (hcsshim internal/guest/network/netns.go; the adapter stays recorded, as AddAdapter recorded it before Sync failed, until a Remove): MTU 1500 less `EncapOverhead` below 68, or below 1280 with an IPv6 address; an `IPAddress`/`PrefixLength` that is no CIDR (a zone, a bad address, a prefix too long); a route whose `DestinationPrefix` is missing or no CIDR, unless it is `0.0.0.0/0` or `::/0`; a default route without a `NextHop` the guest can parse. A `NextHop` it cannot parse on another route is no error: the route goes in without a gateway | E_FAIL 0x80004005 |
 * | LCOW adapter add that gives its namespace more than 6 DNS search domains (`DNSSuffix` split on commas, trimmed, lower-cased, unique across the namespace's adapters: hcsshim hcsv2/network.go dnsConfig, internal/guest/network/network.go) | E_FAIL 0x80004005 |
 * | WCOW guest `Update` request | E_NOTIMPL 0x80004001 |
 * | LCOW adapter add whose `ID`, lower-cased, names no NIC of the VM (not added yet, not a GUID, in braces, absent): the guest finds no device for it (hcsshim internal/guest/network/network.go InstanceIDToName, after a wait of up to 5 s that the simulator does not model; nothing is recorded) | E_FAIL 0x80004005 |
 * | WCOW adapter add before the VM NIC exists | ERROR_NOT_FOUND 0x80070490 |
 * | WCOW add without a prior pre-add | ERROR_NOT_FOUND 0x80070490 |
 * | WCOW guest adapter added or pre-added twice | HCN_E_ENDPOINT_ALREADY_ATTACHED 0x803B0014 |
 * | LCOW guest adapter added twice ("already present in namespace": hcsshim hcsv2/network.go AddAdapter) | E_FAIL 0x80004005 |
 * | WCOW namespace added twice | HCN_E_ENDPOINT_NAMESPACE_ALREADY_EXISTS 0x803B002B |
 * | WCOW remove of an unknown guest adapter or namespace | ERROR_NOT_FOUND 0x80070490 |
 * | GetComputeSystemProperties type other than `GuestConnection` | E_INVALIDARG 0x80070057 |
 *
 * What it accepts that a stricter reading might not, as real hosts do: an
 * LCOW `Network` `Remove` of an adapter the guest does not have, or in
 * another namespace, succeeds and changes nothing (hcsshim hcsv2/uvm.go
 * modifyNetwork, hcsv2/network.go RemoveAdapter); the LCOW adapter's optional
 * fields may be left out (`PrefixLength` and `Metric` when 0, an on-link
 * route's `NextHop`; hcsshim guestresource/resources.go); its `NamespaceID`
 * is any text, absent meaning "", kept lower-cased (hcsv2/network.go
 * GetOrAddNetworkNamespace), and its `ID` matches regardless of case; a
 * host request that also carries a `GuestRequest` (hcsshim's legacy
 * ModifySettingRequest, internal/uvm/network.go addNIC, removeNIC) is applied
 * as one: the NIC before its guest adapter on an Add, after it on a Remove,
 * neither when either part fails; beside a ResourcePath, a GuestRequest
 * without ResourceType is a `Network` request. Such a request is traced with
 * its host operation (`vm.add-nic`, `vm.remove-nic`).
 *
 * Modelling choices worth knowing:
 * - too many DNS search domains fail the guest's adapter add; a real guest
 *   fails later, writing the pod sandbox's resolv.conf;
 * - an LCOW adapter ID the guest holds in any namespace is "already
 *   present"; a real guest checks only the namespace of the request;
 * - NIC `Settings` are HCS's NetworkAdapter (`EndpointId`, `MacAddress`,
 *   `IovSettings`, each optional in the schema); an `Update` changes only
 *   the fields it carries and the NIC keeps them (see `vmNics()`);
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
  readonly #queue: FaultQueue;
  readonly #latency: LatencyModel;
  /** How a piece of work on the world runs: as is, or reloaded from and saved to a file. */
  #transaction: Transaction = (work) => work();
  #inTransaction = false;

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
    const queue = new FaultQueue();
    const latency = new LatencyModel(options.latency, seed);
    const run: Transaction = (work) => this.#run(work);
    const runner = new Runner(world, queue, latency, world, run);
    this.#world = world;
    this.#queue = queue;
    this.#latency = latency;
    this.faults = {
      inject: (fault: FaultSpec) => run(() => queue.inject(fault)),
      clear: () => run(() => queue.clear()),
      get pending(): readonly PendingFault[] {
        return run(() => queue.pending);
      },
    };
    this.hcn = new SimHcn(world, runner);
    this.hcs = new SimHcs(world, runner);
  }

  /**
   * A host built from a state (as `exportState()` returns it, or parsed
   * from its JSON). Its handles, trace and request logs start empty.
   *
   * @example
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const source = new SimulatedHost({ guest: "wcow", vmId: "uvm-7" });
   * const copy = SimulatedHost.fromState(source.exportState());
   * console.log(copy.vmId, copy.guest); // uvm-7 wcow
   * ```
   *
   * @param state the world to start from
   * @throws InvalidArgumentError naming the first bad field of the state
   */
  static fromState(state: unknown): SimulatedHost {
    const s = parseHostState(state);
    const host = new SimulatedHost({
      guest: s.guest,
      vmId: s.vmId,
      namespaceAddRequestSupported: s.namespaceAddRequestSupported,
      ...(s.latency === null ? {} : { latency: s.latency }),
    });
    loadHostState(s, host.#world, host.#queue, host.#latency);
    return host;
  }

  /**
   * The destination host of a live migration: it holds the VM carried over
   * from the source (its NICs, which still name the source's endpoints, and
   * the guest's adapters and namespaces, as the VM's memory moved with it)
   * and only its own HCN objects: the new namespace and new endpoints of
   * `fixture`. The source's namespace and endpoints do not exist there.
   * Faults are not carried over. The source is left as it is: call its
   * `stopVm()` to model the VM having left it.
   *
   * @example Migrate a pod's VM and check what the destination holds
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * declare const sourceFixture: { namespace: { ID: string }; endpoints: { ID: string }[] };
   * declare const destinationFixture: { namespace: { ID: string }; endpoints: { ID: string }[] };
   * const source = new SimulatedHost({ guest: "lcow" });
   * source.loadFixture(sourceFixture);
   * // ... set the pod up on the source, then:
   * const destination = SimulatedHost.receiveMigration(source, { fixture: destinationFixture });
   * source.stopVm();
   * console.log(destination.inventory().vmNics); // the source's NICs, now stale
   * ```
   *
   * @param source the source host, or its state
   * @param destination the destination's HCN objects and latency
   * @throws InvalidArgumentError for a bad source state, a source VM that is not running, or a bad fixture
   */
  static receiveMigration(
    source: SimulatedHost | SimulatedHostState,
    destination: SimulatedMigrationOptions,
  ): SimulatedHost {
    const s = source instanceof SimulatedHost ? source.exportState() : parseHostState(source);
    if (!s.vmRunning) badArgument("source", `the VM ${s.vmId} is not running`);
    if (typeof destination !== "object" || destination === null) {
      badArgument("destination", "must be an object with a fixture");
    }
    const host = new SimulatedHost({
      guest: s.guest,
      vmId: destination.vmId ?? s.vmId,
      namespaceAddRequestSupported: s.namespaceAddRequestSupported,
      ...(destination.latency === undefined ? {} : { latency: destination.latency }),
      ...(destination.seed === undefined ? {} : { seed: destination.seed }),
    });
    const carried: SimulatedHostState = {
      ...s,
      vmId: host.vmId,
      namespaces: [],
      endpoints: [],
      faults: { next: 0, clears: 0, armed: [] },
      latency: host.#latency.spec ?? null,
      randomState: host.#latency.randomState,
    };
    loadHostState(carried, host.#world, host.#queue, host.#latency);
    host.loadFixture(destination.fixture);
    return host;
  }

  /**
   * Writes a new host file holding `state`, for {@linkcode openFile}. Needs
   * `--allow-read` and `--allow-write` on the file's directory.
   *
   * @example
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const path = `${await Deno.makeTempDir()}/host.json`;
   * SimulatedHost.createFile(path, new SimulatedHost({ guest: "lcow" }).exportState());
   * const host = SimulatedHost.openFile(path);
   * console.log(host.isClean()); // true
   * ```
   *
   * @param path the file to create
   * @param state the world it starts with
   * @throws InvalidArgumentError for a bad path or state, or a file that already exists
   * @throws StoreError when the file cannot be written
   */
  static createFile(path: string, state: SimulatedHostState): void {
    const file = new StateFile(checkPath(path));
    const text = JSON.stringify(parseHostState(state));
    let exists = false;
    try {
      file.locked(() => {
        exists = file.read() !== undefined;
        if (!exists) file.write(text);
      });
    } catch (cause) {
      throw new StoreError(`create the simulated host file ${path}`, undefined, { cause });
    }
    if (exists) badArgument("path", `${path} already exists`);
  }

  /**
   * A host whose world lives in a file (made by {@linkcode createFile}) and
   * is shared with every other host opened on it, in this process or
   * another. Each call reloads the world, applies the call and writes the
   * world back atomically, holding the file's lock, so concurrent processes
   * never lose each other's changes and a killed process leaves the old or
   * the new world. A call's latency or hang is waited without the lock.
   * Handles, the trace and the request logs stay in this host (a process's
   * handles die with it). Temporary files left by killed writers are
   * removed on open. Needs `--allow-read` and `--allow-write` on the file's
   * directory.
   *
   * @example Two hosts on one file see each other's changes
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const path = `${await Deno.makeTempDir()}/host.json`;
   * SimulatedHost.createFile(path, new SimulatedHost({ guest: "lcow" }).exportState());
   * const a = SimulatedHost.openFile(path);
   * const b = SimulatedHost.openFile(path);
   * a.addEndpoint({ ID: "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d" });
   * console.log(b.exportState().endpoints.length); // 1
   * ```
   *
   * @param path the host file
   * @throws NotFoundError when there is no such file
   * @throws StoreError when it cannot be read or does not hold a valid host
   */
  static openFile(path: string): SimulatedHost {
    const file = new StateFile(checkPath(path));
    const text = readHostFile(file, () =>
      file.locked(() => {
        file.removeStaleTemporaryFiles();
        return file.read();
      }));
    const host = SimulatedHost.fromState(parseHostFile(path, text));
    // The text the world in memory was last loaded from or written as: when
    // the file still holds it, no other host changed the world since, and
    // it need not be parsed again.
    let known = text;
    host.#transaction = <T>(work: () => T): T =>
      file.locked(() => {
        const before = readHostFile(file, () => file.read());
        if (before !== known) {
          try {
            loadHostState(parseHostFile(path, before), host.#world, host.#queue, host.#latency);
          } catch (cause) {
            throw cause instanceof StoreError ? cause : new StoreError(
              `use the simulated host in ${path}`,
              "it changed into another host",
              { cause },
            );
          }
          known = before;
        }
        try {
          return work();
        } finally {
          const after = JSON.stringify(host.#exportState());
          if (after !== before) {
            file.write(after);
            known = after;
          }
        }
      });
    return host;
  }

  /** Runs work on the world: once, as one transaction, even when nested. */
  #run<T>(work: () => T): T {
    if (this.#inTransaction) return work();
    this.#inTransaction = true;
    try {
      return this.#transaction(work);
    } finally {
      this.#inTransaction = false;
    }
  }

  #exportState(): SimulatedHostState {
    return exportHostState(this.#world, this.#queue, this.#latency);
  }

  /**
   * The whole world as plain JSON data: HCN objects, VM NICs, guest adapters
   * and namespaces, pending faults and latency (see
   * {@linkcode SimulatedHostState}). A deep copy.
   *
   * @example
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const host = new SimulatedHost({ guest: "lcow" });
   * console.log(JSON.stringify(host.exportState()).length > 0); // true
   * ```
   */
  exportState(): SimulatedHostState {
    return this.#run(() => this.#exportState());
  }

  /**
   * Loads a fixture (`{namespace, endpoints: [...]}`, as in
   * `adapters/sim/fixtures/*.json`): adds its namespace and endpoints. Nothing is added
   * when it is rejected.
   *
   * @throws InvalidArgumentError for a bad shape, a non-GUID ID or an ID already present
   */
  loadFixture(fixture: unknown): void {
    this.#run(() => this.#loadFixture(fixture));
  }

  #loadFixture(fixture: unknown): void {
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
    this.#add("namespace", namespace as unknown as JsonObject);
    for (const endpoint of endpoints) this.#add("endpoint", endpoint as unknown as JsonObject);
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
    this.#run(() => this.#add("namespace", doc));
  }

  /**
   * Adds an HCN endpoint document (it needs an `ID` GUID). The document is
   * copied; HCN queries return it as JSON text.
   *
   * @throws InvalidArgumentError for a missing or non-GUID ID, or an ID already present
   */
  addEndpoint(doc: JsonObject): void {
    this.#run(() => this.#add("endpoint", doc));
  }

  /**
   * Deletes an HCN namespace (any GUID form). Open handles stay open; queries
   * through them then fail with ERROR_NOT_FOUND.
   *
   * @throws NotFoundError when there is no such namespace
   */
  deleteNamespace(id: string): void {
    this.#run(() => this.#delete("namespace", id));
  }

  /**
   * Deletes an HCN endpoint (any GUID form). Open handles stay open; queries
   * through them then fail with HCN_E_ENDPOINT_NOT_FOUND.
   *
   * @throws NotFoundError when there is no such endpoint
   */
  deleteEndpoint(id: string): void {
    this.#run(() => this.#delete("endpoint", id));
  }

  /**
   * Adds an endpoint to a namespace while pods run, as CNI does when it adds
   * a network to a running pod: creates the endpoint document (copied; its
   * `HostComputeNamespace` set to the namespace when absent or empty) and
   * lists it last among the namespace's `Resources`
   * (`{"Type": "Endpoint", "Data": {"ID": ...}}`), so the next namespace read
   * shows it. For a host kept in a file every process sees it at its next
   * call (`podnet sim endpoint add` does this from the command line).
   * Nothing changes when it throws.
   *
   * @example A second network for a running pod
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const host = new SimulatedHost({ guest: "lcow" });
   * host.addNamespace({ ID: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", Resources: [] });
   * const id = host.addNamespaceEndpoint("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", {
   *   ID: "B1E2C3D4-0003-4A5B-8C6D-7E8F9A0B1C2D",
   *   Name: "4f1d0c2b9a7e_eth3",
   *   IpConfigurations: [{ IpAddress: "10.1.0.9", PrefixLength: 24 }],
   * });
   * console.log(id); // b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d
   * ```
   *
   * @param namespaceId the namespace (any GUID form)
   * @param endpoint the endpoint document; it needs an `ID` GUID not yet in use
   * @returns the endpoint's ID, lower case
   * @throws NotFoundError when there is no such namespace
   * @throws InvalidArgumentError for a bad document, an ID already present, or a `HostComputeNamespace` naming another namespace
   */
  addNamespaceEndpoint(namespaceId: string, endpoint: JsonObject): string {
    return this.#run(() => addNamespaceEndpoint(this.#world, namespaceId, endpoint));
  }

  /**
   * Takes an endpoint out of a namespace while pods run, as CNI does when it
   * deletes a network of a running pod: removes it from the `Resources` of
   * every namespace listing it and deletes the endpoint, so reads of it fail
   * with HCN_E_ENDPOINT_NOT_FOUND. With `{ keepEndpoint: true }` the endpoint
   * stays (without `HostComputeNamespace`) and only leaves the namespace. A
   * NIC on the VM that uses it stays: removing it is podnet's job.
   * `podnet sim endpoint remove` does this from the command line.
   *
   * @example The pod's second network is deleted
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const host = new SimulatedHost({ guest: "lcow" });
   * host.addNamespace({ ID: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", Resources: [] });
   * host.addNamespaceEndpoint("6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b", {
   *   ID: "b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d",
   * });
   * const left = host.removeNamespaceEndpoint("b1e2c3d4-0003-4a5b-8c6d-7e8f9a0b1c2d");
   * console.log(left); // ["6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b"]
   * console.log(host.exportState().endpoints.length); // 0
   * ```
   *
   * @param endpointId the endpoint (any GUID form)
   * @param options `keepEndpoint`: only take it out of its namespaces
   * @returns the namespaces (lower case) it was taken out of
   * @throws NotFoundError when no namespace lists it and no such endpoint exists
   */
  removeNamespaceEndpoint(
    endpointId: string,
    options: { readonly keepEndpoint?: boolean } = {},
  ): string[] {
    const keep = options?.keepEndpoint === true;
    return this.#run(() => removeNamespaceEndpoint(this.#world, endpointId, keep));
  }

  /**
   * Stops the utility VM: its NICs, guest adapters and guest namespaces go
   * with it and the guest connection closes. Open compute system handles
   * stay open (calls on them fail with HCS_E_SYSTEM_ALREADY_STOPPED) and must
   * still be closed; opening the VM fails with HCS_E_SYSTEM_NOT_FOUND.
   */
  stopVm(): void {
    this.#run(() => this.#world.stopVm());
  }

  /**
   * Closes the guest connection: guest adapters and namespaces are gone,
   * VM NICs stay. Guest requests then fail with HCS_E_CONNECTION_CLOSED and
   * the GuestConnection property has no `GuestConnectionInfo`.
   */
  disconnectGuest(): void {
    this.#run(() => this.#world.disconnectGuest());
  }

  /**
   * Pauses the utility VM (as a save or a live migration does): it keeps its
   * NICs, guest adapters and connection, answers property queries with
   * `State: "Paused"`, and refuses every change with HCS_E_INVALID_STATE, the
   * code a stopped VM may also give. `resumeVm()` ends the pause.
   */
  pauseVm(): void {
    this.#run(() => {
      if (this.#world.vmRunning) this.#world.vmPaused = true;
    });
  }

  /** Ends a `pauseVm()`. */
  resumeVm(): void {
    this.#run(() => {
      this.#world.vmPaused = false;
    });
  }

  /** Whether the utility VM is running (false after `stopVm()`). */
  get vmRunning(): boolean {
    return this.#run(() => this.#world.vmRunning);
  }

  /** Whether the guest connection is open (false after `disconnectGuest()` or `stopVm()`). */
  get guestConnected(): boolean {
    return this.#run(() => this.#world.guestConnected);
  }

  /** Every call received, in the order each ended (or began to hang). */
  get trace(): readonly TraceEntry[] {
    return this.#world.trace;
  }

  /**
   * Forgets what the host recorded of the calls: empties the trace (numbering
   * starts again at 1) and the request logs of `guestRequests()` and
   * `hostRequests()`. A long-lived host (a benchmark, a demo) calls it now and
   * then so that its records do not grow without end.
   */
  clearTrace(): void {
    this.#world.trace.length = 0;
    this.#world.guestRequests.length = 0;
    this.#world.hostRequests.length = 0;
  }

  /** What the host holds now that podnet could leak. */
  inventory(): Inventory {
    return this.#run(() => {
      const w = this.#world;
      return {
        vmNics: [...w.vmNics.keys()].sort(),
        guestAdapters: [...w.guestAdapters.keys()].sort(),
        guestNamespaces: [...w.guestNamespaces.keys()].sort(),
        openHandles: w.handles.size,
      };
    });
  }

  /**
   * The NICs on the utility VM with what HCS keeps of each: endpoint, MAC
   * address and SR-IOV settings (as the last Add or Update set them), sorted
   * by ID. Copies.
   *
   * @example
   * ```ts
   * import { SimulatedHost } from "@podnet/hcs/sim";
   * const host = new SimulatedHost({ guest: "wcow" });
   * for (const nic of host.vmNics()) console.log(nic.id, nic.iovSettings);
   * ```
   */
  vmNics(): SimulatedVmNic[] {
    return this.#run(() => this.#exportState().vmNics.slice().sort((a, b) => a.id < b.id ? -1 : 1));
  }

  /** Whether there are no VM NICs, guest adapters, guest namespaces nor open handles. */
  isClean(): boolean {
    const i = this.inventory();
    return i.vmNics.length === 0 && i.guestAdapters.length === 0 &&
      i.guestNamespaces.length === 0 && i.openHandles === 0;
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

function checkPath(path: unknown): string {
  if (typeof path !== "string" || path.length === 0) {
    badArgument("path", "must be a non-empty string");
  }
  return path;
}

/** Reads a host file, as a StoreError or NotFoundError when it cannot. */
function readHostFile(file: StateFile, read: () => string | undefined): string {
  let text: string | undefined;
  try {
    text = read();
  } catch (cause) {
    throw new StoreError(`read the simulated host from ${file.path}`, undefined, { cause });
  }
  if (text === undefined) throw new NotFoundError("simulated host file", file.path);
  return text;
}

/** Parses and validates a host file's text, as a StoreError when it is not a host. */
function parseHostFile(path: string, text: string): SimulatedHostState {
  try {
    return parseHostState(JSON.parse(text));
  } catch (cause) {
    throw new StoreError(`use the simulated host in ${path}`, "its content is not valid", {
      cause,
    });
  }
}
