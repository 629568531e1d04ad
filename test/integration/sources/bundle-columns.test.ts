// Streams and posture snapshots on an account without the behaviour-change bundles that add columns they read: an
// account without bundle 2025_06 has no QUERY_HISTORY.AUTHN_EVENT_ID, one without 2024_06 no USERS.TYPE or HAS_MFA,
// and Snowflake refuses a statement naming a column its view lacks at compile time (000904 invalid identifier). The
// source must run without the column, say which part is unavailable and why, never turn "unknown" into a number, and
// not pay a refused statement every cycle to find out again.
//
// The emulator hides a bundle's columns with its `disabledBundles` option (emulator/engine/catalog.ts); these tests
// need it to know bundles 2025_06 and 2024_06.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import type { EngineOptions } from '../../../emulator/engine/index.ts';
import { MISSING_COLUMN_RECHECK_SECONDS } from '../../../src/collect/optional-columns.ts';
import { SOURCES } from '../../../src/collect/source-ids.ts';
import { AdminsPostureSource, QueryHistorySource, UsersPostureSource } from '../../../src/collect/sources/index.ts';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { summarisePosture } from '../../../src/http/status-board.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';
import { exporterConfigFor, minutesAfter, queryRow, RecordingExporterSink, sampleValue, scrape, tempDirFor } from '../../helpers/exporter-harness.ts';
import { recordingDispatcher } from '../../helpers/recording-dispatcher.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const LONG_AGO = '2026-01-01T00:00:00Z';

/** An emulated account without these bundles (the names are the documented bundle names, e.g. '2025_06'). */
const withoutBundles = (...bundles: string[]): EngineOptions => ({ disabledBundles: bundles as NonNullable<EngineOptions['disabledBundles']> });

const contextFor = (e: KeyPairEmulator, state: InMemoryCollectionState): RecordingSourceContext =>
  new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });

/** U_MFA: person with a password and MFA (admin); U_DUO: password and Duo only (admin); U_SVC: service user with a key. */
async function loadUsers(e: KeyPairEmulator): Promise<void> {
  const user = (name: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    NAME: name, CREATED_ON: LONG_AGO, DELETED_ON: null, TYPE: 'PERSON', HAS_PASSWORD: true, HAS_MFA: false, EXT_AUTHN_DUO: false,
    HAS_RSA_PUBLIC_KEY: false, DISABLED: false, BYPASS_MFA_UNTIL: null, LAST_SUCCESS_LOGIN: minutesAfter(T0, -60).toISOString(), ...extra,
  });
  await e.engine.insertRows('USERS', [
    user('U_MFA', { HAS_MFA: true }),
    user('U_DUO', { EXT_AUTHN_DUO: true }),
    user('U_SVC', { TYPE: 'SERVICE', HAS_PASSWORD: false, HAS_RSA_PUBLIC_KEY: true }),
  ]);
  const grant = (role: string, grantee: string): Record<string, unknown> => ({
    CREATED_ON: LONG_AGO, DELETED_ON: null, ROLE: role, GRANTED_TO: 'USER', GRANTEE_NAME: grantee, GRANTED_BY: 'SECURITYADMIN',
  });
  await e.engine.insertRows('GRANTS_TO_USERS', [grant('ACCOUNTADMIN', 'U_MFA'), grant('SYSADMIN', 'U_DUO')]);
}

