import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { CollectionObserver } from '../../../src/collect/observer.ts';
import { combineObservers, createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { StatusBoard } from '../../../src/http/index.ts';
import { parseExposition, seriesKey } from './exposition.ts';

const startedAt = new Date('2026-11-26T06:00:00Z');

test('one report reaches the metrics and the status board, and a throwing listener reaches neither the engine nor the others', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const board = new StatusBoard({ accounts: ['prod'] });
  const broken = new Proxy({} as CollectionObserver, {
    get: () => () => {
      throw new Error('listener bug');
    },
  });
  const errors: unknown[] = [];
  const reporter = combineObservers([broken, metrics, board], (error) => errors.push(error));
  assert.doesNotThrow(() => {
    reporter.accountUp('prod', true);
    reporter.sourceSucceeded({ account: 'prod', source: 'users', startedAt, durationSeconds: 1, rows: 5, delivered: 0 });
    reporter.publishPosture({
      account: 'prod',
      takenAt: startedAt,
      data: { kind: 'parameters', parameters: [{ name: 'PREVENT_UNLOAD_TO_INLINE_URL', value: 'false', safe: false }] },
    });
  });
  assert.equal(errors.length, 3);
  const x = parseExposition(await metrics.metrics());
  assert.equal(x.samples.get(seriesKey('snowflake_risk_up', { account: 'prod' })), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_rows_total', { account: 'prod', source: 'users' })), 5);
  assert.equal(
    x.samples.get(seriesKey('snowflake_risk_guardrail_parameter_safe', { account: 'prod', parameter: 'PREVENT_UNLOAD_TO_INLINE_URL' })),
    0,
  );
  const status = board.snapshot();
  assert.equal(status.accounts[0]?.up, true);
  assert.equal(status.accounts[0]?.sources[0]?.lastRows, 5);
  assert.equal(status.accounts[0]?.posture[0]?.kind, 'parameters');

  // Even an error reporter that throws stays inside.
  const silent = combineObservers([broken], () => {
    throw new Error('reporter bug');
  });
  assert.doesNotThrow(() => silent.cycleFinished('prod', 'ok', 1));
});
