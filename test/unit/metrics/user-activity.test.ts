// The per-user activity behind the snowflake_risk_user_* gauges: bounded whatever the account size, exposed only for
// the risk score's top N (series leave with the user), fed once per event by the metrics sink. The table is driven
// by the real RiskScoreTable, and the gauges through the real registry and sink.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, LoginEvent, QueryEvent, Severity } from '../../../src/collect/events.ts';
import { RiskScoreTable } from '../../../src/detect/risk-score.ts';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { UserActivityTable, type LoginLabels } from '../../../src/export/metrics/user-activity.ts';
import { family, parseExposition, seriesKey, type Exposition } from './exposition.ts';

const at = new Date('2026-11-26T05:00:00Z');
const signal = new AbortController().signal;
const PASSWORD_NO_MFA: LoginLabels = { outcome: 'success', first_factor: 'password', second_factor: 'none' };

function login(id: string, user: string, first: string | null, second: string | null, success = true, account = 'prod'): LoginEvent {
  return {
    kind: 'login', account, id, time: at, observedAt: at, eventId: id, user, clientIp: '10.0.0.1', reportedClientType: null,
    reportedClientVersion: null, firstAuthenticationFactor: first, secondAuthenticationFactor: second, success, errorCode: null, errorMessage: null,
  };
}

function query(id: string, user: string, overrides: Partial<QueryEvent> = {}, account = 'prod'): QueryEvent {
  return {
    kind: 'query', account, id, time: at, observedAt: at, queryId: id, user, role: null, warehouse: null, database: null, schema: null,
    queryType: 'SELECT', executionStatus: 'SUCCESS', errorCode: null, queryText: null, queryTag: null, sessionId: null, authnEventId: null,
    startTime: at, endTime: at, bytesScanned: 0, bytesWrittenToResult: 0, rowsProduced: 0, rowsUnloaded: 0, outboundDataTransferBytes: 0,
    outboundDataTransferCloud: null, outboundDataTransferRegion: null, ...overrides,
  };
}

function finding(id: string, user: string, severity: Severity, account = 'prod'): Finding {
  return { account, id, detectionId: 'exfil.stage_chain', severity, user, time: at, observedAt: at, evidenceIds: [id], reason: 'r', attributes: {} };
}

/** A table over a real risk-score table, as the exporter builds it. */
function tables(capacity: number) {
  const risk = new RiskScoreTable({ maxUsersPerAccount: capacity, now: () => at });
  const activity = new UserActivityTable({ capacity, isScored: (user) => risk.userScore('prod', user) > 0 });
  const addFinding = (user: string, severity: Severity): void => {
    risk.add({ account: 'prod', user, severity, time: at });
    activity.recordFinding(user, severity);
  };
  return { risk, activity, addFinding };
}

/** The users that have at least one series of the family. */
function usersOf(x: Exposition, name: string): string[] {
  const users = new Set<string>();
  for (const key of family(x, name).keys()) {
    const user = /user="([^"]*)"/.exec(key)?.[1];
    if (user !== undefined) users.add(user);
  }
  return [...users].sort();
}

