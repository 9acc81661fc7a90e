/**
 * A first-in first-out list over one array with a moving head: taking from the front costs no
 * copy of what stays (Array.shift would move every element), and the consumed front is cut off
 * once it is most of the array.
 *
 * @packageDocumentation
 */

/** Consumed entries kept before the array is compacted: a bound on the work per compaction. */
const COMPACT_AFTER = 4096;

export class Fifo<T> {
  #items: T[] = [];
  #head = 0;

  /** Entries not yet taken. */
  get length(): number {
    return this.#items.length - this.#head;
  }

  push(item: T): void {
    this.#items.push(item);
  }

  /** The oldest entry, if any. */
  peek(): T | undefined {
    return this.#items[this.#head];
  }

  /** Removes and returns the oldest `count` entries (fewer if there are fewer). */
  take(count: number): T[] {
    const taken = this.#items.slice(this.#head, this.#head + count);
    this.#head += taken.length;
    this.#compact();
    return taken;
  }

  /** Removes entries from the front while `drop` says so. */
  dropWhile(drop: (item: T) => boolean): void {
    while (this.#head < this.#items.length && drop(this.#items[this.#head]!)) this.#head++;
    this.#compact();
  }

  /** The entries, oldest first (a copy). */
  toArray(): T[] {
    return this.#items.slice(this.#head);
  }

  clear(): void {
    this.#items = [];
    this.#head = 0;
  }

  #compact(): void {
    if (this.#head > COMPACT_AFTER && this.#head * 2 > this.#items.length) {
      this.#items.splice(0, this.#head);
      this.#head = 0;
    }
  }
}
