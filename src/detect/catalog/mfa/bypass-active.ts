// SF-05: users who can currently sign in without their second factor: an open MFA bypass window (ALTER USER ...
// SET MINS_TO_BYPASS_MFA), or a LEGACY_SERVICE user that still has a password (legacy service users are exempt from
// MFA enforcement, so their password is a single-factor door). Both are posture: one finding per user.
//
// USERS.TYPE comes with behaviour change bundle 2024_06: on an account without it no user is a LEGACY_SERVICE user
// (the type does not exist there), so the runner builds the statement without the column (optionalColumns): the
// bypass-window check still runs and the legacy-service check is reported unavailable (part `user_type`).
import { USER_TYPE_COLUMN } from '../../../collect/sources/users.ts';
import type { SourcePart } from '../../../collect/source-parts.ts';
import type { SqlDetection } from '../../types.ts';
import { ENABLED_USER_CONDITION } from './conditions.ts';
import { isoUtcText } from '../timestamp-text.ts';

// CLOCK holds "now" once: the window's end (the collection cycle's Snowflake time), bound rather than
// CURRENT_TIMESTAMP() so a cycle's result is reproducible. The type is selected as USER_TYPE, never aliased TYPE: an
// alias named like a column the view lacks would not be refused as that column.
export function mfaBypassActiveSql(missing: ReadonlySet<SourcePart>): string {
  const withType = !missing.has('user_type');
  return `WITH CLOCK AS (SELECT ?::TIMESTAMP_LTZ AS NOW_TS),
EXPOSED AS (
  SELECT u.NAME, ${withType ? 'u.TYPE' : 'NULL::VARCHAR'} AS USER_TYPE, u.CREATED_ON, u.BYPASS_MFA_UNTIL, c.NOW_TS,
         COALESCE(u.BYPASS_MFA_UNTIL > c.NOW_TS, FALSE) AS BYPASS_OPEN
  FROM SNOWFLAKE.ACCOUNT_USAGE.USERS u
  CROSS JOIN CLOCK c
  WHERE ${ENABLED_USER_CONDITION}
    AND (
         u.BYPASS_MFA_UNTIL > c.NOW_TS${withType ? "\n      OR (u.TYPE = 'LEGACY_SERVICE' AND COALESCE(u.HAS_PASSWORD, FALSE))" : ''}
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
         'userType', COALESCE(USER_TYPE, 'UNSET')
       ) AS ATTRIBUTES
FROM EXPOSED
ORDER BY NAME`;
}

/** The statement on an account with every column. */
export const MFA_BYPASS_ACTIVE_SQL = mfaBypassActiveSql(new Set());

export const mfaBypassActive: SqlDetection = {
  kind: 'sql',
  id: 'mfa.bypass_active',
  catalog: 'SF-05',
  title: 'MFA bypass open, or legacy service user with a password',
  severity: 'medium',
  family: 'mfa',
  views: ['USERS'],
  requires: 'USERS.TYPE (bundle 2024_06) for the legacy-service check (without it the bypass-window check still runs; the other is reported unavailable)',
  optionalColumns: [USER_TYPE_COLUMN],
  parameters: {},
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_users_mfa_bypass_active'],
  runbook: 'mfa-bypass_active',
  description:
    'Enabled users whose BYPASS_MFA_UNTIL lies in the future (an administrator let them skip MFA for a while), and ' +
    'enabled LEGACY_SERVICE users that still have a password. Either can sign in with a password alone. One finding ' +
    'per user (evidence = the user name); the attributes say which of the two applies.',
  schedule: 'users',
  statement: (window, _parameters, missing) => ({ sql: mfaBypassActiveSql(missing ?? new Set()), bindings: [window.to] }),
};
