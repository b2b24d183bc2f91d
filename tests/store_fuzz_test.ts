/**
 * Records and journals of real pod states (3 and 8 NICs, LCOW and WCOW,
 * Configured, mid-setup, mid-teardown, Invalid; see
 * `_helpers/record_states.ts`), damaged in every way a disk, a crash or a
 * hand can damage them, at least 2,000 samples per kind, deterministic
 * seeds. Each load ends in the exact state, an older state the pod really
 * had (only when the journal's tail was cut), or a `StoreError`; never a
 * state the pod never had. Where a load succeeds, a teardown from it on the
 * host as it was then leaves nothing.
 *
 * Run: deno test --allow-read --allow-write --allow-env tests/store_fuzz_test.ts
 * (prints the outcome counts of each kind).
 */
import assert from "node:assert/strict";
import fc from "fast-check";
import { NetworkController } from "../domain/network_controller.ts";
import { StoreError } from "../domain/errors.ts";
import type { Snapshot } from "../domain/snapshot.ts";
import { createPorts } from "../adapters/create_ports.ts";
import { FileStore } from "../adapters/store/file_store.ts";
import { chainLine, encodeRecord } from "../adapters/store/_record_format.ts";
import { SimulatedHost } from "../adapters/sim/simulated_host.ts";
import { recordScenarios, type Scenario, type WritePoint } from "./_helpers/record_states.ts";

const SAMPLES = 2000;
const SEED = 20261207;

const scenarios = await recordScenarios();
const dir = await Deno.makeTempDir();
const store = new FileStore(dir);
const recordPath = await store.pathOf(scenarios[0]?.podId ?? "");
const journalPath = recordPath.replace(/\.json$/, ".journal");
const encoder = new TextEncoder();

/** Loads a record and journal as a fresh process would. */
async function load(
  podId: string,
  record: Uint8Array | string | undefined,
  journal: Uint8Array | string | undefined,
): Promise<Snapshot | undefined> {
  for (const [path, data] of [[recordPath, record], [journalPath, journal]] as const) {
    if (data === undefined) await Deno.remove(path).catch(() => {});
    else await Deno.writeFile(path, typeof data === "string" ? encoder.encode(data) : data);
  }
  return await new FileStore(dir).load(podId);
}

/** What the pod really had at each write: the load of the undamaged files. */
interface Truth {
  readonly scenario: Scenario;
  readonly point: WritePoint;
  readonly states: string[];
}

const truths: Truth[] = [];
for (const scenario of scenarios) {
  const states: string[] = [];
  for (const point of scenario.points) {
    const loaded = await load(scenario.podId, point.record, point.journal);
    states.push(JSON.stringify(loaded));
    truths.push({ scenario, point, states: [...states] });
  }
}
const withJournal = truths.filter((t) => t.point.journal !== undefined);
const withLines = withJournal.filter((t) => lines(t.point.journal).length >= 3);

function lines(text: string | undefined): string[] {
  return (text ?? "").split("\n").slice(0, -1).map((l) => `${l}\n`);
}

type Outcome = "exact" | "older" | "error";
const counts: Record<string, Record<Outcome, number>> = {};
const tornDown = new Set<string>();

/** Asserts a teardown from `state` on the host of `point` leaves nothing. */
async function assertTeardownClean(state: Snapshot, point: WritePoint, what: string) {
  const key = `${point.scenario}|${point.index}|${JSON.stringify(state)}`;
  if (tornDown.has(key)) return;
  tornDown.add(key);
  const host = SimulatedHost.fromState(point.host);
  host.faults.clear();
  const ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest: host.guest });
  const controller = NetworkController.recover(state, ports);
  for (let i = 0; i < 2 && controller.state !== "TornDown"; i++) {
    await controller.teardown().catch(() => {});
  }
  ports[Symbol.dispose]();
  assert.deepEqual(
    host.inventory(),
    { vmNics: [], guestAdapters: [], guestNamespaces: [], openHandles: 0 },
    `${what}: a teardown from the loaded state leaves something`,
  );
}

/**
 * Loads damaged files and checks the outcome: exact, older (when `older`
 * allows it) or a StoreError.
 */
