/**
 * The host data a migration destination has for a pod: CNI made a new
 * namespace with new endpoints (new IDs and MAC addresses), named as on the
 * source so that eth order is the same.
 */

interface FixtureLike {
  readonly namespace: Record<string, unknown> & { readonly ID: string };
  readonly endpoints: ReadonlyArray<Record<string, unknown> & { readonly ID: string }>;
}

/** The destination's ID of a source endpoint: same GUID but for its first group. */
export function destinationEndpointId(sourceId: string): string {
  return `de57de57${sourceId.toLowerCase().slice(8)}`;
}

/** The destination's version of a source fixture, under namespace `namespaceId`. */
export function migratedFixture<F extends FixtureLike>(fixture: F, namespaceId: string): F {
  const resources = (fixture.namespace.Resources ?? []) as { Type: string; Data: { ID: string } }[];
  return {
    ...fixture,
    namespace: {
      ...fixture.namespace,
      ID: namespaceId,
      Resources: resources.map((r) =>
        r.Type === "Endpoint"
          ? { ...r, Data: { ...r.Data, ID: destinationEndpointId(r.Data.ID) } }
          : r
      ),
    },
    endpoints: fixture.endpoints.map((e) => ({
      ...e,
      ID: destinationEndpointId(e.ID),
      HostComputeNamespace: namespaceId,
      ...(typeof e.MacAddress === "string"
        ? { MacAddress: `${e.MacAddress.slice(0, 9)}AA${e.MacAddress.slice(11)}` }
        : {}),
    })),
  };
}
