import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceErrorKind } from '../../../src/collect/observer.ts';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { PRODUCT_VERSION } from '../../../src/version.ts';
import { family, parseExposition, seriesKey } from './exposition.ts';

const startedAt = new Date('2026-11-26T06:00:00Z');
const startedSeconds = startedAt.getTime() / 1000;

async function scrape(metrics: { metrics(): Promise<string> }) {
  return parseExposition(await metrics.metrics());
}

test('a fresh registry shows build info and the per-account series every configured account always has', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod', 'dev'], processMetrics: false });
  const exposition = await scrape(metrics);
  assert.equal(exposition.samples.get(seriesKey('snowflake_risk_exporter_build_info', { version: PRODUCT_VERSION })), 1);
  assert.equal(exposition.type.get('snowflake_risk_exporter_build_info'), 'gauge');
  assert.deepEqual(
    family(exposition, 'snowflake_risk_up'),
    new Map([
      [seriesKey('snowflake_risk_up', { account: 'prod' }), 0],
      [seriesKey('snowflake_risk_up', { account: 'dev' }), 0],
    ]),
  );
  assert.deepEqual(
    [...family(exposition, 'snowflake_risk_cycles_total').keys()].sort(),
    ['cancelled', 'failed', 'ok', 'partial']
      .flatMap((outcome) => ['dev', 'prod'].map((account) => seriesKey('snowflake_risk_cycles_total', { account, outcome })))
      .sort(),
  );
  for (const name of ['statements_total', 'warehouse_seconds_total', 'credits_total', 'credits_today', 'credit_budget_exhausted']) {
    assert.equal(exposition.samples.get(seriesKey(`snowflake_risk_${name}`, { account: 'prod' })), 0, name);
  }
  // No budget configured: the budget gauge has no series rather than a misleading 0.
  assert.equal(family(exposition, 'snowflake_risk_credit_budget').size, 0);
  // Process metrics are off here; nothing outside the namespace appears.
  assert.deepEqual([...exposition.type.keys()].filter((name) => !name.startsWith('snowflake_risk_')), []);
});

test('process metrics are registered under their standard names, minus the misnamed _total gauges', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'] });
  const exposition = await scrape(metrics);
  assert.equal(exposition.type.get('process_cpu_seconds_total'), 'counter');
  assert.equal(exposition.type.get('nodejs_active_handles'), 'gauge');
  assert.equal(exposition.type.has('nodejs_active_handles_total'), false);
  assert.equal(exposition.type.has('nodejs_active_requests_total'), false);
  assert.equal(exposition.type.has('nodejs_active_resources_total'), false);
});

test('source outcomes become exact self-metric series', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt, durationSeconds: 2.5, rows: 120, delivered: 100, lagSeconds: 2700 });
  metrics.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt, durationSeconds: 1.5, rows: 30, delivered: 30 });
  metrics.sourceFailed('prod', 'login_history', 'permission', startedAt);
  metrics.sourceFailed('prod', 'login_history', 'permission', startedAt);
  metrics.sourceFailed('prod', 'login_history', 'nonsense' as SourceErrorKind, startedAt);
  metrics.sourceSkipped('prod', 'login_history', 'unavailable');
  metrics.sourceSkipped('prod', 'sessions', 'budget');
  const x = await scrape(metrics);
  const qh = { account: 'prod', source: 'query_history' };
  const lh = { account: 'prod', source: 'login_history' };
  const se = { account: 'prod', source: 'sessions' };
  assert.deepEqual(
    family(x, 'snowflake_risk_source_last_success_timestamp_seconds'),
    new Map([
      [seriesKey('snowflake_risk_source_last_success_timestamp_seconds', qh), startedSeconds + 1.5],
      // Never succeeded: present at 0 so "time since last success" alerts fire for it.
      [seriesKey('snowflake_risk_source_last_success_timestamp_seconds', lh), 0],
      [seriesKey('snowflake_risk_source_last_success_timestamp_seconds', se), 0],
    ]),
  );
  assert.deepEqual(family(x, 'snowflake_risk_source_duration_seconds'), new Map([[seriesKey('snowflake_risk_source_duration_seconds', qh), 1.5]]));
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_rows_total', qh)), 150);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_rows_total', lh)), 0);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_runs_total', qh)), 2);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_runs_total', lh)), 3);
  // The lag keeps its last known value when a later run reports none.
  assert.deepEqual(family(x, 'snowflake_risk_source_lag_seconds'), new Map([[seriesKey('snowflake_risk_source_lag_seconds', qh), 2700]]));
  assert.deepEqual(
    family(x, 'snowflake_risk_source_errors_total'),
    new Map([
      [seriesKey('snowflake_risk_source_errors_total', { ...lh, kind: 'permission' }), 2],
      [seriesKey('snowflake_risk_source_errors_total', { ...lh, kind: 'other' }), 1],
    ]),
  );
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_unavailable', lh)), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_source_unavailable', qh)), 0);
  assert.deepEqual(
    family(x, 'snowflake_risk_source_deferred_total'),
    new Map([
      [seriesKey('snowflake_risk_source_deferred_total', { ...lh, reason: 'unavailable' }), 1],
      [seriesKey('snowflake_risk_source_deferred_total', { ...se, reason: 'budget' }), 1],
    ]),
  );

  // A later success clears the unavailable flag.
  metrics.sourceSucceeded({ account: 'prod', source: 'login_history', startedAt, durationSeconds: 1, rows: 0, delivered: 0 });
  const after = await scrape(metrics);
  assert.equal(after.samples.get(seriesKey('snowflake_risk_source_unavailable', lh)), 0);
});

