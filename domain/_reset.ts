/**
 * The migration reset, as hcsshim's `ResetAfterMigration` does it, made
 * safe to retry. On the destination, CNI made a new namespace with new
 * endpoints; the NICs carried over from the source point at endpoints that
 * do not exist here. So the reset:
 *
 * 1. reads the destination namespace and its endpoints (nothing is touched
 *    before they are known and valid);
 * 2. keeps the bindings that already match the destination in attach order
 *    and are complete (left by an earlier attempt that failed later on);
 * 3. undoes every other binding: guest detach, host hot-remove. A NIC the
 *    VM or guest no longer has counts as gone, but a surprising "not found"
 *    is doubted as teardown doubts it: asked once more, at once (so that a
 *    VM that came without the source's NICs does not fail the reset), and
 *    believed the second time;
 * 4. binds the remaining destination endpoints with the setup pipeline,
 *    under their derived NIC IDs, applying again the SR-IOV settings the
 *    source's NIC in the same place of the attach order had. The guest keeps the pod's namespace ID
 *    (the one the snapshot carries), as hcsshim's does; the WCOW guest
 *    namespace is only added when it is not there yet.
 *
 * On failure the state is `Invalid` and the destination stays recorded, so
 * the reset can be called again (or the pod torn down).
 *
 * @module
 */
import { ResetError, TeardownError } from "./errors.ts";
import { deriveNicId } from "./nic_id.ts";
import type { ControllerState } from "./state.ts";
import { bindNics } from "./_bind_plan.ts";
import { readHost } from "./_host_reads.ts";
import { type OperationContext, stopReason } from "./_operation_context.ts";
import { isComplete } from "./_pod_record.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** Runs the reset; `moveTo` changes the controller's state. */
export async function resetAfterMigration(
  ctx: OperationContext,
  moveTo: (to: ControllerState) => void,
): Promise<void> {
  const r = ctx.record;
  const destination = r.destinationNamespaceId;
  if (destination === null) return;
  r.setState({ operation: "reset" });
  try {
    await ctx.recorder.save();
  } catch (cause) {
    r.setState({ operation: null });
    throw new ResetError(r.podId, cause);
  }
  let connected = Promise.resolve();
  try {
    const view = await readHost(ctx, destination);
    connected = view.connected;
    const wanted = view.endpoints.map((endpoint) => ({
      endpoint,
      nicId: deriveNicId(r.podId, endpoint.id),
    }));
    const existing = r.bindings();
    // SR-IOV settings go with the NIC's place in the attach order (ethN).
    const iovAt = existing.map((b) => b.iov?.settings);
    let keep = 0;
    for (const b of existing) {
      if (b.nicId !== wanted[keep]?.nicId || !isComplete(b)) break;
      keep++;
    }
    const unbound = await unbindNics(ctx, {
      bindings: existing.slice(keep),
      namespace: false,
      notFound: "ask-again",
    });
    const stopped = stopReason("resetAfterMigration", ctx.signal);
    if (unbound.failures.length > 0) {
      throw new TeardownError(r.podId, [...unbound.failures], {
        action: "take the source's NICs off",
        ...(stopped === undefined ? {} : { cause: stopped }),
      });
    }
    if (stopped !== undefined) throw stopped;
    const rest = wanted.slice(keep);
    const nics = rest.map(({ endpoint, nicId }, i) => {
      const binding = r.plan({
        nicId,
        endpointId: endpoint.id,
        endpointName: endpoint.name,
        macAddress: endpoint.macAddress,
        iov: iovAt[keep + i],
      });
      return { binding, endpoint };
    });
    const gns = r.guestNamespace;
    const failures = await bindNics(
      ctx,
      nics,
      gns !== null && gns.progress === "none"
        ? { document: gns.document, id: r.namespaceId }
        : undefined,
    );
    const stop = stopReason("resetAfterMigration", ctx.signal);
    if (stop !== undefined) throw stop;
    if (failures.length > 0) throw failures[0];
    await connected;
  } catch (cause) {
    await connected;
    r.forgetUnlisted();
    r.setState({ operation: null });
    moveTo("Invalid");
    ctx.recorder.touch();
    await ctx.recorder.idle();
    throw new ResetError(r.podId, cause);
  }
  r.setState({ operation: null, destinationNamespaceId: null });
  moveTo("Configured");
  ctx.recorder.touch();
  await ctx.recorder.idle();
}
