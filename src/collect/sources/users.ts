// Posture snapshot: USERS aggregated in Snowflake -> UsersPosture. Only enabled users count: DELETED_ON IS NULL and
// DISABLED not true. DISABLED and EXT_AUTHN_DUO are VARIANT ('true', true, 'false', NULL...): they go through
// TO_VARCHAR + TRY_TO_BOOLEAN, which never fails on an odd value, and an unknown DISABLED counts as enabled (a user
// we cannot prove disabled is one that can sign in). MFA is HAS_MFA (any method since bundle 2025_06) or Duo
// (EXT_AUTHN_DUO, which older accounts set without HAS_MFA).
import type { UsersPosture } from '../posture.ts';
import { SOURCES } from '../source-ids.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { bind } from '../../snowflake/sqlapi/index.ts';
import { readRows } from './snapshot.ts';
import { booleanOf, numberOf, textOf } from './values.ts';

export const DEFAULT_STALE_AFTER_DAYS = 90;

/** Enabled, not deleted (shared with the admins snapshot). */
export const ENABLED_USER_CONDITION = `DELETED_ON IS NULL AND NOT COALESCE(TRY_TO_BOOLEAN(TO_VARCHAR(DISABLED)), FALSE)`;
/** MFA by any method, Duo included. */
export const USER_HAS_MFA = `(COALESCE(HAS_MFA, FALSE) OR COALESCE(TRY_TO_BOOLEAN(TO_VARCHAR(EXT_AUTHN_DUO)), FALSE))`;

export const USERS_POSTURE_SQL = `SELECT COALESCE(TYPE, 'UNSET') AS USER_TYPE,
       COALESCE(HAS_PASSWORD, FALSE) AS HAS_PASSWORD,
       ${USER_HAS_MFA} AS HAS_MFA,
       COALESCE(HAS_RSA_PUBLIC_KEY, FALSE) AS HAS_RSA_PUBLIC_KEY,
       COUNT(*) AS USERS,
       COUNT_IF(BYPASS_MFA_UNTIL > :now) AS MFA_BYPASS_ACTIVE,
       COUNT_IF(LAST_SUCCESS_LOGIN IS NULL OR LAST_SUCCESS_LOGIN < :stale_before) AS STALE
FROM SNOWFLAKE.ACCOUNT_USAGE.USERS
WHERE ${ENABLED_USER_CONDITION}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4`;

export interface UsersPostureOptions {
  /** Enabled users whose last successful login is older than this (or who never signed in) are stale. Default 90. */
  readonly staleAfterDays?: number | undefined;
}

export class UsersPostureSource implements Source {
  readonly id = 'users';
  readonly view = `SNOWFLAKE.ACCOUNT_USAGE.${SOURCES.users.view}`;
  readonly needsWarehouse = true;
  // Posture behind the MFA detections (admins without MFA is critical): refreshed even over the credit budget.
  readonly critical = true;
  readonly staleAfterDays: number;

  constructor(options: UsersPostureOptions = {}) {
    this.staleAfterDays = options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    if (!Number.isSafeInteger(this.staleAfterDays) || this.staleAfterDays < 1) throw new RangeError('staleAfterDays must be a whole number >= 1');
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const now = context.snowflakeNow;
    const staleBefore = new Date(now.getTime() - this.staleAfterDays * 86_400_000);
    const rows = await readRows(context, this.id, this.view, USERS_POSTURE_SQL, { now: bind.timestampLtz(now), stale_before: bind.timestampLtz(staleBefore) });
    let mfaBypassActive = 0;
    let staleEnabledUsers = 0;
    const counts = rows.map((row) => {
      mfaBypassActive += numberOf(row, 'MFA_BYPASS_ACTIVE');
      staleEnabledUsers += numberOf(row, 'STALE');
      return {
        userType: textOf(row, 'USER_TYPE') ?? 'UNSET',
        hasPassword: booleanOf(row, 'HAS_PASSWORD') ?? false,
        hasMfa: booleanOf(row, 'HAS_MFA') ?? false,
        hasRsaPublicKey: booleanOf(row, 'HAS_RSA_PUBLIC_KEY') ?? false,
        users: numberOf(row, 'USERS'),
      };
    });
    const data: UsersPosture = { kind: 'users', counts, mfaBypassActive, staleEnabledUsers, staleAfterDays: this.staleAfterDays };
    context.publishPosture({ account: context.account.name, takenAt: now, data });
    return { rows: rows.length, delivered: 0 };
  }
}
