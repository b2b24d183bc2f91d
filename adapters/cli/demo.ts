/**
 * `deno task demo`: a full setup and teardown of one pod on the simulated
 * Windows host, shown step by step, with optional fault injection.
 *
 * ```
 * deno task demo [--guest lcow|wcow] [--fixture PATH] [--fail STEP[:N]] [--timeline] [--json]
 *   [--verbose] [--log-format text|json]
 * ```
 *
 * @module
 */
import { parseArgs } from "node:util";
import { NetworkController } from "../../domain/network_controller.ts";
import type { ControllerEvent } from "../../domain/controller_event.ts";
import type { NicBinding } from "../../domain/binding.ts";
import { hintOf } from "./_output.ts";
import { PodnetError, SetupError, TeardownError } from "../../domain/errors.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { createPorts } from "../create_ports.ts";
import { SimulatedHost } from "../sim/simulated_host.ts";
import { defaultFixture } from "../sim/default_fixture.ts";
import type { Inventory } from "../sim/inventory.ts";
import type { TraceEntry } from "../sim/trace_entry.ts";
import { FAILABLE_STEPS } from "./fault_steps.ts";
import { startLogging } from "./_logging.ts";
import { Timeline } from "./_timeline.ts";
import type { LatencyProfile } from "../sim/latency.ts";

/** Call latencies of the simulated host under `--timeline`, of the order a real host shows. */
const TIMELINE_LATENCY: LatencyProfile = {
  "vm.add-nic": { minMs: 40, maxMs: 80 },
  "vm.remove-nic": { minMs: 30, maxMs: 60 },
  "vm.update-nic": { minMs: 10, maxMs: 20 },
  "guest.namespace-add": { minMs: 8, maxMs: 15 },
  "guest.namespace-remove": { minMs: 8, maxMs: 15 },
  "guest.nic-add": { minMs: 10, maxMs: 25 },
  "guest.nic-preadd": { minMs: 5, maxMs: 10 },
  "guest.nic-remove": { minMs: 10, maxMs: 20 },
  "*": { minMs: 1, maxMs: 3 },
};

export { FAILABLE_STEPS } from "./fault_steps.ts";

const INJECTED = 0x80004005;

const USAGE = `Usage: deno task demo [options]

Sets up and tears down the network of one pod on a simulated Windows host.

Options:
  --guest lcow|wcow    guest operating system (default lcow)
  --fixture PATH       HCN namespace and endpoints as JSON (default: the 3-NIC pod)
  --fail STEP[:N]      fail the Nth call (default 1st) of STEP with E_FAIL, to watch
                       the rollback; STEP is one of:
                       ${Object.keys(FAILABLE_STEPS).join(", ")}
  --timeline           give the simulated host call latencies like a real one's and,
                       after each operation, draw a waterfall of its steps
                       (host =, guest #, read -)
  --json               print one JSON document instead of the step log
  --verbose            also print podnet's log records (LogTape) to stderr
  --log-format FORMAT  text (for people, the default) or json (one record a line)
  -h, --help           this text`;

/** What the demo prints in `--json` mode. */
export interface DemoReport {
  /** The pod. */
  readonly podId: string;
  /** The HCN namespace. */
  readonly namespaceId: string;
  /** The guest platform. */
  readonly guest: GuestPlatform;
  /** The bindings after setup, in attach order, with their guest names. */
  readonly bindings: readonly (NicBinding & { readonly guestName: string })[];
  /** Every state change. */
  readonly transitions: readonly { operation: string; from: string | null; to: string }[];
  /** Every call the simulated host received. */
  readonly trace: readonly TraceEntry[];
  /** What the simulated host still holds at the end. */
  readonly leftovers: Inventory;
  /** The failure, if the run failed. */
  readonly error?: { readonly code: string; readonly message: string };
}

interface Output {
  out(line: string): void;
  err(line: string): void;
}

/**
 * Runs the demo with the given arguments; returns the exit code (0 success,
 * 1 a setup or teardown failure, 2 bad usage). Needs `--allow-read` for a
 * fixture path.
 */
