// What each kind of event and a finding becomes as a log record (before the SDK): event name, times, severity,
// attributes from the semantic conventions or `snowflake.*`, the stable record id, and the bounds on values.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SeverityNumber } from '@opentelemetry/api';
import type { GrantEvent, QueryEvent, ShareEvent } from '../../../src/collect/events.ts';
import { ATTR_RECORD_ID, draftForEvent, draftForFinding, recordId } from '../../../src/export/otlp/index.ts';
import { MAX_ATTRIBUTE_TEXT, MAX_FINDING_FACTS } from '../../../src/export/otlp/log-record-drafts.ts';
import { finding, loginEvent } from '../../helpers/state-test-sinks.ts';

const time = new Date('2026-03-01T10:00:00Z');
const observedAt = new Date('2026-03-01T11:00:00Z');

function queryEvent(extra: Partial<QueryEvent> = {}): QueryEvent {
  return {
    kind: 'query',
    account: 'prod',
    id: '01b2-q',
    time,
    observedAt,
    queryId: '01b2-q',
    user: 'ALICE',
    role: 'ANALYST',
    warehouse: 'BI_WH',
    database: 'SALES',
    schema: 'PUBLIC',
    queryType: 'SELECT',
    executionStatus: 'SUCCESS',
    errorCode: null,
    queryText: 'SELECT * FROM T WHERE ID = ?',
    queryTag: '',
    sessionId: '77',
    authnEventId: '9001',
    startTime: time,
    endTime: new Date(time.getTime() + 1500),
    bytesScanned: 1000,
    bytesWrittenToResult: 2048,
    rowsProduced: 3,
    rowsUnloaded: 0,
    outboundDataTransferBytes: 0,
    outboundDataTransferCloud: null,
    outboundDataTransferRegion: null,
    ...extra,
  };
}