async function check(
  kind: string,
  truth: Truth,
  record: Uint8Array | string | undefined,
  journal: Uint8Array | string | undefined,
  older: boolean,
  what: string,
): Promise<void> {
  const tally = counts[kind] ??= { exact: 0, older: 0, error: 0 };
  let loaded: Snapshot | undefined;
  try {
    loaded = await load(truth.scenario.podId, record, journal);
  } catch (error) {
    assert.ok(error instanceof StoreError, `${what}: ${error}`);
    tally.error++;
    return;
  }
  const got = JSON.stringify(loaded);
  const where = `${truth.scenario.name}, write ${truth.point.index}: ${what}`;
  assert.ok(loaded !== undefined, `${where}: a record was lost`);
  const states = truth.states;
  if (got === states[states.length - 1]) {
    tally.exact++;
    await assertTeardownClean(loaded, truth.point, where);
    return;
  }
  const k = states.lastIndexOf(got);
  assert.ok(k >= 0, `${where}: loaded a state the pod never had`);
  assert.ok(older, `${where}: loaded an older state (write ${k}) where only damage was done`);
  tally.older++;
  await assertTeardownClean(loaded, truth.scenario.points[k] as WritePoint, where);
}

function pick<T>(list: readonly T[], n: number): T {
  return list[n % list.length] as T;
}

const run = (kind: string, property: fc.IAsyncPropertyWithHooks<[number, number, number]>) =>
  fc.assert(property, { numRuns: SAMPLES, seed: SEED + kind.length, endOnFailure: true });

function flip(text: string, position: number, value: number): Uint8Array {
  const bytes = encoder.encode(text);
  const at = position % bytes.length;
  const old = bytes[at] as number;
  bytes[at] = value % 256 === old ? old ^ 1 : value % 256;
  return bytes;
}

/** Lines with the checksum chain signed again from line `from` on (a forger's journal). */
function resign(all: string[], from: number): string {
  let previous = from === 0 ? "" : (all[from - 1] as string).slice(0, 64);
  return all.map((line, i) => {
    if (i < from) return line;
    const next = chainLine(previous, line.slice(65, -1));
    previous = next.digest;
    return next.line;
  }).join("");
}

Deno.test("the fuzzer works on real pod states", () => {
  assert.equal(scenarios.length, 36);
  assert.ok(truths.length >= 300, `${truths.length} write points`);
  assert.ok(withLines.length >= 100, `${withLines.length} journals with changes`);
  for (const name of ["Configured", "mid-setup", "mid-teardown", "Invalid"]) {
    assert.ok(scenarios.some((s) => s.name.includes(name) && s.points.length > 3), name);
  }
  // Among the states: running pods, pods caught mid-setup and mid-teardown, Invalid pods.
  const all = truths.map((t) => JSON.parse(t.states.at(-1) ?? "null") as Snapshot);
  for (
    const [what, test] of [
      ["Configured", (x: Snapshot) => x.state === "Configured" && x.operation === null],
      ["mid-setup", (x: Snapshot) => x.operation === "setup" && x.bindings.length > 0],
      ["mid-teardown", (x: Snapshot) => x.operation === "teardown" && x.bindings.length > 0],
      ["Invalid", (x: Snapshot) => x.state === "Invalid" && x.bindings.length > 0],
    ] as const
  ) {
    for (const nics of [3, 8]) {
      for (const guest of ["lcow", "wcow"]) {
        const n = truths.filter((t, i) =>
          t.scenario.guest === guest && t.scenario.name.includes(`${nics} NICs`) &&
          test(all[i] as Snapshot)
        ).length;
        assert.ok(n > 0, `${guest}, ${nics} NICs: no ${what} state`);
      }
    }
  }
  // The undamaged files load as what the controller recorded last.
  for (const s of scenarios) {
    const states = truths.filter((t) => t.scenario === s).at(-1)?.states ?? [];
    assert.notEqual(states.at(-1), "undefined", s.name);
  }
});

Deno.test("a record truncated anywhere is a StoreError", () =>
  run(
    "truncate record",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, at, _) => {
      const truth = pick(truths, t);
      const text = truth.point.record as string;
      const cut = text.slice(0, at % text.length);
      await check(
        "truncate record",
        truth,
        cut,
        truth.point.journal,
        false,
        `cut at ${cut.length}`,
      );
    }),
  ));

Deno.test("a journal truncated anywhere loads as the state at one of its writes", () =>
  run(
    "truncate journal",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, at, _) => {
      const truth = pick(withJournal, t);
      const text = truth.point.journal as string;
      const cut = text.slice(0, at % text.length);
      await check("truncate journal", truth, truth.point.record, cut, true, `cut at ${cut.length}`);
    }),
  ));

