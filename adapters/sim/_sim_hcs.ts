import type { JsonObject } from "../../ports/json.ts";
import type { HcsApi, HcsSystemHandle } from "../dll/hcs_api.ts";
import { HRESULT } from "../dll/hresult.ts";
import type { NativeCallOptions } from "../dll/native_call_options.ts";
import { classifyModify } from "./_classify.ts";
import { describeIssue, modifyDocumentSchema, propertyQuerySchema } from "./_documents.ts";
import { applyGuestRequest } from "./_guest.ts";
import { hcsFailure } from "./_records.ts";
import type { Runner } from "./_runner.ts";
import { applyHostAndGuest, applyHostRequest } from "./_vm_nics.ts";
import type { World } from "./_world.ts";

const OPEN = "HcsOpenComputeSystem";
const MODIFY = "HcsModifyComputeSystem";
const PROPERTIES = "HcsGetComputeSystemProperties";
const CLOSE = "HcsCloseComputeSystem";

/** The simulated vmcompute.dll. */
export class SimHcs implements HcsApi {
  constructor(private readonly world: World, private readonly runner: Runner) {}

  /** Checks the handle and that its VM still runs. */
  #system(call: string, handle: HcsSystemHandle): void {
    if (this.world.handles.get(handle)?.kind !== "system") {
      throw hcsFailure(call, HRESULT.E_HANDLE, "The compute system handle is not open");
    }
    if (!this.world.vmRunning) {
      throw hcsFailure(
        call,
        HRESULT.HCS_E_SYSTEM_ALREADY_STOPPED,
        `The compute system ${this.world.vmId} is already stopped`,
      );
    }
  }

  openComputeSystem(id: string, options?: NativeCallOptions): Promise<HcsSystemHandle> {
    const ctx = { call: OPEN, op: OPEN, target: id, signal: options?.signal };
    return this.runner.run(ctx, () => {
      if (id.toLowerCase() !== this.world.vmId.toLowerCase() || !this.world.vmRunning) {
        throw hcsFailure(
          OPEN,
          HRESULT.HCS_E_SYSTEM_NOT_FOUND,
          `The compute system ${id} was not found`,
        );
      }
      const handle: HcsSystemHandle = Object.freeze({ hcsSystem: true as const });
      this.world.handles.set(handle, { kind: "system", key: this.world.vmId });
      return handle;
    }, (handle) => this.world.handles.delete(handle));
  }

  modifyComputeSystem(
    handle: HcsSystemHandle,
    configuration: string,
    options?: NativeCallOptions,
  ): Promise<void> {
    const classified = classifyModify(this.world.guest, configuration);
    const ctx = {
      call: MODIFY,
      op: classified.op,
      target: classified.target,
      signal: options?.signal,
    };
    return this.runner.run(ctx, () => {
      this.#system(MODIFY, handle);
      if (this.world.vmPaused) {
        throw hcsFailure(
          MODIFY,
          HRESULT.HCS_E_INVALID_STATE,
          `The compute system ${this.world.vmId} is paused`,
        );
      }
      const raw = classified.document;
      if (raw === undefined) {
        throw hcsFailure(MODIFY, HRESULT.HCS_E_INVALID_JSON, "The configuration is not JSON");
      }
      const parsed = modifyDocumentSchema.safeParse(raw);
      if (!parsed.success) {
        throw hcsFailure(
          MODIFY,
          HRESULT.HCS_E_INVALID_JSON,
          `Invalid configuration: ${describeIssue(parsed.error, "document")}`,
        );
      }
      const doc = parsed.data;
      const guest = doc.GuestRequest;
      const hostPart = doc.ResourcePath !== undefined || doc.RequestType !== undefined ||
        doc.Settings !== undefined;
      if (guest !== undefined && !hostPart) {
        if (guest.ResourceType === undefined) {
          throw hcsFailure(
            MODIFY,
            HRESULT.HCS_E_INVALID_JSON,
            "Invalid configuration: document.GuestRequest.ResourceType: required",
          );
        }
        applyGuestRequest(this.world, { ...guest, ResourceType: guest.ResourceType });
        this.world.guestRequests.push((raw as { GuestRequest: JsonObject }).GuestRequest);
        return;
      }
      if (doc.ResourcePath === undefined || doc.RequestType === undefined) {
        throw hcsFailure(
          MODIFY,
          HRESULT.HCS_E_INVALID_JSON,
          "Invalid configuration: it needs a ResourcePath and RequestType, or a GuestRequest",
        );
      }
      const host = {
        ResourcePath: doc.ResourcePath,
        RequestType: doc.RequestType,
        ...(doc.Settings === undefined ? {} : { Settings: doc.Settings }),
      };
      if (guest === undefined) {
        applyHostRequest(this.world, host);
      } else {
        applyHostAndGuest(this.world, host, {
          ...guest,
          // hcsshim's legacy WCOW NIC remove sends no ResourceType beside the
          // NIC's ResourcePath (internal/uvm/network.go removeNIC).
          ResourceType: guest.ResourceType ?? "Network",
        });
        this.world.guestRequests.push((raw as { GuestRequest: JsonObject }).GuestRequest);
      }
      this.world.hostRequests.push(raw as JsonObject);
    });
  }

  getComputeSystemProperties(
    handle: HcsSystemHandle,
    query: string,
    options?: NativeCallOptions,
  ): Promise<string> {
    const ctx = {
      call: PROPERTIES,
      op: PROPERTIES,
      target: this.world.vmId,
      signal: options?.signal,
    };
    return this.runner.run(ctx, () => {
      this.#system(PROPERTIES, handle);
      let raw: unknown = {};
      if (query.trim() !== "") {
        try {
          raw = JSON.parse(query);
        } catch {
          throw hcsFailure(PROPERTIES, HRESULT.HCS_E_INVALID_JSON, "The query is not JSON");
        }
      }
      const parsed = propertyQuerySchema.safeParse(raw);
      if (!parsed.success) {
        throw hcsFailure(
          PROPERTIES,
          HRESULT.HCS_E_INVALID_JSON,
          `Invalid property query: ${describeIssue(parsed.error, "query")}`,
        );
      }
      const types = parsed.data.PropertyTypes ?? [];
      for (const type of types) {
        if (type !== "GuestConnection") {
          throw hcsFailure(
            PROPERTIES,
            HRESULT.E_INVALIDARG,
            `The simulated host does not answer property type ${type}`,
          );
        }
      }
      const result: JsonObject = {
        Id: this.world.vmId,
        State: this.world.vmPaused ? "Paused" : "Running",
        Stopped: false,
      };
      if (types.includes("GuestConnection") && this.world.guestConnected) {
        result.GuestConnectionInfo = {
          GuestDefinedCapabilities: {
            NamespaceAddRequestSupported: this.world.namespaceAddRequestSupported,
          },
        };
      }
      return JSON.stringify(result);
    });
  }

  closeComputeSystem(handle: HcsSystemHandle): void {
    const ctx = { call: CLOSE, op: CLOSE, target: this.world.vmId, signal: undefined };
    this.runner.runSync(ctx, () => {
      if (this.world.handles.get(handle)?.kind !== "system") {
        throw hcsFailure(CLOSE, HRESULT.E_HANDLE, "The compute system handle is not open");
      }
      this.world.handles.delete(handle);
    });
  }
}
