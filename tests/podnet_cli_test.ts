import assert from "node:assert/strict";
import { EXIT_CODES } from "../adapters/cli/exit_codes.ts";
import { FileStore } from "../adapters/store/file_store.ts";
import { SimulatedHost } from "../sim.ts";
import { deriveNicId } from "../domain/nic_id.ts";
import {
  FIXTURE,
  leftoverFiles,
  podnet,
  type Run,
  setupFlags,
  snapshotDir,
  world,
} from "./_helpers/podnet_cli.ts";

const EMPTY = { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 };
const POD = "default/web-0";

/** One line on stderr, naming the command. */
function oneLineError(r: Run, code: number, pattern: RegExp): void {
  assert.equal(r.code, code, `exit code (stderr: ${r.err})`);
  assert.equal(r.err.split("\n").length, 1, `one line: ${r.err}`);
  assert.match(r.err, /^podnet( [a-z ]+)?: /);
  assert.match(r.err, pattern);
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`podnet (${guest}): setup, status, list, teardown, each showing its steps; nothing left`, async () => {
    const w = await world(guest);
    const setup = await podnet("setup", ...setupFlags(guest), ...w.flags);
    assert.equal(setup.code, 0, setup.err);
    // Every step as it happens: start, then how it ended, with its NIC and endpoint.
    const eth0 = deriveNicId(POD, "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
    const nicLine = `NIC ${eth0} endpoint b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d (4f1d0c2b9a7e_eth0)`;
    assert.ok(setup.out.includes(`vm-add                 start   ${nicLine}`), setup.out);
    assert.ok(setup.out.includes(`vm-add                 done    ${nicLine}`));
    assert.ok(setup.out.includes(`guest-attach           done    ${nicLine}`));
    assert.match(setup.out, /read-namespace\s+start\n\s+read-namespace\s+done/);
    assert.match(setup.out, /state NotConfigured -> Configured \(setup\)/);

    const status = await podnet("status", "--pod", POD, "--json", ...w.flags);
    assert.equal(status.code, 0, status.err);
    const view = JSON.parse(status.out);
    assert.equal(view.state, "Configured");
    assert.equal(view.operation, null);
    assert.equal(view.vmId, "podnet-uvm-1");
    assert.equal(view.guest, guest);
    assert.deepEqual(
      view.bindings.map((b: { guestName: string; endpointName: string }) => [
        b.guestName,
        b.endpointName,
      ]),
      [["eth0", "4f1d0c2b9a7e_eth0"], ["eth1", "4f1d0c2b9a7e_eth1"], [
        "eth2",
        "4f1d0c2b9a7e_eth2",
      ]],
    );
    assert.equal(view.bindings[0].nicId, eth0);

    const list = await podnet("list", "--json", ...w.flags);
    assert.deepEqual(JSON.parse(list.out), {
      pods: [{
        podId: POD,
        state: "Configured",
        operation: null,
        vmId: "podnet-uvm-1",
        guest,
        nics: 3,
      }],
    });
    const human = await podnet("list", ...w.flags);
    assert.equal(human.out, `${POD}  Configured  VM podnet-uvm-1 ${guest.toUpperCase()}  3 NICs`);

    const teardown = await podnet("teardown", "--pod", POD, ...w.flags);
    assert.equal(teardown.code, 0, teardown.err);
    assert.ok(teardown.out.includes(`guest-detach           done    ${nicLine}`));
    assert.ok(teardown.out.includes(`vm-remove              done    ${nicLine}`));
    assert.match(teardown.out, /torn down, nothing left on record/);

    const inventory = await podnet("sim", "inventory", "--json", "--sim-state", w.simState);
    assert.deepEqual(JSON.parse(inventory.out), EMPTY);
    assert.deepEqual(JSON.parse((await podnet("list", "--json", ...w.flags)).out), { pods: [] });
    assert.deepEqual(await leftoverFiles(w.stateDir), []);
    await w.remove();
  });
}