Deno.test("a changed byte in a record is a StoreError", () =>
  run(
    "change record byte",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, at, value) => {
      const truth = pick(truths, t);
      const bytes = flip(truth.point.record as string, at, value);
      await check("change record byte", truth, bytes, truth.point.journal, false, `byte ${at}`);
    }),
  ));

Deno.test("a changed byte in a journal is a StoreError (its last newline: the line is torn)", () =>
  run(
    "change journal byte",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, at, value) => {
      const truth = pick(withJournal, t);
      const text = truth.point.journal as string;
      const bytes = flip(text, at, value);
      const last = at % bytes.length === bytes.length - 1;
      await check("change journal byte", truth, truth.point.record, bytes, last, `byte ${at}`);
    }),
  ));

Deno.test("a deleted journal line is a StoreError (the last: an older state)", () =>
  run(
    "delete line",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, l, _) => {
      const truth = pick(withLines, t);
      const all = lines(truth.point.journal);
      const i = l % all.length;
      const text = all.filter((_, j) => j !== i).join("");
      await check(
        "delete line",
        truth,
        truth.point.record,
        text,
        i === all.length - 1,
        `line ${i}`,
      );
    }),
  ));

Deno.test("a duplicated journal line is a StoreError", () =>
  run(
    "duplicate line",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, l, to) => {
      const truth = pick(withLines, t);
      const all = lines(truth.point.journal);
      const line = pick(all, l);
      const text = [
        ...all.slice(0, to % (all.length + 1)),
        line,
        ...all.slice(to % (all.length + 1)),
      ]
        .join("");
      await check("duplicate line", truth, truth.point.record, text, false, `line ${l}`);
    }),
  ));

Deno.test("reordered journal lines are a StoreError", () =>
  run(
    "reorder lines",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, a, b) => {
      const truth = pick(withLines, t);
      const all = lines(truth.point.journal);
      const i = a % all.length;
      const j = (i + 1 + (b % (all.length - 1))) % all.length;
      [all[i], all[j]] = [all[j] as string, all[i] as string];
      await check("reorder lines", truth, truth.point.record, all.join(""), false, `${i}<->${j}`);
    }),
  ));

Deno.test("a journal line replaced by a line of another journal is a StoreError", () =>
  run(
    "replace line",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, l, o) => {
      const truth = pick(withLines, t);
      const all = lines(truth.point.journal);
      const i = l % all.length;
      // A donor journal that extends the very same record bytes is not
      // damage but another history of the same record, which one pod under
      // its lock cannot have: donors come from journals of other records.
      const donors = withLines.filter((d) => lines(d.point.journal)[0] !== all[0]);
      const line = pick(lines(pick(donors, o).point.journal), l + o);
      all[i] = line;
      await check("replace line", truth, truth.point.record, all.join(""), false, `line ${i}`);
    }),
  ));

const SHAPES: ((nicId: string) => unknown)[] = [
  () => null,
  () => ({}),
  () => [],
  () => 42,
  () => "progress",
  () => [null],
  () => [{}],
  () => [{ type: "unknown" }],
  () => [{ type: "rename", nicId: "x" }],
  (nicId) => [{ type: "progress", nicId, step: "vm-add", progress: "halfway" }],
  (nicId) => [{ type: "progress", nicId, step: "vm-remove", progress: "done" }],
  (nicId) => [{ type: "progress", nicId, step: "vm-add", progress: null }],
  (nicId) => [{ type: "progress", nicId, step: "vm-add" }],
  (nicId) => [{ type: "drop", nicId, extra: true }],
  () => [{ type: "drop" }],
  () => [{ type: "drop", nicId: "not-a-guid" }],
  () => [{ type: "bind", after: null, binding: {} }],
  () => [{ type: "bind", after: null, binding: null }],
  () => [{ type: "state", state: "Bogus", operation: null, destinationNamespaceId: null }],
  () => [{ type: "state", state: "Configured", operation: "dance", destinationNamespaceId: null }],
  () => [{ type: "namespace-progress", progress: 3 }],
  () => [{ type: "namespace", namespace: { progress: "done" } }],
  () => ({ base: "0".repeat(64) }),
];

