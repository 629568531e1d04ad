// The detection framework on the emulator, end to end through startExporter: SQL detections as sources of the
// cycle, event detections on the stream's batches, posture detections on snapshots, a custom detection from
// configuration, an unavailable view, overlapping windows and a restart, and the 'risky' query scope.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AccountConfig, ExporterConfig } from '../../../../src/config/types.ts';
import { startExporter } from '../../../../src/runtime/exporter.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import {
  exporterConfigFor,
  minutesAfter,
  queryRow,
  RecordingExporterSink,
  sampleValue,
  scrape,
  sorted,
  tempDirFor,
} from '../../../helpers/exporter-harness.ts';
import { bigResultDetection, missingViewDetection, staleUsersPostureDetection, unloadEventDetection } from './detection-fixtures.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const extraDetections = [bigResultDetection, missingViewDetection, unloadEventDetection, staleUsersPostureDetection];
const CUSTOM_ID = 'custom.failed_query';

function configFor(account: AccountConfig, statePath: string, overrides: Partial<AccountConfig> = {}): ExporterConfig {
  const base = exporterConfigFor(
    {
      ...account,
      detections: [...extraDetections.map((d) => d.id), CUSTOM_ID].sort(),
      ...overrides,
    },
    statePath,
  );
  return {
    ...base,
    customDetections: [
      {
        id: CUSTOM_ID,
        title: 'Failed query',
        severity: 'medium',
        description: undefined,
        sql: `SELECT USER_NAME, START_TIME AS EVENT_TIME, QUERY_ID AS EVIDENCE_IDS, 'query failed' AS REASON
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= :from AND END_TIME < :to AND EXECUTION_STATUS = 'FAIL'`,
      },
    ],
  };
}

function findingsOf(sink: RecordingExporterSink, detection?: string) {
  return sink.accepted.flatMap((batch) => batch.findings).filter((finding) => detection === undefined || finding.detectionId === detection);
}

