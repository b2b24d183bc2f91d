import type { JsonObject } from "../../ports/json.ts";
import type { TraceEntry } from "./trace_entry.ts";

/** An HCN document held by the simulated host. */
export interface StoredDocument {
  /** The document's ID as written in it. */
  readonly id: string;
  /** The document as JSON text (taken when it was added). */
  readonly text: string;
  /** The document, parsed from `text` (never shared with the caller). */
  readonly doc: JsonObject;
}

/** A NIC's SR-IOV settings, in HCS's casing, as the last Add or Update set them. */
export interface NicIovSettings {
  OffloadWeight?: number;
  QueuePairsRequested?: number;
  InterruptModeration?: "Default" | "Adaptive" | "Off" | "Low" | "Medium" | "High";
}

/** A NIC hot-added to the utility VM. */
export interface VmNic {
  readonly id: string;
  endpointId: string;
  macAddress: string | undefined;
  /** Its SR-IOV settings; `undefined` when no request gave any. */
  iovSettings: NicIovSettings | undefined;
}

/** An adapter in the guest. */
export interface GuestAdapter {
  readonly id: string;
  /** WCOW: "preadded" until the guest add; LCOW adapters are "added" at once. */
  state: "preadded" | "added";
  /** LCOW: the namespace the adapter was added to. */
  readonly namespaceId: string | undefined;
  /** LCOW: its DNS search domains as the guest parsed its `DNSSuffix` (when it had one). */
  readonly dnsSearch?: readonly string[];
}

/** What an open handle refers to. */
export interface HandleRecord {
  readonly kind: "namespace" | "endpoint" | "system";
  /** The lower-case namespace or endpoint GUID, or the VM ID. */
  readonly key: string;
}

/** The whole simulated host: HCN objects, the VM, its guest, handles and records. */
export class World {
  readonly namespaces: Map<string, StoredDocument> = new Map();
  readonly endpoints: Map<string, StoredDocument> = new Map();
  vmRunning = true;
  /** A paused VM refuses changes (HCS_E_INVALID_STATE) but keeps everything. */
  vmPaused = false;
  guestConnected = true;
  readonly vmNics: Map<string, VmNic> = new Map();
  readonly guestAdapters: Map<string, GuestAdapter> = new Map();
  readonly guestNamespaces: Map<string, JsonObject> = new Map();
  readonly handles: Map<object, HandleRecord> = new Map();
  readonly trace: TraceEntry[] = [];
  readonly guestRequests: JsonObject[] = [];
  readonly hostRequests: JsonObject[] = [];

  constructor(
    readonly vmId: string,
    readonly guest: "lcow" | "wcow",
    readonly namespaceAddRequestSupported: boolean,
  ) {}

  /** The VM is gone: its NICs, guest adapters and guest namespaces go with it. */
  stopVm(): void {
    this.vmRunning = false;
    this.vmPaused = false;
    this.vmNics.clear();
    this.disconnectGuest();
  }

  /** The guest connection closed: guest adapters and namespaces are gone. */
  disconnectGuest(): void {
    this.guestConnected = false;
    this.guestAdapters.clear();
    this.guestNamespaces.clear();
  }
}
