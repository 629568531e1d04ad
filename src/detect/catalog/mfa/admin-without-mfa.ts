// SF-02: the SF-01 condition restricted to users who hold an admin role, directly or through any depth of the role
// hierarchy (a user granted DBA_ADMIN, to which ACCOUNTADMIN was granted, is an ACCOUNTADMIN). A stolen admin password
// without a second factor is the worst case of SF-01, hence critical.
import { DEFAULT_ADMIN_ROLES, MAX_ROLE_HIERARCHY_DEPTH } from '../../../collect/sources/admins.ts';
import type { SqlDetection } from '../../types.ts';
import { ADMIN_HOLDERS_CTES, ENABLED_USER_CONDITION, HUMAN_PASSWORD_USER_WITHOUT_MFA } from './conditions.ts';
import { roleListBinding, stringListParameter } from './parameters.ts';

export const ADMIN_WITHOUT_MFA_SQL = `WITH RECURSIVE ${ADMIN_HOLDERS_CTES},
EXPOSED_USERS AS (
  SELECT NAME, COALESCE(PASSWORD_LAST_SET_TIME, CREATED_ON) AS EXPOSED_SINCE
  FROM SNOWFLAKE.ACCOUNT_USAGE.USERS
  WHERE ${ENABLED_USER_CONDITION}
    AND ${HUMAN_PASSWORD_USER_WITHOUT_MFA}
)
SELECT u.NAME AS USER_NAME,
       MIN(u.EXPOSED_SINCE) AS EVENT_TIME,
       ARRAY_CONSTRUCT(u.NAME) AS EVIDENCE_IDS,
       'Admin user ' || u.NAME || ' (' || LISTAGG(DISTINCT a.ADMIN_ROLE, ',') WITHIN GROUP (ORDER BY a.ADMIN_ROLE) || ') has a password and no MFA method' AS REASON,
       OBJECT_CONSTRUCT('adminRoles', LISTAGG(DISTINCT a.ADMIN_ROLE, ',') WITHIN GROUP (ORDER BY a.ADMIN_ROLE)) AS ATTRIBUTES
FROM EXPOSED_USERS u
JOIN ADMIN_HOLDERS a ON a.USER_NAME = u.NAME
GROUP BY u.NAME
ORDER BY u.NAME`;

export const adminWithoutMfa: SqlDetection = {
  kind: 'sql',
  id: 'mfa.admin_without_mfa',
  catalog: 'SF-02',
  title: 'Admin user with a password and no MFA',
  severity: 'critical',
  family: 'mfa',
  views: ['USERS', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES'],
  requires: 'USERS.TYPE and HAS_MFA (bundle 2024_06)',
  parameters: {
    adminRoles: { description: 'Roles that make their holders admins (directly or through the role hierarchy).', default: DEFAULT_ADMIN_ROLES },
  },
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_admin_users_without_mfa'],
  runbook: 'mfa-admin_without_mfa',
  description:
    'Names every enabled human user with a password and no MFA method who holds a monitored admin role ' +
    '(ACCOUNTADMIN, SECURITYADMIN, ORGADMIN, SYSADMIN by default) directly or through the role hierarchy, walked ' +
    'with a recursive CTE over GRANTS_TO_ROLES. Revoked grants do not count. One finding per user, evidence = the ' +
    'user name, the admin roles held in the attributes.',
  schedule: 'admins',
  statement: (_window, parameters) => ({
    sql: ADMIN_WITHOUT_MFA_SQL,
    bindings: [roleListBinding(stringListParameter(parameters, 'adminRoles', DEFAULT_ADMIN_ROLES)), MAX_ROLE_HIERARCHY_DEPTH],
  }),
};