Deno.test("podnet --json: exactly one JSON document on stdout, whatever happens", async () => {
  const w = await world("wcow");
  const runs: Run[] = [
    await podnet("setup", ...setupFlags("wcow"), ...w.flags, "--json"),
    await podnet("status", "--json", ...w.flags),
    await podnet("setup", ...setupFlags("wcow"), ...w.flags, "--json"), // exit 2: a record exists
    await podnet("setup", "--json", "--nonsense"),
    await podnet(
      "teardown",
      "--pod",
      POD,
      ...w.flags,
      "--json",
      "--verbose",
      "--log-format",
      "json",
    ),
    await podnet("sim", "inventory", "--json", "--sim-state", w.simState),
    await podnet("nope", "--json"),
  ];
  assert.deepEqual(runs.map((r) => r.code), [0, 0, 2, 2, 0, 0, 2]);
  for (const r of runs) {
    const doc = JSON.parse(r.out); // throws unless stdout is one JSON document
    assert.equal(typeof doc, "object");
  }
  assert.equal(JSON.parse(runs[0]?.out ?? "").state, "Configured");
  assert.equal(JSON.parse(runs[2]?.out ?? "").error.code, "USAGE");
  // --verbose --log-format json: LogTape records on stderr, one JSON object a line.
  const logLines = (runs[4]?.err ?? "").split("\n");
  assert.ok(logLines.length > 5);
  for (const line of logLines) {
    const record = JSON.parse(line);
    assert.match(record.logger, /^podnet/);
    assert.ok(record.level && record.message);
  }
  assert.ok(logLines.some((l) => JSON.parse(l).properties?.nicId !== undefined));
  await w.remove();
});

Deno.test("podnet: bad flags are one line and exit 2, with nothing changed", async () => {
  const w = await world("lcow");
  const before = { sim: await Deno.readTextFile(w.simState), state: await snapshotDir(w.stateDir) };
  const cases: [string[], RegExp][] = [
    [["setup", "--bogus"], /Unknown option '--bogus'/],
    [["setup", ...w.flags], /--pod is required/],
    [
      ["setup", ...setupFlags("lcow").slice(0, 6), "--guest", "linux", ...w.flags],
      /--guest must be lcow or wcow/,
    ],
    [
      ["setup", "--pod", POD, "--namespace", "eth0", "--vm", "v", "--guest", "lcow", ...w.flags],
      /--namespace must be a GUID/,
    ],
    [
      ["setup", ...setupFlags("lcow"), "--timeout", "soon", ...w.flags],
      /--timeout must be a number of seconds/,
    ],
    [["setup", ...setupFlags("lcow"), "--timeout", "9999999999", ...w.flags], /--timeout/],
    [
      ["setup", ...setupFlags("lcow"), "--host-concurrency", "0", ...w.flags],
      /--host-concurrency must be an integer >= 1/,
    ],
    [
      ["setup", ...setupFlags("lcow"), "--host-concurrency", "1.5", ...w.flags],
      /--host-concurrency/,
    ],
    [
      ["setup", ...setupFlags("lcow"), "--state-dir", w.stateDir, "--host", "mars"],
      /--host must be windows or sim/,
    ],
    [
      ["setup", ...setupFlags("lcow"), "--state-dir", w.stateDir, "--host", "sim"],
      /--host sim needs --sim-state FILE/,
    ],
    [
      ["setup", ...setupFlags("lcow"), ...w.flags, "--log-format", "xml"],
      /--log-format must be text or json/,
    ],
    [
      ["setup", ...setupFlags("wcow"), ...w.flags],
      /Cannot drive a WCOW pod .*: its VM has a LCOW guest/,
    ],
    [
      ["setup", ...setupFlags("lcow").slice(0, 4), "--vm", "uvm-9", "--guest", "lcow", ...w.flags],
      /Cannot find VM uvm-9 on .*: its VM is podnet-uvm-1/,
    ],
    [[
      "setup",
      ...setupFlags("lcow"),
      "--state-dir",
      w.stateDir,
      "--sim-state",
      `${w.dir}/none.json`,
    ], /Cannot find simulated host file \S+none\.json: it does not exist$/],
    [["setup", "--pod", "", ...setupFlags("lcow").slice(2), ...w.flags], /--pod must not be empty/],
    [
      ["setup", "--pod", "a\u0007b", ...setupFlags("lcow").slice(2), ...w.flags],
      /podId: must be printable text/,
    ],
    [["teardown", "--pod", POD, "--guest", "bsd", ...w.flags], /--guest must be lcow or wcow/],
    [["status", "stray"], /Unexpected argument 'stray'/],
    [["sim", "fault", "--sim-state", w.simState, "vm-ad"], /unknown step "vm-ad"/],
    [
      ["sim", "fault", "--sim-state", w.simState, "--action", "explode", "vm-add"],
      /--action must be one of/,
    ],
    [["sim", "init", "--sim-state", w.simState, "--guest", "lcow"], /already exists/],
    [
      ["sim", "init", "--sim-state", `${w.dir}/x.json`, "--guest", "lcow", "--fixture", w.simState],
      /Cannot load fixture/,
    ],
    [
      ["sim", "init", "--sim-state", `${w.dir}/x.json`, "--guest", "lcow", "--latency-ms", "-1"],
      /--latency-ms/,
    ],
    [["sim", "inventory"], /--sim-state is required/],
    [["frobnicate"], /unknown command "frobnicate"/],
    [["sim", "melt"], /unknown command "sim melt"/],
  ];
  for (const [args, pattern] of cases) {
    const r = await podnet(...args);
    oneLineError(r, EXIT_CODES.USAGE, pattern);
  }
  assert.equal((await podnet()).code, EXIT_CODES.USAGE, "no command");
  assert.equal((await podnet("sim")).code, EXIT_CODES.USAGE, "no sim command");
  assert.equal(await Deno.readTextFile(w.simState), before.sim, "the host is untouched");
  assert.deepEqual(await snapshotDir(w.stateDir), before.state, "no record written");
  await w.remove();
});

