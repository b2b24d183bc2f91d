/**
 * Crash tests of `podnet`: a process killed with SIGKILL before and after
 * every host call of setup and of teardown, then `podnet recover` in a new
 * process must leave nothing on the host and nothing on record.
 *
 * How a process is killed at a chosen call, without sleeps: the simulated
 * host file gets a hang fault on the Nth call (`"*"`, counting every call);
 * `hang` holds the call before it reaches the host ("before call N"),
 * `hang` with `applied: true` applies it and holds the answer ("after call
 * N": the process never learns it happened). After a call that changes
 * nothing (a read or an open) the host and the records are exactly as before
 * it, so that kill point is the one before it and is not run twice. The simulator logs the held
 * call; the test reads the process's log records (`--verbose --log-format
 * json` on stderr), sends SIGKILL as soon as that record arrives, and checks
 * the process died of it.
 *
 * To keep the suite quick, the kill points of one guest and operation share
 * a simulated host and a state directory, each with its own pod (its own
 * namespace and endpoints, on the one VM): the processes are killed one
 * after another, then one `podnet recover` process recovers them all.
 * SIGKILL does not exist on Windows, so these run on Linux and macOS only.
 *
 * @module
 */
import assert from "node:assert/strict";
import { FileStore } from "../adapters/store/file_store.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { MemoryStore } from "../adapters/store/memory_store.ts";
import { NetworkController } from "../domain/network_controller.ts";
import { CLOSE_CALLS, MODIFY_REQUEST_OPS, type SimCall, SimulatedHost } from "../sim.ts";
import {
  FIXTURE,
  HELD,
  killWhenHeld,
  leftoverFiles,
  PERMISSIONS,
  PODNET,
  podnet,
  podnetProcess,
  ROOT,
  snapshotDir,
} from "./_helpers/podnet_cli.ts";

type Guest = "lcow" | "wcow";
type Operation = "setup" | "teardown";

const NO_SIGKILL = Deno.build.os === "windows";
const VM = "podnet-uvm-1";

/** The fixture again with new IDs (namespace and endpoints) for pod number `n`. */
function fixtureFor(n: number, fixture: string): { text: string; namespaceId: string } {
  const tag = n.toString(16).padStart(4, "0");
  const text = fixture.replaceAll("6f1a2b3c-4d5e-", `6f1a${tag}-4d5e-`)
    .replaceAll("b1e2c3d4-", `b1e2${tag}-`);
  return { text, namespaceId: `6f1a${tag}-4d5e-4f60-8a9b-0c1d2e3f4a5b` };
}

interface Lane {
  readonly dir: string;
  readonly stateDir: string;
  readonly simState: string;
  readonly flags: string[];
  /** The pods of the lane, each on its own namespace. */
  readonly pods: { podId: string; namespaceId: string }[];
}

/** A simulated host with `count` pods' namespaces on one VM, and an empty state directory. */
async function lane(guest: Guest, name: string, count: number): Promise<Lane> {
  const dir = await Deno.makeTempDir({ prefix: `podnet-crash-${name}-` });
  const stateDir = `${dir}/state`;
  const simState = `${dir}/host.json`;
  await Deno.mkdir(stateDir);
  const host = new SimulatedHost({ guest, vmId: VM });
  const fixture = await Deno.readTextFile(FIXTURE);
  const pods = [];
  for (let n = 1; n <= count; n++) {
    const { text, namespaceId } = fixtureFor(n, fixture);
    host.loadFixture(JSON.parse(text));
    pods.push({ podId: `${name}/pod-${n}`, namespaceId });
  }
  SimulatedHost.createFile(simState, host.exportState());
  return {
    dir,
    stateDir,
    simState,
    flags: ["--state-dir", stateDir, "--host", "sim", "--sim-state", simState],
    pods,
  };
}

function setupArgs(guest: Guest, pod: { podId: string; namespaceId: string }): string[] {
  return [
    "setup",
    "--pod",
    pod.podId,
    "--namespace",
    pod.namespaceId,
    "--vm",
    VM,
    "--guest",
    guest,
  ];
}

