import assert from "node:assert/strict";
import { NetworkController } from "../domain/network_controller.ts";
import {
  CONTROLLER_OPERATIONS,
  CONTROLLER_STATES,
  type ControllerOperation,
  type ControllerState,
  type TransitionAction,
  TRANSITIONS,
} from "../domain/state.ts";
import { HResultError, InvalidStateError } from "../domain/errors.ts";
import {
  normalizeTableBlock,
  renderTransitionTable,
  tableBlockOf,
} from "../domain/_transition_table.ts";
import { fileURLToPath } from "node:url";
import { FakeWorld, readFixture } from "./_fakes/fake_ports.ts";

const fixture = await readFixture("pod-3nic");
const NS = fixture.namespace.ID;
const EP0 = (fixture.endpoints[0]?.ID ?? "").toLowerCase();

async function inState(state: ControllerState) {
  const world = new FakeWorld("wcow").load(fixture);
  const ports = world.ports();
  const make = (rollbackOnSetupFailure = true) =>
    new NetworkController({ podId: "pod-t", namespaceId: NS, rollbackOnSetupFailure }, ports);
  let c: NetworkController;
  switch (state) {
    case "NotConfigured":
      c = make();
      break;
    case "Configured":
      c = make();
      await c.setup();
      break;
    case "Invalid":
      c = make(false);
      world.fail("addNic", () => new HResultError("HcsModifyComputeSystem", 0x80004005), 2);
      await assert.rejects(c.setup());
      break;
    case "TornDown":
      c = make();
      await c.setup();
      await c.teardown();
      break;
    case "SourceMigrating":
      c = make();
      await c.setup();
      await c.save();
      break;
    case "DestinationMigrating": {
      const src = make();
      await src.setup();
      c = NetworkController.import(JSON.stringify(await src.save()));
      break;
    }
  }
  assert.equal(c.state, state);
  world.calls.length = 0;
  return { c, world, ports };
}

const expected: Record<Exclude<TransitionAction, "reject" | "noop">, ControllerState | "same"> = {
  setup: "Configured",
  teardown: "TornDown",
  drop: "TornDown",
  snapshot: "SourceMigrating",
  "resume-source": "Configured",
  "bind-ports": "Configured",
  patch: "same",
  reset: "same",
  "add-endpoint": "same",
  "remove-endpoint": "same",
  "update-endpoint": "same",
  sync: "same",
  finish: "same",
};

function call(
  c: NetworkController,
  op: ControllerOperation,
  ports: ReturnType<FakeWorld["ports"]>,
): Promise<unknown> {
  switch (op) {
    case "setup":
      return c.setup();
    case "teardown":
      return c.teardown();
    case "save":
      return c.save();
    case "resume":
      return c.resume(ports);
    case "patch":
      return c.patch(NS.toUpperCase());
    case "resetAfterMigration":
      return c.resetAfterMigration();
    case "addEndpoint":
      return c.addEndpoint(EP0);
    case "removeEndpoint":
      return c.removeEndpoint(EP0);
    case "updateEndpoint":
      return c.updateEndpoint(EP0, { iov: { offloadWeight: 50 } });
    case "sync":
      return c.sync();
    case "finishInterrupted":
      return c.finishInterrupted();
  }
}

Deno.test("docs/architecture.md shows the table of domain/state.ts (deno task docs:table)", async () => {
  const doc = await Deno.readTextFile(
    fileURLToPath(new URL("../docs/architecture.md", import.meta.url)),
  );
  const block = tableBlockOf(doc);
  assert.ok(block !== undefined, "the transition table's markers are in the document");
  assert.equal(normalizeTableBlock(block), normalizeTableBlock(renderTransitionTable()));
});

Deno.test("the rendered table follows the data: one row per state, one column per operation", () => {
  const lines = renderTransitionTable().split("\n");
  const cells = (line: string | undefined) =>
    (line ?? "").split("|").slice(1, -1).map((c) => c.trim());
  assert.deepEqual(cells(lines[0]), ["state", ...CONTROLLER_OPERATIONS]);
  CONTROLLER_STATES.forEach((state, i) => {
    assert.deepEqual(cells(lines[i + 2]), [
      state,
      ...CONTROLLER_OPERATIONS.map((op) => `\`${TRANSITIONS[state][op]}\``),
    ]);
  });
});

Deno.test("the table has a cell for every state and operation", () => {
  for (const s of CONTROLLER_STATES) {
    assert.deepEqual(Object.keys(TRANSITIONS[s]).sort(), [...CONTROLLER_OPERATIONS].sort());
  }
});

for (const state of CONTROLLER_STATES) {
  for (const op of CONTROLLER_OPERATIONS) {
    const action = TRANSITIONS[state][op];
    Deno.test(`${state} x ${op}: ${action}`, async () => {
      const { c, world, ports } = await inState(state);
      const before = { bindings: c.bindings, calls: world.calls.length };
      if (action === "reject") {
        await assert.rejects(call(c, op, ports), (e: unknown) => {
          assert.ok(e instanceof InvalidStateError);
          assert.equal(e.code, "INVALID_STATE");
          assert.equal(e.state, state);
          assert.equal(e.operation, op);
          return true;
        });
        assert.equal(c.state, state, "a rejected call changes nothing");
        assert.deepEqual(c.bindings, before.bindings);
        assert.equal(world.calls.length, before.calls, "and calls nothing");
        return;
      }
      if (action === "noop") {
        await call(c, op, ports);
        assert.equal(c.state, state);
        assert.deepEqual(c.bindings, before.bindings);
        assert.equal(world.calls.length, before.calls);
        return;
      }
      await call(c, op, ports);
      const to = expected[action];
      assert.equal(c.state, to === "same" ? state : to);
      if (action === "drop") {
        assert.deepEqual(c.bindings, []);
        assert.equal(world.calls.length, before.calls, "drop touches nothing");
      }
      if (action === "teardown") assert.ok(world.clean, "teardown leaves nothing");
      if (action === "setup") assert.equal(c.bindings.length, 3);
      if (action === "remove-endpoint") {
        assert.deepEqual(
          c.bindings.map((b) => b.endpointId),
          before.bindings.filter((b) => b.endpointId !== EP0).map((b) => b.endpointId),
        );
      }
      if (action === "update-endpoint") {
        assert.deepEqual(c.bindings.find((b) => b.endpointId === EP0)?.iov, {
          settings: { offloadWeight: 50 },
          progress: "done",
        });
      }
      if (action === "add-endpoint" || action === "sync" || action === "finish") {
        assert.deepEqual(c.bindings, before.bindings, "nothing to add, remove or finish");
      }
    });
  }
}
