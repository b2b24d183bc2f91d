/**
 * What the operations on a running pod share: finding a binding by its
 * endpoint, and undoing the NICs an add could not finish (only those).
 *
 * @module
 */
import type { ControllerHooks, OperationContext } from "./_operation_context.ts";
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
