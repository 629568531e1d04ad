// A small seeded pseudo-random generator. The scenario must be identical for a seed on every machine and Node version,
// so nothing here may touch Math.random. sfc32 is fast, passes PractRand for the volumes we draw, and its 128-bit
// state is easy to derive from text keys: every (seed, user, day, session) gets its own stream, which is what lets the
// generator rebuild any part of the data lazily and independently without replaying everything before it.

/** 32-bit FNV-1a over the key parts, then mixed; used only to seed streams, not as a random source itself. */
function hashParts(parts: readonly (string | number)[]): [number, number, number, number] {
  let h1 = 0x811c9dc5;
  let h2 = 0x01000193;
  const text = parts.join('\u0000');
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    h1 = Math.imul(h1 ^ code, 0x01000193) >>> 0;
    h2 = Math.imul(h2 ^ code, 0x5bd1e995) >>> 0;
  }
  const mix = (x: number): number => {
    x = Math.imul(x ^ (x >>> 16), 0x85ebca6b);
    x = Math.imul(x ^ (x >>> 13), 0xc2b2ae35);
    return (x ^ (x >>> 16)) >>> 0;
  };
  return [mix(h1), mix(h2), mix(h1 ^ 0x9e3779b9), mix(h2 ^ 0x7f4a7c15)];
}

export class Prng {
  private a: number;
  private b: number;
  private c: number;
  private d: number;

  /** A stream keyed by the parts (the scenario seed first, then whatever identifies the slice of data). */
  constructor(...parts: (string | number)[]) {
    [this.a, this.b, this.c, this.d] = hashParts(parts);
    // Warm up so streams from similar keys diverge before their first use.
    for (let i = 0; i < 12; i++) this.nextUint32();
  }

  nextUint32(): number {
    const t = (((this.a + this.b) | 0) + this.d) | 0;
    this.d = (this.d + 1) | 0;
    this.a = this.b ^ (this.b >>> 9);
    this.b = (this.c + (this.c << 3)) | 0;
    this.c = (this.c << 21) | (this.c >>> 11);
    this.c = (this.c + t) | 0;
    return t >>> 0;
  }

  /** Uniform in [0, 1). */
  next(): number {
    return this.nextUint32() / 4294967296;
  }

  /** Uniform integer in [min, max] (both inclusive). */
  int(min: number, max: number): number {
    return min + Math.floor(this.next() * (max - min + 1));
  }

  /** Uniform real in [min, max). */
  uniform(min: number, max: number): number {
    return min + this.next() * (max - min);
  }

  chance(probability: number): boolean {
    return this.next() < probability;
  }

  pick<T>(items: readonly T[]): T {
    if (items.length === 0) throw new RangeError('pick from an empty list');
    return items[Math.floor(this.next() * items.length)] as T;
  }

  /** Picks by relative weight; weights must not all be zero. */
  weighted<T>(items: readonly (readonly [T, number])[]): T {
    let total = 0;
    for (const [, w] of items) total += w;
    let r = this.next() * total;
    for (const [item, w] of items) {
      r -= w;
      if (r < 0) return item;
    }
    const last = items[items.length - 1];
    if (!last) throw new RangeError('weighted pick from an empty list');
    return last[0];
  }

  /** Hex string of the given length. */
  hex(length: number): string {
    let out = '';
    while (out.length < length) out += this.nextUint32().toString(16).padStart(8, '0');
    return out.slice(0, length);
  }
}
