// A bounded set of recently seen keys (oldest evicted first). Used as a cheap defensive check: the delivery
// pipeline already guarantees a sink never receives an id it accepted before in this process.
//
// The insertion order lives in a ring buffer beside the Set. Evicting through the Set itself (`values().next()` on
// the oldest entry) is not O(1) in V8: a deleted entry stays a hole in the table until it is rehashed, and the
// iterator walks every hole before it, so once full each eviction scanned tens of thousands of holes (measured:
// 300,000 evictions at capacity 100,000 took 8.5 s, the ring 0.5 s; bench/end-to-end.bench.ts spent a tenth of its
// CPU there).
export class RecentIds {
  readonly #capacity: number;
  readonly #keys = new Set<string>();
  /** The keys in insertion order (grown as needed, not allocated up front); once full, `#next` is the oldest. */
  readonly #order: string[] = [];
  #next = 0;

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
    if (this.#order.length < this.#capacity) {
      this.#order.push(key);
      return;
    }
    const oldest = this.#order[this.#next];
    if (oldest !== undefined) this.#keys.delete(oldest);
    this.#order[this.#next] = key;
    this.#next = (this.#next + 1) % this.#capacity;
  }

  get size(): number {
    return this.#keys.size;
  }
}
