/**
 * `sync()`: reads the pod's namespace afresh and brings the VM in line.
 * Endpoints that appeared are added after the existing NICs, in eth order
 * among themselves; NICs whose endpoints left the namespace or no longer
 * exist are removed. Removals and adds run in one plan on the engine,
 * within `hostConcurrency`: on the guest the adds' prepares go first (they
 * gate the hot-adds), then the detaches, then the attaches in eth order; on
 * the host the hot-adds take the slots first and each hot-remove follows
 * its detach. A NIC an
 * earlier add left unfinished is taken off first and added anew. One NIC's
 * failure stays its own: a failed add is undone, a failed removal keeps its
 * binding for a retry.
 *
 * @module
 */
import { orderEndpoints, uniqueIds } from "./endpoint_order.ts";
import { NicChangeError } from "./errors.ts";
import { deriveNicId } from "./nic_id.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import { type NicToBind, planBinds } from "./_bind_plan.ts";
import { undoFailedAdds } from "./_living.ts";
import { type ControllerHooks, type OperationContext, stopReason } from "./_operation_context.ts";
import { checkPodEndpoints } from "./_pod_share.ts";
import { settleAll, unlessGone } from "./_settle.ts";
import { isAttached, isComplete } from "./_pod_record.ts";
import { Plan } from "./_step_engine.ts";
import { planUnbinds, unbindNics } from "./_unbind_plan.ts";

/**
 * What a `sync()` changed: the endpoints whose NICs it added and removed.
 *
 * @example
 * ```ts
 * import type { NetworkController, SyncResult } from "@podnet/hcs";
 * declare const controller: NetworkController;
 * const result: SyncResult = await controller.sync();
 * console.log(result.added, result.removed);
 * ```
 */
export interface SyncResult {
  /** The endpoints added, in attach order. */
  readonly added: readonly string[];
  /** The endpoints removed. */
  readonly removed: readonly string[];
}

/** Runs a sync. */
export async function runSync(ctx: OperationContext, hooks: ControllerHooks): Promise<SyncResult> {
  const r = ctx.record;
  r.setState({ operation: "sync" });
  let failure: unknown;
  let failedEndpoint: string | undefined;
  const added: string[] = [];
  const removed: string[] = [];
  let undone = true;
  try {
    const present = await readPresent(ctx);
    const wanted = new Set(present.map((e) => e.id));
    const held = r.bindings();
    // Half-added NICs of endpoints still there: off first, then added anew. A
    // NIC whose only open item is its SR-IOV settings stays where it is (an
    // update or finishInterrupted() applies them).
    const stale = held.filter((b) => wanted.has(b.endpointId) && !isAttached(b));
    if (stale.length > 0) {
      const undo = await unbindNics(ctx, { bindings: stale, namespace: false });
      if (undo.failures.length > 0 || undo.cut) {
        undone = false;
        throw undo.failures[0] ?? stopReason("sync", ctx.signal);
      }
    }
    const toRemove = held.filter((b) => !wanted.has(b.endpointId));
    const bound = new Set(r.bindings().map((b) => b.endpointId));
    const toAdd: NicToBind[] = present.filter((e) => !bound.has(e.id)).map((endpoint) => ({
      endpoint,
      binding: r.plan({
        nicId: deriveNicId(r.podId, endpoint.id),
        endpointId: endpoint.id,
        endpointName: endpoint.name,
        macAddress: endpoint.macAddress,
        // A half-added NIC added anew keeps the settings it was given.
        iov: stale.find((b) => b.endpointId === endpoint.id)?.iov?.settings,
      }),
    }));
    // One plan: the adds' prepares first on the guest (they gate the long
    // hot-adds), then the detaches, then the attaches; on the host the
    // hot-adds first, the hot-removes as their detaches finish.
    const plan = new Plan();
    planBinds(ctx, plan, toAdd, undefined, { guardEach: true });
    const removeFailures = planUnbinds(
      ctx,
      plan,
      { bindings: toRemove, namespace: false },
      toAdd.length,
      Math.min(toAdd.length, ctx.settings.hostConcurrency),
    );
    const run = await plan.run({
      hostConcurrency: ctx.settings.hostConcurrency,
      signal: ctx.signal,
      onFailure: "continue",
    });
    r.dropFinished();
    r.forgetUnlisted();
    const listed = new Set(r.bindings());
    for (const { binding } of toAdd) {
      if (listed.has(binding) && isComplete(binding)) added.push(binding.endpointId);
    }
    for (const b of toRemove) if (!listed.has(b)) removed.push(b.endpointId);
    const failedAdds = toAdd.map((n) => n.binding).filter((b) => !isComplete(b));
    if (removeFailures.length > 0) undone = false;
    failure = removeFailures[0] ?? run.failures[0] ?? stopReason("sync", ctx.signal);
    failedEndpoint = removeFailures[0]?.endpointId ?? failedAdds[0]?.endpointId;
    if (failedAdds.length > 0 || failure !== undefined) {
      failure ??= stopReason("sync", ctx.signal);
      if (!(await undoFailedAdds(hooks, failedAdds))) undone = false;
    }
  } catch (error) {
    failure = error;
  }
  r.forgetUnlisted();
  hooks.end("Configured");
  await hooks.persist();
  if (failure !== undefined) {
    throw new NicChangeError("sync", r.podId, failedEndpoint, undone, failure);
  }
  return { added, removed };
}

/** The namespace's endpoints that exist, in eth order. */
async function readPresent(ctx: OperationContext): Promise<HostEndpoint[]> {
  const { ports, runner, record } = ctx;
  const call = { signal: ctx.signal };
  const namespace = await runner.read(
    "read-namespace",
    {},
    () => ports.host.getNamespace(record.namespaceId, call),
  );
  const reads = uniqueIds(namespace.endpointIds).map((id) =>
    unlessGone(
      runner.read("read-endpoint", { endpointId: id }, () => ports.host.getEndpoint(id, call)),
    )
  );
  const found = (await settleAll(reads)).filter((e): e is HostEndpoint => e !== undefined);
  const ordered = orderEndpoints(found);
  checkPodEndpoints(ports.guest, ordered); // what the pod will hold after the sync
  return ordered;
}