Deno.test("podnet: a missing state directory is one line and exit 2, and is not created", async () => {
  const w = await world("lcow");
  const before = await Deno.readTextFile(w.simState);
  const missing = `${w.dir}/no-such-dir`;
  const flags = ["--state-dir", missing, "--host", "sim", "--sim-state", w.simState];
  for (
    const args of [
      ["setup", ...setupFlags("lcow"), ...flags],
      ["teardown", "--pod", POD, ...flags],
      ["status", ...flags],
      ["list", ...flags],
      ["recover", ...flags],
    ]
  ) {
    oneLineError(await podnet(...args), EXIT_CODES.USAGE, /it does not exist \(create it first\)/);
  }
  // The advice is a field of its own in the JSON, not part of the message.
  const json = JSON.parse((await podnet("status", "--json", ...flags)).out);
  assert.equal(json.error.hint, "create it first");
  assert.match(json.error.message, /: it does not exist$/);
  await Deno.writeTextFile(`${w.dir}/a-file`, "");
  oneLineError(
    await podnet("status", "--state-dir", `${w.dir}/a-file`),
    EXIT_CODES.USAGE,
    /it is not a directory/,
  );
  await assert.rejects(Deno.stat(missing), Deno.errors.NotFound);
  assert.equal(await Deno.readTextFile(w.simState), before);
  await w.remove();
});

Deno.test("podnet: a corrupt record is one line and exit 2, with nothing changed", async () => {
  const w = await world("wcow");
  assert.equal((await podnet("setup", ...setupFlags("wcow"), ...w.flags)).code, 0);
  const path = await new FileStore(w.stateDir).pathOf(POD);
  await Deno.writeTextFile(path, '{"schemaVersion":1,"podId":"default/web-0","bindi');
  const before = { sim: await Deno.readTextFile(w.simState), state: await snapshotDir(w.stateDir) };
  for (
    const args of [
      ["setup", ...setupFlags("wcow"), ...w.flags],
      ["teardown", "--pod", POD, ...w.flags],
      ["status", "--pod", POD, ...w.flags],
      ["status", ...w.flags],
      ["list", ...w.flags],
      ["recover", ...w.flags],
    ]
  ) {
    const r = await podnet(...args);
    oneLineError(
      r,
      EXIT_CODES.USAGE,
      /: its content is not a valid record: Cannot use the snapshot: /,
    );
    assert.ok(r.err.includes(path), "names the file");
  }
  assert.equal(await Deno.readTextFile(w.simState), before.sim, "the host is untouched");
  assert.deepEqual(await snapshotDir(w.stateDir), before.state);
  // A corrupt host record is bad input too.
  await Deno.remove(path);
  await Deno.writeTextFile(path.replace(/\.json$/, ".host.json"), "[]");
  oneLineError(await podnet("list", ...w.flags), EXIT_CODES.USAGE, /host record/);
  await w.remove();
});

