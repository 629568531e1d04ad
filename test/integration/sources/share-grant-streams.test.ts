// Share and grant change streams against the emulator (documented latencies on: SHARES and GRANTS_TO_SHARES 3 h,
// GRANTS_TO_* 2 h, QUERY_HISTORY 45 min).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShareEvent } from '../../../src/collect/events.ts';
import { classifyShareStatement, GrantsSource, SharesSource, SHARE_STATEMENTS_SQL } from '../../../src/collect/sources/index.ts';
import { EXPORTER_QUERY_TAG } from '../../../src/snowflake/account-client.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';

const START = new Date('2026-11-20T12:00:00Z');
const MIN = 60_000;
const HOUR = 60 * MIN;
const DAY = 24 * HOUR;

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

function contextFor(e: KeyPairEmulator, state: InMemoryCollectionState): RecordingSourceContext {
  return new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
}

let queryCounter = 0;
function statement(text: string, offsetMs: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  queryCounter++;
  return {
    QUERY_ID: `q-${queryCounter}`,
    QUERY_TEXT: text,
    QUERY_TYPE: 'CREATE',
    USER_NAME: 'AMOREAU',
    ROLE_NAME: 'SHARING_ADMIN',
    EXECUTION_STATUS: 'SUCCESS',
    QUERY_TAG: '',
    START_TIME: at(offsetMs - 1000),
    END_TIME: at(offsetMs),
    ...extra,
  };
}

/** action, share, accounts, origin, succeeded: the parts of a share event a person reads. */
function summary(event: ShareEvent): string {
  return [event.origin, event.action, event.shareName ?? '-', event.consumerAccounts.join('+') || '-', event.objectName ?? '-', event.succeeded ? 'ok' : 'FAILED', event.user ?? '-'].join(' ');
}

