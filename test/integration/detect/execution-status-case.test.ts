// QUERY_HISTORY.EXECUTION_STATUS in either case: the view's reference page writes its values in lower case while
// public rules compare with upper case, and the stored case is not settled (src/collect/execution-status.ts). Every
// SQL detection that filters on it must find a successful statement stored as 'success' and still skip one stored as
// 'fail'; the share stream and the per-event rules must read it the same way.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SharesSource } from '../../../src/collect/sources/index.ts';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { stageChain } from '../../../src/detect/catalog/exfil/stage-chain.ts';
import { unloadExternalLocation } from '../../../src/detect/catalog/exfil/unload-external-location.ts';
import { privIdentityChange } from '../../../src/detect/catalog/priv/identity-change.ts';
import { privPrivilegedGrant } from '../../../src/detect/catalog/priv/privileged-grant.ts';
import { privSecurityPolicyChanged } from '../../../src/detect/catalog/priv/security-policy-changed.ts';
import { shareUnapprovedConsumer } from '../../../src/detect/catalog/share/unapproved-consumer.ts';
import { runSqlDetection } from '../../../src/detect/run-sql-detection.ts';
import type { FindingDraft, ParameterValues, SqlDetection } from '../../../src/detect/types.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const WINDOW = { from: new Date(NOW.getTime() - 24 * HOUR), to: NOW };
const at = (hoursBefore: number): string => new Date(NOW.getTime() - hoursBefore * HOUR).toISOString();

let sequence = 0;
function query(text: string, type: string, hoursBefore: number, status: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    QUERY_ID: `q-${String(++sequence).padStart(3, '0')}`, QUERY_TEXT: text, QUERY_TYPE: type, USER_NAME: 'MALLORY', ROLE_NAME: 'SECURITYADMIN',
    SESSION_ID: 7, EXECUTION_STATUS: status, QUERY_TAG: '', START_TIME: at(hoursBefore + 0.001), END_TIME: at(hoursBefore), ROWS_UNLOADED: 10, ...extra,
  };
}

async function findings(e: KeyPairEmulator, detection: SqlDetection, parameters: ParameterValues = {}): Promise<FindingDraft[]> {
  const out: FindingDraft[] = [];
  for await (const finding of runSqlDetection({ client: e.client, detection, window: WINDOW, parameters })) out.push(finding);
  return out;
}

describe('EXECUTION_STATUS compared whatever the case Snowflake stores it in', () => {
  it('finds statements stored as "success" and still skips those stored as "fail"', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { QUERY_HISTORY: 0, GRANTS_TO_ROLES: 0, SHARES: 0 } });
    sequence = 0;
    const unload = query("COPY INTO 's3://bucket/out/' FROM t", 'UNLOAD', 5, 'success');
    const chain = [
      query('CREATE TEMP STAGE stg1', 'CREATE', 9, 'success'),
      query('COPY INTO @stg1/out/ FROM t', 'UNLOAD', 8, 'success'),
      query('GET @stg1/out/ file:///tmp/', 'GET_FILES', 7, 'success'),
    ];
    const created = query('CREATE USER backdoor', 'CREATE_USER', 4, 'success');
    const policy = query('DROP NETWORK POLICY corp_only', 'DROP_NETWORK_POLICY', 3, 'success');
    const grant = query('GRANT ROLE ACCOUNTADMIN TO ROLE INTERN', 'GRANT', 2, 'success');
    const exposed = query('ALTER SHARE SALES_S ADD ACCOUNTS = PARTNER.ACME', 'ALTER', 1.5, 'success');
    await e.engine.insertRows('QUERY_HISTORY', [
      unload, ...chain, created, policy, grant, exposed,
      // Failed, in lower case: never a finding.
      query("COPY INTO 'gcs://bucket/out/' FROM t", 'UNLOAD', 5, 'fail'),
      query('CREATE USER failed_one', 'CREATE_USER', 4, 'fail'),
    ]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [{
      CREATED_ON: at(2), MODIFIED_ON: at(2), DELETED_ON: null, PRIVILEGE: 'USAGE', GRANTED_ON: 'ROLE', NAME: 'ACCOUNTADMIN',
      TABLE_CATALOG: null, TABLE_SCHEMA: null, GRANTED_TO: 'ROLE', GRANTEE_NAME: 'INTERN', GRANT_OPTION: false, GRANTED_BY: 'SECURITYADMIN',
    }]);
    await e.engine.insertRows('SHARES', [{
      CREATED_ON: at(20), MODIFIED_ON: at(1.5), DELETED_ON: null, NAME: 'SALES_S', OWNER: 'ACCOUNTADMIN', COMMENT: null,
      DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: 'PARTNER.ACME', LISTING_GLOBAL_NAME: null,
    }]);

    assert.deepEqual((await findings(e, unloadExternalLocation)).map((f) => f.evidenceIds), [[unload.QUERY_ID]]);
    assert.deepEqual((await findings(e, stageChain)).map((f) => f.evidenceIds), [chain.map((row) => String(row.QUERY_ID)).sort()]);
    assert.deepEqual((await findings(e, privIdentityChange)).map((f) => f.evidenceIds), [[created.QUERY_ID]]);
    assert.deepEqual((await findings(e, privSecurityPolicyChanged)).map((f) => f.evidenceIds), [[policy.QUERY_ID]]);
    // The grant row is paired with its successful statement: the actor is known.
    assert.deepEqual((await findings(e, privPrivilegedGrant)).map((f) => [f.evidenceIds, f.attributes?.actor]), [[[grant.QUERY_ID], 'MALLORY']]);
    // The unapproved consumer is attributed to the successful ALTER SHARE.
    assert.deepEqual((await findings(e, shareUnapprovedConsumer)).map((f) => [f.user, f.attributes?.queryId]), [['MALLORY', exposed.QUERY_ID]]);

    // The share stream reads the statement as succeeded.
    const state = new InMemoryCollectionState();
    await new SharesSource({ backfillSeconds: 86_400 }).run(new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state }));
    const fromText = state.eventsOf('share').filter((event) => event.origin === 'QUERY_HISTORY');
    assert.deepEqual(fromText.map((event) => [event.action, event.succeeded]), [['accounts_added', true]]);
  });

  it('no built-in statement compares EXECUTION_STATUS without folding its case', () => {
    const raw = /(?<!UPPER\()\b(?:\w+\.)?EXECUTION_STATUS\s*(?:=|<>|!=|\bIN\b)/i;
    const offending: string[] = [];
    for (const detection of BUILT_IN_DETECTIONS) {
      if (detection.kind !== 'sql') continue;
      const defaults = Object.fromEntries(Object.entries(detection.parameters).map(([name, parameter]) => [name, parameter.default]));
      if (raw.test(detection.statement(WINDOW, defaults).sql)) offending.push(detection.id);
    }
    assert.deepEqual(offending, []);
  });
});
