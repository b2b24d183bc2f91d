/**
 * The teardown body: undo every binding in reverse attach order, attempting
 * every NIC, then remove the guest namespace. Failures are gathered into one
 * `TeardownError` and leave the pod `Invalid` (call again to retry).
 *
 * @module
 */
import { TeardownError } from "./errors.ts";
import { type ControllerHooks, type OperationContext, stopReason } from "./_operation_context.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** Runs teardown; the pod ends `TornDown`, or `Invalid` with the failures thrown. */
export async function runTeardown(ctx: OperationContext, hooks: ControllerHooks): Promise<void> {
  const r = ctx.record;
  r.setState({ operation: "teardown" });
  await hooks.persist();
  const { failures, cut } = await unbindNics(ctx, {
    bindings: r.bindings(),
    namespace: true,
  });
  if (failures.length > 0 || cut) {
    hooks.end("Invalid");
    await hooks.persist();
    const cancelled = cut ? stopReason("teardown", ctx.signal) : undefined;
    if (failures.length === 0 && cancelled !== undefined) throw cancelled;
    throw new TeardownError(
      r.podId,
      [...failures],
      cancelled === undefined ? undefined : { cause: cancelled },
    );
  }
  r.clear();
  hooks.end("TornDown");
  await hooks.forget();
}
