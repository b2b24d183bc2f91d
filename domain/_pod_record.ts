/**
 * What a controller knows about its pod and records durably: its bindings in
 * attach order, the guest namespace step, the state, the operation in
 * progress and the migration destination. Every change goes through a
 * method that also logs it (`takeChanges()`), so the recorder can write what
 * changed without comparing or copying the whole record.
 *
 * @module
 */
import type { NicBinding, NicIov, StepProgress } from "./binding.ts";
import type { IovSettings } from "./iov.ts";
import type { RecordChange } from "./record_change.ts";
import type { Snapshot } from "./snapshot.ts";
import type { ControllerState } from "./state.ts";
import type { NicStep } from "./steps.ts";
import type { JsonObject } from "../ports/json.ts";
import { cloneJson } from "./_json.ts";

/** A binding as the controller holds it; change it through `PodRecord`. */
export interface BindingRecord {
  readonly nicId: string;
  readonly endpointId: string;
  readonly endpointName: string;
  readonly macAddress?: string;
  readonly progress: Readonly<Record<NicStep, StepProgress>>;
  /** The SR-IOV settings and how far applying them got, when set. */
  readonly iov?: NicIov | undefined;
  /**
   * Whether the binding is listed (in `bindings` and the record): from the
   * moment one of its steps is about to start. A NIC that setup planned but
   * never touched has nothing to undo and is not shown.
   */
  readonly listed: boolean;
  /**
   * The endpoint's share of what the guest merges for the whole pod
   * (`GuestNetwork.podShare`), kept in memory only: a restored binding has
   * none until it is read again.
   */
  readonly podShare?: readonly string[];
}

/** A binding's fields the record changes. */
interface Mutable {
  progress: Record<NicStep, StepProgress>;
  iov?: NicIov | undefined;
  listed: boolean;
  podShare?: readonly string[];
  /** Its place in the attach order (plan order), to list it in place. */
  readonly order: number;
}

/** The guest namespace step and the document captured when it was read. */
export interface GuestNamespaceRecord {
  readonly progress: StepProgress;
  readonly document: JsonObject;
}

/** The operation in progress, as the record names it. */
export type RecordedOperation = Snapshot["operation"];

/** The NIC details a binding starts from. */
export interface PlannedNic {
  readonly nicId: string;
  readonly endpointId: string;
  readonly endpointName: string;
  readonly macAddress?: string | undefined;
  /** SR-IOV settings to apply right after the hot-add. */
  readonly iov?: IovSettings | undefined;
}

/** The pod's record. */
export class PodRecord {
  readonly podId: string;
  readonly namespaceId: string;
  readonly policyBasedRouting: boolean;
  #state: ControllerState = "NotConfigured";
  #operation: RecordedOperation = null;
  #destination: string | null = null;
  #guestNamespace: GuestNamespaceRecord | null = null;
  /** Every binding, listed or not, in attach order. */
  #bindings: (BindingRecord & Mutable)[] = [];
  /** The listed ones, in attach order. */
  #listed: (BindingRecord & Mutable)[] = [];
  #nextOrder = 0;
  #changes: RecordChange[] = [];

  constructor(podId: string, namespaceId: string, policyBasedRouting: boolean) {
    this.podId = podId;
    this.namespaceId = namespaceId;
    this.policyBasedRouting = policyBasedRouting;
  }

  /** The controller's state. */
  get state(): ControllerState {
    return this.#state;
  }

  /** The operation in progress, as recorded. */
  get operation(): RecordedOperation {
    return this.#operation;
  }

  /** The destination's namespace, from `patch()` until a reset completes. */
  get destinationNamespaceId(): string | null {
    return this.#destination;
  }

  /** The guest namespace step and document, when setup read the namespace. */
  get guestNamespace(): GuestNamespaceRecord | null {
    return this.#guestNamespace;
  }

