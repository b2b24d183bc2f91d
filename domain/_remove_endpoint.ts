/**
 * `removeEndpoint()`: takes one NIC off a running pod: guest detach, then
 * hot-remove. A VM or guest confirmed gone counts as removed. On failure
 * the binding stays with its progress and the pod stays `Configured`; a
 * retry finishes it.
 *
 * @module
 */
import { NicChangeError, NotFoundError } from "./errors.ts";
import { bindingOf } from "./_living.ts";
import { type ControllerHooks, type OperationContext, stopReason } from "./_operation_context.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** Removes the endpoint's NIC. */
export async function runRemoveEndpoint(
  ctx: OperationContext,
  hooks: ControllerHooks,
  endpointId: string,
): Promise<void> {
  const r = ctx.record;
  const binding = bindingOf(ctx, endpointId);
  if (binding === undefined) throw new NotFoundError(`NIC of endpoint`, endpointId);
  r.setState({ operation: "remove" });
  const { failures, cut } = await unbindNics(ctx, { bindings: [binding], namespace: false });
  hooks.end("Configured");
  await hooks.persist();
  if (failures.length > 0 || cut) {
    const cause = failures[0] ?? stopReason("removeEndpoint", ctx.signal);
    throw new NicChangeError("remove", r.podId, endpointId, false, cause);
  }
}
