/**
 * Runs a controller's operations one at a time, in the order they were
 * queued. An operation whose signal fires while it waits leaves the queue at
 * once and never runs.
 *
 * @module
 */

/** Runs tasks one at a time, in the order they were queued. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #waiting = 0;
  #running = false;

  /** Whether a task is running or waiting. */
  get busy(): boolean {
    return this.#running || this.#waiting > 0;
  }

  /**
   * Queues `task`; resolves or rejects with its outcome. When `signal`
   * fires before the task's turn, rejects at once with `onAbort()` and the
   * task never runs.
   */
  run<T>(
    task: () => Promise<T>,
    signal: AbortSignal | undefined,
    onAbort: () => unknown,
  ): Promise<T> {
    const before = this.#tail;
    let leave: (() => void) | undefined;
    this.#waiting++;
    const turn = new Promise<void>((resolve, reject) => {
      before.then(() => resolve());
      if (signal === undefined) return;
      leave = () => reject(onAbort());
      if (signal.aborted) leave();
      else signal.addEventListener("abort", leave, { once: true });
    });
    const result = turn.then(
      async () => {
        if (leave) signal?.removeEventListener("abort", leave);
        this.#waiting--;
        this.#running = true;
        try {
          return await task();
        } finally {
          this.#running = false;
        }
      },
      (reason) => {
        this.#waiting--;
        throw reason;
      },
    );
    // The next task waits for this one to finish, or for its turn to come if
    // it left the queue (it must not jump ahead of what it waited for).
    // It settles with nothing: Promise.all's value would nest the previous
    // one's, one level per operation, for as long as the controller lives.
    this.#tail = Promise.all([before, result.then(noop, noop)]).then(noop);
    return result;
  }
}

function noop(): void {}
