/**
 * `podnet nic add`, `nic remove` and `sync` killed with SIGKILL at every
 * call (before it reaches the host, and after the host applied it), then
 * `podnet recover` in a new process: the documented end is reached and
 * nothing leaks. An interrupted add is undone, an interrupted remove
 * finished; a sync's unfinished NICs are taken off and the next sync brings
 * the pod in line. Every NIC on the VM belongs to a complete binding, and
 * teardown of every pod leaves the host empty.
 */
import assert from "node:assert/strict";
import { FileStore } from "../adapters/store/file_store.ts";
import { SimulatedHost } from "../sim.ts";
import { isComplete } from "../domain/_pod_record.ts";
import { FIXTURE, killWhenHeld, podnet, podnetProcess } from "./_helpers/podnet_cli.ts";

type Guest = "lcow" | "wcow";
type Op = "nic add" | "nic remove" | "sync";

const NO_SIGKILL = Deno.build.os === "windows";
const VM = "podnet-uvm-1";

interface Pod {
  readonly podId: string;
  readonly namespaceId: string;
  readonly endpoint: (n: number) => string;
}

function podFor(n: number, name: string): Pod {
  const tag = n.toString(16).padStart(4, "0");
  return {
    podId: `${name}/pod-${n}`,
    namespaceId: `6f1a${tag}-4d5e-4f60-8a9b-0c1d2e3f4a5b`,
    endpoint: (e) => `b1e2${tag}-000${e}-4a5b-8c6d-7e8f9a0b1c2d`,
  };
}

async function lane(guest: Guest, name: string, count: number) {
  const dir = await Deno.makeTempDir({ prefix: `podnet-living-${name.replace(/\W/g, "-")}-` });
  const stateDir = `${dir}/state`;
  const simState = `${dir}/host.json`;
  await Deno.mkdir(stateDir);
  const host = new SimulatedHost({ guest, vmId: VM });
  const fixture = await Deno.readTextFile(FIXTURE);
  const pods: Pod[] = [];
  for (let n = 1; n <= count; n++) {
    const tag = n.toString(16).padStart(4, "0");
    host.loadFixture(
      JSON.parse(
        fixture.replaceAll("6f1a2b3c-4d5e-", `6f1a${tag}-4d5e-`).replaceAll(
          "b1e2c3d4-",
          `b1e2${tag}-`,
        ),
      ),
    );
    pods.push(podFor(n, name));
  }
  SimulatedHost.createFile(simState, host.exportState());
  const flags = ["--state-dir", stateDir, "--host", "sim", "--sim-state", simState];
  for (const pod of pods) {
    const r = await podnet(
      "setup",
      "--pod",
      pod.podId,
      "--namespace",
      pod.namespaceId,
      "--vm",
      VM,
      "--guest",
      guest,
      ...flags,
    );
    assert.equal(r.code, 0, r.err);
  }
  return { dir, stateDir, simState, flags, pods };
}

/** Changes the namespace as CNI would before `op`, and gives the command line. */
function prepare(host: SimulatedHost, op: Op, pod: Pod): string[] {
  const eth3 = {
    ID: pod.endpoint(3),
    Name: `4f1d0c2b9a7e_eth3`,
    MacAddress: "00-15-5D-52-C0-23",
    IpConfigurations: [{ IpAddress: "192.168.50.13", PrefixLength: 24 }],
  };
  switch (op) {
    case "nic add":
      host.addNamespaceEndpoint(pod.namespaceId, eth3);
      return ["nic", "add", "--pod", pod.podId, "--endpoint", pod.endpoint(3)];
    case "nic remove":
      return ["nic", "remove", "--pod", pod.podId, "--endpoint", pod.endpoint(1)];
    case "sync":
      host.addNamespaceEndpoint(pod.namespaceId, eth3);
      host.removeNamespaceEndpoint(pod.endpoint(2));
      return ["sync", "--pod", pod.podId];
  }
}

/** How many calls `op` makes, counted on a lane of its own (a hang it never reaches counts them). */
async function callsOf(guest: Guest, op: Op): Promise<number> {
  const l = await lane(guest, `count-${op}`, 1);
  const pod = l.pods[0];
  assert.ok(pod);
  const host = SimulatedHost.openFile(l.simState);
  const args = prepare(host, op, pod);
  host.faults.clear();
  host.faults.inject({ on: "*", nth: 1_000_000, action: { type: "hang" } });
  const r = await podnet(...args, ...l.flags);
  assert.equal(r.code, 0, r.err);
  const seen = host.faults.pending[0]?.seen ?? 0;
  await Deno.remove(l.dir, { recursive: true });
  return seen;
}

