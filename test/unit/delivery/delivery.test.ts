// The delivery pipeline against the real SQLite store (files in a temp dir) and two test sinks (real Sink
// implementations that record what they accepted and can be switched to reject, see test/helpers/state-test-sinks.ts).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import type { TestContext } from 'node:test';
import { DeliveryError } from '../../../src/collect/delivery-errors.ts';
import { DeliveryPipeline, findingDedupeKey } from '../../../src/collect/delivery.ts';
import type { DeliveryPipelineOptions } from '../../../src/collect/delivery.ts';
import type { DeliveryBatch, Sink } from '../../../src/collect/sink.ts';
import { openStateStore, StateStoreError } from '../../../src/state/index.ts';
import type { CycleRecord, SqliteStateStore, StateStore, StreamPosition } from '../../../src/state/index.ts';
import { finding, loginEvent, loginEvents, RecordingSink } from '../../helpers/state-test-sinks.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';
import { refuseFileWrites } from '../../helpers/state-write-refusal.ts';

const ACCOUNT = 'acct';
const STREAM = 'login_history';
const RETENTION_SECONDS = 4 * 3600; // 2 x a 2 h overlap

/** The real store, counting how often housekeeping asks it to expire ids. */
class ExpiryCountingStore implements StateStore {
  expiries = 0;
  readonly #store: StateStore;
  constructor(store: StateStore) {
    this.#store = store;
  }
  getPosition(account: string, stream: string): StreamPosition | undefined {
    return this.#store.getPosition(account, stream);
  }
  filterSeen(account: string, stream: string, ids: readonly string[]): Set<string> {
    return this.#store.filterSeen(account, stream, ids);
  }
  commit(account: string, stream: string, delivered: readonly string[], retainUntil: Date, watermark?: Date): void {
    this.#store.commit(account, stream, delivered, retainUntil, watermark);
  }
  expireSeen(now: Date): number {
    this.expiries++;
    return this.#store.expireSeen(now);
  }
  recordCycle(cycle: CycleRecord): void {
    this.#store.recordCycle(cycle);
  }
  recentCycles(account: string, limit: number): CycleRecord[] {
    return this.#store.recentCycles(account, limit);
  }
  getValue(namespace: string, key: string): string | undefined {
    return this.#store.getValue(namespace, key);
  }
  setValue(namespace: string, key: string, value: string): void {
    this.#store.setValue(namespace, key, value);
  }
  close(): void {
    this.#store.close();
  }
}

class Clock {
  ms = Date.parse('2026-01-01T00:00:00Z');
  readonly now = (): Date => new Date(this.ms);
  advance(seconds: number): void {
    this.ms += seconds * 1000;
  }
}

interface Harness {
  readonly path: string;
  readonly clock: Clock;
  store: SqliteStateStore;
  a: RecordingSink;
  b: RecordingSink;
  pipeline: DeliveryPipeline;
  /** Simulates a process restart: closes the store, reopens the same file, new sinks and a new pipeline. */
  restart(): void;
}

function harness(t: TestContext, options: Partial<DeliveryPipelineOptions> = {}): Harness {
  const path = join(tempStateDir(t), 'state.db');
  const clock = new Clock();
  const build = (): Pick<Harness, 'store' | 'a' | 'b' | 'pipeline'> => {
    const store = openStateStore({ path, now: clock.now, busyTimeoutMs: 20 });
    const a = new RecordingSink('a');
    const b = new RecordingSink('b');
    const pipeline = new DeliveryPipeline({
      store,
      sinks: [a, b],
      now: clock.now,
      retentionSeconds: () => RETENTION_SECONDS,
      batchSize: 10,
      ...options,
    });
    return { store, a, b, pipeline };
  };
  const h: Harness = {
    path,
    clock,
    ...build(),
    restart() {
      h.store.close();
      Object.assign(h, build());
    },
  };
  t.after(() => h.store.close());
  return h;
}

