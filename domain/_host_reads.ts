/**
 * Reading what the pod's NICs come from: the HCN namespace, then its
 * endpoints concurrently, in eth order. Every read has settled when this
 * settles, so none outlives the operation; the first failure is thrown.
 * The adapter validates each document as it is read, and the guest adapter
 * the pod's endpoints together (`checkPod`), so bad host data stops the
 * operation before the VM is touched.
 *
 * @module
 */
import { orderEndpoints, uniqueIds } from "./endpoint_order.ts";
import type { OperationContext } from "./_operation_context.ts";
import { checkPodEndpoints } from "./_pod_share.ts";
import { settleAll } from "./_settle.ts";
import type { HostEndpoint, HostNamespace } from "../ports/host_network.ts";

/** A namespace and its endpoints, eth0 first. */
export interface HostView {
  readonly namespace: HostNamespace;
  readonly endpoints: readonly HostEndpoint[];
  /**
   * Settles when the VM and guest ports are connected (they connect while
   * the host is read); never rejects. The operation awaits it before it ends.
   */
  readonly connected: Promise<void>;
}

/**
 * Reads the namespace and its endpoints, while the VM and guest ports get
 * ready (open their handle, read capabilities) so the first step that
 * changes the VM need not wait for that.
 */
export async function readHost(ctx: OperationContext, namespaceId: string): Promise<HostView> {
  const connected = connectAhead(ctx);
  try {
    return { ...await read(ctx, namespaceId), connected };
  } catch (error) {
    await connected;
    throw error;
  }
}

/**
 * Connects the VM and guest ports; a failure is left to the step that needs
 * them. Not cut off by the operation's signal: a connection half made would
 * outlive the operation (each port bounds it by its own time limit).
 */
function connectAhead(ctx: OperationContext): Promise<void> {
  const { vm, guest } = ctx.ports;
  const call = {};
  const quietly = (p: Promise<void> | undefined) =>
    p?.catch((error: unknown) => {
      ctx.runner.log.debug("Cannot connect ahead; the steps will try again", { error });
    });
  return Promise.all([quietly(vm.connect?.(call)), quietly(guest.connect?.(call))]).then(
    () => undefined,
  );
}

async function read(
  ctx: OperationContext,
  namespaceId: string,
): Promise<Omit<HostView, "connected">> {
  const { ports, runner, signal } = ctx;
  const call = { signal };
  const namespace = await runner.read(
    "read-namespace",
    {},
    () => ports.host.getNamespace(namespaceId, call),
  );
  const reads = uniqueIds(namespace.endpointIds).map((endpointId) =>
    runner.read(
      "read-endpoint",
      { endpointId },
      () => ports.host.getEndpoint(endpointId, call),
    )
  );
  const ordered = orderEndpoints(await settleAll(reads));
  checkPodEndpoints(ports.guest, ordered);
  return { namespace, endpoints: ordered };
}
