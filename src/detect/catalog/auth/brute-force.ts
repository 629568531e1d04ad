// SF-18 (brute force): at least `threshold` failed password logins for one user from one IP within 24 hours,
// escalated to high when a successful login from the same IP follows (the guess worked). Runs in Snowflake: for
// each (ip, user) the first failure that opens a 24-hour run of >= threshold failures anchors the finding, so a
// burst seen again in an overlapping window gives the same evidence and the same finding id.
import type { SqlDetection } from '../../types.ts';
import { FAILURE_ERRORS_PARAMETER } from './login-failure-condition.ts';
import { inList, listParameter, numberParameter } from './sql-helpers.ts';

const parameters = {
  threshold: { description: 'Failed logins per (client IP, user) within windowHours that make a brute force.', default: 5 },
  windowHours: { description: 'Length of the sliding window the failures must fall in.', default: 24 },
  successWithinHours: { description: 'How long after the last failure a success from the same IP escalates the finding.', default: 24 },
  errorMessages: FAILURE_ERRORS_PARAMETER,
};


export const authBruteForce: SqlDetection = {
  kind: 'sql',
  schedule: 'login_history',
  id: 'auth.brute_force',
  catalog: 'SF-18',
  title: 'Brute force: repeated failed logins for one user from one IP',
  severity: 'medium',
  family: 'auth',
  views: ['LOGIN_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'auth-brute_force',
  description:
    '>= 5 failed logins (wrong password or temporary lock-out) for the same user from the same client IP within 24 h ' +
    'is medium; followed by a successful login from that IP it is high, because the attacker then holds a working ' +
    'credential. Typos (a few failures then the right password) stay below the threshold.',
  statement(window, values) {
    const errors = inList('ERROR_MESSAGE', listParameter(values, parameters, 'errorMessages'));
    const threshold = numberParameter(values, parameters, 'threshold');
    const windowHours = numberParameter(values, parameters, 'windowHours');
    const successHours = numberParameter(values, parameters, 'successWithinHours');
    const sql = `WITH FAILURES AS (
  SELECT EVENT_ID, EVENT_TIMESTAMP, USER_NAME, CLIENT_IP
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  -- From windowHours before the window, so a burst that straddles its start is still seen whole.
  WHERE EVENT_TIMESTAMP >= DATEADD(HOUR, -?, ?) AND EVENT_TIMESTAMP < ?
    AND EVENT_TYPE = 'LOGIN' AND IS_SUCCESS = 'NO'
    AND USER_NAME IS NOT NULL AND CLIENT_IP IS NOT NULL AND CLIENT_IP <> '0.0.0.0'
    AND (${errors.sql})
),
RUNS AS (
  -- For each failure, the failures of the same (ip, user) in the windowHours that follow it.
  SELECT a.CLIENT_IP, a.USER_NAME, a.EVENT_TIMESTAMP AS STARTED, COUNT(*) AS FAILURES
  FROM FAILURES a
  JOIN FAILURES b
    ON b.CLIENT_IP = a.CLIENT_IP AND b.USER_NAME = a.USER_NAME
   AND b.EVENT_TIMESTAMP >= a.EVENT_TIMESTAMP AND b.EVENT_TIMESTAMP < DATEADD(HOUR, ?, a.EVENT_TIMESTAMP)
  GROUP BY a.CLIENT_IP, a.USER_NAME, a.EVENT_ID, a.EVENT_TIMESTAMP
  HAVING COUNT(*) >= ?
),
BURSTS AS (
  SELECT CLIENT_IP, USER_NAME, STARTED
  FROM RUNS
  QUALIFY ROW_NUMBER() OVER (PARTITION BY CLIENT_IP, USER_NAME ORDER BY STARTED) = 1
),
BURST_FAILURES AS (
  SELECT b.CLIENT_IP, b.USER_NAME, b.STARTED, f.EVENT_ID, f.EVENT_TIMESTAMP
  FROM BURSTS b
  JOIN FAILURES f
    ON f.CLIENT_IP = b.CLIENT_IP AND f.USER_NAME = b.USER_NAME
   AND f.EVENT_TIMESTAMP >= b.STARTED AND f.EVENT_TIMESTAMP < DATEADD(HOUR, ?, b.STARTED)
),
SUMMARY AS (
  SELECT CLIENT_IP, USER_NAME, STARTED, MAX(EVENT_TIMESTAMP) AS LAST_FAILURE, COUNT(*) AS FAILURES
  FROM BURST_FAILURES
  GROUP BY CLIENT_IP, USER_NAME, STARTED
  -- Only bursts that reach into the window (an older one was reported by an earlier run, with the same evidence).
  HAVING MAX(EVENT_TIMESTAMP) >= ?
),
FOLLOWING_SUCCESS AS (
  -- The first successful login from the same IP after the last failure.
  SELECT s.CLIENT_IP, s.USER_NAME AS BURST_USER, l.EVENT_ID, l.EVENT_TIMESTAMP, l.USER_NAME AS SUCCESS_USER
  FROM SUMMARY s
  JOIN SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l
    ON l.CLIENT_IP = s.CLIENT_IP AND l.IS_SUCCESS = 'YES'
   AND l.EVENT_TIMESTAMP > s.LAST_FAILURE AND l.EVENT_TIMESTAMP <= DATEADD(HOUR, ?, s.LAST_FAILURE)
  QUALIFY ROW_NUMBER() OVER (PARTITION BY s.CLIENT_IP, s.USER_NAME ORDER BY l.EVENT_TIMESTAMP) = 1
),
EVIDENCE AS (
  SELECT CLIENT_IP, USER_NAME, ARRAY_AGG(ID) WITHIN GROUP (ORDER BY ID) AS IDS
  FROM (
    SELECT CLIENT_IP, USER_NAME, TO_VARCHAR(EVENT_ID) AS ID FROM BURST_FAILURES
    UNION ALL
    SELECT CLIENT_IP, BURST_USER, TO_VARCHAR(EVENT_ID) FROM FOLLOWING_SUCCESS
  )
  GROUP BY CLIENT_IP, USER_NAME
)
SELECT s.USER_NAME,
       COALESCE(x.EVENT_TIMESTAMP, s.LAST_FAILURE) AS EVENT_TIME,
       ev.IDS AS EVIDENCE_IDS,
       s.FAILURES || ' failed logins for ' || s.USER_NAME || ' from ' || s.CLIENT_IP || ' within ' || ? || ' h'
         || IFF(x.EVENT_ID IS NULL, '.', ', followed by a successful login of ' || x.SUCCESS_USER || ' from the same IP.') AS REASON,
       OBJECT_CONSTRUCT('clientIp', s.CLIENT_IP, 'failures', s.FAILURES, 'followedBySuccess', x.EVENT_ID IS NOT NULL,
                        'successUser', x.SUCCESS_USER) AS ATTRIBUTES,
       IFF(x.EVENT_ID IS NULL, 'medium', 'high') AS SEVERITY
FROM SUMMARY s
LEFT JOIN FOLLOWING_SUCCESS x ON x.CLIENT_IP = s.CLIENT_IP AND x.BURST_USER = s.USER_NAME
JOIN EVIDENCE ev ON ev.CLIENT_IP = s.CLIENT_IP AND ev.USER_NAME = s.USER_NAME
ORDER BY EVENT_TIME`;
    return { sql, bindings: [windowHours, window.from, window.to, ...errors.bindings, windowHours, threshold, windowHours, window.from, successHours, windowHours] };
  },
};
