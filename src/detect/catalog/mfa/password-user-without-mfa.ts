// SF-01: every enabled human user who can sign in with a password alone. This is the precondition UNC5537 exploited
// (stolen passwords, no second factor), and CIS 1.4 / Security Essentials check the same thing. A 'sql' detection
// rather than 'posture' because each offending user must be named: the USERS snapshot only brings back counts.
import type { SqlDetection } from '../../types.ts';
import { ENABLED_USER_CONDITION, HUMAN_PASSWORD_USER_WITHOUT_MFA } from './conditions.ts';

export const PASSWORD_USER_WITHOUT_MFA_SQL = `SELECT NAME AS USER_NAME,
       COALESCE(PASSWORD_LAST_SET_TIME, CREATED_ON) AS EVENT_TIME,
       ARRAY_CONSTRUCT(NAME) AS EVIDENCE_IDS,
       'Human user ' || NAME || ' has a password and no MFA method' AS REASON,
       OBJECT_CONSTRUCT('userType', COALESCE(TYPE, 'UNSET')) AS ATTRIBUTES
FROM SNOWFLAKE.ACCOUNT_USAGE.USERS
WHERE ${ENABLED_USER_CONDITION}
  AND ${HUMAN_PASSWORD_USER_WITHOUT_MFA}
ORDER BY NAME`;

export const passwordUserWithoutMfa: SqlDetection = {
  kind: 'sql',
  id: 'mfa.password_user_without_mfa',
  catalog: 'SF-01',
  title: 'Human user with a password and no MFA',
  severity: 'high',
  family: 'mfa',
  views: ['USERS'],
  requires: 'USERS.TYPE and HAS_MFA (bundle 2024_06; HAS_MFA covers TOTP and passkeys from bundle 2025_06)',
  parameters: {},
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_users_without_mfa'],
  runbook: 'mfa-password_user_without_mfa',
  description:
    'Names every enabled, not deleted user of TYPE PERSON (or unset) who has a password and neither HAS_MFA nor Duo ' +
    '(EXT_AUTHN_DUO). Such a user can be signed in to with a stolen password alone. SSO users without a password and ' +
    'service users are left out. One finding per user with the user name as evidence, so the finding keeps the same ' +
    'id from run to run and is not counted twice.',
  schedule: 'users',
  statement: () => ({ sql: PASSWORD_USER_WITHOUT_MFA_SQL, bindings: [] }),
};
