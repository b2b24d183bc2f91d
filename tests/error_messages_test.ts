/**
 * Messages say each thing once: printed with their causes as the CLI prints
 * them, real failures of the whole stack on the simulated host state no
 * sentence, action or ID twice; every error class builds "Cannot <action>:
 * <reason>"; and no plain `Error` is thrown in domain/ or adapters/.
 */
import assert from "node:assert/strict";
import { fileURLToPath } from "node:url";
import { join, relative } from "node:path";
import {
  CancelledError,
  GuestUnavailableError,
  HResultError,
  InvalidArgumentError,
  InvalidHostDataError,
  InvalidStateError,
  NativeLoadError,
  NotFoundError,
  OperationTimeoutError,
  PodnetError,
  ResetError,
  SetupError,
  SnapshotError,
  StoreError,
  TeardownError,
  TeardownStepError,
  VmUnavailableError,
} from "../domain/errors.ts";
import { HRESULT } from "../adapters/dll/hresult.ts";
import { oneLine } from "../adapters/cli/_output.ts";
import { simStack } from "./_helpers/sim_stack.ts";

const POD = "pod-m";

function stack(guest: "lcow" | "wcow", timeoutMs = 1_000) {
  return simStack(guest, { podId: POD, timeoutMs });
}

/** The message, then each cause's, joined with ": ", with nothing left out. */
function withCauses(error: unknown): string {
  const parts: string[] = [];
  for (let e: unknown = error; e !== undefined; e = e instanceof Error ? e.cause : undefined) {
    parts.push(e instanceof Error ? e.message : String(e));
  }
  return parts.join(": ");
}

/** The "Cannot ..." sentences of a printed chain, each with its reason. */
function sentences(line: string): string[] {
  return line.split(/(?=Cannot )/).map((s) => s.replace(/:\s*$/, "").trim()).filter(Boolean);
}

/** Asserts that a printed chain states no sentence, action or ID twice. */
function assertSaidOnce(line: string, ids: readonly string[]): void {
  const said = sentences(line);
  assert.ok(said.length >= 2, `a chain of causes: ${line}`);
  assert.equal(new Set(said).size, said.length, `a sentence twice: ${line}`);
  // The action of each sentence: its first words up to the reason.
  const actions = said.map((s) => s.split(": ")[0] ?? s);
  assert.equal(new Set(actions).size, actions.length, `an action twice: ${line}`);
  // The same action in other words ("hot-remove NIC a" / "remove NIC a")
  // would name the same object twice.
  for (const id of ids) {
    const count = line.split(id).length - 1;
    assert.ok(count <= 1, `${id} appears ${count} times: ${line}`);
  }
}

for (const guest of ["lcow", "wcow"] as const) {
  Deno.test(`${guest}: a teardown failing on a step failing on an HRESULT says each thing once`, async () => {
    const { host, ports, controller } = stack(guest);
    await controller.setup();
    const binding = controller.bindings[1];
    assert.ok(binding !== undefined);
    host.faults.inject({
      on: "vm.remove-nic",
      nth: 2,
      action: { type: "hresult", hresult: HRESULT.E_FAIL, message: "Unspecified error" },
    });
    const error = await controller.teardown().then(() => undefined, (e: unknown) => e);

    // Three levels: the teardown, its step, the HRESULT.
    assert.ok(error instanceof TeardownError, String(error));
    assert.equal(error.errors.length, 1);
    const step = error.errors[0];
    assert.ok(step instanceof TeardownStepError);
    assert.equal(step.step, "vm-remove");
    const hresult = step.cause;
    assert.ok(hresult instanceof HResultError, String(hresult));
    assert.equal(hresult.hresult, HRESULT.E_FAIL);

    // Printed as the CLI prints a failed teardown: the error, then each step.
    const top = oneLine(error);
    const stepLine = oneLine(step);
    assert.equal(top, `Cannot tear down the network of pod ${POD}: 1 step failed`);
    assert.equal(error.hint, "call teardown() again");
    const ids = [POD, binding.nicId, binding.endpointId];
    for (const line of [`${top}: ${stepLine}`, `${top}: ${withCauses(step)}`]) {
      assertSaidOnce(line, ids);
    }
    // The printer has nothing to drop: each level adds only its own context.
    assert.equal(stepLine, withCauses(step));
    assert.match(
      stepLine,
      new RegExp(`^Cannot finish step vm-remove for endpoint ${binding.endpointId}: `),
    );
    assert.match(
      stepLine,
      /: Cannot complete \w+ComputeSystem: HRESULT 0x80004005: Unspecified error$/,
    );

    await controller.teardown();
    ports[Symbol.dispose]();
    assert.ok(host.isClean());
  });
}

Deno.test("a teardown step that times out names its NIC once", async () => {
  const { host, ports, controller } = stack("lcow", 50);
  await controller.setup();
  host.faults.inject({ on: "vm.remove-nic", action: { type: "hang" } });
  const error = await controller.teardown().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof TeardownError, String(error));
  const step = error.errors[0];
  assert.ok(step instanceof TeardownStepError);
  assert.ok(step.cause instanceof OperationTimeoutError, String(step.cause));
  const line = `${oneLine(error)}: ${withCauses(step)}`;
  assert.ok(step.nicId !== undefined && step.endpointId !== undefined);
  assertSaidOnce(line, [POD, step.nicId, step.endpointId]);
  assert.equal(
    withCauses(step),
    `Cannot finish step vm-remove for endpoint ${step.endpointId}: ` +
      `Cannot remove NIC ${step.nicId}: timed out after 50 ms`,
  );
  await controller.teardown();
  ports[Symbol.dispose]();
  assert.ok(host.isClean());
});

