/**
 * The pod network controller: one per pod. It drives the ports through the
 * lifecycle of {@linkcode TRANSITIONS}, records how far every NIC got, and
 * undoes exactly what was done (or may have been done), whatever fails.
 *
 * @module
 */
import { getLogger, type Logger } from "@logtape/logtape";
import type { NicBinding, StepProgress } from "./binding.ts";
import type { ControllerEvent, ControllerStep } from "./controller_event.ts";
import { orderEndpoints, uniqueIds } from "./endpoint_order.ts";
import {
  CancelledError,
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  InvalidStateError,
  NotFoundError,
  SetupError,
  TeardownError,
  type TeardownStep,
  TeardownStepError,
  VmUnavailableError,
} from "./errors.ts";
import { normalizeGuid } from "./guid.ts";
import { deriveNicId } from "./nic_id.ts";
import { parseSnapshot, type Snapshot } from "./snapshot.ts";
import {
  type ControllerOperation,
  type ControllerState,
  type TransitionAction,
  TRANSITIONS,
} from "./state.ts";
import { SerialQueue } from "./_serial_queue.ts";
import type { GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import type { JsonObject } from "../ports/json.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";
import type { StateStore } from "../ports/state_store.ts";

/**
 * Options of a {@linkcode NetworkController}.
 *
 * @example
 * ```ts
 * import type { NetworkControllerOptions } from "@podnet/hcs";
 * const options: NetworkControllerOptions = {
 *   podId: "default/nginx-7c5ddbdf54-x8f2k",
 *   namespaceId: "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b",
 * };
 * ```
 */
export interface NetworkControllerOptions {
  /** The pod: non-empty printable text, at most 256 characters. Part of every NIC ID. */
  readonly podId: string;
  /** The HCN namespace CNI prepared for the pod (GUID; braces and case tolerated). */
  readonly namespaceId: string;
  /** Whether the guest routes by policy (LCOW); default false. */
  readonly policyBasedRouting?: boolean;
  /** Whether a failed setup undoes what it did before throwing; default true. */
  readonly rollbackOnSetupFailure?: boolean;
  /** Where bindings are recorded before each step whose outcome could be unknown. */
  readonly store?: StateStore;
  /** Called synchronously with every transition and step; must not throw. */
  readonly onEvent?: (event: ControllerEvent) => void;
}

/**
 * Options of a controller operation.
 *
 * @example
 * ```ts
 * import type { OperationOptions } from "@podnet/hcs";
 * const opts: OperationOptions = { signal: AbortSignal.timeout(60_000) };
 * ```
 */
export interface OperationOptions {
  /** Stops the operation at its next step (and cuts off the running call). */
  readonly signal?: AbortSignal | undefined;
}

/**
 * Options of {@linkcode NetworkController.import} and
 * {@linkcode NetworkController.recover}: those of the constructor that a
 * snapshot does not carry.
 *
 * @example
 * ```ts
 * import type { RestoreOptions } from "@podnet/hcs";
 * const opts: RestoreOptions = { rollbackOnSetupFailure: true };
 * ```
 */
export type RestoreOptions = Pick<
  NetworkControllerOptions,
  "rollbackOnSetupFailure" | "store" | "onEvent"
>;

interface MutableBinding {
  readonly nicId: string;
  readonly endpointId: string;
  readonly endpointName: string;
  readonly macAddress?: string;
  prepared: StepProgress;
  vmAdded: StepProgress;
  attached: StepProgress;
}

interface GuestNamespaceRecord {
  progress: StepProgress;
  readonly document: JsonObject;
}

type Operation = Snapshot["operation"];

const MAX_POD_ID = 256;

/** Stands for "no ports yet" when a controller is built from a snapshot. */
const NO_PORTS = Object.freeze({}) as NetworkPorts;

/**
 * Manages the network of one pod in a utility VM.
 *
 * @example Set up and tear down on the simulated host
 * ```ts
 * import { createPorts, NetworkController } from "@podnet/hcs";
 * import { SimulatedHost } from "@podnet/hcs/sim";
 *
 * declare const fixture: { namespace: { ID: string } }; // e.g. tests/data/pod-3nic.json
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.loadFixture(fixture);
 * using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
 * const controller = new NetworkController(
 *   { podId: "pod-a", namespaceId: fixture.namespace.ID },
 *   ports,
 * );
 * await controller.setup();
 * console.log(controller.bindings.map((b) => b.endpointName)); // [..._eth0, ..._eth1, ..._eth2]
 * await controller.teardown();
 * ```
 */
export class NetworkController {
  #podId: string;
  #namespaceId: string;
  #policyBasedRouting: boolean;
  #rollback: boolean;
  #store: StateStore | undefined;
  #onEvent: ((event: ControllerEvent) => void) | undefined;
  #ports: NetworkPorts | undefined;
  #state: ControllerState = "NotConfigured";
  #operation: Operation = null;
  #bindings: MutableBinding[] = [];
  #guestNamespace: GuestNamespaceRecord | null = null;
  #queue = new SerialQueue();
  #stopRequested = false;
  #log: Logger;

  /**
   * Validates the options; on bad input throws `InvalidArgumentError` and no
   * controller exists.
   *
   * @param options the pod and its namespace
   * @param ports the host, VM and guest ports
   */
  constructor(options: NetworkControllerOptions, ports: NetworkPorts) {
    this.#podId = checkPodId(options?.podId);
    this.#namespaceId = checkNamespaceId(options.namespaceId);
    this.#policyBasedRouting = checkFlag("policyBasedRouting", options.policyBasedRouting, false);
    this.#rollback = checkFlag("rollbackOnSetupFailure", options.rollbackOnSetupFailure, true);
    this.#store = options.store;
    this.#onEvent = options.onEvent;
    this.#ports = ports === NO_PORTS ? undefined : checkPorts(ports);
    this.#log = getLogger(["podnet", "controller"]).with({
      podId: this.#podId,
      namespaceId: this.#namespaceId,
    });
  }

  /**
   * A controller on the migration destination, from the source's `save()`
   * snapshot, in state `DestinationMigrating` and without ports: `patch()`
   * the new namespace ID if it changed, then `resume(ports)`.
   *
   * @example
   * ```ts
   * import { NetworkController } from "@podnet/hcs";
   * declare const snapshotJson: string;
   * const dest = NetworkController.import(snapshotJson);
   * console.log(dest.state); // DestinationMigrating
   * ```
   *
   * @param snapshot the snapshot, parsed or as JSON text
   * @param options store and event hook for the new controller
   */
  static import(snapshot: unknown, options: RestoreOptions = {}): NetworkController {
    const s = parseSnapshot(snapshot);
    const c = NetworkController.#fromSnapshot(s, options, undefined);
    c.#moveTo("DestinationMigrating", "import");
    return c;
  }

  /**
   * A controller that picks up where a crashed or restarted process left
   * off, from the snapshot its store recorded. A snapshot written in the
   * middle of an operation gives state `Invalid`: call `teardown()` to undo
   * what may have been done.
   *
   * @example
   * ```ts
   * import { NetworkController, type NetworkPorts, type StateStore } from "@podnet/hcs";
   * declare const store: StateStore;
   * declare const ports: NetworkPorts;
   * const snapshot = await store.load("pod-a");
   * if (snapshot) {
   *   const c = NetworkController.recover(snapshot, ports, { store });
   *   await c.teardown();
   * }
   * ```
   *
   * @param snapshot the recorded snapshot, parsed or as JSON text
   * @param ports the host, VM and guest ports
   * @param options store and event hook
   */
  static recover(
    snapshot: unknown,
    ports: NetworkPorts,
    options: RestoreOptions = {},
  ): NetworkController {
    const s = parseSnapshot(snapshot);
    const c = NetworkController.#fromSnapshot(s, options, checkPorts(ports));
    c.#moveTo(s.operation === null ? s.state : "Invalid", "import");
    return c;
  }

  static #fromSnapshot(
    s: Snapshot,
    options: RestoreOptions,
    ports: NetworkPorts | undefined,
  ): NetworkController {
    const c = new NetworkController({
      podId: s.podId,
      namespaceId: s.namespaceId,
      policyBasedRouting: s.policyBasedRouting,
      ...options,
    }, ports ?? NO_PORTS);
    c.#bindings = s.bindings.map((b) => ({ ...b }));
    c.#guestNamespace = s.guestNamespace === null ? null : { ...s.guestNamespace };
    return c;
  }

  /** The controller's state. */
  get state(): ControllerState {
    return this.#state;
  }

  /** The pod ID. */
  get podId(): string {
    return this.#podId;
  }

  /** The HCN namespace GUID (lower case). */
  get namespaceId(): string {
    return this.#namespaceId;
  }

  /** The NIC bindings, in attach order (the first is eth0), as frozen copies. */
  get bindings(): readonly NicBinding[] {
    return this.#bindings.map((b) => Object.freeze({ ...b }));
  }

  /**
   * Reads the namespace, hot-adds one NIC per endpoint in eth order and wires
   * each into the guest. On failure throws `SetupError`: with
   * `rollbackOnSetupFailure` everything was undone (state `TornDown`) unless
   * `rolledBack` is false (state `Invalid`, call `teardown()` again).
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * await controller.setup({ signal: AbortSignal.timeout(120_000) });
   * ```
   *
   * @param options abort signal
   */
  setup(options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("setup", options, undefined).then(() => undefined);
  }

  /**
   * Undoes every binding in reverse attach order (guest detach, then host
   * hot-remove), attempting every NIC, then removes the guest namespace. A
   * VM or guest that is gone counts as done. Failures are gathered into one
   * `TeardownError` (state `Invalid`; call again to retry). A teardown that
   * arrives while setup runs makes setup stop at its next step first.
   *
   * @example
   * ```ts
   * import { TeardownError, type NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * try {
   *   await controller.teardown();
   * } catch (e) {
   *   if (e instanceof TeardownError) for (const step of e.errors) console.error(step.message);
   * }
   * ```
   *
   * @param options abort signal
   */
  teardown(options: OperationOptions = {}): Promise<void> {
    if (this.#queue.busy && this.#operation === "setup") this.#stopRequested = true;
    return this.#dispatch("teardown", options, undefined).then(() => undefined);
  }

  /**
   * Starts a migration on the source: returns the snapshot to hand to
   * `NetworkController.import()` on the destination (state
   * `SourceMigrating`; calling again returns the same snapshot).
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * const json = JSON.stringify(await controller.save());
   * ```
   *
   * @param options abort signal
   */
  save(options: OperationOptions = {}): Promise<Snapshot> {
    return this.#dispatch("save", options, undefined) as Promise<Snapshot>;
  }

  /**
   * On the destination, before `resume()`: records the namespace ID of the
   * destination host (GUID; braces and case tolerated).
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const dest: NetworkController;
   * await dest.patch("{0D9C8B7A-6F5E-4D3C-9B2A-1F0E9D8C7B6A}");
   * ```
   *
   * @param namespaceId the destination's HCN namespace
   * @param options abort signal
   */
  async patch(namespaceId: string, options: OperationOptions = {}): Promise<void> {
    const id = checkNamespaceId(namespaceId);
    await this.#dispatch("patch", options, id);
  }

  /**
   * Ends a migration. On the destination, binds the destination's ports
   * (required); on the source, the migration was abandoned and the pod goes
   * on (ports ignored). State `Configured`.
   *
   * @example
   * ```ts
   * import type { NetworkController, NetworkPorts } from "@podnet/hcs";
   * declare const dest: NetworkController;
   * declare const ports: NetworkPorts;
   * await dest.resume(ports);
   * ```
   *
   * @param ports the destination's ports
   * @param options abort signal
   */
  resume(ports?: NetworkPorts, options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("resume", options, ports).then(() => undefined);
  }

  /**
   * After a migration has resumed on the destination: tells the guest about
   * every NIC again, from the destination host's current namespace and
   * endpoint documents (detach, then prepare and attach, in attach order;
   * WCOW also re-adds the guest namespace). Host NICs are left as they are.
   * On failure the state is `Invalid`.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const dest: NetworkController;
   * await dest.resetAfterMigration();
   * ```
   *
   * @param options abort signal
   */
  resetAfterMigration(options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("resetAfterMigration", options, undefined).then(() => undefined);
  }

  #dispatch(
    operation: ControllerOperation,
    options: OperationOptions,
    argument: string | NetworkPorts | undefined,
  ): Promise<Snapshot | void> {
    return this.#queue.run(async () => {
      const action: TransitionAction = TRANSITIONS[this.#state][operation];
      if (action === "reject") throw new InvalidStateError(operation, this.#state);
      const signal = options.signal;
      if (signal?.aborted) {
        // Aborted before it started (perhaps while it waited its turn): nothing changes.
        throw new CancelledError(operation, "the operation was aborted before it started", {
          cause: signal.reason,
        });
      }
      if (action === "noop") return;
      switch (action) {
        case "setup":
          return await this.#setup(signal);
        case "teardown":
          this.#stopRequested = false;
          return await this.#teardown(signal);
        case "drop":
          this.#bindings = [];
          this.#guestNamespace = null;
          this.#moveTo("TornDown", operation);
          await this.#forget();
          return;
        case "snapshot":
          this.#moveTo("SourceMigrating", operation);
          await this.#persist(false);
          return this.#snapshot();
        case "resume-source":
          this.#moveTo("Configured", operation);
          await this.#persist(false);
          return;
        case "bind-ports":
          this.#ports = checkPorts(argument as NetworkPorts);
          this.#moveTo("Configured", operation);
          await this.#persist(false);
          return;
        case "patch":
          this.#namespaceId = argument as string;
          this.#log = this.#log.with({ namespaceId: this.#namespaceId });
          await this.#persist(false);
          return;
        case "reset":
          return await this.#reset(signal);
      }
    });
  }

  #moveTo(to: ControllerState, operation: ControllerOperation | "import"): void {
    const from = this.#state;
    this.#state = to;
    this.#log.info("State {from} -> {to} ({operation})", { from, to, operation });
    this.#emit({ type: "transition", operation, from: operation === "import" ? null : from, to });
  }

  #emit(event: ControllerEvent): void {
    try {
      this.#onEvent?.(event);
    } catch (error) {
      this.#log.warn("onEvent threw; ignored", { error });
    }
  }

  #snapshot(): Snapshot {
    return {
      schemaVersion: 1,
      podId: this.#podId,
      namespaceId: this.#namespaceId,
      state: this.#state,
      operation: this.#operation,
      policyBasedRouting: this.#policyBasedRouting,
      guestNamespace: this.#guestNamespace === null ? null : { ...this.#guestNamespace },
      bindings: this.bindings,
    };
  }

  /** Writes the snapshot. `required`: a failure is thrown, else logged. */
  async #persist(required: boolean): Promise<void> {
    if (this.#store === undefined) return;
    try {
      await this.#store.save(this.#snapshot());
    } catch (error) {
      if (required) throw error;
      this.#log.warn("Cannot record state: {error}", { error });
    }
  }

  async #forget(): Promise<void> {
    if (this.#store === undefined) return;
    try {
      await this.#store.delete(this.#podId);
    } catch (error) {
      this.#log.warn("Cannot delete recorded state: {error}", { error });
    }
  }

  #ensurePorts(): NetworkPorts {
    if (this.#ports === undefined) throw new InvalidStateError("run without ports", this.#state);
    return this.#ports;
  }

  /** Between two steps of setup: stops when aborted or when a teardown is waiting. */
  #checkStop(signal: AbortSignal | undefined): void {
    checkSignal("setup", signal);
    if (this.#stopRequested) throw new CancelledError("setup", "a teardown was requested");
  }

  async #setup(signal: AbortSignal | undefined): Promise<void> {
    const ports = this.#ensurePorts();
    this.#operation = "setup";
    this.#stopRequested = false;
    try {
      this.#checkStop(signal);
      const ns = await this.#observe(
        "read-namespace",
        undefined,
        () => ports.host.getNamespace(this.#namespaceId, { signal }),
      );
      this.#guestNamespace = { progress: "none", document: ns.document };
      this.#checkStop(signal);
      const ids = uniqueIds(ns.endpointIds);
      const endpoints = await this.#observe(
        "read-endpoints",
        undefined,
        () => allOrFirstFailure(ids.map((id) => ports.host.getEndpoint(id, { signal }))),
      );
      const ordered = orderEndpoints(endpoints);
      this.#checkStop(signal);
      const gns = this.#guestNamespace;
      await this.#track(
        gns,
        "guest-namespace-add",
        undefined,
        () => ports.guest.addNamespace({ id: ns.id, document: ns.document }, { signal }),
      );
      for (const endpoint of ordered) {
        await this.#plug(ports, endpoint, signal);
      }
      this.#operation = null;
      this.#moveTo("Configured", "setup");
      await this.#persist(false);
    } catch (cause) {
      await this.#failSetup(cause);
    }
  }

  async #plug(
    ports: NetworkPorts,
    endpoint: HostEndpoint,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    this.#checkStop(signal);
    const nicId = deriveNicId(this.#podId, endpoint.id);
    const binding: MutableBinding = {
      nicId,
      endpointId: endpoint.id,
      endpointName: endpoint.name,
      ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
      prepared: "none",
      vmAdded: "none",
      attached: "none",
    };
    this.#bindings.push(binding);
    const config = this.#nicConfig(binding, endpoint);
    await this.#guestPrepare(ports, binding, config, signal);
    this.#checkStop(signal);
    await this.#trackNic(
      binding,
      "vmAdded",
      "vm-add",
      () => ports.vm.addNic(vmNic(binding), { signal }).then(() => true),
    );
    this.#checkStop(signal);
    await this.#guestAttach(ports, binding, config, signal);
  }

  #nicConfig(binding: MutableBinding, endpoint: HostEndpoint): GuestNicConfig {
    return {
      nicId: binding.nicId,
      endpointId: binding.endpointId,
      namespaceId: this.#namespaceId,
      endpoint,
      policyBasedRouting: this.#policyBasedRouting,
    };
  }

  #guestPrepare(
    ports: NetworkPorts,
    binding: MutableBinding,
    config: GuestNicConfig,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    return this.#trackNic(
      binding,
      "prepared",
      "guest-prepare",
      () => ports.guest.prepare(config, { signal }),
    );
  }

  #guestAttach(
    ports: NetworkPorts,
    binding: MutableBinding,
    config: GuestNicConfig,
    signal: AbortSignal | undefined,
  ): Promise<void> {
    return this.#trackNic(
      binding,
      "attached",
      "guest-attach",
      () => ports.guest.attach(config, { signal }).then(() => true),
    );
  }

  async #failSetup(cause: unknown): Promise<never> {
    this.#log.error("Setup failed: {cause}", { cause });
    if (!this.#rollback) {
      this.#operation = null;
      this.#moveTo("Invalid", "setup");
      await this.#persist(false);
      throw new SetupError(this.#podId, false, cause);
    }
    try {
      await this.#undo(undefined, "setup");
    } catch (rollbackError) {
      this.#operation = null;
      this.#moveTo("Invalid", "setup");
      await this.#persist(false);
      throw new SetupError(this.#podId, false, cause, rollbackError);
    }
    this.#operation = null;
    this.#moveTo("TornDown", "setup");
    await this.#forget();
    throw new SetupError(this.#podId, true, cause);
  }

  async #teardown(signal: AbortSignal | undefined): Promise<void> {
    this.#operation = "teardown";
    try {
      await this.#undo(signal, "teardown");
    } catch (error) {
      this.#operation = null;
      this.#moveTo("Invalid", "teardown");
      await this.#persist(false);
      throw error;
    }
    this.#operation = null;
    this.#moveTo("TornDown", "teardown");
    await this.#forget();
  }

  /**
   * Undoes every binding (reverse attach order) and the guest namespace.
   * Throws a `TeardownError` listing the failed steps, or a `CancelledError`
   * when the signal aborted.
   */
  async #undo(signal: AbortSignal | undefined, operation: ControllerOperation): Promise<void> {
    const ports = this.#ensurePorts();
    const failures: TeardownStepError[] = [];
    const guestNamespaceId = this.#guestNamespaceId();
    for (const binding of [...this.#bindings].reverse()) {
      checkSignal(operation, signal);
      const nic = {
        nicId: binding.nicId,
        endpointId: binding.endpointId,
        namespaceId: guestNamespaceId,
      };
      if (binding.prepared !== "none" || binding.attached !== "none") {
        const known = binding.prepared === "done" || binding.attached === "done";
        const outcome = await this.#undoStep(
          "guest-detach",
          binding,
          known,
          failures,
          () => ports.guest.detach(nic, { signal }),
        );
        binding.prepared = after(binding.prepared, outcome);
        binding.attached = after(binding.attached, outcome);
      }
      if (binding.vmAdded !== "none") {
        const outcome = await this.#undoStep(
          "vm-remove",
          binding,
          binding.vmAdded === "done",
          failures,
          () => ports.vm.removeNic(vmNic(binding), { signal }),
        );
        binding.vmAdded = after(binding.vmAdded, outcome);
      }
      if (
        binding.prepared === "none" && binding.vmAdded === "none" && binding.attached === "none"
      ) {
        this.#bindings = this.#bindings.filter((b) => b !== binding);
      }
      await this.#persist(false);
    }
    const gns = this.#guestNamespace;
    if (gns !== null && gns.progress !== "none") {
      checkSignal(operation, signal);
      const outcome = await this.#undoStep(
        "guest-namespace-remove",
        undefined,
        gns.progress === "done",
        failures,
        () =>
          ports.guest.removeNamespace({ id: guestNamespaceId, document: gns.document }, {
            signal,
          }),
      );
      gns.progress = after(gns.progress, outcome);
      await this.#persist(false);
    }
    if (failures.length > 0) throw new TeardownError(this.#podId, failures);
    this.#guestNamespace = null;
  }

  /**
   * Runs one undo step. Failures are gathered. A VM or guest that is gone
   * counts as done. "Not found" counts as done for a step whose outcome was
   * unknown; for a step known to be done it is a surprise: it is reported as
   * a failure and the step becomes unknown, so the next teardown retries it
   * once and then believes a second "not found". An undo whose own outcome is
   * unknown (timeout, lost call) also leaves the step unknown.
   */
  async #undoStep(
    step: TeardownStep,
    binding: MutableBinding | undefined,
    known: boolean,
    failures: TeardownStepError[],
    run: () => Promise<void>,
  ): Promise<UndoOutcome> {
    const ids = binding === undefined ? {} : nicIds(binding);
    const log = binding === undefined ? this.#log : this.#log.with(logIds(binding));
    const subject = binding === undefined
      ? "(pod namespace)"
      : `NIC ${binding.nicId} (endpoint ${binding.endpointId})`;
    this.#emit({ type: "step", step, phase: "start", ...ids });
    try {
      await run();
      this.#emit({ type: "step", step, phase: "done", ...ids });
      log.info("{step} {subject}: done", { step, subject });
      return "done";
    } catch (error) {
      if (countsAsGone(step, error)) {
        this.#emit({ type: "step", step, phase: "gone", ...ids, error });
        log.info("{step} {subject}: {reason}, counted as done", {
          step,
          subject,
          reason: reason(error),
        });
        return "done";
      }
      if (error instanceof NotFoundError && !known) {
        this.#emit({ type: "step", step, phase: "gone", ...ids, error });
        log.info("{step} {subject}: already gone, counted as done", { step, subject });
        return "done";
      }
      this.#emit({ type: "step", step, phase: "failed", ...ids, error });
      log.error("{step} {subject} failed: {error}", { step, subject, error });
      failures.push(new TeardownStepError(step, error, binding?.nicId, binding?.endpointId));
      // The host said no: nothing changed. Anything else (a timeout, a lost
      // call, a surprising "not found") leaves the step's outcome unknown.
      return isDefinitive(error) && !(error instanceof NotFoundError) ? "failed" : "unknown";
    }
  }

  /**
   * The namespace the guest knows the NICs under: the one of the document
   * captured at setup. It differs from `namespaceId` after a `patch()` until
   * `resetAfterMigration()` has moved the NICs.
   */
  #guestNamespaceId(): string {
    const id = this.#guestNamespace?.document["ID"];
    return (typeof id === "string" ? normalizeGuid(id) : undefined) ?? this.#namespaceId;
  }

  async #reset(signal: AbortSignal | undefined): Promise<void> {
    const ports = this.#ensurePorts();
    this.#operation = "reset";
    try {
      const ns = await this.#observe(
        "read-namespace",
        undefined,
        () => ports.host.getNamespace(this.#namespaceId, { signal }),
      );
      // Take every NIC out of the guest (reverse order, as teardown does),
      // then the old namespace, under the namespace ID the guest knows.
      const oldId = this.#guestNamespaceId();
      for (const binding of [...this.#bindings].reverse()) {
        checkSignal("resetAfterMigration", signal);
        const nic = { nicId: binding.nicId, endpointId: binding.endpointId, namespaceId: oldId };
        await this.#redo("guest-detach", binding, () => ports.guest.detach(nic, { signal }));
        binding.prepared = "none";
        binding.attached = "none";
        await this.#persist(false);
      }
      const old = this.#guestNamespace;
      if (old !== null && old.progress !== "none") {
        await this.#redo(
          "guest-namespace-remove",
          undefined,
          () => ports.guest.removeNamespace({ id: oldId, document: old.document }, { signal }),
        );
      }
      // Then tell the guest again, from the destination host's documents.
      const gns: GuestNamespaceRecord = { progress: "none", document: ns.document };
      this.#guestNamespace = gns;
      await this.#track(
        gns,
        "guest-namespace-add",
        undefined,
        () => ports.guest.addNamespace({ id: ns.id, document: ns.document }, { signal }),
      );
      for (const binding of this.#bindings) {
        checkSignal("resetAfterMigration", signal);
        const endpoint = await this.#observe(
          "read-endpoints",
          binding,
          () => ports.host.getEndpoint(binding.endpointId, { signal }),
        );
        const config = this.#nicConfig(binding, endpoint);
        await this.#guestPrepare(ports, binding, config, signal);
        await this.#guestAttach(ports, binding, config, signal);
      }
      this.#operation = null;
      await this.#persist(false);
    } catch (error) {
      this.#operation = null;
      this.#moveTo("Invalid", "resetAfterMigration");
      await this.#persist(false);
      throw error;
    }
  }

  /** An undo during reset: gone and not-found count as done, other failures throw. */
  async #redo(
    step: TeardownStep,
    binding: MutableBinding | undefined,
    run: () => Promise<void>,
  ): Promise<void> {
    const failures: TeardownStepError[] = [];
    if ((await this.#undoStep(step, binding, false, failures, run)) !== "done") throw failures[0];
  }

  /** Runs a read step, reporting it. */
  async #observe<T>(
    step: ControllerStep,
    binding: MutableBinding | undefined,
    run: () => Promise<T>,
  ): Promise<T> {
    const ids = binding === undefined ? {} : nicIds(binding);
    this.#emit({ type: "step", step, phase: "start", ...ids });
    try {
      const value = await run();
      this.#emit({ type: "step", step, phase: "done", ...ids });
      return value;
    } catch (error) {
      this.#emit({ type: "step", step, phase: "failed", ...ids, error });
      throw error;
    }
  }

  #trackNic(
    binding: MutableBinding,
    field: "prepared" | "vmAdded" | "attached",
    step: ControllerStep,
    run: () => Promise<boolean>,
  ): Promise<void> {
    const cell = {
      get progress(): StepProgress {
        return binding[field];
      },
      set progress(value: StepProgress) {
        binding[field] = value;
      },
    };
    return this.#track(cell, step, binding, run);
  }

  /**
   * Runs a step whose outcome could be unknown: records it as pending
   * (durably, before the call), then done, not done (the adapter had nothing
   * to do, or the host said no), or still pending (timeout, abort, crash).
   */
  async #track(
    cell: { progress: StepProgress },
    step: ControllerStep,
    binding: MutableBinding | undefined,
    run: () => Promise<boolean>,
  ): Promise<void> {
    const ids = binding === undefined ? {} : nicIds(binding);
    const log = binding === undefined ? this.#log : this.#log.with(logIds(binding));
    const subject = binding === undefined
      ? "(pod namespace)"
      : `NIC ${binding.nicId} (endpoint ${binding.endpointId})`;
    const before = cell.progress;
    cell.progress = "pending";
    try {
      await this.#persist(true);
    } catch (error) {
      cell.progress = before;
      throw error;
    }
    this.#emit({ type: "step", step, phase: "start", ...ids });
    let did: boolean;
    try {
      did = await run();
    } catch (error) {
      cell.progress = isDefinitive(error) ? "none" : "pending";
      this.#emit({ type: "step", step, phase: "failed", ...ids, error });
      log.error("{step} {subject} failed: {error}", { step, subject, error });
      throw error;
    }
    cell.progress = did ? "done" : "none";
    this.#emit({ type: "step", step, phase: did ? "done" : "skipped", ...ids });
    log.info(did ? "{step} {subject}: done" : "{step} {subject}: nothing to do", {
      step,
      subject,
    });
    await this.#persist(false);
  }
}

