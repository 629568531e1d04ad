// The definitions of the MFA and exfiltration detections: ids from the catalog, runbook anchors derived from them,
// and for every SQL detection as many bindings as placeholders (positional `?` outside quoted text), so a statement
// can never be sent with its parameters shifted.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_IN_DETECTION_IDS } from '../../../../src/detect/catalog-ids.ts';
import { MFA_EXFIL_DETECTIONS } from '../../../../src/detect/catalog/mfa-exfil.ts';

function placeholders(sql: string): number {
  // Quoted text ('...', $$...$$) may contain '?' in a regular expression: drop it before counting.
  return (sql.replace(/\$\$[\s\S]*?\$\$/g, '').replace(/'(?:[^']|'')*'/g, '').match(/\?/g) ?? []).length;
}

describe('MFA and exfiltration detection definitions', () => {
  it('use catalog ids, SF numbers in order, and runbook anchors derived from the id', () => {
    for (const detection of MFA_EXFIL_DETECTIONS) {
      assert.ok((BUILT_IN_DETECTION_IDS as readonly string[]).includes(detection.id), detection.id);
      assert.equal(detection.runbook, detection.id.replace(/\./g, '-'));
      assert.match(detection.catalog, /^SF-(0[1-9]|1[01])$/);
      assert.ok(detection.description.length > 80, `${detection.id} explains itself`);
      assert.ok(detection.metrics.includes('snowflake_risk_findings_total'));
    }
  });

  it('bind exactly one value per placeholder, with and without tuned parameters', () => {
    const window = { from: new Date('2026-11-19T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') };
    for (const detection of MFA_EXFIL_DETECTIONS) {
      if (detection.kind !== 'sql') continue;
      for (const parameters of [{}, Object.fromEntries(Object.entries(detection.parameters).map(([name, p]) => [name, p.default]))]) {
        const { sql, bindings } = detection.statement(window, parameters);
        assert.equal(bindings.length, placeholders(sql), detection.id);
        assert.doesNotMatch(sql, /\b(ACCOUNTADMIN|SECURITYADMIN)\b/, `${detection.id}: role names are bound, never spliced`);
      }
    }
  });

  it('bind the role list as one JSON array of the names Snowflake stores, whatever characters they hold', () => {
    const sf02 = MFA_EXFIL_DETECTIONS.find((d) => d.id === 'mfa.admin_without_mfa');
    assert.ok(sf02?.kind === 'sql');
    const { sql, bindings } = sf02.statement({ from: new Date(0), to: new Date(1) }, { adminRoles: ['accountadmin', '"Ops, Admin"', "X', 'Y", 'ACCOUNTADMIN'] });
    assert.equal(bindings[0], JSON.stringify(['ACCOUNTADMIN', 'Ops, Admin', "X', 'Y"]));
    assert.doesNotMatch(sql, /Ops|X'/);
  });
});
