/**
 * The error vocabulary of podnet. Every error podnet throws is a
 * {@linkcode PodnetError} (or, for teardown, a {@linkcode TeardownError},
 * which is also recognised by `instanceof PodnetError`) with a stable `code`
 * that programs can switch on; messages are for people.
 *
 * The message rule: every message is `Cannot <action>: <reason>` (std's
 * style, sentence case, no full stop). `action` says what this layer was
 * doing, in its own words and with what only it knows (a pod, a NIC, a DLL
 * call); it never repeats the action of its `cause`. `reason` says why, as
 * this layer sees it (a classification such as "the VM is gone"), never a
 * copy of the cause's message; it is left out (`Cannot <action>`) when the
 * error only wraps a `cause` that says why. Printed with its causes
 * (message, then the cause's, ...), each thing is said once. Advice ("call
 * `teardown()` again") goes in `hint`, never in the reason.
 *
 * One `Symbol.hasInstance` is kept, on purpose: `TeardownError` is an
 * `AggregateError` (the design asks for it, and tools that know
 * `AggregateError` list its steps), a class has one parent, and callers
 * still catch every podnet failure with `instanceof PodnetError`.
 *
 * @module
 */

import type { TeardownStep } from "./steps.ts";

const podnetBrand: unique symbol = Symbol.for("podnet.error");

/** Stable codes of podnet errors. */
export type PodnetErrorCode =
  | "INVALID_ARGUMENT"
  | "INVALID_STATE"
  | "NOT_FOUND"
  | "GUEST_UNAVAILABLE"
  | "VM_UNAVAILABLE"
  | "TIMEOUT"
  | "HRESULT"
  | "CANCELLED"
  | "SETUP_FAILED"
  | "TEARDOWN_FAILED"
  | "TEARDOWN_STEP_FAILED"
  | "RESET_FAILED"
  | "NIC_CHANGE_FAILED"
  | "SNAPSHOT_INVALID"
  | "STORE_FAILED"
  | "NATIVE_LOAD_FAILED"
  | "INVALID_HOST_DATA";

/** What every podnet error may carry besides its `cause`. */
type PodnetErrorOptions = ErrorOptions & {
  /** Advice for the caller ("call teardown() again"), kept out of the message. */
  readonly hint?: string;
};

/** `Cannot <action>: <reason>`, or `Cannot <action>` when the cause says why. */
function cannot(action: string, reason: string | undefined): string {
  return reason === undefined ? `Cannot ${action}` : `Cannot ${action}: ${reason}`;
}

/**
 * Base class of podnet's errors. Its message is `Cannot <action>: <reason>`
 * (see the module's message rule); `action`, `reason` and `hint` are also
 * fields of their own.
 *
 * @example Switch on the stable code
 * ```ts
 * import { PodnetError, NotFoundError } from "@podnet/hcs";
 * const err: unknown = new NotFoundError("endpoint", "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d");
 * if (err instanceof PodnetError && err.code === "NOT_FOUND") {
 *   console.log("gone already");
 * }
 * ```
 */
export class PodnetError extends Error {
  /** The stable, machine-readable code of this error. */
  readonly code: PodnetErrorCode;
  /** What podnet was doing ("remove NIC 3f2a"), without "Cannot". */
  readonly action: string;
  /** Why it failed ("the VM is gone"); `undefined` when only `cause` says why. */
  readonly reason: string | undefined;
  /** Advice for the caller, kept out of the message; `undefined` when there is none. */
  readonly hint: string | undefined;
  /** Brand that lets `instanceof PodnetError` also see {@linkcode TeardownError}. */
  readonly [podnetBrand] = true;

  /**
   * Creates the error; its message is `Cannot <action>: <reason>`.
   *
   * @param code the stable code
   * @param action what podnet was doing, starting with a verb ("remove NIC 3f2a")
   * @param reason why it failed, in this layer's words; `undefined` when the
   *   error only wraps a `cause` that says why
   * @param options the `cause`, if any, and a `hint` (advice), if any
   */
  constructor(
    code: PodnetErrorCode,
    action: string,
    reason: string | undefined,
    options?: PodnetErrorOptions,
  ) {
    super(cannot(action, reason), options);
    this.code = code;
    this.action = action;
    this.reason = reason;
    this.hint = options?.hint;
    this.name = new.target.name;
  }

