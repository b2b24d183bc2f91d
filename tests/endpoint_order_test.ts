import assert from "node:assert/strict";
import fc from "fast-check";
import { ethIndex, orderEndpoints, uniqueIds } from "../domain/endpoint_order.ts";
import { readFixture } from "./_fakes/fake_ports.ts";

function byIds(fixture: Awaited<ReturnType<typeof readFixture>>) {
  const ids = uniqueIds(
    (fixture.namespace.Resources as { Type: string; Data: { ID: string } }[])
      .filter((r) => r.Type === "Endpoint").map((r) => r.Data.ID),
  );
  return ids.map((id) => {
    const e = fixture.endpoints.find((x) => x.ID === id);
    assert.ok(e, `fixture lists endpoint ${id}`);
    return { id, name: e.Name ?? "" };
  });
}

Deno.test("pod-3nic fixture orders eth0, eth1, eth2", async () => {
  const fixture = await readFixture("pod-3nic");
  const names = orderEndpoints(byIds(fixture)).map((e) => e.name);
  assert.deepEqual(names, ["4f1d0c2b9a7e_eth0", "4f1d0c2b9a7e_eth1", "4f1d0c2b9a7e_eth2"]);
});

Deno.test("pod-names fixture gives its expectedOrder (duplicates dropped)", async () => {
  const fixture = await readFixture("pod-names");
  const order = orderEndpoints(byIds(fixture)).map((e) => e.id);
  assert.deepEqual(order, fixture.expectedOrder);
});

Deno.test("ethIndex: separator rule, case and digits", () => {
  assert.equal(ethIndex("abc_eth0"), "0");
  assert.equal(ethIndex("abc-eth1"), "1");
  assert.equal(ethIndex("eth3"), "3");
  assert.equal(ethIndex("pod7_ETH0"), "0");
  assert.equal(ethIndex("a.eth007"), "7");
  assert.equal(ethIndex("pod7-veth0"), undefined, "veth0 does not name eth0");
  assert.equal(ethIndex("x2eth0"), undefined, "a digit before eth is not a separator");
  assert.equal(ethIndex("abc_eth"), undefined);
  assert.equal(ethIndex("abc_eth0x"), undefined);
  assert.equal(ethIndex("mgmt"), undefined);
  assert.equal(ethIndex(""), undefined);
});

Deno.test("eth10 sorts after eth2, numerically", () => {
  const order = orderEndpoints([{ name: "p_eth10" }, { name: "p_eth2" }, { name: "p_eth1" }]);
  assert.deepEqual(order.map((e) => e.name), ["p_eth1", "p_eth2", "p_eth10"]);
});

Deno.test("huge ethN compare exactly (beyond 2^53)", () => {
  const order = orderEndpoints([
    { name: "a_eth90071992547409930" },
    { name: "a_eth90071992547409921" },
    { name: "a_eth9" },
  ]);
  assert.deepEqual(order.map((e) => e.name), [
    "a_eth9",
    "a_eth90071992547409921",
    "a_eth90071992547409930",
  ]);
});

Deno.test("names without ethN keep HNS order after the ethN ones; ties keep HNS order", () => {
  const input = [
    { name: "zeta", k: 1 },
    { name: "x_eth1", k: 2 },
    { name: "alpha", k: 3 },
    { name: "y-eth1", k: 4 },
    { name: "z_eth01", k: 5 },
    { name: "q_eth0", k: 6 },
  ];
  assert.deepEqual(orderEndpoints(input).map((e) => e.k), [6, 2, 4, 5, 1, 3]);
});

Deno.test("orderEndpoints does not modify its input", () => {
  const input = [{ name: "b_eth1" }, { name: "a_eth0" }];
  const copy = structuredClone(input);
  orderEndpoints(input);
  assert.deepEqual(input, copy);
});

Deno.test("uniqueIds keeps first positions", () => {
  assert.deepEqual(uniqueIds(["b", "a", "b", "c", "a"]), ["b", "a", "c"]);
});

const nameArb = fc.oneof(
  fc.string({ maxLength: 8 }),
  fc.tuple(
    fc.constantFrom("", "p_", "p-", "x", "v", "A."),
    fc.constantFrom("eth", "ETH", "Eth"),
    fc.nat(30),
  )
    .map(([p, e, n]) => `${p}${e}${n}`),
);

Deno.test("property: ordering is a stable, total sort (permutation, sorted, ties in input order)", () => {
  fc.assert(
    fc.property(fc.array(nameArb, { maxLength: 20 }), (names) => {
      const input = names.map((name, i) => ({ name, i }));
      const out = orderEndpoints(input);
      assert.deepEqual([...out].sort((a, b) => a.i - b.i), input, "a permutation");
      const key = (e: { name: string }) => {
        const n = ethIndex(e.name);
        return n === undefined ? Infinity : Number(n);
      };
      for (let j = 1; j < out.length; j++) {
        const a = out[j - 1], b = out[j];
        assert.ok(a && b);
        assert.ok(key(a) <= key(b), "sorted by N, non-ethN last");
        if (key(a) === key(b)) assert.ok(a.i < b.i, "ties keep input order");
      }
    }),
  );
});

Deno.test("property: ordering is idempotent and independent of unrelated entries", () => {
  fc.assert(
    fc.property(fc.array(nameArb, { maxLength: 15 }), (names) => {
      const once = orderEndpoints(names.map((name) => ({ name })));
      assert.deepEqual(orderEndpoints(once), once);
    }),
  );
});
