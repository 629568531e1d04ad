// Acceptance: a failing source does not block the others. Two ways a view fails on a real account:
// - every statement on LOGIN_HISTORY answers an error (emulator fault rule on the statement text: HTTP 408, the
//   statement timed out on Snowflake's side): login_history fails with kind 'timeout', every other source still
//   delivers and succeeds, and the metrics say which source failed and how;
// - the role holds no SNOWFLAKE grant (ACCOUNT_USAGE unreadable, 002003): the view-based sources are
//   reported unavailable (not failed), and the SHOW-based posture sources still succeed.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { EMULATED_ROLE, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import {
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

describe('a failing source', () => {
  it('fails alone: the other sources deliver, and the metrics name the failure kind', async (t) => {
    const e = await keyPairEmulatorFor(t, {
      start: T0,
      emulatorOptions: {
        faults: { rules: [{ id: 'login-history-storm', endpoint: 'submit', statementPattern: 'LOGIN_HISTORY', action: { kind: 'status', status: 408 } }] },
      },
    });
    const name = e.account.name;
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120)), queryRow('q2', minutesAfter(T0, -90))]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(1, minutesAfter(T0, -180))]);
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [sink]);

    const result = await exporter.scheduler.runOnce(name);
    assert.ok(result.ran);
    const { report } = result;
    assert.ok((e.emulator.admin.report().faultsFired['login-history-storm:status'] ?? 0) >= 1, 'the fault fired');
    assert.equal(report.outcome, 'partial');
    assert.equal(report.up, true);
    const byId = new Map(report.sources.map((source) => [source.source, source]));
    assert.equal(byId.get('login_history')?.status, 'failed');
    assert.equal(byId.get('login_history')?.kind, 'timeout');
    const others = report.sources.filter((source) => source.source !== 'login_history');
    assert.ok(others.length >= 5, `sources ${report.sources.map((source) => source.source).join(', ')}`);
    assert.deepEqual(
      others.filter((source) => source.status !== 'ok').map((source) => source.source),
      [],
      'every other source succeeded',
    );
    assert.deepEqual(sorted(sink.ids()), ['q1', 'q2']);
    assert.equal(exporter.store.getPosition(name, 'login_history'), undefined, 'the failed stream kept no watermark');
    assert.deepEqual(exporter.store.getPosition(name, 'query_history')?.watermark, T0);

    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_source_errors_total', { account: name, source: 'login_history', kind: 'timeout' }), 1);
    assert.equal(sampleValue(text, 'snowflake_risk_source_last_success_timestamp_seconds', { account: name, source: 'login_history' }), 0);
    assert.ok((sampleValue(text, 'snowflake_risk_source_last_success_timestamp_seconds', { account: name, source: 'query_history' }) ?? 0) > 0);
    assert.equal(sampleValue(text, 'snowflake_risk_source_errors_total', { account: name, source: 'query_history', kind: 'timeout' }), undefined);
    assert.equal(sampleValue(text, 'snowflake_risk_up', { account: name }), 1);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 2);

    // The view answers again: the stream catches up (its backfill window) on the next cycle.
    e.emulator.admin.setFaults({ rules: [] });
    e.advance(10 * 60);
    const next = await exporter.scheduler.runOnce(name);
    assert.ok(next.ran);
    assert.equal(next.report.outcome, 'ok');
    assert.deepEqual(sorted(sink.ids()), ['1', 'q1', 'q2']);
  });

  it('without ACCOUNT_USAGE: the view sources are unavailable, the SHOW-based ones still succeed', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, engineOptions: { grants: { [EMULATED_ROLE]: [`USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } } });
    const name = e.account.name;
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [sink]);

    const result = await exporter.scheduler.runOnce(name);
    assert.ok(result.ran);
    const status = Object.fromEntries(result.report.sources.map((source) => [source.source, source.status]));
    assert.equal(status.query_history, 'unavailable');
    assert.equal(status.login_history, 'unavailable');
    assert.equal(status.parameters, 'ok');
    assert.equal(status.outbound_shares, 'ok');
    assert.equal(result.report.up, true);
    assert.deepEqual(exporter.scheduler.status(name).unavailable.includes('login_history'), true);

    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_source_unavailable', { account: name, source: 'login_history' }), 1);
    assert.equal(sampleValue(text, 'snowflake_risk_source_unavailable', { account: name, source: 'parameters' }), 0);
    assert.ok((sampleValue(text, 'snowflake_risk_source_last_success_timestamp_seconds', { account: name, source: 'parameters' }) ?? 0) > 0);
    assert.equal(sampleValue(text, 'snowflake_risk_source_errors_total', { account: name, source: 'login_history', kind: 'permission' }), undefined);
  });
});