  /** `instanceof PodnetError` holds for every branded podnet error. */
  static override [Symbol.hasInstance](value: unknown): boolean {
    if (this === PodnetError) {
      return typeof value === "object" && value !== null && podnetBrand in value;
    }
    return Function.prototype[Symbol.hasInstance].call(this, value);
  }
}

/**
 * An argument was rejected; nothing was changed.
 *
 * @example
 * ```ts
 * import { InvalidArgumentError } from "@podnet/hcs";
 * const err = new InvalidArgumentError("namespaceId", "not a GUID");
 * console.log(err.message); // Cannot use namespaceId: not a GUID
 * ```
 */
export class InvalidArgumentError extends PodnetError {
  /** The name of the rejected argument. */
  readonly argument: string;
  /**
   * Creates the error; the action is "use <argument>".
   *
   * @param argument the argument's name
   * @param reason why it was rejected
   * @param options the `cause`, if any
   */
  constructor(argument: string, reason: string, options?: PodnetErrorOptions) {
    super("INVALID_ARGUMENT", `use ${argument}`, reason, options);
    this.argument = argument;
  }
}

/** The verb phrase of a controller operation ("setup" is done by "set up"). */
function verbOf(operation: string): string {
  switch (operation) {
    case "setup":
      return "set up";
    case "teardown":
      return "tear down";
    case "resetAfterMigration":
      return "reset after migration";
    default:
      return operation;
  }
}

/**
 * The controller's state does not allow the operation; nothing was changed.
 *
 * @example
 * ```ts
 * import { InvalidStateError } from "@podnet/hcs";
 * const err = new InvalidStateError("setup", "TornDown");
 * console.log(err.message); // Cannot set up: the controller is TornDown
 * ```
 */
export class InvalidStateError extends PodnetError {
  /** The operation that was rejected. */
  readonly operation: string;
  /** The state the controller was in. */
  readonly state: string;
  /**
   * Creates the error; the reason is "the controller is <state>".
   *
   * @param operation the rejected operation ("setup", "teardown"...)
   * @param state the controller's state
   */
  constructor(operation: string, state: string) {
    super("INVALID_STATE", verbOf(operation), `the controller is ${state}`);
    this.operation = operation;
    this.state = state;
  }
}

/**
 * A host, VM or guest object does not exist.
 *
 * @example
 * ```ts
 * import { NotFoundError } from "@podnet/hcs";
 * const err = new NotFoundError("namespace", "6f1a2b3c-4d5e-4f60-8a9b-0c1d2e3f4a5b");
 * console.log(err.kind, err.id);
 * ```
 */
export class NotFoundError extends PodnetError {
  /** What kind of object is missing ("namespace", "endpoint", "NIC"...). */
  readonly kind: string;
  /** Its ID. */
  readonly id: string;
  /**
   * Creates the error: "Cannot find <kind> <id>: it does not exist".
   *
   * @param kind what kind of object is missing
   * @param id its ID
   * @param options the `cause`, if any
   */
  constructor(kind: string, id: string, options?: PodnetErrorOptions) {
    super("NOT_FOUND", `find ${kind} ${id}`, "it does not exist", options);
    this.kind = kind;
    this.id = id;
  }
}

/**
 * The guest cannot be reached: its connection is closed or was never made.
 * During teardown this means the guest took its NICs with it.
 *
 * @example
 * ```ts
 * import { GuestUnavailableError } from "@podnet/hcs";
 * const err = new GuestUnavailableError("detach NIC 3f2a", "the guest connection is closed");
 * console.log(err.message); // Cannot detach NIC 3f2a: the guest connection is closed
 * ```
 */
export class GuestUnavailableError extends PodnetError {
  /**
   * Creates the error.
   *
   * @param action what podnet was doing ("detach NIC 3f2a")
   * @param reason how the guest is unavailable ("the guest connection is closed")
   * @param options the `cause`, if any
   */
  constructor(action: string, reason: string, options?: PodnetErrorOptions) {
    super("GUEST_UNAVAILABLE", action, reason, options);
  }
}

/**
 * The utility VM is gone (stopped, exited or never existed). During teardown
 * this means its NICs went with it.
 *
 * @example
 * ```ts
 * import { VmUnavailableError } from "@podnet/hcs";
 * const err = new VmUnavailableError("remove NIC 3f2a", "the VM is gone");
 * console.log(err.message); // Cannot remove NIC 3f2a: the VM is gone
 * ```
 */