Deno.test("a setup failing on a step failing on an HRESULT says each thing once", async () => {
  const { host, ports, controller } = stack("lcow");
  host.faults.inject({
    on: "vm.add-nic",
    nth: 2,
    action: { type: "hresult", hresult: HRESULT.E_FAIL, message: "Unspecified error" },
  });
  const error = await controller.setup().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SetupError, String(error));
  assert.equal(error.rolledBack, true);
  const line = withCauses(error);
  assert.equal(oneLine(error), line);
  assertSaidOnce(line, [POD]);
  assert.match(
    line,
    new RegExp(
      `^Cannot set up the network of pod ${POD}: Cannot complete HcsModifyComputeSystem: `,
    ),
  );
  ports[Symbol.dispose]();
  assert.ok(host.isClean());
});

Deno.test("a guest that goes away during setup is said once, with the step's own action", async () => {
  const { host, ports, controller } = stack("lcow");
  host.faults.inject({ on: "guest.nic-add", nth: 2, action: { type: "guest-gone" } });
  const error = await controller.setup().then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SetupError, String(error));
  assert.ok(error.cause instanceof GuestUnavailableError, String(error.cause));
  const line = withCauses(error);
  assert.equal(oneLine(error), line);
  assertSaidOnce(line, [POD]);
  assert.match(line, /: Cannot attach NIC \S+: the guest connection is closed: Cannot complete /);
  ports[Symbol.dispose]();
});

Deno.test("a reset failing on taking the source's NICs off names the pod once", () => {
  const hr = new HResultError("HcsModifyComputeSystem", HRESULT.E_FAIL);
  const step = new TeardownStepError("vm-remove", hr, "3f2a", "b1e2");
  const reset = new ResetError(
    "pod-a",
    new TeardownError("pod-a", [step], { action: "take the source's NICs off" }),
  );
  const line = withCauses(reset);
  assert.equal(
    line,
    "Cannot reset the network of pod pod-a after migration: " +
      "Cannot take the source's NICs off: 1 step failed",
  );
  assertSaidOnce(line, ["pod-a"]);
  assertSaidOnce(`${line}: ${withCauses(step)}`, ["pod-a", "b1e2"]);
});

Deno.test("every error class builds 'Cannot <action>: <reason>' from fields of its own", () => {
  const hr = new HResultError("HcsModifyComputeSystem", HRESULT.E_FAIL);
  const errors: PodnetError[] = [
    new InvalidArgumentError("namespaceId", "not a GUID"),
    new InvalidStateError("setup", "TornDown"),
    new InvalidStateError("teardown", "Configuring"),
    new NotFoundError("endpoint", "b1e2"),
    new GuestUnavailableError("detach NIC 3f2a", "the guest connection is closed", { cause: hr }),
    new VmUnavailableError("remove NIC 3f2a", "the VM is gone", { cause: hr }),
    new OperationTimeoutError("add NIC 3f2a", 30_000),
    hr,
    new CancelledError("setup", "a teardown was requested"),
    new SetupError("pod-a", false, hr),
    new ResetError("pod-a", hr),
    new TeardownStepError("vm-remove", hr, "3f2a", "b1e2"),
    new SnapshotError("schemaVersion must be 1"),
    new StoreError("write the state of pod pod-a", "the disk is full"),
    new NativeLoadError("load computenetwork.dll", "FFI is not permitted", {
      hint: "run Deno with --allow-ffi",
    }),
    new InvalidHostDataError("endpoint b1e2", "IpConfigurations", "must be an array"),
  ];
  for (const e of errors) {
    assert.match(e.message, /^Cannot [a-z]/, e.name);
    const expected = e.reason === undefined
      ? `Cannot ${e.action}`
      : `Cannot ${e.action}: ${e.reason}`;
    assert.equal(e.message, expected, e.name);
    assert.doesNotMatch(e.message, /Cannot \w+:|call \w+\(\)|run Deno/, `no advice: ${e.name}`);
  }
  assert.equal(
    new InvalidStateError("setup", "TornDown").message,
    "Cannot set up: the controller is TornDown",
  );
  const setup = new SetupError("pod-a", false, hr);
  assert.equal(setup.message, "Cannot set up the network of pod pod-a");
  assert.equal(setup.hint, "nothing was rolled back: call teardown()");
  assert.equal(
    new SetupError("pod-a", false, hr, new TeardownError("pod-a", [])).hint,
    "the rollback did not complete: call teardown() again",
  );
  assert.equal(new ResetError("pod-a", hr).hint, "call resetAfterMigration() again, or teardown()");
  const teardown = new TeardownError("pod-a", [new TeardownStepError("vm-remove", hr, "3f2a")]);
  assert.equal(teardown.message, "Cannot tear down the network of pod pod-a: 1 step failed");
  assert.ok(teardown instanceof PodnetError);
});

Deno.test("no plain Error is thrown in domain/ or adapters/ (not even in examples)", async () => {
  const root = fileURLToPath(new URL("..", import.meta.url));
  const found: string[] = [];
  async function walk(dir: string): Promise<void> {
    for await (const entry of Deno.readDir(dir)) {
      const path = join(dir, entry.name);
      if (entry.isDirectory) await walk(path);
      else if (entry.isFile && /\.(ts|js|md)$/.test(entry.name)) {
        const lines = (await Deno.readTextFile(path)).split("\n");
        lines.forEach((line, i) => {
          if (line.includes("new Error(")) {
            found.push(`${relative(root, path)}:${i + 1}: ${line.trim()}`);
          }
        });
      }
    }
  }
  await walk(join(root, "domain"));
  await walk(join(root, "adapters"));
  assert.deepEqual(found, []);
});