test('cycles, cost, budget, up and SQL API events become exact series', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.accountUp('prod', true);
  metrics.cycleFinished('prod', 'ok', 12);
  metrics.cycleFinished('prod', 'partial', 20);
  metrics.cost({ account: 'prod', statements: 7, rows: 100, bytes: 2048, warehouseSeconds: 61, credits: 0.017 });
  metrics.cost({ account: 'prod', statements: 3, rows: 1, bytes: 0, warehouseSeconds: 60, credits: 0.016 });
  metrics.cost({ account: 'prod', statements: -5, rows: 0, bytes: Number.NaN, warehouseSeconds: 0, credits: 0 });
  metrics.budgetState('prod', 0.5, 2, false);
  metrics.sqlApiEvent('prod', { type: 'request', kind: 'submit', method: 'POST', status: 200, errorCode: undefined, durationMs: 5 });
  metrics.sqlApiEvent('prod', { type: 'request', kind: 'submit', method: 'POST', status: 202, errorCode: undefined, durationMs: 5 });
  metrics.sqlApiEvent('prod', { type: 'request', kind: 'status', method: 'GET', status: 429, errorCode: undefined, durationMs: 5 });
  metrics.sqlApiEvent('prod', { type: 'request', kind: 'partition', method: 'GET', status: undefined, errorCode: undefined, durationMs: 5 });
  metrics.sqlApiEvent('prod', { type: 'retry', kind: 'status', reason: 'status', status: 503, attempt: 1, delayMs: 100 });
  metrics.sqlApiEvent('prod', { type: 'cancel', statementHandle: 'h', ok: true });
  const x = await scrape(metrics);
  const prod = { account: 'prod' };
  assert.equal(x.samples.get(seriesKey('snowflake_risk_up', prod)), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_cycles_total', { ...prod, outcome: 'ok' })), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_cycles_total', { ...prod, outcome: 'partial' })), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_cycles_total', { ...prod, outcome: 'failed' })), 0);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_cycle_duration_seconds', prod)), 20);
  // Negative and NaN amounts are reporting bugs and are ignored rather than corrupting the counters.
  assert.equal(x.samples.get(seriesKey('snowflake_risk_statements_total', prod)), 10);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_result_bytes_total', prod)), 2048);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_warehouse_seconds_total', prod)), 121);
  assert.ok(Math.abs((x.samples.get(seriesKey('snowflake_risk_credits_total', prod)) ?? 0) - 0.033) < 1e-9);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_credits_today', prod)), 0.5);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_credit_budget', prod)), 2);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_credit_budget_exhausted', prod)), 0);
  assert.deepEqual(
    family(x, 'snowflake_risk_sql_api_requests_total'),
    new Map([
      [seriesKey('snowflake_risk_sql_api_requests_total', { ...prod, kind: 'submit', status_class: '2xx' }), 2],
      [seriesKey('snowflake_risk_sql_api_requests_total', { ...prod, kind: 'status', status_class: '4xx' }), 1],
      [seriesKey('snowflake_risk_sql_api_requests_total', { ...prod, kind: 'partition', status_class: 'none' }), 1],
    ]),
  );
  assert.deepEqual(
    family(x, 'snowflake_risk_sql_api_retries_total'),
    new Map([[seriesKey('snowflake_risk_sql_api_retries_total', { ...prod, kind: 'status', reason: 'status' }), 1]]),
  );

  // The budget is removed again, and exhaustion shows.
  metrics.budgetState('prod', 2.1, undefined, true);
  const later = await scrape(metrics);
  assert.equal(family(later, 'snowflake_risk_credit_budget').size, 0);
  assert.equal(later.samples.get(seriesKey('snowflake_risk_credit_budget_exhausted', prod)), 1);
});

