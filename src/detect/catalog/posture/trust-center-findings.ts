// SF-24: Snowflake's own Trust Center scanners (Security Essentials, CIS Benchmarks, Threat Intelligence) passed
// through as findings: one per scanner whose LATEST run found entities at risk, evidence = that run's EVENT_ID, with
// the scanner's severity. An older run superseded by a newer one, and a run with nothing at risk, are not findings.
// A 'sql' detection rather than a 'posture' one because the posture snapshot keeps counts, not the run's EVENT_ID.
import type { SqlDetection } from '../../types.ts';
import { numberParameter } from '../auth/sql-helpers.ts';

const parameters = {
  minimumAtRiskCount: { description: 'At-risk entities a scanner run needs to become a finding.', default: 1 },
};

export const postureTrustCenterFindings: SqlDetection = {
  kind: 'sql',
  schedule: 'trust_center',
  id: 'posture.trust_center_findings',
  catalog: 'SF-24',
  title: 'Trust Center scanner found entities at risk',
  severity: 'medium',
  family: 'posture',
  views: ['SNOWFLAKE.TRUST_CENTER.FINDINGS'],
  requires: 'Trust Center (not available to reader accounts); SNOWFLAKE.TRUST_CENTER_VIEWER application role',
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_trust_center_findings'],
  runbook: 'posture-trust_center_findings',
  description:
    'The latest run of each Trust Center scanner with at least one entity at risk, as a finding with the ' +
    "scanner's own severity (CRITICAL -> critical ... LOW -> low); the entity count and package are attributes.",
  statement(_window, values) {
    const minimum = numberParameter(values, parameters, 'minimumAtRiskCount');
    const sql = `WITH LATEST_RUNS AS (
  SELECT SCANNER_ID, MAX(CREATED_ON) AS LAST_RUN
  FROM SNOWFLAKE.TRUST_CENTER.FINDINGS
  GROUP BY SCANNER_ID
)
SELECT NULL AS USER_NAME,
       f.CREATED_ON AS EVENT_TIME,
       ARRAY_CONSTRUCT(TO_VARCHAR(f.EVENT_ID)) AS EVIDENCE_IDS,
       f.SEVERITY || ' Trust Center finding from ' || f.SCANNER_PACKAGE_ID || ' / ' || f.SCANNER_ID || ': '
         || f.TOTAL_AT_RISK_COUNT || ' entities at risk.' AS REASON,
       OBJECT_CONSTRUCT('package', f.SCANNER_PACKAGE_ID, 'scanner', f.SCANNER_ID, 'scannerSeverity', f.SEVERITY,
                        'totalAtRiskCount', f.TOTAL_AT_RISK_COUNT) AS ATTRIBUTES,
       CASE UPPER(f.SEVERITY) WHEN 'CRITICAL' THEN 'critical' WHEN 'HIGH' THEN 'high' WHEN 'MEDIUM' THEN 'medium'
                              WHEN 'LOW' THEN 'low' ELSE 'info' END AS SEVERITY
FROM SNOWFLAKE.TRUST_CENTER.FINDINGS f
JOIN LATEST_RUNS l ON l.SCANNER_ID = f.SCANNER_ID AND l.LAST_RUN = f.CREATED_ON
WHERE COALESCE(f.TOTAL_AT_RISK_COUNT, 0) >= ?
ORDER BY f.SCANNER_ID`;
    return { sql, bindings: [minimum] };
  },
};
