// priv.* detections on the emulator: the demo scenario's privilege stories fire with the right user and QUERY_IDs,
// the near-misses do not (GRANT ... ON SCHEMA SALES.PUBLIC TO ROLE ANALYST, the default grants to PUBLIC from two
// years ago, a long-held ACCOUNTADMIN grant, DESCRIBE / a FAILED ALTER of a network policy, a default-warehouse
// change), and hand-built rows pin the pairing of grant rows with their statements.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { privGrantToPublic } from '../../../../src/detect/catalog/priv/grant-to-public.ts';
import { privIdentityChange } from '../../../../src/detect/catalog/priv/identity-change.ts';
import { privPrivilegedGrant } from '../../../../src/detect/catalog/priv/privileged-grant.ts';
import { privSecurityPolicyChanged } from '../../../../src/detect/catalog/priv/security-policy-changed.ts';
import type { SqlDetection } from '../../../../src/detect/types.ts';
import { EXPORTER_QUERY_TAG } from '../../../../src/snowflake/account-client.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { demoAccount, incidentsOf, keyOf, nearMissesOf, runSql } from '../auth/demo-account.ts';

const START = new Date('2026-11-20T12:00:00Z');
const MIN = 60_000;
const WINDOW = { from: new Date(START.getTime() - 24 * 60 * MIN), to: START };
const at = (minutesBefore: number): string => new Date(START.getTime() - 3 * 60 * MIN - minutesBefore * MIN).toISOString();

let counter = 0;
function statement(text: string, type: string, minutesBefore: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  counter++;
  return {
    QUERY_ID: `q-${counter}`, QUERY_TEXT: text, QUERY_TYPE: type, USER_NAME: 'ADMIN_ANA', ROLE_NAME: 'SECURITYADMIN',
    EXECUTION_STATUS: 'SUCCESS', QUERY_TAG: '', START_TIME: at(minutesBefore + 0.05), END_TIME: at(minutesBefore), ...extra,
  };
}
function roleGrant(privilege: string, grantedOn: string, name: string, grantee: string, minutesBefore: number, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    CREATED_ON: at(minutesBefore), MODIFIED_ON: at(minutesBefore), DELETED_ON: null, PRIVILEGE: privilege, GRANTED_ON: grantedOn, NAME: name,
    TABLE_CATALOG: null, TABLE_SCHEMA: null, GRANTED_TO: 'ROLE', GRANTEE_NAME: grantee, GRANT_OPTION: false, GRANTED_BY: 'SECURITYADMIN', ...extra,
  };
}

describe('priv detections on the demo scenario', () => {
  it('fire on the privilege stories with user and QUERY_IDs, never on the near-misses', async (t) => {
    const demo = await demoAccount(t);
    const detections: SqlDetection[] = [privPrivilegedGrant, privSecurityPolicyChanged, privIdentityChange, privGrantToPublic];
    for (const detection of detections) {
      const drafts = await runSql(demo, detection, demo.window);
      const expected = incidentsOf(demo.scenario, detection.id).map((i) => keyOf(i.user, i.evidenceIds)).sort();
      assert.ok(expected.length > 0, detection.id);
      assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)).sort(), expected, detection.id);
      const found = new Set(drafts.flatMap((d) => d.evidenceIds));
      const users = new Set(drafts.map((d) => d.user));
      for (const miss of nearMissesOf(demo.scenario, detection.id)) {
        assert.ok(!miss.evidenceIds.some((id) => found.has(String(id))), `${detection.id}: ${miss.why_not}`);
        if (miss.evidenceView === 'USERS') assert.ok(!users.has(miss.user), `${detection.id}: ${miss.why_not}`);
      }
      // Attributes carry the actor / the kind of change as the ground truth describes them.
      for (const draft of drafts) {
        const incident = incidentsOf(demo.scenario, detection.id).find((i) => keyOf(i.user, i.evidenceIds) === keyOf(draft.user, draft.evidenceIds));
        for (const key of ['actor', 'change', 'object'] as const) {
          if (incident?.attributes?.[key] !== undefined) assert.equal(draft.attributes?.[key], incident.attributes[key], `${detection.id} ${key}`);
        }
      }
    }
    const privileged = await runSql(demo, privPrivilegedGrant, demo.window);
    assert.equal(privileged.find((d) => d.user === 'SITO')?.severity, 'critical');
    assert.deepEqual(privileged.filter((d) => d.user === null).map((d) => d.attributes?.grantee).sort(), ['DATA_ENGINEER', 'PLATFORM_OPS']);
  });
});

