// The MFA and exfiltration detections on the demo scenario, judged by the scenario's ground truth. Precision and
// recall per detection: a finding is right when an incident of the same detection id names the same user and the
// same evidence ids (for the posture rule of exfil.guardrail_disabled, the same parameter); both must be 1.0. Then
// every near-miss the scenario lists for these ids (an MFA login, an expired bypass, key-pair service logins, an
// unload to a permanent stage without GET, a load FROM S3, the BI service's steady 4 GB a day, daily DR replication,
// a guardrail switched ON, a masking policy SET...) must stay silent. One demo load serves both.
import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { BUILT_IN_DETECTION_IDS } from '../../../src/detect/catalog-ids.ts';
import { MFA_EXFIL_DETECTIONS } from '../../../src/detect/catalog/mfa-exfil.ts';
import { evidenceKey, runDemoDetections, type DemoFindings } from './mfa/demo-findings.ts';

const OUR_IDS = [...new Set(MFA_EXFIL_DETECTIONS.map((detection) => detection.id))];

describe('MFA and exfiltration detections on the demo scenario', () => {
  let demo: DemoFindings;
  before(async () => {
    demo = await runDemoDetections();
  });
  after(() => demo?.emulator.close());

  it('cover SF-01 to SF-11 in catalog order', () => {
    assert.deepEqual(OUR_IDS, BUILT_IN_DETECTION_IDS.slice(0, 11));
  });

  it('reach precision 1.0 and recall 1.0 for every detection', (t) => {
    const lines: string[] = [];
    for (const id of OUR_IDS) {
      const incidents = demo.scenario.groundTruth.incidents.filter((incident) => incident.detectionId === id);
      assert.ok(incidents.length > 0, `${id}: the demo scenario has incidents`);
      const expected = new Set(incidents.map((incident) =>
        id === 'exfil.guardrail_disabled' && incident.type === 'posture'
          ? `posture|${incident.object ?? ''}`
          : `${incident.user ?? ''}|${evidenceKey(incident.evidenceIds)}`,
      ));
      const got = (demo.findings.get(id) ?? []).map((finding) =>
        finding.kind === 'posture' ? `posture|${evidenceKey(finding.evidenceIds)}` : `${finding.user ?? ''}|${evidenceKey(finding.evidenceIds)}`,
      );
      const truePositives = got.filter((key) => expected.has(key));
      const precision = got.length === 0 ? 0 : truePositives.length / got.length;
      const recall = new Set(truePositives).size / expected.size;
      lines.push(`${id.padEnd(34)} findings ${String(got.length).padStart(3)}  incidents ${String(expected.size).padStart(3)}  precision ${precision.toFixed(2)}  recall ${recall.toFixed(2)}`);
      assert.equal(precision, 1, `${id}: precision (findings ${JSON.stringify(got)})`);
      assert.equal(recall, 1, `${id}: recall (expected ${JSON.stringify([...expected])})`);
      assert.equal(new Set(got).size, got.length, `${id}: no finding twice`);
    }
    t.diagnostic(`\n${lines.join('\n')}`);
  });

  it('stay silent on every near-miss', () => {
    const nearMisses = demo.scenario.groundTruth.nearMisses.filter((nearMiss) => OUR_IDS.includes(nearMiss.detectionId));
    assert.ok(nearMisses.length >= 10, 'the demo lists near-misses for these detections');
    for (const nearMiss of nearMisses) {
      const ids = new Set(nearMiss.evidenceIds.map(String));
      const found = demo.findings.get(nearMiss.detectionId) ?? [];
      assert.ok(!found.some((finding) => finding.evidenceIds.some((id) => ids.has(id))), `${nearMiss.detectionId}: ${nearMiss.why_not}`);
    }
    // Near-misses named by user or destination rather than by a row.
    assert.ok(!(demo.findings.get('exfil.result_volume_spike') ?? []).some((finding) => finding.user === 'TABLEAU_SVC'), 'steady 4 GB a day is normal for the BI service');
    assert.ok(!(demo.findings.get('exfil.cross_region_egress') ?? []).some((finding) => finding.attributes?.targetRegion === 'US-WEST-2'), 'daily DR replication is a known destination');
  });

  it('report what an analyst needs in the attributes', () => {
    const admin = demo.findings.get('mfa.admin_without_mfa')?.[0];
    assert.equal(admin?.attributes?.adminRoles, 'ACCOUNTADMIN,SECURITYADMIN,SYSADMIN', 'LEGACY_DBA is an admin only through DBA_ADMIN');
    assert.equal(demo.findings.get('exfil.stage_chain')?.[0]?.attributes?.stage, 'TMP_EXPORT_7F3A');
    assert.ok(Number(demo.findings.get('exfil.result_volume_spike')?.[0]?.attributes?.zScore) > 3);
    const locations = (demo.findings.get('exfil.unload_external_location') ?? []).map((finding) => finding.attributes?.location).sort();
    assert.deepEqual(locations, ['azure', 'https', 's3']);
  });
});
