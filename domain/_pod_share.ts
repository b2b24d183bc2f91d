/**
 * The guest's check of the pod as a whole (`GuestNetwork.podShare` and
 * `checkPod`): each endpoint's share of what the guest merges for the pod
 * (the Linux guest: search domains) is kept with its binding when the NIC is
 * planned, so adding a NIC later checks the pod without reading every other
 * endpoint again; only bindings restored from a record are read for it.
 *
 * @module
 */
import type { OperationContext } from "./_operation_context.ts";
import { settleAll, unlessGone } from "./_settle.ts";
import type { EndpointShare, GuestNetwork } from "../ports/guest_network.ts";
import type { HostEndpoint } from "../ports/host_network.ts";

/** Whether the guest checks the pod as a whole (it has both methods). */
function checks(guest: GuestNetwork): boolean {
  return guest.podShare !== undefined && guest.checkPod !== undefined;
}

/** An endpoint's share, or undefined when the guest checks no pod. */
export function shareOf(
  guest: GuestNetwork,
  endpoint: HostEndpoint,
): readonly string[] | undefined {
  return checks(guest) ? guest.podShare?.(endpoint) : undefined;
}

/** Lets the guest refuse the pod these endpoints make up together. */
export function checkPodEndpoints(guest: GuestNetwork, endpoints: readonly HostEndpoint[]): void {
  if (!checks(guest)) return;
  checkPodShares(
    guest,
    endpoints.map((e) => ({ endpointId: e.id, share: shareOf(guest, e) ?? [] })),
  );
}

/** Lets the guest refuse the pod these shares make up together. */
export function checkPodShares(guest: GuestNetwork, pod: readonly EndpointShare[]): void {
  if (checks(guest)) guest.checkPod?.(pod);
}

/**
 * The shares of the pod's NICs but `except`'s: kept ones as they are, the
 * others (bindings restored from a record) read afresh and kept from then
 * on; an endpoint gone meanwhile is left out. Reads nothing when the guest
 * checks no pod.
 */
export async function heldShares(
  ctx: OperationContext,
  except: string,
): Promise<EndpointShare[]> {
  const { ports, runner, record } = ctx;
  const guest = ports.guest;
  if (!checks(guest)) return [];
  const call = { signal: ctx.signal };
  const shares = record.bindings().filter((b) => b.endpointId !== except).map(async (b) => {
    if (b.podShare !== undefined) return { endpointId: b.endpointId, share: b.podShare };
    const endpoint = await unlessGone(runner.read(
      "read-endpoint",
      { endpointId: b.endpointId },
      () => ports.host.getEndpoint(b.endpointId, call),
    ));
    if (endpoint === undefined) return undefined;
    const share = shareOf(guest, endpoint) ?? [];
    record.setPodShare(b, share);
    return { endpointId: b.endpointId, share };
  });
  return (await settleAll(shares)).filter((s): s is EndpointShare => s !== undefined);
}
