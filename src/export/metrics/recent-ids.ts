// A bounded set of recently seen keys (oldest evicted first). Used as a cheap defensive check: the delivery
// pipeline already guarantees a sink never receives an id it accepted before in this process.
export class RecentIds {
  readonly #capacity: number;
  readonly #keys = new Set<string>();

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
    this.#capacity = capacity;
  }

  has(key: string): boolean {
    return this.#keys.has(key);
  }

  add(key: string): void {
    if (this.#keys.has(key)) return;
    this.#keys.add(key);
    if (this.#keys.size > this.#capacity) {
      // A Set iterates in insertion order: the first key is the oldest.
      const oldest = this.#keys.values().next();
      if (!oldest.done) this.#keys.delete(oldest.value);
    }
  }

  get size(): number {
    return this.#keys.size;
  }
}
