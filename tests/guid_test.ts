import assert from "node:assert/strict";
import { isCanonicalGuid, normalizeGuid } from "../domain/guid.ts";

const G = "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b";

Deno.test("normalizeGuid: case and paired braces are tolerated", () => {
  assert.equal(normalizeGuid(G), G);
  assert.equal(normalizeGuid(G.toUpperCase()), G);
  assert.equal(normalizeGuid(`{${G.toUpperCase()}}`), G);
});

Deno.test("normalizeGuid: anything else is not a GUID", () => {
  for (
    const bad of [
      "",
      `{${G}`,
      `${G}}`,
      `{{${G}}}`,
      ` ${G}`,
      `${G} `,
      `${G}\n`,
      G.replaceAll("-", ""),
      G.slice(0, -1),
      `${G}0`,
      G.replace("6", "g"),
      "../../etc",
    ]
  ) {
    assert.equal(normalizeGuid(bad), undefined, JSON.stringify(bad));
  }
});

Deno.test("isCanonicalGuid only for lower case without braces", () => {
  assert.ok(isCanonicalGuid(G));
  assert.ok(!isCanonicalGuid(G.toUpperCase()));
  assert.ok(!isCanonicalGuid(`{${G}}`));
});
