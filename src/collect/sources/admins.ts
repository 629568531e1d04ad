// Posture snapshot: who holds the admin roles -> AdminsPosture. A user holds an admin role when it is granted to
// them directly (GRANTS_TO_USERS) or to any role they hold, at any depth: the recursive CTE walks GRANTS_TO_ROLES
// upwards from each admin role (role R granted to role P means P's holders hold R). Snowflake refuses grants that
// would make a cycle and wants UNION ALL in recursive CTEs; a depth bound still guarantees the walk ends, and
// DISTINCT below folds the paths of a diamond-shaped hierarchy. Revoked grants (DELETED_ON set), deleted
// and disabled users do not count. The monitored roles are a binding (a JSON array of the names as Snowflake stores
// them), never spliced into the SQL.
//
// Two statements: the per-role counts (the posture itself) and the capped list of admin users without MFA. The list
// is an extra: when it fails, the counts are still published and the list is unknown (null), with the reason
// reported as the part `admins_without_mfa`; when the counts fail, the source fails. The list's cap is written into
// the text as a literal (validated as a whole number in the constructor): several drivers report Snowflake refusing
// a bind marker as LIMIT's row count ("Invalid row count '?' in limit clause").
//
// USERS.HAS_MFA comes with behaviour change bundle 2024_06 (users.ts). On an account without it the counts are read
// without it: holders per role are known, holders without MFA are unknown (null, part `user_mfa`), and the list,
// which is nothing but admins without MFA, is not sent (part `admins_without_mfa` says why).
import { missingColumnReason, OptionalColumns } from '../optional-columns.ts';
import type { AdminsPosture } from '../posture.ts';
import { availablePart, unavailablePart, type SourcePart } from '../source-parts.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { bind, type Binding } from '../../snowflake/sqlapi/index.ts';
import { failureReason } from './errors.ts';
import { readRows } from './snapshot.ts';
import { ENABLED_USER_CONDITION, USER_MFA_COLUMN, userHasMfaSql } from './users.ts';
import { numberOf, textOf } from './values.ts';

export const DEFAULT_ADMIN_ROLES: readonly string[] = ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'SYSADMIN'];
export const DEFAULT_ADMIN_LIST_LIMIT = 50;
/** Deepest role hierarchy walked (Snowflake's own recursion limit is 100). */
export const MAX_ROLE_HIERARCHY_DEPTH = 50;

function adminHoldersCte(missing: ReadonlySet<SourcePart>): string {
  return `WITH RECURSIVE ADMIN_ROLES AS (
  SELECT DISTINCT VALUE::VARCHAR AS ROLE_NAME FROM TABLE(FLATTEN(INPUT => PARSE_JSON(:admin_roles)))
),
ROLE_EDGES AS (
  SELECT NAME AS GRANTED_ROLE, GRANTEE_NAME AS HOLDER_ROLE
  FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES
  WHERE GRANTED_ON = 'ROLE' AND GRANTED_TO = 'ROLE' AND DELETED_ON IS NULL
),
HOLDER_ROLES (ADMIN_ROLE, ROLE_NAME, DEPTH) AS (
  SELECT ROLE_NAME, ROLE_NAME, 0 FROM ADMIN_ROLES
  UNION ALL
  SELECT h.ADMIN_ROLE, e.HOLDER_ROLE, h.DEPTH + 1
  FROM HOLDER_ROLES h JOIN ROLE_EDGES e ON e.GRANTED_ROLE = h.ROLE_NAME
  WHERE h.DEPTH < :max_depth
),
ENABLED_USERS AS (
  SELECT NAME, ${userHasMfaSql(missing)} AS ANY_MFA FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE ${ENABLED_USER_CONDITION}
),
ADMIN_USERS AS (
  SELECT DISTINCT h.ADMIN_ROLE, u.NAME AS USER_NAME, u.ANY_MFA
  FROM HOLDER_ROLES h
  JOIN SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS g ON g.ROLE = h.ROLE_NAME AND g.DELETED_ON IS NULL
  JOIN ENABLED_USERS u ON u.NAME = g.GRANTEE_NAME
)`;
}

/**
 * Per monitored role: holders and holders without MFA (one row per role, roles nobody holds included), without the
 * optional columns `missing`: holders without MFA are NULL (unknown) on an account without USERS.HAS_MFA.
 */
export function adminRoleCountsSql(missing: ReadonlySet<SourcePart>): string {
  const withoutMfa = missing.has('user_mfa') ? 'NULL::NUMBER' : 'COUNT_IF(a.USER_NAME IS NOT NULL AND NOT a.ANY_MFA)';
  return `${adminHoldersCte(missing)}
SELECT r.ROLE_NAME AS ADMIN_ROLE, COUNT(a.USER_NAME) AS USERS, ${withoutMfa} AS USERS_WITHOUT_MFA
FROM ADMIN_ROLES r LEFT JOIN ADMIN_USERS a ON a.ADMIN_ROLE = r.ROLE_NAME
GROUP BY r.ROLE_NAME
ORDER BY r.ROLE_NAME`;
}

