/**
 * The setup body and its rollback: read the namespace and its endpoints,
 * bind one NIC per endpoint in eth order as a pipeline, and on failure undo
 * everything (with `rollbackOnSetupFailure`) or leave the pod `Invalid`.
 *
 * @module
 */
import { SetupError, TeardownError } from "./errors.ts";
import { deriveNicId } from "./nic_id.ts";
import { bindNics } from "./_bind_plan.ts";
import { readHost } from "./_host_reads.ts";
import { type ControllerHooks, type OperationContext, stopReason } from "./_operation_context.ts";
import { unbindNics } from "./_unbind_plan.ts";

/** Runs setup; the pod ends `Configured`, or `TornDown`/`Invalid` with a `SetupError`. */
export async function runSetup(ctx: OperationContext, hooks: ControllerHooks): Promise<void> {
  const r = ctx.record;
  r.setState({ operation: "setup" });
  let failure: unknown;
  let connected = Promise.resolve();
  try {
    const view = await readHost(ctx, r.namespaceId);
    connected = view.connected;
    r.setGuestNamespace({ progress: "none", document: view.namespace.document });
    const nics = view.endpoints.map((endpoint) => {
      const binding = r.plan({
        nicId: deriveNicId(r.podId, endpoint.id),
        endpointId: endpoint.id,
        endpointName: endpoint.name,
        macAddress: endpoint.macAddress,
      });
      return { binding, endpoint };
    });
    const failures = await bindNics(
      ctx,
      nics,
      { document: view.namespace.document, id: view.namespace.id },
    );
    await connected;
    failure = failures[0];
    if (failures.length === 0 && !ctx.signal?.aborted) {
      hooks.end("Configured");
      await hooks.persist();
      return;
    }
  } catch (error) {
    failure = error;
  }
  await connected;
  r.forgetUnlisted();
  await failSetup(ctx, hooks, stopReason("setup", ctx.signal) ?? failure);
}

async function failSetup(
  ctx: OperationContext,
  hooks: ControllerHooks,
  cause: unknown,
): Promise<never> {
  const takeover = hooks.takeover;
  const s = ctx.settings;
  // A teardown waiting to run does the undoing itself, under its own signal.
  if (!s.rollbackOnSetupFailure || takeover?.aborted) {
    hooks.end("Invalid");
    await hooks.persist();
    throw new SetupError(s.podId, false, cause);
  }
  // The rollback ignores the caller's abort (leaving NICs behind would be
  // worse than overrunning it; every call still has its time limit), but a
  // teardown that arrives cuts it off and takes over.
  const rollback = hooks.withSignal(takeover);
  const { failures, cut } = await unbindNics(rollback, {
    bindings: ctx.record.bindings(),
    namespace: true,
  });
  if (failures.length > 0 || cut) {
    hooks.end("Invalid");
    await hooks.persist();
    const rollbackError = failures.length > 0
      ? new TeardownError(s.podId, [...failures])
      : stopReason("setup", takeover);
    throw new SetupError(s.podId, false, cause, rollbackError);
  }
  ctx.record.clear();
  hooks.end("TornDown");
  await hooks.forget();
  throw new SetupError(s.podId, true, cause);
}
