import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { z } from "zod";
import {
  COMPILE_AFTER,
  compiledSchema,
  compilePendingSchemas,
  uncompiledSchemas,
} from "../adapters/_compiled_schema.ts";
// The modules whose schemas run on every call (compiled on first use).
import "../adapters/hcn/_schemas.ts";
import "../adapters/sim/_documents.ts";
import "../adapters/sim/_hcn_query.ts";

const ROOT = fileURLToPath(new URL("../", import.meta.url));

Deno.test("every schema checked on each call has its generated fast path here", () => {
  compilePendingSchemas();
  assert.deepEqual(uncompiledSchemas, []);
});

Deno.test("a compiled schema accepts and refuses what the schema does, with the same issues", () => {
  const schema = z.looseObject({ ID: z.string().min(1), Count: z.int().min(0).nullish() });
  const fast = compiledSchema("test schema", schema);
  assert.notEqual(fast, schema, "compiled into a new schema");
  for (const input of [{ ID: "a", Count: 2, Other: true }, { ID: "" }, { Count: -1 }, "x"]) {
    const slow = schema.safeParse(input);
    const quick = fast.safeParse(input);
    assert.equal(quick.success, slow.success, JSON.stringify(input));
    assert.deepEqual(quick.data, slow.data);
    assert.deepEqual(quick.error?.issues, slow.error?.issues);
  }
  assert.deepEqual(uncompiledSchemas, []);
});

Deno.test("a schema is parsed the slow way until it has been used enough, then compiled", () => {
  // A schema with a reference cycle: zod cannot compile it, so the attempt shows.
  type Tree = { children: Tree[] };
  const tree: z.ZodType<Tree> = z.object({ children: z.array(z.lazy(() => tree)) });
  const lazy = compiledSchema("test tree", tree);
  for (let i = 0; i < COMPILE_AFTER; i++) {
    assert.equal(lazy.safeParse({ children: [{ children: [] }] }).success, true);
  }
  assert.ok(!uncompiledSchemas.includes("test tree"), "not compiled before it paid off");
  assert.equal(lazy.safeParse({ children: [1] }).success, false);
  assert.ok(uncompiledSchemas.includes("test tree"), "compiled (and refused) on the next parse");
  assert.deepEqual(lazy.parse({ children: [] }), { children: [] });
  uncompiledSchemas.splice(uncompiledSchemas.indexOf("test tree"), 1);
});

Deno.test({
  name: "where code cannot be generated from strings, the schemas run the slow way and a pod " +
    "still sets up and tears down",
  async fn() {
    const script = `
      import { createPorts, NetworkController } from "./mod.ts";
      import { SimulatedHost } from "./sim.ts";
      import { compilePendingSchemas, uncompiledSchemas } from "./adapters/_compiled_schema.ts";
      compilePendingSchemas();
      const fixture = JSON.parse(await Deno.readTextFile("adapters/sim/fixtures/pod-3nic.json"));
      const host = new SimulatedHost({ guest: "lcow" });
      host.loadFixture(fixture);
      let bound = 0;
      {
        using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: "lcow" });
        const c = new NetworkController({ podId: "p", namespaceId: fixture.namespace.ID }, ports);
        await c.setup();
        bound = c.bindings.length;
        await c.teardown();
      }
      console.log(JSON.stringify({ bound, clean: host.isClean(), slow: uncompiledSchemas.length }));
    `;
    const out = await new Deno.Command(Deno.execPath(), {
      args: [
        "eval",
        "--ext=ts",
        "--v8-flags=--disallow-code-generation-from-strings",
        script,
      ],
      cwd: ROOT,
      stdout: "piped",
      stderr: "piped",
      env: { NO_COLOR: "1" },
    }).output();
    const stderr = new TextDecoder().decode(out.stderr);
    assert.equal(out.code, 0, stderr);
    const result = JSON.parse(new TextDecoder().decode(out.stdout).trim());
    assert.equal(result.bound, 3);
    assert.equal(result.clean, true);
    assert.ok(result.slow > 0, "the schemas fell back to zod's runtime parser");
  },
});
