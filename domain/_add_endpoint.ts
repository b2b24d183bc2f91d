/**
 * `addEndpoint()`: binds one more endpoint of the pod's namespace to a
 * running pod, after its other NICs, with the setup steps (WCOW prepare,
 * hot-add, SR-IOV settings when given, guest attach). On failure only this
 * NIC is undone; the pod stays `Configured`.
 *
 * @module
 */
import { NicChangeError, NotFoundError } from "./errors.ts";
import type { IovSettings } from "./iov.ts";
import { deriveNicId } from "./nic_id.ts";
import { bindNics } from "./_bind_plan.ts";
import { bindingOf, undoFailedAdds } from "./_living.ts";
import { checkPodShares, heldShares, shareOf } from "./_pod_share.ts";
import { type ControllerHooks, type OperationContext, stopReason } from "./_operation_context.ts";
import { type BindingRecord, isAttached } from "./_pod_record.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** Adds the endpoint's NIC; resolves whether it added one (false: already bound). */
export async function runAddEndpoint(
  ctx: OperationContext,
  hooks: ControllerHooks,
  endpointId: string,
  iov: IovSettings | undefined,
): Promise<boolean> {
  const { record: r, ports, runner } = ctx;
  const existing = bindingOf(ctx, endpointId);
  if (existing !== undefined && isAttached(existing)) return false;
  r.setState({ operation: "add" });
  const call = { signal: ctx.signal };
  let binding: BindingRecord | undefined;
  let failure: unknown;
  try {
    if (existing !== undefined) {
      // What an earlier add left unfinished goes first: then the NIC is added anew.
      const undo = await unbindNics(ctx, { bindings: [existing], namespace: false });
      if (undo.failures.length > 0 || undo.cut) {
        throw undo.failures[0] ?? stopReason("addEndpoint", ctx.signal);
      }
    }
    // The namespace and the endpoint are read at once, and with them the
    // shares of the pod's other NICs when the guest checks the pod as a
    // whole (kept with their bindings: read only after a restore). All have
    // settled before anything else happens.
    const [ns, ep, others] = await Promise.allSettled([
      runner.read("read-namespace", {}, () => ports.host.getNamespace(r.namespaceId, call)),
      runner.read("read-endpoint", { endpointId }, () => ports.host.getEndpoint(endpointId, call)),
      heldShares(ctx, endpointId),
    ]);
    if (ns.status === "rejected") throw ns.reason;
    if (!ns.value.endpointIds.some((id) => id.toLowerCase() === endpointId)) {
      throw new NotFoundError(`endpoint in namespace ${r.namespaceId}`, endpointId);
    }
    if (ep.status === "rejected") throw ep.reason;
    if (others.status === "rejected") throw others.reason;
    const endpoint = ep.value;
    checkPodShares(ports.guest, [
      ...others.value,
      { endpointId: endpoint.id, share: shareOf(ports.guest, endpoint) ?? [] },
    ]);
    binding = r.plan({
      nicId: deriveNicId(r.podId, endpoint.id),
      endpointId: endpoint.id,
      endpointName: endpoint.name,
      macAddress: endpoint.macAddress,
      // A half-added NIC added anew keeps the settings it was given.
      iov: iov ?? existing?.iov?.settings,
    });
    const failures = await bindNics(ctx, [{ binding, endpoint }], undefined);
    failure = failures[0] ?? stopReason("addEndpoint", ctx.signal);
  } catch (error) {
    failure = error;
  }
  r.forgetUnlisted();
  if (failure === undefined) {
    hooks.end("Configured");
    await hooks.persist();
    return true;
  }
  const left = binding ?? existing;
  const undone = await undoFailedAdds(hooks, left === undefined ? [] : [left]);
  hooks.end("Configured");
  await hooks.persist();
  // An endpoint that is not in the namespace (or no longer exists) is found
  // out before anything is planned: the caller learns that, as from
  // removeEndpoint(), from the NotFoundError itself; nothing was changed.
  if (left === undefined && failure instanceof NotFoundError) throw failure;
  throw new NicChangeError("add", r.podId, endpointId, undone, failure);
}
