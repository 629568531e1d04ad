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
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';

const START = new Date('2026-11-20T12:00:00Z');
const DAY = 86_400_000;
const LONG_AGO = '2026-01-01T00:00:00Z';

function at(offsetMs: number): string {
  return new Date(START.getTime() + offsetMs).toISOString();
}

function contextFor(e: KeyPairEmulator, state: InMemoryCollectionState): RecordingSourceContext {
  return new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
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
    const key = (c: { userType: string; hasPassword: boolean; hasMfa: boolean; hasRsaPublicKey: boolean; users: number }): string =>
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
    await new AdminsPostureSource({ adminRoles: ['ROLE_A', 'sysadmin'], listLimit: 1 }).run(contextFor(e, custom));
    assert.deepEqual(custom.posture('admins')?.roles, [
      { role: 'ROLE_A', users: 1, usersWithoutMfa: 1 },
      { role: 'SYSADMIN', users: 2, usersWithoutMfa: 1 },
    ]);
    assert.deepEqual(custom.posture('admins')?.adminsWithoutMfa, [{ user: 'U_NOMFA', roles: ['ROLE_A', 'SYSADMIN'] }]);
  });

  it('shares: outbound shares and consumer accounts from SHOW SHARES, dropped ones left out', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('SHARES', [
      { NAME: 'PARTNER_FEED', CREATED_ON: at(-10 * DAY), MODIFIED_ON: at(-600_000), DELETED_ON: null, DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: 'ACME.PROD, ACME.DEV', OWNER: 'SHARING_ADMIN' },
      { NAME: 'OLD_FEED', CREATED_ON: at(-100 * DAY), MODIFIED_ON: at(-DAY), DELETED_ON: at(-DAY), DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: 'X.Y', OWNER: 'SHARING_ADMIN' },
      { NAME: 'EMPTY', CREATED_ON: at(-2 * DAY), MODIFIED_ON: at(-2 * DAY), DELETED_ON: null, DATABASE_NAME: 'HR', SECURE_OBJECTS_ONLY: false, TARGET_ACCOUNTS: '', OWNER: 'SHARING_ADMIN' },
    ]);
    const state = new InMemoryCollectionState();
    const source = new OutboundSharesPostureSource();
    assert.equal(source.needsWarehouse, false);
    await source.run(contextFor(e, state));
    const expected = [
      { name: 'EMPTY', database: 'HR', consumerAccounts: [], secureObjectsOnly: false, createdOn: new Date(at(-2 * DAY)) },
      // Real time: modified ten minutes ago, already there (SHOW SHARES has no ingestion latency).
      { name: 'PARTNER_FEED', database: 'SALES', consumerAccounts: ['ACME.DEV', 'ACME.PROD'], secureObjectsOnly: true, createdOn: new Date(at(-10 * DAY)) },
    ];
    assert.deepEqual(state.posture('shares'), { kind: 'shares', outbound: expected });
    assert.ok(e.engine.warehouseReport().log.every((entry) => !entry.usedWarehouse));

    // When SHOW SHARES fails, ACCOUNT_USAGE.SHARES is read instead (3 h behind: the ten-minute-old change is not
    // there yet, but the share is, with the target list of its visible version).
    e.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', statementPattern: '^SHOW SHARES', action: { kind: 'status', status: 408 } }] });
    const fallback = new InMemoryCollectionState();
    await source.run(contextFor(e, fallback));
    assert.deepEqual(fallback.posture('shares')?.outbound.map((share) => share.name), ['EMPTY']);
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