/**
 * How an undo step went: counts as done; failed with nothing changed (the
 * host said no); or failed with an unknown outcome (a timeout, a lost call, a
 * "not found" for a step known to be done), which makes the step pending.
 */
type UndoOutcome = "done" | "failed" | "unknown";

/** The progress of a step after an undo attempt. */
function after(progress: StepProgress, outcome: UndoOutcome): StepProgress {
  if (outcome === "done") return "none";
  if (outcome === "unknown" && progress === "done") return "pending";
  return progress;
}

/**
 * Like `Promise.all`, but settles only when every promise has: a failed read
 * must not leave its siblings running past the operation.
 */
async function allOrFirstFailure<T>(promises: Promise<T>[]): Promise<T[]> {
  const results = await Promise.allSettled(promises);
  const values: T[] = [];
  for (const r of results) {
    if (r.status === "rejected") throw r.reason;
    values.push(r.value);
  }
  return values;
}

function checkSignal(operation: string, signal: AbortSignal | undefined): void {
  if (signal?.aborted) {
    throw new CancelledError(operation, "the operation was aborted", { cause: signal.reason });
  }
}

function vmNic(b: MutableBinding): { nicId: string; endpointId: string; macAddress?: string } {
  return {
    nicId: b.nicId,
    endpointId: b.endpointId,
    ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
  };
}