  /** Sets the state, the operation and the destination (unchanged when not given). */
  setState(
    change: {
      state?: ControllerState;
      operation?: RecordedOperation;
      destinationNamespaceId?: string | null;
    },
  ): void {
    this.#state = change.state ?? this.#state;
    if (change.operation !== undefined) this.#operation = change.operation;
    if (change.destinationNamespaceId !== undefined) {
      this.#destination = change.destinationNamespaceId;
    }
    this.#changes.push({
      type: "state",
      state: this.#state,
      operation: this.#operation,
      destinationNamespaceId: this.#destination,
    });
  }

  /** Sets the guest namespace record (`null`: none). */
  setGuestNamespace(namespace: GuestNamespaceRecord | null): void {
    this.#guestNamespace = namespace;
    this.#changes.push({ type: "namespace", namespace });
  }

  /** Sets how far the guest namespace step got. */
  setNamespaceProgress(progress: StepProgress): void {
    const gns = this.#guestNamespace;
    if (gns === null || gns.progress === progress) return;
    this.#guestNamespace = { progress, document: gns.document };
    this.#changes.push({ type: "namespace-progress", progress });
  }

  /** The listed bindings, in attach order. */
  bindings(): BindingRecord[] {
    return [...this.#listed];
  }

  /** How many bindings are listed (without copying them). */
  get listedCount(): number {
    return this.#listed.length;
  }

  /** Adds a binding at the end of the attach order, unlisted until a step starts. */
  plan(nic: PlannedNic): BindingRecord {
    const binding: BindingRecord & Mutable = {
      nicId: nic.nicId,
      endpointId: nic.endpointId,
      endpointName: nic.endpointName,
      ...(nic.macAddress === undefined ? {} : { macAddress: nic.macAddress }),
      progress: { "guest-prepare": "none", "vm-add": "none", "guest-attach": "none" },
      ...(nic.iov === undefined ? {} : { iov: { settings: nic.iov, progress: "none" } }),
      listed: false,
      order: this.#nextOrder++,
    };
    this.#bindings.push(binding);
    return binding;
  }

  /** Lists a planned binding, in its place in the attach order. */
  list(binding: BindingRecord): void {
    const b = this.#own(binding);
    if (b.listed) return;
    b.listed = true;
    // Bindings are listed nearly in order: look from the end.
    const listed = this.#listed;
    let at = listed.length;
    while (at > 0 && (listed[at - 1] as Mutable).order > b.order) at--;
    listed.splice(at, 0, b);
    const after = at === 0 ? null : (listed[at - 1] as BindingRecord).nicId;
    this.#changes.push({ type: "bind", after, binding: PodRecord.view(b) });
  }

  /** Takes a binding listed by a step that never started off the list again. */
  unlist(binding: BindingRecord): void {
    const b = this.#own(binding);
    if (!b.listed) return;
    b.listed = false;
    this.#listed = this.#listed.filter((x) => x !== b);
    this.#changes.push({ type: "drop", nicId: b.nicId });
  }

  /** Sets how far one step of a binding got. */
  setProgress(binding: BindingRecord, step: NicStep, progress: StepProgress): void {
    const b = this.#own(binding);
    if (b.progress[step] === progress) return;
    b.progress[step] = progress;
    if (b.listed) this.#changes.push({ type: "progress", nicId: b.nicId, step, progress });
  }

  /** Sets a binding's IOV settings and progress (`null`: none). */
  setIov(binding: BindingRecord, iov: NicIov | null): void {
    const b = this.#own(binding);
    if (iov === null) delete b.iov;
    else b.iov = iov;
    if (b.listed) this.#changes.push({ type: "iov", nicId: b.nicId, iov });
  }

  /** Keeps a binding's pod share (`undefined`: none); not a change of the record. */
  setPodShare(binding: BindingRecord, share: readonly string[] | undefined): void {
    const b = this.#own(binding);
    if (share === undefined) delete b.podShare;
    else b.podShare = share;
  }

  /** Restores bindings from a snapshot, listed. */
  restore(bindings: readonly NicBinding[]): void {
    this.#bindings = bindings.map((b) => ({
      nicId: b.nicId,
      endpointId: b.endpointId,
      endpointName: b.endpointName,
      ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
      progress: { ...b.progress },
      ...(b.iov === undefined ? {} : { iov: b.iov }),
      listed: true,
      order: this.#nextOrder++,
    }));
    this.#listed = [...this.#bindings];
  }

  /** Forgets bindings with nothing left to undo (every step `none`). */
  dropFinished(): void {
    for (const b of this.#listed) {
      if (isClear(b)) this.#changes.push({ type: "drop", nicId: b.nicId });
    }
    this.#bindings = this.#bindings.filter((b) => !isClear(b));
    this.#listed = this.#listed.filter((b) => !isClear(b));
  }

  /** Forgets the planned bindings no step has touched. */
  forgetUnlisted(): void {
    this.#bindings = this.#bindings.filter((b) => b.listed);
  }

  /** Forgets every binding and the guest namespace. */
  clear(): void {
    for (const b of this.#listed) this.#changes.push({ type: "drop", nicId: b.nicId });
    this.#bindings = [];
    this.#listed = [];
    if (this.#guestNamespace !== null) this.setGuestNamespace(null);
  }

  /** The changes since the last call, oldest first. */
  takeChanges(): RecordChange[] {
    const changes = this.#changes;
    this.#changes = [];
    return changes;
  }

  /** Puts back changes a failed write could not record, before newer ones. */
  returnChanges(changes: readonly RecordChange[]): void {
    this.#changes = [...changes, ...this.#changes];
  }

  /** A frozen copy of one binding, as users see it. */
  static view(b: BindingRecord): NicBinding {
    return Object.freeze({
      nicId: b.nicId,
      endpointId: b.endpointId,
      endpointName: b.endpointName,
      ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
      progress: Object.freeze({ ...b.progress }),
      ...(b.iov === undefined ? {} : { iov: b.iov }),
    });
  }

  /** The record as a snapshot that shares nothing with it. */
  snapshot(): Snapshot {
    const gns = this.#guestNamespace;
    return {
      schemaVersion: 2,
      podId: this.podId,
      namespaceId: this.namespaceId,
      destinationNamespaceId: this.#destination,
      state: this.#state,
      operation: this.#operation,
      policyBasedRouting: this.policyBasedRouting,
      guestNamespace: gns === null
        ? null
        : { progress: gns.progress, document: cloneJson(gns.document) },
      bindings: this.#listed.map(PodRecord.view),
    };
  }

  /** The record's own object behind a binding it handed out. */
  #own(binding: BindingRecord): BindingRecord & Mutable {
    return binding as BindingRecord & Mutable;
  }
}

/**
 * Whether the NIC of a binding is on the VM and in the guest: every NIC step
 * done (a prepare with nothing to do counts), whatever its SR-IOV settings.
 */
export function isAttached(b: BindingRecord): boolean {
  const p = b.progress;
  return p["guest-prepare"] !== "pending" && p["vm-add"] === "done" && p["guest-attach"] === "done";
}

/** Whether every step of a binding is done, its SR-IOV settings applied included. */
export function isComplete(b: BindingRecord): boolean {
  return isAttached(b) && (b.iov === undefined || b.iov.progress === "done");
}

/** Whether a binding has nothing left to undo. */
export function isClear(b: BindingRecord): boolean {
  const p = b.progress;
  return p["guest-prepare"] === "none" && p["vm-add"] === "none" && p["guest-attach"] === "none";
}
