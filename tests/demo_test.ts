import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { type DemoReport, FAILABLE_STEPS, runDemo } from "../adapters/cli/demo.ts";
import { deriveNicId } from "../domain/nic_id.ts";

async function demo(args: string[]) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runDemo(args, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join("\n"), err: err.join("\n") };
}

const EMPTY = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };

for (const guest of ["lcow", "wcow"]) {
  Deno.test(`demo --json --guest ${guest}: eth0..eth2 with v5 NIC IDs, nothing left`, async () => {
    const r = await demo(["--json", "--guest", guest]);
    assert.equal(r.code, 0, r.err);
    const report: DemoReport = JSON.parse(r.out);
    assert.equal(report.guest, guest);
    assert.deepEqual(report.bindings.map((b) => b.endpointName.replace(/^.*_/, "_")), [
      "_eth0",
      "_eth1",
      "_eth2",
    ]);
    assert.deepEqual(report.bindings.map((b) => b.guestName), ["eth0", "eth1", "eth2"]);
    for (const b of report.bindings) {
      assert.equal(b.nicId, deriveNicId(report.podId, b.endpointId));
      assert.equal(b.nicId[14], "5");
    }
    assert.deepEqual(report.leftovers, EMPTY);
    assert.deepEqual(report.transitions.map((t) => t.to), ["Configured", "TornDown"]);
    assert.ok(report.trace.some((t) => t.op === "vm.add-nic"));
    assert.equal(report.error, undefined);
  });
}

Deno.test("demo (human): shows the NIC/endpoint pivot, guest phases, states and leftovers", async () => {
  const r = await demo(["--guest", "wcow"]);
  assert.equal(r.code, 0, r.err);
  assert.match(
    r.out,
    /NIC [0-9a-f-]{36} <-> endpoint b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d \(4f1d0c2b9a7e_eth0\)/,
  );
  assert.match(r.out, /guest-prepare\s+done/);
  assert.match(r.out, /state: NotConfigured -> Configured \(setup\)/);
  assert.match(
    r.out,
    /eth0 {2}4f1d0c2b9a7e_eth0[\s\S]*eth1 {2}4f1d0c2b9a7e_eth1[\s\S]*eth2 {2}4f1d0c2b9a7e_eth2/,
  );
  assert.match(r.out, /leftovers: VM NICs 0, guest adapters 0, guest namespaces 0, open handles 0/);
});

for (
  const [step, guest] of [
    ["vm-add", "lcow"],
    ["guest-attach", "lcow"],
    ["guest-prepare", "wcow"],
    ["read-endpoint", "lcow"],
    ["vm-remove", "wcow"],
    ["guest-detach", "lcow"],
    ["guest-namespace-remove", "wcow"],
  ] as const
) {
  Deno.test(`demo --fail ${step} (${guest}): non-zero, clear message, nothing left`, async () => {
    assert.ok(step in FAILABLE_STEPS);
    const r = await demo(["--json", "--guest", guest, "--fail", step]);
    assert.equal(r.code, 1);
    assert.match(r.err, /^demo: Cannot (set up|tear down) the network of pod demo-pod/);
    const report: DemoReport = JSON.parse(r.out);
    assert.deepEqual(report.leftovers, EMPTY);
    assert.ok(report.error);
    assert.match(report.error.message, /injected by --fail/);
    assert.equal(report.transitions.at(-1)?.to, "TornDown");
  });
}

Deno.test("demo --fail vm-add:2 rolls back the first NIC and says each failure once", async () => {
  const r = await demo(["--verbose", "--fail", "vm-add:2"]);
  assert.equal(r.code, 1);
  assert.match(r.out, /rolling back what setup did/);
  assert.match(r.out, /vm-remove\s+done/);
  assert.match(r.err, /rolled back/);
  const all = r.out + r.err;
  assert.equal(all.match(/injected by --fail/g)?.length, 1, "the injected failure, once");
  assert.equal(all.match(/Cannot set up the network/g)?.length, 1, "setup's failure, once");
  assert.doesNotMatch(all, /\[ERR\]|\[ERROR\]/, "nothing the library throws is logged at error");
});

Deno.test("demo --verbose --log-format json: every stderr line is one JSON log record", async () => {
  const r = await demo(["--json", "--verbose", "--log-format", "json"]);
  assert.equal(r.code, 0, r.err);
  const lines = r.err.split("\n").filter((l) => l.trim() !== "");
  assert.ok(lines.length > 0, "some records were logged");
  for (const line of lines) {
    const record = JSON.parse(line);
    assert.equal(typeof record, "object");
  }
  assert.equal(JSON.parse(r.out).error, undefined, "stdout stays one JSON document");
});

Deno.test("demo: bad flags print usage and exit 2", async () => {
  for (
    const args of [
      ["--bogus"],
      ["--guest", "linux"],
      ["--fail", "nope"],
      ["--fail", "vm-add:0"],
      ["--fail", "guest-prepare"],
      ["--log-format", "xml"],
      ["--fixture", "/nonexistent.json"],
      ["extra"],
    ]
  ) {
    const r = await demo(args);
    assert.equal(r.code, 2, args.join(" "));
    assert.match(r.err, /^demo: /, args.join(" "));
  }
  const help = await demo(["--help"]);
  assert.equal(help.code, 0);
  assert.match(help.out, /^Usage: deno task demo/);
});

Deno.test("demo --fixture with the pod-names fixture orders by ethN", async () => {
  const path = fileURLToPath(new URL("../adapters/sim/fixtures/pod-names.json", import.meta.url));
  const r = await demo(["--json", "--fixture", path]);
  assert.equal(r.code, 0, r.err);
  const report: DemoReport = JSON.parse(r.out);
  const expected = JSON.parse(await Deno.readTextFile(path)).expectedOrder;
  assert.deepEqual(report.bindings.map((b) => b.endpointId), expected);
});

Deno.test("demo runs as a command (the deno task) and exits with its code", async () => {
  const cmd = new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      fileURLToPath(new URL("../adapters/cli/demo.ts", import.meta.url)),
      "--json",
    ],
    stdout: "piped",
    stderr: "piped",
  });
  const { code, stdout } = await cmd.output();
  assert.equal(code, 0);
  const report: DemoReport = JSON.parse(new TextDecoder().decode(stdout));
  assert.deepEqual(report.leftovers, EMPTY);
  const bad = await new Deno.Command(Deno.execPath(), {
    args: [
      "run",
      "--allow-read",
      fileURLToPath(new URL("../adapters/cli/demo.ts", import.meta.url)),
      "--nope",
    ],
    stdout: "null",
    stderr: "piped",
  }).output();
  assert.equal(bad.code, 2);
  assert.match(new TextDecoder().decode(bad.stderr), /Usage:/);
});
