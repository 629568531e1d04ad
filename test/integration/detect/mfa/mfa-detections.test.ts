// The MFA detections (SF-01 to SF-05) on hand-built rows in the emulator: the edge cases the demo scenario does not
// pin (role hierarchy depth, revoked grants, VARIANT flags, the SF-03 escalation to critical). The demo scenario's
// stories and near-misses are checked for every detection in ../mfa-exfil-ground-truth.test.ts (one demo load).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { adminWithoutMfa } from '../../../../src/detect/catalog/mfa/admin-without-mfa.ts';
import { mfaBypassActive } from '../../../../src/detect/catalog/mfa/bypass-active.ts';
import { passwordLoginWithoutMfa } from '../../../../src/detect/catalog/mfa/password-login-without-mfa.ts';
import { passwordUserWithoutMfa } from '../../../../src/detect/catalog/mfa/password-user-without-mfa.ts';
import { serviceUserPasswordLogin } from '../../../../src/detect/catalog/mfa/service-user-password-login.ts';
import { runSqlDetection } from '../../../../src/detect/run-sql-detection.ts';
import type { FindingDraft, SqlDetection } from '../../../../src/detect/types.ts';
import type { EngineOptions } from '../../../../emulator/engine/index.ts';
import { SqlDetectionSource } from '../../../../src/detect/runner/sql-detection-source.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';

const NOW = new Date('2026-11-20T12:00:00Z');
const HOUR = 3_600_000;
const DAY = 24 * HOUR;
const at = (offset: number): string => new Date(NOW.getTime() + offset).toISOString();

async function run(e: KeyPairEmulator, detection: SqlDetection, from = new Date(NOW.getTime() - 2 * DAY)): Promise<FindingDraft[]> {
  const out: FindingDraft[] = [];
  for await (const f of runSqlDetection({ client: e.client, detection, window: { from, to: e.now() }, parameters: {} })) out.push(f);
  return out;
}

function user(name: string, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return { NAME: name, CREATED_ON: '2025-01-01T00:00:00Z', DELETED_ON: null, TYPE: 'PERSON', HAS_PASSWORD: true, HAS_MFA: false, EXT_AUTHN_DUO: false, HAS_RSA_PUBLIC_KEY: false, DISABLED: false, ...extra };
}
const toUser = (role: string, grantee: string, deleted: string | null = null): Record<string, unknown> => ({ CREATED_ON: '2025-01-01T00:00:00Z', DELETED_ON: deleted, ROLE: role, GRANTED_TO: 'USER', GRANTEE_NAME: grantee, GRANTED_BY: 'SECURITYADMIN' });
const roleToRole = (role: string, grantee: string, deleted: string | null = null): Record<string, unknown> => ({
  CREATED_ON: '2025-01-01T00:00:00Z', MODIFIED_ON: '2025-01-01T00:00:00Z', PRIVILEGE: 'USAGE', GRANTED_ON: 'ROLE', NAME: role, GRANTED_TO: 'ROLE', GRANTEE_NAME: grantee, GRANT_OPTION: false, GRANTED_BY: 'SECURITYADMIN', DELETED_ON: deleted,
});
let eventId = 1;
const login = (userName: string, offset: number, ip: string, second: string | null = null): Record<string, unknown> => ({
  EVENT_ID: eventId++, EVENT_TIMESTAMP: at(offset), EVENT_TYPE: 'LOGIN', USER_NAME: userName, CLIENT_IP: ip, REPORTED_CLIENT_TYPE: 'SNOWFLAKE_UI', REPORTED_CLIENT_VERSION: '1',
  FIRST_AUTHENTICATION_FACTOR: 'PASSWORD', SECOND_AUTHENTICATION_FACTOR: second, IS_SUCCESS: 'YES', ERROR_CODE: null, ERROR_MESSAGE: null, RELATED_EVENT_ID: 0,
});

