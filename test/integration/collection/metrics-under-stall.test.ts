// Acceptance: /metrics never touches Snowflake. After one good cycle the emulator stalls (every
// request it receives waits 6 s before any answer), a cycle is started in the background and hangs on it, and
// /metrics is scraped 20 times at once. Every scrape answers promptly with the last results: the events counters
// and `up` of the good cycle. The bound (2 s per scrape) is a behavioural check with a wide margin, not a benchmark:
// a scrape that waited on the emulator would take the 6 s stall (the emulator holds its delayed requests to the end, so a longer stall only lengthens the test process).
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, exporterFor, loginRow, minutesAfter, queryRow, RecordingExporterSink, sampleValue, scrape, tempDirFor } from '../../helpers/exporter-harness.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const STALL_MS = 6_000;
const SCRAPE_BOUND_MS = 2_000;

describe('/metrics with the emulator stalled', () => {
  it('answers every concurrent scrape quickly from the last results while a cycle hangs', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const name = e.account.name;
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120)), queryRow('q2', minutesAfter(T0, -100))]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(1, minutesAfter(T0, -180))]);
    const exporter = await exporterFor(t, exporterConfigFor(e.account, join(tempDirFor(t), 'state.db')), [new RecordingExporterSink()]);

    const good = await exporter.scheduler.runOnce(name);
    assert.ok(good.ran && good.report.outcome === 'ok');
    const before = await scrape(exporter);
    assert.equal(sampleValue(before, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 2);
    assert.equal(sampleValue(before, 'snowflake_risk_up', { account: name }), 1);
    const cyclesBefore = sampleValue(before, 'snowflake_risk_cycles_total', { account: name, outcome: 'ok' });

    e.emulator.admin.setFaults({ rules: [{ id: 'stall', endpoint: 'any', action: { kind: 'delay', ms: STALL_MS } }] });
    e.advance(30 * 60);
    const background = exporter.scheduler.runOnce(name);
    // The cycle is under way and its first request is held by the emulator.
    const deadline = Date.now() + 5_000;
    while ((e.emulator.admin.report().faultsFired['stall:delay'] ?? 0) === 0 && Date.now() < deadline) {
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    assert.ok((e.emulator.admin.report().faultsFired['stall:delay'] ?? 0) >= 1, 'the stall is holding a request');
    assert.equal(exporter.scheduler.status(name).running, true);

    const timings = await Promise.all(
      Array.from({ length: 20 }, async () => {
        const started = performance.now();
        const text = await scrape(exporter, AbortSignal.timeout(STALL_MS));
        return { ms: performance.now() - started, text };
      }),
    );
    assert.equal(exporter.scheduler.status(name).running, true, 'the cycle was still hanging during every scrape');
    for (const { ms, text } of timings) {
      assert.ok(ms < SCRAPE_BOUND_MS, `a scrape took ${Math.round(ms)} ms`);
      assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 2);
      assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'login' }), 1);
      assert.equal(sampleValue(text, 'snowflake_risk_up', { account: name }), 1);
      assert.equal(sampleValue(text, 'snowflake_risk_cycles_total', { account: name, outcome: 'ok' }), cyclesBefore);
      assert.ok((sampleValue(text, 'snowflake_risk_source_last_success_timestamp_seconds', { account: name, source: 'query_history' }) ?? 0) > 0);
    }
    t.diagnostic(`slowest of 20 concurrent scrapes: ${Math.round(Math.max(...timings.map((timing) => timing.ms)))} ms`);

    // Stopping the exporter cancels the hanging cycle instead of waiting out the stall.
    const stopStarted = Date.now();
    await exporter.close();
    const settled = await background;
    assert.ok(settled.ran);
    assert.equal(settled.report.outcome, 'cancelled');
    assert.ok(Date.now() - stopStarted < STALL_MS, 'close() did not wait for the stalled emulator');
  });
});
