// SF-04: a service identity signed in with a password. Service users are meant to use key pairs (CIS 1.6); a
// password login means either a legacy setup or someone using a leaked service password interactively. Keyed on
// USERS.TYPE rather than a naming convention such as '%SVC'.
import type { SqlDetection } from '../../types.ts';

export const SERVICE_USER_PASSWORD_LOGIN_SQL = `WITH CURRENT_USERS AS (
  SELECT NAME, TYPE, HAS_RSA_PUBLIC_KEY
  FROM SNOWFLAKE.ACCOUNT_USAGE.USERS
  QUALIFY ROW_NUMBER() OVER (PARTITION BY NAME ORDER BY CREATED_ON DESC) = 1
)
SELECT l.USER_NAME,
       l.EVENT_TIMESTAMP AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(l.EVENT_ID)) AS EVIDENCE_IDS,
       'User of TYPE ' || COALESCE(u.TYPE, 'UNSET') || IFF(COALESCE(u.HAS_RSA_PUBLIC_KEY, FALSE), ' with a key pair', '')
         || ' signed in with a PASSWORD' AS REASON,
       OBJECT_CONSTRUCT(
         'userType', COALESCE(u.TYPE, 'UNSET'),
         'hasRsaPublicKey', COALESCE(u.HAS_RSA_PUBLIC_KEY, FALSE),
         'clientIp', COALESCE(l.CLIENT_IP, ''),
         'clientType', COALESCE(l.REPORTED_CLIENT_TYPE, ''),
         'secondFactor', COALESCE(l.SECOND_AUTHENTICATION_FACTOR, '')
       ) AS ATTRIBUTES
FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l
JOIN CURRENT_USERS u ON u.NAME = l.USER_NAME
WHERE l.EVENT_TIMESTAMP >= ? AND l.EVENT_TIMESTAMP < ?
  AND l.EVENT_TYPE = 'LOGIN'
  AND l.IS_SUCCESS = 'YES'
  AND UPPER(l.FIRST_AUTHENTICATION_FACTOR) = 'PASSWORD'
  AND (
       u.TYPE IN ('SERVICE', 'LEGACY_SERVICE')
    OR (COALESCE(u.HAS_RSA_PUBLIC_KEY, FALSE) AND l.SECOND_AUTHENTICATION_FACTOR IS NULL)
  )
ORDER BY l.EVENT_TIMESTAMP, l.EVENT_ID`;

export const serviceUserPasswordLogin: SqlDetection = {
  kind: 'sql',
  id: 'mfa.service_user_password_login',
  catalog: 'SF-04',
  title: 'Service or key-pair user signed in with a password',
  severity: 'high',
  family: 'mfa',
  views: ['LOGIN_HISTORY', 'USERS'],
  requires: 'USERS.TYPE (bundle 2024_06)',
  parameters: {},
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'mfa-service_user_password_login',
  description:
    'A successful login with first factor PASSWORD by a user of TYPE SERVICE or LEGACY_SERVICE, or by a user with a ' +
    'registered RSA key pair who used the password alone (no second factor). Key-pair users signing in to Snowsight ' +
    'with password + MFA are not reported; other first factors (OAuth, programmatic access tokens) are not passwords ' +
    'and are left to the other detections.',
  schedule: 'login_history',
  statement: (window) => ({ sql: SERVICE_USER_PASSWORD_LOGIN_SQL, bindings: [window.from, window.to] }),
};