describe('shares stream: query-text fallback', () => {
  it('finds share DDL written any way, keeps failures apart, and ignores look-alikes', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    queryCounter = 0;
    await e.engine.insertRows('QUERY_HISTORY', [
      statement('CREATE SHARE PARTNER_FEED', -3 * HOUR, { EXECUTION_STATUS: 'FAIL', ERROR_CODE: 3001, ROLE_NAME: 'PUBLIC' }),
      statement("-- Quarterly partner feed (ticket DATA-4711)\n/* reviewed */\nCREATE SHARE\n  partner_feed\n  COMMENT = 'to share with ACME'", -2.9 * HOUR),
      statement('GRANT SELECT ON TABLE SALES.PUBLIC.CUSTOMERS\n  TO SHARE PARTNER_FEED', -2.8 * HOUR, { QUERY_TYPE: 'GRANT' }),
      statement('/* go-live */\nALTER SHARE PARTNER_FEED\n  ADD ACCOUNTS = ACMEPARTNER.ANALYTICS_PROD, ACMEPARTNER.DEV', -2.7 * HOUR, { QUERY_TYPE: 'ALTER' }),
      statement('alter share partner_feed set accounts = other.acct', -2.6 * HOUR, { QUERY_TYPE: 'ALTER' }),
      statement("CREATE MANAGED ACCOUNT READER_01 ADMIN_NAME = 'a', ADMIN_PASSWORD = 'secret', TYPE = READER", -2.5 * HOUR),
      statement('CREATE OR REPLACE ORGANIZATION LISTING L1 SHARE PARTNER_FEED AS $$ title: x $$', -2.4 * HOUR),
      // Look-alikes: a PUBLIC schema grant to a role, "to share" inside a literal and a comment, and a SELECT.
      statement('GRANT USAGE ON SCHEMA X.PUBLIC TO ROLE Y', -2.3 * HOUR, { QUERY_TYPE: 'GRANT' }),
      statement("SELECT 'grant usage on database d to share s' AS note", -2.2 * HOUR, { QUERY_TYPE: 'SELECT' }),
      statement('SELECT 1 -- later: grant select on t to share s\nFROM DUAL', -2.1 * HOUR, { QUERY_TYPE: 'SELECT' }),
      // The exporter's own statement is never an event, even when its text matches.
      statement('CREATE SHARE EXPORTER_PROBE', -2 * HOUR, { QUERY_TAG: EXPORTER_QUERY_TAG }),
    ]);
    const state = new InMemoryCollectionState();
    await new SharesSource().run(contextFor(e, state));
    assert.deepEqual(state.eventsOf('share').map(summary), [
      'QUERY_HISTORY created PARTNER_FEED - - FAILED AMOREAU',
      'QUERY_HISTORY created PARTNER_FEED - - ok AMOREAU',
      'QUERY_HISTORY object_granted PARTNER_FEED - SALES.PUBLIC.CUSTOMERS ok AMOREAU',
      'QUERY_HISTORY accounts_added PARTNER_FEED ACMEPARTNER.ANALYTICS_PROD+ACMEPARTNER.DEV - ok AMOREAU',
      'QUERY_HISTORY accounts_added PARTNER_FEED OTHER.ACCT - ok AMOREAU',
      'QUERY_HISTORY reader_account_created - - READER_01 ok AMOREAU',
      'QUERY_HISTORY listing_changed - - L1 ok AMOREAU',
    ]);
    const [failed, created] = state.eventsOf('share');
    assert.notEqual(failed?.id, created?.id);
    assert.equal(failed?.queryId, 'q-1');

    // A second run one hour later re-reads the overlap and delivers nothing again.
    e.advance(3600);
    const again = await new SharesSource().run(contextFor(e, state));
    assert.equal(again.delivered, 0);
    assert.equal(state.eventsOf('share').length, 7);
  });

  it('writes the regular expressions correctly: grouped ORs, .* on both sides, flags is', () => {
    const patterns = [...SHARE_STATEMENTS_SQL.matchAll(/REGEXP_LIKE\(QUERY_TEXT, '([^']*)', '([^']*)'\)/g)];
    assert.ok(patterns.length >= 5);
    for (const [, pattern, flags] of patterns) {
      assert.ok(pattern!.startsWith('.*') && pattern!.endsWith('.*'), pattern);
      assert.equal(flags, 'is');
    }
    // Every OR sits inside the parenthesised group that follows AND.
    const where = SHARE_STATEMENTS_SQL.slice(SHARE_STATEMENTS_SQL.indexOf('WHERE'));
    assert.match(where, /AND \(\s+REGEXP_LIKE/);
    assert.equal((where.match(/\bOR\b/g) ?? []).length, patterns.length - 1);
  });

  it('classifies statements without the SQL pre-filter too', () => {
    assert.equal(classifyShareStatement('GRANT USAGE ON SCHEMA X.PUBLIC TO ROLE Y'), null);
    assert.equal(classifyShareStatement('REVOKE SELECT ON TABLE A.B.C FROM SHARE "MixedCase"')?.shareName, 'MixedCase');
    assert.equal(classifyShareStatement('DROP SHARE IF EXISTS s1')?.action, 'dropped');
    assert.deepEqual(classifyShareStatement('ALTER SHARE s REMOVE ACCOUNTS = a.b')?.consumerAccounts, ['A.B']);
    assert.equal(classifyShareStatement("ALTER SHARE s SET COMMENT = 'add accounts = x'"), null);
  });

  it('turns the names written in a statement into the names Snowflake stores (identifier rules; accounts upper case)', () => {
    // Quoted names exactly, unquoted upper case, part by part, spaces inside quotes kept as written.
    assert.equal(classifyShareStatement('CREATE SHARE "Mixed"')?.shareName, 'Mixed');
    assert.equal(classifyShareStatement('CREATE SHARE mixed')?.shareName, 'MIXED');
    assert.equal(classifyShareStatement('CREATE SHARE "Q3  sales"')?.shareName, 'Q3  sales');
    const granted = classifyShareStatement('GRANT SELECT ON TABLE sales.public."Orders EU" TO SHARE "Mixed"');
    assert.deepEqual([granted?.shareName, granted?.grantedOn, granted?.objectName], ['Mixed', 'TABLE', 'SALES.PUBLIC.Orders EU']);
    // Accounts are listed upper case by SHOW SHARES and ACCOUNT_USAGE.SHARES, whether written quoted or not.
    assert.deepEqual(classifyShareStatement('ALTER SHARE "Mixed" ADD ACCOUNTS = "myorg"."Partner", myorg.other')?.consumerAccounts, ['MYORG.PARTNER', 'MYORG.OTHER']);
  });
});

