// Context every account has, incidents or not (the quiet control account included): long-standing approved shares,
// the daily disaster-recovery replication, a Trust Center violation a later scan resolved, and the near-misses they
// make.
import { APPROVED_CONSUMER_ACCOUNTS } from '../catalog.ts';
import { trustCenterFindingId } from '../ground-truth.ts';
import { Prng } from '../prng.ts';
import type { ScriptBuilder } from '../script.ts';
import type { Row } from '../types.ts';
import type { IncidentModule } from './module.ts';
import { grantToShareRow } from './sharing.ts';

const DAY_MS = 86_400_000;
const HOUR_MS = 3_600_000;

interface FindingSpec {
  packageId: string;
  scannerId: string;
  severity: 'LOW' | 'MEDIUM' | 'HIGH' | 'CRITICAL';
}

/**
 * The versions of one Trust Center finding, as ACCOUNT_USAGE.TRUST_CENTER_FINDINGS rows: created OPEN at the first
 * update time, then one row per later update (a re-scan that still finds it, or the scan or person that resolves
 * it). CREATED_ON stays the creation time; UPDATED_ON and STATE change. ID (the account) and PROVIDER_ID are left
 * NULL: nothing reads them and the docs give no example value.
 * https://docs.snowflake.com/en/sql-reference/account-usage/trust_center_findings
 */
export function findingRows(finding: FindingSpec, updates: readonly { at: Date; state: 'OPEN' | 'RESOLVED' | 'RESOLVED MANUALLY' }[]): Row[] {
  const createdOn = updates[0]!.at.toISOString();
  return updates.map((update) => ({
    ID: null,
    PROVIDER_ID: null,
    SCANNER_PACKAGE_ID: finding.packageId,
    SCANNER_ID: finding.scannerId,
    SEVERITY: finding.severity,
    STATE: update.state,
    CREATED_ON: createdOn,
    UPDATED_ON: update.at.toISOString(),
  }));
}

function addFinding(script: ScriptBuilder, finding: FindingSpec, updates: Parameters<typeof findingRows>[1]): string {
  for (const row of findingRows(finding, updates)) script.add('TRUST_CENTER_FINDINGS', row);
  return trustCenterFindingId(finding.packageId, finding.scannerId, updates[0]!.at);
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

  // A Security Essentials violation a scan found 9 days ago and the next scan, after the fix, resolved.
  const networkPolicy = { packageId: 'SECURITY_ESSENTIALS', scannerId: 'SECURITY_ESSENTIALS_NETWORK_POLICY', severity: 'HIGH' } as const;
  const resolvedId = addFinding(script, networkPolicy, [
    { at: new Date(end - 9 * DAY_MS), state: 'OPEN' },
    { at: new Date(end - 8 * DAY_MS), state: 'RESOLVED' },
  ]);
  script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: networkPolicy.scannerId, evidenceView: 'TRUST_CENTER_FINDINGS', evidenceIds: [resolvedId], why_not: 'Resolved by a later scan: its latest state is RESOLVED.' });
}

export const trustCenter: IncidentModule = {
  kind: 'trust_center',
  cast: () => [],
  build(script, ctx) {
    const end = script.end.getTime();
    const passwordOnly = [...ctx.activity.personas].filter(
      (p) => p.kind === 'person_password_only' && !p.disabled && p.createdOn.getTime() <= end - 20 * HOUR_MS,
    );
    // CIS 1.4 (MFA for human password users): open for a month, re-confirmed by every weekly scan, never resolved.
    // The latest CREATED_ON of the scanner is not this finding's: the resolved CIS 1.4 finding below is newer.
    if (passwordOnly.length > 0) {
      const mfa = { packageId: 'CIS_BENCHMARKS', scannerId: 'CIS_1_4', severity: 'CRITICAL' } as const;
      const created = new Date(end - 30 * DAY_MS);
      const id = addFinding(script, mfa, [0, 7, 14, 21, 28].map((days) => ({ at: new Date(created.getTime() + days * DAY_MS), state: 'OPEN' as const })));
      script.incident({ kind: 'trust_center', detectionId: 'posture.trust_center_findings', type: 'posture', user: null, object: mfa.scannerId, time: created, evidenceView: 'TRUST_CENTER_FINDINGS', evidenceIds: [id], description: `CRITICAL CIS 1.4 violation open for 30 days: ${passwordOnly.length} human password users without MFA.`, attributes: { severity: 'CRITICAL', package: mfa.packageId } });
      // A second CIS 1.4 finding (the view does not say what tells two findings of one scanner apart), opened 5 days
      // ago and resolved by the scan 2 days later.
      const later = addFinding(script, mfa, [
        { at: new Date(end - 5 * DAY_MS), state: 'OPEN' },
        { at: new Date(end - 3 * DAY_MS), state: 'RESOLVED' },
      ]);
      script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: mfa.scannerId, evidenceView: 'TRUST_CENTER_FINDINGS', evidenceIds: [later], why_not: 'Resolved by a later scan: its latest state is RESOLVED, although it is the newest finding of its scanner.' });
    }
    // A Threat Intelligence detection (an event: it stays OPEN, detections have no lifecycle to manage).
    const parameter = { packageId: 'THREAT_INTELLIGENCE', scannerId: 'THREAT_INTELLIGENCE_SENSITIVE_PARAMETER_PROTECTION', severity: 'HIGH' } as const;
    const detected = new Date(end - 19 * HOUR_MS);
    const parameterId = addFinding(script, parameter, [{ at: detected, state: 'OPEN' }]);
    script.incident({ kind: 'trust_center', detectionId: 'posture.trust_center_findings', type: 'posture', user: null, object: parameter.scannerId, time: detected, evidenceView: 'TRUST_CENTER_FINDINGS', evidenceIds: [parameterId], description: 'HIGH Threat Intelligence detection: a sensitive parameter was weakened.', attributes: { severity: 'HIGH', package: parameter.packageId } });
    // CIS 1.8 (dormant users): found 6 days ago, then resolved by an administrator who accepted the risk.
    const dormant = { packageId: 'CIS_BENCHMARKS', scannerId: 'CIS_1_8', severity: 'MEDIUM' } as const;
    const dormantId = addFinding(script, dormant, [
      { at: new Date(end - 6 * DAY_MS), state: 'OPEN' },
      { at: new Date(end - 4 * DAY_MS), state: 'OPEN' },
      { at: new Date(end - 20 * HOUR_MS), state: 'RESOLVED MANUALLY' },
    ]);
    script.nearMiss({ detectionId: 'posture.trust_center_findings', user: null, object: dormant.scannerId, evidenceView: 'TRUST_CENTER_FINDINGS', evidenceIds: [dormantId], why_not: 'Resolved manually: its latest state is RESOLVED MANUALLY.' });
  },
};
