// Acceptance: events that arrive late, inside the overlap, are delivered exactly once. The whole exporter
// (startExporter: real sources, delivery pipeline, state store, metrics sink) runs against the emulator with its
// documented latencies on (QUERY_HISTORY 45 min, LOGIN_HISTORY 2 h); the virtual clock moves between cycles. Rows are
// inserted whose event time lies before the last committed watermark but which become visible only after it.
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
  assert.ok(result.ran, 'no cycle was running');
  assert.equal(result.report.outcome, 'ok', JSON.stringify(result.report.sources));
  return result.report;
}

function source(report: CycleReport, id: string): { rows: number; delivered: number } {
  const found = report.sources.find((entry) => entry.source === id);
  assert.ok(found, `no report for ${id}`);
  return found;
}

describe('late events inside the overlap', () => {
  it('are delivered once across watermark boundaries, for QUERY_HISTORY and LOGIN_HISTORY', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const name = e.account.name;
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [sink]);

    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-visible', minutesAfter(T0, -120)),
      queryRow('q-in-ingestion', minutesAfter(T0, -30)), // visible at T0+15
    ]);
    await e.engine.insertRows('LOGIN_HISTORY', [
      loginRow(1, minutesAfter(T0, -180)),
      loginRow(2, minutesAfter(T0, -60)), // visible at T0+60
    ]);

    // Cycle 1 at T0: only what the latency already lets through.
    const first = await cycle(exporter, name);
    assert.deepEqual(sorted(sink.ids('query_history')), ['q-visible']);
    assert.deepEqual(sorted(sink.ids('login_history')), ['1']);
    assert.deepEqual(exporter.store.getPosition(name, 'query_history')?.watermark, first.snowflakeNow);
    assert.deepEqual(first.snowflakeNow, T0);

    // Rows that happened BEFORE the watermark just committed (T0) but reach the views only later.
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q-late', minutesAfter(T0, -10))]); // visible at T0+35
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(3, minutesAfter(T0, -5))]); // visible at T0+115

    e.advance(30 * 60); // T0+30: q-in-ingestion is visible, q-late not yet
    const second = await cycle(exporter, name);
    assert.deepEqual(sorted(sink.ids('query_history')), ['q-in-ingestion', 'q-visible']);
    assert.equal(source(second, 'query_history').delivered, 1);

    e.advance(10 * 60); // T0+40: q-late visible, 40 min after the watermark that passed its time
    const third = await cycle(exporter, name);
    assert.deepEqual(sorted(sink.ids('query_history')), ['q-in-ingestion', 'q-late', 'q-visible']);
    // The overlap re-read q-in-ingestion (rows > delivered); dedupe kept it from the sink.
    assert.equal(source(third, 'query_history').delivered, 1);
    assert.ok(source(third, 'query_history').rows >= 2, `rows ${source(third, 'query_history').rows}`);

    e.advance(60 * 60); // T0+100: login 2 visible
    await cycle(exporter, name);
    assert.deepEqual(sorted(sink.ids('login_history')), ['1', '2']);

    e.advance(20 * 60); // T0+120: login 3 (time T0-5) visible, five watermarks after its time
    const watermarkBefore = exporter.store.getPosition(name, 'login_history')?.watermark;
    assert.ok(watermarkBefore !== undefined && watermarkBefore > minutesAfter(T0, 90));
    const fifth = await cycle(exporter, name);
    assert.deepEqual(sorted(sink.ids('login_history')), ['1', '2', '3']);
    assert.equal(source(fifth, 'login_history').delivered, 1);

    // Much later: nothing new; every row read again inside the overlap is dropped.
    e.advance(30 * 60);
    const sixth = await cycle(exporter, name);
    assert.equal(source(sixth, 'query_history').delivered + source(sixth, 'login_history').delivered, 0);

    const all = sink.ids();
    assert.deepEqual(duplicatesOf(all), [], 'no id reached the sink twice');
    assert.deepEqual(sorted(all), ['1', '2', '3', 'q-in-ingestion', 'q-late', 'q-visible']);
    assert.deepEqual(exporter.store.getPosition(name, 'login_history')?.watermark, sixth.snowflakeNow);

    // The metrics sink saw the same: each event counted once.
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 3);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'login' }), 3);
    assert.equal(sampleValue(text, 'snowflake_risk_metrics_sink_duplicates_total'), 0);
  });
});
