/**
 * `recover` for a running pod whose `nic add|remove|update` or `sync` was
 * cut short: `NetworkController.recover()` then `finishInterrupted()`.
 *
 * @module
 */
import type { Snapshot } from "../../domain/snapshot.ts";
import type { ControllerState } from "../../domain/state.ts";
import type { FileStore } from "../store/file_store.ts";
import type { HostRecord } from "./_host_records.ts";
import type { Hosts } from "./_hosts.ts";
import type { CallSettings } from "./_options.ts";
import type { StepLog } from "./_step_log.ts";
import { recovered } from "./_pod_teardown.ts";

const LIVING = new Set(["add", "remove", "update", "sync"]);

/** Whether the record was written during an operation on a running pod. */
export function isLivingOperation(snapshot: Snapshot): boolean {
  return snapshot.state === "Configured" && snapshot.operation !== null &&
    LIVING.has(snapshot.operation);
}

/** Finishes the interrupted operation; the pod stays Configured. */
export async function finishLiving(
  snapshot: Snapshot,
  host: HostRecord,
  hosts: Hosts,
  store: FileStore,
  settings: CallSettings,
  log: StepLog,
): Promise<{ readonly state: ControllerState; readonly error?: unknown }> {
  const ports = hosts.portsFor(host.vmId, host.guest, settings.callTimeoutMs);
  try {
    const { controller, signal } = recovered(snapshot, ports, store, settings, log);
    try {
      await controller.finishInterrupted({ signal });
    } catch (error) {
      return { state: controller.state, error };
    }
    return { state: controller.state };
  } finally {
    await ports.close();
  }
}