describe('QUERY_HISTORY stream without AUTHN_EVENT_ID (behaviour change bundle 2025_06 not enabled)', () => {
  const fromQueryHistory = (statements: readonly { statement: string }[]): string[] =>
    statements.map((body) => body.statement).filter((statement) => statement.includes('FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY'));

  it('delivers the queries without a login id, reports the part, and re-checks only every few hours', async (t) => {
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: T0, dispatcher, engineOptions: withoutBundles('2025_06') });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120), { AUTHN_EVENT_ID: 9001 })]);
    const source = new QueryHistorySource();
    const state = new InMemoryCollectionState();

    const first = await source.run(contextFor(e, state));
    assert.deepEqual(state.eventsOf('query').map((event) => [event.queryId, event.authnEventId]), [['q1', null]]);
    assert.deepEqual(first.parts?.map((part) => [part.part, part.available]), [['authn_event_id', false]]);
    assert.equal(
      first.parts?.[0]?.reason,
      'QUERY_HISTORY.AUTHN_EVENT_ID does not exist on this account (Snowflake 000904 invalid identifier; the column comes with behaviour change bundle 2025_06)',
    );
    // Refused at compile time with the column, then run without it.
    const cycle1 = fromQueryHistory(sent);
    assert.equal(cycle1.length, 2);
    assert.match(cycle1[0]!, /END_TIME, AUTHN_EVENT_ID,/);
    assert.match(cycle1[1]!, /NULL::NUMBER AS AUTHN_EVENT_ID/);
    assert.ok(state.watermarks.has('query_history'), 'the window was committed');

    // Remembered: the next cycle sends one statement, without the column.
    e.advance(SOURCES.query_history.defaultIntervalSeconds);
    const second = await source.run(contextFor(e, state));
    assert.equal(second.parts?.[0]?.available, false);
    assert.deepEqual(fromQueryHistory(sent).slice(2).map((statement) => /NULL::NUMBER AS AUTHN_EVENT_ID/.test(statement)), [true]);

    // After the re-check period the full statement is tried again (still refused here).
    e.advance(MISSING_COLUMN_RECHECK_SECONDS);
    await source.run(contextFor(e, state));
    assert.equal(fromQueryHistory(sent).slice(3).length, 2);
  });

  it('with the bundle, the same rows carry the login id and the part is available', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120), { AUTHN_EVENT_ID: 9001 })]);
    const state = new InMemoryCollectionState();
    const result = await new QueryHistorySource().run(contextFor(e, state));
    assert.deepEqual(state.eventsOf('query').map((event) => [event.queryId, event.authnEventId]), [['q1', '9001']]);
    assert.deepEqual(result.parts, [{ part: 'authn_event_id', available: true }]);
  });

  it('the operator sees it: the source runs, snowflake_risk_source_part_unavailable is 1, the landing page says why', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, engineOptions: withoutBundles('2025_06') });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120), { AUTHN_EVENT_ID: 9001 })]);
    const config = exporterConfigFor(e.account, join(tempDirFor(t), 'state.db'));
    const sink = new RecordingExporterSink();
    const exporter = await startExporter(config, { sinks: [sink], schedule: false, log: () => undefined });
    t.after(() => exporter.close());
    const cycle = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(cycle.ran);
    assert.equal(cycle.report.sources.find((source) => source.source === 'query_history')?.status, 'ok');
    assert.deepEqual(sink.accepted.flatMap((batch) => batch.events).filter((event) => event.kind === 'query').map((event) => event.id), ['q1']);
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_source_part_unavailable', { account: e.account.name, source: 'query_history', part: 'authn_event_id' }), 1);
    const page = await (await fetch(new URL('/', exporter.url))).text();
    assert.match(page, /query_history<\/code>[\s\S]*?partial<\/span>: <code>authn_event_id<\/code> unavailable: QUERY_HISTORY\.AUTHN_EVENT_ID does not exist on this account/);
  });
});