export class VmUnavailableError extends PodnetError {
  /**
   * Creates the error.
   *
   * @param action what podnet was doing ("remove NIC 3f2a")
   * @param reason how the VM is unavailable ("the VM is gone")
   * @param options the `cause`, if any
   */
  constructor(action: string, reason: string, options?: PodnetErrorOptions) {
    super("VM_UNAVAILABLE", action, reason, options);
  }
}

/**
 * A call outlived its time limit. Its outcome is unknown: podnet treats the
 * step as possibly done.
 *
 * @example
 * ```ts
 * import { OperationTimeoutError } from "@podnet/hcs";
 * const err = new OperationTimeoutError("add NIC 3f2a", 30_000);
 * console.log(err.message); // Cannot add NIC 3f2a: timed out after 30000 ms
 * ```
 */
export class OperationTimeoutError extends PodnetError {
  /** What timed out (the action, "add NIC 3f2a"). */
  readonly operation: string;
  /** The limit it outlived, in milliseconds. */
  readonly timeoutMs: number;
  /**
   * Creates the error: "Cannot <operation>: timed out after <timeoutMs> ms".
   *
   * @param operation what timed out, as an action ("add NIC 3f2a")
   * @param timeoutMs its limit in milliseconds
   */
  constructor(operation: string, timeoutMs: number) {
    super("TIMEOUT", operation, `timed out after ${timeoutMs} ms`);
    this.operation = operation;
    this.timeoutMs = timeoutMs;
  }
}

/** One event of an HCS ResultError document. */
export interface HcsErrorEvent {
  /** The event's message. */
  readonly message?: string;
  /** The provider GUID or name. */
  readonly provider?: string;
  /** The event ID. */
  readonly eventId?: number;
  /** The source. */
  readonly source?: string;
}

/** The parsed error record a DLL returned beside a failing HRESULT. */
export interface ErrorRecord {
  /** The record as the DLL returned it. */
  readonly raw: string;
  /** The record's message ("ErrorMessage", "Error" text or "Message"). */
  readonly message?: string;
  /** The HRESULT named inside the record, if any (unsigned). */
  readonly hresult?: number;
  /** HCS ResultError events. */
  readonly events: readonly HcsErrorEvent[];
}

/**
 * A Windows call failed with an HRESULT that podnet has no better name for.
 * Its message is "Cannot complete <call>: HRESULT 0x...: <record's message>".
 *
 * @example
 * ```ts
 * import { HResultError } from "@podnet/hcs";
 * const err = new HResultError("HcnOpenNamespace", 0x80070490);
 * console.log(err.hex); // 0x80070490
 * ```
 */
export class HResultError extends PodnetError {
  /** The failing call, as the DLL names it. */
  readonly call: string;
  /** The HRESULT as an unsigned 32-bit number. */
  readonly hresult: number;
  /** The parsed error record, when the DLL returned one. */
  readonly record: ErrorRecord | undefined;
  /**
   * Whether the DLL returned a success HRESULT that podnet took for a
   * failure because an error record came with it (HCN's rule): what the call
   * did is then unknown, not "nothing".
   */
  readonly reportedSuccess: boolean;
  /**
   * Whether the call may have changed something although it failed: the
   * Linux guest records a network adapter before it configures the link,
   * and keeps the record when that fails. What it did is then unknown, and
   * an undo asks again.
   */
  readonly mayHaveApplied: boolean;

  /**
   * Creates the error.
   *
   * @param call the failing DLL function
   * @param hresult the HRESULT (signed or unsigned)
   * @param record the parsed error record, if any
   * @param options the `cause`, if any; whether the DLL reported success;
   *   whether the failed call may have changed something
   */
  constructor(
    call: string,
    hresult: number,
    record?: ErrorRecord,
    options?: PodnetErrorOptions & {
      readonly reportedSuccess?: boolean;
      readonly mayHaveApplied?: boolean;
    },
  ) {
    const code = hresult >>> 0;
    const detail = record?.message ? `: ${record.message}` : "";
    super("HRESULT", `complete ${call}`, `HRESULT ${formatHResult(code)}${detail}`, options);
    this.call = call;
    this.hresult = code;
    this.record = record;
    this.reportedSuccess = options?.reportedSuccess === true;
    this.mayHaveApplied = options?.mayHaveApplied === true;
  }

  /** The HRESULT as `0x` followed by eight upper-case hex digits. */
  get hex(): string {
    return formatHResult(this.hresult);
  }
}

/**
 * Formats an HRESULT as `0x` and eight upper-case hex digits.
 */
