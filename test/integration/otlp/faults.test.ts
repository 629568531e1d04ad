// Issue 6, fault tests: the OTLP sink under a collector that fails, is not there yet, is slow, or throttles. The
// exporter runs for real (emulator, state store, delivery pipeline, scheduler) with the OTLP sink beside the metrics
// sink; the collector is an in-process OTLP/HTTP receiver decoding protobuf with the official definitions, whose
// answers each test decides. Judged from what the receiver acknowledged, the state store and the sink's metrics.
import assert from 'node:assert/strict';
import { createServer } from 'node:net';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { Registry } from 'prom-client';
import type { AccountConfig } from '../../../src/config/types.ts';
import { ATTR_RECORD_ID, OtlpLogSink, type BackoffPolicy } from '../../../src/export/otlp/index.ts';
import { startExporter, type RunningExporter } from '../../../src/runtime/exporter.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, loginRow, minutesAfter, queryRow, sorted, tempDirFor } from '../../helpers/exporter-harness.ts';
import { otlpConfigFor, QueueWatch } from '../../helpers/otlp-config.ts';
import { OtlpReceiver, type ReceivedRecord } from '../../helpers/otlp-receiver.ts';
import { loginEvents } from '../../helpers/state-test-sinks.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
/** Fast retries: the tests judge what is delivered, not how long the pauses are. */
const QUICK: BackoffPolicy = { initialMs: 20, maxMs: 200 };

/** QUERY_HISTORY and LOGIN_HISTORY rows already visible at T0; returns the event ids. */
async function insertHistory(e: KeyPairEmulator, queries: number, logins: number): Promise<string[]> {
  const qs = Array.from({ length: queries }, (_, i) => queryRow(`q-${i}`, minutesAfter(T0, -60 - (i % 600))));
  const ls = Array.from({ length: logins }, (_, i) => loginRow(1000 + i, minutesAfter(T0, -130 - (i % 600))));
  if (qs.length > 0) await e.engine.insertRows('QUERY_HISTORY', qs);
  if (ls.length > 0) await e.engine.insertRows('LOGIN_HISTORY', ls);
  return [...qs.map((row) => String(row.QUERY_ID)), ...ls.map((row) => String(row.EVENT_ID))];
}

/** The Snowflake id an OTLP record is about (query id or login event id). */
function eventIdOf(record: ReceivedRecord): string {
  return String(record.attributes['snowflake.query.id'] ?? record.attributes['snowflake.login.event_id']);
}

async function exporterWith(t: TestContext, account: AccountConfig, sink: OtlpLogSink): Promise<RunningExporter> {
  const config = exporterConfigFor(account, join(tempDirFor(t), 'state.db'));
  const exporter = await startExporter(config, { schedule: false, sinks: [sink] });
  t.after(() => exporter.close());
  return exporter;
}

/** Polls until `condition` holds. The limit only ends a hung test: it is generous because a loaded CI machine is slow. */
async function until(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < giveUpAt, `gave up waiting for ${what}`);
    await sleep(10);
  }
}

/** A loopback port nothing listens on (yet). */
async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