function isDeliveryError(kind: DeliveryError['kind']): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof DeliveryError, `expected DeliveryError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.equal(error.code, `DELIVERY_${kind.toUpperCase()}`);
    // What the scheduler's classifier counts it as (self-metric error kinds).
    const expected = { sink: 'sink', backlog: 'sink', state: 'state', aborted: 'timeout', uncommitted: 'internal' }[kind];
    assert.equal(error.errorKind, expected);
    return true;
  };
}

test('every event reaches each sink exactly once, in batches of batchSize, then is committed', async (t) => {
  const h = harness(t);
  const events = loginEvents('e', 25);
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, events, []), 25);

  for (const sink of [h.a, h.b]) {
    assert.deepEqual(sink.receivedIds(), events.map((event) => event.id));
    assert.deepEqual(sink.accepted.map((batch) => batch.events.length), [10, 10, 5]);
    assert.ok(sink.accepted.every((batch) => batch.account === ACCOUNT && batch.source === STREAM));
  }
  const ids = events.map((event) => event.id);
  assert.equal(h.store.filterSeen(ACCOUNT, STREAM, ids).size, 25);
  const counters = h.pipeline.counters();
  assert.equal(counters.delivered, 25);
  assert.deepEqual(counters.bySink, { a: { accepted: 25, failures: 0 }, b: { accepted: 25, failures: 0 } });
  assert.deepEqual(counters.byStream, [
    { account: ACCOUNT, stream: STREAM, delivered: 25, duplicatesDropped: 0, failedBatches: 0, pending: 0 },
  ]);
});

test('re-offering the same events (and repeats within one offer) delivers nothing more', async (t) => {
  const h = harness(t);
  const events = loginEvents('e', 12);
  await h.pipeline.deliver(ACCOUNT, STREAM, events, []);
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, [...events, ...events], []), 0);
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, [loginEvent('new'), loginEvent('new')], []), 1);

  assert.equal(h.a.receivedIds().length, 13);
  assert.equal(h.b.receivedIds().length, 13);
  assert.equal(h.pipeline.counters().duplicatesDropped, 24 + 1);
  // The same id on another stream or account is a different record.
  assert.equal(await h.pipeline.deliver('other', STREAM, [loginEvent('e0', 'other')], []), 1);
  assert.equal(await h.pipeline.deliver(ACCOUNT, 'query_history', [loginEvent('e0')], []), 1);
});

test('a failing sink: nothing committed, typed error, the healthy sink is not re-sent, the failed one gets it on retry', async (t) => {
  const h = harness(t);
  const events = loginEvents('e', 8);
  h.b.down = true;

  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, events, []), (error: unknown) => {
    isDeliveryError('sink')(error);
    const failure = error as DeliveryError;
    assert.deepEqual(failure.failedSinks, ['b']);
    assert.equal(failure.records, 8);
    assert.match(failure.message, /"b"/);
    assert.doesNotMatch(failure.message, /e\d|ALICE|192\.0\.2\.1/); // names the sink, not the data
    assert.equal(failure.cause, undefined);
    return true;
  });
  assert.equal(h.store.filterSeen(ACCOUNT, STREAM, events.map((event) => event.id)).size, 0);
  assert.equal(h.a.receivedIds().length, 8);
  assert.equal(h.b.receivedIds().length, 0);
  assert.equal(h.pipeline.counters().byStream[0]?.pending, 8);

  // The stream re-reads its window: the same events plus newer ones.
  h.b.down = false;
  const retried = [...events, loginEvent('late1'), loginEvent('late2')];
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, retried, []), 10);
  assert.deepEqual(h.a.receivedIds(), [...events.map((event) => event.id), 'late1', 'late2']);
  assert.deepEqual(new Set(h.b.receivedIds()), new Set(retried.map((event) => event.id)));
  assert.equal(h.b.receivedIds().length, 10);
  assert.equal(h.store.filterSeen(ACCOUNT, STREAM, retried.map((event) => event.id)).size, 10);

  const counters = h.pipeline.counters();
  assert.equal(counters.sinkFailures, 1);
  assert.deepEqual(counters.bySink.b, { accepted: 10, failures: 1 });
  assert.equal(counters.pendingRecords, 0);
});

test('the watermark is refused while a batch of the stream is uncommitted, and committed once it is', async (t) => {
  const h = harness(t);
  const watermark = new Date('2026-01-01T00:30:00Z');
  assert.equal(h.pipeline.position(ACCOUNT, STREAM), undefined);
  h.a.down = true;
  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 3), []), isDeliveryError('sink'));
  assert.throws(() => h.pipeline.commitWatermark(ACCOUNT, STREAM, watermark), isDeliveryError('uncommitted'));
  assert.equal(h.store.getPosition(ACCOUNT, STREAM), undefined);

  // Another stream is not held back by this one.
  h.pipeline.position(ACCOUNT, 'query_history');
  h.pipeline.commitWatermark(ACCOUNT, 'query_history', watermark);
  assert.deepEqual(h.store.getPosition(ACCOUNT, 'query_history')?.watermark, watermark);

  // Next read: position() starts it, the retry commits, the watermark moves.
  h.a.down = false;
  assert.equal(h.pipeline.position(ACCOUNT, STREAM), undefined);
  await h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 3), []);
  h.pipeline.commitWatermark(ACCOUNT, STREAM, watermark);
  assert.deepEqual(h.pipeline.position(ACCOUNT, STREAM), watermark);
  assert.equal(h.pipeline.counters().watermarkRefusals, 1);
  assert.equal(h.pipeline.counters().watermarksCommitted, 2);
});

test('the watermark is refused while an offer is in flight, and after a failed offer until the next read', async (t) => {
  const h = harness(t);
  let release: () => void = () => undefined;
  const slow: Sink = {
    name: 'slow',
    deliver: () => new Promise<void>((resolve) => (release = resolve)),
    close: () => Promise.resolve(),
  };
  const pipeline = new DeliveryPipeline({ store: h.store, sinks: [slow], now: h.clock.now, retentionSeconds: () => 60 });
  const offer = pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 2), []);
  await new Promise((resolve) => setImmediate(resolve));
  assert.throws(() => pipeline.commitWatermark(ACCOUNT, STREAM, new Date()), isDeliveryError('uncommitted'));
  release();
  assert.equal(await offer, 2);
  pipeline.commitWatermark(ACCOUNT, STREAM, new Date('2026-01-01T01:00:00Z'));

  // An offer aborted before any batch went out leaves nothing pending, yet its read must not move the watermark.
  const aborted = AbortSignal.abort();
  pipeline.position(ACCOUNT, STREAM);
  await assert.rejects(pipeline.deliver(ACCOUNT, STREAM, loginEvents('x', 2), [], aborted), isDeliveryError('aborted'));
  assert.throws(() => pipeline.commitWatermark(ACCOUNT, STREAM, new Date('2026-01-01T02:00:00Z')), isDeliveryError('uncommitted'));
  assert.deepEqual(pipeline.position(ACCOUNT, STREAM), new Date('2026-01-01T01:00:00Z'));
  pipeline.commitWatermark(ACCOUNT, STREAM, new Date('2026-01-01T02:00:00Z'));
});

test('a restart after a commit re-delivers nothing', async (t) => {
  const h = harness(t);
  const events = loginEvents('e', 15);
  await h.pipeline.deliver(ACCOUNT, STREAM, events, []);
  h.pipeline.commitWatermark(ACCOUNT, STREAM, new Date('2026-01-01T00:10:00Z'));

  h.restart();
  assert.deepEqual(h.pipeline.position(ACCOUNT, STREAM), new Date('2026-01-01T00:10:00Z'));
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, events, []), 0);
  assert.equal(h.a.accepted.length + h.b.accepted.length, 0);
});

test('a restart after an uncommitted failure re-delivers exactly the uncommitted ids', async (t) => {
  const h = harness(t);
  const first = loginEvents('ok', 5);
  const second = loginEvents('lost', 5);
  await h.pipeline.deliver(ACCOUNT, STREAM, first, []);
  h.b.down = true;
  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, second, []), isDeliveryError('sink'));

  h.restart(); // the process died: the ledger of what sink a accepted is gone, the store is not
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, [...first, ...second], []), 5);
  const expected = second.map((event) => event.id);
  assert.deepEqual(h.a.receivedIds(), expected);
  assert.deepEqual(h.b.receivedIds(), expected);
});

test('when every sink accepted but the store cannot commit, the retry commits without re-sending', async (t) => {
  const h = harness(t);
  const events = loginEvents('e', 4);
  // The kernel refuses this process's file writes (RLIMIT_FSIZE through prlimit, see the helper): the commit fails
  // in SQLite's WAL append as it would on a full disk or a read-only remount.
  const restore = refuseFileWrites(process.pid);
  t.after(restore);

  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, events, []), (error: unknown) => {
    isDeliveryError('state')(error);
    assert.ok((error as Error).cause instanceof StateStoreError);
    assert.equal(((error as Error).cause as StateStoreError).kind, 'io');
    return true;
  });
  assert.equal(h.a.receivedIds().length, 4);
  assert.throws(() => h.pipeline.commitWatermark(ACCOUNT, STREAM, new Date()), isDeliveryError('uncommitted'));

  restore();
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, events, []), 4);
  assert.equal(h.a.receivedIds().length, 4, 'sink a was not sent the batch again');
  assert.equal(h.b.receivedIds().length, 4, 'sink b was not sent the batch again');
  assert.equal(h.store.filterSeen(ACCOUNT, STREAM, events.map((event) => event.id)).size, 4);
  // One: the batch commit (the minute's expiry run by the same offer had nothing to delete, so nothing to write).
  assert.equal(h.pipeline.counters().stateErrors, 1);
});

test('ids expire after their retention (housekeeping at most once a minute) and are then delivered again', async (t) => {
  const h = harness(t);
  const counting = new ExpiryCountingStore(h.store);
  const pipeline = new DeliveryPipeline({
    store: counting,
    sinks: [h.a, h.b],
    now: h.clock.now,
    retentionSeconds: (stream) => (stream === STREAM ? RETENTION_SECONDS : 60),
  });
  const events = loginEvents('e', 3);
  await pipeline.deliver(ACCOUNT, STREAM, events, []);
  assert.equal(counting.expiries, 1);

  h.clock.advance(30);
  assert.equal(await pipeline.deliver(ACCOUNT, STREAM, events, []), 0);
  assert.equal(counting.expiries, 1, 'not again within the minute');

  h.clock.advance(RETENTION_SECONDS - 31);
  assert.equal(await pipeline.deliver(ACCOUNT, STREAM, events, []), 0, 'still inside the retention');
  assert.equal(counting.expiries, 2);

  h.clock.advance(61);
  assert.equal(await pipeline.deliver(ACCOUNT, STREAM, events, []), 3, 'forgotten after the retention');
  assert.equal(counting.expiries, 3);
  assert.equal(pipeline.counters().expiredIds, 3);
  assert.equal(h.a.receivedIds().length, 6);
});

test('findings are deduplicated within their stream under their own key and reach every sink once', async (t) => {
  const h = harness(t);
  const f1 = finding('f1');
  const sameIdOtherDetection = finding('f1', 'share.accounts_added');
  const events = [loginEvent('f1')]; // an event whose id equals a finding id: no collision
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, events, [f1, sameIdOtherDetection, f1]), 3);
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, events, [f1, sameIdOtherDetection]), 0);

  for (const sink of [h.a, h.b]) {
    assert.equal(sink.accepted.length, 1);
    const batch = sink.accepted[0] as DeliveryBatch;
    assert.deepEqual(batch.events.map((event) => event.id), ['f1']);
    assert.deepEqual(batch.findings.map((f) => f.detectionId), ['auth.password_spray', 'share.accounts_added']);
  }
  assert.deepEqual(
    h.store.filterSeen(ACCOUNT, STREAM, ['f1', findingDedupeKey(f1), findingDedupeKey(sameIdOtherDetection)]).size,
    3,
  );
});

test('the pending ledger is bounded: new records are refused (counted) while a sink keeps failing', async (t) => {
  const h = harness(t, { batchSize: 5, maxPendingRecords: 10 });
  h.b.down = true;
  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('p', 5), []), isDeliveryError('sink'));
  await assert.rejects(h.pipeline.deliver(ACCOUNT, 'query_history', loginEvents('q', 5), []), isDeliveryError('sink'));
  const sentToA = h.a.receivedIds().length;

  await assert.rejects(h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('new', 3), []), (error: unknown) => {
    isDeliveryError('backlog')(error);
    assert.equal((error as DeliveryError).records, 3);
    return true;
  });
  assert.equal(h.a.receivedIds().length, sentToA, 'nothing new was sent');
  assert.equal(h.pipeline.counters().backlogRefused, 3);
  assert.equal(h.pipeline.counters().pendingRecords, 10);

  // Recovery: retries go first, each committed batch frees room for the new records.
  h.b.down = false;
  assert.equal(await h.pipeline.deliver(ACCOUNT, STREAM, [...loginEvents('p', 5), ...loginEvents('new', 3)], []), 8);
  assert.equal(h.pipeline.counters().pendingRecords, 5);
});

test('concurrent offers on one stream are serialised: overlapping ids reach each sink once', async (t) => {
  const h = harness(t);
  const offers = await Promise.all([
    h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 20), []),
    h.pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 30), []),
  ]);
  assert.deepEqual(offers, [20, 10]);
  for (const sink of [h.a, h.b]) {
    const ids = sink.receivedIds();
    assert.equal(ids.length, 30);
    assert.equal(new Set(ids).size, 30);
  }
});

test('sink names must be unique and the batch size positive', (t) => {
  const h = harness(t);
  const base = { store: h.store, now: h.clock.now, retentionSeconds: () => 60 };
  assert.throws(() => new DeliveryPipeline({ ...base, sinks: [new RecordingSink('x'), new RecordingSink('x')] }), TypeError);
  assert.throws(() => new DeliveryPipeline({ ...base, sinks: [h.a], batchSize: 0 }), RangeError);
});

test('an invalid retention is refused before any sink is offered the batch', async (t) => {
  const h = harness(t);
  const pipeline = new DeliveryPipeline({ store: h.store, sinks: [h.a], now: h.clock.now, retentionSeconds: () => 0 });
  await assert.rejects(pipeline.deliver(ACCOUNT, STREAM, loginEvents('e', 2), []), RangeError);
  assert.equal(h.a.accepted.length, 0);
});

test('forAccount gives a source its position, deliver and commitWatermark bound to the account and cycle signal', async (t) => {
  const h = harness(t);
  const cycle = new AbortController();
  const context = h.pipeline.forAccount(ACCOUNT, cycle.signal);
  assert.equal(context.position(STREAM), undefined);
  assert.equal(await context.deliver(STREAM, loginEvents('e', 3), [finding('f1')]), 4);
  context.commitWatermark(STREAM, new Date('2026-01-01T00:05:00Z'));
  assert.deepEqual(h.store.getPosition(ACCOUNT, STREAM)?.watermark, new Date('2026-01-01T00:05:00Z'));

  cycle.abort();
  await assert.rejects(context.deliver(STREAM, loginEvents('late', 1), []), isDeliveryError('aborted'));
  assert.equal(h.a.receivedIds().length, 4);
});
