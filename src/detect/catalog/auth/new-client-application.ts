// SF-20: a session opened with a client application the user has not used in the prior `baselineDays` (e.g. a
// DataGrip or a JDBC tool appearing for a Snowsight-only analyst). Stolen credentials are used from the attacker's
// tooling, not the victim's. A client is "seen" if either its CLIENT_APPLICATION_ID (driver and version, e.g.
// "JDBC 3.19.0") or its CLIENT_ENVIRONMENT APPLICATION matches an earlier session. A user needs a baseline (a
// session on an earlier UTC day within baselineDays) for anything to be new: a user's first day is not reported.
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from './sql-helpers.ts';

const parameters = {
  baselineDays: { description: 'Days of earlier sessions that make up the user\'s known clients (30 to 90 is usual).', default: 90 },
};

export const authNewClientApplication: SqlDetection = {
  kind: 'sql',
  schedule: 'sessions',
  id: 'auth.new_client_application',
  catalog: 'SF-20',
  title: 'New client application for a user',
  severity: 'medium',
  family: 'auth',
  views: ['SESSIONS'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'auth-new_client_application',
  description:
    'A session whose client application (CLIENT_APPLICATION_ID or CLIENT_ENVIRONMENT APPLICATION) the user has not ' +
    'used in the previous 90 days, when the user has sessions on earlier days in that period. SESSIONS does not ' +
    'record SQL API sessions, so the exporter itself never appears.',
  statement(window, values) {
    const baselineDays = numberParameter(values, parameters, 'baselineDays');
    const sql = `WITH CLIENT_SESSIONS AS (
  SELECT SESSION_ID, CREATED_ON, USER_NAME, CLIENT_APPLICATION_ID,
         TRY_PARSE_JSON(CLIENT_ENVIRONMENT):APPLICATION::STRING AS APPLICATION,
         TRY_PARSE_JSON(CLIENT_ENVIRONMENT):OS::STRING AS OS
  FROM SNOWFLAKE.ACCOUNT_USAGE.SESSIONS
  WHERE CREATED_ON >= DATEADD(DAY, -?, ?) AND CREATED_ON < ? AND USER_NAME IS NOT NULL
),
CANDIDATES AS (
  SELECT * FROM CLIENT_SESSIONS WHERE CREATED_ON >= ?
),
HISTORY AS (
  -- Per candidate, what the earlier sessions of the same user in the baseline say (a join, not correlated subqueries).
  SELECT c.SESSION_ID, c.CREATED_ON, c.USER_NAME, c.CLIENT_APPLICATION_ID, c.APPLICATION, c.OS,
         COUNT_IF(b.CREATED_ON < DATE_TRUNC('DAY', c.CREATED_ON)) AS EARLIER_DAY_SESSIONS,
         COUNT_IF((b.CREATED_ON < c.CREATED_ON OR (b.CREATED_ON = c.CREATED_ON AND b.SESSION_ID < c.SESSION_ID))
                  AND (b.CLIENT_APPLICATION_ID = c.CLIENT_APPLICATION_ID OR b.APPLICATION = c.APPLICATION)) AS SAME_CLIENT_BEFORE
  FROM CANDIDATES c
  JOIN CLIENT_SESSIONS b
    ON b.USER_NAME = c.USER_NAME
   AND b.CREATED_ON >= DATEADD(DAY, -?, c.CREATED_ON) AND b.CREATED_ON <= c.CREATED_ON
  GROUP BY c.SESSION_ID, c.CREATED_ON, c.USER_NAME, c.CLIENT_APPLICATION_ID, c.APPLICATION, c.OS
)
SELECT USER_NAME,
       CREATED_ON AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(SESSION_ID)) AS EVIDENCE_IDS,
       'First session of ' || USER_NAME || ' with client ' || COALESCE(APPLICATION, 'unknown application') || ' ('
         || COALESCE(CLIENT_APPLICATION_ID, 'unknown driver') || ') in ' || ? || ' days.' AS REASON,
       OBJECT_CONSTRUCT('clientApplicationId', CLIENT_APPLICATION_ID, 'application', APPLICATION, 'os', OS) AS ATTRIBUTES
FROM HISTORY
WHERE EARLIER_DAY_SESSIONS > 0 AND SAME_CLIENT_BEFORE = 0
ORDER BY EVENT_TIME`;
    return { sql, bindings: [baselineDays, window.from, window.to, window.from, baselineDays, baselineDays] };
  },
};