export function formatHResult(hresult: number): string {
  return `0x${(hresult >>> 0).toString(16).toUpperCase().padStart(8, "0")}`;
}

/**
 * An operation was stopped before it finished: a teardown asked a running
 * setup to stop, or the caller's `AbortSignal` fired between steps.
 *
 * @example
 * ```ts
 * import { CancelledError } from "@podnet/hcs";
 * const err = new CancelledError("setup", "a teardown was requested");
 * console.log(err.message); // Cannot finish setup: a teardown was requested
 * ```
 */
export class CancelledError extends PodnetError {
  /**
   * Creates the error: "Cannot finish <operation>: <reason>".
   *
   * @param operation the operation that was stopped
   * @param reason why
   * @param options the `cause`, if any
   */
  constructor(operation: string, reason: string, options?: PodnetErrorOptions) {
    const what = operation === "resetAfterMigration" ? "the reset after migration" : operation;
    super("CANCELLED", `finish ${what}`, reason, options);
  }
}

/**
 * Setup failed. `cause` is the original failure and says why; `rolledBack`
 * says whether what setup did was undone (state `TornDown`) or not (state
 * `Invalid`: `hint` says to call `teardown()`).
 *
 * @example
 * ```ts
 * import { OperationTimeoutError, SetupError } from "@podnet/hcs";
 * const err = new SetupError("pod-a", true, new OperationTimeoutError("add NIC 3f2a", 30_000));
 * console.log(err.message); // Cannot set up the network of pod pod-a
 * console.log(err.rolledBack, err.cause);
 * ```
 */
export class SetupError extends PodnetError {
  /** Whether everything setup did was undone. */
  readonly rolledBack: boolean;
  /** The rollback's own failure, when the rollback did not complete. */
  readonly rollbackError: unknown;
  /**
   * Creates the error: "Cannot set up the network of pod <podId>", the
   * reason being `cause`.
   *
   * @param podId the pod
   * @param rolledBack whether the rollback completed
   * @param cause the original failure
   * @param rollbackError the rollback's failure, if any
   */
  constructor(podId: string, rolledBack: boolean, cause: unknown, rollbackError?: unknown) {
    const hint = rolledBack
      ? undefined
      : rollbackError === undefined
      ? "nothing was rolled back: call teardown()"
      : "the rollback did not complete: call teardown() again";
    super("SETUP_FAILED", `set up the network of pod ${podId}`, undefined, {
      cause,
      ...(hint === undefined ? {} : { hint }),
    });
    this.rolledBack = rolledBack;
    this.rollbackError = rollbackError;
  }
}

/**
 * `resetAfterMigration()` failed. `cause` is the first failure (a
 * `TeardownError` when taking the source's NICs off failed). Every step is
 * recorded: `hint` says to call `resetAfterMigration()` again, or `teardown()`.
 *
 * @example
 * ```ts
 * import { OperationTimeoutError, ResetError } from "@podnet/hcs";
 * const err = new ResetError("pod-a", new OperationTimeoutError("add NIC 3f2a", 30_000));
 * console.log(err.code); // RESET_FAILED
 * ```
 */
export class ResetError extends PodnetError {
  /**
   * Creates the error: "Cannot reset the network of pod <podId> after
   * migration", the reason being `cause`.
   *
   * @param podId the pod
   * @param cause the first failure
   */
  constructor(podId: string, cause: unknown) {
    super("RESET_FAILED", `reset the network of pod ${podId} after migration`, undefined, {
      cause,
      hint: "call resetAfterMigration() again, or teardown()",
    });
  }
}

/**
 * Adding, removing or updating one NIC of a running pod failed, or a
 * `sync()` did. The pod stays `Configured` and its other NICs untouched;
 * `cause` is the first failure. `undone` says whether the NIC concerned is
 * as it was before the call: an add undone, an update that certainly did
 * not apply. When it is false the binding stays in `bindings` with its
 * progress (a failed remove always): `removeEndpoint()` or `teardown()`
 * finishes it, a retried `updateEndpoint()` applies the settings again.
 *
 * @example
 * ```ts
 * import { NicChangeError, NotFoundError } from "@podnet/hcs";
 * const endpointId = "b1e2c3d4-0000-4a5b-8c6d-7e8f9a0b1c2d";
 * const err = new NicChangeError("add", "pod-a", endpointId, true, new NotFoundError("endpoint", endpointId));
 * console.log(err.code, err.undone); // NIC_CHANGE_FAILED true
 * ```
 */