describe('detection framework on the emulator', () => {
  it('runs every kind of detection, reports an unavailable one, and delivers each finding once across overlaps and a restart', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, latency: { QUERY_HISTORY: 0 } });
    const name = e.account.name;
    const config = configFor(e.account, join(tempDirFor(t), 'state.db'));
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-big', minutesAfter(T0, -30), { BYTES_WRITTEN_TO_RESULT: 5_000_000 }),
      queryRow('q-small', minutesAfter(T0, -29)),
      queryRow('q-unload', minutesAfter(T0, -28), { QUERY_TYPE: 'UNLOAD', QUERY_TEXT: "COPY INTO @tmp_stage FROM t" }),
      queryRow('q-fail', minutesAfter(T0, -27), { EXECUTION_STATUS: 'FAIL', USER_NAME: 'BOB' }),
    ]);

    const sink = new RecordingExporterSink();
    const first = await startExporter(config, { sinks: [sink], schedule: false, extraDetections });
    let firstClosed = false;
    t.after(async () => {
      if (!firstClosed) await first.close();
    });
    const cycle1 = await first.scheduler.runOnce(name);
    assert.ok(cycle1.ran);
    const statusOf = (id: string) => cycle1.report.sources.find((source) => source.source === id)?.status;
    assert.equal(statusOf('test.big_result'), 'ok');
    assert.equal(statusOf(CUSTOM_ID), 'ok');
    assert.equal(statusOf('test.missing_view'), 'unavailable');
    assert.equal(cycle1.report.outcome, 'ok', 'an unavailable detection does not fail the cycle');

    // SQL detection: one finding, with the right user and evidence.
    const big = findingsOf(sink, 'test.big_result');
    assert.equal(big.length, 1);
    assert.equal(big[0]?.user, 'ALICE');
    assert.deepEqual(big[0]?.evidenceIds, ['q-big']);
    assert.equal(big[0]?.severity, 'high');
    // Custom detection from configuration.
    assert.deepEqual(findingsOf(sink, CUSTOM_ID).map((f) => [f.user, f.evidenceIds]), [['BOB', ['q-fail']]]);
    // Event detection: its finding travels in the same batch as the event that raised it.
    const unloadBatch = sink.accepted.find((batch) => batch.events.some((event) => event.id === 'q-unload'));
    assert.ok(unloadBatch !== undefined);
    assert.equal(unloadBatch.source, 'query_history');
    assert.deepEqual(unloadBatch.findings.map((f) => [f.detectionId, f.evidenceIds]), [['test.unload_event', ['q-unload']]]);
    // Posture detection: delivered under posture:users.
    const postureBatches = sink.accepted.filter((batch) => batch.findings.some((f) => f.detectionId === 'test.stale_users'));
    assert.deepEqual(postureBatches.map((batch) => batch.source), ['posture:users']);

    const text1 = await scrape(first);
    assert.equal(sampleValue(text1, 'snowflake_risk_detection_unavailable', { account: name, detection: 'test.missing_view' }), 1);
    assert.equal(sampleValue(text1, 'snowflake_risk_detection_unavailable', { account: name, detection: 'test.big_result' }), 0);
    const lastRun = sampleValue(text1, 'snowflake_risk_detection_last_run_timestamp_seconds', { account: name, detection: 'test.big_result' });
    assert.ok(lastRun !== undefined && lastRun > 0);
    assert.ok((sampleValue(text1, 'snowflake_risk_detection_last_run_timestamp_seconds', { account: name, detection: 'test.unload_event' }) ?? 0) > 0);
    assert.equal(sampleValue(text1, 'snowflake_risk_findings_total', { account: name, detection: 'test.big_result', severity: 'high' }), 1);
    assert.equal(sampleValue(text1, 'snowflake_risk_stage_unloads_total', { account: name }), 1);
    // ALICE: high (15) + critical (40); BOB: medium (5); minutes apart, so both decay alike (the scrape's clock is
    // the wall clock, days away from the emulator's virtual one): the ratio is the weights' ratio.
    const alice = sampleValue(text1, 'snowflake_risk_user_risk_score', { account: name, user: 'ALICE' }) ?? 0;
    const bob = sampleValue(text1, 'snowflake_risk_user_risk_score', { account: name, user: 'BOB' }) ?? 0;
    assert.ok(bob > 0 && Math.abs(alice / bob - 11) < 0.01, `ALICE ${alice}, BOB ${bob}`);
    assert.ok((sampleValue(text1, 'snowflake_risk_account_risk_score', { account: name }) ?? 0) > alice + bob);
    // The whole registry, with real findings, risk scores and detection series, passes Prometheus's own linter
    // (needs the Debian package "prometheus"; fails rather than skips without it).
    const lint = spawnSync('promtool', ['check', 'metrics'], { input: text1, encoding: 'utf8' });
    assert.equal(lint.error, undefined, 'promtool must be installed');
    assert.equal(lint.status, 0, `promtool check metrics reported:\n${lint.stdout}${lint.stderr}`);
    const page = await (await fetch(new URL('/', first.url))).text();
    assert.match(page, /test\.missing_view<\/code>[\s\S]*?unavailable/);

    // Cycle 2, 30 min later: the window reaches back an hour (latency 45 min + margin 15 min), so q-big is read
    // again; it must not be delivered again. A new large query does arrive.
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q-big-2', minutesAfter(T0, 10), { BYTES_WRITTEN_TO_RESULT: 9_000_000 })]);
    e.advance(30 * 60);
    const cycle2 = await first.scheduler.runOnce(name);
    assert.ok(cycle2.ran);
    const bigReport = cycle2.report.sources.find((source) => source.source === 'test.big_result');
    assert.equal(bigReport?.rows, 2, 'the overlap re-read q-big');
    assert.deepEqual(sorted(findingsOf(sink, 'test.big_result').flatMap((f) => f.evidenceIds)), ['q-big', 'q-big-2']);
    assert.equal(findingsOf(sink, 'test.stale_users').length, 1, 'an unchanged posture finding is not raised again');
    await first.close();
    firstClosed = true;

    // Restart on the same state: the new process re-reads the overlap and delivers nothing twice.
    const second = await startExporter(config, { sinks: [sink], schedule: false, extraDetections });
    t.after(() => second.close());
    e.advance(10 * 60);
    const cycle3 = await second.scheduler.runOnce(name);
    assert.ok(cycle3.ran);
    assert.ok((cycle3.report.sources.find((source) => source.source === 'test.big_result')?.rows ?? 0) >= 1);
    const ids = findingsOf(sink).map((finding) => finding.id);
    assert.equal(new Set(ids).size, ids.length, 'no finding delivered twice');
    assert.deepEqual(sorted(findingsOf(sink, 'test.big_result').flatMap((f) => f.evidenceIds)), ['q-big', 'q-big-2']);
  });

  it('scope "risky" delivers only the queries a detection matches (or a risky QUERY_TYPE), and detection parameters apply', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, latency: { QUERY_HISTORY: 0 } });
    const name = e.account.name;
    const config = configFor(e.account, join(tempDirFor(t), 'state.db'), {
      queryEvents: { ...e.account.queryEvents, scope: 'risky' },
      detectionParameters: { 'test.big_result': { minBytes: 100 } },
    });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-select', minutesAfter(T0, -30)),
      queryRow('q-unload', minutesAfter(T0, -29), { QUERY_TYPE: 'UNLOAD', QUERY_TEXT: "COPY INTO 's3://bucket/x' FROM t" }),
      queryRow('q-grant', minutesAfter(T0, -28), { QUERY_TYPE: 'GRANT', QUERY_TEXT: 'GRANT ROLE R TO USER U' }),
    ]);
    const sink = new RecordingExporterSink();
    const exporter = await startExporter(config, { sinks: [sink], schedule: false, extraDetections });
    t.after(() => exporter.close());
    const cycle = await exporter.scheduler.runOnce(name);
    assert.ok(cycle.ran);
    // q-unload matches the event detection, q-grant is a default risky type, q-select neither.
    assert.deepEqual(sorted(sink.ids('query_history')), ['q-grant', 'q-unload']);
    // minBytes overridden to 100: the 2,048-byte results of all three queries raise findings.
    assert.deepEqual(sorted(findingsOf(sink, 'test.big_result').flatMap((f) => f.evidenceIds)), ['q-grant', 'q-select', 'q-unload']);
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_external_unloads_total', { account: name }), 1);
    assert.equal(sampleValue(text, 'snowflake_risk_stage_unloads_total', { account: name }), 0);
  });

  it('a sink refusing posture findings fails the posture source, and the next cycle delivers them', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, latency: { QUERY_HISTORY: 0 } });
    const name = e.account.name;
    const config = configFor(e.account, join(tempDirFor(t), 'state.db'));
    const sink = new RecordingExporterSink();
    sink.failOnly = new Set(['posture:users']);
    sink.failNext = 1;
    const exporter = await startExporter(config, { sinks: [sink], schedule: false, extraDetections });
    t.after(() => exporter.close());
    const cycle1 = await exporter.scheduler.runOnce(name);
    assert.ok(cycle1.ran);
    assert.equal(cycle1.report.sources.find((source) => source.source === 'users')?.status, 'failed');
    assert.equal(findingsOf(sink, 'test.stale_users').length, 0);
    const cycle2 = await exporter.scheduler.runOnce(name);
    assert.ok(cycle2.ran);
    assert.equal(cycle2.report.sources.find((source) => source.source === 'users')?.status, 'ok');
    assert.equal(findingsOf(sink, 'test.stale_users').length, 1);
  });
});
