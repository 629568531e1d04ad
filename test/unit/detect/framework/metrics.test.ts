// The detection metrics, fed through the real metrics sink and observer methods of createExporterMetrics: signal
// counters from events (fixed label sets, 'other' and 'none'), detection availability / last run / errors, and the
// top-N risk score recomputed at scrape time.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { Finding, LoginEvent, QueryEvent, ShareEvent } from '../../../../src/collect/events.ts';
import { createExporterMetrics, unloadDestination } from '../../../../src/export/metrics/index.ts';
import { family, parseExposition, seriesKey } from '../../metrics/exposition.ts';

const at = new Date('2026-11-26T06:00:00Z');
const signal = new AbortController().signal;

function query(id: string, extra: Partial<QueryEvent>): QueryEvent {
  return {
    kind: 'query', account: 'prod', id, time: at, observedAt: at, queryId: id, user: 'ALICE', role: null, warehouse: null,
    database: null, schema: null, queryType: 'SELECT', executionStatus: 'SUCCESS', errorCode: null, queryText: null,
    queryTag: null, sessionId: null, authnEventId: null, startTime: at, endTime: at, bytesScanned: 0,
    bytesWrittenToResult: 0, rowsProduced: 0, rowsUnloaded: 0, outboundDataTransferBytes: 0,
    outboundDataTransferCloud: null, outboundDataTransferRegion: null, ...extra,
  };
}

function login(id: string, first: string | null, second: string | null, success: boolean): LoginEvent {
  return {
    kind: 'login', account: 'prod', id, time: at, observedAt: at, eventId: id, user: 'ALICE', clientIp: '10.0.0.1',
    reportedClientType: null, reportedClientVersion: null, firstAuthenticationFactor: first, secondAuthenticationFactor: second,
    success, errorCode: null, errorMessage: null,
  };
}

function share(id: string, action: ShareEvent['action'], succeeded: boolean): ShareEvent {
  return {
    kind: 'share', account: 'prod', id, time: at, observedAt: at, action, shareName: 'S', consumerAccounts: [], privilege: null,
    grantedOn: null, objectName: null, user: 'ALICE', origin: 'QUERY_HISTORY', succeeded, queryId: id,
  };
}

function finding(id: string, user: string, severity: Finding['severity']): Finding {
  return { account: 'prod', id, detectionId: 'exfil.stage_chain', severity, user, time: at, observedAt: at, evidenceIds: [id], reason: 'r', attributes: {} };
}

