// SF-24: Snowflake's own Trust Center scanners (Security Essentials, CIS Benchmarks, Threat Intelligence) passed
// through as findings: one per Trust Center finding that is OPEN now (its latest version in
// ACCOUNT_USAGE.TRUST_CENTER_FINDINGS), with the scanner's severity. A finding resolved by a later scan (RESOLVED) or
// by a person (RESOLVED MANUALLY) is not one; a finding opened long ago and never resolved still is.
// The view has no finding id, so the evidence id is built from what names a finding: package, scanner and CREATED_ON
// (ISO 8601 UTC; every exporter session runs with TIMEZONE=UTC). It is the same on every run, so the repeat reports of
// a finding that stays open share one finding id and are delivered once.
// A 'sql' detection rather than a 'posture' one because the posture snapshot keeps counts, not the findings.
import { CURRENT_TRUST_CENTER_FINDINGS_CTE } from '../../../collect/sources/trust-center.ts';
import type { SqlDetection } from '../../types.ts';
import { inList, listParameter, upperList } from '../auth/sql-helpers.ts';
import { isoUtcText } from '../timestamp-text.ts';

const parameters = {
  severities: {
    description: 'Trust Center severities (LOW, MEDIUM, HIGH, CRITICAL) whose open findings become findings.',
    default: ['LOW', 'MEDIUM', 'HIGH', 'CRITICAL'],
  },
};

/** The evidence id of a Trust Center finding (see the module comment): `<package>/<scanner>@<CREATED_ON ISO UTC>`. */
export function trustCenterFindingIdSql(alias: string): string {
  return `${alias}.SCANNER_PACKAGE_ID || '/' || ${alias}.SCANNER_ID || '@' || ${isoUtcText(`${alias}.CREATED_ON`)}`;
}

export const postureTrustCenterFindings: SqlDetection = {
  kind: 'sql',
  schedule: 'trust_center',
  id: 'posture.trust_center_findings',
  catalog: 'SF-24',
  title: 'Trust Center finding open',
  severity: 'medium',
  family: 'posture',
  views: ['TRUST_CENTER_FINDINGS'],
  requires: 'Trust Center (not available to reader accounts)',
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_trust_center_findings'],
  runbook: 'posture-trust_center_findings',
  description:
    'Each Trust Center finding whose latest state is OPEN, as a finding with the scanner\'s own severity ' +
    '(CRITICAL -> critical ... LOW -> low); findings resolved by a later scan or by a person are not reported.',
  statement(_window, values) {
    const severities = inList('UPPER(TRIM(f.SEVERITY))', upperList(listParameter(values, parameters, 'severities')));
    const sql = `WITH ${CURRENT_TRUST_CENTER_FINDINGS_CTE}
SELECT NULL AS USER_NAME,
       f.CREATED_ON AS EVENT_TIME,
       ARRAY_CONSTRUCT(${trustCenterFindingIdSql('f')}) AS EVIDENCE_IDS,
       f.SEVERITY || ' Trust Center finding from ' || f.SCANNER_PACKAGE_ID || ' / ' || f.SCANNER_ID || ', open since '
         || TO_VARCHAR(f.CREATED_ON, 'YYYY-MM-DD') || '.' AS REASON,
       OBJECT_CONSTRUCT('package', f.SCANNER_PACKAGE_ID, 'scanner', f.SCANNER_ID, 'scannerSeverity', f.SEVERITY,
                        'updatedOn', ${isoUtcText('f.UPDATED_ON')}) AS ATTRIBUTES,
       CASE UPPER(TRIM(f.SEVERITY)) WHEN 'CRITICAL' THEN 'critical' WHEN 'HIGH' THEN 'high' WHEN 'MEDIUM' THEN 'medium'
                                    WHEN 'LOW' THEN 'low' ELSE 'info' END AS SEVERITY
FROM CURRENT_FINDINGS f
WHERE UPPER(TRIM(f.STATE)) = 'OPEN'
  AND ${severities.sql}
ORDER BY f.CREATED_ON, f.SCANNER_PACKAGE_ID, f.SCANNER_ID`;
    return { sql, bindings: [...severities.bindings] };
  },
};
