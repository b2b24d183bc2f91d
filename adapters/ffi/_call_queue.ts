/**
 * A first-in, first-out queue with constant-time removal, for the calls
 * waiting for a worker slot: with a thousand pods starting at once, calls
 * queue by the thousand, and `Array#shift`/`splice` would move them all on
 * every admission or abort.
 *
 * @module
 */

/** A FIFO of entries; `remove` drops one from anywhere, in O(1). */
export class CallQueue<T extends object> {
  #items: Array<T | undefined> = [];
  #head = 0;
  #size = 0;
  readonly #index = new Map<T, number>();

  /** Entries waiting. */
  get length(): number {
    return this.#size;
  }

  /** Adds an entry at the back. */
  push(entry: T): void {
    this.#index.set(entry, this.#items.length);
    this.#items.push(entry);
    this.#size++;
  }

  /** Takes the entry at the front, or undefined when none waits. */
  shift(): T | undefined {
    while (this.#head < this.#items.length) {
      const entry = this.#items[this.#head];
      this.#items[this.#head] = undefined;
      this.#head++;
      if (entry !== undefined) {
        this.#index.delete(entry);
        this.#size--;
        this.#compact();
        return entry;
      }
    }
    return undefined;
  }

  /** Drops an entry wherever it is; false when it is not queued. */
  remove(entry: T): boolean {
    const at = this.#index.get(entry);
    if (at === undefined) return false;
    this.#index.delete(entry);
    this.#items[at] = undefined;
    this.#size--;
    this.#compact();
    return true;
  }

  #compact(): void {
    if (this.#size === 0) {
      this.#items = [];
      this.#head = 0;
      this.#index.clear();
      return;
    }
    if (this.#head < 1024 || this.#head * 2 < this.#items.length) return;
    const kept: T[] = [];
    for (let i = this.#head; i < this.#items.length; i++) {
      const entry = this.#items[i];
      if (entry === undefined) continue;
      this.#index.set(entry, kept.length);
      kept.push(entry);
    }
    this.#items = kept;
    this.#head = 0;
  }
}