describe('detection metrics', () => {
  it('unload destinations come from the COPY INTO target', () => {
    assert.equal(unloadDestination({ queryText: 'copy into @~/x from t' }), 'stage');
    assert.equal(unloadDestination({ queryText: "COPY INTO '@stage/x' FROM t" }), 'stage');
    assert.equal(unloadDestination({ queryText: "COPY INTO 's3://b/x' FROM t" }), 'external');
    assert.equal(unloadDestination({ queryText: 'COPY INTO ? FROM t' }), 'external');
    assert.equal(unloadDestination({ queryText: null }), 'unknown');
  });

  it('counts share, login and exfiltration signals once, with bounded labels', async () => {
    const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
    const events = [
      query('q1', { queryType: 'UNLOAD', queryText: 'COPY INTO @s FROM t', bytesWrittenToResult: 100 }),
      query('q2', { queryType: 'UNLOAD', queryText: "COPY INTO 'azure://x' FROM t" }),
      query('q3', { queryType: 'UNLOAD', queryText: 'COPY INTO @s FROM t', executionStatus: 'FAIL' }),
      query('q4', { queryType: 'GET_FILES', bytesWrittenToResult: 50 }),
      login('l1', 'PASSWORD', null, true),
      login('l2', 'PASSWORD', 'DUO_PUSH', true),
      login('l3', 'SOMETHING_NEW', 'FIDO_THING', false),
      share('s1', 'created', false),
      share('s2', 'created', true),
    ];
    await metrics.sink.deliver({ account: 'prod', source: 'x', events, findings: [] }, signal);
    await metrics.sink.deliver({ account: 'prod', source: 'x', events, findings: [] }, signal); // repeats: not counted
    const x = parseExposition(await metrics.metrics());
    const value = (name: string, labels: Record<string, string>) => x.samples.get(seriesKey(name, { account: 'prod', ...labels }));
    assert.equal(value('snowflake_risk_stage_unloads_total', {}), 1);
    assert.equal(value('snowflake_risk_external_unloads_total', {}), 1);
    assert.equal(value('snowflake_risk_stage_gets_total', {}), 1);
    assert.equal(value('snowflake_risk_query_result_bytes_total', {}), 150);
    assert.equal(value('snowflake_risk_logins_total', { outcome: 'success', first_factor: 'password', second_factor: 'none' }), 1);
    assert.equal(value('snowflake_risk_logins_total', { outcome: 'success', first_factor: 'password', second_factor: 'duo_push' }), 1);
    assert.equal(value('snowflake_risk_logins_total', { outcome: 'failure', first_factor: 'other', second_factor: 'other' }), 1);
    assert.equal(value('snowflake_risk_share_events_total', { action: 'created', outcome: 'failure' }), 1);
    assert.equal(value('snowflake_risk_share_events_total', { action: 'created', outcome: 'success' }), 1);
    assert.equal(x.type.get('snowflake_risk_logins_total'), 'counter');
  });

  it('exposes only the top N users, recomputed at each scrape, and the account score over all findings', async () => {
    const metrics = createExporterMetrics({
      accounts: [{ name: 'prod', detections: [], riskScore: { halfLifeSeconds: 86_400, topUsers: 2, maxTrackedUsers: 10 } }],
      processMetrics: false,
      now: () => at,
    });
    const findings = [finding('f1', 'A', 'low'), finding('f2', 'B', 'critical'), finding('f3', 'C', 'high'), finding('f4', 'B', 'medium')];
    await metrics.sink.deliver({ account: 'prod', source: 'x', events: [], findings }, signal);
    const x = parseExposition(await metrics.metrics());
    assert.deepEqual(
      family(x, 'snowflake_risk_user_risk_score'),
      new Map([
        [seriesKey('snowflake_risk_user_risk_score', { account: 'prod', user: 'B' }), 45],
        [seriesKey('snowflake_risk_user_risk_score', { account: 'prod', user: 'C' }), 15],
      ]),
    );
    assert.equal(x.samples.get(seriesKey('snowflake_risk_account_risk_score', { account: 'prod' })), 61);
    assert.equal(x.samples.get(seriesKey('snowflake_risk_risk_score_tracked_users', { account: 'prod' })), 3);
  });

  it('reports a detection unavailable, its last run and its errors from the collection reports', async () => {
    const metrics = createExporterMetrics({ accounts: [{ name: 'prod', detections: ['exfil.stage_chain', 'custom.mine'] }], processMetrics: false });
    metrics.sourceSkipped('prod', 'exfil.stage_chain', 'unavailable');
    metrics.sourceSucceeded({ account: 'prod', source: 'custom.mine', startedAt: at, durationSeconds: 2, rows: 0, delivered: 0 });
    metrics.sourceFailed('prod', 'custom.mine', 'query', at);
    metrics.sourceSkipped('prod', 'query_history', 'unavailable'); // a plain source: no detection series
    const x = parseExposition(await metrics.metrics());
    const key = (name: string, detection: string) => seriesKey(name, { account: 'prod', detection });
    assert.equal(x.samples.get(key('snowflake_risk_detection_unavailable', 'exfil.stage_chain')), 1);
    assert.equal(x.samples.get(key('snowflake_risk_detection_unavailable', 'custom.mine')), 0);
    assert.equal(x.samples.get(key('snowflake_risk_detection_last_run_timestamp_seconds', 'custom.mine')), at.getTime() / 1000 + 2);
    assert.equal(x.samples.get(key('snowflake_risk_detection_errors_total', 'custom.mine')), 1);
    assert.equal(x.samples.get(key('snowflake_risk_detection_unavailable', 'query_history')), undefined);
  });
});
