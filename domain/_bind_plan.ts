/**
 * Binding NICs as a pipeline (setup, and the rebinding half of a migration
 * reset). Per NIC: guest prepare, host hot-add, guest attach. A NIC's hot-add
 * starts as soon as its prepare is done, host slots go in attach order, guest
 * requests go one at a time, and attaches happen strictly in attach order,
 * each after its own hot-add and after the guest namespace add. So NIC k+1 is
 * hot-added while NIC k is attached, even with one host slot.
 *
 * Guest requests are ranked so that the host never waits for the guest when
 * it need not: the prepares of the NICs that fill the host slots first, then
 * the namespace add (it overlaps the first hot-add), then each attach
 * preceded by the prepare of the NIC one window ahead.
 *
 * @module
 */
import type { BindingRecord } from "./_pod_record.ts";
import type { JsonObject } from "../ports/json.ts";
import type { OperationContext } from "./_operation_context.ts";
import { Plan, type StepRef } from "./_step_engine.ts";
import { applyIov } from "./_iov_step.ts";
import { shareOf } from "./_pod_share.ts";
import type { GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";

/** One NIC to bind: its (planned) binding and the endpoint it carries. */
export interface NicToBind {
  readonly binding: BindingRecord;
  readonly endpoint: HostEndpoint;
}

/** The guest namespace to add first, when it is not there yet. */
export interface NamespaceToAdd {
  /** The namespace document captured when it was read. */
  readonly document: JsonObject;
  readonly id: string;
}

/** Where binds go in a plan shared with other steps (sync). */
export interface BindPlanOptions {
  /** Added to every host rank (adds before or after other host steps). */
  readonly hostRankBase?: number;
  /** Added to every guest rank. */
  readonly guestRankBase?: number;
  /**
   * Whether a NIC's later steps are skipped once one of its steps failed
   * (for plans that go on after a failure, so one NIC's failure stays its own).
   */
  readonly guardEach?: boolean;
}

/**
 * Binds the NICs (in attach order) and adds the namespace, if given. Stops
 * at the first failure after the steps in flight have settled; resolves the
 * failures (none: every NIC is bound).
 */
export async function bindNics(
  ctx: OperationContext,
  nics: readonly NicToBind[],
  namespace: NamespaceToAdd | undefined,
): Promise<readonly unknown[]> {
  const plan = new Plan();
  planBinds(ctx, plan, nics, namespace);
  const result = await plan.run({
    hostConcurrency: ctx.settings.hostConcurrency,
    signal: ctx.signal,
    onFailure: "stop",
  });
  return result.failures;
}

/** Adds the steps that bind `nics` (and add the namespace) to `plan`. */
export function planBinds(
  ctx: OperationContext,
  plan: Plan,
  nics: readonly NicToBind[],
  namespace: NamespaceToAdd | undefined,
  options: BindPlanOptions = {},
): void {
  const { ports, runner, signal } = ctx;
  const w = ctx.settings.hostConcurrency;
  const call = { signal };
  const h = options.hostRankBase ?? 0;
  const g = options.guestRankBase ?? 0;
  const guard = options.guardEach === true;
  let nsAdd: StepRef | undefined;
  if (namespace !== undefined) {
    const { document, id } = namespace;
    nsAdd = plan.add("guest", g + w, () =>
      runner.change(
        "guest-namespace-add",
        { namespace: true },
        () => ports.guest.addNamespace({ id, document }, call),
      ));
  }
  let previousAttach: StepRef | undefined;
  nics.forEach(({ binding, endpoint }, i) => {
    ctx.record.setPodShare(binding, shareOf(ports.guest, endpoint));
    const config: GuestNicConfig = {
      nicId: binding.nicId,
      endpointId: binding.endpointId,
      namespaceId: ctx.record.namespaceId,
      endpoint,
      policyBasedRouting: ctx.record.policyBasedRouting,
    };
    let failed = false;
    // Unguarded, the step is the call itself (no extra turns that would
    // let the engine start another step before a failure stops it).
    const step = (run: () => Promise<void>) =>
      guard
        ? async () => {
          if (failed) return;
          try {
            await run();
          } catch (error) {
            failed = true;
            throw error;
          }
        }
        : run;
    const prepare = plan.add(
      "guest",
      g + (i < w ? i : w + 1 + 2 * (i - w)),
      step(() =>
        runner.change(
          "guest-prepare",
          { binding, step: "guest-prepare" },
          () => ports.guest.prepare(config, call),
        )
      ),
    );
    const vmNic = {
      nicId: binding.nicId,
      endpointId: binding.endpointId,
      ...(binding.macAddress === undefined ? {} : { macAddress: binding.macAddress }),
    };
    const add = plan.add(
      "host",
      h + i,
      step(() => {
        const added = runner.change(
          "vm-add",
          { binding, step: "vm-add" },
          () => ports.vm.addNic(vmNic, call).then(() => true),
        );
        const iov = binding.iov;
        if (iov === undefined || iov.progress === "done") return added;
        return added.then(() => applyIov(ctx, binding, iov.settings));
      }),
      [prepare],
    );
    previousAttach = plan.add(
      "guest",
      g + w + 2 + 2 * i,
      step(() =>
        runner.change(
          "guest-attach",
          { binding, step: "guest-attach" },
          () => ports.guest.attach(config, call).then(() => true),
        )
      ),
      [add, previousAttach, nsAdd],
    );
  });
}
