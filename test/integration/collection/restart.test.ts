// Acceptance: a restart does not deliver again what was delivered before it. One exporter runs a cycle
// and is closed; a NEW exporter (new process state: new pipeline, new metrics, new sink) opens the same state file.
// Its first window starts at the durable watermark minus the overlap, so it reads again the rows still inside the
// overlap: those must be dropped by the durable dedupe ids, while rows that are new since reach its sink.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import {
  duplicatesOf,
  exporterConfigFor,
  loginRow,
  minutesAfter,
  queryRow,
  RecordingExporterSink,
  sampleValue,
  scrape,
  sorted,
  tempDirFor,
} from '../../helpers/exporter-harness.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';

const T0 = new Date('2026-11-20T12:00:00Z');

describe('restart on the same state file', () => {
  it('delivers new events and none of those delivered before, even those still inside the overlap', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const name = e.account.name;
    const config = exporterConfigFor(e.account, join(tempDirFor(t), 'state.db'));

    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-before-overlap', minutesAfter(T0, -6 * 60)),
      queryRow('q-in-overlap-1', minutesAfter(T0, -50)), // visible at T0-5, inside the next 60-min overlap
      queryRow('q-in-overlap-2', minutesAfter(T0, -46)),
    ]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(10, minutesAfter(T0, -8 * 60)), loginRow(11, minutesAfter(T0, -130))]);

    const firstSink = new RecordingExporterSink();
    const first = await startExporter(config, { sinks: [firstSink], schedule: false });
    let firstClosed = false;
    t.after(async () => {
      if (!firstClosed) await first.close();
    });
    const cycle1 = await first.scheduler.runOnce(name);
    assert.ok(cycle1.ran && cycle1.report.outcome === 'ok');
    assert.deepEqual(sorted(firstSink.ids()), ['10', '11', 'q-before-overlap', 'q-in-overlap-1', 'q-in-overlap-2']);
    await first.close();
    firstClosed = true;

    // New events while the exporter was down: one visible at once, one late (time before the old watermark).
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q-new', minutesAfter(T0, -20)), // visible at T0+25
      queryRow('q-late', minutesAfter(T0, -1)), // visible at T0+44, time before watermark T0
    ]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(12, minutesAfter(T0, -100))]); // visible at T0+20
    e.advance(30 * 60);

    const secondSink = new RecordingExporterSink();
    const second = await startExporter(config, { sinks: [secondSink], schedule: false });
    t.after(() => second.close());
    const cycle2 = await second.scheduler.runOnce(name);
    assert.ok(cycle2.ran && cycle2.report.outcome === 'ok');
    const query = cycle2.report.sources.find((entry) => entry.source === 'query_history');
    // The rows inside the overlap were read again by the new process (else this test would prove nothing)...
    assert.ok(query !== undefined && query.rows >= 3, `query rows read ${query?.rows}`);
    // ...but only what is new reached its sink.
    assert.deepEqual(sorted(secondSink.ids()), ['12', 'q-new']);

    e.advance(30 * 60);
    const cycle3 = await second.scheduler.runOnce(name);
    assert.ok(cycle3.ran && cycle3.report.outcome === 'ok');
    assert.deepEqual(sorted(secondSink.ids()), ['12', 'q-late', 'q-new']);
    assert.deepEqual(duplicatesOf([...firstSink.ids(), ...secondSink.ids()]), []);

    const text = await scrape(second);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'query' }), 2);
    assert.equal(sampleValue(text, 'snowflake_risk_events_total', { account: name, kind: 'login' }), 1);
  });
});
