import assert from "node:assert/strict";
import fc from "fast-check";
import { deriveNicId, NIC_ID_NAMESPACE } from "../domain/nic_id.ts";
import { isCanonicalGuid } from "../domain/guid.ts";
import { v5 } from "uuid";

const EP = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";

Deno.test("NIC IDs are v5 UUIDs of pod and endpoint, stable across calls", () => {
  const id = deriveNicId("pod-a", EP);
  assert.ok(isCanonicalGuid(id));
  assert.equal(id[14], "5", "version 5");
  assert.match(id[19] ?? "", /[89ab]/, "RFC 4122 variant");
  assert.equal(deriveNicId("pod-a", EP), id);
  assert.equal(id, v5(`pod-a/${EP}`, NIC_ID_NAMESPACE));
});

Deno.test("NIC IDs differ from the endpoint ID and between pods and endpoints", () => {
  const a = deriveNicId("pod-a", EP);
  assert.notEqual(a, EP);
  assert.notEqual(a, deriveNicId("pod-b", EP));
  assert.notEqual(a, deriveNicId("pod-a", "b1e2c3d4-0001-4a5b-8c6d-7e8f9a0b1c2d"));
});

Deno.test("endpoint ID case does not change the NIC ID", () => {
  assert.equal(deriveNicId("p", EP.toUpperCase()), deriveNicId("p", EP));
});

Deno.test("property: distinct (pod, endpoint) pairs give distinct NIC IDs", () => {
  fc.assert(
    fc.property(fc.string({ minLength: 1 }), fc.string({ minLength: 1 }), fc.uuid(), (p, q, e) => {
      fc.pre(p !== q);
      assert.notEqual(deriveNicId(p, e), deriveNicId(q, e));
    }),
  );
});

Deno.test("property: NIC IDs are exactly uuid's v5 of pod and endpoint, for any text", () => {
  fc.assert(
    fc.property(fc.string({ unit: "binary", maxLength: 200 }), fc.uuid(), (pod, endpoint) => {
      const expected = v5(`${pod}/${endpoint.toLowerCase()}`, NIC_ID_NAMESPACE);
      assert.equal(deriveNicId(pod, endpoint), expected);
    }),
    { numRuns: 2000 },
  );
});
