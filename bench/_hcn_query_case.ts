/**
 * The HCN query round trip the FFI benchmarks measure: the fixture's eth0
 * padded to about 1 KB, and a query of about 300 bytes that selects it.
 *
 * @module
 */
import { type PodFixture, readFixture } from "../tests/native/standins.ts";

/** The endpoint queried: the fixture's eth0. */
export const EP0 = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

/** The host data and the query of the round trip. */
export interface HcnQueryCase {
  /** The fixture, with its namespace, to load into a host. */
  readonly fixture: PodFixture;
  /** eth0's document, padded to about 1 KB: what the query returns. */
  readonly endpoint: PodFixture["endpoints"][number];
  /** The query sent (about 300 bytes). */
  readonly query: string;
  /** The length of the returned document, in characters. */
  readonly outBytes: number;
}

/** Builds the case from `adapters/sim/fixtures/pod-3nic.json`; throws when the sizes drift. */
export async function hcnQueryCase(): Promise<HcnQueryCase> {
  const fixture = await readFixture();
  const source = fixture.endpoints.find((e) => e.ID === EP0);
  if (source === undefined) throw new Error("the fixture lacks eth0");
  const endpoint = {
    ...source,
    Policies: [
      ...(Array.isArray(source.Policies) ? source.Policies : []),
      { Type: "ACL", Settings: { Protocols: "6", Action: "Allow", RemoteAddresses: "10.0.0.0/8" } },
    ],
  };
  const query = JSON.stringify({
    SchemaVersion: { Major: 2, Minor: 0 },
    Flags: 0,
    Filter: JSON.stringify({
      ID: EP0,
      HostComputeNamespace: fixture.namespace.ID,
      HostComputeNetwork: "aa11bb22-cc33-4d44-8e55-ff6677889900",
      Name: "4f1d0c2b9a7e_eth0",
      MacAddress: "00-15-5D-52-C0-0A",
    }),
  });
  const outBytes = JSON.stringify(endpoint).length;
  if (query.length < 250 || query.length > 350 || outBytes < 900 || outBytes > 1200) {
    throw new Error(`sizes drifted: ${query.length} bytes in, ${outBytes} bytes out`);
  }
  return { fixture, endpoint, query, outBytes };
}
