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
import { runCommand } from "./_command.ts";
import { COMMON_HELP } from "./_help.ts";
import type { Output } from "./_output.ts";
import { recover, RECOVER_HELP } from "./_recover.ts";
import { setup, SETUP_HELP } from "./_setup.ts";
import { nic, NIC_HELP } from "./_nic.ts";
import { sync, SYNC_HELP } from "./_sync.ts";
import {
  SIM_ENDPOINT_HELP,
  SIM_FAULT_HELP,
  SIM_HELP,
  SIM_INIT_HELP,
  SIM_INVENTORY_HELP,
  simEndpoint,
  simFault,
  simInit,
  simInventory,
} from "./_sim.ts";
import { list, LIST_HELP, status, STATUS_HELP } from "./_status.ts";
import { teardown, TEARDOWN_HELP } from "./_teardown.ts";

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

const COMMANDS: Readonly<
  Record<
    string,
    { help: string; run: (ctx: Parameters<typeof setup>[0], args: string[]) => Promise<ExitCode> }
  >
> = {
  setup: { help: SETUP_HELP, run: setup },
  teardown: { help: TEARDOWN_HELP, run: teardown },
  status: { help: STATUS_HELP, run: status },
  list: { help: LIST_HELP, run: list },
  recover: { help: RECOVER_HELP, run: recover },
  "sim init": { help: SIM_INIT_HELP, run: simInit },
  "sim inventory": { help: SIM_INVENTORY_HELP, run: simInventory },
  "sim fault": { help: SIM_FAULT_HELP, run: simFault },
  "sim endpoint": { help: SIM_ENDPOINT_HELP, run: simEndpoint },
  nic: { help: NIC_HELP, run: nic },
  sync: { help: SYNC_HELP, run: sync },
};

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
export function runPodnet(args: readonly string[], io: Output): Promise<ExitCode> {
  const [first, second] = args;
  if (first === undefined) {
    io.err(USAGE);
    return Promise.resolve(EXIT_CODES.USAGE);
  }
  if (first === "--help" || first === "-h" || first === "help") {
    io.out(USAGE);
    return Promise.resolve(EXIT_CODES.OK);
  }
  if (first === "sim" && (second === undefined || second.startsWith("-"))) {
    if (second === "--help" || second === "-h") {
      io.out(SIM_HELP);
      return Promise.resolve(EXIT_CODES.OK);
    }
    io.err(
      `podnet sim: give a command: init, inventory, fault or endpoint (see: podnet sim --help)`,
    );
    return Promise.resolve(EXIT_CODES.USAGE);
  }
  const name = first === "sim" ? `sim ${second}` : first;
  const rest = args.slice(first === "sim" ? 2 : 1);
  const command = COMMANDS[name];
  if (command === undefined) {
    io.err(`podnet: unknown command ${JSON.stringify(name)} (see: podnet --help)`);
    if (rest.includes("--json")) {
      io.out(
        JSON.stringify({
          error: { code: "USAGE", message: `unknown command ${name}` },
          exitCode: 2,
        }),
      );
    }
    return Promise.resolve(EXIT_CODES.USAGE);
  }
  return runCommand(name, rest, io, command.help, (ctx) => command.run(ctx, rest));
}

if (import.meta.main) {
  const code = await runPodnet(Deno.args, {
    out: (line) => console.log(line),
    err: (line) => console.error(line),
  });
  Deno.exit(code);
}