export async function runDemo(args: string[], io: Output): Promise<number> {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      strict: true,
      allowPositionals: false,
      options: {
        guest: { type: "string", default: "lcow" },
        fixture: { type: "string" },
        fail: { type: "string" },
        json: { type: "boolean", default: false },
        timeline: { type: "boolean", default: false },
        verbose: { type: "boolean", default: false },
        "log-format": { type: "string", default: "text" },
        help: { type: "boolean", short: "h", default: false },
      },
    });
  } catch (e) {
    io.err(`demo: ${e instanceof Error ? e.message : String(e)}\n\n${USAGE}`);
    return 2;
  }
  const v = parsed.values;
  if (v.help) {
    io.out(USAGE);
    return 0;
  }
  if (v.guest !== "lcow" && v.guest !== "wcow") {
    io.err(`demo: --guest must be lcow or wcow, not ${JSON.stringify(v.guest)}\n\n${USAGE}`);
    return 2;
  }
  const logFormat = v["log-format"];
  if (logFormat !== "text" && logFormat !== "json") {
    io.err(`demo: --log-format must be text or json, not ${JSON.stringify(logFormat)}\n\n${USAGE}`);
    return 2;
  }
  const guest: GuestPlatform = v.guest;
  let fault: { on: string; nth: number; step: string } | undefined;
  if (v.fail !== undefined) {
    const m = /^([a-z-]+)(?::([1-9][0-9]*))?$/.exec(v.fail);
    const on = m?.[1] === undefined ? undefined : FAILABLE_STEPS[m[1]];
    if (m === null || on === undefined || m[1] === undefined) {
      io.err(`demo: --fail: unknown step ${JSON.stringify(v.fail)}\n\n${USAGE}`);
      return 2;
    }
    fault = { on, nth: Number(m[2] ?? "1"), step: m[1] };
    if (guest === "lcow" && (on.startsWith("guest.namespace") || on === "guest.nic-preadd")) {
      io.err(`demo: --fail ${m[1]}: an LCOW guest has no such call (try --guest wcow)`);
      return 2;
    }
  }

  let fixture: unknown;
  try {
    fixture = v.fixture === undefined
      ? await defaultFixture()
      : JSON.parse(await Deno.readTextFile(v.fixture));
  } catch (e) {
    io.err(`demo: Cannot read fixture ${v.fixture}: ${e instanceof Error ? e.message : e}`);
    return 2;
  }

  const host = new SimulatedHost(
    v.timeline ? { guest, latency: TIMELINE_LATENCY, seed: 1 } : { guest },
  );
  let namespaceId: string;
  try {
    host.loadFixture(fixture);
    namespaceId = String((fixture as { namespace: { ID: unknown } }).namespace.ID);
  } catch (e) {
    io.err(`demo: Cannot load fixture: ${e instanceof Error ? e.message : e}`);
    return 2;
  }
  // Log records go to stderr, so that --json output stays one document.
  const stopLogging = v.verbose ? await startLogging(logFormat, io.err) : undefined;
  try {
    return await run(host, guest, namespaceId, fault, v.json, io, v.timeline);
  } finally {
    await stopLogging?.();
  }
}