export class NicChangeError extends PodnetError {
  /** The operation: `add`, `remove`, `update` or `sync`. */
  readonly operation: "add" | "remove" | "update" | "sync";
  /** The endpoint concerned (`sync`: the first that failed, if any). */
  readonly endpointId: string | undefined;
  /** Whether the NIC concerned is as it was before the call. */
  readonly undone: boolean;
  /**
   * Creates the error.
   *
   * @param operation the operation
   * @param podId the pod
   * @param endpointId the endpoint concerned
   * @param undone whether the NIC concerned is as it was before
   * @param cause the first failure
   */
  constructor(
    operation: "add" | "remove" | "update" | "sync",
    podId: string,
    endpointId: string | undefined,
    undone: boolean,
    cause: unknown,
  ) {
    const what = operation === "sync"
      ? `sync the network of pod ${podId}`
      : operation === "add"
      ? `add endpoint ${endpointId} to pod ${podId}`
      : operation === "remove"
      ? `remove endpoint ${endpointId} from pod ${podId}`
      : `update the NIC of endpoint ${endpointId} in pod ${podId}`;
    super(
      "NIC_CHANGE_FAILED",
      what,
      undone ? "nothing was changed" : "the NIC stays in bindings, unfinished",
      { cause },
    );
    this.operation = operation;
    this.endpointId = endpointId;
    this.undone = undone;
  }
}

/**
 * One failed teardown step, naming the step and the endpoint it was for;
 * its `cause` says what was done to which NIC and why it failed.
 *
 * @example
 * ```ts
 * import { TeardownStepError, VmUnavailableError } from "@podnet/hcs";
 * const cause = new VmUnavailableError("remove NIC 3f2a", "the VM is gone");
 * const err = new TeardownStepError("vm-remove", cause, "3f2a", "b1e2");
 * console.log(err.message); // Cannot finish step vm-remove for endpoint b1e2
 * console.log(err.step, err.nicId, err.endpointId);
 * ```
 */
export class TeardownStepError extends PodnetError {
  /** The step that failed. */
  readonly step: TeardownStep;
  /** The NIC, for per-NIC steps. */
  readonly nicId: string | undefined;
  /** The host endpoint, for per-NIC steps. */
  readonly endpointId: string | undefined;
  /**
   * Creates the error: "Cannot finish step <step> for endpoint <id>", the
   * reason being `cause`.
   *
   * @param step the failed step
   * @param cause its failure
   * @param nicId the NIC, for per-NIC steps
   * @param endpointId the endpoint, for per-NIC steps
   */
  constructor(step: TeardownStep, cause: unknown, nicId?: string, endpointId?: string) {
    const subject = endpointId !== undefined
      ? ` for endpoint ${endpointId}`
      : nicId !== undefined
      ? ` for NIC ${nicId}`
      : "";
    super("TEARDOWN_STEP_FAILED", `finish step ${step}${subject}`, undefined, { cause });
    this.step = step;
    this.nicId = nicId;
    this.endpointId = endpointId;
  }
}

/**
 * Teardown attempted every step and some failed: one entry per failed step
 * in `errors`. The state is `Invalid`; `teardown()` can be called again
 * (`hint` says so). When the teardown was aborted partway, `cause` is the
 * `CancelledError` and `errors` holds the failures gathered until then.
 *
 * @example
 * ```ts
 * import { TeardownError, TeardownStepError, VmUnavailableError } from "@podnet/hcs";
 * const cause = new VmUnavailableError("remove NIC 3f2a", "the VM is gone");
 * const err = new TeardownError("pod-a", [
 *   new TeardownStepError("vm-remove", cause, "3f2a", "b1e2"),
 * ]);
 * console.log(err.message); // Cannot tear down the network of pod pod-a: 1 step failed
 * console.log(err.code, err.errors.length);
 * ```
 */
