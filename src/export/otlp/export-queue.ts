// The bounded queue between deliveries and the collector. It is what gives the OTLP sink its contract (resolve only
// once the collector acknowledged every record; never drop; bounded):
//
//   - an offer admits its records one by one while there is room, and WAITS for room when the queue is full, so a
//     collector that is down or slow holds collection back instead of growing memory or losing records;
//   - one worker exports the head of the queue in chunks of at most maxBatch records, one chunk at a time, and
//     removes a chunk only when the collector acknowledged it; a failed chunk stays at the head and is exported
//     again after a backoff that honours the collector's Retry-After;
//   - a record is queued once: an offer of a record already queued (a delivery retried after its caller gave up)
//     waits for the same entry, and a record already acknowledged in this process is not sent again.
//
// Records whose offer was abandoned (the cycle's deadline passed) stay queued and are still exported: the next
// cycle offers them again and finds them acknowledged, or joins their entry. Close flushes within its signal and
// then rejects what is left.
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { RecentIds } from '../metrics/recent-ids.ts';
import { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
import type { OtlpQueueListener } from './otlp-metrics.ts';
import type { RecordKind } from './record-id.ts';
import type { ExportOutcome, LogTransport } from './transport.ts';

export class OtlpSinkClosedError extends Error {
  readonly code = 'OTLP_SINK_CLOSED';
  constructor(message = 'the OTLP logs sink is closed') {
    super(message);
    this.name = 'OtlpSinkClosedError';
  }
}

export interface QueueItem {
  /** The record id: the queue's dedupe key. */
  readonly key: string;
  readonly kind: RecordKind;
  /** Builds the SDK record; called only when the item is admitted (not for repeats). */
  build(): ReadableLogRecord;
}

export interface ExportQueueOptions {
  readonly capacity: number;
  readonly maxBatch: number;
  readonly transport: LogTransport;
  readonly listener: OtlpQueueListener;
  readonly backoff?: BackoffPolicy | undefined;
  /** Acknowledged record ids remembered so a repeat is not sent again (default max(100,000, 4 x capacity)). */
  readonly acknowledgedMemory?: number | undefined;
  /** Waits between attempts; tests replace it to see the delays chosen. Must reject when the signal aborts. */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  readonly random?: (() => number) | undefined;
  readonly now?: (() => Date) | undefined;
  /** Export failures and recoveries, worded for an operator. Must not throw. */
  readonly log?: ((level: 'warn' | 'info', message: string) => void) | undefined;
}

export interface FlushReport {
  /** Records still unacknowledged when the flush bound ran out (rejected; the next run sends them again). */
  readonly unflushed: number;
}

interface Entry {
  readonly key: string;
  readonly kind: RecordKind;
  readonly record: ReadableLogRecord;
  readonly settled: Promise<void>;
  readonly resolve: () => void;
  readonly reject: (error: Error) => void;
  /** HTTP requests that carried this record so far. */
  attempts: number;
}

/** Failures in a row after which a still-failing collector is reported again (not at every attempt). */
const LOG_EVERY_FAILURES = 10;

export class ExportQueue {
  readonly #capacity: number;
  readonly #maxBatch: number;
  readonly #transport: LogTransport;
  readonly #listener: OtlpQueueListener;
  readonly #backoff: BackoffPolicy;
  readonly #sleep: (ms: number, signal: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => Date;
  readonly #log: (level: 'warn' | 'info', message: string) => void;

  readonly #entries: Entry[] = [];
  readonly #byKey = new Map<string, Entry>();
  readonly #acknowledged: RecentIds;
  /** Offers waiting for room; each re-checks when woken. */
  #roomWaiters: (() => void)[] = [];
  #drainWaiters: (() => void)[] = [];
  #working = false;
  #closing = false;
  readonly #stop = new AbortController();

  constructor(options: ExportQueueOptions) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) throw new RangeError('capacity must be an integer >= 1');
    if (!Number.isSafeInteger(options.maxBatch) || options.maxBatch < 1) throw new RangeError('maxBatch must be an integer >= 1');
    this.#capacity = options.capacity;
    this.#maxBatch = Math.min(options.maxBatch, options.capacity);
    this.#transport = options.transport;
    this.#listener = options.listener;
    this.#backoff = options.backoff ?? DEFAULT_BACKOFF;
    this.#sleep = options.sleep ?? abortableSleep;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? (() => new Date());
    this.#log = options.log ?? (() => undefined);
    this.#acknowledged = new RecentIds(options.acknowledgedMemory ?? Math.max(100_000, 4 * options.capacity));
  }

  get size(): number {
    return this.#entries.length;
  }

  get capacity(): number {
    return this.#capacity;
  }

  /** True when the record was acknowledged in this process (within the remembered window). */
  acknowledged(key: string): boolean {
    return this.#acknowledged.has(key);
  }

  /**
   * Queues the items (waiting for room as needed) and resolves once the collector acknowledged every one of them.
   * Rejects with the signal's reason when it aborts, or OtlpSinkClosedError once the queue closes; records already
   * queued stay queued either way.
   */
  async offer(items: readonly QueueItem[], signal: AbortSignal): Promise<void> {
    const waits: Promise<void>[] = [];
    for (const item of items) {
      const admitted = await this.#admit(item, signal);
      if (admitted.settled !== undefined) waits.push(admitted.settled);
    }
    await untilAborted(Promise.all(waits), signal);
  }

  /**
   * Stops admitting, exports what is queued until it is empty or the signal aborts, then rejects what is left.
   * Idempotent; later calls report what is left at their time.
   */
  async close(signal?: AbortSignal): Promise<FlushReport> {
    this.#closing = true;
    this.#wakeRoomWaiters();
    if (this.#entries.length > 0 && signal?.aborted !== true) {
      const drained = new Promise<void>((resolve) => this.#drainWaiters.push(resolve));
      await (signal === undefined ? drained : untilAborted(drained, signal).catch(() => undefined));
    }
    this.#stop.abort();
    const left = this.#entries.splice(0);
    const error = new OtlpSinkClosedError(`the OTLP logs sink closed with ${left.length} record(s) unacknowledged`);
    for (const entry of left) {
      this.#byKey.delete(entry.key);
      entry.reject(error);
    }
    this.#listener.queued(0);
    // The exporter's shutdown waits for a request in flight; never longer than the caller allows.
    const shutdown = this.#transport.shutdown().catch(() => undefined);
    await (signal === undefined ? shutdown : untilAborted(shutdown, signal).catch(() => undefined));
    return { unflushed: left.length };
  }

  /** null: not known (queue it); undefined: acknowledged already; a promise: queued, wait for it. */
  #waitFor(key: string): Promise<void> | undefined | null {
    if (this.#acknowledged.has(key)) return undefined;
    return this.#byKey.get(key)?.settled ?? null;
  }

  /**
   * Queues the item once there is room, unless it is queued or acknowledged already (by another offer, or while this
   * one waited). The last check for room and the add happen in one synchronous step: were they split by an await,
   * offers woken together could each see the last free place and overfill the queue. Returns what the offer waits
   * for (in an object, since an async function would adopt the promise itself): the entry's settlement, or nothing
   * when the collector acknowledged the record.
   */
  async #admit(item: QueueItem, signal: AbortSignal): Promise<{ readonly settled: Promise<void> | undefined }> {
    for (;;) {
      const known = this.#waitFor(item.key);
      if (known !== null) return { settled: known };
      if (this.#closing) throw new OtlpSinkClosedError();
      if (signal.aborted) throw abortReason(signal);
      if (this.#entries.length < this.#capacity) return { settled: this.#add(item) };
      // Backpressure: the collector is down or slower than collection; the offer (and so the cycle) waits here.
      await untilAborted(new Promise<void>((resolve) => this.#roomWaiters.push(resolve)), signal);
    }
  }

  #add(item: QueueItem): Promise<void> {
    const record = item.build();
    let resolve: () => void = () => undefined;
    let reject: (error: Error) => void = () => undefined;
    const settled = new Promise<void>((res, rej) => {
      resolve = res;
      reject = rej;
    });
    // An entry whose offers all gave up has no one listening; its rejection at close is expected, not unhandled.
    settled.catch(() => undefined);
    const entry: Entry = { key: item.key, kind: item.kind, record, settled, resolve, reject, attempts: 0 };
    this.#entries.push(entry);
    this.#byKey.set(item.key, entry);
    this.#listener.queued(this.#entries.length);
    this.#startWorker();
    return settled;
  }

  #startWorker(): void {
    if (this.#working) return;
    this.#working = true;
    void this.#run()
      .catch(() => undefined) // #run handles its own failures; nothing may escape into the host
      .finally(() => {
        this.#working = false;
        // Entries added while the worker was finishing (it saw an empty queue) need a worker of their own.
        if (this.#entries.length > 0 && !this.#stop.signal.aborted) this.#startWorker();
      });
  }

  async #run(): Promise<void> {
    let failures = 0;
    let chunkLimit = this.#maxBatch;
    while (this.#entries.length > 0 && !this.#stop.signal.aborted) {
      const chunk = this.#entries.slice(0, chunkLimit);
      let outcome: ExportOutcome;
      try {
        outcome = await this.#transport.export(chunk.map((entry) => entry.record));
      } catch (error) {
        // The exporter reports failures through its callback; a throw is unexpected, and treated as a failure.
        outcome = { acknowledged: false, attempts: 1, status: undefined, retryAfterMs: undefined, reason: describe(error) };
      }
      if (this.#stop.signal.aborted) return;
      this.#countAttempts(chunk, outcome.attempts);
      if (outcome.acknowledged) {
        if (failures > 0) this.#log('info', `OTLP export recovered after ${failures} failed attempt(s)`);
        failures = 0;
        chunkLimit = Math.min(this.#maxBatch, chunkLimit * 2);
        this.#acknowledge(chunk);
        continue;
      }
      failures++;
      this.#listener.failed(chunk.length);
      // 413: the collector refuses a request this large; smaller chunks can still get through.
      if (outcome.status === 413 && chunkLimit > 1) chunkLimit = Math.ceil(chunkLimit / 2);
      const delay = retryDelayMs(this.#backoff, failures, outcome.retryAfterMs, this.#random);
      if (failures === 1 || failures % LOG_EVERY_FAILURES === 0) {
        this.#log(
          'warn',
          `OTLP export of ${chunk.length} record(s) failed (${outcome.reason ?? 'unknown reason'}; ${failures} attempt(s) in a row); ` +
            `${this.#entries.length} record(s) wait, next attempt in ${(delay / 1000).toFixed(1)} s`,
        );
      }
      try {
        await this.#sleep(delay, this.#stop.signal);
      } catch {
        return; // closed
      }
    }
  }

  /** Every request beyond a record's first is a retry of that record. */
  #countAttempts(chunk: readonly Entry[], requests: number): void {
    const sent = Math.max(requests, 1);
    let retried = 0;
    for (const entry of chunk) {
      retried += entry.attempts === 0 ? sent - 1 : sent;
      entry.attempts += sent;
    }
    this.#listener.retried(retried);
  }

  #acknowledge(chunk: readonly Entry[]): void {
    // The chunk is the head of the queue: only acknowledgements remove entries, and new ones join at the tail.
    this.#entries.splice(0, chunk.length);
    const byKind = new Map<RecordKind, number>();
    for (const entry of chunk) {
      this.#byKey.delete(entry.key);
      this.#acknowledged.add(entry.key);
      byKind.set(entry.kind, (byKind.get(entry.kind) ?? 0) + 1);
    }
    const at = this.#now();
    for (const [kind, count] of byKind) this.#listener.exported(kind, count, at);
    this.#listener.queued(this.#entries.length);
    for (const entry of chunk) entry.resolve();
    this.#wakeRoomWaiters();
    if (this.#entries.length === 0) {
      const waiters = this.#drainWaiters;
      this.#drainWaiters = [];
      for (const wake of waiters) wake();
    }
  }

  #wakeRoomWaiters(): void {
    const waiters = this.#roomWaiters;
    this.#roomWaiters = [];
    for (const wake of waiters) wake();
  }
}

function abortReason(signal: AbortSignal): Error {
  const reason: unknown = signal.reason;
  return reason instanceof Error ? reason : new Error('aborted');
}

/** The promise, or a rejection with the signal's reason as soon as it aborts (the promise itself goes on). */
function untilAborted<T>(promise: Promise<T>, signal: AbortSignal): Promise<T> {
  if (signal.aborted) return Promise.reject(abortReason(signal));
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(abortReason(signal));
    signal.addEventListener('abort', onAbort, { once: true });
    promise.then(
      (value) => {
        signal.removeEventListener('abort', onAbort);
        resolve(value);
      },
      (error: unknown) => {
        signal.removeEventListener('abort', onAbort);
        reject(error instanceof Error ? error : new Error(String(error)));
      },
    );
  });
}

function abortableSleep(ms: number, signal: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal.aborted) {
      reject(abortReason(signal));
      return;
    }
    const timer = setTimeout(() => {
      signal.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    const onAbort = (): void => {
      clearTimeout(timer);
      reject(abortReason(signal));
    };
    signal.addEventListener('abort', onAbort, { once: true });
  });
}

function describe(error: unknown): string {
  return error instanceof Error ? error.message.slice(0, 200) : 'unknown error';
}
