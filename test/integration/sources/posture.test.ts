// Posture snapshots on a small hand-built account: every number checked against what the data set says.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  AdminsPostureSource,
  OutboundSharesPostureSource,
  ParametersPostureSource,
  TrustCenterPostureSource,
  UsersPostureSource,
} from '../../../src/collect/sources/index.ts';
import { SHOW_SHARES_SQL } from '../../../src/collect/sources/outbound-shares.ts';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import type { SqlApiClient } from '../../../src/snowflake/sqlapi/index.ts';
import { EMULATED_ROLE, EMULATED_WAREHOUSE, keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { recordingDispatcher } from '../../helpers/recording-dispatcher.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';

const START = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const LONG_AGO = '2026-01-01T00:00:00Z';

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

function contextFor(e: KeyPairEmulator, state: InMemoryCollectionState, client: SqlApiClient = e.client): RecordingSourceContext {
  return new RecordingSourceContext({ account: e.account, client, snowflakeNow: e.now(), state });
}

/**
 * The emulator's own client, except that SHOW SHARES is sent as `SHOW SHARES LIKE '<pattern>'`: the real emulator's
 * real, successful answer listing only that share, which is what a role with privileges on that share alone gets.
 * (Only the statement text changes; everything else goes through the real client, HTTP and engine.)
 */
function showSharesOnly(e: KeyPairEmulator, pattern: string): SqlApiClient {
  return new Proxy(e.client, {
    get(target, property) {
      if (property === 'execute') {
        return (statement: string, options?: Parameters<SqlApiClient['execute']>[1]) =>
          target.execute(statement === SHOW_SHARES_SQL ? `SHOW SHARES LIKE '${pattern}'` : statement, options);
      }
      const value: unknown = Reflect.get(target, property, target);
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
}

/**
 * SUPPLIER_FEED  created 30 days ago, consumers changed 20 days ago (two versions in the view)
 * PARTNER_FEED   created ten minutes ago: SHOW SHARES lists it, the view (3 h behind) does not yet
 * EMPTY          created 2 days ago, no consumer
 * OLD_FEED       dropped a day ago
 * REVOKED_FEED   an earlier version not dropped, the latest dropped 5 days ago
 */
async function loadShares(e: KeyPairEmulator): Promise<void> {
  const share = (name: string, created: number, modified: number, extra: Record<string, unknown> = {}): Record<string, unknown> => ({
    NAME: name, CREATED_ON: at(created), MODIFIED_ON: at(modified), DELETED_ON: null, DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true,
    TARGET_ACCOUNTS: '', OWNER: 'ACCOUNTADMIN', ...extra,
  });
  await e.engine.insertRows('SHARES', [
    share('SUPPLIER_FEED', -30 * DAY, -30 * DAY, { TARGET_ACCOUNTS: 'SUPPLIERCO.REPORTING, OLDPARTNER.PROD' }),
    share('SUPPLIER_FEED', -30 * DAY, -20 * DAY, { TARGET_ACCOUNTS: 'SUPPLIERCO.REPORTING' }),
    share('PARTNER_FEED', -600_000, -600_000, { TARGET_ACCOUNTS: 'ACME.PROD, ACME.DEV' }),
    share('EMPTY', -2 * DAY, -2 * DAY, { DATABASE_NAME: 'HR', SECURE_OBJECTS_ONLY: false }),
    share('OLD_FEED', -100 * DAY, -DAY, { DELETED_ON: at(-DAY), TARGET_ACCOUNTS: 'X.Y' }),
    share('REVOKED_FEED', -100 * DAY, -50 * DAY, { TARGET_ACCOUNTS: 'ACME.PROD' }),
    share('REVOKED_FEED', -100 * DAY, -5 * DAY, { DELETED_ON: at(-5 * DAY), TARGET_ACCOUNTS: 'ACME.PROD' }),
  ]);
}

function user(name: string, extra: Record<string, unknown>): Record<string, unknown> {
  return {
    NAME: name, CREATED_ON: LONG_AGO, DELETED_ON: null, TYPE: 'PERSON', HAS_PASSWORD: true, HAS_MFA: false, EXT_AUTHN_DUO: false,
    HAS_RSA_PUBLIC_KEY: false, DISABLED: false, BYPASS_MFA_UNTIL: null, LAST_SUCCESS_LOGIN: at(-1 * DAY), ...extra,
  };
}

/**
 * U_MFA      PERSON, password, MFA, recent login             admin: ACCOUNTADMIN directly (=> SYSADMIN via hierarchy)
 * U_NOMFA    PERSON, password, no MFA, last login 200 d ago  admin: SYSADMIN through ROLE_B -> ROLE_A -> SYSADMIN
 * U_DUO      PERSON, password, Duo only (HAS_MFA NULL), never logged in; admin: SECURITYADMIN directly
 * U_SVC      SERVICE, key pair, DISABLED 'false' (text)     holds ROLE_C, whose ACCOUNTADMIN grant was revoked
 * U_LEGACY   TYPE NULL, password, no MFA, bypass open       SECURITYADMIN grant revoked
 * U_DELETED  deleted                                        ACCOUNTADMIN (ignored)
 * U_DISABLED DISABLED VARIANT 'true'                        ACCOUNTADMIN (ignored)
 */
async function loadAccount(e: KeyPairEmulator): Promise<void> {
  await e.engine.insertRows('USERS', [
    user('U_MFA', { HAS_MFA: true }),
    user('U_NOMFA', { LAST_SUCCESS_LOGIN: at(-200 * DAY) }),
    user('U_DUO', { HAS_MFA: null, EXT_AUTHN_DUO: 'true', LAST_SUCCESS_LOGIN: null }),
    user('U_SVC', { TYPE: 'SERVICE', HAS_PASSWORD: false, HAS_RSA_PUBLIC_KEY: true, DISABLED: 'false' }),
    user('U_LEGACY', { TYPE: null, BYPASS_MFA_UNTIL: at(2 * 3_600_000) }),
    user('U_DELETED', { DELETED_ON: '2026-11-01T00:00:00Z' }),
    user('U_DISABLED', { DISABLED: 'true' }),
  ]);
  const toUser = (role: string, grantee: string, deleted: string | null = null): Record<string, unknown> => ({
    CREATED_ON: LONG_AGO, DELETED_ON: deleted, ROLE: role, GRANTED_TO: 'USER', GRANTEE_NAME: grantee, GRANTED_BY: 'SECURITYADMIN',
  });
  await e.engine.insertRows('GRANTS_TO_USERS', [
    toUser('ACCOUNTADMIN', 'U_MFA'),
    toUser('ROLE_B', 'U_NOMFA'),
    toUser('SECURITYADMIN', 'U_DUO'),
    toUser('ROLE_C', 'U_SVC'),
    toUser('SECURITYADMIN', 'U_LEGACY', '2026-06-01T00:00:00Z'),
    toUser('ACCOUNTADMIN', 'U_DELETED'),
    toUser('ACCOUNTADMIN', 'U_DISABLED'),
  ]);
  const roleToRole = (role: string, grantee: string, deleted: string | null = null): Record<string, unknown> => ({
    CREATED_ON: LONG_AGO, MODIFIED_ON: LONG_AGO, PRIVILEGE: 'USAGE', GRANTED_ON: 'ROLE', NAME: role, GRANTED_TO: 'ROLE', GRANTEE_NAME: grantee,
    GRANT_OPTION: false, GRANTED_BY: 'SECURITYADMIN', DELETED_ON: deleted,
  });
  await e.engine.insertRows('GRANTS_TO_ROLES', [
    roleToRole('SYSADMIN', 'ACCOUNTADMIN'),
    roleToRole('SECURITYADMIN', 'ACCOUNTADMIN'),
    roleToRole('SYSADMIN', 'ROLE_A'),
    roleToRole('ROLE_A', 'ROLE_B'),
    roleToRole('ACCOUNTADMIN', 'ROLE_C', '2026-05-01T00:00:00Z'),
    // A privilege (not a role) granted to a role is not part of the hierarchy.
    { ...roleToRole('SALES', 'ROLE_B'), PRIVILEGE: 'USAGE', GRANTED_ON: 'DATABASE' },
  ]);
}

describe('posture snapshots', () => {
  it('users: counts by type and factors, bypass and stale, enabled users only', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadAccount(e);
    const state = new InMemoryCollectionState();
    await new UsersPostureSource().run(contextFor(e, state));
    const users = state.posture('users');
    assert.ok(users);
    const key = (c: { userType: string; hasPassword: boolean; hasMfa: boolean | null; hasRsaPublicKey: boolean; users: number }): string =>
      `${c.userType} pw=${c.hasPassword} mfa=${c.hasMfa} key=${c.hasRsaPublicKey}: ${c.users}`;
    assert.deepEqual(users.counts.map(key), [
      'PERSON pw=true mfa=false key=false: 1',
      'PERSON pw=true mfa=true key=false: 2',
      'SERVICE pw=false mfa=false key=true: 1',
      'UNSET pw=true mfa=false key=false: 1',
    ]);
    assert.equal(users.mfaBypassActive, 1);
    assert.equal(users.staleEnabledUsers, 2, 'U_NOMFA (200 days) and U_DUO (never)');
    assert.equal(users.staleAfterDays, 90);
    assert.deepEqual(state.postures.get('users')?.takenAt, START);

    const strict = new InMemoryCollectionState();
    await new UsersPostureSource({ staleAfterDays: 300 }).run(contextFor(e, strict));
    assert.equal(strict.posture('users')?.staleEnabledUsers, 1, 'only U_DUO, who never logged in');
  });

  it('admins: direct and two-level hierarchy holders, without MFA listed', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadAccount(e);
    const state = new InMemoryCollectionState();
    await new AdminsPostureSource().run(contextFor(e, state));
    assert.deepEqual(state.posture('admins'), {
      kind: 'admins',
      roles: [
        { role: 'ACCOUNTADMIN', users: 1, usersWithoutMfa: 0 },
        { role: 'ORGADMIN', users: 0, usersWithoutMfa: 0 },
        { role: 'SECURITYADMIN', users: 2, usersWithoutMfa: 0 },
        { role: 'SYSADMIN', users: 2, usersWithoutMfa: 1 },
      ],
      adminsWithoutMfa: [{ user: 'U_NOMFA', roles: ['SYSADMIN'] }],
    });

    const custom = new InMemoryCollectionState();
    // Names as Snowflake stores them (the configuration resolves what a person wrote): never folded again here.
    await new AdminsPostureSource({ adminRoles: ['ROLE_A', 'SYSADMIN', 'sysadmin'], listLimit: 1 }).run(contextFor(e, custom));
    assert.deepEqual(custom.posture('admins')?.roles, [
      { role: 'ROLE_A', users: 1, usersWithoutMfa: 1 },
      { role: 'SYSADMIN', users: 2, usersWithoutMfa: 1 },
      { role: 'sysadmin', users: 0, usersWithoutMfa: 0 },
    ]);
    assert.deepEqual(custom.posture('admins')?.adminsWithoutMfa, [{ user: 'U_NOMFA', roles: ['ROLE_A', 'SYSADMIN'] }]);
  });

  it('admins: the list cap is written into the statement as a literal, never a bind marker in LIMIT', async (t) => {
    // Snowflake refuses a bind marker as LIMIT's row count in several drivers' reports ("Invalid row count '?' in
    // limit clause"): what matters is the text the source sends, recorded off the wire here.
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: START, dispatcher });
    await loadAccount(e);
    await new AdminsPostureSource().run(contextFor(e, new InMemoryCollectionState()));
    await new AdminsPostureSource({ listLimit: 1 }).run(contextFor(e, new InMemoryCollectionState()));
    const lists = sent.filter((body) => body.statement.includes('WHERE NOT ANY_MFA'));
    assert.equal(lists.length, 2);
    assert.match(lists[0]!.statement, /\nLIMIT 50$/);
    assert.match(lists[1]!.statement, /\nLIMIT 1$/);
    for (const body of sent) {
      assert.doesNotMatch(body.statement, /LIMIT\s+[:?]/);
      assert.equal(body.bindings?.limit, undefined);
    }
  });

  it('admins: when the list statement fails, the counts are still published and the list is unknown, with why', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadAccount(e);
    e.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', statementPattern: 'WHERE NOT ANY_MFA', action: { kind: 'status', status: 408 } }] });
    const state = new InMemoryCollectionState();
    const result = await new AdminsPostureSource().run(contextFor(e, state));
    assert.deepEqual(state.posture('admins'), {
      kind: 'admins',
      roles: [
        { role: 'ACCOUNTADMIN', users: 1, usersWithoutMfa: 0 },
        { role: 'ORGADMIN', users: 0, usersWithoutMfa: 0 },
        { role: 'SECURITYADMIN', users: 2, usersWithoutMfa: 0 },
        { role: 'SYSADMIN', users: 2, usersWithoutMfa: 1 },
      ],
      adminsWithoutMfa: null,
    });
    assert.deepEqual(result.parts?.map((part) => [part.part, part.available]), [['admins_without_mfa', false], ['user_mfa', true]]);
    assert.match(result.parts?.[0]?.reason ?? '', /could not be read \(timeout/);

    // The counts are the posture itself: when they fail, the source fails and nothing is published.
    e.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', statementPattern: 'COUNT_IF', action: { kind: 'status', status: 408 } }] });
    const failed = new InMemoryCollectionState();
    await assert.rejects(new AdminsPostureSource().run(contextFor(e, failed)));
    assert.equal(failed.postures.size, 0);
  });

  it('shares: every outbound share of ACCOUNT_USAGE.SHARES, brought up to date by SHOW SHARES; dropped ones left out', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadShares(e);
    const state = new InMemoryCollectionState();
    const source = new OutboundSharesPostureSource();
    // ACCOUNT_USAGE.SHARES needs a warehouse: the source must say so, so the cycle counts it in its one wake-up.
    assert.equal(source.needsWarehouse, true);
    const result = await source.run(contextFor(e, state));
    assert.deepEqual(state.posture('shares'), {
      kind: 'shares',
      complete: true,
      outbound: [
        { name: 'EMPTY', database: 'HR', consumerAccounts: [], secureObjectsOnly: false, createdOn: new Date(at(-2 * DAY)) },
        // Real time: created ten minutes ago, not in the view yet (3 h behind), but SHOW SHARES lists it.
        { name: 'PARTNER_FEED', database: 'SALES', consumerAccounts: ['ACME.DEV', 'ACME.PROD'], secureObjectsOnly: true, createdOn: new Date(at(-600_000)) },
        { name: 'SUPPLIER_FEED', database: 'SALES', consumerAccounts: ['SUPPLIERCO.REPORTING'], secureObjectsOnly: true, createdOn: new Date(at(-30 * DAY)) },
      ],
    });
    assert.deepEqual(result.parts, [
      { part: 'account_usage_shares', available: true },
      { part: 'show_shares', available: true },
    ]);
  });

  it('shares: matched across the view and SHOW SHARES by the stored name, case and dots kept ("Sales" is not SALES)', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const share = (name: string, targets: string): Record<string, unknown> => ({
      NAME: name, CREATED_ON: at(-2 * DAY), MODIFIED_ON: at(-2 * DAY), DELETED_ON: null, DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true,
      TARGET_ACCOUNTS: targets, OWNER: 'ACCOUNTADMIN',
    });
    // Three distinct shares (CREATE SHARE SALES, CREATE SHARE "Sales", CREATE SHARE "Sales.EU"), in both lists.
    await e.engine.insertRows('SHARES', [share('SALES', 'ACME.PROD'), share('Sales', 'ACME.DEV, acme.test'), share('Sales.EU', 'EUCO.MAIN')]);
    const state = new InMemoryCollectionState();
    await new OutboundSharesPostureSource().run(contextFor(e, state));
    assert.deepEqual(state.posture('shares')?.outbound.map((s) => [s.name, s.consumerAccounts]), [
      ['SALES', ['ACME.PROD']],
      ['Sales', ['ACME.DEV', 'ACME.TEST']],
      ['Sales.EU', ['EUCO.MAIN']],
    ]);
  });

  it('shares: a role SHOW SHARES shows only some shares to still sees every share (ACCOUNT_USAGE.SHARES is read)', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadShares(e);
    // SHOW SHARES answers, successfully, with only the shares the role has privileges on (by default ACCOUNTADMIN's).
    // This client asks the real emulator for exactly what such a role gets: the one share it owns (EMPTY).
    const state = new InMemoryCollectionState();
    await new OutboundSharesPostureSource().run(contextFor(e, state, showSharesOnly(e, 'EMPTY')));
    const shares = state.posture('shares');
    assert.equal(shares?.complete, true);
    assert.deepEqual(shares?.outbound.map((share) => share.name), ['EMPTY', 'SUPPLIER_FEED']);
    assert.deepEqual(shares?.outbound.find((share) => share.name === 'SUPPLIER_FEED')?.consumerAccounts, ['SUPPLIERCO.REPORTING']);
  });

  it('shares: without ACCOUNT_USAGE.SHARES the counts are unknown, never zero, and the reason is reported', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START, engineOptions: { grants: { [EMULATED_ROLE]: [`USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } } });
    await loadShares(e);
    const state = new InMemoryCollectionState();
    // The role sees no share in SHOW SHARES either (it has privileges on none).
    const result = await new OutboundSharesPostureSource().run(contextFor(e, state, showSharesOnly(e, 'NO_SHARE_OF_THIS_ROLE')));
    const snapshot = state.postures.get('shares');
    assert.deepEqual(snapshot?.data, { kind: 'shares', complete: false, outbound: [] });
    const part = result.parts?.find((p) => p.part === 'account_usage_shares');
    assert.equal(part?.available, false);
    assert.match(part?.reason ?? '', /SNOWFLAKE\.ACCOUNT_USAGE\.SHARES could not be read \(not available to the role \(Snowflake 002003\)\)/);

    // What Prometheus sees: no "0 outbound shares", an explicit unknown, and the part flagged.
    const metrics = createExporterMetrics({ accounts: [e.account.name], processMetrics: false });
    if (snapshot !== undefined) metrics.publishPosture(snapshot);
    metrics.sourceSucceeded({ account: e.account.name, source: 'outbound_shares', startedAt: START, durationSeconds: 1, rows: 0, delivered: 0, parts: result.parts });
    const text = await metrics.metrics();
    assert.doesNotMatch(text, /^snowflake_risk_outbound_shares\{/m);
    assert.doesNotMatch(text, /^snowflake_risk_outbound_share_consumer_accounts\{/m);
    assert.match(text, /^snowflake_risk_outbound_shares_known\{account="emulated"\} 0$/m);
    assert.match(text, /^snowflake_risk_source_part_unavailable\{account="emulated",source="outbound_shares",part="account_usage_shares"\} 1$/m);
  });

  it('shares: when SHOW SHARES fails the view alone answers (3 h behind), and a dropped share never comes back', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await loadShares(e);
    e.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', statementPattern: '^SHOW SHARES', action: { kind: 'status', status: 408 } }] });
    const state = new InMemoryCollectionState();
    const result = await new OutboundSharesPostureSource().run(contextFor(e, state));
    // REVOKED_FEED's earlier version is not dropped, its latest is: the share is gone. PARTNER_FEED is too new.
    assert.deepEqual(state.posture('shares')?.outbound.map((share) => share.name), ['EMPTY', 'SUPPLIER_FEED']);
    assert.equal(state.posture('shares')?.complete, true);
    assert.deepEqual(result.parts?.map((p) => [p.part, p.available]), [['account_usage_shares', true], ['show_shares', false]]);
    assert.match(result.parts?.[1]?.reason ?? '', /SHOW SHARES failed \(timeout/);

    // Both failing is a failed source (nothing published), not an empty snapshot.
    const denied = await keyPairEmulatorFor(t, { start: START, engineOptions: { grants: { [EMULATED_ROLE]: [`USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } } });
    denied.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', statementPattern: '^SHOW SHARES', action: { kind: 'status', status: 408 } }] });
    const none = new InMemoryCollectionState();
    await assert.rejects(new OutboundSharesPostureSource().run(contextFor(denied, none)));
    assert.equal(none.postures.size, 0);
  });

  it('parameters: guardrails from SHOW PARAMETERS, safe only when true', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    e.engine.setParameter('PREVENT_UNLOAD_TO_INLINE_URL', 'true');
    e.engine.setParameter('REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', 'TRUE');
    const state = new InMemoryCollectionState();
    const source = new ParametersPostureSource();
    assert.equal(source.needsWarehouse, false);
    await source.run(contextFor(e, state));
    assert.deepEqual(state.posture('parameters')?.parameters, [
      { name: 'PREVENT_UNLOAD_TO_INLINE_URL', value: 'true', safe: true },
      { name: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', value: 'TRUE', safe: true },
      { name: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION', value: 'false', safe: false },
      { name: 'PREVENT_UNLOAD_TO_INTERNAL_STAGES', value: 'false', safe: false },
    ]);
    assert.equal(e.engine.warehouseReport().log.filter((entry) => entry.usedWarehouse).length, 0);
  });

  it('trust_center: findings OPEN now, by their latest version, counted by package, scanner and severity', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const finding = (scanner: string, severity: string, created: number, updates: [number, string][], pkg = 'CIS_BENCHMARKS'): Record<string, unknown>[] =>
      updates.map(([updated, state]) => ({
        ID: 123, PROVIDER_ID: null, SCANNER_PACKAGE_ID: pkg, SCANNER_ID: scanner, SEVERITY: severity, STATE: state,
        CREATED_ON: at(created), UPDATED_ON: at(updated),
      }));
    await e.engine.insertRows('TRUST_CENTER_FINDINGS', [
      // Created 90 days ago, re-confirmed by weekly scans, never resolved: open.
      ...finding('CIS_1_4', 'CRITICAL', -90 * DAY, [[-90 * DAY, 'OPEN'], [-30 * DAY, 'OPEN'], [-2 * DAY, 'OPEN']]),
      // The scanner's NEWEST finding (latest CREATED_ON), resolved by the scan after it: not open.
      ...finding('CIS_1_4', 'CRITICAL', -5 * DAY, [[-5 * DAY, 'OPEN'], [-DAY, 'RESOLVED']]),
      // A second open finding of the same scanner and severity, and one of another severity.
      ...finding('CIS_1_4', 'CRITICAL', -3 * DAY, [[-3 * DAY, 'OPEN']]),
      ...finding('CIS_1_4', 'HIGH', -4 * DAY, [[-4 * DAY, 'OPEN']]),
      // Resolved by a person: not open.
      ...finding('NETWORK_POLICY', 'MEDIUM', -10 * DAY, [[-10 * DAY, 'OPEN'], [-9 * DAY, 'RESOLVED MANUALLY']], 'SECURITY_ESSENTIALS'),
      // Resolved, then opened again by a later scan: open.
      ...finding('CIS_3_1', 'LOW', -20 * DAY, [[-20 * DAY, 'OPEN'], [-15 * DAY, 'RESOLVED'], [-3 * DAY, 'OPEN']]),
      // Resolved less than the view's 1 h latency ago: Snowflake still shows it open, and so does the snapshot.
      ...finding('CIS_1_8', 'MEDIUM', -2 * DAY, [[-2 * DAY, 'OPEN'], [-30 * 60_000, 'RESOLVED']]),
    ]);
    const state = new InMemoryCollectionState();
    await new TrustCenterPostureSource().run(contextFor(e, state));
    assert.deepEqual(state.posture('trust_center')?.findings, [
      { scannerPackage: 'CIS_BENCHMARKS', scanner: 'CIS_1_4', severity: 'CRITICAL', openFindings: 2 },
      { scannerPackage: 'CIS_BENCHMARKS', scanner: 'CIS_1_4', severity: 'HIGH', openFindings: 1 },
      { scannerPackage: 'CIS_BENCHMARKS', scanner: 'CIS_1_8', severity: 'MEDIUM', openFindings: 1 },
      { scannerPackage: 'CIS_BENCHMARKS', scanner: 'CIS_3_1', severity: 'LOW', openFindings: 1 },
    ]);
  });
});