describe('log record drafts', () => {
  it('a query: db.* conventions, snowflake.* figures, the policy-applied text only', () => {
    const draft = draftForEvent(queryEvent());
    assert.equal(draft.eventName, 'snowflake.query');
    assert.equal(draft.timestamp, time);
    assert.equal(draft.observedTimestamp, observedAt);
    assert.equal(draft.severityNumber, SeverityNumber.INFO);
    assert.deepEqual(draft.attributes, {
      [ATTR_RECORD_ID]: recordId('prod', 'query', '01b2-q'),
      'db.system.name': 'snowflake',
      'snowflake.query.id': '01b2-q',
      'db.query.text': 'SELECT * FROM T WHERE ID = ?',
      'db.operation.name': 'SELECT',
      'db.namespace': 'SALES|PUBLIC',
      'user.name': 'ALICE',
      'snowflake.role.name': 'ANALYST',
      'snowflake.warehouse.name': 'BI_WH',
      'snowflake.query.execution_status': 'SUCCESS',
      'snowflake.session.id': '77',
      'snowflake.session.login_event_id': '9001',
      'snowflake.query.start_time': '2026-03-01T10:00:00.000Z',
      'snowflake.query.end_time': '2026-03-01T10:00:01.500Z',
      'snowflake.query.duration_ms': 1500,
      'snowflake.query.bytes_scanned': 1000,
      'snowflake.query.bytes_written_to_result': 2048,
      'snowflake.query.rows_produced': 3,
      'snowflake.query.rows_unloaded': 0,
      'snowflake.query.outbound_transfer.bytes': 0,
    });
  });

  it('a failed query carries error.type and WARN; a dropped text leaves no attribute', () => {
    const draft = draftForEvent(queryEvent({ executionStatus: 'FAIL', errorCode: '002003', queryText: null, schema: null }));
    assert.equal(draft.severityNumber, SeverityNumber.WARN);
    assert.equal(draft.attributes['error.type'], '002003');
    assert.equal(draft.attributes['db.response.status_code'], '002003');
    assert.equal(draft.attributes['db.namespace'], 'SALES');
    assert.ok(!('db.query.text' in draft.attributes));
  });

  it('a login: client.address and user.name; a failure is WARN with error.type', () => {
    const ok = draftForEvent(loginEvent('42', 'prod'));
    assert.equal(ok.eventName, 'snowflake.login');
    assert.equal(ok.attributes['client.address'], '192.0.2.1');
    assert.equal(ok.attributes['user.name'], 'ALICE');
    assert.equal(ok.attributes['snowflake.login.event_id'], '42');
    assert.equal(ok.attributes['snowflake.login.success'], true);
    assert.equal(ok.attributes['snowflake.login.first_authentication_factor'], 'PASSWORD');
    assert.ok(!('error.type' in ok.attributes));
    const failed = draftForEvent({ ...loginEvent('43', 'prod'), success: false, errorCode: '390100', errorMessage: 'INCORRECT_USERNAME_PASSWORD' });
    assert.equal(failed.severityNumber, SeverityNumber.WARN);
    assert.equal(failed.attributes['error.type'], '390100');
    assert.equal(failed.attributes['snowflake.login.error_message'], 'INCORRECT_USERNAME_PASSWORD');
  });

  it('a share change and a grant', () => {
    const share: ShareEvent = {
      kind: 'share', account: 'prod', id: 's-1', time, observedAt, action: 'accounts_added', shareName: 'SALES_SHARE',
      consumerAccounts: ['ORG2.ACME'], privilege: null, grantedOn: null, objectName: null, user: 'BOB', origin: 'QUERY_HISTORY',
      succeeded: true, queryId: '01c-q',
    };
    const s = draftForEvent(share);
    assert.equal(s.eventName, 'snowflake.share');
    assert.deepEqual(s.attributes['snowflake.share.consumer_accounts'], ['ORG2.ACME']);
    assert.equal(s.attributes['snowflake.share.name'], 'SALES_SHARE');
    assert.equal(s.attributes['snowflake.share.action'], 'accounts_added');
    assert.equal(s.attributes['snowflake.query.id'], '01c-q');
    const grant: GrantEvent = {
      kind: 'grant', account: 'prod', id: 'g-1', time, observedAt, action: 'granted', granteeType: 'USER', granteeName: 'MALLORY',
      role: 'ACCOUNTADMIN', privilege: null, grantedOn: 'ROLE', objectName: null, grantedBy: 'SECURITYADMIN', origin: 'GRANTS_TO_USERS',
    };
    const g = draftForEvent(grant);
    assert.equal(g.eventName, 'snowflake.grant');
    assert.equal(g.attributes['user.name'], 'MALLORY');
    assert.equal(g.attributes['snowflake.role.name'], 'ACCOUNTADMIN');
    assert.equal(g.attributes['snowflake.grant.granted_by'], 'SECURITYADMIN');
  });

  it('a finding: severity mapped, its own word as severity text, the reason as body, bounded facts', () => {
    const facts = Object.fromEntries(Array.from({ length: MAX_FINDING_FACTS + 5 }, (_, i) => [`fact${i}`, i]));
    const draft = draftForFinding({ ...finding('f-1', 'auth.password_spray', 'prod'), attributes: { clientIp: '192.0.2.1', ...facts } });
    assert.equal(draft.eventName, 'snowflake.finding');
    assert.equal(draft.severityNumber, SeverityNumber.ERROR);
    assert.equal(draft.severityText, 'high');
    assert.equal(draft.body, 'Many failed logins from one address');
    assert.equal(draft.attributes['snowflake.detection.id'], 'auth.password_spray');
    assert.deepEqual(draft.attributes['snowflake.evidence.ids'], ['e1']);
    assert.equal(draft.attributes['snowflake.finding.attributes.client_ip'], '192.0.2.1');
    assert.equal(Object.keys(draft.attributes).filter((key) => key.startsWith('snowflake.finding.attributes.')).length, MAX_FINDING_FACTS);
    for (const [severity, number] of [['info', 9], ['low', 13], ['medium', 15], ['critical', 21]] as const) {
      assert.equal(draftForFinding({ ...finding('f', 'x.y', 'prod'), severity }).severityNumber, number);
    }
  });

  it('record ids: stable for one event, distinct across accounts and kinds; long values are cut', () => {
    assert.equal(draftForEvent(loginEvent('7', 'prod')).recordId, draftForEvent(loginEvent('7', 'prod')).recordId);
    assert.match(recordId('prod', 'login', '7'), /^[0-9a-f]{32}$/);
    assert.notEqual(recordId('prod', 'login', '7'), recordId('staging', 'login', '7'));
    assert.notEqual(recordId('prod', 'login', '7'), recordId('prod', 'query', '7'));
    const long = draftForEvent({ ...loginEvent('8', 'prod'), errorMessage: 'x'.repeat(5000), success: false });
    assert.equal(String(long.attributes['snowflake.login.error_message']).length, MAX_ATTRIBUTE_TEXT + 1);
  });
});
