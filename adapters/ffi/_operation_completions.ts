/**
 * The completion callback of computecore.dll operations: one thread-safe
 * callback per `WindowsLibraries`, which HCS calls from its own threads and
 * Deno delivers on the event loop.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";
import { NativeLoadError, PodnetError } from "../../domain/errors.ts";

const logger = getLogger(["podnet", "ffi"]);

/** `void CALLBACK HCS_OPERATION_COMPLETION(HCS_OPERATION operation, void* context)`. */
const COMPLETION = {
  parameters: ["pointer", "pointer"],
  result: "void",
} as const satisfies Deno.UnsafeCallbackDefinition;

/** One operation waiting for its completion. */
export interface Expected {
  /** The `context` to pass to `HcsCreateOperation`: identifies the operation. */
  readonly context: Deno.PointerValue;
  /** Stops waiting (the operation was never started: no callback will come). */
  forget(): void;
}

const registry = new WeakMap<object, OperationCompletions>();

/**
 * The completions of `owner` (a `WindowsLibraries`): created on first use,
 * released by `release` (registered with the owner) when it closes.
 */
export function completionsOf(
  owner: object,
  atClose: (release: () => void) => void,
): OperationCompletions {
  let completions = registry.get(owner);
  if (completions === undefined) {
    const created = new OperationCompletions();
    atClose(() => created.close());
    registry.set(owner, created);
    completions = created;
  }
  return completions;
}

/**
 * Routes completion callbacks to the operations waiting for them, by the
 * context pointer each operation was created with (a number, never an
 * address). The operation is finished (result read, document freed,
 * operation closed) inside the callback, as Microsoft's own sample does:
 * HCS allows closing an operation from within its completion callback.
 *
 * A thread that calls a Deno callback waits until the event loop has run it
 * and every promise reaction that follows, so while HCS's thread is held,
 * the waiting caller's code runs too. Nothing podnet runs there waits for
 * HCS; what must not happen while an HCS thread is inside the callback
 * (releasing the callback, unloading computecore.dll) happens only when the
 * libraries close, a task later and after a grace period.
 *
 * The callback keeps the event loop alive only while some operation waits,
 * so an idle process can exit. It stays valid until `close()`.
 */
export class OperationCompletions {
  #callback: Deno.UnsafeCallback<typeof COMPLETION> | undefined;
  readonly #waiting = new Map<bigint, (operation: Deno.PointerValue) => void>();
  #next = 0n;
  #closed = false;

  /** The callback's function pointer, for `HcsCreateOperation`. */
  get pointer(): Deno.PointerObject<typeof COMPLETION> {
    return this.#ensure().pointer;
  }

  /** Operations waiting for their completion. */
  get waiting(): number {
    return this.#waiting.size;
  }

  /**
   * Registers an operation about to be created: `onComplete` runs on the
   * event loop, in the callback, once HCS has reported the completion.
   */
  expect(onComplete: (operation: Deno.PointerValue) => void): Expected {
    const callback = this.#ensure();
    const id = ++this.#next;
    if (this.#waiting.size === 0) callback.ref();
    this.#waiting.set(id, onComplete);
    return {
      context: Deno.UnsafePointer.create(id),
      forget: () => {
        this.#remove(id);
      },
    };
  }

  /** Releases the callback. Only when no operation waits: HCS may still call it. */
  close(): void {
    if (this.#closed) return;
    if (this.#waiting.size > 0) {
      throw new PodnetError(
        "INVALID_STATE",
        "release the HCS completion callback",
        `${this.#waiting.size} operation(s) wait for it`,
      );
    }
    this.#closed = true;
    this.#callback?.close();
    this.#callback = undefined;
  }

  #ensure(): Deno.UnsafeCallback<typeof COMPLETION> {
    if (this.#closed) {
      throw new NativeLoadError("start an HCS operation", "the libraries were closed");
    }
    if (this.#callback === undefined) {
      const callback = Deno.UnsafeCallback.threadSafe(
        COMPLETION,
        (operation, context) => this.#complete(operation, context),
      );
      // Referenced only while an operation waits (see expect()).
      callback.unref();
      this.#callback = callback;
    }
    return this.#callback;
  }

  #remove(id: bigint): boolean {
    if (!this.#waiting.delete(id)) return false;
    if (this.#waiting.size === 0) this.#callback?.unref();
    return true;
  }

  /** The callback: runs on the event loop while HCS's thread waits for it. */
  #complete(operation: Deno.PointerValue, context: Deno.PointerValue): void {
    const id = Deno.UnsafePointer.value(context);
    const run = this.#waiting.get(id);
    if (run === undefined || !this.#remove(id)) {
      // Not ours or already done: HCS called twice, or for an operation
      // whose start failed. Nothing of it is held here.
      logger.warn("An HCS completion came for no waiting operation (context {id})", {
        id: String(id),
      });
      return;
    }
    try {
      run(operation);
    } catch (error) {
      // An exception must not escape into Deno's callback machinery.
      logger.error("Finishing an HCS operation threw: {error}", { error });
    }
  }
}
