import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding, LoginEvent, Severity, SnowflakeEvent } from '../../../src/collect/events.ts';
import { createExporterMetrics, MetricsSinkClosedError } from '../../../src/export/metrics/index.ts';
import { RecentIds } from '../../../src/export/metrics/recent-ids.ts';
import { family, parseExposition, seriesKey } from './exposition.ts';

const at = new Date('2026-11-26T05:00:00Z');
const signal = new AbortController().signal;

function login(id: string, account = 'prod'): LoginEvent {
  return {
    kind: 'login',
    account,
    id,
    time: at,
    observedAt: at,
    eventId: id,
    user: 'ALICE',
    clientIp: '10.0.0.1',
    reportedClientType: null,
    reportedClientVersion: null,
    firstAuthenticationFactor: 'PASSWORD',
    secondAuthenticationFactor: null,
    success: true,
    errorCode: null,
    errorMessage: null,
  };
}

function finding(id: string, detectionId: string, severity: Severity, account = 'prod'): Finding {
  return { account, id, detectionId, severity, user: 'ALICE', time: at, observedAt: at, evidenceIds: [id], reason: 'r', attributes: {} };
}

test('the metrics sink counts events by kind and findings by detection and severity', async () => {
  const metrics = createExporterMetrics({
    accounts: [{ name: 'prod', detections: ['custom.big_export'] }],
    processMetrics: false,
  });
  const query = { ...login('q1'), kind: 'query' } as unknown as SnowflakeEvent;
  const odd = { ...login('x1'), kind: 'telepathy' } as unknown as SnowflakeEvent;
  await metrics.sink.deliver(
    {
      account: 'prod',
      source: 'login_history',
      events: [login('e1'), login('e2'), query, odd],
      findings: [
        finding('f1', 'mfa.admin_without_mfa', 'critical'),
        finding('f2', 'mfa.admin_without_mfa', 'critical'),
        finding('f3', 'custom.big_export', 'medium'),
        finding('f4', 'made.up', 'high'),
        finding('f5', 'auth.brute_force', 'catastrophic' as Severity),
      ],
    },
    signal,
  );
  const x = parseExposition(await metrics.metrics());
  const events = (kind: string) => seriesKey('snowflake_risk_events_total', { account: 'prod', kind });
  assert.deepEqual(
    family(x, 'snowflake_risk_events_total'),
    new Map([
      [events('query'), 1],
      [events('login'), 2],
      [events('share'), 0],
      [events('grant'), 0],
      [events('other'), 1],
    ]),
  );
  const findings = (detection: string, severity: string) =>
    seriesKey('snowflake_risk_findings_total', { account: 'prod', detection, severity });
  assert.deepEqual(
    family(x, 'snowflake_risk_findings_total'),
    new Map([
      [findings('mfa.admin_without_mfa', 'critical'), 2],
      [findings('custom.big_export', 'medium'), 1],
      [findings('other', 'high'), 1],
      [findings('auth.brute_force', 'other'), 1],
    ]),
  );
  // IPs never become labels; a user name only on the top-N per-user series (risk score and activity), nowhere else.
  const text = await metrics.metrics();
  assert.doesNotMatch(text, /10\.0\.0\.1/);
  const withUser = text.split('\n').filter((line) => line.includes('ALICE'));
  const perUser = /^snowflake_risk_user_(risk_score|findings|logins|query_result_bytes|unloads)\{/;
  assert.ok(withUser.length > 0 && withUser.every((line) => perUser.test(line)), withUser.join('\n'));
});

test('an id offered again is not counted twice (defensive backstop), and the repeat shows', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod', 'dev'], processMetrics: false });
  const batch = { account: 'prod', source: 'login_history', events: [login('e1')], findings: [finding('f1', 'auth.brute_force', 'high')] };
  await metrics.sink.deliver(batch, signal);
  await metrics.sink.deliver(batch, signal);
  // The same id in another account is another event.
  await metrics.sink.deliver({ ...batch, account: 'dev', events: [login('e1', 'dev')], findings: [] }, signal);
  const x = parseExposition(await metrics.metrics());
  assert.equal(x.samples.get(seriesKey('snowflake_risk_events_total', { account: 'prod', kind: 'login' })), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_events_total', { account: 'dev', kind: 'login' })), 1);
  assert.equal(
    x.samples.get(seriesKey('snowflake_risk_findings_total', { account: 'prod', detection: 'auth.brute_force', severity: 'high' })),
    1,
  );
  assert.equal(x.samples.get('snowflake_risk_metrics_sink_duplicates_total'), 2);
});

test('the sink refuses after close and when the delivery is already aborted, counting nothing', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const aborted = AbortSignal.abort(new Error('cycle deadline'));
  await assert.rejects(metrics.sink.deliver({ account: 'prod', source: 's', events: [login('a')], findings: [] }, aborted), /cycle deadline/);
  await metrics.sink.close();
  await metrics.sink.close();
  await assert.rejects(
    metrics.sink.deliver({ account: 'prod', source: 's', events: [login('b')], findings: [] }, signal),
    (error: unknown) => error instanceof MetricsSinkClosedError && error.code === 'METRICS_SINK_CLOSED',
  );
  const x = parseExposition(await metrics.metrics());
  assert.equal(x.samples.get(seriesKey('snowflake_risk_events_total', { account: 'prod', kind: 'login' })), 0);
});

test('the recent-id set is bounded and forgets the oldest first', () => {
  const ids = new RecentIds(3);
  for (const id of ['a', 'b', 'c', 'd']) ids.add(id);
  assert.equal(ids.size, 3);
  assert.equal(ids.has('a'), false);
  assert.equal(ids.has('d'), true);
  ids.add('b');
  assert.equal(ids.size, 3);
  assert.throws(() => new RecentIds(0), RangeError);
});
