// Posture snapshot: SNOWFLAKE.TRUST_CENTER.FINDINGS -> TrustCenterPosture: Snowflake's own scanners (CIS benchmarks,
// Security Essentials, Threat Intelligence) as at-risk counts. Only the latest run of each scanner counts (older
// runs are history, superseded); the sum is by package, scanner and severity.
import type { TrustCenterPosture } from '../posture.ts';
import type { Source, SourceContext, SourceRunResult } from '../source.ts';
import { readRows } from './snapshot.ts';
import { numberOf, textOf } from './values.ts';

export const TRUST_CENTER_SQL = `WITH LATEST_RUNS AS (
  SELECT SCANNER_ID, MAX(CREATED_ON) AS LAST_RUN
  FROM SNOWFLAKE.TRUST_CENTER.FINDINGS
  GROUP BY SCANNER_ID
)
SELECT f.SCANNER_PACKAGE_ID, f.SCANNER_ID, f.SEVERITY, SUM(COALESCE(f.TOTAL_AT_RISK_COUNT, 0)) AS AT_RISK
FROM SNOWFLAKE.TRUST_CENTER.FINDINGS f
JOIN LATEST_RUNS l ON l.SCANNER_ID = f.SCANNER_ID AND l.LAST_RUN = f.CREATED_ON
GROUP BY f.SCANNER_PACKAGE_ID, f.SCANNER_ID, f.SEVERITY
ORDER BY f.SCANNER_PACKAGE_ID, f.SCANNER_ID, f.SEVERITY`;

export class TrustCenterPostureSource implements Source {
  readonly id = 'trust_center';
  readonly view = 'SNOWFLAKE.TRUST_CENTER.FINDINGS';
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
        atRiskCount: numberOf(row, 'AT_RISK'),
      })),
    };
    context.publishPosture({ account: context.account.name, takenAt: context.snowflakeNow, data });
    return { rows: rows.length, delivered: 0 };
  }
}
