// Posture snapshot: SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS -> TrustCenterPosture, the Trust Center findings
// (Security Essentials, CIS Benchmarks, Threat Intelligence scanners...) that are open now, counted by package,
// scanner and severity.
//
// The documented view (https://docs.snowflake.com/en/sql-reference/account-usage/trust_center_findings) has one row
// per finding: SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY, STATE (OPEN, RESOLVED, RESOLVED MANUALLY), CREATED_ON (when
// the finding was FIRST created) and UPDATED_ON (its last update). It has no scanner-run rows, no at-risk entity
// count and no finding id. So "currently open" is: per finding (package, scanner and CREATED_ON name it), the version
// with the latest UPDATED_ON, if its STATE is OPEN. The latest CREATED_ON of a scanner is not its latest state: a
// finding opened months ago stays open until a scan or a person resolves it, whatever later findings did.
// The view is readable with the SNOWFLAKE.SECURITY_VIEWER database role or IMPORTED PRIVILEGES on SNOWFLAKE
// (https://docs.snowflake.com/en/sql-reference/snowflake-db-roles); the undocumented SNOWFLAKE.TRUST_CENTER.FINDINGS
// is not read.
import type { TrustCenterPosture } from '../posture.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { readRows } from './snapshot.ts';
import { numberOf, textOf } from './values.ts';

export const TRUST_CENTER_FINDINGS_VIEW = 'SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS';

/**
 * CTE `CURRENT_FINDINGS`: the latest version of every finding (columns SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY,
 * STATE, CREATED_ON, UPDATED_ON). Right whether Snowflake rewrites a finding's row on update or adds one per update.
 * Two versions with the same UPDATED_ON: the resolved one wins (STATE DESC puts RESOLVED... before OPEN), so a tie
 * never invents an open finding.
 */
export const CURRENT_TRUST_CENTER_FINDINGS_CTE = `CURRENT_FINDINGS AS (
  SELECT SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY, STATE, CREATED_ON, UPDATED_ON
  FROM ${TRUST_CENTER_FINDINGS_VIEW}
  QUALIFY ROW_NUMBER() OVER (PARTITION BY PROVIDER_ID, SCANNER_PACKAGE_ID, SCANNER_ID, CREATED_ON
                             ORDER BY UPDATED_ON DESC, STATE DESC) = 1
)`;

/** The documented state of a finding that is still open (the others: RESOLVED, RESOLVED MANUALLY). */
const OPEN_FINDING_CONDITION = `UPPER(TRIM(STATE)) = 'OPEN'`;

export const TRUST_CENTER_SQL = `WITH ${CURRENT_TRUST_CENTER_FINDINGS_CTE}
SELECT SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY, COUNT(*) AS OPEN_FINDINGS
FROM CURRENT_FINDINGS
WHERE ${OPEN_FINDING_CONDITION}
GROUP BY SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY
ORDER BY SCANNER_PACKAGE_ID, SCANNER_ID, SEVERITY`;

export class TrustCenterPostureSource implements Source {
  readonly id = 'trust_center';
  readonly view = TRUST_CENTER_FINDINGS_VIEW;
  readonly needsWarehouse = true;
  readonly critical = false;

  async run(context: SourceContext): Promise<SourceRunResult> {
    const rows = await readRows(context, this.id, this.view, TRUST_CENTER_SQL);
    const data: TrustCenterPosture = {
      kind: 'trust_center',
      findings: rows.map((row) => ({
        scannerPackage: textOf(row, 'SCANNER_PACKAGE_ID') ?? '',
        scanner: textOf(row, 'SCANNER_ID') ?? '',
        severity: textOf(row, 'SEVERITY') ?? 'UNKNOWN',
        openFindings: numberOf(row, 'OPEN_FINDINGS'),
      })),
    };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    return { rows: rows.length, delivered: 0 };
  }
}
