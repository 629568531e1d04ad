// SF-03: a successful sign-in with a password and no second factor. SF-01 says who could be abused; this says it
// happened. Raised to critical, in Snowflake, when the user holds an admin role (directly or through the role
// hierarchy) or signs in from an address they never used before (with at least one earlier successful sign-in in
// the history look-back, so a user's first login in the history is not called "new").
import { DEFAULT_ADMIN_ROLES, MAX_ROLE_HIERARCHY_DEPTH } from '../../../collect/sources/admins.ts';
import type { SqlDetection } from '../../types.ts';
import { ADMIN_HOLDERS_CTES } from './conditions.ts';
import { numberParameter, roleListBinding, stringListParameter } from './parameters.ts';

const DAY_MS = 86_400_000;
export const DEFAULT_IP_HISTORY_DAYS = 30;

export const PASSWORD_LOGIN_WITHOUT_MFA_SQL = `WITH RECURSIVE ${ADMIN_HOLDERS_CTES},
USER_ADMIN_ROLES AS (
  SELECT USER_NAME, LISTAGG(DISTINCT ADMIN_ROLE, ',') WITHIN GROUP (ORDER BY ADMIN_ROLE) AS ADMIN_ROLES
  FROM ADMIN_HOLDERS
  GROUP BY USER_NAME
),
PASSWORD_ONLY_LOGINS AS (
  SELECT EVENT_ID, EVENT_TIMESTAMP, USER_NAME, CLIENT_IP, REPORTED_CLIENT_TYPE
  FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
  WHERE EVENT_TIMESTAMP >= ? AND EVENT_TIMESTAMP < ?
    AND EVENT_TYPE = 'LOGIN'
    AND IS_SUCCESS = 'YES'
    AND UPPER(FIRST_AUTHENTICATION_FACTOR) = 'PASSWORD'
    AND SECOND_AUTHENTICATION_FACTOR IS NULL
),
IP_HISTORY AS (
  SELECT l.EVENT_ID,
         COUNT(p.EVENT_ID) AS EARLIER_LOGINS,
         COUNT_IF(p.CLIENT_IP = l.CLIENT_IP) AS EARLIER_LOGINS_FROM_IP
  FROM PASSWORD_ONLY_LOGINS l
  LEFT JOIN SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY p
    ON p.USER_NAME = l.USER_NAME
   AND p.IS_SUCCESS = 'YES'
   AND p.EVENT_TIMESTAMP >= ?
   AND p.EVENT_TIMESTAMP < l.EVENT_TIMESTAMP
  GROUP BY l.EVENT_ID
)
SELECT l.USER_NAME,
       l.EVENT_TIMESTAMP AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(l.EVENT_ID)) AS EVIDENCE_IDS,
       'Successful PASSWORD login without a second factor'
         || IFF(a.ADMIN_ROLES IS NOT NULL, ' by an admin user (' || a.ADMIN_ROLES || ')', '')
         || IFF(h.EARLIER_LOGINS > 0 AND h.EARLIER_LOGINS_FROM_IP = 0, ' from an address new for the user', '') AS REASON,
       IFF(a.ADMIN_ROLES IS NOT NULL OR (h.EARLIER_LOGINS > 0 AND h.EARLIER_LOGINS_FROM_IP = 0), 'critical', 'high') AS SEVERITY,
       OBJECT_CONSTRUCT(
         'clientIp', COALESCE(l.CLIENT_IP, ''),
         'clientType', COALESCE(l.REPORTED_CLIENT_TYPE, ''),
         'adminRoles', COALESCE(a.ADMIN_ROLES, ''),
         'newIp', h.EARLIER_LOGINS > 0 AND h.EARLIER_LOGINS_FROM_IP = 0
       ) AS ATTRIBUTES
FROM PASSWORD_ONLY_LOGINS l
JOIN IP_HISTORY h ON h.EVENT_ID = l.EVENT_ID
LEFT JOIN USER_ADMIN_ROLES a ON a.USER_NAME = l.USER_NAME
ORDER BY l.EVENT_TIMESTAMP, l.EVENT_ID`;

export const passwordLoginWithoutMfa: SqlDetection = {
  kind: 'sql',
  id: 'mfa.password_login_without_mfa',
  catalog: 'SF-03',
  title: 'Successful password login without a second factor',
  severity: 'high',
  family: 'mfa',
  views: ['LOGIN_HISTORY', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES'],
  parameters: {
    adminRoles: { description: 'Roles whose holders make the finding critical (directly or through the role hierarchy).', default: DEFAULT_ADMIN_ROLES },
    ipHistoryDays: { description: 'Days of earlier successful logins against which an address is judged new for the user.', default: DEFAULT_IP_HISTORY_DAYS },
  },
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'mfa-password_login_without_mfa',
  description:
    'Every successful LOGIN whose first factor is PASSWORD and whose second factor is empty, whoever the user ' +
    '(a legacy service signing in with its password is reported too). Severity high, raised to critical when the ' +
    'user holds an admin role (role hierarchy included) or when the client IP is new for the user: the user had ' +
    'successful logins in the look-back (default 30 days before the window) and none from that address.',
  schedule: 'login_history',
  statement: (window, parameters) => {
    const historyDays = Math.max(1, numberParameter(parameters, 'ipHistoryDays', DEFAULT_IP_HISTORY_DAYS));
    return {
      sql: PASSWORD_LOGIN_WITHOUT_MFA_SQL,
      bindings: [
        roleListBinding(stringListParameter(parameters, 'adminRoles', DEFAULT_ADMIN_ROLES)),
        MAX_ROLE_HIERARCHY_DEPTH,
        window.from,
        window.to,
        new Date(window.from.getTime() - historyDays * DAY_MS),
      ],
    };
  },
};