/**
 * The host calls (close calls aside) that setup and teardown of one pod
 * make through `podnet`, by operation name: counted on the command line (a
 * fault far away counts every call it sees), named through the library
 * with the same controller and ports.
 */
async function callsOf(guest: Guest): Promise<Record<Operation, string[]>> {
  const l = await lane(guest, "count", 1);
  const pod = l.pods[0];
  assert.ok(pod);
  const counts = { setup: 0, teardown: 0 };
  for (const operation of ["setup", "teardown"] as const) {
    const counter = SimulatedHost.openFile(l.simState);
    counter.faults.clear();
    counter.faults.inject({ on: "*", nth: 1_000_000, action: { type: "hang" } });
    const args = operation === "setup" ? setupArgs(guest, pod) : ["teardown", "--pod", pod.podId];
    const r = await podnet(...args, ...l.flags);
    assert.equal(r.code, 0, r.err);
    counts[operation] = counter.faults.pending[0]?.seen ?? 0;
  }
  await Deno.remove(l.dir, { recursive: true });

  const host = new SimulatedHost({ guest, vmId: VM });
  host.loadFixture(JSON.parse(fixtureFor(1, await Deno.readTextFile(FIXTURE)).text));
  const store = new MemoryStore();
  const ops = (): string[] => {
    const names = host.trace.filter((t) => !CLOSE_CALLS.includes(t.call as SimCall)).map((t) =>
      t.op
    );
    host.clearTrace();
    return names;
  };
  {
    using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: VM, guest });
    await new NetworkController({ podId: pod.podId, namespaceId: pod.namespaceId, store }, ports)
      .setup();
  }
  const setup = ops();
  {
    using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: VM, guest });
    await NetworkController.recover(await store.load(pod.podId), ports, { store }).teardown();
  }
  const teardown = ops();
  assert.deepEqual([setup.length, teardown.length], [counts.setup, counts.teardown]);
  return { setup, teardown };
}

/** A kill point: the call, and whether it was applied before the kill. */
interface KillPoint {
  readonly operation: Operation;
  readonly call: number;
  readonly applied: boolean;
  /** The call's operation name. */
  readonly op: string;
}

function describe(k: KillPoint): string {
  return `${k.operation} killed ${k.applied ? "after" : "before"} call ${k.call} (${k.op})`;
}

/**
 * Kills one process per kill point, one after another, on a lane of its
 * own pods; then recovers them all in one new process and checks that
 * nothing is left.
 */
async function crashLane(guest: Guest, name: string, points: readonly KillPoint[]): Promise<void> {
  const l = await lane(guest, name, points.length);
  const operation = points[0]?.operation ?? "setup";
  if (operation === "teardown") {
    for (const pod of l.pods) {
      const r = await podnet(...setupArgs(guest, pod), ...l.flags);
      assert.equal(r.code, 0, r.err);
    }
  }
  const host = SimulatedHost.openFile(l.simState);
  for (const [i, point] of points.entries()) {
    const pod = l.pods[i];
    assert.ok(pod);
    host.faults.inject({
      on: "*",
      nth: point.call,
      action: point.applied ? { type: "hang", applied: true } : { type: "hang" },
    });
    const args = operation === "setup" ? setupArgs(guest, pod) : ["teardown", "--pod", pod.podId];
    const run = await killWhenHeld([...args, ...l.flags]);
    assert.ok(run.held, `${describe(point)} (${pod.podId}): never held; it logged:\n${run.log}`);
    assert.equal(run.status.signal, "SIGKILL", describe(point));
    assert.deepEqual(host.faults.pending, [], `${describe(point)}: the fault fired`);
  }
  const recover = await podnetProcess("recover", "--json", ...l.flags);
  assert.equal(recover.code, 0, `recover: ${recover.err}\n${recover.out}`);
  const results: { podId: string; action: string }[] = JSON.parse(recover.out).pods;
  assert.deepEqual(
    results.map((r) => r.podId).sort(),
    l.pods.map((p) => p.podId).sort(),
    "every pod was recovered",
  );
  for (const r of results) {
    const point = points[l.pods.findIndex((p) => p.podId === r.podId)];
    assert.ok(
      r.action === "torn-down" || r.action === "forgotten",
      `${point ? describe(point) : r.podId}: ${JSON.stringify(r)}`,
    );
  }
  assert.deepEqual(
    host.inventory(),
    { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 },
    "nothing left on the host",
  );
  assert.deepEqual(await new FileStore(l.stateDir).list(), [], "no record left");
  assert.deepEqual(
    await leftoverFiles(l.stateDir),
    [],
    "no host record, lock file or temporary file left",
  );
  await Deno.remove(l.dir, { recursive: true });
}

