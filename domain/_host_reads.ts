/**
 * Reading what the pod's NICs come from: the HCN namespace, then its
 * endpoints concurrently, in eth order. Every read has settled when this
 * settles, so none outlives the operation; the first failure is thrown.
 * The adapter validates each document as it is read, so bad host data stops
 * the operation before the VM is touched.
 *
 * @module
 */
import { orderEndpoints, uniqueIds } from "./endpoint_order.ts";
import type { OperationContext } from "./_operation_context.ts";
import type { HostEndpoint, HostNamespace } from "../ports/host_network.ts";

/** A namespace and its endpoints, eth0 first. */
export interface HostView {
  readonly namespace: HostNamespace;
  readonly endpoints: readonly HostEndpoint[];
}

/** Reads the namespace and its endpoints. */
export async function readHost(ctx: OperationContext, namespaceId: string): Promise<HostView> {
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
  const settled = await Promise.allSettled(reads);
  const endpoints: HostEndpoint[] = [];
  for (const r of settled) {
    if (r.status === "rejected") throw r.reason;
    endpoints.push(r.value);
  }
  return { namespace, endpoints: orderEndpoints(endpoints) };
}