Deno.test("podnet status, list and recover: one unreadable record is reported for its pod (file and reason, exit 2) and every other pod is still handled", async () => {
  const w = await world("lcow");
  assert.equal((await podnet("setup", ...setupFlags("lcow", "pod-b"), ...w.flags)).code, 0);
  const store = new FileStore(w.stateDir);
  const path = await store.pathOf("pod-b");
  // Two more running pods (records only: one namespace on this host).
  const b = await store.load("pod-b");
  assert.ok(b);
  const hostRecord = await Deno.readTextFile(path.replace(/\.json$/, ".host.json"));
  for (const podId of ["pod-a", "pod-c"]) {
    const bindings = b.bindings.map((x) => ({ ...x, nicId: deriveNicId(podId, x.endpointId) }));
    await store.save({ ...b, podId, bindings });
    await Deno.writeTextFile(
      (await store.pathOf(podId)).replace(/\.json$/, ".host.json"),
      hostRecord.replace('"pod-b"', JSON.stringify(podId)),
    );
  }
  // One byte of the record changed so that it still parses: its checksum tells.
  const text = await Deno.readTextFile(path);
  await Deno.writeTextFile(path, text.replace('"endpointName":"', '"endpointName":"x'));
  const before = { sim: await Deno.readTextFile(w.simState), state: await snapshotDir(w.stateDir) };
  for (const command of ["status", "list", "recover"]) {
    const human = await podnet(command, ...w.flags);
    oneLineError(human, EXIT_CODES.USAGE, /pod pod-b: .*checksum/);
    assert.ok(human.err.includes(path), `${command}: names the file`);
    assert.match(human.out, /pod-a/);
    assert.match(human.out, /pod-c/);
    const json = await podnet(command, "--json", ...w.flags);
    assert.equal(json.code, EXIT_CODES.USAGE, json.err);
    const doc = JSON.parse(json.out);
    if (command === "recover") {
      assert.deepEqual(
        doc.pods.map((p: { podId: string; action: string }) => [p.podId, p.action]),
        [["pod-b", "unreadable"], ["pod-a", "left"], ["pod-c", "left"]],
      );
      assert.equal(doc.pods[0].file, path);
      assert.equal(doc.pods[0].error.code, "STORE_FAILED");
    } else {
      assert.deepEqual(doc.pods.map((p: { podId: string }) => p.podId), ["pod-a", "pod-c"]);
      assert.equal(doc.unreadable.length, 1);
      assert.equal(doc.unreadable[0].podId, "pod-b");
      assert.equal(doc.unreadable[0].file, path);
      assert.match(doc.unreadable[0].error.message, /line 2: does not match the record's checksum/);
    }
  }
  assert.equal(await Deno.readTextFile(w.simState), before.sim, "the host is untouched");
  const records = async () =>
    Object.entries(await snapshotDir(w.stateDir)).filter(([name]) => !name.endsWith(".lock"));
  assert.deepEqual(
    await records(),
    Object.entries(before.state).filter(([name]) => !name.endsWith(".lock")),
    "no record changed",
  );
  // A damaged journal line is named the same way, with its line.
  const journal = path.replace(/\.json$/, ".journal");
  await Deno.writeTextFile(path, text);
  const lines = (await Deno.readTextFile(journal)).split("\n");
  assert.ok(lines.length >= 4, "setup left a journal of several lines");
  await Deno.writeTextFile(journal, [lines[0], lines[2], lines[1], ...lines.slice(3)].join("\n"));
  const r = await podnet("list", "--json", ...w.flags);
  assert.equal(r.code, EXIT_CODES.USAGE);
  const u = JSON.parse(r.out).unreadable[0];
  assert.equal(u.file, journal);
  assert.match(u.error.message, /line 2: does not match its checksum/);
  assert.equal(JSON.parse(r.out).pods.length, 2);
  // A record too damaged to say whose it is: its host record (same file name) tells.
  await Deno.writeTextFile(path, "\u0000garbage");
  const garbled = JSON.parse((await podnet("status", "--json", ...w.flags)).out);
  assert.deepEqual(
    garbled.unreadable.map((x: { podId: string; file: string }) => [x.podId, x.file]),
    [
      ["pod-b", path],
    ],
  );
  await w.remove();
});

Deno.test("podnet: a pod another process holds is one line and exit 3, with nothing changed", async () => {
  const w = await world("lcow");
  assert.equal((await podnet("setup", ...setupFlags("lcow", "other-pod"), ...w.flags)).code, 0);
  const lock = await new FileStore(w.stateDir).tryLock(POD);
  assert.ok(lock);
  const before = { sim: await Deno.readTextFile(w.simState), state: await snapshotDir(w.stateDir) };
  oneLineError(
    await podnet("setup", ...setupFlags("lcow"), ...w.flags),
    EXIT_CODES.BUSY,
    /Cannot set up pod default\/web-0: another process is working on it/,
  );
  const busy = await podnet("teardown", "--pod", POD, ...w.flags, "--json");
  oneLineError(busy, EXIT_CODES.BUSY, /another process is working on it/);
  assert.equal(JSON.parse(busy.out).error.code, "BUSY");
  assert.equal(await Deno.readTextFile(w.simState), before.sim, "the host is untouched");
  assert.deepEqual(await snapshotDir(w.stateDir), before.state, "no record written");
  await lock.release();
  // recover reports the busy pod and goes on with the others.
  const held = await new FileStore(w.stateDir).tryLock("other-pod");
  const recover = await podnet("recover", "--json", ...w.flags);
  assert.equal(recover.code, EXIT_CODES.BUSY);
  assert.deepEqual(JSON.parse(recover.out).pods, [{ podId: "other-pod", action: "busy" }]);
  await held?.release();
  await w.remove();
});

Deno.test("podnet setup: a failed step is rolled back (exit 1, nothing recorded); with --no-rollback it is recorded with the command to run next", async () => {
  const w = await world("lcow");
  assert.equal((await podnet("sim", "fault", "--sim-state", w.simState, "vm-add:2")).code, 0);
  const rolled = await podnet("setup", ...setupFlags("lcow"), ...w.flags);
  assert.equal(rolled.code, EXIT_CODES.FAILED);
  assert.match(
    rolled.err,
    /^podnet setup: Cannot set up the network of pod default\/web-0: Cannot complete \w+: .*injected by podnet sim fault$/m,
  );
  assert.match(rolled.out, /vm-add\s+failed\s+NIC [0-9a-f-]+ endpoint .*: Cannot complete/);
  assert.match(rolled.out, /everything it did was undone: nothing is recorded/);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  assert.deepEqual(await leftoverFiles(w.stateDir), []);

  await podnet("sim", "fault", "--sim-state", w.simState, "guest-attach:2");
  const kept = await podnet("setup", ...setupFlags("lcow"), "--no-rollback", ...w.flags, "--json");
  assert.equal(kept.code, EXIT_CODES.FAILED);
  const doc = JSON.parse(kept.out);
  assert.equal(doc.state, "Invalid");
  assert.equal(doc.error.code, "SETUP_FAILED");
  assert.equal(doc.error.rolledBack, false);
  assert.equal(doc.recorded.state, "Invalid");
  assert.ok(doc.recorded.bindings.length >= 2, "the NICs it reached are recorded");
  assert.match(doc.next, /^deno task podnet teardown --pod default\/web-0 --state-dir /);
  const teardown = await podnet("teardown", "--pod", POD, ...w.flags);
  assert.equal(teardown.code, 0, teardown.err);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  await w.remove();
});

Deno.test("podnet teardown: failed steps are listed with the command to run next; running it again finishes", async () => {
  const w = await world("wcow");
  assert.equal((await podnet("setup", ...setupFlags("wcow"), ...w.flags)).code, 0);
  await podnet("sim", "fault", "--sim-state", w.simState, "vm-remove:2");
  const failed = await podnet("teardown", "--pod", POD, ...w.flags);
  assert.equal(failed.code, EXIT_CODES.FAILED);
  assert.match(failed.out, /teardown failed:\n {2}- Cannot vm-remove NIC|teardown failed:\n {2}- /);
  assert.match(failed.out, /recorded:\n {2}pod default\/web-0: Invalid/);
  assert.match(failed.out, /next: deno task podnet teardown --pod default\/web-0/);
  assert.equal(
    JSON.parse((await podnet("status", "--pod", POD, "--json", ...w.flags)).out).state,
    "Invalid",
  );
  const again = await podnet("teardown", "--pod", POD, ...w.flags);
  assert.equal(again.code, 0, again.err);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  const nothing = await podnet("teardown", "--pod", POD, ...w.flags, "--json");
  assert.equal(nothing.code, 0, "nothing recorded: nothing to undo");
  assert.deepEqual(JSON.parse(nothing.out), { podId: POD, state: "TornDown", steps: [] });
  await w.remove();
});

Deno.test("podnet setup: a pod that already has a record is refused (exit 2) and left alone", async () => {
  const w = await world("lcow");
  assert.equal((await podnet("setup", ...setupFlags("lcow"), ...w.flags)).code, 0);
  const before = { sim: await Deno.readTextFile(w.simState), state: await snapshotDir(w.stateDir) };
  oneLineError(
    await podnet("setup", ...setupFlags("lcow"), ...w.flags),
    EXIT_CODES.USAGE,
    /already has a record \(Configured\); run deno task podnet teardown --pod default\/web-0/,
  );
  assert.equal(await Deno.readTextFile(w.simState), before.sim);
  assert.deepEqual(await snapshotDir(w.stateDir), before.state);
  await w.remove();
});

Deno.test("podnet setup --timeout: a call that never returns is cut off at the deadline and undone", async () => {
  const w = await world("lcow");
  await podnet("sim", "fault", "--sim-state", w.simState, "--action", "hang", "vm-add:2");
  const started = performance.now();
  const r = await podnet(
    "setup",
    ...setupFlags("lcow"),
    "--timeout",
    "0.3",
    "--host-concurrency",
    "2",
    ...w.flags,
  );
  assert.equal(r.code, EXIT_CODES.FAILED);
  assert.ok(performance.now() - started < 10_000, "not the 30 s call time limit");
  assert.match(r.err, /Cannot finish setup: its deadline passed/);
  assert.match(r.out, /everything it did was undone/);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  await w.remove();
});

Deno.test("podnet recover: mid-operation and Invalid records are torn down, running pods left, empty records forgotten", async () => {
  const w = await world("wcow");
  const store = new FileStore(w.stateDir);
  // A running pod, a pod whose teardown was cut short, a pod a failed setup left Invalid.
  assert.equal((await podnet("setup", ...setupFlags("wcow", "running"), ...w.flags)).code, 0);
  // (one namespace on this host: the others are set up from copies under other pod IDs)
  const host = SimulatedHost.openFile(w.simState);
  const fixture = JSON.parse(await Deno.readTextFile(FIXTURE));
  for (const [n, prefix] of [[1, "c"], [2, "d"]] as const) {
    const text = JSON.stringify(fixture).replaceAll("6f1a2b3c-", `${prefix}f1a2b3c-`)
      .replaceAll("b1e2c3d4-", `${prefix}1e2c3d4-`);
    host.loadFixture(JSON.parse(text));
    const podId = n === 1 ? "cut-short" : "invalid";
    const flags = ["--pod", podId, "--namespace", `${prefix}f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b`];
    if (n === 2) await podnet("sim", "fault", "--sim-state", w.simState, "guest-attach:2");
    const r = await podnet(
      "setup",
      ...flags,
      "--vm",
      "podnet-uvm-1",
      "--guest",
      "wcow",
      ...(n === 2 ? ["--no-rollback"] : []),
      ...w.flags,
    );
    assert.equal(r.code, n === 2 ? 1 : 0, r.err);
  }
  const snapshot = await store.load("cut-short");
  assert.ok(snapshot);
  await store.save({ ...snapshot, operation: "teardown" }); // as a killed teardown leaves it
  // A host record with no snapshot: setup died before it did anything.
  assert.equal(
    (await podnet("sim", "fault", "--sim-state", w.simState, "--action", "hang", "read-namespace"))
      .code,
    0,
  );
  const abandoned = await podnet(
    "setup",
    ...setupFlags("wcow", "abandoned"),
    "--timeout",
    "0.05",
    ...w.flags,
  );
  assert.equal(abandoned.code, 1);

  const r = await podnet("recover", "--json", ...w.flags);
  assert.equal(r.code, 0, r.err);
  const pods = JSON.parse(r.out).pods;
  assert.deepEqual(
    pods.map((p: { podId: string; action: string }) => [p.podId, p.action]),
    [["cut-short", "torn-down"], ["invalid", "torn-down"], ["running", "left"]],
  );
  assert.deepEqual(pods[0].was, { state: "Configured", operation: "teardown" });
  assert.deepEqual(await store.list(), ["running"]);
  const left = SimulatedHost.openFile(w.simState).inventory();
  assert.equal(left.vmNics.length, 3, "only the running pod's NICs");
  assert.equal((await podnet("teardown", "--pod", "running", ...w.flags)).code, 0);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  const human = await podnet("recover", ...w.flags);
  assert.match(human.out, /nothing to recover/);
  await w.remove();
});

Deno.test("podnet recover: a pod without a host record fails with a code, not UNKNOWN", async () => {
  const w = await world("lcow");
  await podnet("sim", "fault", "--sim-state", w.simState, "guest-attach:2");
  const setup = await podnet("setup", ...setupFlags("lcow"), "--no-rollback", ...w.flags);
  assert.equal(setup.code, EXIT_CODES.FAILED);
  for await (const entry of Deno.readDir(w.stateDir)) {
    if (entry.name.endsWith(".host.json")) await Deno.remove(`${w.stateDir}/${entry.name}`);
  }
  const r = await podnet("recover", "--json", ...w.flags);
  assert.equal(r.code, EXIT_CODES.FAILED);
  const [pod] = JSON.parse(r.out).pods;
  assert.equal(pod.action, "failed");
  assert.equal(pod.error.code, "NOT_FOUND");
  assert.equal(
    pod.error.message,
    `Cannot recover pod ${POD}: no host record says which VM it is on`,
  );
  assert.match(pod.next, /--vm ID --guest lcow\|wcow$/);
  const next = await podnet(
    "teardown",
    "--pod",
    POD,
    "--vm",
    "podnet-uvm-1",
    "--guest",
    "lcow",
    ...w.flags,
  );
  assert.equal(next.code, 0, next.err);
  assert.deepEqual(SimulatedHost.openFile(w.simState).inventory(), EMPTY);
  await w.remove();
});

Deno.test("podnet --help: every command explains itself and the exit codes", async () => {
  for (
    const args of [
      ["--help"],
      ["setup", "--help"],
      ["teardown", "-h"],
      ["status", "--help"],
      ["list", "--help"],
      ["recover", "--help"],
    ]
  ) {
    const r = await podnet(...args);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: deno task podnet/);
    assert.match(r.out, /3 {2}the pod is busy/);
  }
  for (const args of [["sim", "--help"], ["sim", "init", "--help"], ["sim", "fault", "-h"]]) {
    const r = await podnet(...args);
    assert.equal(r.code, 0);
    assert.match(r.out, /^Usage: deno task podnet sim/);
  }
});
