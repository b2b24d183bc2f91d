/**
 * The completion callback of computecore.dll operations: one thread-safe
 * callback per `WindowsLibraries`, which HCS calls from its own threads and
 * Deno delivers on the event loop.
 *
 * @module
 */
import { getLogger } from "@logtape/logtape";

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
 * address).
 *
 * A thread that calls a Deno callback waits until the event loop has run it
 * and every promise reaction that follows. So the callback itself only notes
 * the completion; the operations are finished (result read, operation
 * closed, waiters resumed) in a task of their own, after the HCS thread is
 * released: no call into computecore.dll then waits on a thread that waits
 * on us, and no caller's code runs while HCS's thread is held.
 *
 * The callback keeps the event loop alive only while some operation waits,
 * so an idle process can exit. It stays valid until `close()`, which the
 * libraries call once nothing is pending and HCS's threads have left it.
 */
export class OperationCompletions {
  #callback: Deno.UnsafeCallback<typeof COMPLETION> | undefined;
  readonly #waiting = new Map<bigint, (operation: Deno.PointerValue) => void>();
  #completed: Array<{ run: (operation: Deno.PointerValue) => void; operation: Deno.PointerValue }> =
    [];
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
   * event loop, in a task of its own, once HCS has reported the completion.
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
    if (this.#waiting.size > 0 || this.#completed.length > 0) {
      throw new Error(
        `Cannot release the HCS completion callback: ${this.#waiting.size} operation(s) wait`,
      );
    }
    this.#closed = true;
    this.#callback?.close();
    this.#callback = undefined;
  }

  #ensure(): Deno.UnsafeCallback<typeof COMPLETION> {
    if (this.#closed) throw new Error("Cannot start an HCS operation: the libraries were closed");
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

  /** The callback: runs while HCS's thread waits, so it only takes note. */
  #complete(operation: Deno.PointerValue, context: Deno.PointerValue): void {
    const id = Deno.UnsafePointer.value(context);
    const run = this.#waiting.get(id);
    if (run === undefined) {
      // Not ours or already done: HCS called twice, or for an operation
      // whose start failed. Nothing of it is held here.
      logger.warn("An HCS completion came for no waiting operation (context {id})", {
        id: String(id),
      });
      return;
    }
    if (this.#completed.length === 0) setTimeout(() => this.#drain(), 0);
    this.#completed.push({ run, operation });
    this.#remove(id);
  }

  /** Finishes the completed operations, in a task after the callbacks'. */
  #drain(): void {
    const completed = this.#completed;
    this.#completed = [];
    for (const { run, operation } of completed) {
      try {
        run(operation);
      } catch (error) {
        logger.error("Finishing an HCS operation threw: {error}", { error });
      }
    }
  }
}
