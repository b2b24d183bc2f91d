/**
 * `deno task demo --timeline`: after setup and after teardown, a waterfall
 * of the steps, host and guest steps told apart.
 */
import assert from "node:assert/strict";
import { runDemo } from "../adapters/cli/demo.ts";

Deno.test("demo --timeline draws a waterfall after setup and after teardown", async () => {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDemo(["--guest", "wcow", "--timeline"], {
    out: (l) => out.push(l),
    err: (l) => err.push(l),
  });
  assert.equal(code, 0, err.join("\n"));
  const text = out.join("\n");
  const heads = out.filter((l) => l.startsWith("timeline ("));
  assert.equal(heads.length, 2, "one after setup, one after teardown");
  assert.match(text, /^ {2}vm-add \S+ +\|[ ]*=+[ ]*\| [\d.]+ ms done$/m, "a host bar");
  assert.match(text, /^ {2}guest-attach \S+ +\|[ ]*#+[ ]*\| [\d.]+ ms done$/m, "a guest bar");
  assert.match(text, /^ {2}read-namespace +\|[ ]*-+[ ]*\|/m, "a read bar");
  assert.match(text, /^leftovers: VM NICs 0, guest adapters 0, guest namespaces 0/m);
});