test('label values outside their vocabularies become "other"', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false, extraSources: ['share_changes'] });
  metrics.sourceSucceeded({ account: 'unconfigured', source: 'query_history', startedAt, durationSeconds: 1, rows: 1, delivered: 1 });
  metrics.sourceSucceeded({ account: 'prod', source: 'SELECT * FROM secrets', startedAt, durationSeconds: 1, rows: 1, delivered: 1 });
  metrics.sourceSucceeded({ account: 'prod', source: 'share_changes', startedAt, durationSeconds: 1, rows: 1, delivered: 1 });
  metrics.sourceSucceeded({ account: 'prod', source: 'mfa.bypass_active', startedAt, durationSeconds: 1, rows: 1, delivered: 1 });
  const x = await scrape(metrics);
  assert.deepEqual(
    [...family(x, 'snowflake_risk_source_rows_total').keys()].sort(),
    [
      seriesKey('snowflake_risk_source_rows_total', { account: 'other', source: 'query_history' }),
      seriesKey('snowflake_risk_source_rows_total', { account: 'prod', source: 'mfa.bypass_active' }),
      seriesKey('snowflake_risk_source_rows_total', { account: 'prod', source: 'other' }),
      seriesKey('snowflake_risk_source_rows_total', { account: 'prod', source: 'share_changes' }),
    ].sort(),
  );
});

test('every metric family has a help text and the namespace, and counters end in _total', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const x = await scrape(metrics);
  for (const [name, type] of x.type) {
    assert.match(name, /^snowflake_risk_[a-z0-9_]+$/);
    assert.ok((x.help.get(name) ?? '').length > 10, `${name} has a help text`);
    assert.equal(type === 'counter', name.endsWith('_total'), `${name} (${type})`);
  }
});

test('a part of a source that could not be read is 1 until a run reads it again', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const outcome = { account: 'prod', source: 'auth.suspicious_login', startedAt, durationSeconds: 1, rows: 0, delivered: 0 };
  const key = seriesKey('snowflake_risk_source_part_unavailable', { account: 'prod', source: 'auth.suspicious_login', part: 'login_details' });
  metrics.sourceSucceeded({ ...outcome, parts: [{ part: 'login_details', available: false, reason: 'no column' }] });
  assert.equal((await scrape(metrics)).samples.get(key), 1);
  metrics.sourceSucceeded({ ...outcome, parts: [{ part: 'login_details', available: true }] });
  assert.equal((await scrape(metrics)).samples.get(key), 0);
  // A part id outside the vocabulary is folded into "other", never a new label value.
  metrics.sourceSucceeded({ ...outcome, parts: [{ part: 'surprise' as 'login_details', available: false }] });
  assert.equal((await scrape(metrics)).samples.get(seriesKey('snowflake_risk_source_part_unavailable', { account: 'prod', source: 'auth.suspicious_login', part: 'other' })), 1);
});

test('failed cycles are counted by account and kind: the kind that stopped the start, or the one the sources shared', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const fresh = family(await scrape(metrics), 'snowflake_risk_cycle_failures_total');
  // Every kind of the error vocabulary at 0 from the first scrape, so rate() and absent() work at once.
  assert.equal(fresh.size, 10);
  assert.ok([...fresh.values()].every((value) => value === 0));
  metrics.cycleFinished('prod', 'failed', 0.2, { kind: 'auth', snowflakeCode: '390144', message: 'refused', stage: 'start', at: startedAt });
  metrics.cycleFinished('prod', 'failed', 3, { kind: 'timeout', message: 'timed out', stage: 'sources', source: 'login_history', at: startedAt });
  metrics.cycleFinished('prod', 'failed', 3); // no reason given: counted as internal rather than lost
  metrics.cycleFinished('prod', 'partial', 3);
  metrics.cycleFinished('prod', 'ok', 3);
  const exposition = await scrape(metrics);
  const value = (kind: SourceErrorKind): number | undefined => exposition.samples.get(seriesKey('snowflake_risk_cycle_failures_total', { account: 'prod', kind }));
  assert.deepEqual([value('auth'), value('timeout'), value('internal'), value('network')], [1, 1, 1, 0]);
  assert.equal(exposition.type.get('snowflake_risk_cycle_failures_total'), 'counter');
});