async function run(
  host: SimulatedHost,
  guest: GuestPlatform,
  namespaceId: string,
  fault: { on: string; nth: number; step: string } | undefined,
  json: boolean,
  io: Output,
  withTimeline = false,
): Promise<number> {
  const podId = "demo-pod";
  const transitions: { operation: string; from: string | null; to: string }[] = [];
  const say = json ? () => {} : io.out;
  let lastNic: string | undefined;
  let stage: "setup" | "rollback" | "teardown" = "setup";
  let timeline = withTimeline ? new Timeline() : undefined;
  const drawTimeline = () => {
    if (timeline === undefined) return;
    say("");
    for (const line of timeline.lines()) say(line);
    timeline = new Timeline();
  };
  const onEvent = (e: ControllerEvent) => {
    timeline?.onEvent(e);
    if (e.type === "transition") {
      transitions.push({ operation: e.operation, from: e.from, to: e.to });
      say(`  state: ${e.from} -> ${e.to} (${e.operation})`);
      return;
    }
    if (e.phase === "start") return;
    if (e.nicId !== lastNic) {
      lastNic = e.nicId;
      if (e.nicId !== undefined) {
        say(`  NIC ${e.nicId} <-> endpoint ${e.endpointId} (${e.endpointName})`);
      }
    }
    const indent = e.nicId === undefined ? "  " : "    ";
    const why = e.phase === "failed" || e.phase === "gone" ? `: ${message(e.error)}` : "";
    say(`${indent}${e.step.padEnd(22)} ${e.phase}${why}`);
    if (e.phase === "failed" && stage === "setup") {
      stage = "rollback";
      say("  rolling back what setup did:");
    }
  };

  if (fault !== undefined) {
    host.faults.inject({
      on: fault.on,
      nth: fault.nth,
      action: { type: "hresult", hresult: INJECTED, message: `injected by --fail ${fault.step}` },
    });
  }

  using ports = createPorts({ hcn: host.hcn, hcs: host.hcs, vmId: host.vmId, guest });
  const controller = new NetworkController({ podId, namespaceId, onEvent }, ports);
  say(
    `podnet demo: pod ${podId}, namespace ${controller.namespaceId}, ${guest.toUpperCase()} guest`,
  );
  say(`simulated utility VM ${host.vmId}`);
  say("");
  say("setup:");
  let failure: unknown;
  let bindings: (NicBinding & { guestName: string })[] = [];
  try {
    await controller.setup();
    bindings = controller.bindings.map((b, i) => ({ ...b, guestName: `eth${i}` }));
    say("");
    say("bindings (attach order decides guest names):");
    for (const b of bindings) {
      say(
        `  ${b.guestName}  ${b.endpointName.padEnd(20)} NIC ${b.nicId}  endpoint ${b.endpointId}  ${
          b.macAddress ?? ""
        }`,
      );
    }
  } catch (e) {
    // The failed step was shown as it happened; the summary goes to stderr.
    failure = e;
  }
  drawTimeline();
  say("");
  say("teardown:");
  stage = "teardown";
  lastNic = undefined;
  if (controller.state === "TornDown") say("  nothing left to undo");
  for (let attempt = 1; attempt <= 2; attempt++) {
    try {
      await controller.teardown();
      break;
    } catch (e) {
      failure ??= e;
      // Each failed step was shown as it happened.
      const failed = e instanceof TeardownError ? ` (${e.errors.length} step(s) above)` : "";
      say(`teardown attempt ${attempt} failed${failed}`);
    }
  }
  drawTimeline();
  ports[Symbol.dispose]();
  const leftovers = host.inventory();
  say("");
  say(
    `leftovers: VM NICs ${leftovers.vmNics.length}, guest adapters ${leftovers.guestAdapters.length}, ` +
      `guest namespaces ${leftovers.guestNamespaces.length}, open handles ${leftovers.openHandles}`,
  );
  say(`final state: ${controller.state}`);
  if (json) {
    const report: DemoReport = {
      podId,
      namespaceId: controller.namespaceId,
      guest,
      bindings,
      transitions,
      trace: host.trace,
      leftovers,
      ...(failure === undefined ? {} : {
        error: {
          code: failure instanceof PodnetError ? failure.code : "UNKNOWN",
          message: message(failure),
        },
      }),
    };
    io.out(JSON.stringify(report, null, 2));
  }
  if (failure !== undefined) {
    // What failed inside was shown once, as it happened (or in the JSON
    // report); this line says what the demo was doing and how it ended.
    const ended = failure instanceof SetupError && failure.rolledBack ? " (rolled back)" : "";
    const hint = hintOf(failure);
    const advice = hint === undefined ? "" : ` (${hint})`;
    io.err(
      `demo: ${failure instanceof Error ? failure.message : String(failure)}${ended}${advice}`,
    );
    return 1;
  }
  if (fault !== undefined && host.faults.pending.length > 0) {
    io.err(`demo: --fail ${fault.step}:${fault.nth}: that step ran fewer times; nothing failed`);
    return 2;
  }
  return 0;
}

/**
 * One line: the error's message, then each cause's, outermost first; the
 * failed steps of an aggregate in brackets.
 */
function message(e: unknown): string {
  const parts: string[] = [];
  let c: unknown = e;
  while (c !== undefined && parts.length < 8) {
    if (!(c instanceof Error)) {
      parts.push(String(c));
      break;
    }
    const steps = c instanceof AggregateError ? ` [${c.errors.map(message).join("; ")}]` : "";
    parts.push(c.message + steps);
    c = c.cause;
  }
  return parts.join(" <- ");
}

if (import.meta.main) {
  const code = await runDemo(Deno.args, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  Deno.exit(code);
}
