// Acceptance: cancellation at the cycle deadline leaves no running statement in the emulator. The
// LOGIN_HISTORY statement is made slow inside the emulator's engine (test/helpers/exporter-emulator.ts: a wall-time
// wait that honours the statement's abort signal, like SYSTEM$WAIT); the account's cycle deadline is 3 s. When it
// passes, the exporter must send POST .../cancel for the statement it is waiting on, and the emulator must count it
// cancelled with nothing left running, while the fast sources of the same cycle kept their results.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { AdminReport } from '../../../emulator/index.ts';
import { slowEmulatorFor } from '../../helpers/exporter-emulator.ts';
import { exporterConfigFor, exporterFor, minutesAfter, queryRow, RecordingExporterSink, sampleValue, scrape, tempDirFor } from '../../helpers/exporter-harness.ts';

const T0 = new Date('2026-11-20T12:00:00Z');

function running(report: AdminReport): number {
  const s = report.statements;
  return s.executions - s.succeeded - s.failed - s.canceled - s.timedOut;
}

describe('the cycle deadline', () => {
  it('cancels the statement still running on Snowflake and leaves none behind', async (t) => {
    const e = await slowEmulatorFor(t, { start: T0 });
    // Long enough for the fast sources even on a busy machine (a warm cycle here takes well under a second).
    const account = { ...e.account, cycleDeadlineSeconds: 3 };
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(account, join(tempDirFor(t), 'state.db')), [sink]);
    // A first cycle on empty views warms up what only the first one pays for (key parsing, connections).
    assert.ok((await exporter.scheduler.runOnce(account.name)).ran);
    const before = e.emulator.admin.report();

    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -20))]);
    e.advance(30 * 60);
    e.setSlow([{ pattern: /LOGIN_HISTORY/i, ms: 60_000 }]);
    const started = Date.now();
    const result = await exporter.scheduler.runOnce(account.name);
    const elapsedMs = Date.now() - started;
    assert.ok(result.ran);
    const { report } = result;
    assert.equal(report.deadlineExceeded, true);
    assert.ok(elapsedMs < 20_000, `the cycle ended ${elapsedMs} ms after it started`);
    const login = report.sources.find((source) => source.source === 'login_history');
    assert.equal(login?.status, 'failed');
    assert.equal(login?.kind, 'timeout');
    assert.notEqual(login?.abandoned, true, 'the source ended on the abort, it was not left behind');
    assert.equal(report.sources.find((source) => source.source === 'query_history')?.status, 'ok');
    assert.deepEqual(sink.ids(), ['q1']);

    // The emulator's view of it: the slow statement was cancelled through the API, nothing is running.
    const admin = e.emulator.admin.report();
    assert.equal(e.slowStatements.length, 1);
    assert.equal(e.slowStatements[0]?.outcome, 'aborted');
    assert.ok((admin.requests.cancel ?? 0) > (before.requests.cancel ?? 0), `requests ${JSON.stringify(admin.requests)}`);
    assert.equal(admin.statements.canceled - before.statements.canceled, 1, 'only the slow statement was still running at the deadline');
    assert.equal(running(admin), 0, JSON.stringify(admin.statements));
    assert.deepEqual(exporter.store.getPosition(account.name, 'login_history')?.watermark, T0, 'the cut-off stream kept its watermark');

    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_source_errors_total', { account: account.name, source: 'login_history', kind: 'timeout' }), 1);

    // Next cycle without the slow statement: the stream runs normally.
    e.setSlow([]);
    const next = await exporter.scheduler.runOnce(account.name);
    assert.ok(next.ran);
    assert.equal(next.report.outcome, 'ok');
    assert.equal(running(e.emulator.admin.report()), 0);
  });

  it('cancels the clock read too when Snowflake does not answer it before the deadline', async (t) => {
    const e = await slowEmulatorFor(t, { start: T0 });
    e.setSlow([{ pattern: /CURRENT_TIMESTAMP/i, ms: 60_000 }]);
    const account = { ...e.account, cycleDeadlineSeconds: 1 };
    const sink = new RecordingExporterSink();
    const exporter = await exporterFor(t, exporterConfigFor(account, join(tempDirFor(t), 'state.db')), [sink]);

    const result = await exporter.scheduler.runOnce(account.name);
    assert.ok(result.ran);
    assert.equal(result.report.deadlineExceeded, true);
    assert.equal(result.report.up, false);
    assert.deepEqual(new Set(result.report.sources.map((source) => `${source.status}:${source.kind}`)), new Set(['failed:timeout']));
    const admin = e.emulator.admin.report();
    assert.equal(e.slowStatements[0]?.outcome, 'aborted');
    assert.equal(admin.statements.canceled, 1);
    assert.equal(running(admin), 0, JSON.stringify(admin.statements));
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_up', { account: account.name }), 0);
  });
});
