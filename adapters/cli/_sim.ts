import type { JsonObject } from "../../ports/json.ts";
import { isSimOp } from "../sim/operations.ts";
import { SimulatedHost } from "../sim/simulated_host.ts";
import { defaultFixture } from "../sim/default_fixture.ts";
import type { FaultAction } from "../sim/fault_plan.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import { FAILABLE_STEPS } from "./fault_steps.ts";
import type { Ctx } from "./_command.ts";
import { guestOf, logFormat, nonEmpty, parse, required, usage, usageFrom } from "./_options.ts";

const SIM_COMMON_HELP = `  --json                    print exactly one JSON document on stdout
  --verbose, --log-format text|json
                            podnet's log records on stderr
  -h, --help                this text

Exit codes: 0 done, 1 failed, 2 bad usage or input (nothing was changed).`;

/** `podnet sim init --help`. */
export const SIM_INIT_HELP =
  `Usage: deno task podnet sim init --sim-state FILE --guest lcow|wcow [options]

Creates a simulated Windows host kept in FILE: a running utility VM with an
LCOW or WCOW guest, and the HCN namespace and endpoints of a fixture. Every
podnet process given --host sim --sim-state FILE then drives this one host;
each call updates FILE atomically, under a lock. FILE must not exist yet.

  --sim-state FILE          the file to create
  --guest lcow|wcow         the VM's guest
  --fixture PATH            an HCN namespace and its endpoints as JSON
                            (default: the 3-NIC pod of adapters/sim/fixtures/pod-3nic.json)
  --vm ID                   the VM's compute system ID (default podnet-uvm-1)
  --latency-ms N            every call takes N milliseconds (default 0)
${SIM_COMMON_HELP}

--json prints {"simState", "vmId", "guest", "namespaceId", "endpointIds"}.`;

/** `podnet sim inventory --help`. */
export const SIM_INVENTORY_HELP = `Usage: deno task podnet sim inventory --sim-state FILE [options]

Prints what the simulated host holds that podnet could leak: NICs on the VM,
adapters and namespaces in the guest. With --json, one object whose arrays are
all empty when nothing is left:
{"vmNics": [], "guestAdapters": [], "guestNamespaces": [], "openHandles": 0}
(openHandles counts this process's handles: 0).

  --sim-state FILE          the simulated host
${SIM_COMMON_HELP}`;

const ACTIONS = ["fail", "hang", "hang-after", "vm-gone", "guest-gone"] as const;

/** `podnet sim fault --help`. */
export const SIM_FAULT_HELP =
  `Usage: deno task podnet sim fault --sim-state FILE [--action ACTION] STEP[:N]

Arms a fault on the Nth call (default the 1st) of STEP made by any process
from now on. It fires once.

  STEP                      a controller step: ${Object.keys(FAILABLE_STEPS).join(", ")};
                            a simulator operation (vm.add-nic, HcnOpenEndpoint...);
                            or any (every call but the close calls)
  --action fail             the call fails with E_FAIL, nothing applied (default)
  --action hang             the call never returns, nothing applied
  --action hang-after       the call is applied, then never returns (its answer is
                            lost): kill the process there to crash it after the call
  --action vm-gone          the VM stops, then the call goes on
  --action guest-gone       the guest connection closes, then the call goes on
  --sim-state FILE          the simulated host
${SIM_COMMON_HELP}

A held call (hang, hang-after) is logged at info as "... is held by a hang
fault" (with --verbose), so a test can kill the process at that moment.`;

/** `podnet sim --help`. */
export const SIM_HELP = `Usage: deno task podnet sim <init|inventory|fault|endpoint> [options]

A simulated Windows host kept in a file, shared by podnet processes:
  init        create it from a fixture
  inventory   what it holds that podnet could leak
  fault       arm a failure, a hang or a lost VM or guest at a chosen call
  endpoint    add an endpoint to the namespace, or remove one, while pods run

Run deno task podnet sim <command> --help for its options.`;