/** Runs at most `limit` of the tasks at once. */
async function bounded(limit: number, tasks: (() => Promise<void>)[]): Promise<void> {
  const queue = [...tasks];
  const errors: unknown[] = [];
  await Promise.all(
    Array.from({ length: limit }, async () => {
      for (let task = queue.shift(); task !== undefined; task = queue.shift()) {
        await task().catch((e) => errors.push(e));
      }
    }),
  );
  if (errors.length > 0) throw errors[0];
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test({
    name:
      `podnet crash (${guest}): killed before and after every call of setup and teardown, recover leaves nothing [skipped on Windows: it has no SIGKILL]`,
    ignore: NO_SIGKILL,
    fn: async () => {
      const calls = await callsOf(guest);
      assert.ok(calls.setup.length >= 16 && calls.teardown.length >= 8, JSON.stringify(calls));
      const lanes: (() => Promise<void>)[] = [];
      for (const operation of ["setup", "teardown"] as const) {
        for (const applied of [false, true]) {
          // After a call that changes nothing (a read, an open), the host and
          // the records are as they were before it: that kill point is the
          // one before it, killed once.
          const points = calls[operation]
            .map((op, i) => ({ operation, call: i + 1, applied, op }))
            .filter((p) => !applied || (MODIFY_REQUEST_OPS as readonly string[]).includes(p.op));
          lanes.push(() =>
            crashLane(guest, `${operation}-${applied ? "after" : "before"}`, points)
          );
        }
      }
      await bounded(2, lanes);
    },
  });
}

Deno.test({
  name:
    "podnet crash: two setup processes on one pod, one exits 3 and touches nothing [skipped on Windows: it has no SIGKILL]",
  ignore: NO_SIGKILL,
  fn: async () => {
    const l = await lane("wcow", "two", 1);
    const pod = l.pods[0];
    assert.ok(pod);
    const host = SimulatedHost.openFile(l.simState);
    // Held while it reads the namespace: nothing else of its setup runs then.
    host.faults.inject({ on: "HcnQueryNamespaceProperties", nth: 1, action: { type: "hang" } });
    const first = new Deno.Command(Deno.execPath(), {
      args: [
        "run",
        ...PERMISSIONS,
        PODNET,
        ...setupArgs("wcow", pod),
        ...l.flags,
        "--verbose",
        "--log-format",
        "json",
      ],
      cwd: ROOT,
      stdin: "null",
      stdout: "null",
      stderr: "piped",
    }).spawn();
    const reader = first.stderr.pipeThrough(new TextDecoderStream()).getReader();
    let log = "";
    while (!log.includes(HELD)) {
      const { value, done } = await reader.read();
      assert.ok(!done, `the first setup never reached its held call:\n${log}`);
      log += value;
    }
    // The first process is in the middle of setup, holding the pod.
    const before = {
      sim: await Deno.readTextFile(l.simState),
      state: await snapshotDir(l.stateDir),
    };
    const second = await podnetProcess(...setupArgs("wcow", pod), ...l.flags);
    assert.equal(second.code, 3, second.err);
    assert.equal(second.err.split("\n").length, 1);
    assert.match(second.err, /another process is working on it/);
    assert.equal(await Deno.readTextFile(l.simState), before.sim, "the host is untouched");
    assert.deepEqual(await snapshotDir(l.stateDir), before.state, "the records are untouched");
    first.kill("SIGKILL");
    await reader.cancel();
    assert.equal((await first.status).signal, "SIGKILL");
    const recover = await podnetProcess("recover", ...l.flags);
    assert.equal(recover.code, 0, recover.err);
    assert.ok(host.isClean());
    assert.deepEqual(await new FileStore(l.stateDir).list(), []);
    await Deno.remove(l.dir, { recursive: true });
  },
});
