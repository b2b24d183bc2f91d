/**
 * A pod fixture of any size: one namespace and `n` endpoints named
 * `<container>_eth<i>`, listed in a shuffled order (HNS lists endpoints in no
 * meaningful order), each with an address, a route, DNS and an encapsulation
 * policy like the sample data in adapters/sim/fixtures.
 */

/** A generated fixture, in the simulated host's fixture format. */
export interface GeneratedFixture {
  readonly namespace:
    & { ID: string; Resources: { Type: string; Data: { ID: string } }[] }
    & Record<
      string,
      unknown
    >;
  readonly endpoints: ({ ID: string; Name: string } & Record<string, unknown>)[];
}

function hex(n: number, width: number): string {
  return n.toString(16).padStart(width, "0");
}

/** `n` endpoints (1..4096), shuffled by `seed`. */
export function podFixture(n: number, seed = 1): GeneratedFixture {
  const ns = "5e5e5e5e-0000-4000-8000-000000000000";
  const ids = Array.from({ length: n }, (_, i) => `ebeb${hex(i, 4)}-0000-4000-8000-000000000000`);
  // A small linear congruential shuffle: the same order for the same seed.
  const order = ids.map((_, i) => i);
  let s = seed >>> 0;
  for (let i = order.length - 1; i > 0; i--) {
    s = (Math.imul(s, 1664525) + 1013904223) >>> 0;
    const j = s % (i + 1);
    [order[i], order[j]] = [order[j] as number, order[i] as number];
  }
  const endpoints = ids.map((ID, i) => ({
    ID,
    Name: `c0ffee${hex(seed, 6)}_eth${i}`,
    HostComputeNetwork: "aa11bb22-cc33-4d44-8e55-ff6677889900",
    HostComputeNamespace: ns,
    MacAddress: `00-15-5D-${hex(i >> 8, 2)}-${hex(i & 0xff, 2)}-0A`.toUpperCase(),
    IpConfigurations: [{ IpAddress: `10.${i >> 8}.${i & 0xff}.5`, PrefixLength: 24 }],
    Dns: { Domain: "svc.cluster.local", Search: ["cluster.local"], ServerList: ["10.0.0.10"] },
    Routes: [{ NextHop: `10.${i >> 8}.${i & 0xff}.1`, DestinationPrefix: "0.0.0.0/0", Metric: i }],
    Policies: [{ Type: "EncapOverhead", Settings: { Overhead: 50 } }],
    SchemaVersion: { Major: 2, Minor: 0 },
  }));
  return {
    namespace: {
      ID: ns,
      NamespaceId: 9,
      Type: "Host",
      Resources: order.map((i) => ({ Type: "Endpoint", Data: { ID: ids[i] as string } })),
      SchemaVersion: { Major: 2, Minor: 0 },
    },
    endpoints: order.map((i) => endpoints[i] as (typeof endpoints)[number]),
  };
}