function nicIds(b: MutableBinding): { nicId: string; endpointId: string; endpointName: string } {
  return { nicId: b.nicId, endpointId: b.endpointId, endpointName: b.endpointName };
}

function logIds(b: MutableBinding): { nicId: string; endpointId: string } {
  return { nicId: b.nicId, endpointId: b.endpointId };
}

/** Whether a failed step certainly had no effect (the host said no). */
function isDefinitive(error: unknown): boolean {
  return error instanceof HResultError || error instanceof NotFoundError ||
    error instanceof InvalidArgumentError || error instanceof InvalidHostDataError ||
    error instanceof GuestUnavailableError || error instanceof VmUnavailableError;
}

/** During teardown: a VM that is gone took its NICs; a guest that is gone took its config. */
function countsAsGone(step: TeardownStep, error: unknown): boolean {
  if (error instanceof VmUnavailableError) return true;
  return step !== "vm-remove" && error instanceof GuestUnavailableError;
}

function reason(error: unknown): string {
  return error instanceof VmUnavailableError ? "the VM is gone" : "the guest is gone";
}

function checkPodId(podId: unknown): string {
  if (typeof podId !== "string" || podId.length === 0) {
    throw new InvalidArgumentError("podId", "must be non-empty text");
  }
  if ([...podId].length > MAX_POD_ID) {
    throw new InvalidArgumentError("podId", `must be at most ${MAX_POD_ID} characters`);
  }
  if (!podId.isWellFormed() || /\p{Cc}/u.test(podId)) {
    throw new InvalidArgumentError("podId", "must be printable text");
  }
  return podId;
}

function checkNamespaceId(namespaceId: unknown): string {
  const id = typeof namespaceId === "string" ? normalizeGuid(namespaceId) : undefined;
  if (id === undefined) {
    throw new InvalidArgumentError(
      "namespaceId",
      `must be a GUID, got ${JSON.stringify(namespaceId)}`,
    );
  }
  return id;
}

function checkFlag(name: string, value: unknown, fallback: boolean): boolean {
  if (value === undefined) return fallback;
  if (typeof value !== "boolean") throw new InvalidArgumentError(name, "must be a boolean");
  return value;
}

function checkPorts(ports: unknown): NetworkPorts {
  const p = ports as Partial<NetworkPorts> | undefined;
  if (
    typeof p !== "object" || p === null || typeof p.host !== "object" ||
    typeof p.vm !== "object" || typeof p.guest !== "object"
  ) {
    throw new InvalidArgumentError("ports", "must have host, vm and guest");
  }
  return p as NetworkPorts;
}