const COMMON = {
  "sim-state": { type: "string" },
  json: { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  "log-format": { type: "string", default: "text" },
  help: { type: "boolean", short: "h", default: false },
} as const;

/** `podnet sim init`. */
export async function simInit(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, {
    ...COMMON,
    guest: { type: "string" },
    fixture: { type: "string" },
    vm: { type: "string" },
    "latency-ms": { type: "string" },
  });
  const path = required(values["sim-state"], "sim-state");
  const guest = guestOf(required(values.guest, "guest"));
  const vmId = nonEmpty(values.vm, "vm") ?? "podnet-uvm-1";
  const latency = values["latency-ms"] === undefined ? undefined : Number(values["latency-ms"]);
  if (latency !== undefined && (!Number.isFinite(latency) || latency < 0)) {
    throw usage(`--latency-ms must be a number >= 0, not ${JSON.stringify(values["latency-ms"])}`);
  }
  await ctx.startLogging(values.verbose, logFormat(values["log-format"]));
  const fixturePath = nonEmpty(values.fixture, "fixture");
  let fixture: unknown;
  try {
    fixture = fixturePath === undefined
      ? await defaultFixture()
      : JSON.parse(await Deno.readTextFile(fixturePath));
  } catch (cause) {
    throw usage(`Cannot read fixture ${fixturePath}`, { cause });
  }
  const host = new SimulatedHost({ guest, vmId, ...(latency === undefined ? {} : { latency }) });
  try {
    host.loadFixture(fixture);
  } catch (cause) {
    throw usage(`Cannot load fixture ${fixturePath ?? "adapters/sim/fixtures/pod-3nic.json"}`, {
      cause,
    });
  }
  const state = host.exportState();
  try {
    SimulatedHost.createFile(path, state);
  } catch (cause) {
    throw usageFrom(`create the simulated host ${path}`, cause);
  }
  const namespaceId = String(state.namespaces[0]?.["ID"]);
  const endpointIds = state.endpoints.map((e) => String(e["ID"]));
  ctx.say(
    `simulated host ${path}: VM ${vmId} (${guest.toUpperCase()}), namespace ${namespaceId} ` +
      `with ${endpointIds.length} endpoint${endpointIds.length === 1 ? "" : "s"}`,
  );
  ctx.emit({ simState: path, vmId, guest, namespaceId, endpointIds });
  return EXIT_CODES.OK;
}

function open(path: string): SimulatedHost {
  try {
    return SimulatedHost.openFile(path);
  } catch (cause) {
    throw usageFrom(`open the simulated host ${path}`, cause);
  }
}

/** `podnet sim inventory`. */
export async function simInventory(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values } = parse(args, COMMON);
  const path = required(values["sim-state"], "sim-state");
  await ctx.startLogging(values.verbose, logFormat(values["log-format"]));
  const host = open(path);
  const inventory = host.inventory();
  const list = (ids: readonly string[]) => ids.length === 0 ? "none" : ids.join(", ");
  ctx.say(`VM NICs: ${list(inventory.vmNics)}`);
  for (const nic of host.vmNics()) {
    const iov = nic.iovSettings;
    if (iov === undefined) continue;
    ctx.say(
      `  NIC ${nic.id} IOV: weight ${iov.OffloadWeight ?? "-"}, queue pairs ` +
        `${iov.QueuePairsRequested ?? "-"}, moderation ${iov.InterruptModeration ?? "-"}`,
    );
  }
  ctx.say(`guest adapters: ${list(inventory.guestAdapters)}`);
  ctx.say(`guest namespaces: ${list(inventory.guestNamespaces)}`);
  ctx.emit(inventory);
  return EXIT_CODES.OK;
}

function actionOf(name: string): FaultAction {
  switch (name) {
    case "fail":
      return { type: "hresult", hresult: 0x80004005, message: "injected by podnet sim fault" };
    case "hang":
      return { type: "hang" };
    case "hang-after":
      return { type: "hang", applied: true };
    case "vm-gone":
      return { type: "vm-gone" };
    case "guest-gone":
      return { type: "guest-gone" };
    default:
      throw usage(`--action must be one of ${ACTIONS.join(", ")}, not ${JSON.stringify(name)}`);
  }
}

/** `podnet sim fault`. */
export async function simFault(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values, positionals } = parse(args, {
    ...COMMON,
    action: { type: "string", default: "fail" },
  }, true);
  const path = required(values["sim-state"], "sim-state");
  const action = actionOf(values.action);
  if (positionals.length !== 1) throw usage("give one STEP[:N] argument");
  const spec = positionals[0] ?? "";
  const m = /^([A-Za-z.-]+)(?::([1-9][0-9]*))?$/.exec(spec);
  const step = m?.[1] ?? "";
  const on = step === "any" ? "*" : FAILABLE_STEPS[step] ?? (isSimOp(step) ? step : undefined);
  const nth = Number(m?.[2] ?? "1");
  if (m === null || on === undefined || !Number.isSafeInteger(nth)) {
    throw usage(`unknown step ${JSON.stringify(spec)} argument`);
  }
  await ctx.startLogging(values.verbose, logFormat(values["log-format"]));
  const host = open(path);
  try {
    host.faults.inject({ on, nth, action });
  } catch (cause) {
    throw usage(`Cannot arm ${spec}`, { cause });
  }
  ctx.say(`armed on ${path}: ${values.action} at call ${nth} of ${step} (${on})`);
  ctx.emit({ on, nth, action });
  return EXIT_CODES.OK;
}

