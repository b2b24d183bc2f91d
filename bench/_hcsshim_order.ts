/**
 * The reference for the pipeline benchmarks: the same ports driven in the
 * order of hcsshim's network controller (internal/controller/network), one
 * NIC at a time. Setup reads the namespace, then each endpoint in turn,
 * moves a name ending in "eth0" first, adds the guest namespace, then per
 * NIC: guest pre-add, host hot-add, guest add. Teardown per NIC: guest
 * remove, host hot-remove; then the guest namespace.
 *
 * Written here from hcsshim's documented behaviour; it records nothing and
 * undoes nothing on failure (the benchmarks run without faults).
 */
import type { GuestNicConfig } from "../ports/guest_network.ts";
import type { HostEndpoint, HostNamespace } from "../ports/host_network.ts";
import type { NetworkPorts } from "../ports/network_ports.ts";

/** What the reference setup bound, for its teardown. */
export interface ReferencePod {
  readonly namespace: HostNamespace;
  readonly nics: { readonly nicId: string; readonly endpoint: HostEndpoint }[];
}

/** hcsshim's setup order over `ports`. */
export async function referenceSetup(
  ports: NetworkPorts,
  namespaceId: string,
): Promise<ReferencePod> {
  const namespace = await ports.host.getNamespace(namespaceId);
  const endpoints: HostEndpoint[] = [];
  for (const id of namespace.endpointIds) endpoints.push(await ports.host.getEndpoint(id));
  // hcsshim's order: a name ending in eth0 first, the rest as HNS listed them.
  const ordered = [
    ...endpoints.filter((e) => e.name.endsWith("eth0")),
    ...endpoints.filter((e) => !e.name.endsWith("eth0")),
  ];
  await ports.guest.addNamespace({ id: namespace.id, document: namespace.document });
  const nics: ReferencePod["nics"] = [];
  for (const endpoint of ordered) {
    const nicId = crypto.randomUUID(); // hcsshim makes a random NIC ID per endpoint
    const config: GuestNicConfig = {
      nicId,
      endpointId: endpoint.id,
      namespaceId: namespace.id,
      endpoint,
      policyBasedRouting: false,
    };
    await ports.guest.prepare(config);
    await ports.vm.addNic({
      nicId,
      endpointId: endpoint.id,
      ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
    });
    nics.push({ nicId, endpoint });
    await ports.guest.attach(config);
  }
  return { namespace, nics };
}

/** hcsshim's teardown order over `ports`. */
export async function referenceTeardown(ports: NetworkPorts, pod: ReferencePod): Promise<void> {
  for (const { nicId, endpoint } of pod.nics) {
    await ports.guest.detach({ nicId, endpointId: endpoint.id, namespaceId: pod.namespace.id });
    await ports.vm.removeNic({
      nicId,
      endpointId: endpoint.id,
      ...(endpoint.macAddress === undefined ? {} : { macAddress: endpoint.macAddress }),
    });
  }
  await ports.guest.removeNamespace({ id: pod.namespace.id, document: pod.namespace.document });
}
