// posture.trust_center_findings on the emulator: every Trust Center finding whose LATEST version in
// ACCOUNT_USAGE.TRUST_CENTER_FINDINGS is OPEN becomes a finding with the scanner's severity, however long ago it was
// created; findings resolved by a later scan or by a person do not (demo scenario and hand-built rows).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { postureTrustCenterFindings } from '../../../../src/detect/catalog/posture/trust-center-findings.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { demoAccount, incidentsOf, keyOf, nearMissesOf, runSql } from '../auth/demo-account.ts';

const DAY = 86_400_000;

function versions(scanner: string, severity: string, createdOn: string, updates: [string, string][]): Record<string, unknown>[] {
  return updates.map(([updatedOn, state]) => ({
    ID: 42, PROVIDER_ID: null, SCANNER_PACKAGE_ID: 'CIS_BENCHMARKS', SCANNER_ID: scanner, SEVERITY: severity, STATE: state,
    CREATED_ON: createdOn, UPDATED_ON: updatedOn,
  }));
}

describe('posture.trust_center_findings', () => {
  it('reports the demo scenario open findings with their severity, not the resolved ones', async (t) => {
    const demo = await demoAccount(t);
    const drafts = await runSql(demo, postureTrustCenterFindings, demo.window);
    const incidents = incidentsOf(demo.scenario, 'posture.trust_center_findings');
    assert.ok(incidents.length >= 2);
    assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)).sort(), incidents.map((i) => keyOf(i.user, i.evidenceIds)).sort());
    for (const incident of incidents) {
      const draft = drafts.find((d) => d.evidenceIds[0] === incident.evidenceIds[0]);
      assert.equal(draft?.severity, String(incident.attributes?.severity).toLowerCase());
      assert.equal(draft?.attributes?.package, incident.attributes?.package);
      assert.equal(draft?.time.toISOString(), incident.time, 'the finding time is when Trust Center first created it');
    }
    const found = new Set(drafts.flatMap((d) => d.evidenceIds));
    const misses = nearMissesOf(demo.scenario, 'posture.trust_center_findings');
    assert.ok(misses.length >= 3);
    for (const miss of misses) assert.ok(!miss.evidenceIds.some((id) => found.has(String(id))), miss.why_not);
  });

  it('a finding created long ago and still open is reported; the scanner\'s newer, resolved finding is not', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z') });
    await e.engine.insertRows('TRUST_CENTER_FINDINGS', [
      ...versions('CIS_1_5', 'HIGH', '2026-08-01T00:00:00.000Z', [['2026-08-01T00:00:00.000Z', 'OPEN'], ['2026-11-13T00:00:00.000Z', 'OPEN']]),
      ...versions('CIS_1_5', 'HIGH', '2026-11-15T00:00:00.000Z', [['2026-11-15T00:00:00.000Z', 'OPEN'], ['2026-11-19T00:00:00.000Z', 'RESOLVED']]),
      ...versions('CIS_1_7', 'LOW', '2026-11-19T00:00:00.000Z', [['2026-11-19T00:00:00.000Z', 'OPEN']]),
      ...versions('CIS_1_8', 'MEDIUM', '2026-11-10T00:00:00.000Z', [['2026-11-10T00:00:00.000Z', 'OPEN'], ['2026-11-18T00:00:00.000Z', 'RESOLVED MANUALLY']]),
      ...versions('X_1', 'UNSPECIFIED', '2026-11-19T00:00:00.000Z', [['2026-11-19T00:00:00.000Z', 'OPEN']]),
    ]);
    const window = { from: new Date(e.now().getTime() - DAY), to: e.now() };
    const drafts = await runSql({ e }, postureTrustCenterFindings, window);
    assert.deepEqual(drafts.map((d) => [d.evidenceIds[0], d.severity, d.user, d.time.toISOString()]), [
      ['CIS_BENCHMARKS/CIS_1_5@2026-08-01T00:00:00.000Z', 'high', null, '2026-08-01T00:00:00.000Z'],
      ['CIS_BENCHMARKS/CIS_1_7@2026-11-19T00:00:00.000Z', 'low', null, '2026-11-19T00:00:00.000Z'],
    ]);
    assert.equal(drafts[0]?.attributes?.updatedOn, '2026-11-13T00:00:00.000Z');
    const withUnknown = await runSql({ e }, postureTrustCenterFindings, window, { severities: ['HIGH', 'unspecified'] });
    assert.deepEqual(withUnknown.map((d) => [d.evidenceIds[0], d.severity]), [
      ['CIS_BENCHMARKS/CIS_1_5@2026-08-01T00:00:00.000Z', 'high'],
      ['CIS_BENCHMARKS/X_1@2026-11-19T00:00:00.000Z', 'info'],
    ]);
  });
});
