/**
 * What a controller knows about its pod and records durably: its bindings in
 * attach order, the guest namespace step, the state and the operation in
 * progress. Steps change it; the recorder writes it.
 *
 * @module
 */
import type { NicBinding, StepProgress } from "./binding.ts";
import type { Snapshot } from "./snapshot.ts";
import type { ControllerState } from "./state.ts";
import type { NicStep } from "./steps.ts";
import type { JsonObject } from "../ports/json.ts";
import { cloneJson } from "./_json.ts";

/** A binding as the controller changes it. */
export interface BindingRecord {
  readonly nicId: string;
  readonly endpointId: string;
  readonly endpointName: string;
  readonly macAddress?: string;
  readonly progress: Record<NicStep, StepProgress>;
  /**
   * Whether the binding is listed (in `bindings` and the record): from the
   * moment one of its steps is about to start. A NIC that setup planned but
   * never touched has nothing to undo and is not shown.
   */
  listed: boolean;
}

/** The guest namespace step and the document captured when it was read. */
export interface GuestNamespaceRecord {
  progress: StepProgress;
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
}

/** The pod's record. */
export class PodRecord {
  readonly podId: string;
  readonly namespaceId: string;
  readonly policyBasedRouting: boolean;
  state: ControllerState = "NotConfigured";
  operation: RecordedOperation = null;
  /** The destination's namespace, from `patch()` until a reset completes. */
  destinationNamespaceId: string | null = null;
  guestNamespace: GuestNamespaceRecord | null = null;
  /** Every binding, listed or not, in attach order. */
  #bindings: BindingRecord[] = [];

  constructor(podId: string, namespaceId: string, policyBasedRouting: boolean) {
    this.podId = podId;
    this.namespaceId = namespaceId;
    this.policyBasedRouting = policyBasedRouting;
  }

  /** The listed bindings, in attach order. */
  bindings(): BindingRecord[] {
    return this.#bindings.filter((b) => b.listed);
  }

  /** Adds a binding at the end of the attach order, unlisted until a step starts. */
  plan(nic: PlannedNic): BindingRecord {
    const binding: BindingRecord = {
      nicId: nic.nicId,
      endpointId: nic.endpointId,
      endpointName: nic.endpointName,
      ...(nic.macAddress === undefined ? {} : { macAddress: nic.macAddress }),
      progress: { "guest-prepare": "none", "vm-add": "none", "guest-attach": "none" },
      listed: false,
    };
    this.#bindings.push(binding);
    return binding;
  }

  /** Restores bindings from a snapshot, listed. */
  restore(bindings: readonly NicBinding[]): void {
    this.#bindings = bindings.map((b) => ({
      nicId: b.nicId,
      endpointId: b.endpointId,
      endpointName: b.endpointName,
      ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
      progress: { ...b.progress },
      listed: true,
    }));
  }

  /** Forgets bindings with nothing left to undo (every step `none`). */
  dropFinished(): void {
    this.#bindings = this.#bindings.filter((b) => !isClear(b));
  }

  /** Forgets the planned bindings no step has touched. */
  forgetUnlisted(): void {
    this.#bindings = this.#bindings.filter((b) => b.listed);
  }

  /** Forgets every binding and the guest namespace. */
  clear(): void {
    this.#bindings = [];
    this.guestNamespace = null;
  }

  /** A frozen copy of one binding, as users see it. */
  static view(b: BindingRecord): NicBinding {
    return Object.freeze({
      nicId: b.nicId,
      endpointId: b.endpointId,
      endpointName: b.endpointName,
      ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
      progress: Object.freeze({ ...b.progress }),
    });
  }

  /** The record as a snapshot that shares nothing with it. */
  snapshot(): Snapshot {
    const gns = this.guestNamespace;
    return {
      schemaVersion: 2,
      podId: this.podId,
      namespaceId: this.namespaceId,
      destinationNamespaceId: this.destinationNamespaceId,
      state: this.state,
      operation: this.operation,
      policyBasedRouting: this.policyBasedRouting,
      guestNamespace: gns === null
        ? null
        : { progress: gns.progress, document: cloneJson(gns.document) },
      bindings: this.bindings().map(PodRecord.view),
    };
  }
}

/** Whether every step of a binding is done (a prepare with nothing to do counts). */
export function isComplete(b: BindingRecord): boolean {
  const p = b.progress;
  return p["guest-prepare"] !== "pending" && p["vm-add"] === "done" &&
    p["guest-attach"] === "done";
}

/** Whether a binding has nothing left to undo. */
export function isClear(b: BindingRecord): boolean {
  const p = b.progress;
  return p["guest-prepare"] === "none" && p["vm-add"] === "none" && p["guest-attach"] === "none";
}
