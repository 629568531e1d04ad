// A real cycle against the emulator: the real sources, the real delivery pipeline and state store, the real SQL API
// client (key-pair JWT over HTTP). The emulator's warehouse model is the judge of the cost claim: one cycle, every
// source together, wakes the warehouse ONCE; the clock read before it (CURRENT_TIMESTAMP()) wakes nothing.
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { DeliveryPipeline } from '../../../src/collect/delivery.ts';
import { StatementMeter } from '../../../src/collect/cost.ts';
import type { CycleScope } from '../../../src/collect/cycle.ts';
import type { PostureSnapshot } from '../../../src/collect/posture.ts';
import { Scheduler } from '../../../src/collect/scheduler.ts';
import type { DeliveryBatch, Sink } from '../../../src/collect/sink.ts';
import type { Source, SourceContext } from '../../../src/collect/source.ts';
import { createSources, SETTINGS_KEY, type CollectSourceId } from '../../../src/collect/sources/index.ts';
import { createAccountClient } from '../../../src/snowflake/account-client.ts';
import { openStateStore } from '../../../src/state/index.ts';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { RecordingObserver } from '../../unit/collect/helpers.ts';

/** A sink that accepts everything (the metrics and OTLP sinks are tested on their own). */
class AcceptingSink implements Sink {
  readonly name = 'accepting';
  readonly batches: DeliveryBatch[] = [];
  deliver(batch: DeliveryBatch): Promise<void> {
    this.batches.push(batch);
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

describe('a scheduler cycle on the emulator', () => {
  it('runs every source in one burst: one warehouse resume per cycle, none for the clock read', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z') });
    const dir = mkdtempSync(join(tmpdir(), 'sre-scheduler-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const store = openStateStore({ path: join(dir, 'state.db') });
    t.after(() => store.close());

    const meter = new StatementMeter();
    const { client, close } = createAccountClient(e.account, { onEvent: meter.listener });
    t.after(close);
    const sink = new AcceptingSink();
    const pipeline = new DeliveryPipeline({ store, sinks: [sink], now: () => new Date(), retentionSeconds: () => 7 * 86_400 });
    const postures: PostureSnapshot[] = [];
    const contextFactory = (_source: Source, scope: CycleScope): SourceContext => ({
      account: e.account,
      client,
      snowflakeNow: scope.snowflakeNow,
      signal: scope.signal,
      ...pipeline.forAccount(e.account.name, scope.signal),
      publishPosture: (snapshot) => postures.push(snapshot),
    });
    const sources = createSources(e.account);
    const intervalSeconds = Object.fromEntries(
      sources.map((source) => [source.id, e.account.intervalSeconds[SETTINGS_KEY[source.id as CollectSourceId]]]),
    );
    const observer = new RecordingObserver();
    const scheduler = new Scheduler({
      accounts: [{ account: e.account, client, sources, contextFactory, meter, intervalSeconds }],
      observer,
      store,
    });

    const before = e.engine.warehouseReport();
    const first = await scheduler.runOnce(e.account.name);
    assert.ok(first.ran);
    const afterFirst = e.engine.warehouseReport();
    assert.deepEqual(
      first.report.sources.filter((source) => source.status !== 'ok'),
      [],
      'every source succeeded on the emulator',
    );
    assert.equal(first.report.outcome, 'ok');
    assert.equal(first.report.up, true);
    assert.equal(afterFirst.resumes - before.resumes, 1, 'one resume for the whole cycle');
    assert.ok(afterFirst.warehouseStatements - before.warehouseStatements >= 1);
    // The clock read is the first statement of the cycle and used no warehouse.
    const clockRead = afterFirst.log.find((entry) => entry.text.includes('CURRENT_TIMESTAMP()'));
    assert.ok(clockRead);
    assert.equal(clockRead.usedWarehouse, false);
    // The exporter's own estimate agrees: one resume, at least the 60-second minimum, statements counted.
    assert.equal(first.report.warehouseResumed, true);
    assert.ok(first.report.cost.warehouseSeconds >= 60);
    assert.equal(first.report.cost.statements, afterFirst.statements - before.statements);
    assert.ok(postures.length > 0);
    assert.deepEqual(store.recentCycles(e.account.name, 5).map((cycle) => cycle.outcome), ['ok']);

    // An hour later (virtual time) the warehouse has suspended: the next cycle resumes it once more.
    e.advance(3600);
    const second = await scheduler.runOnce(e.account.name);
    assert.ok(second.ran);
    assert.equal(second.report.outcome, 'ok');
    assert.equal(e.engine.warehouseReport().resumes - afterFirst.resumes, 1);
    await scheduler.stop();
  });
});
