// SF-22: persistence through identities: a user created, a disabled user enabled again, a user's password (or key
// pair) set or reset, or a SCIM access token generated (it lets whoever holds it create users). Each gives someone a
// way back in that survives the removal of the access they used first. The finding names the user whose identity
// changed (for a SCIM token: the user who generated it); the actor is in attributes.
import type { SqlDetection } from '../../types.ts';
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { executionSucceededSql } from '../../../collect/execution-status.ts';

const parameters = {};

export const privIdentityChange: SqlDetection = {
  kind: 'sql',
  schedule: 'query_history',
  id: 'priv.identity_change',
  catalog: 'SF-22',
  title: 'User created, re-enabled, credential set, or SCIM token generated',
  severity: 'medium',
  family: 'priv',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'priv-identity_change',
  description:
    'Successful CREATE USER, ALTER USER ... SET DISABLED = FALSE, ALTER USER ... SET PASSWORD / RESET PASSWORD / SET ' +
    'RSA_PUBLIC_KEY, and SYSTEM$GENERATE_SCIM_ACCESS_TOKEN. Other ALTER USER changes (default warehouse, role, ' +
    'comment) are not persistence and never match.',
  statement(window) {
    const sql = String.raw`WITH CHANGES AS (
  SELECT QUERY_ID, USER_NAME AS ACTOR, ROLE_NAME, END_TIME, QUERY_TYPE, QUERY_TEXT,
         CASE
           WHEN QUERY_TYPE = 'CREATE_USER' THEN 'user_created'
           WHEN QUERY_TYPE = 'ALTER_USER' AND REGEXP_LIKE(QUERY_TEXT, '.*\\sset\\s+(.*\\s)?disabled\\s*=\\s*false.*', 'is') THEN 'user_enabled'
           WHEN QUERY_TYPE = 'ALTER_USER' AND REGEXP_LIKE(QUERY_TEXT, '.*(\\sset\\s+(.*\\s)?password\\s*=|\\sreset\\s+password).*', 'is') THEN 'password_set'
           WHEN QUERY_TYPE = 'ALTER_USER' AND REGEXP_LIKE(QUERY_TEXT, '.*\\sset\\s+(.*\\s)?rsa_public_key(_2)?\\s*=.*', 'is') THEN 'key_set'
           WHEN REGEXP_LIKE(QUERY_TEXT, '.*system\\$generate_scim_access_token.*', 'is') THEN 'scim_token'
         END AS CHANGE,
         REGEXP_SUBSTR(QUERY_TEXT, '(create|alter)\\s+user\\s+(if\\s+(not\\s+)?exists\\s+)?("[^"]+"|[a-z_][a-z0-9_$]*)', 1, 1, 'is', 4) AS TARGET
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE END_TIME >= ? AND END_TIME < ?
    AND ${executionSucceededSql()}
    AND COALESCE(QUERY_TAG, '') <> ?
    AND (   (QUERY_TYPE IN ('CREATE_USER', 'ALTER_USER'))
         OR (REGEXP_LIKE(QUERY_TEXT, '.*system\\$generate_scim_access_token.*', 'is') AND QUERY_TYPE NOT IN ('SHOW', 'DESCRIBE')))
)
SELECT CASE
         WHEN CHANGE = 'scim_token' OR TARGET IS NULL THEN ACTOR
         WHEN STARTSWITH(TARGET, '"') THEN REPLACE(SUBSTR(TARGET, 2, LENGTH(TARGET) - 2), '""', '"')
         ELSE UPPER(TARGET)
       END AS USER_NAME,
       END_TIME AS EVENT_TIME,
       ARRAY_CONSTRUCT(QUERY_ID) AS EVIDENCE_IDS,
       'Identity change (' || CHANGE || ') by ' || COALESCE(ACTOR, 'an unknown user') || '.' AS REASON,
       OBJECT_CONSTRUCT('change', CHANGE, 'actor', ACTOR, 'actorRole', ROLE_NAME) AS ATTRIBUTES
FROM CHANGES
WHERE CHANGE IS NOT NULL
ORDER BY EVENT_TIME`;
    return { sql, bindings: [window.from, window.to, EXPORTER_QUERY_TAG] };
  },
};