describe('USERS posture without TYPE and HAS_MFA (behaviour change bundle 2024_06 not enabled)', () => {
  it('users: counts every user as unset, MFA unknown (never "without MFA"), and says so in the metrics and on the page', async (t) => {
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: T0, dispatcher, engineOptions: withoutBundles('2024_06') });
    await loadUsers(e);
    const state = new InMemoryCollectionState();
    const source = new UsersPostureSource();
    const result = await source.run(contextFor(e, state));
    const users = state.posture('users');
    assert.deepEqual(users?.counts, [
      { userType: 'UNSET', hasPassword: false, hasMfa: null, hasRsaPublicKey: true, users: 1 },
      { userType: 'UNSET', hasPassword: true, hasMfa: null, hasRsaPublicKey: false, users: 2 },
    ]);
    assert.deepEqual(result.parts?.map((part) => [part.part, part.available]), [['user_type', false], ['user_mfa', false]]);
    assert.match(result.parts?.[0]?.reason ?? '', /^USERS\.TYPE does not exist on this account \(Snowflake 000904 .*bundle 2024_06\)$/);
    assert.match(result.parts?.[1]?.reason ?? '', /^USERS\.HAS_MFA does not exist on this account \(Snowflake 000904 .*bundle 2024_06\)$/);

    // Prometheus: MFA state "unknown", and no users-without-MFA series at all (not 0, not 2).
    const metrics = createExporterMetrics({ accounts: [e.account.name], processMetrics: false });
    const snapshot = state.postures.get('users');
    assert.ok(snapshot);
    metrics.publishPosture(snapshot);
    metrics.sourceSucceeded({ account: e.account.name, source: 'users', startedAt: T0, durationSeconds: 1, rows: 2, delivered: 0, parts: result.parts });
    const text = await metrics.registry.metrics();
    assert.match(text, /^snowflake_risk_users\{account="emulated",user_type="unset",has_password="true",has_mfa="unknown",has_rsa_public_key="false"\} 2$/m);
    assert.doesNotMatch(text, /^snowflake_risk_users_without_mfa\{/m);
    assert.match(text, /^snowflake_risk_source_part_unavailable\{account="emulated",source="users",part="user_mfa"\} 1$/m);
    // The landing page's headline: unknown, not a count.
    assert.equal(summarisePosture(snapshot.data).find((fact) => fact.name === 'password users without MFA')?.value, null);

    // Remembered: the next snapshot sends one statement, without either column.
    const before = sent.length;
    e.advance(SOURCES.users.defaultIntervalSeconds);
    await source.run(contextFor(e, state));
    const again = sent.slice(before).map((body) => body.statement);
    assert.equal(again.length, 1);
    assert.doesNotMatch(again[0]!, /\bTYPE\b|HAS_MFA,|COALESCE\(HAS_MFA/);
  });

  it('admins: holders per role are known, holders without MFA unknown, and the list is not sent', async (t) => {
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: T0, dispatcher, engineOptions: withoutBundles('2024_06') });
    await loadUsers(e);
    const source = new AdminsPostureSource();
    const state = new InMemoryCollectionState();
    const result = await source.run(contextFor(e, state));
    assert.deepEqual(state.posture('admins'), {
      kind: 'admins',
      roles: [
        { role: 'ACCOUNTADMIN', users: 1, usersWithoutMfa: null },
        { role: 'ORGADMIN', users: 0, usersWithoutMfa: null },
        { role: 'SECURITYADMIN', users: 0, usersWithoutMfa: null },
        { role: 'SYSADMIN', users: 1, usersWithoutMfa: null },
      ],
      adminsWithoutMfa: null,
    });
    assert.deepEqual(result.parts?.map((part) => [part.part, part.available]), [['admins_without_mfa', false], ['user_mfa', false]]);
    assert.match(result.parts?.[0]?.reason ?? '', /^the list of admin users without MFA needs USERS\.HAS_MFA: USERS\.HAS_MFA does not exist on this account/);

    const metrics = createExporterMetrics({ accounts: [e.account.name], processMetrics: false });
    const snapshot = state.postures.get('admins');
    assert.ok(snapshot);
    metrics.publishPosture(snapshot);
    const text = await metrics.registry.metrics();
    assert.match(text, /^snowflake_risk_admin_users\{account="emulated",role="SYSADMIN"\} 1$/m);
    assert.doesNotMatch(text, /^snowflake_risk_admin_users_without_mfa\{/m);
    assert.deepEqual(summarisePosture(snapshot.data).map((fact) => fact.value), [null, null, null, null, null]);

    // Next snapshot: only the counts, without HAS_MFA; the list is not sent at all.
    const before = sent.length;
    e.advance(SOURCES.admins.defaultIntervalSeconds);
    await source.run(contextFor(e, state));
    const again = sent.slice(before).map((body) => body.statement);
    assert.equal(again.length, 1);
    assert.match(again[0]!, /NULL::NUMBER AS USERS_WITHOUT_MFA/);
  });

  it('with the bundle, both parts are available and MFA is read', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    await loadUsers(e);
    const state = new InMemoryCollectionState();
    const users = await new UsersPostureSource().run(contextFor(e, state));
    assert.deepEqual(users.parts, [{ part: 'user_type', available: true }, { part: 'user_mfa', available: true }]);
    assert.deepEqual(state.posture('users')?.counts.map((count) => [count.userType, count.hasMfa, count.users]), [
      ['PERSON', true, 2],
      ['SERVICE', false, 1],
    ]);
    const admins = await new AdminsPostureSource().run(contextFor(e, state));
    assert.deepEqual(admins.parts, [{ part: 'admins_without_mfa', available: true }, { part: 'user_mfa', available: true }]);
  });
});