describe('priv.grant_to_public and priv.privileged_grant: grant rows paired with statements', () => {
  it('reports only grants TO the PUBLIC role, one finding per statement, and keeps unpaired rows', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    counter = 0;
    await e.engine.insertRows('QUERY_HISTORY', [
      statement('GRANT USAGE ON SCHEMA X.PUBLIC TO ROLE Y', 'GRANT', 60),
      statement('grant select on all tables in schema hr.public\n  to role public', 'GRANT', 50),
      statement('GRANT SELECT ON TABLE SALES.PUBLIC.ORDERS TO ROLE PUBLIC', 'GRANT', 40, { QUERY_TAG: EXPORTER_QUERY_TAG }),
    ]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [
      roleGrant('USAGE', 'SCHEMA', 'PUBLIC', 'Y', 60, { TABLE_CATALOG: 'X' }),
      roleGrant('SELECT', 'TABLE', 'EMPLOYEES', 'PUBLIC', 50, { TABLE_CATALOG: 'HR', TABLE_SCHEMA: 'PUBLIC' }),
      roleGrant('SELECT', 'TABLE', 'SALARIES', 'PUBLIC', 50, { TABLE_CATALOG: 'HR', TABLE_SCHEMA: 'PUBLIC' }),
      // No (non-exporter) statement for this one: still reported, with a row-based evidence id and no user.
      roleGrant('SELECT', 'TABLE', 'ORDERS', 'PUBLIC', 40, { TABLE_CATALOG: 'SALES', TABLE_SCHEMA: 'PUBLIC' }),
      // Granted long ago: not in the window.
      roleGrant('USAGE', 'DATABASE', 'SNOWFLAKE_SAMPLE_DATA', 'PUBLIC', 2 * 365 * 24 * 60),
    ]);
    const drafts = await runSql({ e }, privGrantToPublic, WINDOW);
    assert.deepEqual(drafts.map((d) => [d.user, d.attributes?.objects]), [['ADMIN_ANA', 2], [null, 1]]);
    assert.deepEqual(drafts[0]?.evidenceIds, ['q-2']);
    assert.match(String(drafts[1]?.evidenceIds[0]), /^SELECT:TABLE:SALES\.PUBLIC\.ORDERS:/);
  });

  it('privileged roles to users and roles, MANAGE GRANTS, revoked-in-window grants; ordinary roles ignored', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    counter = 0;
    await e.engine.insertRows('QUERY_HISTORY', [
      statement('GRANT ROLE SYSADMIN TO USER BOB', 'GRANT', 60),
      statement('GRANT ROLE ANALYST TO USER BOB', 'GRANT', 59),
      statement('GRANT ROLE ACCOUNTADMIN TO ROLE OPS', 'GRANT', 50),
      statement('GRANT MANAGE GRANTS ON ACCOUNT TO ROLE OPS', 'GRANT', 40),
    ]);
    await e.engine.insertRows('GRANTS_TO_USERS', [
      { CREATED_ON: at(60), DELETED_ON: at(30), ROLE: 'SYSADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'BOB', GRANTED_BY: 'SECURITYADMIN' },
      { CREATED_ON: at(59), DELETED_ON: null, ROLE: 'ANALYST', GRANTED_TO: 'USER', GRANTEE_NAME: 'BOB', GRANTED_BY: 'SECURITYADMIN' },
    ]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [
      roleGrant('USAGE', 'ROLE', 'ACCOUNTADMIN', 'OPS', 50),
      roleGrant('MANAGE GRANTS', 'ACCOUNT', 'MYACCOUNT', 'OPS', 40),
      roleGrant('SELECT', 'TABLE', 'T', 'OPS', 35, { TABLE_CATALOG: 'D', TABLE_SCHEMA: 'S' }),
    ]);
    const drafts = await runSql({ e }, privPrivilegedGrant, WINDOW);
    assert.deepEqual(drafts.map((d) => [d.user, d.evidenceIds.join(','), d.attributes?.granted, d.attributes?.actor, d.attributes?.revoked, d.severity]), [
      ['BOB', 'q-1', 'SYSADMIN', 'ADMIN_ANA', true, 'high'],
      [null, 'q-3', 'ACCOUNTADMIN', 'ADMIN_ANA', false, 'high'],
      [null, 'q-4', 'MANAGE GRANTS', 'ADMIN_ANA', false, 'high'],
    ]);
    // A grantee whose name was quoted ("Ops Team", stored as written) is still paired with its statement.
    counter = 10;
    await e.engine.insertRows('QUERY_HISTORY', [statement('GRANT ROLE ACCOUNTADMIN TO ROLE "Ops Team"', 'GRANT', 20)]);
    await e.engine.insertRows('GRANTS_TO_ROLES', [roleGrant('USAGE', 'ROLE', 'ACCOUNTADMIN', 'Ops Team', 20)]);
    const quoted = (await runSql({ e }, privPrivilegedGrant, WINDOW)).find((d) => d.attributes?.grantee === 'Ops Team');
    assert.deepEqual([quoted?.evidenceIds.join(','), quoted?.attributes?.actor], ['q-11', 'ADMIN_ANA']);
    // The monitored roles are a parameter.
    const analyst = await runSql({ e }, privPrivilegedGrant, WINDOW, { privilegedRoles: ['ANALYST'], privilegedPrivileges: [] });
    assert.deepEqual(analyst.map((d) => [d.user, d.evidenceIds.join(',')]), [['BOB', 'q-2']]);
  });
});