/** The counts on an account with every column. */
export const ADMIN_ROLE_COUNTS_SQL = adminRoleCountsSql(new Set());

/** Admin users without MFA, each with the admin roles they hold, at most `limit` of them (a literal, never a bind). */
export function adminsWithoutMfaSql(limit: number): string {
  if (!Number.isSafeInteger(limit) || limit < 1) throw new RangeError('the admin list limit must be a whole number >= 1');
  return `${adminHoldersCte(new Set())}
SELECT USER_NAME, LISTAGG(DISTINCT ADMIN_ROLE, ',') WITHIN GROUP (ORDER BY ADMIN_ROLE) AS ADMIN_ROLES
FROM ADMIN_USERS
WHERE NOT ANY_MFA
GROUP BY USER_NAME
ORDER BY USER_NAME
LIMIT ${limit}`;
}

export interface AdminsPostureOptions {
  /** Roles watched, as Snowflake stores their names. Default ACCOUNTADMIN, SECURITYADMIN, ORGADMIN, SYSADMIN. */
  readonly adminRoles?: readonly string[] | undefined;
  /** Most admin users without MFA listed by name. Default 50. */
  readonly listLimit?: number | undefined;
}

export class AdminsPostureSource implements Source {
  readonly id = 'admins';
  readonly view = 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_ROLES, GRANTS_TO_USERS, USERS';
  readonly needsWarehouse = true;
  // Posture behind the MFA detections (admins without MFA is critical): refreshed even over the credit budget.
  readonly critical = true;
  readonly adminRoles: readonly string[];
  readonly listLimit: number;
  /** Whether this account lacks USERS.HAS_MFA (the source is per account). */
  readonly #columns = new OptionalColumns([USER_MFA_COLUMN]);

  constructor(options: AdminsPostureOptions = {}) {
    // Names as Snowflake stores them: the configuration resolves what a person wrote (identifier rules), so this
    // must not fold the case again (a quoted "Ops" role is not OPS).
    this.adminRoles = [...new Set(options.adminRoles ?? DEFAULT_ADMIN_ROLES)];
    if (this.adminRoles.length === 0) throw new RangeError('adminRoles must name at least one role');
    if (this.adminRoles.some((role) => role === '')) throw new RangeError('adminRoles must not hold an empty name');
    this.listLimit = options.listLimit ?? DEFAULT_ADMIN_LIST_LIMIT;
    if (!Number.isSafeInteger(this.listLimit) || this.listLimit < 0) throw new RangeError('listLimit must be a whole number >= 0');
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const roles = bind.text(JSON.stringify(this.adminRoles));
    const maxDepth = bind.fixed(MAX_ROLE_HIERARCHY_DEPTH);
    const bindings: Record<string, Binding> = { admin_roles: roles, max_depth: maxDepth };
    const now = context.snowflakeNow;
    // Both at once (one burst). The list needs HAS_MFA: where the account lacks it, it is not sent (null).
    const [counted, listed] = await Promise.allSettled([
      this.#columns.run(now, async (missing) => ({ rows: await readRows(context, this.id, this.view, adminRoleCountsSql(missing), bindings), missing })),
      this.#columns.run(now, (missing) =>
        this.listLimit === 0 ? Promise.resolve([]) : missing.has('user_mfa') ? Promise.resolve(null) : readRows(context, this.id, this.view, adminsWithoutMfaSql(this.listLimit), bindings),
      ),
    ]);
    if (counted.status === 'rejected') throw counted.reason;
    if (listed.status === 'rejected' && context.signal.aborted) throw listed.reason;
    const { rows: countRows, missing } = counted.value;
    const mfaKnown = !missing.has('user_mfa');
    const userRows = listed.status === 'fulfilled' && mfaKnown ? listed.value : null;
    const data: AdminsPosture = {
      kind: 'admins',
      roles: countRows.map((row) => ({
        role: textOf(row, 'ADMIN_ROLE') ?? '',
        users: numberOf(row, 'USERS'),
        usersWithoutMfa: mfaKnown ? numberOf(row, 'USERS_WITHOUT_MFA') : null,
      })),
      adminsWithoutMfa:
        userRows === null
          ? null
          : userRows.map((row) => ({
              user: textOf(row, 'USER_NAME') ?? '',
              roles: (textOf(row, 'ADMIN_ROLES') ?? '').split(',').filter((role) => role !== ''),
            })),
    };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    const part = !mfaKnown
      ? unavailablePart('admins_without_mfa', `the list of admin users without MFA needs USERS.HAS_MFA: ${missingColumnReason(USER_MFA_COLUMN)}`)
      : listed.status === 'fulfilled'
        ? availablePart('admins_without_mfa')
        : unavailablePart('admins_without_mfa', `the list of admin users without MFA could not be read (${failureReason(listed.reason)}); the per-role counts were`);
    return { rows: countRows.length + (userRows?.length ?? 0), delivered: 0, parts: [part, ...this.#columns.parts()] };
  }
}
