// SF-23: a privilege granted to the PUBLIC role, i.e. to every user of the account. Read from GRANTS_TO_ROLES
// (GRANTEE_NAME = 'PUBLIC'), not from query text: the text-based public query (`%to%public%`) also matches
// `GRANT ... ON SCHEMA X.PUBLIC TO ROLE Y`, which grants nothing to PUBLIC. One finding per GRANT statement (a
// `... ON ALL TABLES IN SCHEMA ...` grant makes one row per table), with the statement's user and QUERY_ID.
import type { SqlDetection } from '../../types.ts';
import { EXPORTER_QUERY_TAG } from '../../../snowflake/account-client.ts';
import { numberParameter } from '../auth/sql-helpers.ts';
import { GRANT_STATEMENTS_CTES, grantStatementBindings } from './grant-statement-join.ts';
import { timestampKeyText } from '../timestamp-text.ts';

const parameters = {
  statementSlackSeconds: { description: 'Tolerance when pairing a grant row with its GRANT statement.', default: 60 },
};

export const privGrantToPublic: SqlDetection = {
  kind: 'sql',
  schedule: 'grants',
  id: 'priv.grant_to_public',
  catalog: 'SF-23',
  title: 'Privilege granted to the PUBLIC role',
  severity: 'medium',
  family: 'priv',
  views: ['GRANTS_TO_ROLES', 'QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'priv-grant_to_public',
  description:
    'New GRANTS_TO_ROLES rows whose grantee is the PUBLIC role: every user, present and future, receives the ' +
    'privilege. Grants made before the window (such as the default grants every account has) are not reported.',
  statement(window, values) {
    const slack = numberParameter(values, parameters, 'statementSlackSeconds');
    const sql = `WITH GRANT_ROWS AS (
  SELECT PRIVILEGE || ':' || GRANTED_ON || ':' || COALESCE(TABLE_CATALOG || '.', '') || COALESCE(TABLE_SCHEMA || '.', '') || NAME || ':' || ${timestampKeyText('CREATED_ON')} AS ROW_KEY,
         CREATED_ON, PRIVILEGE, GRANTED_ON,
         COALESCE(TABLE_CATALOG || '.', '') || COALESCE(TABLE_SCHEMA || '.', '') || NAME AS OBJECT_NAME,
         GRANTEE_NAME, GRANTED_BY
  FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES
  WHERE CREATED_ON >= ? AND CREATED_ON < ?
    AND UPPER(GRANTEE_NAME) = 'PUBLIC' AND GRANTED_TO IN ('ROLE', 'ACCOUNT ROLE')
),
${GRANT_STATEMENTS_CTES}
SELECT p.ACTOR AS USER_NAME,
       MAX(g.CREATED_ON) AS EVENT_TIME,
       ARRAY_CONSTRUCT(COALESCE(p.QUERY_ID, MIN(g.ROW_KEY))) AS EVIDENCE_IDS,
       LISTAGG(DISTINCT g.PRIVILEGE, ',') WITHIN GROUP (ORDER BY g.PRIVILEGE) || ' on ' || COUNT(*) || ' object(s) ('
         || MIN(g.OBJECT_NAME) || IFF(COUNT(*) > 1, ', ...', '') || ') granted to role PUBLIC'
         || COALESCE(' by ' || p.ACTOR, '') || '.' AS REASON,
       OBJECT_CONSTRUCT('objects', COUNT(*), 'firstObject', MIN(g.OBJECT_NAME), 'grantedBy', MIN(g.GRANTED_BY),
                        'actor', p.ACTOR, 'actorRole', p.ACTOR_ROLE) AS ATTRIBUTES
FROM GRANT_ROWS g
LEFT JOIN PAIRED p ON p.ROW_KEY = g.ROW_KEY
GROUP BY p.QUERY_ID, p.ACTOR, p.ACTOR_ROLE, IFF(p.QUERY_ID IS NULL, g.ROW_KEY, NULL)
ORDER BY EVENT_TIME`;
    return { sql, bindings: [window.from, window.to, ...grantStatementBindings(window, slack, EXPORTER_QUERY_TAG)] };
  },
};
