// posture.trust_center_findings on the emulator: the latest run of each scanner with entities at risk becomes a
// finding with the scanner's severity; a superseded run and clean runs do not (demo scenario and hand-built rows).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postureTrustCenterFindings } from '../../../../src/detect/catalog/posture/trust-center-findings.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { demoAccount, incidentsOf, keyOf, nearMissesOf, runSql } from '../auth/demo-account.ts';

function finding(eventId: string, scanner: string, severity: string, createdOn: string, atRisk: number): Record<string, unknown> {
  return {
    CREATED_ON: createdOn, UPDATED_ON: createdOn, EVENT_ID: eventId, SCANNER_PACKAGE_ID: 'CIS_BENCHMARKS', SCANNER_PACKAGE_NAME: 'CIS Benchmarks',
    SCANNER_ID: scanner, SCANNER_NAME: scanner, SCANNER_SHORT_DESCRIPTION: scanner, SEVERITY: severity, TOTAL_AT_RISK_COUNT: atRisk,
    AT_RISK_ENTITIES: [], STATE: atRisk > 0 ? 'OPEN' : 'RESOLVED', SCANNER_TYPE: 'VULNERABILITY', RECOMMENDATION: null, IMPACT: null,
  };
}

describe('posture.trust_center_findings', () => {
  it('reports the demo scenario latest at-risk runs with their severity, not superseded or clean runs', async (t) => {
    const demo = await demoAccount(t);
    const drafts = await runSql(demo, postureTrustCenterFindings, demo.window);
    const incidents = incidentsOf(demo.scenario, 'posture.trust_center_findings');
    assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)).sort(), incidents.map((i) => keyOf(i.user, i.evidenceIds)).sort());
    for (const incident of incidents) {
      const draft = drafts.find((d) => d.evidenceIds[0] === incident.evidenceIds[0]);
      assert.equal(draft?.severity, String(incident.attributes?.severity).toLowerCase());
      assert.equal(draft?.attributes?.totalAtRiskCount, incident.attributes?.totalAtRiskCount);
    }
    const found = new Set(drafts.flatMap((d) => d.evidenceIds));
    for (const miss of nearMissesOf(demo.scenario, 'posture.trust_center_findings')) {
      assert.ok(!miss.evidenceIds.some((id) => found.has(String(id))), miss.why_not);
    }
  });

  it('takes the latest run per scanner, even when that run is clean', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z') });
    await e.engine.insertRows('TRUST_CENTER.FINDINGS', [
      finding('old-risky', 'CIS_1_5', 'HIGH', '2026-11-10T00:00:00Z', 3),
      finding('new-clean', 'CIS_1_5', 'HIGH', '2026-11-19T00:00:00Z', 0),
      finding('low-one', 'CIS_1_7', 'LOW', '2026-11-19T00:00:00Z', 1),
      finding('weird', 'X_1', 'UNSPECIFIED', '2026-11-19T00:00:00Z', 2),
    ]);
    const window = { from: new Date('2026-11-19T00:00:00Z'), to: e.now() };
    const drafts = await runSql({ e }, postureTrustCenterFindings, window);
    assert.deepEqual(drafts.map((d) => [d.evidenceIds[0], d.severity, d.user]), [['low-one', 'low', null], ['weird', 'info', null]]);
    assert.deepEqual((await runSql({ e }, postureTrustCenterFindings, window, { minimumAtRiskCount: 2 })).map((d) => d.evidenceIds[0]), ['weird']);
  });
});