export class TeardownError extends AggregateError {
  /** Always `TEARDOWN_FAILED`. */
  readonly code: PodnetErrorCode = "TEARDOWN_FAILED";
  /** What podnet was doing ("tear down the network of pod pod-a"). */
  readonly action: string;
  /** Why it failed: how many steps failed. */
  readonly reason: string;
  /** Advice for the caller: call `teardown()` again. */
  readonly hint: string;
  /** Brand shared with {@linkcode PodnetError}. */
  readonly [podnetBrand] = true;
  /** The failed steps. */
  declare readonly errors: TeardownStepError[];
  /**
   * Creates the error: "Cannot tear down the network of pod <podId>: <n>
   * step(s) failed".
   *
   * @param podId the pod
   * @param errors one entry per failed step
   * @param options the `cause` (a `CancelledError`) when the teardown was
   *   aborted; `action` when the steps were part of something else, whose
   *   error names the pod ("take the source's NICs off")
   */
  constructor(
    podId: string,
    errors: TeardownStepError[],
    options?: ErrorOptions & { readonly action?: string },
  ) {
    const action = options?.action ?? `tear down the network of pod ${podId}`;
    const reason = `${errors.length} ${errors.length === 1 ? "step" : "steps"} failed`;
    super(
      errors,
      cannot(action, reason),
      options && "cause" in options ? { cause: options.cause } : {},
    );
    this.name = "TeardownError";
    this.action = action;
    this.reason = reason;
    this.hint = "call teardown() again";
  }
}

/**
 * A snapshot (from `save()` or a store) is not one podnet can use.
 *
 * @example
 * ```ts
 * import { SnapshotError } from "@podnet/hcs";
 * const err = new SnapshotError("schemaVersion must be 1");
 * console.log(err.message); // Cannot use the snapshot: schemaVersion must be 1
 * ```
 */
export class SnapshotError extends PodnetError {
  /**
   * Creates the error: "Cannot use the snapshot: <reason>".
   *
   * @param reason what is wrong with it
   * @param options the `cause`, if any
   */
  constructor(reason: string, options?: PodnetErrorOptions) {
    super("SNAPSHOT_INVALID", "use the snapshot", reason, options);
  }
}

/**
 * A state store could not read or write.
 *
 * @example
 * ```ts
 * import { StoreError } from "@podnet/hcs";
 * const err = new StoreError("write the state of pod pod-a", "the disk is full");
 * console.log(err.message); // Cannot write the state of pod pod-a: the disk is full
 * ```
 */
export class StoreError extends PodnetError {
  /**
   * Creates the error.
   *
   * @param action what the store was doing ("write the state of pod pod-a to <path>")
   * @param reason why it failed; `undefined` when the `cause` (a file
   *   system error) says why
   * @param options the `cause`, if any
   */
  constructor(action: string, reason: string | undefined, options?: PodnetErrorOptions) {
    super("STORE_FAILED", action, reason, options);
  }
}

/**
 * A native library could not be loaded (missing file, missing symbol, or no
 * `--allow-ffi`); `hint` says what to do about it.
 *
 * @example
 * ```ts
 * import { NativeLoadError } from "@podnet/hcs";
 * const err = new NativeLoadError("load computenetwork.dll", "FFI is not permitted", {
 *   hint: "run Deno with --allow-ffi",
 * });
 * console.log(err.message); // Cannot load computenetwork.dll: FFI is not permitted
 * ```
 */
export class NativeLoadError extends PodnetError {
  /**
   * Creates the error.
   *
   * @param action what podnet was doing ("load computenetwork.dll from <path>")
   * @param reason why it failed; `undefined` when the `cause` says why
   * @param options the `cause`, if any, and a `hint`, if any
   */
  constructor(action: string, reason: string | undefined, options?: PodnetErrorOptions) {
    super("NATIVE_LOAD_FAILED", action, reason, options);
  }
}

/**
 * A DLL returned a document podnet cannot use (bad JSON, a missing or
 * malformed field). The message names the field.
 *
 * @example
 * ```ts
 * import { InvalidHostDataError } from "@podnet/hcs";
 * const err = new InvalidHostDataError("endpoint b1e2", "IpConfigurations.0.PrefixLength", "must be 0..128");
 * console.log(err.field); // IpConfigurations.0.PrefixLength
 * ```
 */
export class InvalidHostDataError extends PodnetError {
  /** The path of the bad field ("document" for the whole document). */
  readonly field: string;
  /**
   * Creates the error: "Cannot use <what>: <field> <reason>".
   *
   * @param what which document ("endpoint <id>", "namespace <id>"...)
   * @param field the path of the bad field
   * @param reason what is wrong with it
   * @param options the `cause`, if any
   */
  constructor(what: string, field: string, reason: string, options?: PodnetErrorOptions) {
    super("INVALID_HOST_DATA", `use ${what}`, `${field} ${reason}`, options);
    this.field = field;
  }
}
