/**
 * The `vm-update` step: applies a NIC's SR-IOV settings with an HCS modify
 * of `RequestType: "Update"` (no guest request: the Linux guest agent
 * refuses network updates). The settings are recorded with the binding,
 * `pending` before the call; a definitive failure puts back what was
 * recorded before.
 *
 * @module
 */
import { InvalidArgumentError } from "./errors.ts";
import type { IovSettings } from "./iov.ts";
import type { OperationContext } from "./_operation_context.ts";
import type { BindingRecord } from "./_pod_record.ts";

/** Applies `settings` to the binding's NIC, recording them. */
export function applyIov(
  ctx: OperationContext,
  binding: BindingRecord,
  settings: IovSettings,
): Promise<void> {
  const vm = ctx.ports.vm;
  const call = { signal: ctx.signal };
  return ctx.runner.change("vm-update", { binding, iov: settings }, async () => {
    if (vm.updateNic === undefined) {
      throw new InvalidArgumentError("ports.vm", "cannot update NICs (no updateNic method)");
    }
    await vm.updateNic(
      {
        nicId: binding.nicId,
        endpointId: binding.endpointId,
        ...(binding.macAddress === undefined ? {} : { macAddress: binding.macAddress }),
      },
      settings,
      call,
    );
    return true;
  });
}
