// Context every account has, incidents or not (the quiet control account included): long-standing approved shares,
// the daily disaster-recovery replication, a clean Trust Center scan, and the near-misses they make.
import { APPROVED_CONSUMER_ACCOUNTS } from '../catalog.ts';
import { Prng } from '../prng.ts';
import type { ScriptBuilder } from '../script.ts';
import type { Row } from '../types.ts';
import type { IncidentModule } from './module.ts';
import { grantToShareRow } from './sharing.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

export function findingRow(
  prng: Prng,
  at: Date,
  finding: { packageId: string; packageName: string; scannerId: string; scannerName: string; description: string; severity: string; type: string; entities: { entity_id: string; entity_name: string; entity_object_type: string }[] },
): Row {
  const id = prng.hex(32);
  return {
    CREATED_ON: at.toISOString(),
    UPDATED_ON: at.toISOString(),
    EVENT_ID: `${id.slice(0, 8)}-${id.slice(8, 12)}-${id.slice(12, 16)}-${id.slice(16, 20)}-${id.slice(20, 32)}`,
    SCANNER_PACKAGE_ID: finding.packageId,
    SCANNER_PACKAGE_NAME: finding.packageName,
    SCANNER_ID: finding.scannerId,
    SCANNER_NAME: finding.scannerName,
    SCANNER_SHORT_DESCRIPTION: finding.description,
    SEVERITY: finding.severity,
    TOTAL_AT_RISK_COUNT: finding.entities.length,
    AT_RISK_ENTITIES: finding.entities,
    STATE: finding.entities.length > 0 ? 'OPEN' : 'RESOLVED',
    SCANNER_TYPE: finding.type,
    RECOMMENDATION: null,
    IMPACT: null,
  };
}

export function buildBaseline(script: ScriptBuilder, seed: string): void {
  const end = script.end.getTime();
  const shares = [
    { name: 'APPROVED_SUPPLIER_SHARE', consumer: APPROVED_CONSUMER_ACCOUNTS[0], createdDaysAgo: 300, modifiedDaysAgo: 300, database: 'SALES', table: 'ORDERS', schema: 'PUBLIC' },
    { name: 'FINANCE_AUDIT_SHARE', consumer: APPROVED_CONSUMER_ACCOUNTS[1], createdDaysAgo: 200, modifiedDaysAgo: 120, database: 'FINANCE', table: 'INVOICES', schema: 'GL' },
  ];
  for (const share of shares) {
    const created = new Date(end - share.createdDaysAgo * DAY_MS);
    script.add('SHARES', {
      CREATED_ON: created.toISOString(),
      MODIFIED_ON: new Date(end - share.modifiedDaysAgo * DAY_MS).toISOString(),
      DELETED_ON: null,
      NAME: share.name,
      OWNER: 'SHARING_ADMIN',
      COMMENT: 'approved by the data governance board',
      DATABASE_NAME: share.database,
      SECURE_OBJECTS_ONLY: true,
      TARGET_ACCOUNTS: share.consumer,
      LISTING_GLOBAL_NAME: null,
    });
    script.add('GRANTS_TO_SHARES', grantToShareRow(created, 'USAGE', 'DATABASE', share.database, share.database, null, share.name));
    script.add('GRANTS_TO_SHARES', grantToShareRow(created, 'SELECT', 'TABLE', share.table, share.database, share.schema, share.name));
    script.nearMiss({ detectionId: 'share.created', user: null, object: share.name, evidenceView: 'SHARES', evidenceIds: [share.name], why_not: `Share created ${share.createdDaysAgo} days ago, long before the window: already known, not new.` });
    script.nearMiss({ detectionId: 'share.unapproved_consumer', user: null, object: share.name, evidenceView: 'SHARES', evidenceIds: [share.name], why_not: `Consumer ${share.consumer} is on the approved list.` });
  }

  // Nightly replication to the disaster-recovery region: cross-region, but the same destination every day.
  const dayStart = (t: number): number => t - (t % DAY_MS);
  let lastStart: string | null = null;
  const prng = new Prng(seed, 'replication');
  for (let day = dayStart(script.start.getTime()); day < end; day += DAY_MS) {
    const start = day + 2 * HOUR_MS;
    const stop = start + 25 * 60_000;
    if (start < script.start.getTime() || stop > end) continue;
    lastStart = new Date(start).toISOString();
    script.add('DATA_TRANSFER_HISTORY', {
      START_TIME: lastStart,
      END_TIME: new Date(stop).toISOString(),
      SOURCE_CLOUD: 'AWS',
      SOURCE_REGION: 'us-east-1',
      TARGET_CLOUD: 'AWS',
      TARGET_REGION: 'us-west-2',
      BYTES_TRANSFERRED: Math.round(1.2e9 * prng.uniform(0.9, 1.1)),
      TRANSFER_TYPE: 'REPLICATION',
    });
  }
  if (lastStart) {
    script.nearMiss({ detectionId: 'exfil.cross_region_egress', user: null, object: 'AWS/us-west-2', evidenceView: 'DATA_TRANSFER_HISTORY', evidenceIds: [lastStart], why_not: 'Daily REPLICATION to the DR region since the start of the window: an established destination, not a new one.' });
  }

  // A clean monthly Security Essentials result.
  const clean = findingRow(new Prng(seed, 'finding-clean'), new Date(end - 9 * DAY_MS), {
    packageId: 'SECURITY_ESSENTIALS',
    packageName: 'Security Essentials',
    scannerId: 'SECURITY_ESSENTIALS_NETWORK_POLICY',
    scannerName: 'Account-level network policy',
    description: 'Ensure an account-level network policy is set',
    severity: 'HIGH',
    type: 'VULNERABILITY',
    entities: [],
  });
  script.add('TRUST_CENTER.FINDINGS', clean);
  script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: 'SECURITY_ESSENTIALS_NETWORK_POLICY', evidenceView: 'TRUST_CENTER.FINDINGS', evidenceIds: [String(clean.EVENT_ID)], why_not: 'Scanner ran and found nothing at risk (TOTAL_AT_RISK_COUNT = 0).' });
}

