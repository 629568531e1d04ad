// SF-21: a change to what keeps attackers out: network policies (and setting or unsetting them on the account or a
// user), authentication / session / password policies, and security integrations (SSO, SCIM, OAuth). Opening a
// network policy or relaxing MFA is how an insider prepares access from outside. Only successful statements count
// (a failed one changed nothing), and every OR branch is parenthesised: the public query this replaces let its
// second branch bypass the EXECUTION_STATUS filter.
import type { SqlDetection } from '../../types.ts';
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { executionSucceededSql } from '../../../collect/execution-status.ts';

const parameters = {};

export const privSecurityPolicyChanged: SqlDetection = {
  kind: 'sql',
  schedule: 'query_history',
  id: 'priv.security_policy_changed',
  catalog: 'SF-21',
  title: 'Network, authentication or session policy or security integration changed',
  severity: 'high',
  family: 'priv',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'priv-security_policy_changed',
  description:
    'Successful CREATE / ALTER / DROP of network policies, authentication, session or password policies and ' +
    'security integrations, and SET / UNSET NETWORK_POLICY on the account or a user. DESCRIBE and SHOW only read and ' +
    'never match.',
  statement(window) {
    const sql = String.raw`SELECT USER_NAME,
       END_TIME AS EVENT_TIME,
       ARRAY_CONSTRUCT(QUERY_ID) AS EVIDENCE_IDS,
       'Security configuration changed (' || OBJECT_KIND || ') by ' || COALESCE(USER_NAME, 'an unknown user') || ' with ' || QUERY_TYPE || '.' AS REASON,
       OBJECT_CONSTRUCT('object', OBJECT_KIND, 'queryType', QUERY_TYPE, 'role', ROLE_NAME) AS ATTRIBUTES
FROM (
  SELECT QUERY_ID, USER_NAME, ROLE_NAME, QUERY_TYPE, END_TIME,
         CASE
           WHEN QUERY_TYPE IN ('CREATE_NETWORK_POLICY', 'ALTER_NETWORK_POLICY', 'DROP_NETWORK_POLICY')
             OR REGEXP_LIKE(QUERY_TEXT, '.*(network\\s+policy|network_policy).*', 'is') THEN 'network_policy'
           WHEN REGEXP_LIKE(QUERY_TEXT, '.*authentication\\s+policy.*', 'is') THEN 'authentication_policy'
           WHEN REGEXP_LIKE(QUERY_TEXT, '.*session\\s+policy.*', 'is') THEN 'session_policy'
           WHEN REGEXP_LIKE(QUERY_TEXT, '.*password\\s+policy.*', 'is') THEN 'password_policy'
           ELSE 'security_integration'
         END AS OBJECT_KIND
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE END_TIME >= ? AND END_TIME < ?
    AND ${executionSucceededSql()}
    AND COALESCE(QUERY_TAG, '') <> ?
    AND (   (QUERY_TYPE IN ('CREATE_NETWORK_POLICY', 'ALTER_NETWORK_POLICY', 'DROP_NETWORK_POLICY'))
         OR (REGEXP_LIKE(QUERY_TEXT, '.*\\s(un)?set\\s+network_policy.*', 'is')
             AND QUERY_TYPE NOT IN ('SELECT', 'UNKNOWN', 'SHOW', 'DESCRIBE'))
         OR (REGEXP_LIKE(QUERY_TEXT, '.*(create|alter|drop)\\s+(or\\s+replace\\s+)?(network\\s+policy|(authentication|session|password)\\s+policy|security\\s+integration)\\s.*', 'is')
             AND QUERY_TYPE NOT IN ('SELECT', 'UNKNOWN', 'SHOW', 'DESCRIBE')))
)
ORDER BY EVENT_TIME`;
    return { sql, bindings: [window.from, window.to, EXPORTER_QUERY_TAG] };
  },
};
