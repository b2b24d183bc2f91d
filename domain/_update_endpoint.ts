/**
 * `updateEndpoint()`: applies SR-IOV settings to one NIC of a running pod
 * (the `vm-update` step, `_iov_step.ts`). The settings are recorded with
 * the binding; a failure that certainly changed nothing puts back the
 * settings recorded before, an unknown outcome leaves the new ones
 * `pending` for a retry or recovery to apply again.
 *
 * @module
 */
import { NicChangeError, NotFoundError } from "./errors.ts";
import type { IovSettings } from "./iov.ts";
import { applyIov } from "./_iov_step.ts";
import { bindingOf } from "./_living.ts";
import type { ControllerHooks, OperationContext } from "./_operation_context.ts";
import { afterFailure } from "./_undo_policy.ts";

/** Applies `iov` to the endpoint's NIC. */
export async function runUpdateEndpoint(
  ctx: OperationContext,
  hooks: ControllerHooks,
  endpointId: string,
  iov: IovSettings,
): Promise<void> {
  const r = ctx.record;
  const binding = bindingOf(ctx, endpointId);
  if (binding === undefined) throw new NotFoundError(`NIC of endpoint`, endpointId);
  if (binding.progress["vm-add"] !== "done") {
    throw new NicChangeError(
      "update",
      r.podId,
      endpointId,
      true,
      new NotFoundError("NIC", binding.nicId),
    );
  }
  r.setState({ operation: "update" });
  // An update changes the fields it names: the NIC keeps the others, and so
  // does the record; all the known ones are sent, as hcsshim sends all three.
  const settings: IovSettings = { ...binding.iov?.settings, ...iov };
  try {
    await applyIov(ctx, binding, settings);
  } catch (error) {
    hooks.end("Configured");
    await hooks.persist();
    throw new NicChangeError("update", r.podId, endpointId, afterFailure(error) === "none", error);
  }
  hooks.end("Configured");
  await hooks.persist();
}