Deno.test("a journal line of the wrong shape is a StoreError naming it, even with a valid chain", () =>
  run(
    "wrong shape (journal)",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, l, s) => {
      const truth = pick(withLines, t);
      const all = lines(truth.point.journal);
      const i = 1 + (l % (all.length - 1));
      const nicId = truth.point.journal?.match(/"nicId":"([0-9a-f-]{36})"/)?.[1] ?? "";
      all[i] = `${"0".repeat(64)} ${JSON.stringify(pick(SHAPES, s)(nicId))}\n`;
      const text = resign(all, i);
      const tally = counts["wrong shape (journal)"]?.error ?? 0;
      await check("wrong shape (journal)", truth, truth.point.record, text, false, `line ${i + 1}`);
      assert.equal(counts["wrong shape (journal)"]?.error, tally + 1, `line ${i + 1} accepted`);
      await assert.rejects(
        load(truth.scenario.podId, truth.point.record, text),
        (e: unknown) => e instanceof StoreError && e.message.includes(`line ${i + 1}:`),
      );
    }),
  ));

const RECORD_SHAPES: ((s: Record<string, unknown>) => unknown)[] = [
  () => null,
  () => ({}),
  () => [],
  (s) => ({ ...s, schemaVersion: 3 }),
  (s) => ({ ...s, state: "Bogus" }),
  (s) => ({ ...s, operation: "dance" }),
  (s) => ({ ...s, bindings: null }),
  (s) => ({ ...s, bindings: [{}] }),
  (s) => ({ ...s, podId: "another-pod" }),
  (s) => ({ ...s, extra: 1 }),
  (s) => ({
    ...s,
    bindings: (s.bindings as Record<string, unknown>[]).map((b) => ({
      ...b,
      progress: { "guest-prepare": "none", "vm-add": "halfway", "guest-attach": "none" },
    })).concat([{} as never]),
  }),
];

Deno.test("a record of the wrong shape is a StoreError, even with a valid checksum", () =>
  run(
    "wrong shape (record)",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, s, g) => {
      const truth = pick(truths, t);
      const text = truth.point.record as string;
      const body = JSON.parse(text.slice(text.indexOf("\n") + 1)) as Record<string, unknown>;
      const forged = encodeRecord(JSON.stringify(pick(RECORD_SHAPES, s)(body)), 1 + (g % 9)).text;
      await check("wrong shape (record)", truth, forged, undefined, false, `shape ${s}`);
      assert.equal(counts["wrong shape (record)"]?.exact ?? 0, 0);
    }),
  ));

function generation(text: string | undefined): number {
  const header = (text ?? "").split("\n")[0] ?? "";
  return Number(/"generation":(\d+)/.exec(header)?.[1] ?? 0);
}

Deno.test("a journal of another generation: an older one (a rewrite's crash window) is dropped, a newer one is a StoreError", () =>
  run(
    "journal of another generation",
    fc.asyncProperty(fc.nat(), fc.nat(), fc.nat(), async (t, o, _) => {
      const truth = pick(truths, t);
      const mine = generation(truth.point.record);
      const others = truths.filter((d) =>
        d.scenario.name === truth.scenario.name && d.point.journal !== undefined &&
        generation(d.point.journal) !== mine
      );
      if (others.length === 0) return;
      const other = pick(others, o);
      const older = generation(other.point.journal) < mine;
      const tally = { ...counts["journal of another generation"] };
      await check(
        "journal of another generation",
        truth,
        truth.point.record,
        other.point.journal,
        // Put in the place of the record's own journal, an older one is as
        // good as no journal: the record's own state, older than the truth.
        older && truth.point.journal !== undefined,
        `journal of write ${other.point.index}`,
      );
      const now = counts["journal of another generation"];
      if (older && truth.point.journal === undefined) {
        assert.equal(now?.exact, (tally.exact ?? 0) + 1, "an older journal is dropped");
      } else if (older) assert.equal(now?.older, (tally.older ?? 0) + 1, "the record's state");
      else assert.equal(now?.error, (tally.error ?? 0) + 1, "a newer journal is refused");
    }),
  ));

Deno.test("every kind got its samples", () => {
  const summary = Object.entries(counts).map(([kind, c]) =>
    `${kind}: ${c.exact + c.older + c.error} samples, ${c.exact} exact, ${c.older} older, ` +
    `${c.error} StoreError`
  );
  console.log(
    `${truths.length} write points of ${scenarios.length} runs; ${tornDown.size} teardowns\n` +
      summary.join("\n"),
  );
  assert.equal(Object.keys(counts).length, 11);
  for (const [kind, c] of Object.entries(counts)) {
    assert.ok(c.exact + c.older + c.error >= SAMPLES - 50, `${kind}: ${JSON.stringify(c)}`);
  }
});

addEventListener("unload", () => Deno.removeSync(dir, { recursive: true }));
