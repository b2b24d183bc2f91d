import { PodnetError } from "../../domain/errors.ts";
import { parseArgs, type ParseArgsOptionsConfig } from "node:util";
import { normalizeGuid } from "../../domain/guid.ts";
import type { GuestPlatform } from "../../ports/guest_network.ts";
import { EXIT_CODES, type ExitCode } from "./exit_codes.ts";
import type { LogFormat } from "./_logging.ts";

/** What a command's failure may carry: its `cause`, and advice kept out of the message. */
export type CliErrorOptions = ErrorOptions & { readonly hint?: string };

/**
 * A command's failure with its exit code; its message is printed as one
 * line, its `hint` (advice) after it in parentheses.
 */
export class CliError extends Error {
  /** Advice for the user, kept out of the message. */
  readonly hint: string | undefined;
  constructor(readonly exitCode: ExitCode, message: string, options?: CliErrorOptions) {
    super(message, options);
    this.name = "CliError";
    this.hint = options?.hint;
  }
}

/** Bad usage or input: exit code 2. */
export function usage(message: string, options?: CliErrorOptions): CliError {
  return new CliError(EXIT_CODES.USAGE, message, options);
}

/**
 * Bad input found by podnet: exit code 2, the failure said once. A podnet
 * error already says what was being done (`Cannot <action>: <reason>`), so
 * it is said as it is; anything else is said as "Cannot <action>", its
 * `cause` saying why.
 */
export function usageFrom(action: string, cause: unknown): CliError {
  if (cause instanceof PodnetError) {
    return usage(cause.message, cause.cause === undefined ? {} : { cause: cause.cause });
  }
  return usage(`Cannot ${action}`, { cause });
}

/** The flags every pod command takes. */
export const COMMON_OPTIONS = {
  "state-dir": { type: "string" },
  host: { type: "string" },
  "sim-state": { type: "string" },
  json: { type: "boolean", default: false },
  verbose: { type: "boolean", default: false },
  "log-format": { type: "string", default: "text" },
  help: { type: "boolean", short: "h", default: false },
} as const satisfies ParseArgsOptionsConfig;

/** The `--help` lines of `--call-timeout` and `--host-concurrency` (`CALL_OPTIONS`). */
export const CALL_HELP = `  --call-timeout SECONDS    time limit of each host call (default 30)
  --host-concurrency N      host NIC calls in flight at once (default 1)`;

/** The flags that choose how a command talks to the host. */
export const CALL_OPTIONS = {
  timeout: { type: "string" },
  "call-timeout": { type: "string" },
  "host-concurrency": { type: "string" },
} as const satisfies ParseArgsOptionsConfig;

/** The values and positionals of a command line (`--help` is checked by the caller). */
export function parse<T extends ParseArgsOptionsConfig>(
  args: string[],
  options: T,
  positionals = false,
) {
  try {
    return parseArgs({ args, options, strict: true, allowPositionals: positionals });
  } catch (cause) {
    throw usage(cause instanceof Error ? cause.message : String(cause));
  }
}

/** The common flags, checked. */
export interface Common {
  readonly stateDir: string;
  readonly host: "windows" | "sim";
  readonly simState: string | undefined;
  readonly json: boolean;
  readonly verbose: boolean;
  readonly logFormat: LogFormat;
}

/** The state directory used when `--state-dir` is not given. */
export function defaultStateDir(): string {
  if (Deno.build.os !== "windows") return "/var/lib/podnet";
  let programData: string | undefined;
  try {
    programData = Deno.env.get("ProgramData");
  } catch {
    // no --allow-env=ProgramData: the usual place
  }
  return `${programData ?? "C:\\ProgramData"}\\podnet`;
}

/** Checks the common flags; `needsHost`: the command drives the host (so `--sim-state` matters). */
export function common(values: {
  "state-dir"?: string | undefined;
  host?: string | undefined;
  "sim-state"?: string | undefined;
  json?: boolean | undefined;
  verbose?: boolean | undefined;
  "log-format"?: string | undefined;
}, needsHost = true): Common {
  const simState = nonEmpty(values["sim-state"], "sim-state");
  // A simulated host file says which host is meant; else Windows on Windows.
  const host = values.host ??
    (simState !== undefined || Deno.build.os !== "windows" ? "sim" : "windows");
  if (host !== "windows" && host !== "sim") {
    throw usage(`--host must be windows or sim, not ${JSON.stringify(host)}`);
  }
  if (needsHost && host === "sim" && simState === undefined) {
    throw usage("--host sim needs --sim-state FILE", { hint: "make one with: podnet sim init" });
  }
  if (host === "windows" && simState !== undefined) {
    throw usage("--sim-state goes with --host sim");
  }
  return {
    stateDir: nonEmpty(values["state-dir"], "state-dir") ?? defaultStateDir(),
    host,
    simState,
    json: values.json ?? false,
    verbose: values.verbose ?? false,
    logFormat: logFormat(values["log-format"]),
  };
}

