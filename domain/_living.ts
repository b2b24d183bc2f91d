/**
 * What the operations on a running pod share: finding a binding by its
 * endpoint, and undoing the NICs an add could not finish (only those).
 *
 * @module
 */
import { NotFoundError } from "./errors.ts";
import type { ControllerHooks, OperationContext } from "./_operation_context.ts";
import type { HostEndpoint } from "../ports/host_network.ts";
import { type BindingRecord, isComplete } from "./_pod_record.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** The listed binding of an endpoint, if the pod holds one. */
export function bindingOf(ctx: OperationContext, endpointId: string): BindingRecord | undefined {
  return ctx.record.bindings().find((b) => b.endpointId === endpointId);
}

/**
 * Undoes the NICs whose add failed, under the takeover signal (the caller's
 * abort does not stop an undo; a teardown that takes over does, and undoes
 * them itself). Resolves whether every one of them is gone.
 */
export async function undoFailedAdds(
  hooks: ControllerHooks,
  bindings: readonly BindingRecord[],
): Promise<boolean> {
  const listed = bindings.filter((b) => b.listed && !isComplete(b));
  if (listed.length === 0) return true;
  if (hooks.takeover?.aborted) return false;
  const { failures, cut } = await unbindNics(hooks.withSignal(hooks.takeover), {
    bindings: listed,
    namespace: false,
  });
  return failures.length === 0 && !cut;
}

/**
 * The endpoints of the pod's NICs but `except`, read afresh for the guest's
 * check of the pod as a whole (`checkPod`); one gone meanwhile is left out.
 * Reads nothing when the guest has no such check.
 */
export async function readHeldEndpoints(
  ctx: OperationContext,
  except: string,
): Promise<HostEndpoint[]> {
  const { ports, runner } = ctx;
  if (ports.guest.checkPod === undefined) return [];
  const call = { signal: ctx.signal };
  const reads = ctx.record.bindings().filter((b) => b.endpointId !== except).map((b) =>
    runner.read(
      "read-endpoint",
      { endpointId: b.endpointId },
      () => ports.host.getEndpoint(b.endpointId, call),
    ).catch((error: unknown) => {
      if (error instanceof NotFoundError) return undefined;
      throw error;
    })
  );
  const settled = await Promise.allSettled(reads);
  const found: HostEndpoint[] = [];
  for (const s of settled) {
    if (s.status === "rejected") throw s.reason;
    if (s.value !== undefined) found.push(s.value);
  }
  return found;
}