/** `podnet sim endpoint --help`. */
export const SIM_ENDPOINT_HELP =
  `Usage: deno task podnet sim endpoint add --sim-state FILE (--document PATH | --document-text JSON) [--namespace ID]
       deno task podnet sim endpoint remove --sim-state FILE --endpoint ID [--keep-endpoint]

Changes the HCN namespace of the simulated host while pods run, as CNI does:
  add       creates the endpoint of the document (an HCN endpoint document
            with an ID GUID not yet in use) and lists it last in the
            namespace; its HostComputeNamespace is set when absent
  remove    takes the endpoint out of its namespace and deletes it; with
            --keep-endpoint it only leaves the namespace

  --sim-state FILE          the simulated host
  --document PATH           add: the endpoint document, a JSON file
  --document-text JSON      add: the endpoint document itself
  --namespace ID            add: the namespace (default: the host's only one)
  --endpoint ID             remove: the endpoint
  --keep-endpoint           remove: keep the endpoint, only leave the namespace
${SIM_COMMON_HELP}

--json prints {"action", "endpointId", "namespaceIds"}.`;

async function endpointDocument(
  path: string | undefined,
  text: string | undefined,
): Promise<JsonObject> {
  if ((path === undefined) === (text === undefined)) {
    throw usage("give one of --document PATH or --document-text JSON");
  }
  let raw: unknown;
  try {
    raw = JSON.parse(path === undefined ? text ?? "" : await Deno.readTextFile(path));
  } catch (cause) {
    throw usage(`Cannot read the endpoint document ${path ?? "of --document-text"}`, { cause });
  }
  if (typeof raw !== "object" || raw === null || Array.isArray(raw)) {
    throw usage("the endpoint document must be a JSON object");
  }
  return raw as JsonObject;
}

function onlyNamespace(host: SimulatedHost): string {
  const ids = host.exportState().namespaces.map((n) => String(n["ID"]));
  const [only] = ids;
  if (only === undefined || ids.length > 1) {
    throw usage(`the host holds ${ids.length} namespaces: give --namespace`);
  }
  return only;
}

/** `podnet sim endpoint add|remove`. */
export async function simEndpoint(ctx: Ctx, args: string[]): Promise<ExitCode> {
  const { values, positionals } = parse(args, {
    ...COMMON,
    document: { type: "string" },
    "document-text": { type: "string" },
    namespace: { type: "string" },
    endpoint: { type: "string" },
    "keep-endpoint": { type: "boolean", default: false },
  }, true);
  const [action, ...extra] = positionals;
  if ((action !== "add" && action !== "remove") || extra.length > 0) {
    throw usage("give add or remove (see: podnet sim endpoint --help)");
  }
  const path = required(values["sim-state"], "sim-state");
  const document = action === "add"
    ? await endpointDocument(
      nonEmpty(values.document, "document"),
      nonEmpty(values["document-text"], "document-text"),
    )
    : undefined;
  const endpoint = action === "remove" ? required(values.endpoint, "endpoint") : undefined;
  await ctx.startLogging(values.verbose, logFormat(values["log-format"]));
  const host = open(path);
  if (document !== undefined) {
    const namespaceId = nonEmpty(values.namespace, "namespace") ?? onlyNamespace(host);
    let endpointId: string;
    try {
      endpointId = host.addNamespaceEndpoint(namespaceId, document);
    } catch (cause) {
      throw usage(`Cannot add the endpoint to namespace ${namespaceId}`, { cause });
    }
    ctx.say(`endpoint ${endpointId} added to namespace ${namespaceId} on ${path}`);
    ctx.emit({ action, endpointId, namespaceIds: [namespaceId] });
    return EXIT_CODES.OK;
  }
  const endpointId = endpoint ?? "";
  let namespaceIds: string[];
  try {
    namespaceIds = host.removeNamespaceEndpoint(endpointId, {
      keepEndpoint: values["keep-endpoint"],
    });
  } catch (cause) {
    throw usage(`Cannot remove the endpoint ${endpointId}`, { cause });
  }
  const from = namespaceIds.length === 0 ? "no namespace" : `namespace ${namespaceIds.join(", ")}`;
  ctx.say(
    `endpoint ${endpointId} ${values["keep-endpoint"] ? "taken out of" : "deleted from"} ${from}`,
  );
  ctx.emit({ action, endpointId, namespaceIds });
  return EXIT_CODES.OK;
}