describe('user activity table', () => {
  it('stays bounded under 100,000 distinct users, findings or not', () => {
    const capacity = 1000;
    const { risk, activity, addFinding } = tables(capacity);
    let largest = 0;
    for (let i = 0; i < 100_000; i++) {
      const user = `U${i}`;
      activity.recordLogin(user, PASSWORD_NO_MFA);
      activity.recordQuery(user, 1000, false);
      // One user in ten also gets a finding, so both groups fill up and the risk-score table evicts.
      if (i % 10 === 0) addFinding(user, i % 20 === 0 ? 'high' : 'low');
      largest = Math.max(largest, activity.size);
    }
    assert.ok(largest <= 3 * capacity, `held ${largest} users at most`);
    assert.ok(activity.size >= capacity, `${activity.size} users held at the end`);
    assert.equal(risk.trackedUsers('prod'), capacity);
    assert.ok(activity.evictions >= 100_000 - 3 * capacity, `${activity.evictions} evictions`);
    // Every user the risk-score table holds still has their activity: any of them may be in the top N.
    for (const { user } of risk.topUsers('prod', capacity)) {
      assert.equal(activity.get(user)?.logins.size, 1, user);
      assert.equal(activity.get(user)?.resultBytes, 1000, user);
    }
  });

  it('forgets the least recently active user without findings first', () => {
    const { activity } = tables(3);
    for (const user of ['A', 'B', 'C']) activity.recordLogin(user, PASSWORD_NO_MFA);
    activity.recordQuery('A', 10, false); // A is now the most recently active
    activity.recordLogin('D', PASSWORD_NO_MFA); // evicts B, the oldest
    assert.equal(activity.get('B'), undefined);
    assert.equal(activity.get('A')?.resultBytes, 10);
    assert.ok(activity.get('C') !== undefined && activity.get('D') !== undefined);
    assert.equal(activity.size, 3);
    assert.equal(activity.evictions, 1);
    // Reading for a scrape is not activity: C stays the oldest and goes next.
    activity.get('C');
    activity.recordLogin('E', PASSWORD_NO_MFA);
    assert.equal(activity.get('C'), undefined);
  });

  it('keeps the earlier logins of a user whose first finding arrives, however many users come after', () => {
    const { activity, addFinding } = tables(10);
    activity.recordLogin('ALICE', PASSWORD_NO_MFA);
    activity.recordLogin('ALICE', { outcome: 'failure', first_factor: 'password', second_factor: 'none' });
    addFinding('ALICE', 'critical');
    for (let i = 0; i < 1000; i++) activity.recordLogin(`NOISE${i}`, PASSWORD_NO_MFA);
    const alice = activity.get('ALICE');
    assert.deepEqual([...(alice?.logins.values() ?? [])].map(({ labels, count }) => [labels.outcome, count]), [['success', 1], ['failure', 1]]);
    assert.equal(alice?.findings.get('critical'), 1);
  });

  it('forgets users the risk-score table evicted once they outnumber twice its capacity', () => {
    const { risk, activity, addFinding } = tables(2);
    // Each newcomer's high finding outweighs the low ones before it: the risk-score table evicts the lowest.
    addFinding('LOW1', 'low');
    addFinding('LOW2', 'low');
    addFinding('HIGH1', 'high');
    addFinding('HIGH2', 'high');
    assert.deepEqual(risk.topUsers('prod', 10).map(({ user }) => user), ['HIGH1', 'HIGH2']);
    // Not swept yet (4 scored entries, the limit is 2 × 2): evicted users are only forgotten past the bound.
    assert.equal(activity.size, 4);
    addFinding('CRIT1', 'critical'); // 5 > 4: the sweep keeps only the users the risk-score table holds
    assert.deepEqual(['LOW1', 'LOW2', 'HIGH1'].map((user) => activity.get(user)), [undefined, undefined, undefined]);
    assert.equal(activity.get('CRIT1')?.findings.get('critical'), 1);
    assert.equal(activity.get('HIGH2')?.findings.get('high'), 1);
    assert.equal(activity.size, 2);
  });

  it('refuses a capacity below 1', () => {
    assert.throws(() => new UserActivityTable({ capacity: 0, isScored: () => false }), /capacity must be an integer >= 1/);
  });
});

