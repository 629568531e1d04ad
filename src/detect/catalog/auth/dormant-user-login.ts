// SF-19: a successful login by a user whose previous successful login was more than `dormantDays` earlier. A
// dormant account waking up is a classic sign of a stolen credential (nobody watches an unused account) or of a
// leaver's account being reused. LAG over each user's successful logins gives the previous one; history is read back
// `lookbackDays` (ACCOUNT_USAGE keeps 365 days) only for users who logged in during the window.
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from './sql-helpers.ts';

const parameters = {
  dormantDays: { description: 'Days without a successful login after which a login is from a dormant user.', default: 90 },
  lookbackDays: { description: 'How far back to look for the previous successful login (at most the 365-day retention).', default: 365 },
};

export const authDormantUserLogin: SqlDetection = {
  kind: 'sql',
  schedule: 'login_history',
  id: 'auth.dormant_user_login',
  catalog: 'SF-19',
  title: 'Login by a dormant user',
  severity: 'medium',
  family: 'auth',
  views: ['LOGIN_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_stale_enabled_users'],
  runbook: 'auth-dormant_user_login',
  description:
    'A successful login whose previous successful login by the same user is more than 90 days older. A user with no ' +
    'earlier login in the look-back (new user, or older than the retention) is not reported: there is no evidence ' +
    'of dormancy, and the stale-user posture gauge covers never-used accounts.',
  statement(window, values) {
    const dormantDays = numberParameter(values, parameters, 'dormantDays');
    const lookbackDays = numberParameter(values, parameters, 'lookbackDays');
    const sql = `WITH ACTIVE_USERS AS (
  SELECT DISTINCT USER_NAME
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  WHERE EVENT_TIMESTAMP >= ? AND EVENT_TIMESTAMP < ? AND IS_SUCCESS = 'YES' AND USER_NAME IS NOT NULL
),
SUCCESSES AS (
  SELECT l.EVENT_ID, l.EVENT_TIMESTAMP, l.USER_NAME, l.CLIENT_IP,
         LAG(l.EVENT_TIMESTAMP) OVER (PARTITION BY l.USER_NAME ORDER BY l.EVENT_TIMESTAMP, l.EVENT_ID) AS PREVIOUS_LOGIN,
         LAG(l.EVENT_ID) OVER (PARTITION BY l.USER_NAME ORDER BY l.EVENT_TIMESTAMP, l.EVENT_ID) AS PREVIOUS_EVENT_ID
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l
  JOIN ACTIVE_USERS u ON u.USER_NAME = l.USER_NAME
  WHERE l.IS_SUCCESS = 'YES' AND l.EVENT_TIMESTAMP >= DATEADD(DAY, -?, ?) AND l.EVENT_TIMESTAMP < ?
)
SELECT USER_NAME,
       EVENT_TIMESTAMP AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(EVENT_ID)) AS EVIDENCE_IDS,
       'Successful login of ' || USER_NAME || ' from ' || COALESCE(CLIENT_IP, 'an unknown IP') || ', '
         || DATEDIFF(DAY, PREVIOUS_LOGIN, EVENT_TIMESTAMP) || ' days after the previous successful login.' AS REASON,
       OBJECT_CONSTRUCT('daysSincePreviousLogin', DATEDIFF(DAY, PREVIOUS_LOGIN, EVENT_TIMESTAMP),
                        'previousLoginEventId', TO_VARCHAR(PREVIOUS_EVENT_ID), 'clientIp', CLIENT_IP) AS ATTRIBUTES
FROM SUCCESSES
WHERE EVENT_TIMESTAMP >= ?
  AND PREVIOUS_LOGIN IS NOT NULL
  AND PREVIOUS_LOGIN < DATEADD(DAY, -?, EVENT_TIMESTAMP)
ORDER BY EVENT_TIME`;
    return { sql, bindings: [window.from, window.to, lookbackDays, window.from, window.to, window.from, dormantDays] };
  },
};
