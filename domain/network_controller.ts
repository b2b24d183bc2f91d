/**
 * The pod network controller: one per pod. It looks every call up in the
 * transition table, runs one operation at a time, and delegates the work:
 * the setup body and its rollback (`_setup.ts`), the teardown body
 * (`_teardown.ts`), the migration reset (`_reset.ts`), reading the host
 * (`_host_reads.ts`), binding NICs as a pipeline (`_bind_plan.ts`), undoing
 * them (`_unbind_plan.ts`), the operations on a running pod
 * (`_living_dispatch.ts` and one file each), the record and its writes
 * (`_pod_record.ts`, `_recorder.ts`).
 *
 * The table itself is `TRANSITIONS` in `state.ts` (docs/architecture.md shows it).
 *
 * @module
 */
import { getLogger, type Logger } from "@logtape/logtape";
import type { NicBinding } from "./binding.ts";
import type { ControllerEvent } from "./controller_event.ts";
import {
  type AddEndpointOptions,
  checkOptions,
  checkPorts,
  type ControllerSettings,
  type EndpointUpdate,
  type NetworkControllerOptions,
  type OperationOptions,
  type RestoreOptions,
} from "./controller_options.ts";
import { CancelledError, InvalidArgumentError, InvalidStateError } from "./errors.ts";
import { requireGuid } from "./guid.ts";
import { parseSnapshot, type Snapshot } from "./snapshot.ts";
import { type ControllerOperation, type ControllerState, TRANSITIONS } from "./state.ts";
import { abortReason, type ControllerHooks, type OperationContext } from "./_operation_context.ts";
import { PodRecord } from "./_pod_record.ts";
import { Recorder } from "./_recorder.ts";
import { resetAfterMigration } from "./_reset.ts";
import { SerialQueue } from "./_serial_queue.ts";
import { StepRunner } from "./_step_runner.ts";
import { endSpan, startOperationSpan } from "./_tracing.ts";
import { runSetup } from "./_setup.ts";
import { type EndpointArgument, runLiving } from "./_living_dispatch.ts";
import type { SyncResult } from "./_sync.ts";
import type { FinishResult } from "./_finish_interrupted.ts";
import { checkIovSettings } from "./iov.ts";
import { runTeardown } from "./_teardown.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";

/** Stands for "no ports yet" when a controller is built from a snapshot. */
const NO_PORTS: NetworkPorts = Object.freeze({}) as NetworkPorts;

/** The operations a teardown cuts off rather than waits for. */
const PREEMPTIBLE: ReadonlySet<ControllerOperation> = new Set([
  "setup",
  "resetAfterMigration",
  "addEndpoint",
  "removeEndpoint",
  "updateEndpoint",
  "sync",
  "finishInterrupted",
]);

/** The operations on a running pod, as a record names them while they run. */
const LIVING: ReadonlySet<string> = new Set(["add", "remove", "update", "sync"]);

/** What an operation takes besides its options. */
type Argument = string | NetworkPorts | EndpointArgument | undefined;

/**
 * Manages the network of one pod in a utility VM.
 *
 * @example Set up and tear down on the simulated host
 * ```ts
 * import { createPorts, NetworkController } from "@podnet/hcs";
 * import { SimulatedHost } from "@podnet/hcs/sim";
 *
 * declare const fixture: { namespace: { ID: string } }; // e.g. adapters/sim/fixtures/pod-3nic.json
 * const host = new SimulatedHost({ guest: "lcow" });
 * host.loadFixture(fixture);
 * using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
 * const controller = new NetworkController(
 *   { podId: "pod-a", namespaceId: fixture.namespace.ID, hostConcurrency: 4 },
 *   ports,
 * );
 * await controller.setup();
 * console.log(controller.bindings.map((b) => b.endpointName)); // [..._eth0, ..._eth1, ..._eth2]
 * await controller.teardown();
 * ```
 */
export class NetworkController {
  readonly #settings: ControllerSettings;
  readonly #record: PodRecord;
  readonly #recorder: Recorder;
  readonly #runner: StepRunner;
  readonly #queue = new SerialQueue();
  #ports: NetworkPorts | undefined;
  /**
   * The operation running now that a teardown may take over: `calls` stops
   * its calls (the caller's abort or a teardown), `takeover` only a teardown
   * (it also stops setup's rollback, which ignores the caller's abort).
   */
  #running:
    | { operation: ControllerOperation; calls: AbortController; takeover: AbortController }
    | undefined;
  #log: Logger;