describe('per-user activity gauges', () => {
  const settings = { halfLifeSeconds: 86_400, topUsers: 2, maxTrackedUsers: 100 };

  it('expose findings, logins, result bytes and unloads only for the top-N users, with the account vocabularies', async () => {
    const metrics = createExporterMetrics({ accounts: [{ name: 'prod', detections: [], riskScore: settings }, 'dev'], processMetrics: false, now: () => at });
    await metrics.sink.deliver(
      {
        account: 'prod',
        source: 'x',
        // Activity BEFORE any finding: counted once the users enter the top N.
        events: [
          login('l1', 'ALICE', 'PASSWORD', null),
          login('l2', 'ALICE', 'PASSWORD', null),
          login('l3', 'ALICE', 'PASSWORD', 'DUO_PUSH', false),
          login('l4', 'BOB', 'SOMETHING_NEW', 'FIDO_THING'),
          login('l5', 'CAROL', 'RSA_KEYPAIR', null),
          query('q1', 'ALICE', { bytesWrittenToResult: 1500 }),
          query('q2', 'ALICE', { queryType: 'UNLOAD', queryText: 'COPY INTO @s FROM t', bytesWrittenToResult: 500 }),
          query('q3', 'ALICE', { queryType: 'UNLOAD', queryText: "COPY INTO 's3://b/x' FROM t" }),
          query('q4', 'ALICE', { queryType: 'UNLOAD', queryText: 'COPY INTO @s FROM t', executionStatus: 'FAIL' }),
          query('q5', 'ALICE', { queryType: 'UNLOAD', queryText: null }), // destination unknown: not an unload here either
          query('q6', 'CAROL', { bytesWrittenToResult: 99 }),
        ],
        findings: [],
      },
      signal,
    );
    await metrics.sink.deliver(
      {
        account: 'prod',
        source: 'y',
        events: [],
        findings: [finding('f1', 'ALICE', 'critical'), finding('f2', 'ALICE', 'info'), finding('f3', 'BOB', 'high'), finding('f4', 'CAROL', 'low')],
      },
      signal,
    );
    const x = parseExposition(await metrics.metrics());
    const key = (name: string, labels: Record<string, string>) => seriesKey(name, { account: 'prod', ...labels });

    for (const name of ['snowflake_risk_user_findings', 'snowflake_risk_user_logins', 'snowflake_risk_user_query_result_bytes', 'snowflake_risk_user_unloads']) {
      assert.deepEqual(usersOf(x, name), ['ALICE', 'BOB'], `${name}: CAROL is outside the top 2`);
      assert.equal(x.type.get(name), 'gauge');
      assert.match(x.help.get(name) ?? '', /top-N/);
    }
    const findings = (user: string, severity: string) => key('snowflake_risk_user_findings', { user, severity });
    assert.deepEqual(
      family(x, 'snowflake_risk_user_findings'),
      new Map([
        [findings('ALICE', 'critical'), 1], [findings('ALICE', 'high'), 0], [findings('ALICE', 'medium'), 0], [findings('ALICE', 'low'), 0], [findings('ALICE', 'info'), 1],
        [findings('BOB', 'critical'), 0], [findings('BOB', 'high'), 1], [findings('BOB', 'medium'), 0], [findings('BOB', 'low'), 0], [findings('BOB', 'info'), 0],
      ]),
    );
    const logins = (user: string, outcome: string, first_factor: string, second_factor: string) =>
      key('snowflake_risk_user_logins', { user, outcome, first_factor, second_factor });
    assert.deepEqual(
      family(x, 'snowflake_risk_user_logins'),
      new Map([
        [logins('ALICE', 'success', 'password', 'none'), 2],
        [logins('ALICE', 'failure', 'password', 'duo_push'), 1],
        [logins('BOB', 'success', 'other', 'other'), 1],
      ]),
    );
    // The same label values as the account counter, for the same logins.
    for (const series of family(x, 'snowflake_risk_user_logins').keys()) {
      const accountSeries = series.replace('snowflake_risk_user_logins', 'snowflake_risk_logins_total').replace(/,user="[^"]*"/, '');
      assert.ok(x.samples.has(accountSeries), accountSeries);
    }
    assert.equal(x.samples.get(key('snowflake_risk_user_query_result_bytes', { user: 'ALICE' })), 2000);
    assert.equal(x.samples.get(key('snowflake_risk_user_query_result_bytes', { user: 'BOB' })), 0);
    assert.equal(x.samples.get(key('snowflake_risk_user_unloads', { user: 'ALICE' })), 2);
    assert.equal(x.samples.get(key('snowflake_risk_user_unloads', { user: 'BOB' })), 0);
    assert.equal(x.samples.get(key('snowflake_risk_user_activity_tracked_users', {})), 3);
    assert.equal(x.samples.get(seriesKey('snowflake_risk_user_activity_tracked_users', { account: 'dev' })), 0);
    assert.doesNotMatch(await metrics.metrics(), /10\.0\.0\.1/);
  });

  it('drop a user\'s series at the next scrape once they leave the top N, and bring them back with their counts', async () => {
    const metrics = createExporterMetrics({ accounts: [{ name: 'prod', detections: [], riskScore: settings }], processMetrics: false, now: () => at });
    const deliver = (events: (LoginEvent | QueryEvent)[], findings: Finding[]) => metrics.sink.deliver({ account: 'prod', source: 'x', events, findings }, signal);
    await deliver([login('l1', 'BOB', 'PASSWORD', null), query('q1', 'BOB', { bytesWrittenToResult: 7 })], [finding('f1', 'ALICE', 'high'), finding('f2', 'BOB', 'medium')]);
    assert.deepEqual(usersOf(parseExposition(await metrics.metrics()), 'snowflake_risk_user_logins'), ['BOB']);

    // CAROL outranks BOB: BOB is out of the top 2 and none of his series remain.
    await deliver([], [finding('f3', 'CAROL', 'critical')]);
    let x = parseExposition(await metrics.metrics());
    for (const name of ['snowflake_risk_user_risk_score', 'snowflake_risk_user_findings', 'snowflake_risk_user_query_result_bytes', 'snowflake_risk_user_unloads']) {
      assert.deepEqual(usersOf(x, name), ['ALICE', 'CAROL'], name);
    }
    assert.deepEqual(usersOf(x, 'snowflake_risk_user_logins'), []);

    // Two more critical findings put BOB back on top: his earlier login and bytes were kept meanwhile.
    await deliver([], [finding('f4', 'BOB', 'critical'), finding('f5', 'BOB', 'critical')]);
    x = parseExposition(await metrics.metrics());
    assert.deepEqual(usersOf(x, 'snowflake_risk_user_findings'), ['BOB', 'CAROL']);
    const key = (name: string, labels: Record<string, string>) => seriesKey(name, { account: 'prod', user: 'BOB', ...labels });
    assert.equal(x.samples.get(key('snowflake_risk_user_logins', { outcome: 'success', first_factor: 'password', second_factor: 'none' })), 1);
    assert.equal(x.samples.get(key('snowflake_risk_user_query_result_bytes', {})), 7);
    assert.equal(x.samples.get(key('snowflake_risk_user_findings', { severity: 'critical' })), 2);
    assert.equal(x.samples.get(key('snowflake_risk_user_findings', { severity: 'medium' })), 1);
  });

  it('count a re-delivered batch once', async () => {
    const metrics = createExporterMetrics({ accounts: [{ name: 'prod', detections: [], riskScore: settings }], processMetrics: false, now: () => at });
    const batch = {
      account: 'prod',
      source: 'x',
      events: [login('l1', 'ALICE', 'PASSWORD', null), query('q1', 'ALICE', { queryType: 'UNLOAD', queryText: 'COPY INTO @s FROM t', bytesWrittenToResult: 100 })],
      findings: [finding('f1', 'ALICE', 'high')],
    };
    await metrics.sink.deliver(batch, signal);
    await metrics.sink.deliver(batch, signal);
    const x = parseExposition(await metrics.metrics());
    const key = (name: string, labels: Record<string, string> = {}) => seriesKey(name, { account: 'prod', user: 'ALICE', ...labels });
    assert.equal(x.samples.get(key('snowflake_risk_user_findings', { severity: 'high' })), 1);
    assert.equal(x.samples.get(key('snowflake_risk_user_logins', { outcome: 'success', first_factor: 'password', second_factor: 'none' })), 1);
    assert.equal(x.samples.get(key('snowflake_risk_user_query_result_bytes')), 100);
    assert.equal(x.samples.get(key('snowflake_risk_user_unloads')), 1);
    assert.equal(x.samples.get('snowflake_risk_metrics_sink_duplicates_total'), 3);
  });

  it('hold at most topUsers users × a fixed label set per account, however many users are active', async () => {
    const metrics = createExporterMetrics({
      accounts: [{ name: 'prod', detections: [], riskScore: { halfLifeSeconds: 86_400, topUsers: 20, maxTrackedUsers: 1000 } }],
      processMetrics: false,
      now: () => at,
    });
    const events: (LoginEvent | QueryEvent)[] = [];
    const findings: Finding[] = [];
    const factors: [string, string | null][] = [['PASSWORD', null], ['PASSWORD', 'DUO_PUSH'], ['RSA_KEYPAIR', null]];
    for (let i = 0; i < 5000; i++) {
      const [first, second] = factors[i % factors.length] ?? ['PASSWORD', null];
      events.push(login(`l${i}`, `U${i}`, first, second, i % 2 === 0), query(`q${i}`, `U${i}`, { bytesWrittenToResult: i + 1 }));
      if (i % 2 === 0) findings.push(finding(`f${i}`, `U${i}`, (['critical', 'high', 'medium', 'low'] as const)[i % 4] ?? 'low'));
    }
    await metrics.sink.deliver({ account: 'prod', source: 'x', events, findings }, signal);
    const x = parseExposition(await metrics.metrics());
    assert.equal(usersOf(x, 'snowflake_risk_user_risk_score').length, 20);
    assert.equal(family(x, 'snowflake_risk_user_findings').size, 20 * 5);
    assert.ok(family(x, 'snowflake_risk_user_logins').size <= 20 * 2 * 7 * 8);
    assert.equal(family(x, 'snowflake_risk_user_query_result_bytes').size, 20);
    assert.equal(family(x, 'snowflake_risk_user_unloads').size, 20);
    const tracked = x.samples.get(seriesKey('snowflake_risk_user_activity_tracked_users', { account: 'prod' })) ?? Infinity;
    assert.ok(tracked <= 3 * 1000, `${tracked} users held`);
    assert.ok((x.samples.get(seriesKey('snowflake_risk_user_activity_evictions_total', { account: 'prod' })) ?? 0) > 0);
  });
});
