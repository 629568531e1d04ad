// Acceptance: the watermark never moves past undelivered events. A test-owned sink beside the metrics sink
// rejects a number of batches (a collector that is down); while it does, the stream's watermark in the state store
// stays where it was, and the source reports the failure. Once it accepts again, every event reaches it once and the
// watermark moves to the cycle's Snowflake time.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { CycleReport } from '../../../src/collect/cycle.ts';
import type { RunningExporter } from '../../../src/runtime/exporter.ts';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import {
  duplicatesOf,
  exporterConfigFor,
  exporterFor,
  loginRow,
  minutesAfter,
  queryRow,
  RecordingExporterSink,
  sampleValue,
  scrape,
  sorted,
  tempDirFor,
} from '../../helpers/exporter-harness.ts';

const T0 = new Date('2026-11-20T12:00:00Z');

async function cycle(exporter: RunningExporter, account: string): Promise<CycleReport> {
  const result = await exporter.scheduler.runOnce(account);
  assert.ok(result.ran);
  return result.report;
}

function statusOf(report: CycleReport, id: string): string {
  const entry = report.sources.find((source) => source.source === id);
  return `${entry?.status}${entry?.kind === undefined ? '' : `:${entry.kind}`}`;
}

describe('a sink that rejects', () => {
  it('keeps the watermark until it accepted everything, then every event arrives once', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const name = e.account.name;
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [sink]);
    const watermark = (stream: string): Date | undefined => exporter.store.getPosition(name, stream)?.watermark;

    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120))]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(1, minutesAfter(T0, -180))]);
    const good = await cycle(exporter, name);
    assert.equal(good.outcome, 'ok');
    assert.deepEqual(watermark('query_history'), T0);
    assert.deepEqual(watermark('login_history'), T0);

    // New events in both views, visible 30 min later; the sink rejects the next three batches.
    const queries = Array.from({ length: 40 }, (_, i) => queryRow(`q-new-${i}`, minutesAfter(T0, -40 + i / 4)));
    await e.engine.insertRows('QUERY_HISTORY', queries);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(2, minutesAfter(T0, -100)), loginRow(3, minutesAfter(T0, -95))]);
    e.advance(30 * 60);
    sink.failNext = 3;

    const failing = await cycle(exporter, name);
    assert.equal(failing.outcome, 'partial');
    assert.equal(statusOf(failing, 'query_history'), 'failed:sink');
    assert.equal(statusOf(failing, 'login_history'), 'failed:sink');
    assert.deepEqual(watermark('query_history'), T0, 'query_history watermark held back');
    assert.deepEqual(watermark('login_history'), T0, 'login_history watermark held back');
    assert.equal(sink.rejected, 2);

    // One rejection left: whichever stream offers first fails again and keeps its watermark; the other moves on.
    e.advance(10 * 60);
    const halfway = await cycle(exporter, name);
    assert.equal(sink.rejected, 3);
    const failedStreams = ['query_history', 'login_history'].filter((id) => statusOf(halfway, id) === 'failed:sink');
    assert.equal(failedStreams.length, 1, JSON.stringify(halfway.sources));
    for (const stream of ['query_history', 'login_history']) {
      const expected = failedStreams.includes(stream) ? T0 : halfway.snowflakeNow;
      assert.deepEqual(watermark(stream), expected, `${stream} watermark after the second failing cycle`);
    }

    // The sink is healthy again: everything arrives, once, and both watermarks reach the cycle's time.
    e.advance(10 * 60);
    const recovered = await cycle(exporter, name);
    assert.equal(recovered.outcome, 'ok', JSON.stringify(recovered.sources));
    assert.deepEqual(watermark('query_history'), recovered.snowflakeNow);
    assert.deepEqual(watermark('login_history'), recovered.snowflakeNow);
    const expectedIds = ['1', '2', '3', 'q1', ...queries.map((row) => String(row.QUERY_ID))];
    assert.deepEqual(duplicatesOf(sink.ids()), []);
    assert.deepEqual(sorted(sink.ids()), sorted(expectedIds));

    // The metrics sink accepted the failed batches the first time; the pipeline did not offer them to it again.
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 41);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'login' }), 3);
    assert.equal(sampleValue(text, 'snowflake_risk_metrics_sink_duplicates_total'), 0);
    assert.ok((sampleValue(text, 'snowflake_risk_source_errors_total', { account: name, source: 'query_history', kind: 'sink' }) ?? 0) >= 1);
  });

  it('holds the watermark when a batch in the middle of a long window is rejected, and resumes without repeats', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const name = e.account.name;
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [sink]);
    const watermark = (): Date | undefined => exporter.store.getPosition(name, 'query_history')?.watermark;
    assert.equal((await cycle(exporter, name)).outcome, 'ok');
    assert.deepEqual(watermark(), T0);

    // 2,600 queries that ended in the 40 minutes before the watermark: several chunks and batches in one window.
    const rows = Array.from({ length: 2600 }, (_, i) => queryRow(`q-${String(i).padStart(4, '0')}`, minutesAfter(T0, -40 + i / 100)));
    await e.engine.insertRows('QUERY_HISTORY', rows);
    e.advance(50 * 60);
    sink.failOnly = new Set(['query_history']);
    sink.acceptFirst = 2;
    sink.failNext = 1;

    const broken = await cycle(exporter, name);
    assert.equal(statusOf(broken, 'query_history'), 'failed:sink');
    assert.equal(sink.rejected, 1);
    const deliveredBefore = sink.ids('query_history').length;
    assert.ok(deliveredBefore > 0 && deliveredBefore < rows.length, `delivered ${deliveredBefore} before the rejection`);
    assert.deepEqual(watermark(), T0, 'the watermark stays behind the rejected batch');

    e.advance(5 * 60);
    const resumed = await cycle(exporter, name);
    assert.equal(resumed.outcome, 'ok', JSON.stringify(resumed.sources));
    assert.deepEqual(watermark(), resumed.snowflakeNow);
    assert.deepEqual(duplicatesOf(sink.ids()), []);
    assert.deepEqual(sorted(sink.ids()), sorted(rows.map((row) => String(row.QUERY_ID))));
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), rows.length);
  });
});