describe('OTLP delivery under collector faults', () => {
  it('503 for a while, then recovery: nothing lost, nothing acknowledged twice, watermarks move only after', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const expected = await insertHistory(e, 240, 60);
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    let failuresLeft = 8;
    receiver.plan = () => (failuresLeft-- > 0 ? { status: 503 } : { status: 200 });
    const watch = new QueueWatch();
    const sink = new OtlpLogSink({
      config: otlpConfigFor(receiver.url, { maxBatch: 50, timeoutSeconds: 1 }),
      accounts: [{ name: e.account.name }],
      registry: new Registry(),
      backoff: QUICK,
      listener: watch,
    });
    const exporter = await exporterWith(t, e.account, sink);

    const cycle = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(cycle.ran && cycle.report.outcome === 'ok', JSON.stringify(cycle));
    const acknowledged = receiver.acknowledged();
    const ids = acknowledged.map(eventIdOf);
    assert.deepEqual(sorted(new Set(ids)), sorted(expected), 'every event was acknowledged');
    assert.equal(ids.length, new Set(ids).size, 'no event was acknowledged twice');
    assert.ok(receiver.requests.some((request) => request.status === 503), 'the collector did refuse');
    assert.ok(watch.failedRecords > 0 && watch.retriedRecords > 0, `failed ${watch.failedRecords}, retried ${watch.retriedRecords}`);
    // What failed was sent again with the same record id.
    const idsByEvent = new Map<string, Set<unknown>>();
    for (const record of receiver.received()) {
      idsByEvent.set(eventIdOf(record), (idsByEvent.get(eventIdOf(record)) ?? new Set()).add(record.attributes[ATTR_RECORD_ID]));
    }
    assert.ok([...idsByEvent.values()].every((set) => set.size === 1), 'one record id per event, however often sent');

    // The watermarks moved: a second cycle finds nothing new to send.
    const before = receiver.requests.length;
    const again = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(again.ran && again.report.outcome === 'ok');
    assert.equal(receiver.requests.length, before, 'nothing sent again');
  });

  it('collector down at start: collection waits for it, then everything arrives once', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const expected = await insertHistory(e, 120, 30);
    const port = await freePort();
    const watch = new QueueWatch();
    const sink = new OtlpLogSink({
      config: otlpConfigFor(`http://127.0.0.1:${port}`, { maxBatch: 40, timeoutSeconds: 1 }),
      accounts: [{ name: e.account.name }],
      registry: new Registry(),
      backoff: QUICK,
      listener: watch,
    });
    const exporter = await exporterWith(t, e.account, sink);

    let finished = false;
    const cycle = exporter.scheduler.runOnce(e.account.name).finally(() => (finished = true));
    await until(() => watch.failedRecords > 0, 'a failed export (connection refused)');
    assert.equal(finished, false, 'the cycle waits for the collector instead of dropping records');
    const receiver = await OtlpReceiver.start(port);
    t.after(() => receiver.close());
    const result = await cycle;
    assert.ok(result.ran && result.report.outcome === 'ok', JSON.stringify(result));
    const ids = receiver.acknowledged().map(eventIdOf);
    assert.deepEqual(sorted(ids), sorted(expected), 'every event exactly once');
  });

  it('slow collector: backpressure holds the queue at its bound and the cycle waits; nothing dropped', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const expected = await insertHistory(e, 900, 100);
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    receiver.plan = () => ({ status: 200, hold: true });
    const capacity = 100;
    const watch = new QueueWatch();
    const sink = new OtlpLogSink({
      config: otlpConfigFor(receiver.url, { queueSize: capacity, maxBatch: 25, timeoutSeconds: 60 }),
      accounts: [{ name: e.account.name }],
      registry: new Registry(),
      backoff: QUICK,
      listener: watch,
    });
    const exporter = await exporterWith(t, e.account, sink);

    let finished = false;
    const cycle = exporter.scheduler.runOnce(e.account.name).finally(() => (finished = true));
    await until(() => sink.queued === capacity && receiver.held === 1, 'a full queue and one request in flight');
    // Time passes with the collector silent: the queue stays at its bound, one request in flight, the cycle waits.
    for (let i = 0; i < 20; i++) {
      await sleep(20);
      assert.ok(sink.queued <= capacity && receiver.requests.length === 1 && !finished);
    }
    // The collector catches up: it answers what it held, and everything after at once.
    receiver.plan = () => ({ status: 200 });
    receiver.release();
    const result = await cycle;
    assert.ok(result.ran && result.report.outcome === 'ok', JSON.stringify(result));
    assert.equal(watch.highWater, capacity, 'the queue never held more than its capacity');
    assert.ok(receiver.maxHeld <= 1, 'one export in flight at a time');
    const ids = receiver.acknowledged().map(eventIdOf);
    assert.deepEqual(sorted(ids), sorted(expected), 'every event exactly once');
    assert.equal(watch.failedRecords, 0);
  });

  it('throttling: a Retry-After longer than the export timeout is still honoured before the next attempt', async (t) => {
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    let throttle = true;
    receiver.plan = () => {
      const answer = throttle ? { status: 429, retryAfter: '7' } : { status: 200 };
      throttle = false;
      return answer;
    };
    const delays: number[] = [];
    const sink = new OtlpLogSink({
      // 1 s timeout: the exporter's own retry loop gives up at once on a 7 s Retry-After.
      config: otlpConfigFor(receiver.url, { timeoutSeconds: 1 }),
      accounts: [{ name: 'acct' }],
      registry: new Registry(),
      backoff: QUICK,
      // The wait itself is not the point (no timed assertion): record the delay chosen and go on at once.
      sleep: (ms) => {
        delays.push(ms);
        return Promise.resolve();
      },
    });
    t.after(() => sink.close());
    await sink.deliver({ account: 'acct', source: 'login_history', events: loginEvents('l', 5), findings: [] }, AbortSignal.timeout(20_000));
    assert.deepEqual(
      receiver.requests.map((request) => request.status),
      [429, 200],
    );
    assert.equal(delays.length, 1);
    assert.ok((delays[0] ?? 0) >= 7000, `waited ${delays[0]} ms after a 7 s Retry-After`);
    assert.equal(receiver.acknowledged().length, 5);
  });
});
