/**
 * `deno task podnet`: the operator's command line. Sets up, tears down,
 * shows and recovers pods across processes, over the real Windows host or a
 * simulated one kept in a file, with output a program can parse.
 *
 * ```
 * deno task podnet <setup|teardown|status|list|recover|sim> [options]
 * ```
 *
 * @module
 */
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import { type Ctx, runCommand } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { Output } from "./_output.ts";

export type { Output } from "./_output.ts";

const USAGE = `Usage: deno task podnet <command> [options]

The network of pods in Hyper-V utility VMs, across processes.

Commands:
  setup      hot-add the pod's NICs to its VM and wire them into the guest
  teardown   undo everything recorded for a pod
  nic        add, remove or update one NIC of a running pod: nic add|remove|update
  sync       bring a running pod's NICs in line with its namespace
  status     what is recorded for a pod (or every pod)
  list       every pod with a record, one line each
  recover    tear down what crashed or killed processes left mid-operation
  sim        a simulated host kept in a file: sim init | sim inventory | sim fault | sim endpoint

Run deno task podnet <command> --help for its options.

${COMMON_HELP}`;

/** A command: its `--help` text and what runs it. */
type Command = readonly [help: string, run: (ctx: Ctx, args: string[]) => Promise<ExitCode>];

/**
 * Every command, one line each, loaded when named: a command pays for the
 * modules it reaches and no others (`status` never loads the controller,
 * the simulator or the FFI bindings). To add one, add its line here and to
 * `USAGE`; a name of two words (`"sim init"`) makes its first word a group,
 * whose `--help` is in `GROUP_HELP`.
 */
const COMMANDS: Readonly<Record<string, () => Promise<Command>>> = {
  setup: () => import("./_setup.ts").then((m) => [m.SETUP_HELP, m.setup]),
  teardown: () => import("./_teardown.ts").then((m) => [m.TEARDOWN_HELP, m.teardown]),
  status: () => import("./_status.ts").then((m) => [m.STATUS_HELP, m.status]),
  list: () => import("./_status.ts").then((m) => [m.LIST_HELP, m.list]),
  recover: () => import("./_recover.ts").then((m) => [m.RECOVER_HELP, m.recover]),
  "sim init": () => import("./_sim.ts").then((m) => [m.SIM_INIT_HELP, m.simInit]),
  "sim inventory": () => import("./_sim.ts").then((m) => [m.SIM_INVENTORY_HELP, m.simInventory]),
  "sim fault": () => import("./_sim.ts").then((m) => [m.SIM_FAULT_HELP, m.simFault]),
  "sim endpoint": () => import("./_sim.ts").then((m) => [m.SIM_ENDPOINT_HELP, m.simEndpoint]),
  nic: () => import("./_nic.ts").then((m) => [m.NIC_HELP, m.nic]),
  sync: () => import("./_sync.ts").then((m) => [m.SYNC_HELP, m.sync]),
};

/** The `--help` of each group of commands (`podnet sim --help`). */
const GROUP_HELP: Readonly<Record<string, () => Promise<string>>> = {
  sim: () => import("./_sim.ts").then((m) => m.SIM_HELP),
};

/** The commands of a group (`["init", "inventory", "fault"]` for `sim`); none for a command. */
function subcommands(group: string): string[] {
  return Object.keys(COMMANDS).filter((k) => k.startsWith(`${group} `)).map((k) =>
    k.slice(group.length + 1)
  );
}

/**
 * Runs one `podnet` command line and returns its exit code (see
 * `EXIT_CODES`: 0 done, 1 failed, 2 bad usage or input, 3 pod busy). Lines
 * go to `io`; with `--json`, `io.out` gets exactly one JSON document.
 * Needs `--allow-read` and `--allow-write` (state directory, simulated host
 * file), `--allow-env=SystemRoot,ProgramData` and, for `--host windows`,
 * `--allow-ffi`.
 *
 * @param args the command line after `podnet`
 * @param io where lines go
 */
export async function runPodnet(args: readonly string[], io: Output): Promise<ExitCode> {
  const [first, second] = args;
  if (first === undefined) {
    io.err(USAGE);
    return EXIT_CODES.USAGE;
  }
  if (first === "--help" || first === "-h" || first === "help") {
    io.out(USAGE);
    return EXIT_CODES.OK;
  }
  const group = subcommands(first);
  if (group.length > 0 && (second === undefined || second.startsWith("-"))) {
    const help = Object.hasOwn(GROUP_HELP, first) ? GROUP_HELP[first] : undefined;
    if ((second === "--help" || second === "-h") && help !== undefined) {
      io.out(await help());
      return EXIT_CODES.OK;
    }
    const names = `${group.slice(0, -1).join(", ")} or ${group.at(-1)}`;
    io.err(`podnet ${first}: give a command: ${names} (see: podnet ${first} --help)`);
    return EXIT_CODES.USAGE;
  }
  const name = group.length > 0 ? `${first} ${second}` : first;
  const rest = args.slice(group.length > 0 ? 2 : 1);
  const load = Object.hasOwn(COMMANDS, name) ? COMMANDS[name] : undefined;
  if (load === undefined) {
    io.err(`podnet: unknown command ${JSON.stringify(name)} (see: podnet --help)`);
    if (rest.includes("--json")) {
      io.out(
        JSON.stringify({
          error: { code: "USAGE", message: `unknown command ${name}` },
          exitCode: 2,
        }),
      );
    }
    return EXIT_CODES.USAGE;
  }
  const [help, run] = await load();
  return await runCommand(name, rest, io, help, (ctx) => run(ctx, rest));
}

if (import.meta.main) {
  const command = Deno.args[0] ?? "";
  if (Object.hasOwn(COMMANDS, command) || subcommands(command).length > 0) {
    // One command per process: zod's generated parsers (it writes one per
    // object schema on its first parse) cost more to generate than they
    // save in a process that reads a handful of documents.
    (await import("zod")).config({ jitless: true });
  }
  const code = await runPodnet(Deno.args, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  Deno.exit(code);
}
