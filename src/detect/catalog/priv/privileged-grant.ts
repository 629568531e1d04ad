// SF-17: a privileged role (ACCOUNTADMIN, SECURITYADMIN, ORGADMIN, SYSADMIN by default) granted to a user or to
// another role, or MANAGE GRANTS granted to a role. Whoever receives one can grant themselves anything else. Read
// from GRANTS_TO_USERS / GRANTS_TO_ROLES rows created in the window, so a grant held for years is not reported
// again, and paired with the GRANT statement in QUERY_HISTORY for the actor and the QUERY_ID.
import type { SqlDetection } from '../../types.ts';
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { inList, listParameter, numberParameter, upperList } from '../auth/sql-helpers.ts';
import { resolveRoleNames } from '../mfa/parameters.ts';
import { GRANT_STATEMENTS_CTES, grantStatementBindings } from './grant-statement-join.ts';
import { timestampKeyText } from '../timestamp-text.ts';

const parameters = {
  privilegedRoles: {
    description: 'Roles whose grant is privileged (monitored admin roles).',
    default: ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'SYSADMIN'] as readonly string[],
  },
  privilegedPrivileges: {
    description: 'Account-level privileges whose grant to a role is privileged.',
    default: ['MANAGE GRANTS'] as readonly string[],
  },
  statementSlackSeconds: { description: 'Tolerance when pairing a grant row with its GRANT statement.', default: 60 },
};

export const privPrivilegedGrant: SqlDetection = {
  kind: 'sql',
  schedule: 'grants',
  id: 'priv.privileged_grant',
  catalog: 'SF-17',
  title: 'Privileged role or MANAGE GRANTS granted',
  severity: 'high',
  family: 'priv',
  views: ['GRANTS_TO_USERS', 'GRANTS_TO_ROLES', 'QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_admin_users'],
  runbook: 'priv-privileged_grant',
  description:
    'A new grant of a monitored admin role to a user (the finding names that user) or to a role (no user: the ' +
    'grantee role is in attributes, and every holder of it becomes an admin), or a new MANAGE GRANTS grant. ' +
    'Grants revoked again inside the window are still reported (granted-then-revoked hides tracks).',
  statement(window, values) {
    // Role names as Snowflake stores them (identifier rules); privilege names are keywords, upper case.
    const roles = resolveRoleNames(listParameter(values, parameters, 'privilegedRoles'));
    const userRoles = inList('ROLE', roles);
    const roleRoles = inList('NAME', roles);
    const privileges = inList('PRIVILEGE', upperList(listParameter(values, parameters, 'privilegedPrivileges')));
    const slack = numberParameter(values, parameters, 'statementSlackSeconds');
    const sql = `WITH GRANT_ROWS AS (
  SELECT 'U:' || GRANTEE_NAME || ':' || ROLE || ':' || ${timestampKeyText('CREATED_ON')} AS ROW_KEY, CREATED_ON, DELETED_ON,
         'USER' AS GRANTEE_TYPE, GRANTEE_NAME, ROLE AS GRANTED, 'ROLE' AS GRANTED_KIND
  FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS
  WHERE CREATED_ON >= ? AND CREATED_ON < ? AND (${userRoles.sql})
  UNION ALL
  SELECT 'R:' || GRANTEE_NAME || ':' || PRIVILEGE || ':' || GRANTED_ON || ':' || NAME || ':' || ${timestampKeyText('CREATED_ON')}, CREATED_ON, DELETED_ON,
         GRANTED_TO, GRANTEE_NAME, IFF(GRANTED_ON = 'ROLE', NAME, PRIVILEGE), IFF(GRANTED_ON = 'ROLE', 'ROLE', 'PRIVILEGE')
  FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES
  WHERE CREATED_ON >= ? AND CREATED_ON < ?
    AND ((GRANTED_ON = 'ROLE' AND (${roleRoles.sql})) OR (${privileges.sql}))
),
${GRANT_STATEMENTS_CTES}
SELECT IFF(g.GRANTEE_TYPE = 'USER', g.GRANTEE_NAME, NULL) AS USER_NAME,
       MAX(g.CREATED_ON) AS EVENT_TIME,
       ARRAY_CONSTRUCT(COALESCE(p.QUERY_ID, MIN(g.ROW_KEY))) AS EVIDENCE_IDS,
       IFF(MIN(g.GRANTED_KIND) = 'ROLE', 'Role ', 'Privilege ') || MIN(g.GRANTED) || ' granted to ' || LOWER(g.GRANTEE_TYPE) || ' ' || g.GRANTEE_NAME
         || COALESCE(' by ' || p.ACTOR, '') || IFF(MAX(g.DELETED_ON) IS NULL, '.', ' (since revoked).') AS REASON,
       OBJECT_CONSTRUCT('granted', MIN(g.GRANTED), 'grantedKind', MIN(g.GRANTED_KIND), 'granteeType', g.GRANTEE_TYPE,
                        'grantee', g.GRANTEE_NAME, 'actor', p.ACTOR, 'actorRole', p.ACTOR_ROLE,
                        'revoked', MAX(g.DELETED_ON) IS NOT NULL) AS ATTRIBUTES,
       IFF(MIN(g.GRANTED) IN ('ACCOUNTADMIN', 'ORGADMIN') AND g.GRANTEE_TYPE = 'USER', 'critical', 'high') AS SEVERITY
FROM GRANT_ROWS g
LEFT JOIN PAIRED p ON p.ROW_KEY = g.ROW_KEY
GROUP BY g.GRANTEE_TYPE, g.GRANTEE_NAME, p.QUERY_ID, p.ACTOR, p.ACTOR_ROLE, IFF(p.QUERY_ID IS NULL, g.ROW_KEY, NULL)
ORDER BY EVENT_TIME`;
    return {
      sql,
      bindings: [window.from, window.to, ...userRoles.bindings, window.from, window.to, ...roleRoles.bindings, ...privileges.bindings, ...grantStatementBindings(window, slack, EXPORTER_QUERY_TAG)],
    };
  },
};
