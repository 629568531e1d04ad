// The delivery pipeline: the one place where "nothing lost, nothing twice" is enforced between the streams, the sinks
// and the state store. It backs SourceContext.deliver / commitWatermark / position.
//
// For each offer of events and findings on (account, stream):
//   1. records already committed (store.filterSeen) are dropped;
//   2. the rest go out in batches of `batchSize`, each batch to EVERY sink concurrently; a sink gets only the
//      records it has not already accepted in this process (the ledger), so a retry after another sink's failure
//      never reaches a sink twice;
//   3. a batch's dedupe keys are committed only once every sink accepted it; a rejection leaves it uncommitted and
//      the offer rejects with a DeliveryError (the stream re-reads the window next cycle and offers it again);
//   4. a watermark is committed only when nothing read for that stream is uncommitted and no offer failed since the
//      read began (position() begins a read). So the watermark never moves past an undelivered event.
//
// Findings are deduplicated WITHIN the stream that offers them, under the key `finding:<detectionId>:<id>`: one
// store commit then covers a batch's events and findings in a single transaction (a per-detection stream would need
// two commits, and a crash between them would re-send one half). The prefix keeps finding ids apart from event ids.
// A detection that runs as its own source offers under its own id, so `retentionSeconds(detectionId)` sets how long
// its findings are remembered (its look-back window).
//
// Offers on one (account, stream) are serialised; different streams run concurrently.
import type { StateStore } from '../state/store.ts';
import type { Finding, SnowflakeEvent } from './events.ts';
import type { DeliveryBatch, Sink } from './sink.ts';
import type { SourceContext } from './source.ts';
import { DeliveryError } from './delivery-errors.ts';
import { PendingLedger } from './delivery-ledger.ts';

export interface DeliveryPipelineOptions {
  readonly store: StateStore;
  readonly sinks: readonly Sink[];
  readonly now: () => Date;
  /** How long a stream's dedupe keys are kept; must be >= 2 x the stream's overlap. */
  readonly retentionSeconds: (stream: string) => number;
  /** Records per batch handed to the sinks and committed together. Default 500. */
  readonly batchSize?: number;
  /** Records that may wait uncommitted (for a failing sink) across all streams. Default 100,000. */
  readonly maxPendingRecords?: number;
  /** Minimum time between two expiries of old dedupe keys. Default 60 s. */
  readonly expireIntervalSeconds?: number;
  /** Aborts every delivery (exporter shutdown). */
  readonly signal?: AbortSignal;
  /** Told when the periodic expiry of old dedupe keys fails (it is retried at the next interval), for the log. */
  readonly onHousekeepingError?: (error: unknown) => void;
}

export interface SinkDeliveryCounters {
  /** Records this sink accepted. */
  readonly accepted: number;
  /** Batches this sink rejected. */
  readonly failures: number;
}

export interface StreamDeliveryCounters {
  readonly account: string;
  readonly stream: string;
  /** Records committed after every sink accepted them. */
  readonly delivered: number;
  /** Records dropped as already delivered (committed, or repeated within one offer). */
  readonly duplicatesDropped: number;
  /** Batches that at least one sink rejected. */
  readonly failedBatches: number;
  /** Records waiting uncommitted right now. */
  readonly pending: number;
}

export interface DeliveryCounters {
  readonly delivered: number;
  readonly duplicatesDropped: number;
  /** Rejections by sinks (one per sink per batch). */
  readonly sinkFailures: number;
  /** Store failures seen by deliveries, watermarks and housekeeping. */
  readonly stateErrors: number;
  readonly watermarksCommitted: number;
  readonly watermarkRefusals: number;
  /** Records not sent because the pending ledger was full. */
  readonly backlogRefused: number;
  readonly expiredIds: number;
  /** Records waiting uncommitted right now, and the bound. */
  readonly pendingRecords: number;
  readonly pendingLimit: number;
  readonly bySink: Readonly<Record<string, SinkDeliveryCounters>>;
  readonly byStream: readonly StreamDeliveryCounters[];
}

/** The dedupe key of a finding inside the stream that offers it. */
export function findingDedupeKey(finding: Finding): string {
  return `finding:${finding.detectionId}:${finding.id}`;
}

interface OfferedRecord {
  readonly key: string;
  readonly event?: SnowflakeEvent;
  readonly finding?: Finding;
}

interface MutableStreamCounters {
  account: string;
  stream: string;
  delivered: number;
  duplicatesDropped: number;
  failedBatches: number;
}

const DEFAULT_BATCH_SIZE = 500;
const DEFAULT_MAX_PENDING = 100_000;
const DEFAULT_EXPIRE_INTERVAL_SECONDS = 60;

