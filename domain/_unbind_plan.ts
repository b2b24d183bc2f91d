/**
 * Undoing bindings (teardown, setup's rollback, and the first half of a
 * migration reset), with the limits of the bind pipeline: guest detaches one
 * at a time in reverse attach order, host hot-removes up to the host limit,
 * each after its own NIC's detach, and the guest namespace removed last.
 * Every NIC is attempted, whatever fails; failures are gathered.
 *
 * Per NIC: a guest detach when its prepare or attach may have happened (this
 * undoes a WCOW pre-add whose hot-add failed), a host hot-remove when its
 * hot-add may have happened. A failed detach does not stop the hot-remove of
 * the same NIC: the host NIC is the expensive resource, and the retry redoes
 * the detach. Bindings with nothing left to undo are dropped at the end.
 *
 * @module
 */
import type { TeardownStepError } from "./errors.ts";
import type { BindingRecord } from "./_pod_record.ts";
import type { OperationContext } from "./_operation_context.ts";
import { Plan, type StepRef } from "./_step_engine.ts";
import { afterUndo } from "./_undo_policy.ts";
import type { UndoResult } from "./_step_runner.ts";

/** What to undo. */
export interface UnbindRequest {
  /** The bindings, in attach order (undone in reverse). */
  readonly bindings: readonly BindingRecord[];
  /** Whether to remove the guest namespace afterwards. */
  readonly namespace: boolean;
  /**
   * What a "not found" for a step known to be done leads to: `doubt` (the
   * step fails and becomes unknown; the next attempt believes a second one)
   * or `ask-again` (asked again at once; a second one is believed). Default
   * `doubt`.
   */
  readonly notFound?: "doubt" | "ask-again";
}

/** How an unbind went. */
export interface UnbindResult {
  /** The failed steps. */
  readonly failures: readonly TeardownStepError[];
  /** Whether the operation's signal stopped it before every step ran. */
  readonly cut: boolean;
}

/** Undoes the bindings (and the namespace); never rejects. */
export async function unbindNics(
  ctx: OperationContext,
  request: UnbindRequest,
): Promise<UnbindResult> {
  const plan = new Plan();
  const failures = planUnbinds(ctx, plan, request);
  const result = await plan.run({
    hostConcurrency: ctx.settings.hostConcurrency,
    signal: ctx.signal,
    onFailure: "continue",
  });
  // Bindings that had nothing to undo at all go too.
  ctx.record.dropFinished();
  return { failures, cut: result.incomplete || ctx.signal?.aborted === true };
}

/**
 * Adds the steps that undo the bindings (and the namespace) to `plan`, its
 * ranks after `hostRankBase` and `guestRankBase`; returns the list the
 * failed steps go to as they fail. The caller runs the plan (going on after
 * failures) and then calls `record.dropFinished()`.
 */
export function planUnbinds(
  ctx: OperationContext,
  plan: Plan,
  request: UnbindRequest,
  hostRankBase = 0,
  guestRankBase = 0,
): TeardownStepError[] {
  const { ports, runner, record, recorder, signal } = ctx;
  const call = { signal };
  const guestNamespaceId = record.namespaceId;
  const failures: TeardownStepError[] = [];
  const nicSteps: StepRef[] = [];
  // A step cut off by this operation's own abort is not a failure of its own.
  // Its outcome is written with the next undo's "pending" or at the end.
  const settle = (result: UndoResult): void => {
    if (result.error !== undefined && !signal?.aborted) failures.push(result.error);
  };
  /**
   * Records an undo about to run before the call: what it may change becomes
   * unknown (`pending`), so a crash mid-call leaves a record whose "not
   * found" the next attempt believes. A record that cannot be written does
   * not stop the undo (a NIC left behind is worse than a record that makes
   * the next attempt doubt once).
   */
  const begin = async (mark: () => void): Promise<void> => {
    mark();
    try {
      await recorder.save();
    } catch (error) {
      runner.log.warn("Cannot record the undo about to run; going on", { error });
    }
  };
  const askAgain = request.notFound === "ask-again";
  const reversed = [...request.bindings].reverse();
  reversed.forEach((b, rank) => {
    const p = b.progress;
    const nic = { nicId: b.nicId, endpointId: b.endpointId, namespaceId: guestNamespaceId };
    const needsRemove = p["vm-add"] !== "none";
    let detach: StepRef | undefined;
    if (p["guest-prepare"] !== "none" || p["guest-attach"] !== "none") {
      detach = plan.add("guest", guestRankBase + rank, async () => {
        const prepared = p["guest-prepare"];
        const attached = p["guest-attach"];
        await begin(() => {
          if (prepared !== "none") record.setProgress(b, "guest-prepare", "pending");
          if (attached !== "none") record.setProgress(b, "guest-attach", "pending");
        });
        const result = await runner.undo(
          "guest-detach",
          b,
          prepared === "done" || attached === "done",
          () => ports.guest.detach(nic, call),
          askAgain,
        );
        record.setProgress(b, "guest-prepare", afterUndo(prepared, result.outcome));
        record.setProgress(b, "guest-attach", afterUndo(attached, result.outcome));
        settle(result);
      });
      nicSteps.push(detach);
    }
    if (needsRemove) {
      const vmNic = {
        nicId: b.nicId,
        endpointId: b.endpointId,
        ...(b.macAddress === undefined ? {} : { macAddress: b.macAddress }),
      };
      nicSteps.push(plan.add("host", hostRankBase + rank, async () => {
        const added = p["vm-add"];
        await begin(() => record.setProgress(b, "vm-add", "pending"));
        const result = await runner.undo(
          "vm-remove",
          b,
          added === "done",
          () => ports.vm.removeNic(vmNic, call),
          askAgain,
        );
        record.setProgress(b, "vm-add", afterUndo(added, result.outcome));
        settle(result);
      }, [detach]));
    }
  });
  const gns = record.guestNamespace;
  if (request.namespace && gns !== null && gns.progress !== "none") {
    plan.add("guest", guestRankBase + reversed.length, async () => {
      const progress = record.guestNamespace?.progress ?? "none";
      await begin(() => record.setNamespaceProgress("pending"));
      const result = await runner.undo(
        "guest-namespace-remove",
        undefined,
        progress === "done",
        () => ports.guest.removeNamespace({ id: guestNamespaceId, document: gns.document }, call),
      );
      record.setNamespaceProgress(afterUndo(progress, result.outcome));
      settle(result);
    }, nicSteps);
  }
  return failures;
}