/** Checks `--log-format`. */
export function logFormat(value: string | undefined): LogFormat {
  if (value === undefined || value === "text" || value === "json") return value ?? "text";
  throw usage(`--log-format must be text or json, not ${JSON.stringify(value)}`);
}

/** A flag's value, or `undefined`; an empty value is bad usage. */
export function nonEmpty(value: string | undefined, name: string): string | undefined {
  if (value === "") throw usage(`--${name} must not be empty`);
  return value;
}

/** A required flag's value. */
export function required(value: string | undefined, name: string): string {
  const v = nonEmpty(value, name);
  if (v === undefined) throw usage(`--${name} is required`);
  return v;
}

/** `--guest`'s value. */
export function guestOf(value: string, name = "guest"): GuestPlatform {
  if (value === "lcow" || value === "wcow") return value;
  throw usage(`--${name} must be lcow or wcow, not ${JSON.stringify(value)}`);
}

/** A GUID flag's value, in canonical form. */
export function guidOf(value: string, name: string): string {
  const id = normalizeGuid(value);
  if (id === undefined) throw usage(`--${name} must be a GUID, not ${JSON.stringify(value)}`);
  return id;
}

/** The longest time limit a timer can hold, in milliseconds. */
const MAX_TIMER_MS = 2 ** 31 - 1;

/** A duration flag given in seconds, as milliseconds. */
export function secondsOf(value: string | undefined, name: string): number | undefined {
  if (value === undefined) return undefined;
  const seconds = Number(value);
  const ms = Math.round(seconds * 1000);
  if (value.trim() === "" || !Number.isFinite(seconds) || ms < 1 || ms > MAX_TIMER_MS) {
    throw usage(
      `--${name} must be a number of seconds from 0.001 to ${Math.floor(MAX_TIMER_MS / 1000)}, ` +
        `not ${JSON.stringify(value)}`,
    );
  }
  return ms;
}

/** An integer flag with a lower bound. */
export function integerOf(
  value: string | undefined,
  name: string,
  min: number,
): number | undefined {
  if (value === undefined) return undefined;
  if (!/^[0-9]+$/.test(value) || !Number.isSafeInteger(Number(value)) || Number(value) < min) {
    throw usage(`--${name} must be an integer >= ${min}, not ${JSON.stringify(value)}`);
  }
  return Number(value);
}

/** The controller and port options the call flags give. */
export interface CallSettings {
  /** Deadline of the whole operation, in ms. */
  readonly timeoutMs: number | undefined;
  /** Time limit of each host call, in ms. */
  readonly callTimeoutMs: number | undefined;
  /** Host NIC calls in flight at once (the controller's `hostConcurrency`). */
  readonly hostConcurrency: number | undefined;
}

/** Checks the call flags. */
export function callSettings(values: {
  timeout?: string | undefined;
  "call-timeout"?: string | undefined;
  "host-concurrency"?: string | undefined;
}): CallSettings {
  return {
    timeoutMs: secondsOf(values.timeout, "timeout"),
    callTimeoutMs: secondsOf(values["call-timeout"], "call-timeout"),
    hostConcurrency: integerOf(values["host-concurrency"], "host-concurrency", 1),
  };
}

/** Fails with exit code 2 unless the state directory exists. */
export async function checkStateDir(path: string): Promise<void> {
  let info: Deno.FileInfo;
  try {
    info = await Deno.stat(path);
  } catch (cause) {
    if (cause instanceof Deno.errors.NotFound) {
      throw usage(`Cannot use state directory ${path}: it does not exist`, {
        hint: "create it first",
      });
    }
    throw usage(`Cannot use state directory ${path}`, { cause });
  }
  if (!info.isDirectory) throw usage(`Cannot use state directory ${path}: it is not a directory`);
}
