import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { LogFormat } from "./_logging.ts";
import { CliError } from "./_options.ts";
import { codeOf, hintOf, oneLine, type Output } from "./_output.ts";

/** What a command runs with. */
export class Ctx {
  #emitted = false;
  #stopLogging: (() => Promise<void>) | undefined;

  constructor(readonly io: Output, readonly command: string, readonly json: boolean) {}

  /** Prints a line for people (nothing with `--json`). */
  say(line: string): void {
    if (!this.json) this.io.out(line);
  }

  /** Prints the command's one JSON document (only with `--json`). */
  emit(doc: unknown): void {
    if (!this.json || this.#emitted) return;
    this.#emitted = true;
    this.io.out(JSON.stringify(doc, null, 2));
  }

  /** Whether the JSON document was printed. */
  get emitted(): boolean {
    return this.#emitted;
  }

  /**
   * With `--verbose`, sends podnet's log records to stderr until the command
   * ends. LogTape's sinks are loaded only then (a command that is not
   * verbose never loads them).
   */
  async startLogging(verbose: boolean, format: LogFormat): Promise<void> {
    if (!verbose) return;
    const { startLogging } = await import("./_logging.ts");
    this.#stopLogging = await startLogging(format, (line) => this.io.err(line));
  }

  /** Stops the log records. */
  async stopLogging(): Promise<void> {
    await this.#stopLogging?.();
    this.#stopLogging = undefined;
  }
}

/**
 * Runs one command: `--help` prints its text; a `CliError` or any other
 * failure becomes one line on stderr (`podnet <command>: <message>`, then
 * the error's `hint` in parentheses when it has one) and,
 * with `--json`, an `{"error": {...}}` document on stdout unless the
 * command printed its own.
 */
export async function runCommand(
  command: string,
  args: string[],
  io: Output,
  help: string,
  body: (ctx: Ctx) => Promise<ExitCode>,
): Promise<ExitCode> {
  if (args.includes("--help") || args.includes("-h")) {
    io.out(help);
    return EXIT_CODES.OK;
  }
  const ctx = new Ctx(io, command, args.includes("--json"));
  try {
    return await body(ctx);
  } catch (error) {
    const exitCode = error instanceof CliError ? error.exitCode : EXIT_CODES.FAILED;
    const code = error instanceof CliError
      ? (exitCode === EXIT_CODES.BUSY ? "BUSY" : exitCode === EXIT_CODES.USAGE ? "USAGE" : "FAILED")
      : codeOf(error);
    const hint = hintOf(error) ??
      (exitCode === EXIT_CODES.USAGE && isFlagError(error)
        ? `see: podnet ${command} --help`
        : undefined);
    const advice = hint === undefined ? "" : ` (${hint})`;
    io.err(`podnet ${command}: ${oneLine(error)}${advice}`);
    ctx.emit({
      error: { code, message: oneLine(error), ...(hint === undefined ? {} : { hint }) },
      exitCode,
    });
    return exitCode;
  } finally {
    await ctx.stopLogging();
  }
}

function isFlagError(error: unknown): boolean {
  return error instanceof Error && /--|option|argument/i.test(error.message) &&
    !/^Cannot/.test(error.message);
}