describe('shares stream: SHARES and GRANTS_TO_SHARES', () => {
  it('reports created, consumer accounts added or removed, dropped and object grants; an old share never again', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const share = (name: string, created: number, modified: number, targets: string, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
      NAME: name, CREATED_ON: at(created), MODIFIED_ON: at(modified), DELETED_ON: null, OWNER: 'SHARING_ADMIN', DATABASE_NAME: 'SALES',
      SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: targets, COMMENT: null, LISTING_GLOBAL_NAME: null, ...extra,
    });
    await e.engine.insertRows('SHARES', [
      share('ANCIENT', -300 * DAY, -300 * DAY, 'ORG.OLD_CONSUMER'),
      share('FRESH', -5 * HOUR, -5 * HOUR, 'ORG.A'),
      // Two versions of one share: the second adds ORG.C and removes ORG.B.
      share('VERSIONED', -40 * DAY, -40 * DAY, 'ORG.A, ORG.B'),
      share('VERSIONED', -40 * DAY, -4 * HOUR, 'ORG.A,ORG.C'),
      share('GONE', -100 * DAY, -3.5 * HOUR, 'ORG.Z', { DELETED_ON: at(-3.5 * HOUR) }),
      share('NOT_YET_VISIBLE', -1 * HOUR, -1 * HOUR, 'ORG.Q'),
    ]);
    await e.engine.insertRows('GRANTS_TO_SHARES', [
      { CREATED_ON: at(-4 * HOUR), MODIFIED_ON: at(-4 * HOUR), PRIVILEGE: 'SELECT', GRANTED_ON: 'TABLE', OBJECT_NAME: 'CUSTOMERS', OBJECT_DATABASE: 'SALES', OBJECT_SCHEMA: 'PUBLIC', SHARE_NAME: 'FRESH', GRANTED_BY: 'SHARING_ADMIN' },
      { CREATED_ON: at(-200 * DAY), MODIFIED_ON: at(-200 * DAY), PRIVILEGE: 'USAGE', GRANTED_ON: 'DATABASE', OBJECT_NAME: 'SALES', OBJECT_DATABASE: 'SALES', OBJECT_SCHEMA: null, SHARE_NAME: 'ANCIENT', GRANTED_BY: 'SHARING_ADMIN' },
    ]);
    const state = new InMemoryCollectionState();
    const source = new SharesSource({ queryText: false });
    await source.run(contextFor(e, state));
    assert.deepEqual(state.eventsOf('share').map(summary).sort(), [
      'GRANTS_TO_SHARES object_granted FRESH - SALES.PUBLIC.CUSTOMERS ok -',
      'SHARES accounts_added FRESH ORG.A - ok -',
      'SHARES accounts_added VERSIONED ORG.C - ok -',
      'SHARES accounts_removed VERSIONED ORG.B - ok -',
      'SHARES created FRESH ORG.A - ok -',
      'SHARES dropped GONE ORG.Z - ok -',
    ]);

    // Three hours later the share that was still being ingested shows; nothing else is delivered again, and the
    // share created 300 days ago is still not reported.
    e.advance(3 * 3600);
    const second = await source.run(contextFor(e, state));
    assert.equal(second.delivered, 2);
    const names = state.eventsOf('share').map((event) => event.shareName);
    assert.equal(names.filter((name) => name === 'NOT_YET_VISIBLE').length, 2);
    assert.ok(!names.includes('ANCIENT'));
    assert.equal(new Set(state.events.map((event) => event.id)).size, state.events.length);
  });
});

describe('grants stream', () => {
  it('reports roles and privileges granted and revoked inside the window, once', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('GRANTS_TO_USERS', [
      { CREATED_ON: at(-2.2 * HOUR), DELETED_ON: null, ROLE: 'ACCOUNTADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'SITO', GRANTED_BY: 'SECURITYADMIN' },
      { CREATED_ON: at(-90 * DAY), DELETED_ON: null, ROLE: 'ANALYST', GRANTED_TO: 'USER', GRANTEE_NAME: 'ALICE', GRANTED_BY: 'USERADMIN' },
      { CREATED_ON: at(-60 * DAY), DELETED_ON: at(-5 * HOUR), ROLE: 'SYSADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'BOB', GRANTED_BY: 'SECURITYADMIN' },
    ]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [
      { CREATED_ON: at(-4 * HOUR), MODIFIED_ON: at(-4 * HOUR), PRIVILEGE: 'USAGE', GRANTED_ON: 'ROLE', NAME: 'SECURITYADMIN', TABLE_CATALOG: null, TABLE_SCHEMA: null, GRANTED_TO: 'ROLE', GRANTEE_NAME: 'ETL_ROLE', GRANT_OPTION: false, GRANTED_BY: 'ACCOUNTADMIN', DELETED_ON: null },
      { CREATED_ON: at(-4 * HOUR), MODIFIED_ON: at(-4 * HOUR), PRIVILEGE: 'SELECT', GRANTED_ON: 'TABLE', NAME: 'CUSTOMERS', TABLE_CATALOG: 'SALES', TABLE_SCHEMA: 'PUBLIC', GRANTED_TO: 'ROLE', GRANTEE_NAME: 'PUBLIC', GRANT_OPTION: false, GRANTED_BY: 'SYSADMIN', DELETED_ON: null },
    ]);
    const state = new InMemoryCollectionState();
    const source = new GrantsSource();
    await source.run(contextFor(e, state));
    const lines = state.eventsOf('grant').map((g) => `${g.origin} ${g.action} ${g.granteeType}:${g.granteeName} ${g.privilege ?? '-'} ${g.grantedOn ?? '-'} ${g.objectName ?? '-'} role=${g.role ?? '-'}`).sort();
    assert.deepEqual(lines, [
      'GRANTS_TO_ROLES granted ROLE:ETL_ROLE USAGE ROLE SECURITYADMIN role=SECURITYADMIN',
      'GRANTS_TO_ROLES granted ROLE:PUBLIC SELECT TABLE SALES.PUBLIC.CUSTOMERS role=-',
      'GRANTS_TO_USERS granted USER:SITO USAGE ROLE ACCOUNTADMIN role=ACCOUNTADMIN',
      'GRANTS_TO_USERS revoked USER:BOB USAGE ROLE SYSADMIN role=SYSADMIN',
    ]);
    assert.equal(state.eventsOf('grant').find((g) => g.action === 'revoked')?.time.toISOString(), at(-5 * HOUR));

    // One hour later the window starts at 12:00 - (2 h + 15 min): the ACCOUNTADMIN grant is read again, not delivered.
    e.advance(3600);
    const again = await source.run(contextFor(e, state));
    assert.equal(again.rows, 1);
    assert.equal(again.delivered, 0);
  });
});
