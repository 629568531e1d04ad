// Which grant lets the exporter's role read each view a detection names, so the README and the landing page can tell
// an operator exactly what to grant for the detections they want, and no more. The least-privilege setup grants
// SNOWFLAKE database roles, each holding SELECT on a fixed, documented list of ACCOUNT_USAGE views:
// https://docs.snowflake.com/en/sql-reference/snowflake-db-roles ("Database role required to access ACCOUNT_USAGE
// views"). Every ACCOUNT_USAGE view the exporter reads is in one of those lists; a view in none of them would need
// IMPORTED PRIVILEGES on the SNOWFLAKE database. A detection whose view is not granted reports itself unavailable
// (snowflake_risk_detection_unavailable) instead of failing the cycle. The emulator models the same table
// (emulator/engine/privileges.ts); test/unit/detect/view-access.test.ts keeps the two in agreement.
import type { Detection } from './types.ts';

export const IMPORTED_PRIVILEGES = 'IMPORTED PRIVILEGES on SNOWFLAKE';

export interface ViewAccess {
  /** What to grant to the exporter's role: a SNOWFLAKE database role, an application role, or a privilege. */
  readonly grant: string;
  /** Why, when the grant is not the obvious one. */
  readonly note?: string;
}

/** Every view, table or command a built-in detection names (src/detect/catalog/**) or a source reads for one. */
export const VIEW_ACCESS: Readonly<Record<string, ViewAccess>> = {
  USERS: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  LOGIN_HISTORY: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  SESSIONS: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  GRANTS_TO_USERS: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  GRANTS_TO_ROLES: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  SHARES: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  GRANTS_TO_SHARES: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  QUERY_HISTORY: { grant: 'SNOWFLAKE.GOVERNANCE_VIEWER' },
  ACCESS_HISTORY: { grant: 'SNOWFLAKE.GOVERNANCE_VIEWER' },
  DATA_TRANSFER_HISTORY: { grant: 'SNOWFLAKE.USAGE_VIEWER' },
  TRUST_CENTER_FINDINGS: { grant: 'SNOWFLAKE.SECURITY_VIEWER' },
  'SHOW PARAMETERS IN ACCOUNT': { grant: 'none', note: "metadata command; any role sees the account's parameters" },
};

/** The distinct grants a detection needs, in a stable order; throws for a view nobody mapped (a test catches it). */
export function grantsFor(detection: Pick<Detection, 'id' | 'views'>): readonly string[] {
  const grants = new Set<string>();
  for (const view of detection.views) {
    const access = VIEW_ACCESS[view];
    if (access === undefined) throw new Error(`detection ${detection.id} names view ${view}, which has no entry in VIEW_ACCESS`);
    if (access.grant !== 'none') grants.add(access.grant);
  }
  return [...grants].sort();
}