export const trustCenter: IncidentModule = {
  kind: 'trust_center',
  cast: () => [],
  build(script, ctx) {
    const end = script.end.getTime();
    const prng = new Prng(ctx.activity.seed, 'findings');
    const passwordOnly = [...ctx.activity.personas].filter(
      (p) => p.kind === 'person_password_only' && !p.disabled && p.createdOn.getTime() <= end - 20 * HOUR_MS,
    );
    const entities = passwordOnly.map((p) => ({ entity_id: String(1000 + p.index), entity_name: p.name, entity_object_type: 'USER' }));
    const mfa = {
      packageId: 'CIS_BENCHMARKS',
      packageName: 'CIS Benchmarks',
      scannerId: 'CIS_1_4',
      scannerName: 'Ensure multi-factor authentication (MFA) is turned on for all human users with password-based authentication',
      description: 'MFA for human users with passwords',
      severity: 'CRITICAL',
      type: 'VULNERABILITY',
    };
    // An older run of the same scanner, superseded by the latest one.
    const older = findingRow(prng, new Date(end - 8 * DAY_MS), { ...mfa, entities: entities.slice(0, Math.max(0, entities.length - 1)) });
    script.add('TRUST_CENTER.FINDINGS', older);
    script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: 'CIS_1_4', evidenceView: 'TRUST_CENTER.FINDINGS', evidenceIds: [String(older.EVENT_ID)], why_not: 'Superseded by a later run of the same scanner: only the latest run per scanner counts.' });
    const latest = findingRow(prng, new Date(end - 20 * HOUR_MS), { ...mfa, entities });
    script.add('TRUST_CENTER.FINDINGS', latest);
    if (entities.length > 0) {
      script.incident({ kind: 'trust_center', detectionId: 'posture.trust_center_findings', type: 'posture', user: null, object: 'CIS_1_4', time: new Date(end - 20 * HOUR_MS), evidenceView: 'TRUST_CENTER.FINDINGS', evidenceIds: [String(latest.EVENT_ID)], description: `CRITICAL CIS 1.4 finding: ${entities.length} human password users without MFA.`, attributes: { severity: 'CRITICAL', totalAtRiskCount: entities.length, package: 'CIS_BENCHMARKS' } });
    }
    const parameter = findingRow(prng, new Date(end - 19 * HOUR_MS), {
      packageId: 'THREAT_INTELLIGENCE',
      packageName: 'Threat Intelligence',
      scannerId: 'THREAT_INTELLIGENCE_SENSITIVE_PARAMETER_PROTECTION',
      scannerName: 'Sensitive parameter protection',
      description: 'Sensitive account parameters changed to a less secure value',
      severity: 'HIGH',
      type: 'DETECTION',
      entities: [{ entity_id: 'PREVENT_UNLOAD_TO_INLINE_URL', entity_name: 'PREVENT_UNLOAD_TO_INLINE_URL', entity_object_type: 'PARAMETER' }],
    });
    script.add('TRUST_CENTER.FINDINGS', parameter);
    script.incident({ kind: 'trust_center', detectionId: 'posture.trust_center_findings', type: 'posture', user: null, object: 'THREAT_INTELLIGENCE_SENSITIVE_PARAMETER_PROTECTION', time: new Date(end - 19 * HOUR_MS), evidenceView: 'TRUST_CENTER.FINDINGS', evidenceIds: [String(parameter.EVENT_ID)], description: 'HIGH Threat Intelligence detection: a sensitive parameter was weakened.', attributes: { severity: 'HIGH', totalAtRiskCount: 1, package: 'THREAT_INTELLIGENCE' } });
    const dormant = findingRow(prng, new Date(end - 20 * HOUR_MS), {
      packageId: 'CIS_BENCHMARKS',
      packageName: 'CIS Benchmarks',
      scannerId: 'CIS_1_8',
      scannerName: 'Ensure that Snowflake users that have not logged in for 90 days are disabled',
      description: 'Disable dormant users',
      severity: 'MEDIUM',
      type: 'VULNERABILITY',
      entities: [],
    });
    script.add('TRUST_CENTER.FINDINGS', dormant);
    script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: 'CIS_1_8', evidenceView: 'TRUST_CENTER.FINDINGS', evidenceIds: [String(dormant.EVENT_ID)], why_not: 'Scanner ran and found nothing at risk (TOTAL_AT_RISK_COUNT = 0).' });
  },
};
