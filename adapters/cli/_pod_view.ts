import type { NicIov, StepProgress } from "../../domain/binding.ts";
import type { Snapshot } from "../../domain/snapshot.ts";
import { NIC_STEPS, type NicStep } from "../../domain/steps.ts";
import type { HostRecord } from "./_host_records.ts";

/** A pod as `status` reports it. */
export interface PodView {
  readonly podId: string;
  /** The recorded state; `NotConfigured` when nothing is recorded. */
  readonly state: string;
  /**
   * The operation the record was written in the middle of, or the podnet
   * command working on the pod (or killed while it did), if any.
   */
  readonly operation: string | null;
  readonly namespaceId?: string;
  readonly vmId?: string;
  readonly guest?: string;
  /** How far the guest namespace step got (`null`: no record of one). */
  readonly guestNamespace: string | null;
  /** The NICs in attach order (the first is eth0), with how far each got. */
  readonly bindings: readonly {
    readonly guestName: string;
    readonly nicId: string;
    readonly endpointId: string;
    readonly endpointName: string;
    readonly macAddress?: string;
    readonly progress: Readonly<Record<NicStep, StepProgress>>;
    /** SR-IOV settings set by `nic update` (or `nic add --iov-*`), and how far applying them got. */
    readonly iov?: NicIov;
  }[];
}

/** The view of a pod from its records (either may be missing). */
export function podView(
  podId: string,
  snapshot: Snapshot | undefined,
  host: HostRecord | undefined,
): PodView {
  return {
    podId,
    state: snapshot?.state ?? "NotConfigured",
    operation: snapshot === undefined ? null : snapshot.operation ?? host?.operation ?? null,
    ...(snapshot === undefined ? {} : { namespaceId: snapshot.namespaceId }),
    ...(host === undefined ? {} : { vmId: host.vmId, guest: host.guest }),
    guestNamespace: snapshot?.guestNamespace?.progress ?? null,
    bindings: (snapshot?.bindings ?? []).map((b, i) => ({ guestName: `eth${i}`, ...b })),
  };
}

/** The view as lines for people. */
export function describePod(view: PodView): string[] {
  const where = view.vmId === undefined ? "" : `, VM ${view.vmId} (${view.guest?.toUpperCase()})`;
  const during = view.operation === null ? "" : `, written during ${view.operation}`;
  const lines = [`pod ${view.podId}: ${view.state}${during}${where}`];
  if (view.namespaceId !== undefined) {
    const guest = view.guestNamespace === null ? "" : `, guest namespace ${view.guestNamespace}`;
    lines.push(`  namespace ${view.namespaceId}${guest}`);
  }
  for (const b of view.bindings) {
    lines.push(
      `  ${b.guestName.padEnd(5)} ${
        b.endpointName.padEnd(20)
      } NIC ${b.nicId}  endpoint ${b.endpointId}` +
        `${b.macAddress === undefined ? "" : `  ${b.macAddress}`}`,
      `        ${NIC_STEPS.map((step) => `${step} ${b.progress[step]}`).join(", ")}`,
    );
    if (b.iov !== undefined) lines.push(`        ${describeIov(b.iov)}`);
  }
  return lines;
}

/** A NIC's SR-IOV settings as one line ("iov OffloadWeight 50, ... (done)"). */
function describeIov(iov: NicIov): string {
  const s = iov.settings;
  const parts = [
    ...(s.offloadWeight === undefined ? [] : [`OffloadWeight ${s.offloadWeight}`]),
    ...(s.queuePairsRequested === undefined
      ? []
      : [`QueuePairsRequested ${s.queuePairsRequested}`]),
    ...(s.interruptModeration === undefined
      ? []
      : [`InterruptModeration ${s.interruptModeration}`]),
  ];
  return `iov ${parts.join(", ")} (${iov.progress === "done" ? "applied" : iov.progress})`;
}