describe('priv.security_policy_changed and priv.identity_change: statement edge cases', () => {
  it('parenthesised OR branches: a failed statement never matches; multi-line and quoted names do', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    counter = 0;
    await e.engine.insertRows('QUERY_HISTORY', [
      statement('ALTER USER X SET NETWORK_POLICY = OPEN', 'ALTER_USER', 60, { EXECUTION_STATUS: 'FAIL' }),
      statement('SHOW NETWORK POLICIES', 'SHOW', 59),
      statement('-- tighten\nCREATE OR REPLACE SESSION POLICY\n  IDLE_15 SESSION_IDLE_TIMEOUT_MINS = 15', 'CREATE', 58),
      statement('DROP SECURITY INTEGRATION OLD_SCIM', 'DROP', 57),
      statement("SELECT 'alter security integration' AS note", 'SELECT', 56),
      statement('CREATE USER "svc.Backdoor" PASSWORD = \'****\'', 'CREATE_USER', 50),
      statement('ALTER USER IF EXISTS jdoe RESET PASSWORD', 'ALTER_USER', 49),
      statement("ALTER USER ops_bot SET RSA_PUBLIC_KEY = 'MIIB...'", 'ALTER_USER', 48),
      statement('ALTER USER jdoe SET DISABLED = TRUE', 'ALTER_USER', 47),
      statement('CREATE USER failed_one', 'CREATE_USER', 46, { EXECUTION_STATUS: 'FAIL' }),
    ]);
    const policies = await runSql({ e }, privSecurityPolicyChanged, WINDOW);
    assert.deepEqual(policies.map((d) => [d.evidenceIds.join(','), d.attributes?.object]), [['q-3', 'session_policy'], ['q-4', 'security_integration']]);
    const identities = await runSql({ e }, privIdentityChange, WINDOW);
    assert.deepEqual(identities.map((d) => [d.user, d.evidenceIds.join(','), d.attributes?.change, d.attributes?.actor]), [
      ['svc.Backdoor', 'q-6', 'user_created', 'ADMIN_ANA'],
      ['JDOE', 'q-7', 'password_set', 'ADMIN_ANA'],
      ['OPS_BOT', 'q-8', 'key_set', 'ADMIN_ANA'],
    ]);
  });
});
