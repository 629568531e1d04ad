// A bounded set of recently seen keys (oldest evicted first). Used as a cheap defensive check: the delivery
// pipeline already guarantees a sink never receives an id it accepted before in this process.
//
// Memory: it is full most of the time (100,000 ids by default, per sink), so it holds 128-bit digests of the keys in
// typed arrays, not the key strings in a Set. A Set entry with its key (an event id joined to its account and kind)
// took about 140 bytes, 14 MB per full set; a digest in the insertion-order ring plus its slot in an open-addressing
// table takes 24 bytes, and untouched pages of the arrays are never resident. Two distinct keys share a SHA-256
// prefix of 128 bits with probability 2^-128 per pair, which nobody can arrange by writing query text either.
//
// Eviction is O(1): the ring says which digest is oldest, and the table removes it by backward-shift deletion
// (linear probing needs no tombstones then, so lookups never slow down as keys come and go).
import { hash } from 'node:crypto';

const WORDS = 4; // 128 bits as four 32-bit words

export class RecentIds {
  readonly #capacity: number;
  /** The digests in insertion order, WORDS words each; once full, `#next` is the oldest. */
  readonly #ring: Uint32Array;
  /** Open addressing, linear probing: ring index + 1 of the digest homed near here, 0 when empty. */
  readonly #slots: Int32Array;
  readonly #mask: number;
  #count = 0;
  #next = 0;
  /** Scratch space for the digest being looked up. */
  readonly #probe = new Uint32Array(WORDS);

  constructor(capacity: number) {
    if (!Number.isInteger(capacity) || capacity < 1) throw new RangeError('capacity must be an integer >= 1');
    this.#capacity = capacity;
    this.#ring = new Uint32Array(capacity * WORDS);
    // At most half full, so probe runs stay short.
    let size = 2;
    while (size < capacity * 2) size *= 2;
    this.#slots = new Int32Array(size);
    this.#mask = size - 1;
  }

  has(key: string): boolean {
    this.#digest(key);
    return this.#find() >= 0;
  }

  /** Adds the key; true when it was not held (the first time it is seen within the window). */
  add(key: string): boolean {
    this.#digest(key);
    if (this.#find() >= 0) return false;
    const index = this.#next;
    if (this.#count === this.#capacity) this.#evict(index);
    else this.#count++;
    this.#ring.set(this.#probe, index * WORDS);
    let slot = (this.#probe[0] ?? 0) & this.#mask;
    while (this.#slots[slot] !== 0) slot = (slot + 1) & this.#mask;
    this.#slots[slot] = index + 1;
    this.#next = (index + 1) % this.#capacity;
    return true;
  }

  get size(): number {
    return this.#count;
  }

  #digest(key: string): void {
    // 'binary' (latin1: one character per byte) is about twice as fast to get from crypto.hash as a Buffer.
    const digest = hash('sha256', key, 'binary');
    for (let word = 0; word < WORDS; word++) {
      const at = word * 4;
      this.#probe[word] =
        (digest.charCodeAt(at) | (digest.charCodeAt(at + 1) << 8) | (digest.charCodeAt(at + 2) << 16) | (digest.charCodeAt(at + 3) << 24)) >>> 0;
    }
  }

  #matches(index: number): boolean {
    const base = index * WORDS;
    for (let word = 0; word < WORDS; word++) if (this.#ring[base + word] !== this.#probe[word]) return false;
    return true;
  }

  /** The slot holding the digest in `#probe`, or -1. */
  #find(): number {
    let slot = (this.#probe[0] ?? 0) & this.#mask;
    for (;;) {
      const entry = this.#slots[slot] ?? 0;
      if (entry === 0) return -1;
      if (this.#matches(entry - 1)) return slot;
      slot = (slot + 1) & this.#mask;
    }
  }

  /** Removes the digest at ring position `index` from the table (backward-shift deletion). */
  #evict(index: number): void {
    let hole = (this.#ring[index * WORDS] ?? 0) & this.#mask;
    while (this.#slots[hole] !== index + 1) hole = (hole + 1) & this.#mask;
    this.#slots[hole] = 0;
    let slot = hole;
    for (;;) {
      slot = (slot + 1) & this.#mask;
      const entry = this.#slots[slot] ?? 0;
      if (entry === 0) return;
      const home = (this.#ring[(entry - 1) * WORDS] ?? 0) & this.#mask;
      // The entry may move back into the hole unless its home lies cyclically in (hole, slot].
      const staysPut = hole <= slot ? home > hole && home <= slot : home > hole || home <= slot;
      if (!staysPut) {
        this.#slots[hole] = entry;
        this.#slots[slot] = 0;
        hole = slot;
      }
    }
  }
}