  /**
   * Checks the options and ports; on bad input throws `InvalidArgumentError`
   * naming the argument, and no controller exists.
   *
   * @param options the pod, its namespace and the controller's options
   * @param ports the host, VM and guest ports
   * @throws {InvalidArgumentError} when an option or the ports are unusable
   */
  constructor(options: NetworkControllerOptions, ports: NetworkPorts) {
    const settings = checkOptions(options);
    this.#settings = settings;
    this.#ports = ports === NO_PORTS ? undefined : checkPorts(ports);
    this.#record = new PodRecord(
      settings.podId,
      settings.namespaceId,
      settings.policyBasedRouting,
    );
    this.#log = getLogger(["podnet", "controller"]).with({
      podId: settings.podId,
      namespaceId: settings.namespaceId,
    });
    this.#recorder = new Recorder(
      settings.store,
      this.#record,
      (error) => this.#log.warn("Cannot record the state of the pod", { error }),
    );
    this.#runner = new StepRunner({
      record: this.#record,
      recorder: this.#recorder,
      log: this.#log,
      emit: settings.onEvent === undefined ? undefined : (event) => this.#emit(event),
    });
  }

  /**
   * A controller on the migration destination, from the source's `save()`
   * snapshot, in state `DestinationMigrating` and without ports: `patch()`
   * the destination's namespace ID, `resume(ports)`, then
   * `resetAfterMigration()`.
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
   * @param options store, event hook and limits for the new controller
   * @throws {SnapshotError} when the snapshot is not one podnet can use
   * @throws {InvalidArgumentError} when an option is unusable
   */
  static import(snapshot: unknown, options: RestoreOptions = {}): NetworkController {
    const s = parseSnapshot(snapshot);
    const c = NetworkController.#fromSnapshot(s, options, NO_PORTS);
    c.#moveTo("DestinationMigrating", "import");
    return c;
  }

  /**
   * A controller that picks up where a crashed or restarted process left
   * off, from the snapshot its store recorded. A snapshot written in the
   * middle of an operation gives state `Invalid`: call `teardown()` to undo
   * what may have been done (or, after a failed migration reset,
   * `resetAfterMigration()` to finish it).
   *
   * @example
   * ```ts
   * import { NetworkController } from "@podnet/hcs";
   * import type { NetworkPorts, StateStore } from "@podnet/hcs/ports";
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
   * @param options store, event hook and limits
   * @throws {SnapshotError} when the snapshot is not one podnet can use
   * @throws {InvalidArgumentError} when the ports or an option are unusable
   */
  static recover(
    snapshot: unknown,
    ports: NetworkPorts,
    options: RestoreOptions = {},
  ): NetworkController {
    const s = parseSnapshot(snapshot);
    const c = NetworkController.#fromSnapshot(s, options, checkPorts(ports));
    // An operation on a running pod leaves it running: finishInterrupted() ends it.
    const living = s.operation !== null && LIVING.has(s.operation) && s.state === "Configured";
    c.#moveTo(s.operation === null || living ? s.state : "Invalid", "import");
    if (living) c.#record.setState({ operation: s.operation });
    return c;
  }

  static #fromSnapshot(
    s: Snapshot,
    options: RestoreOptions,
    ports: NetworkPorts,
  ): NetworkController {
    if (typeof options !== "object" || options === null) {
      throw new InvalidArgumentError("options", "must be an object");
    }
    const c = new NetworkController({
      ...options,
      podId: s.podId,
      namespaceId: s.namespaceId,
      policyBasedRouting: s.policyBasedRouting,
    }, ports);
    const r = c.#record;
    r.restore(s.bindings);
    r.setGuestNamespace(s.guestNamespace);
    r.setState({ destinationNamespaceId: s.destinationNamespaceId });
    r.takeChanges();
    return c;
  }

  /** The controller's state. */
  get state(): ControllerState {
    return this.#record.state;
  }

  /** The pod ID. */
  get podId(): string {
    return this.#settings.podId;
  }

  /** The pod's HCN namespace GUID (lower case): the one the guest knows the pod by. */
  get namespaceId(): string {
    return this.#record.namespaceId;
  }

  /**
   * On a migration destination, the namespace recorded by `patch()` until
   * `resetAfterMigration()` has moved the NICs to it; else `null`.
   */
  get destinationNamespaceId(): string | null {
    return this.#record.destinationNamespaceId;
  }

  /** How many host NIC calls of the pod may be in flight at once. */
  get hostConcurrency(): number {
    return this.#settings.hostConcurrency;
  }

  /** The NIC bindings, in attach order (the first is eth0), as frozen copies. */
  get bindings(): readonly NicBinding[] {
    return this.#record.bindings().map(PodRecord.view);
  }

  /**
   * Reads the namespace and its endpoints, then binds one NIC per endpoint
   * in eth order, as a pipeline: hot-adds overlap the guest attaches of the
   * NICs before them. On failure throws `SetupError`: with
   * `rollbackOnSetupFailure` everything was undone (state `TornDown`) unless
   * `rolledBack` is false (state `Invalid`, call `teardown()`).
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * await controller.setup({ signal: AbortSignal.timeout(120_000) });
   * ```
   *
   * @param options abort signal
   * @throws {SetupError} when setup failed (its `cause` says why)
   * @throws {InvalidStateError} when the state does not allow setup
   * @throws {CancelledError} when aborted before it started
   */
  setup(options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("setup", options, undefined).then(() => undefined);
  }

  /**
   * Undoes every binding in reverse attach order (guest detach, then host
   * hot-remove), attempting every NIC, then removes the guest namespace. A
   * VM or guest that is gone counts as done. Failures are gathered into one
   * `TeardownError` (state `Invalid`; call again to retry). A teardown that
   * arrives while setup or a migration reset runs cuts off its calls in
   * flight and starts at once.
   *
   * @example
   * ```ts
   * import { TeardownError, type NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * try {
   *   await controller.teardown({ signal: AbortSignal.timeout(30_000) });
   * } catch (e) {
   *   if (e instanceof TeardownError) for (const step of e.errors) console.error(step.message);
   * }
   * ```
   *
   * @param options abort signal: honoured while the teardown waits for its
   *   turn and between its steps
   * @throws {TeardownError} when steps failed (and when aborted after some had)
   * @throws {CancelledError} when aborted before any step failed
   * @throws {InvalidStateError} never: every state allows teardown
   */
  teardown(options: OperationOptions = {}): Promise<void> {
    const running = this.#running;
    if (running !== undefined && PREEMPTIBLE.has(running.operation) && !options?.signal?.aborted) {
      const reason = new CancelledError(running.operation, "a teardown was requested");
      running.takeover.abort(reason);
      running.calls.abort(reason);
    }
    return this.#dispatch("teardown", options, undefined).then(() => undefined);
  }

  /**
   * Starts a migration on the source: returns the snapshot to hand to
   * `NetworkController.import()` on the destination (state
   * `SourceMigrating`; calling again returns the same snapshot). The
   * snapshot is a copy: changing it changes nothing here.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * const json = JSON.stringify(await controller.save());
   * ```
   *
   * @param options abort signal
   * @throws {InvalidStateError} unless `Configured` or `SourceMigrating`
   */
  save(options: OperationOptions = {}): Promise<Snapshot> {
    return this.#dispatch("save", options, undefined) as Promise<Snapshot>;
  }

  /**
   * On the destination, before `resume()`: records the destination host's
   * namespace (GUID; braces and case tolerated), where CNI made new
   * endpoints for the pod. `resetAfterMigration()` moves the NICs to them.
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
   * @throws {InvalidArgumentError} when `namespaceId` is not a GUID
   * @throws {InvalidStateError} unless `DestinationMigrating`
   */
  async patch(namespaceId: string, options: OperationOptions = {}): Promise<void> {
    const id = requireGuid("namespaceId", namespaceId);
    await this.#dispatch("patch", options, id);
  }

  /**
   * Ends a migration. On the destination, binds the destination's ports
   * (required); on the source, the migration was abandoned and the pod goes
   * on (ports ignored). State `Configured`.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * import type { NetworkPorts } from "@podnet/hcs/ports";
   * declare const dest: NetworkController;
   * declare const ports: NetworkPorts;
   * await dest.resume(ports);
   * ```
   *
   * @param ports the destination's ports
   * @param options abort signal
   * @throws {InvalidArgumentError} when the destination's ports are missing or unusable
   * @throws {InvalidStateError} unless migrating (or already `Configured`)
   */
  resume(ports?: NetworkPorts, options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("resume", options, ports).then(() => undefined);
  }

  /**
   * After a migration has resumed on the destination, swaps the source's
   * NICs for the destination's endpoints, as hcsshim does: detaches the
   * source's NICs in the guest and takes them off the VM (a NIC the VM no
   * longer has counts as gone), reads the destination namespace and its
   * endpoints, and binds each under its derived NIC ID (hot-add, guest
   * attach; WCOW also pre-add). The guest keeps the pod's namespace ID.
   *
   * Does nothing unless `patch()` recorded a destination namespace since the
   * last completed reset, so a retried or stray call cannot cut a running
   * pod's network. On failure throws `ResetError` (state `Invalid`): every
   * step is recorded; call it again to finish, or `teardown()`.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const dest: NetworkController;
   * await dest.resetAfterMigration({ signal: AbortSignal.timeout(120_000) });
   * ```
   *
   * @param options abort signal
   * @throws {ResetError} when the reset failed (its `cause` says why)
   * @throws {InvalidStateError} unless `Configured` or `Invalid`
   */
  resetAfterMigration(options: OperationOptions = {}): Promise<void> {
    return this.#dispatch("resetAfterMigration", options, undefined).then(() => undefined);
  }

  /**
   * Binds one more endpoint of the pod's namespace to the running pod, after
   * its other NICs (same NIC ID rule and steps as setup; `iov` settings are
   * applied right after the hot-add). An endpoint already bound is a no-op
   * (resolves `false`). On failure only this NIC is undone and the pod
   * stays `Configured`: `NicChangeError.undone` says whether the undo
   * completed; if not, the NIC stays in `bindings` and `removeEndpoint()` or
   * `teardown()` finishes it. A `teardown()` cuts it off and takes over.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * await controller.addEndpoint("b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
   * ```
   *
   * @param endpointId the endpoint (GUID; braces and case tolerated)
   * @param options abort signal, and SR-IOV settings to apply
   * @returns whether a NIC was added
   * @throws {InvalidArgumentError} when the ID or settings are bad (nothing changed)
   * @throws {NotFoundError} when the endpoint is not in the pod's namespace,
   *   or its namespace or endpoint no longer exists (nothing changed)
   * @throws {NicChangeError} when the add failed (`undone`: whether the NIC
   *   was taken off again)
   * @throws {InvalidStateError} unless `Configured`
   */
  async addEndpoint(endpointId: string, options: AddEndpointOptions = {}): Promise<boolean> {
    const id = requireGuid("endpointId", endpointId);
    const iov = options?.iov === undefined
      ? undefined
      : checkIovSettings("options.iov", options.iov);
    return await this.#dispatch("addEndpoint", options, { endpointId: id, iov }) as boolean;
  }

  /**
   * Takes one NIC off the running pod: guest detach, then hot-remove. A VM
   * or guest confirmed gone counts as removed. On failure the binding stays
   * with its progress and the pod stays `Configured`; a retry finishes it.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * await controller.removeEndpoint("b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
   * ```
   *
   * @param endpointId the endpoint (GUID; braces and case tolerated)
   * @param options abort signal
   * @throws {NotFoundError} when the pod holds no NIC of the endpoint (nothing changed)
   * @throws {NicChangeError} when a step failed (`undone` is false)
   * @throws {InvalidStateError} unless `Configured`
   */
  async removeEndpoint(endpointId: string, options: OperationOptions = {}): Promise<void> {
    const id = requireGuid("endpointId", endpointId);
    await this.#dispatch("removeEndpoint", options, { endpointId: id, iov: undefined });
  }

  /**
   * Applies SR-IOV settings to the NIC of one endpoint: an HCS modify with
   * `RequestType: "Update"` (no guest request). The settings are recorded
   * with the binding, kept by `save()`, and applied again when
   * `resetAfterMigration()` re-adds the NIC.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * await controller.updateEndpoint("b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d", {
   *   iov: { offloadWeight: 100, queuePairsRequested: 4, interruptModeration: "Adaptive" },
   * });
   * ```
   *
   * @param endpointId the endpoint (GUID; braces and case tolerated)
   * @param update the settings
   * @param options abort signal
   * @throws {InvalidArgumentError} when a setting is bad (before any call)
   * @throws {NotFoundError} when the pod holds no NIC of the endpoint
   * @throws {NicChangeError} when the update failed (`undone`: certainly not applied)
   * @throws {InvalidStateError} unless `Configured`
   */
  async updateEndpoint(
    endpointId: string,
    update: EndpointUpdate,
    options: OperationOptions = {},
  ): Promise<void> {
    const id = requireGuid("endpointId", endpointId);
    if (typeof update !== "object" || update === null) {
      throw new InvalidArgumentError("update", "must be an object");
    }
    const iov = checkIovSettings("update.iov", update.iov);
    await this.#dispatch("updateEndpoint", options, { endpointId: id, iov });
  }

  /**
   * Reads the namespace afresh and brings the VM in line: endpoints that
   * appeared are added (in eth order among themselves, after the existing
   * NICs), NICs whose endpoints left the namespace or no longer exist are
   * removed, in one pipeline within `hostConcurrency`.
   *
   * @example
   * ```ts
   * import type { NetworkController } from "@podnet/hcs";
   * declare const controller: NetworkController;
   * const { added, removed } = await controller.sync();
   * ```
   *
   * @param options abort signal
   * @returns the endpoints added and removed
   * @throws {NicChangeError} when a NIC's change failed (the others went ahead)
   * @throws {InvalidStateError} unless `Configured`
   */
  async sync(options: OperationOptions = {}): Promise<SyncResult> {
    return await this.#dispatch("sync", options, undefined) as SyncResult;
  }

  /**
   * After `NetworkController.recover()` of a record written while
   * `addEndpoint()`, `removeEndpoint()`, `updateEndpoint()` or `sync()`
   * ran: takes every unfinished NIC off (an interrupted add is undone, an
   * interrupted remove finished) and applies SR-IOV settings whose outcome
   * is unknown again. A failed operation's leftovers (a NIC whose undo did
   * not complete) are tidied the same way. Complete NICs are left alone;
   * with nothing to finish it does nothing.
   *
   * @example
   * ```ts
   * import { NetworkController, type Snapshot } from "@podnet/hcs";
   * import type { NetworkPorts } from "@podnet/hcs/ports";
   * declare const snapshot: Snapshot;
   * declare const ports: NetworkPorts;
   * const c = NetworkController.recover(snapshot, ports);
   * if (c.state === "Configured") await c.finishInterrupted();
   * ```
   *
   * @param options abort signal
   * @returns the endpoints whose NIC was removed or updated
   * @throws {NicChangeError} when a step failed (call again)
   * @throws {InvalidStateError} unless `Configured`
   */
  async finishInterrupted(options: OperationOptions = {}): Promise<FinishResult> {
    return await this.#dispatch("finishInterrupted", options, undefined) as FinishResult;
  }

  #dispatch(
    operation: ControllerOperation,
    options: OperationOptions,
    argument: Argument,
  ): Promise<unknown> {
    let signal: AbortSignal | undefined;
    try {
      signal = checkSignal(options);
    } catch (error) {
      return Promise.reject(error);
    }
    return this.#queue.run(
      () => this.#perform(operation, signal, argument),
      signal,
      () =>
        new CancelledError(operation, `${abortReason(signal?.reason)} before it started`, {
          cause: signal?.reason,
        }),
    );
  }

  async #perform(
    operation: ControllerOperation,
    signal: AbortSignal | undefined,
    argument: Argument,
  ): Promise<unknown> {
    const span = startOperationSpan(operation, this.#record);
    this.#runner.span = span;
    try {
      const result = await this.#act(operation, signal, argument);
      span.setAttribute("podnet.state", this.#record.state);
      endSpan(span);
      return result;
    } catch (error) {
      span.setAttribute("podnet.state", this.#record.state);
      endSpan(span, error, true);
      throw error;
    } finally {
      this.#runner.span = undefined;
    }
  }

  async #act(
    operation: ControllerOperation,
    signal: AbortSignal | undefined,
    argument: Argument,
  ): Promise<unknown> {
    const r = this.#record;
    const action = TRANSITIONS[r.state][operation];
    if (action === "reject") throw new InvalidStateError(operation, r.state);
    if (signal?.aborted) {
      throw new CancelledError(operation, `${abortReason(signal.reason)} before it started`, {
        cause: signal.reason,
      });
    }
    switch (action) {
      case "noop":
        return;
      case "setup":
        return await this.#preemptible(
          operation,
          signal,
          (ctx) => runSetup(ctx, this.#hooks(operation)),
        );
      case "teardown":
        return await runTeardown(this.#context(signal), this.#hooks(operation));
      case "reset":
        if (r.destinationNamespaceId === null) return;
        return await this.#preemptible(
          operation,
          signal,
          (ctx) => resetAfterMigration(ctx, (to) => this.#moveTo(to, operation)),
        );
      case "add-endpoint":
      case "remove-endpoint":
      case "update-endpoint":
      case "sync":
      case "finish":
        return await this.#preemptible(
          operation,
          signal,
          (ctx) => runLiving(action, ctx, this.#hooks(operation), argument as EndpointArgument),
        );
      case "drop":
        r.clear();
        this.#moveTo("TornDown", operation);
        await this.#forget();
        return;
      case "snapshot":
        this.#moveTo("SourceMigrating", operation);
        await this.#persist();
        return r.snapshot();
      case "resume-source":
        this.#moveTo("Configured", operation);
        await this.#persist();
        return;
      case "bind-ports":
        if (argument === undefined) {
          throw new InvalidArgumentError("ports", "are required on the migration destination");
        }
        this.#ports = checkPorts(argument);
        this.#moveTo("Configured", operation);
        await this.#persist();
        return;
      case "patch":
        r.setState({ destinationNamespaceId: argument as string });
        this.#log.info("Recorded destination namespace {destinationNamespaceId}", {
          destinationNamespaceId: r.destinationNamespaceId,
        });
        await this.#persist();
        return;
    }
  }

  /** Runs an operation that a teardown may cut off. */
  async #preemptible<T>(
    operation: ControllerOperation,
    signal: AbortSignal | undefined,
    body: (ctx: OperationContext) => Promise<T>,
  ): Promise<T> {
    // One signal for the whole operation, aborted by the caller's signal or
    // by a teardown; the calls' time limits hang off it.
    const calls = new AbortController();
    const follow = () => calls.abort(signal?.reason);
    signal?.addEventListener("abort", follow, { once: true });
    if (signal?.aborted) follow();
    this.#running = { operation, calls, takeover: new AbortController() };
    try {
      return await body(this.#context(calls.signal));
    } finally {
      this.#running = undefined;
      signal?.removeEventListener("abort", follow);
    }
  }

  #context(signal: AbortSignal | undefined): OperationContext {
    if (this.#ports === undefined) throw new InvalidStateError("run without ports", this.state);
    return {
      ports: this.#ports,
      record: this.#record,
      recorder: this.#recorder,
      runner: this.#runner,
      settings: this.#settings,
      signal,
    };
  }

  /** What the operation bodies need from this controller, for `operation`. */
  #hooks(operation: ControllerOperation): ControllerHooks {
    return {
      end: (to) => this.#end(to, operation),
      persist: () => this.#persist(),
      forget: () => this.#forget(),
      takeover: this.#running?.takeover.signal,
      withSignal: (signal) => this.#context(signal),
    };
  }

  /** Ends the running operation in state `to`. */
  #end(to: ControllerState, operation: ControllerOperation): void {
    this.#record.setState({ operation: null });
    this.#moveTo(to, operation);
  }

  #moveTo(to: ControllerState, operation: ControllerOperation | "import"): void {
    const from = this.#record.state;
    this.#record.setState({ state: to });
    this.#log.info("State {from} -> {to} ({operation})", { from, to, operation });
    this.#emit({ type: "transition", operation, from: operation === "import" ? null : from, to });
  }

  #emit(event: ControllerEvent): void {
    const onEvent = this.#settings.onEvent;
    if (onEvent === undefined) return;
    try {
      onEvent(event);
    } catch (error) {
      this.#log.warn("onEvent threw; ignored", { error });
    }
  }

  /** Writes the record; a failure is logged (the pod goes on). */
  async #persist(): Promise<void> {
    try {
      await this.#recorder.save();
    } catch (error) {
      this.#log.warn("Cannot record the state of the pod", { error });
    }
  }

  async #forget(): Promise<void> {
    try {
      await this.#recorder.delete();
    } catch (error) {
      this.#log.warn("Cannot delete the recorded state of the pod", { error });
    }
  }
}

function checkSignal(options: unknown): AbortSignal | undefined {
  if (options === undefined) return undefined;
  if (typeof options !== "object" || options === null) {
    throw new InvalidArgumentError("options", "must be an object");
  }
  const signal = (options as { signal?: unknown }).signal;
  if (signal === undefined) return undefined;
  if (!(signal instanceof AbortSignal)) {
    throw new InvalidArgumentError("options.signal", "must be an AbortSignal");
  }
  return signal;
}