for (const guest of ["lcow", "wcow"] as const) {
  for (const op of ["nic add", "nic remove", "sync"] as const) {
    Deno.test({
      name:
        `podnet crash (${guest}): ${op} killed at every call, then recover: documented end, nothing leaked [skipped on Windows: no SIGKILL]`,
      ignore: NO_SIGKILL,
      fn: async () => {
        const calls = await callsOf(guest, op);
        assert.ok(calls >= 2, `${op} made ${calls} calls`);
        const points = [false, true].flatMap((applied) =>
          Array.from({ length: calls }, (_, i) => ({ call: i + 1, applied }))
        );
        const l = await lane(guest, `${guest}-${op}`, points.length);
        const host = SimulatedHost.openFile(l.simState);
        for (const [i, point] of points.entries()) {
          const pod = l.pods[i];
          assert.ok(pod);
          const args = prepare(host, op, pod);
          host.faults.inject({
            on: "*",
            nth: point.call,
            action: point.applied ? { type: "hang", applied: true } : { type: "hang" },
          });
          const run = await killWhenHeld([...args, ...l.flags]);
          const what = `${op} killed at call ${point.call} (${
            point.applied ? "applied" : "before"
          })`;
          assert.ok(run.held, `${what}: never held`);
          assert.equal(run.status.signal, "SIGKILL", what);
        }
        const recover = await podnetProcess("recover", "--json", ...l.flags);
        assert.equal(recover.code, 0, `recover: ${recover.err}\n${recover.out}`);
        const results: { podId: string; action: string }[] = JSON.parse(recover.out).pods;
        const store = new FileStore(l.stateDir);
        const onVm = new Set(
          host.inventory().vmNics.map((
            n,
          ) => (typeof n === "string" ? n : (n as { id: string }).id)),
        );
        const held = new Set<string>();
        for (const [i, pod] of l.pods.entries()) {
          const what = `${op} killed at call ${points[i]?.call} (${
            points[i]?.applied ? "applied" : "before"
          })`;
          const r = results.find((x) => x.podId === pod.podId);
          assert.ok(
            r?.action === "finished" || r?.action === "left",
            `${what}: ${JSON.stringify(r)}`,
          );
          const s = await store.load(pod.podId);
          assert.ok(s !== undefined);
          assert.equal(s.state, "Configured", what);
          assert.equal(s.operation, null, what);
          for (const b of s.bindings) {
            assert.ok(isComplete({ ...b, listed: true }), `${what}: ${b.endpointId} unfinished`);
            assert.ok(onVm.has(b.nicId), `${what}: ${b.nicId} recorded but not on the VM`);
            held.add(b.nicId);
          }
          const endpoints = s.bindings.map((b) => b.endpointId);
          if (op === "nic add") {
            assert.ok(!endpoints.includes(pod.endpoint(3)), `${what}: add undone`);
          }
          if (op === "nic remove") {
            assert.ok(!endpoints.includes(pod.endpoint(1)), `${what}: remove finished`);
          }
          if (op === "sync") {
            const again = await podnet("sync", "--pod", pod.podId, "--json", ...l.flags);
            assert.equal(again.code, 0, `${what}: sync after recover: ${again.err}`);
            const after = await store.load(pod.podId);
            assert.deepEqual(
              after?.bindings.map((b) => b.endpointId).sort(),
              [pod.endpoint(0), pod.endpoint(1), pod.endpoint(3)].sort(),
              `${what}: sync after recover`,
            );
          }
        }
        for (const nic of onVm) assert.ok(held.has(nic), `NIC ${nic} on the VM but in no record`);
        for (const pod of l.pods) {
          const r = await podnet("teardown", "--pod", pod.podId, ...l.flags);
          assert.equal(r.code, 0, r.err);
        }
        assert.deepEqual(
          host.inventory(),
          { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 },
          "nothing left on the host",
        );
        await Deno.remove(l.dir, { recursive: true });
      },
    });
  }
}
