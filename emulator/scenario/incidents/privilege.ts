// Privilege and configuration stories: privileged grants (SF-17), network/authentication policy and security
// integration changes (SF-21), identity persistence (SF-22) and grants to PUBLIC (SF-23).
import { grantToRole } from '../directory.ts';
import type { IncidentModule } from './module.ts';

export const privilegedGrant: IncidentModule = {
  kind: 'privileged_grant',
  cast: () => [
    { name: 'SITO', firstName: 'Sven', lastName: 'Ito', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true },
  ],
  build(script, ctx) {
    const session = script.usualSession('KLARSEN', script.hoursBeforeEnd(13), 'SECURITYADMIN');
    const toUser = script.query(session, { text: 'GRANT ROLE ACCOUNTADMIN TO USER SITO', type: 'GRANT' });
    script.add('GRANTS_TO_USERS', { CREATED_ON: toUser.end.toISOString(), DELETED_ON: null, ROLE: 'ACCOUNTADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'SITO', GRANTED_BY: 'SECURITYADMIN' });
    script.incident({ kind: 'privileged_grant', detectionId: 'priv.privileged_grant', user: 'SITO', object: 'ACCOUNTADMIN', time: toUser.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [toUser.queryId], description: 'ACCOUNTADMIN granted to user SITO by KLARSEN (GRANTS_TO_USERS row created now).', attributes: { actor: 'KLARSEN', role: 'ACCOUNTADMIN' } });

    const toRole = script.query(session, { text: 'GRANT ROLE SECURITYADMIN\n  TO ROLE PLATFORM_OPS', type: 'GRANT' });
    script.add('GRANTS_TO_ROLES', grantToRole(toRole.end, 'USAGE', 'ROLE', 'SECURITYADMIN', 'PLATFORM_OPS', { grantedBy: 'SECURITYADMIN' }));
    ctx.extraRoleEdges.push(['SECURITYADMIN', 'PLATFORM_OPS']);
    script.incident({ kind: 'privileged_grant', detectionId: 'priv.privileged_grant', user: null, object: 'PLATFORM_OPS', time: toRole.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [toRole.queryId], description: 'SECURITYADMIN granted to the custom role PLATFORM_OPS (GRANTS_TO_ROLES, granted_on ROLE).', attributes: { actor: 'KLARSEN', role: 'SECURITYADMIN' } });

    const manage = script.query(session, { text: 'GRANT MANAGE GRANTS ON ACCOUNT TO ROLE DATA_ENGINEER', type: 'GRANT' });
    script.add('GRANTS_TO_ROLES', grantToRole(manage.end, 'MANAGE GRANTS', 'ACCOUNT', ctx.accountName, 'DATA_ENGINEER', { grantedBy: 'SECURITYADMIN' }));
    script.incident({ kind: 'privileged_grant', detectionId: 'priv.privileged_grant', user: null, object: 'DATA_ENGINEER', time: manage.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [manage.queryId], description: 'MANAGE GRANTS on the account granted to role DATA_ENGINEER.', attributes: { actor: 'KLARSEN', privilege: 'MANAGE GRANTS' } });

    const ordinary = script.query(session, { text: 'GRANT ROLE BI_READER TO USER SITO', type: 'GRANT' });
    script.add('GRANTS_TO_USERS', { CREATED_ON: ordinary.end.toISOString(), DELETED_ON: null, ROLE: 'BI_READER', GRANTED_TO: 'USER', GRANTEE_NAME: 'SITO', GRANTED_BY: 'USERADMIN' });
    script.nearMiss({ detectionId: 'priv.privileged_grant', user: 'SITO', evidenceView: 'QUERY_HISTORY', evidenceIds: [ordinary.queryId], why_not: 'BI_READER is not a privileged role.' });
    script.nearMiss({ detectionId: 'priv.privileged_grant', user: 'KLARSEN', evidenceView: 'USERS', evidenceIds: ['KLARSEN'], why_not: 'KLARSEN has held ACCOUNTADMIN for two years (GRANTS_TO_USERS created ~720 days ago): not a new grant.' });
  },
};

export const securityPolicy: IncidentModule = {
  kind: 'security_policy',
  cast: () => [
    { name: 'AUMAROV', firstName: 'Umar', lastName: 'Umarov', kind: 'person_mfa', roles: ['SECURITYADMIN'], workload: 'admin', clients: ['snowsight'], active: true },
  ],
  build(script, ctx) {
    const session = script.usualSession('AUMAROV', script.hoursBeforeEnd(5.5), 'SECURITYADMIN');
    const describe = script.query(session, { text: 'DESCRIBE NETWORK POLICY CORP_ALLOWLIST', type: 'DESCRIBE', rowsProduced: 4 });
    const failed = script.query(session, { text: 'ALTER USER AUMAROV SET NETWORK_POLICY = OPEN_POLICY', type: 'ALTER_USER', status: 'FAIL', errorCode: 3001, errorMessage: "SQL access control error:\nInsufficient privileges to operate on network policy 'OPEN_POLICY'" });
    const changes = [
      { text: "ALTER NETWORK POLICY CORP_ALLOWLIST SET ALLOWED_IP_LIST = ('198.51.100.0/24', '0.0.0.0/0')", type: 'ALTER_NETWORK_POLICY', object: 'network_policy' },
      { text: 'ALTER ACCOUNT UNSET NETWORK_POLICY', type: 'ALTER_ACCOUNT', object: 'network_policy' },
      { text: "CREATE AUTHENTICATION POLICY RELAXED_AUTH\n  MFA_ENROLLMENT = OPTIONAL\n  CLIENT_TYPES = ('SNOWFLAKE_UI', 'DRIVERS')", type: 'CREATE', object: 'authentication_policy' },
      { text: 'ALTER SECURITY INTEGRATION OKTA_SSO SET ENABLED = FALSE', type: 'ALTER', object: 'security_integration' },
    ];
    for (const change of changes) {
      const q = script.query(session, { text: change.text, type: change.type });
      script.incident({ kind: 'security_policy', detectionId: 'priv.security_policy_changed', user: 'AUMAROV', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `Security configuration changed (${change.object}): ${change.text.split('\n')[0] ?? ''}`, attributes: { object: change.object } });
    }
    ctx.parameters.NETWORK_POLICY = '';
    script.nearMiss({ detectionId: 'priv.security_policy_changed', user: 'AUMAROV', evidenceView: 'QUERY_HISTORY', evidenceIds: [describe.queryId], why_not: 'DESCRIBE only reads the network policy.' });
    script.nearMiss({ detectionId: 'priv.security_policy_changed', user: 'AUMAROV', evidenceView: 'QUERY_HISTORY', evidenceIds: [failed.queryId], why_not: 'The ALTER USER ... SET NETWORK_POLICY failed (EXECUTION_STATUS FAIL): nothing changed.' });
  },
};

export const identityChange: IncidentModule = {
  kind: 'identity_change',
  cast: (end) => [
    { name: 'LBAKER', firstName: 'Lena', lastName: 'Baker', kind: 'person_mfa', roles: ['USERADMIN'], workload: 'admin', clients: ['snowsight'], active: true },
    // Created by the incident itself: a human password user with no MFA and no TYPE (NULL counts as PERSON).
    { name: 'SUPPORT_TMP', kind: 'person_password_only', roles: [], defaultRole: 'SYSADMIN', type: null, workload: 'analyst', clients: ['snowsight'], active: false, createdAt: new Date(end.getTime() - 18 * 3_600_000 + 25_000), lastSuccessLoginDaysAgo: null },
    { name: 'RDUBOIS', firstName: 'Rosa', lastName: 'Dubois', kind: 'person_sso', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: false, createdDaysAgo: 600, lastSuccessLoginDaysAgo: 75, comment: 'left the company; re-enabled' },
    { name: 'PJENSEN', firstName: 'Priya', lastName: 'Jensen', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true },
  ],
  build(script) {
    const session = script.usualSession('LBAKER', script.hoursBeforeEnd(18), 'USERADMIN');
    const changes = [
      { text: "CREATE USER SUPPORT_TMP\n  PASSWORD = '****'\n  DEFAULT_ROLE = SYSADMIN\n  MUST_CHANGE_PASSWORD = FALSE", type: 'CREATE_USER', user: 'SUPPORT_TMP', change: 'user_created' },
      { text: 'ALTER USER RDUBOIS SET DISABLED = FALSE', type: 'ALTER_USER', user: 'RDUBOIS', change: 'user_enabled' },
      { text: "ALTER USER PJENSEN SET PASSWORD = '****'", type: 'ALTER_USER', user: 'PJENSEN', change: 'password_set' },
      { text: "SELECT SYSTEM$GENERATE_SCIM_ACCESS_TOKEN('OKTA_PROVISIONING')", type: 'SELECT', user: 'LBAKER', change: 'scim_token' },
    ];
    for (const change of changes) {
      const q = script.query(session, { text: change.text, type: change.type, after: 5_000 });
      script.incident({ kind: 'identity_change', detectionId: 'priv.identity_change', user: change.user, time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: `Identity change (${change.change}) by LBAKER: ${change.text.split('\n')[0] ?? ''}`, attributes: { change: change.change, actor: 'LBAKER' } });
    }
    const benign = script.query(session, { text: 'ALTER USER PJENSEN SET DEFAULT_WAREHOUSE = ANALYST_WH', type: 'ALTER_USER' });
    script.nearMiss({ detectionId: 'priv.identity_change', user: 'PJENSEN', evidenceView: 'QUERY_HISTORY', evidenceIds: [benign.queryId], why_not: 'Changing a default warehouse is not a persistence change.' });
  },
};

export const grantToPublic: IncidentModule = {
  kind: 'grant_to_public',
  cast: () => [
    { name: 'CHADDAD', firstName: 'Chloe', lastName: 'Haddad', kind: 'person_mfa', roles: ['DATA_ENGINEER'], workload: 'engineer', clients: ['snowsight'], active: true },
  ],
  build(script) {
    const session = script.usualSession('CHADDAD', script.hoursBeforeEnd(17), 'DATA_ENGINEER');
    const near = script.query(session, { text: 'GRANT USAGE ON SCHEMA SALES.PUBLIC TO ROLE ANALYST', type: 'GRANT' });
    script.add('GRANTS_TO_ROLES', grantToRole(near.end, 'USAGE', 'SCHEMA', 'PUBLIC', 'ANALYST', { catalog: 'SALES', grantedBy: 'DATA_ENGINEER' }));
    script.nearMiss({ detectionId: 'priv.grant_to_public', user: 'CHADDAD', evidenceView: 'QUERY_HISTORY', evidenceIds: [near.queryId], why_not: 'A grant ON the schema named PUBLIC to role ANALYST, not a grant TO the PUBLIC role.' });

    const q = script.query(session, { text: 'GRANT SELECT ON ALL TABLES IN SCHEMA HR.PUBLIC TO ROLE PUBLIC', type: 'GRANT' });
    for (const table of ['EMPLOYEES', 'SALARIES']) {
      script.add('GRANTS_TO_ROLES', grantToRole(q.end, 'SELECT', 'TABLE', table, 'PUBLIC', { catalog: 'HR', schema: 'PUBLIC', grantedBy: 'DATA_ENGINEER' }));
    }
    script.incident({ kind: 'grant_to_public', detectionId: 'priv.grant_to_public', user: 'CHADDAD', object: 'HR.PUBLIC.EMPLOYEES,HR.PUBLIC.SALARIES', time: q.end, evidenceView: 'QUERY_HISTORY', evidenceIds: [q.queryId], description: 'SELECT on every table of HR.PUBLIC granted to role PUBLIC (every user).', attributes: { actor: 'CHADDAD' } });
  },
};
