// The durable state the exporter keeps between runs: per-stream watermarks, the ids of recently delivered events
// (so an overlapping re-read never delivers twice), and a short cycle history. Implemented on node:sqlite; the
// interface lets tests and later features (encrypted OAuth tokens) see one small surface.

export interface StreamPosition {
  /** Read from here minus the overlap next time (Snowflake time of the last committed read). */
  readonly watermark: Date;
  readonly updatedAt: Date;
}

export interface CycleRecord {
  readonly account: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcome: 'ok' | 'partial' | 'failed' | 'cancelled';
  readonly statements: number;
  readonly rows: number;
  readonly estimatedCredits: number;
  readonly detail: string;
}

export interface StateStore {
  getPosition(account: string, stream: string): StreamPosition | undefined;
  /** Which of these ids were already delivered for this account and stream. */
  filterSeen(account: string, stream: string, ids: readonly string[]): Set<string>;
  /**
   * Atomically records the delivered ids (kept until `retainUntil`) and, when given, moves the stream's watermark.
   * Called only after every sink accepted the events. A crash before it returns leaves the old state intact.
   */
  commit(account: string, stream: string, delivered: readonly string[], retainUntil: Date, watermark?: Date): void;
  /** Drops dedupe ids whose retention ended; returns how many. */
  expireSeen(now: Date): number;
  recordCycle(cycle: CycleRecord): void;
  recentCycles(account: string, limit: number): CycleRecord[];
  /** Generic small key/value rows for other features (e.g. encrypted OAuth tokens, credit budget day). */
  getValue(namespace: string, key: string): string | undefined;
  setValue(namespace: string, key: string, value: string): void;
  close(): void;
}