describe('MFA detections on hand-built rows', () => {
  it('SF-02 follows a three-level role hierarchy and ignores revoked links, Duo users and SSO users', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { USERS: 0, GRANTS_TO_USERS: 0, GRANTS_TO_ROLES: 0 } });
    await e.engine.insertRows('USERS', [user('DEEP'), user('REVOKED'), user('DUO', { HAS_MFA: null, EXT_AUTHN_DUO: 'true' }), user('SSO', { HAS_PASSWORD: false })]);
    await e.engine.insertRows('GRANTS_TO_USERS', [toUser('R3', 'DEEP'), toUser('R_OLD', 'REVOKED'), toUser('ACCOUNTADMIN', 'DUO'), toUser('ACCOUNTADMIN', 'SSO')]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [roleToRole('SECURITYADMIN', 'R1'), roleToRole('R1', 'R2'), roleToRole('R2', 'R3'), roleToRole('ACCOUNTADMIN', 'R_OLD', '2026-01-01T00:00:00Z')]);
    const found = await run(e, adminWithoutMfa);
    assert.deepEqual(found.map((f) => [f.user, f.evidenceIds, f.attributes?.adminRoles]), [['DEEP', ['DEEP'], 'SECURITYADMIN']]);
  });

  it('SF-03 is critical for an admin or a new address, high otherwise; MFA logins do not fire', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { USERS: 0, GRANTS_TO_USERS: 0, GRANTS_TO_ROLES: 0, LOGIN_HISTORY: 0 } });
    await e.engine.insertRows('GRANTS_TO_USERS', [toUser('SYSADMIN', 'BOSS')]);
    await e.engine.insertRows('LOGIN_HISTORY', [
      login('ROUTINE', -10 * DAY, '10.0.0.1'), login('ROUTINE', -2 * HOUR, '10.0.0.1'), // known address: high
      login('MOVER', -10 * DAY, '10.0.0.2'), login('MOVER', -3 * HOUR, '203.0.113.9'), // new address: critical
      login('FIRST', -4 * HOUR, '10.0.0.3'), // no history at all: not "new", high
      login('BOSS', -5 * HOUR, '10.0.0.4'), // admin: critical
      login('CAREFUL', -6 * HOUR, '10.0.0.5', 'DUO_PUSH'), // second factor: no finding
    ]);
    const found = await run(e, passwordLoginWithoutMfa, new Date(NOW.getTime() - DAY));
    const severity: Record<string, string | undefined> = Object.fromEntries(found.map((f) => [f.user ?? '', f.severity]));
    assert.deepEqual(severity, { ROUTINE: 'high', MOVER: 'critical', FIRST: 'high', BOSS: 'critical' });
    assert.equal(found.find((f) => f.user === 'MOVER')?.attributes?.newIp, true);
    assert.equal(found.find((f) => f.user === 'BOSS')?.attributes?.adminRoles, 'SYSADMIN');
  });

  it('SF-01 and SF-05 read VARIANT flags safely and leave out disabled, deleted, SSO, service and Duo users', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { USERS: 0 } });
    await e.engine.insertRows('USERS', [
      user('NOMFA'), user('UNSET_TYPE', { TYPE: null }), user('DUO', { HAS_MFA: null, EXT_AUTHN_DUO: 'true' }), user('SSO', { HAS_PASSWORD: false }),
      user('GONE', { DELETED_ON: '2026-01-01T00:00:00Z' }), user('OFF', { DISABLED: 'true' }), user('SVC', { TYPE: 'SERVICE', HAS_PASSWORD: false, HAS_RSA_PUBLIC_KEY: true }),
      user('OPEN', { HAS_MFA: true, BYPASS_MFA_UNTIL: at(2 * HOUR) }), user('CLOSED', { HAS_MFA: true, BYPASS_MFA_UNTIL: at(-2 * HOUR) }),
      user('LEGACY', { TYPE: 'LEGACY_SERVICE', HAS_RSA_PUBLIC_KEY: true }), user('LEGACY_KEY_ONLY', { TYPE: 'LEGACY_SERVICE', HAS_PASSWORD: false }),
      user('OFF_BYPASS', { DISABLED: true, BYPASS_MFA_UNTIL: at(2 * HOUR) }),
    ]);
    assert.deepEqual((await run(e, passwordUserWithoutMfa)).map((f) => f.user), ['NOMFA', 'UNSET_TYPE']);
    const bypass = await run(e, mfaBypassActive);
    assert.deepEqual(bypass.map((f) => [f.user, f.attributes?.reason]), [['LEGACY', 'legacy_service_password'], ['OPEN', 'bypass_window']]);
  });

  it('SF-05 on an account without USERS.TYPE (bundle 2024_06): the bypass-window check runs, the legacy-service one is reported unavailable', async (t) => {
    // Needs the emulator's disabledBundles to know bundle 2024_06 (emulator/engine/catalog.ts).
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { USERS: 0 }, engineOptions: { disabledBundles: ['2024_06'] as string[] as NonNullable<EngineOptions['disabledBundles']> } });
    await e.engine.insertRows('USERS', [
      user('OPEN', { HAS_MFA: true, BYPASS_MFA_UNTIL: at(2 * HOUR) }),
      user('LEGACY', { TYPE: 'LEGACY_SERVICE', HAS_RSA_PUBLIC_KEY: true }),
    ]);
    const source = new SqlDetectionSource({ detection: mfaBypassActive, parameters: {}, backfillSeconds: 86_400, overlapMarginSeconds: 900 });
    const state = new InMemoryCollectionState();
    const result = await source.run(new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state }));
    assert.deepEqual(state.findings.map((f) => [f.user, f.attributes.reason, f.attributes.userType]), [['OPEN', 'bypass_window', 'UNSET']]);
    assert.deepEqual(result.parts?.map((part) => [part.part, part.available]), [['user_type', false]]);
    assert.match(result.parts?.[0]?.reason ?? '', /^USERS\.TYPE does not exist on this account \(Snowflake 000904 invalid identifier; the column comes with behaviour change bundle 2024_06\)$/);
  });

  it('SF-04 reports service and key-pair users signing in with a password alone, not key pairs or password + MFA', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: NOW, latency: { USERS: 0, LOGIN_HISTORY: 0 } });
    await e.engine.insertRows('USERS', [
      user('LEGACY_SVC', { TYPE: 'LEGACY_SERVICE', HAS_RSA_PUBLIC_KEY: true }), user('SVC', { TYPE: 'SERVICE', HAS_PASSWORD: false, HAS_RSA_PUBLIC_KEY: true }),
      user('DEV', { HAS_RSA_PUBLIC_KEY: true, HAS_MFA: true }), user('PLAIN'),
    ]);
    const keyPair = { ...login('SVC', -3 * HOUR, '10.1.0.1'), FIRST_AUTHENTICATION_FACTOR: 'RSA_KEYPAIR' };
    const legacy = login('LEGACY_SVC', -2 * HOUR, '10.1.0.2');
    const devAlone = login('DEV', -2 * HOUR, '10.1.0.3');
    await e.engine.insertRows('LOGIN_HISTORY', [
      keyPair, legacy, devAlone,
      login('DEV', -1 * HOUR, '10.1.0.3', 'TOTP'), // key-pair human with password + MFA: fine
      login('PLAIN', -1 * HOUR, '10.1.0.4'), // a human without a key: SF-03's business, not SF-04's
      { ...login('LEGACY_SVC', -1 * HOUR, '10.1.0.2'), IS_SUCCESS: 'NO' }, // failed attempt
    ]);
    const found = await run(e, serviceUserPasswordLogin);
    assert.deepEqual(found.map((f) => [f.user, f.evidenceIds[0]]), [['LEGACY_SVC', String(legacy.EVENT_ID)], ['DEV', String(devAlone.EVENT_ID)]]);
  });
});
