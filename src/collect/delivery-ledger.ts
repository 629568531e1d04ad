// In-memory record of what was handed to sinks in this process but is not committed yet, and which sinks accepted
// each record. It is what keeps a sink from receiving the same event twice in one process lifetime when ANOTHER sink
// failed: the retry goes only to the sinks that have not accepted. Entries leave when their batch commits.
//
// Bounded: it holds at most `limit` records across all streams. It never evicts (forgetting an entry would either
// re-send to a sink that accepted or let a watermark pass an undelivered event); instead the pipeline refuses new
// records once it is full, and that shows in a counter.

export class PendingLedger {
  readonly limit: number;
  /** stream key -> record key -> names of the sinks that accepted it. */
  readonly #streams = new Map<string, Map<string, Set<string>>>();
  #size = 0;

  constructor(limit: number) {
    this.limit = limit;
  }

  get size(): number {
    return this.#size;
  }

  get room(): number {
    return Math.max(0, this.limit - this.#size);
  }

  pendingIn(stream: string): number {
    return this.#streams.get(stream)?.size ?? 0;
  }

  has(stream: string, key: string): boolean {
    return this.#streams.get(stream)?.has(key) ?? false;
  }

  acceptedBy(stream: string, key: string, sink: string): boolean {
    return this.#streams.get(stream)?.get(key)?.has(sink) ?? false;
  }

  /** Registers a record as handed over (no sink has accepted it yet). No-op when already pending. */
  add(stream: string, key: string): void {
    let records = this.#streams.get(stream);
    if (records === undefined) {
      records = new Map();
      this.#streams.set(stream, records);
    }
    if (records.has(key)) return;
    records.set(key, new Set());
    this.#size++;
  }

  markAccepted(stream: string, key: string, sink: string): void {
    this.#streams.get(stream)?.get(key)?.add(sink);
  }

  /** Forgets committed records. */
  settle(stream: string, keys: Iterable<string>): void {
    const records = this.#streams.get(stream);
    if (records === undefined) return;
    for (const key of keys) if (records.delete(key)) this.#size--;
    if (records.size === 0) this.#streams.delete(stream);
  }
}
