// SF-05: users who can currently sign in without their second factor: an open MFA bypass window (ALTER USER ...
// SET MINS_TO_BYPASS_MFA), or a LEGACY_SERVICE user that still has a password (legacy service users are exempt from
// MFA enforcement, so their password is a single-factor door). Both are posture: one finding per user.
import type { SqlDetection } from '../../types.ts';
import { ENABLED_USER_CONDITION } from './conditions.ts';
import { isoUtcText } from '../timestamp-text.ts';

// CLOCK holds "now" once: the window's end (the collection cycle's Snowflake time), bound rather than
// CURRENT_TIMESTAMP() so a cycle's result is reproducible.
export const MFA_BYPASS_ACTIVE_SQL = `WITH CLOCK AS (SELECT ?::TIMESTAMP_LTZ AS NOW_TS),
EXPOSED AS (
  SELECT u.NAME, u.TYPE, u.CREATED_ON, u.BYPASS_MFA_UNTIL, c.NOW_TS,
         COALESCE(u.BYPASS_MFA_UNTIL > c.NOW_TS, FALSE) AS BYPASS_OPEN
  FROM SNOWFLAKE.ACCOUNT_USAGE.USERS u
  CROSS JOIN CLOCK c
  WHERE ${ENABLED_USER_CONDITION}
    AND (
         u.BYPASS_MFA_UNTIL > c.NOW_TS
      OR (u.TYPE = 'LEGACY_SERVICE' AND COALESCE(u.HAS_PASSWORD, FALSE))
    )
)
SELECT NAME AS USER_NAME,
       IFF(BYPASS_OPEN, NOW_TS, CREATED_ON) AS EVENT_TIME,
       ARRAY_CONSTRUCT(NAME) AS EVIDENCE_IDS,
       IFF(BYPASS_OPEN,
           'MFA bypass window open until ' || ${isoUtcText('BYPASS_MFA_UNTIL')},
           'LEGACY_SERVICE user with a password: can sign in without MFA or a key pair') AS REASON,
       OBJECT_CONSTRUCT(
         'reason', IFF(BYPASS_OPEN, 'bypass_window', 'legacy_service_password'),
         'bypassMfaUntil', COALESCE(${isoUtcText('BYPASS_MFA_UNTIL')}, ''),
         'userType', COALESCE(TYPE, 'UNSET')
       ) AS ATTRIBUTES
FROM EXPOSED
ORDER BY NAME`;

export const mfaBypassActive: SqlDetection = {
  kind: 'sql',
  id: 'mfa.bypass_active',
  catalog: 'SF-05',
  title: 'MFA bypass open, or legacy service user with a password',
  severity: 'medium',
  family: 'mfa',
  views: ['USERS'],
  requires: 'USERS.TYPE (bundle 2024_06)',
  parameters: {},
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_users_mfa_bypass_active'],
  runbook: 'mfa-bypass_active',
  description:
    'Enabled users whose BYPASS_MFA_UNTIL lies in the future (an administrator let them skip MFA for a while), and ' +
    'enabled LEGACY_SERVICE users that still have a password. Either can sign in with a password alone. One finding ' +
    'per user (evidence = the user name); the attributes say which of the two applies.',
  schedule: 'users',
  statement: (window) => ({ sql: MFA_BYPASS_ACTIVE_SQL, bindings: [window.to] }),
};
