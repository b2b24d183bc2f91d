/**
 * `finishInterrupted()`: after `NetworkController.recover()` of a record
 * written while `addEndpoint()`, `removeEndpoint()`, `updateEndpoint()` or
 * `sync()` ran, reaches the documented end: every NIC that is not complete
 * (an interrupted add, an interrupted remove, a sync's unfinished half) is
 * taken off the VM, and SR-IOV settings whose outcome is unknown are
 * applied again. Complete NICs are left as they are. It does the same for
 * what a failed operation left (a NIC whose undo did not complete), so it
 * is also the one call that tidies a running pod.
 *
 * @module
 */
import { NicChangeError } from "./errors.ts";
import { applyIov } from "./_iov_step.ts";
import { undoFailedAdds } from "./_living.ts";
import type { ControllerHooks, OperationContext } from "./_operation_context.ts";
import { isAttached, isComplete } from "./_pod_record.ts";
import { afterFailure } from "./_undo_policy.ts";

/** What `finishInterrupted()` did: the endpoints whose NIC it removed or updated. */
export interface FinishResult {
  /** Endpoints whose unfinished NIC was taken off. */
  readonly removed: readonly string[];
  /** Endpoints whose SR-IOV settings were applied again. */
  readonly reapplied: readonly string[];
}

/** Finishes what an interrupted operation on a running pod left. */
export async function runFinish(
  ctx: OperationContext,
  hooks: ControllerHooks,
): Promise<FinishResult> {
  const r = ctx.record;
  const interrupted = r.operation;
  const held = r.bindings();
  const reapply = held.filter((b) =>
    isAttached(b) && b.iov !== undefined && b.iov.progress !== "done"
  );
  const unfinished = held.filter((b) => !isComplete(b) && !reapply.includes(b));
  if (interrupted === null && unfinished.length === 0 && reapply.length === 0) {
    return { removed: [], reapplied: [] };
  }
  const removed: string[] = [];
  const reapplied: string[] = [];
  let failure: unknown;
  if (!(await undoFailedAdds(hooks, unfinished))) {
    failure = new NicChangeError("sync", r.podId, unfinished[0]?.endpointId, false, undefined);
  }
  const left = new Set(r.bindings());
  for (const b of unfinished) if (!left.has(b)) removed.push(b.endpointId);
  for (const b of reapply) {
    const iov = b.iov;
    if (iov === undefined) continue;
    try {
      await applyIov(ctx, b, iov.settings);
      reapplied.push(b.endpointId);
    } catch (error) {
      // Refused for sure: the settings are forgotten (the vm-update step
      // records that) and the NIC is left as it is; else they stay pending.
      const refused = afterFailure(error) === "none";
      failure ??= new NicChangeError("update", r.podId, b.endpointId, refused, error);
    }
  }
  hooks.end("Configured");
  // Not finished: the record keeps naming the operation, so recovery comes
  // back. A failure that left nothing open (settings the host refused) ends it.
  if (failure !== undefined && r.bindings().some((b) => !isComplete(b))) {
    r.setState({ operation: interrupted });
  }
  await hooks.persist();
  if (failure !== undefined) throw failure;
  return { removed, reapplied };
}
