import { NetworkController } from "../../domain/network_controller.ts";
import type { RestoreOptions } from "../../domain/controller_options.ts";
import type { ControllerState } from "../../domain/state.ts";
import type { Snapshot } from "../../domain/snapshot.ts";
import type { NetworkPorts } from "../../ports/network_ports.ts";
import type { FileStore } from "../store/file_store.ts";
import type { HostRecord, HostRecords } from "./_host_records.ts";
import type { Hosts } from "./_hosts.ts";
import { type CallSettings, usage } from "./_options.ts";
import type { StepLog } from "./_step_log.ts";

/**
 * The pod's controller recovered from its record in this process, with the
 * command's store, step log and limits, and the signal of its time limit.
 */
export function recovered(
  snapshot: Snapshot,
  ports: NetworkPorts,
  store: FileStore,
  settings: CallSettings,
  log: StepLog,
): { readonly controller: NetworkController; readonly signal: AbortSignal | undefined } {
  const options: RestoreOptions = {
    store,
    onEvent: log.onEvent,
    // The controller's NIC pipeline width, passed through as given.
    ...(settings.hostConcurrency === undefined
      ? {}
      : { hostConcurrency: settings.hostConcurrency }),
  };
  return {
    controller: NetworkController.recover(snapshot, ports, options),
    signal: settings.timeoutMs === undefined ? undefined : AbortSignal.timeout(settings.timeoutMs),
  };
}

/** How a teardown went. */
export interface TeardownResult {
  /** The controller's state after it. */
  readonly state: ControllerState;
  /** The failure, if it failed. */
  readonly error?: unknown;
}

/**
 * Tears a pod down from its record, as a new process: the host record is
 * marked (operation `teardown`) first, the controller is recovered from the
 * snapshot (a record written mid-operation is `Invalid`), then undoes every
 * step that was or may have been done. When it ends `TornDown`, both records
 * go.
 */
export async function tearDownPod(
  snapshot: Snapshot,
  host: HostRecord,
  hosts: Hosts,
  store: FileStore,
  hostRecords: HostRecords,
  settings: CallSettings,
  log: StepLog,
): Promise<TeardownResult> {
  const ports = hosts.portsFor(host.vmId, host.guest, settings.callTimeoutMs);
  try {
    // Before any call: a process killed before the controller records its
    // first undo still leaves word that this pod is to be torn down.
    if (host.operation !== "teardown") await hostRecords.save({ ...host, operation: "teardown" });
    const { controller, signal } = recovered(snapshot, ports, store, settings, log);
    try {
      await controller.teardown({ signal });
    } catch (error) {
      return { state: controller.state, error };
    }
    await store.delete(snapshot.podId);
    await hostRecords.delete(snapshot.podId);
    return { state: controller.state };
  } finally {
    await ports.close();
  }
}

/**
 * The VM and guest of a pod: its host record's, or the flags' when it has
 * none. Flags that contradict the record are bad input.
 */
export function hostOf(
  podId: string,
  record: HostRecord | undefined,
  vmId: string | undefined,
  guest: "lcow" | "wcow" | undefined,
): HostRecord | undefined {
  if (record === undefined) {
    if (vmId === undefined || guest === undefined) return undefined;
    return { schemaVersion: 1, podId, vmId, guest, operation: null };
  }
  if (
    (vmId !== undefined && vmId !== record.vmId) || (guest !== undefined && guest !== record.guest)
  ) {
    throw usage(
      `Cannot use --vm/--guest for pod ${podId}: it is recorded on VM ${record.vmId} ` +
        `(${record.guest.toUpperCase()})`,
    );
  }
  return record;
}
