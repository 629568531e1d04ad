// Posture snapshot: USERS aggregated in Snowflake -> UsersPosture. Only enabled users count: DELETED_ON IS NULL and
// DISABLED not true. DISABLED and EXT_AUTHN_DUO are VARIANT ('true', true, 'false', NULL...): they go through
// TO_VARCHAR + TRY_TO_BOOLEAN, which never fails on an odd value, and an unknown DISABLED counts as enabled (a user
// we cannot prove disabled is one that can sign in). MFA is HAS_MFA (any method since bundle 2025_06) or Duo
// (EXT_AUTHN_DUO, which older accounts set without HAS_MFA).
//
// TYPE and HAS_MFA come with behaviour change bundle 2024_06
// (https://docs.snowflake.com/en/release-notes/bcr-bundles/2024_06/bcr-1690). On an account without it the snapshot
// is taken without them (collect/optional-columns.ts) and says so (parts `user_type`, `user_mfa`): without TYPE every
// user counts as unset, which is what such an account's users are; without HAS_MFA whether users have MFA is unknown
// (null), not read from Duo alone, which would call a user with another method "without MFA".
import { OptionalColumns, type OptionalColumn } from '../optional-columns.ts';
import type { UsersPosture } from '../posture.ts';
import { SOURCES } from '../source-ids.ts';
import type { SourcePart } from '../source-parts.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { bind } from '../../snowflake/sqlapi/index.ts';
import { readRows } from './snapshot.ts';
import { booleanOf, numberOf, textOf } from './values.ts';

export const DEFAULT_STALE_AFTER_DAYS = 90;

/** Enabled, not deleted (shared with the admins snapshot). */
export const ENABLED_USER_CONDITION = `DELETED_ON IS NULL AND NOT COALESCE(TRY_TO_BOOLEAN(TO_VARCHAR(DISABLED)), FALSE)`;
/** MFA by any method, Duo included. */
export const USER_HAS_MFA = `(COALESCE(HAS_MFA, FALSE) OR COALESCE(TRY_TO_BOOLEAN(TO_VARCHAR(EXT_AUTHN_DUO)), FALSE))`;

/** USERS columns only some accounts have, shared with the admins snapshot (HAS_MFA). */
export const USER_TYPE_COLUMN: OptionalColumn = { part: 'user_type', view: 'USERS', column: 'TYPE', providedBy: 'behaviour change bundle 2024_06' };
export const USER_MFA_COLUMN: OptionalColumn = { part: 'user_mfa', view: 'USERS', column: 'HAS_MFA', providedBy: 'behaviour change bundle 2024_06' };

/**
 * "Has MFA" without the optional columns `missing`: NULL (unknown) on an account without HAS_MFA. Its alias must not
 * be HAS_MFA: a select alias named like a column the view lacks is not refused as that missing column (000904) but
 * taken for the alias itself, and the statement fails in another way that names no missing column.
 */
export function userHasMfaSql(missing: ReadonlySet<SourcePart>): string {
  return missing.has('user_mfa') ? 'NULL::BOOLEAN' : USER_HAS_MFA;
}

/** The snapshot's statement without the optional columns `missing`. */
export function usersPostureSql(missing: ReadonlySet<SourcePart>): string {
  return `SELECT ${missing.has('user_type') ? "'UNSET'" : "COALESCE(TYPE, 'UNSET')"} AS USER_TYPE,
       COALESCE(HAS_PASSWORD, FALSE) AS HAS_PASSWORD,
       ${userHasMfaSql(missing)} AS ANY_MFA,
       COALESCE(HAS_RSA_PUBLIC_KEY, FALSE) AS HAS_RSA_PUBLIC_KEY,
       COUNT(*) AS USERS,
       COUNT_IF(BYPASS_MFA_UNTIL > :now) AS MFA_BYPASS_ACTIVE,
       COUNT_IF(LAST_SUCCESS_LOGIN IS NULL OR LAST_SUCCESS_LOGIN < :stale_before) AS STALE
FROM SNOWFLAKE.ACCOUNT_USAGE.USERS
WHERE ${ENABLED_USER_CONDITION}
GROUP BY 1, 2, 3, 4
ORDER BY 1, 2, 3, 4`;
}

/** The full statement, on an account with every column. */
export const USERS_POSTURE_SQL = usersPostureSql(new Set());

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
  /** Which optional columns this account lacks (the source is per account). */
  readonly #columns = new OptionalColumns([USER_TYPE_COLUMN, USER_MFA_COLUMN]);

  constructor(options: UsersPostureOptions = {}) {
    this.staleAfterDays = options.staleAfterDays ?? DEFAULT_STALE_AFTER_DAYS;
    if (!Number.isSafeInteger(this.staleAfterDays) || this.staleAfterDays < 1) throw new RangeError('staleAfterDays must be a whole number >= 1');
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const now = context.snowflakeNow;
    const staleBefore = new Date(now.getTime() - this.staleAfterDays * 86_400_000);
    const bindings = { now: bind.timestampLtz(now), stale_before: bind.timestampLtz(staleBefore) };
    const { rows, missing } = await this.#columns.run(now, async (missing) => ({
      rows: await readRows(context, this.id, this.view, usersPostureSql(missing), bindings),
      missing,
    }));
    const mfaKnown = !missing.has('user_mfa');
    let mfaBypassActive = 0;
    let staleEnabledUsers = 0;
    const counts = rows.map((row) => {
      mfaBypassActive += numberOf(row, 'MFA_BYPASS_ACTIVE');
      staleEnabledUsers += numberOf(row, 'STALE');
      return {
        userType: textOf(row, 'USER_TYPE') ?? 'UNSET',
        hasPassword: booleanOf(row, 'HAS_PASSWORD') ?? false,
        hasMfa: mfaKnown ? (booleanOf(row, 'ANY_MFA') ?? false) : null,
        hasRsaPublicKey: booleanOf(row, 'HAS_RSA_PUBLIC_KEY') ?? false,
        users: numberOf(row, 'USERS'),
      };
    });
    const data: UsersPosture = { kind: 'users', counts, mfaBypassActive, staleEnabledUsers, staleAfterDays: this.staleAfterDays };
    context.publishPosture({ account: context.account.name, takenAt: now, data });
    return { rows: rows.length, delivered: 0, parts: this.#columns.parts() };
  }
}
