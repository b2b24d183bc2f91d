/** Runs tasks one at a time, in the order they were queued. */
export class SerialQueue {
  #tail: Promise<unknown> = Promise.resolve();
  #busy = 0;

  /** Whether a task is running or waiting. */
  get busy(): boolean {
    return this.#busy > 0;
  }

  /** Queues `task`; resolves or rejects with its outcome. */
  run<T>(task: () => Promise<T>): Promise<T> {
    this.#busy++;
    const result = this.#tail.then(task);
    this.#tail = result.then(
      () => this.#busy--,
      () => this.#busy--,
    );
    return result;
  }
}
