// SF-18 (spray): one client IP failing to sign in as many different users within an hour: one password tried
// against many accounts, which stays under per-user lock-out thresholds. The first failure that opens a window with
// >= threshold distinct users anchors the finding (stable across overlapping runs).
import type { SqlDetection } from '../../types.ts';
import { FAILURE_ERRORS_PARAMETER } from './login-failure-condition.ts';
import { inList, listParameter, numberParameter } from './sql-helpers.ts';

const parameters = {
  threshold: { description: 'Distinct user names failing from one client IP within windowMinutes.', default: 5 },
  windowMinutes: { description: 'Length of the sliding window.', default: 60 },
  errorMessages: FAILURE_ERRORS_PARAMETER,
};

export const authPasswordSpray: SqlDetection = {
  kind: 'sql',
  schedule: 'login_history',
  id: 'auth.password_spray',
  catalog: 'SF-18',
  title: 'Password spray: one IP failing for many users',
  severity: 'medium',
  family: 'auth',
  views: ['LOGIN_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'auth-password_spray',
  description:
    '>= 5 distinct user names (existing or not) with failed password logins from the same client IP within one hour. ' +
    'The finding names no user (the IP is the actor); the attempted users are counted in attributes.',
  statement(window, values) {
    const errors = inList('ERROR_MESSAGE', listParameter(values, parameters, 'errorMessages'));
    const threshold = numberParameter(values, parameters, 'threshold');
    const minutes = numberParameter(values, parameters, 'windowMinutes');
    const sql = `WITH FAILURES AS (
  SELECT EVENT_ID, EVENT_TIMESTAMP, COALESCE(USER_NAME, '') AS USER_NAME, CLIENT_IP
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  -- From windowMinutes before the window, so a spray that straddles its start is still seen whole.
  WHERE EVENT_TIMESTAMP >= DATEADD(MINUTE, -?, ?) AND EVENT_TIMESTAMP < ?
    AND EVENT_TYPE = 'LOGIN' AND IS_SUCCESS = 'NO'
    AND CLIENT_IP IS NOT NULL AND CLIENT_IP <> '0.0.0.0'
    AND (${errors.sql})
),
RUNS AS (
  SELECT a.CLIENT_IP, a.EVENT_TIMESTAMP AS STARTED
  FROM FAILURES a
  JOIN FAILURES b
    ON b.CLIENT_IP = a.CLIENT_IP
   AND b.EVENT_TIMESTAMP >= a.EVENT_TIMESTAMP AND b.EVENT_TIMESTAMP < DATEADD(MINUTE, ?, a.EVENT_TIMESTAMP)
  GROUP BY a.CLIENT_IP, a.EVENT_ID, a.EVENT_TIMESTAMP
  HAVING COUNT(DISTINCT b.USER_NAME) >= ?
),
SPRAYS AS (
  SELECT CLIENT_IP, STARTED
  FROM RUNS
  QUALIFY ROW_NUMBER() OVER (PARTITION BY CLIENT_IP ORDER BY STARTED) = 1
)
SELECT NULL AS USER_NAME,
       MAX(f.EVENT_TIMESTAMP) AS EVENT_TIME,
       ARRAY_AGG(TO_VARCHAR(f.EVENT_ID)) AS EVIDENCE_IDS,
       'Failed logins for ' || COUNT(DISTINCT f.USER_NAME) || ' distinct user names from ' || s.CLIENT_IP || ' within ' || ? || ' minutes.' AS REASON,
       OBJECT_CONSTRUCT('clientIp', s.CLIENT_IP, 'distinctUsers', COUNT(DISTINCT f.USER_NAME), 'failures', COUNT(*)) AS ATTRIBUTES
FROM SPRAYS s
JOIN FAILURES f
  ON f.CLIENT_IP = s.CLIENT_IP AND f.EVENT_TIMESTAMP >= s.STARTED AND f.EVENT_TIMESTAMP < DATEADD(MINUTE, ?, s.STARTED)
GROUP BY s.CLIENT_IP, s.STARTED
HAVING MAX(f.EVENT_TIMESTAMP) >= ?
ORDER BY EVENT_TIME`;
    return { sql, bindings: [minutes, window.from, window.to, ...errors.bindings, minutes, threshold, minutes, minutes, window.from] };
  },
};