export class DeliveryPipeline {
  readonly #store: StateStore;
  readonly #sinks: readonly Sink[];
  readonly #now: () => Date;
  readonly #retentionSeconds: (stream: string) => number;
  readonly #batchSize: number;
  readonly #expireIntervalMs: number;
  readonly #signal: AbortSignal | undefined;
  readonly #onHousekeepingError: ((error: unknown) => void) | undefined;
  readonly #ledger: PendingLedger;

  /** Tail of the serialised offers per stream key. */
  readonly #queues = new Map<string, Promise<unknown>>();
  /** Offers running or queued per stream key (a watermark waits for none). */
  readonly #active = new Map<string, number>();
  /** Streams with a failed offer since their read began. */
  readonly #failedInRead = new Set<string>();
  #lastExpireMs: number | undefined;

  readonly #streamCounters = new Map<string, MutableStreamCounters>();
  readonly #sinkCounters = new Map<string, { accepted: number; failures: number }>();
  #totals = {
    delivered: 0,
    duplicatesDropped: 0,
    sinkFailures: 0,
    stateErrors: 0,
    watermarksCommitted: 0,
    watermarkRefusals: 0,
    backlogRefused: 0,
    expiredIds: 0,
  };

  constructor(options: DeliveryPipelineOptions) {
    const names = options.sinks.map((sink) => sink.name);
    if (new Set(names).size !== names.length) {
      // The ledger tracks acceptance by sink name, so two sinks with one name would hide each other's failures.
      throw new TypeError(`sink names must be unique, got ${names.join(', ')}`);
    }
    const batchSize = options.batchSize ?? DEFAULT_BATCH_SIZE;
    if (!Number.isInteger(batchSize) || batchSize < 1) throw new RangeError('batchSize must be a positive integer');
    const maxPending = options.maxPendingRecords ?? DEFAULT_MAX_PENDING;
    if (!Number.isInteger(maxPending) || maxPending < batchSize) {
      throw new RangeError('maxPendingRecords must be an integer >= batchSize');
    }
    this.#store = options.store;
    this.#sinks = [...options.sinks];
    this.#now = options.now;
    this.#retentionSeconds = options.retentionSeconds;
    this.#batchSize = batchSize;
    this.#expireIntervalMs = (options.expireIntervalSeconds ?? DEFAULT_EXPIRE_INTERVAL_SECONDS) * 1000;
    this.#signal = options.signal;
    this.#onHousekeepingError = options.onHousekeepingError;
    this.#ledger = new PendingLedger(maxPending);
    for (const name of names) this.#sinkCounters.set(name, { accepted: 0, failures: 0 });
  }

  /**
   * The stream's committed watermark. Calling it begins a new read of the stream: failures of earlier reads no
   * longer block its watermark (records still uncommitted do, until a later offer delivers them).
   */
  position(account: string, stream: string): Date | undefined {
    const key = streamKey(account, stream);
    this.#failedInRead.delete(key);
    try {
      return this.#store.getPosition(account, stream)?.watermark;
    } catch (error) {
      this.#totals.stateErrors++;
      throw new DeliveryError('state', `could not read the position of ${describe(account, stream)}`, {
        account,
        stream,
        cause: error,
      });
    }
  }

  /**
   * Offers events and findings read by a stream; resolves to the number of records newly committed. Rejects with a
   * DeliveryError when a sink rejected, the store failed, the signal fired or the pending ledger is full; whatever
   * was not committed is offered again by the next read.
   */
  deliver(
    account: string,
    stream: string,
    events: readonly SnowflakeEvent[],
    findings: readonly Finding[],
    signal?: AbortSignal,
  ): Promise<number> {
    const key = streamKey(account, stream);
    this.#active.set(key, (this.#active.get(key) ?? 0) + 1);
    const previous = this.#queues.get(key) ?? Promise.resolve();
    const run = previous
      .catch(() => undefined)
      .then(() => this.#deliverNow(account, stream, key, events, findings, signal))
      .catch((error: unknown) => {
        this.#failedInRead.add(key);
        throw error;
      })
      .finally(() => {
        const remaining = (this.#active.get(key) ?? 1) - 1;
        if (remaining === 0) this.#active.delete(key);
        else this.#active.set(key, remaining);
        if (this.#queues.get(key) === run) this.#queues.delete(key);
      });
    this.#queues.set(key, run);
    return run;
  }

  /**
   * Commits the stream's watermark after its whole window was delivered. Throws DeliveryError 'uncommitted' (and
   * commits nothing) while any record of the stream is uncommitted, an offer is running, or an offer failed since
   * the read began; 'state' when the store fails.
   */
  commitWatermark(account: string, stream: string, watermark: Date): void {
    const key = streamKey(account, stream);
    this.housekeep();
    const pending = this.#ledger.pendingIn(key);
    if (pending > 0 || (this.#active.get(key) ?? 0) > 0 || this.#failedInRead.has(key)) {
      this.#totals.watermarkRefusals++;
      throw new DeliveryError(
        'uncommitted',
        `watermark of ${describe(account, stream)} not moved: ${pending} record(s) uncommitted or an offer failed in this read`,
        { account, stream, records: pending },
      );
    }
    try {
      this.#store.commit(account, stream, [], this.#now(), watermark);
    } catch (error) {
      this.#totals.stateErrors++;
      throw new DeliveryError('state', `could not commit the watermark of ${describe(account, stream)}`, {
        account,
        stream,
        cause: error,
      });
    }
    this.#totals.watermarksCommitted++;
  }

  /**
   * Drops dedupe keys whose retention ended, at most once per expire interval; returns how many were dropped (0
   * when not due). Never throws: a store failure is counted and retried at the next interval.
   */
  housekeep(): number {
    const nowMs = this.#now().getTime();
    if (this.#lastExpireMs !== undefined && nowMs - this.#lastExpireMs < this.#expireIntervalMs) return 0;
    this.#lastExpireMs = nowMs;
    try {
      const expired = this.#store.expireSeen(new Date(nowMs));
      this.#totals.expiredIds += expired;
      return expired;
    } catch (error) {
      this.#totals.stateErrors++;
      try {
        this.#onHousekeepingError?.(error);
      } catch {
        // Reporting must not turn a skipped clean-up into a failed commit.
      }
      return 0;
    }
  }

  /**
   * The position / deliver / commitWatermark members of a SourceContext for one account and cycle: offers made
   * through it are aborted with the cycle's signal.
   */
  forAccount(account: string, signal: AbortSignal): Pick<SourceContext, 'position' | 'deliver' | 'commitWatermark'> {
    return {
      position: (stream) => this.position(account, stream),
      deliver: (stream, events, findings) => this.deliver(account, stream, events, findings, signal),
      commitWatermark: (stream, watermark) => this.commitWatermark(account, stream, watermark),
    };
  }

  counters(): DeliveryCounters {
    const byStream = [...this.#streamCounters.entries()].map(([key, counters]) => ({
      ...counters,
      pending: this.#ledger.pendingIn(key),
    }));
    return {
      ...this.#totals,
      pendingRecords: this.#ledger.size,
      pendingLimit: this.#ledger.limit,
      bySink: Object.fromEntries([...this.#sinkCounters].map(([name, counters]) => [name, { ...counters }])),
      byStream,
    };
  }

  async #deliverNow(
    account: string,
    stream: string,
    key: string,
    events: readonly SnowflakeEvent[],
    findings: readonly Finding[],
    callerSignal: AbortSignal | undefined,
  ): Promise<number> {
    this.housekeep();
    const counters = this.#countersOf(account, stream, key);
    const signal = combine(this.#signal, callerSignal);
    const retentionMs = this.#retentionMs(stream); // validated before anything is sent

    const offered = uniqueRecords(events, findings);
    counters.duplicatesDropped += events.length + findings.length - offered.length;
    this.#totals.duplicatesDropped += events.length + findings.length - offered.length;
    if (offered.length === 0) return 0;

    let seen: Set<string>;
    try {
      seen = this.#store.filterSeen(
        account,
        stream,
        offered.map((record) => record.key),
      );
    } catch (error) {
      this.#totals.stateErrors++;
      throw new DeliveryError('state', `could not read the delivered ids of ${describe(account, stream)}`, {
        account,
        stream,
        records: offered.length,
        cause: error,
      });
    }
    counters.duplicatesDropped += seen.size;
    this.#totals.duplicatesDropped += seen.size;
    this.#ledger.settle(key, seen); // committed elsewhere (an earlier process): nothing left to wait for

    // Records already pending are retries: they go first and always. New ones join only while the ledger has room;
    // room is measured batch by batch, since each committed batch frees its records.
    const retries = offered.filter((record) => !seen.has(record.key) && this.#ledger.has(key, record.key));
    const fresh = offered.filter((record) => !seen.has(record.key) && !this.#ledger.has(key, record.key));
    let delivered = 0;
    let refused = 0;
    while (retries.length > 0 || fresh.length > 0) {
      const batch = retries.splice(0, this.#batchSize);
      const admit = Math.min(this.#batchSize - batch.length, this.#ledger.room, fresh.length);
      batch.push(...fresh.splice(0, admit));
      if (batch.length === 0) {
        refused = fresh.length;
        break;
      }
      if (signal?.aborted === true) {
        throw new DeliveryError('aborted', `delivery of ${describe(account, stream)} aborted`, {
          account,
          stream,
          records: batch.length + retries.length + fresh.length,
        });
      }
      delivered += await this.#deliverBatch(account, stream, key, batch, retentionMs, signal);
    }

    if (refused > 0) {
      this.#totals.backlogRefused += refused;
      throw new DeliveryError(
        'backlog',
        `${refused} record(s) of ${describe(account, stream)} not sent: ${this.#ledger.size} records already wait for a failing sink`,
        { account, stream, records: refused },
      );
    }
    return delivered;
  }

  /** Hands one batch to every sink that has not accepted its records yet; commits it when all have. */
  async #deliverBatch(
    account: string,
    stream: string,
    key: string,
    batch: readonly OfferedRecord[],
    retentionMs: number,
    signal: AbortSignal | undefined,
  ): Promise<number> {
    const counters = this.#countersOf(account, stream, key);
    for (const record of batch) this.#ledger.add(key, record.key);

    const plans = this.#sinks
      .map((sink) => ({ sink, records: batch.filter((record) => !this.#ledger.acceptedBy(key, record.key, sink.name)) }))
      .filter((plan) => plan.records.length > 0);
    const sinkSignal = signal ?? new AbortController().signal;
    const results = await Promise.allSettled(
      plans.map(async (plan) => plan.sink.deliver(toDeliveryBatch(account, stream, plan.records), sinkSignal)),
    );

    const failedSinks: string[] = [];
    results.forEach((result, index) => {
      const plan = plans[index];
      if (plan === undefined) return;
      const sinkCounters = this.#sinkCounters.get(plan.sink.name);
      if (result.status === 'fulfilled') {
        for (const record of plan.records) this.#ledger.markAccepted(key, record.key, plan.sink.name);
        if (sinkCounters !== undefined) sinkCounters.accepted += plan.records.length;
      } else {
        failedSinks.push(plan.sink.name);
        if (sinkCounters !== undefined) sinkCounters.failures++;
      }
    });

    if (failedSinks.length > 0) {
      counters.failedBatches++;
      this.#totals.sinkFailures += failedSinks.length;
      const kind = signal?.aborted === true ? 'aborted' : 'sink';
      throw new DeliveryError(
        kind,
        `sink(s) ${failedSinks.map((name) => JSON.stringify(name)).join(', ')} rejected a batch of ${batch.length} ` +
          `record(s) of ${describe(account, stream)}; it stays uncommitted`,
        { account, stream, failedSinks, records: batch.length },
      );
    }

    const keys = batch.map((record) => record.key);
    try {
      this.#store.commit(account, stream, keys, new Date(this.#now().getTime() + retentionMs), undefined);
    } catch (error) {
      // Every sink has the batch; the ledger remembers that, so the next offer commits without re-sending.
      this.#totals.stateErrors++;
      throw new DeliveryError('state', `could not commit a batch of ${batch.length} record(s) of ${describe(account, stream)}`, {
        account,
        stream,
        records: batch.length,
        cause: error,
      });
    }
    this.#ledger.settle(key, keys);
    counters.delivered += batch.length;
    this.#totals.delivered += batch.length;
    return batch.length;
  }

  #retentionMs(stream: string): number {
    const seconds = this.#retentionSeconds(stream);
    if (!Number.isFinite(seconds) || seconds <= 0) {
      throw new RangeError(`retentionSeconds(${JSON.stringify(stream)}) must be a positive number of seconds`);
    }
    return seconds * 1000;
  }

  #countersOf(account: string, stream: string, key: string): MutableStreamCounters {
    let counters = this.#streamCounters.get(key);
    if (counters === undefined) {
      counters = { account, stream, delivered: 0, duplicatesDropped: 0, failedBatches: 0 };
      this.#streamCounters.set(key, counters);
    }
    return counters;
  }
}

function streamKey(account: string, stream: string): string {
  return JSON.stringify([account, stream]);
}

function describe(account: string, stream: string): string {
  return `account ${JSON.stringify(account)} stream ${JSON.stringify(stream)}`;
}

/** Events then findings, each key once (the first occurrence wins). */
function uniqueRecords(events: readonly SnowflakeEvent[], findings: readonly Finding[]): OfferedRecord[] {
  const byKey = new Map<string, OfferedRecord>();
  for (const event of events) if (!byKey.has(event.id)) byKey.set(event.id, { key: event.id, event });
  for (const finding of findings) {
    const key = findingDedupeKey(finding);
    if (!byKey.has(key)) byKey.set(key, { key, finding });
  }
  return [...byKey.values()];
}

function toDeliveryBatch(account: string, stream: string, records: readonly OfferedRecord[]): DeliveryBatch {
  const events: SnowflakeEvent[] = [];
  const findings: Finding[] = [];
  for (const record of records) {
    if (record.event !== undefined) events.push(record.event);
    if (record.finding !== undefined) findings.push(record.finding);
  }
  return { account, source: stream, events, findings };
}

function combine(...signals: (AbortSignal | undefined)[]): AbortSignal | undefined {
  const present = signals.filter((signal): signal is AbortSignal => signal !== undefined);
  if (present.length <= 1) return present[0];
  return AbortSignal.any(present);
}
