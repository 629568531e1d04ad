// Metadata and statement hygiene of the share/auth/priv/posture detections: ids from the catalog list, runbook
// anchors derived from ids, parameters with defaults, and statements whose configured values travel only as bindings
// (one binding per `?`, never in the SQL text), including the empty-list case.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { BUILT_IN_DETECTIONS } from '../../../../src/detect/catalog/index.ts';
import { SHARE_AUTH_PRIV_DETECTIONS } from '../../../../src/detect/catalog/share-auth-priv.ts';
import { BUILT_IN_DETECTION_IDS } from '../../../../src/detect/catalog-ids.ts';
import type { ParameterValues } from '../../../../src/detect/types.ts';

const OURS = BUILT_IN_DETECTION_IDS.filter((id) => /^(share|auth|priv|posture)\./.test(id));
const WINDOW = { from: new Date('2026-11-19T00:00:00Z'), to: new Date('2026-11-20T00:00:00Z') };
const HOSTILE = "x'); DROP TABLE T; --";

/** `?` placeholders outside `--` comments and string literals. */
function placeholders(sql: string): number {
  return (sql.replace(/--[^\n]*/g, '').replace(/'(?:[^']|'')*'/g, "''").match(/\?/g) ?? []).length;
}

describe('share/auth/priv/posture catalog entries', () => {
  it('cover exactly the catalog ids of their families, once each, and are in BUILT_IN_DETECTIONS', () => {
    assert.deepEqual(SHARE_AUTH_PRIV_DETECTIONS.map((d) => d.id).sort(), [...OURS].sort());
    for (const detection of SHARE_AUTH_PRIV_DETECTIONS) assert.ok(BUILT_IN_DETECTIONS.includes(detection), detection.id);
  });

  it('have a family matching the id, an SF-12..24 catalog reference, a runbook anchor and documented parameters', () => {
    for (const d of SHARE_AUTH_PRIV_DETECTIONS) {
      assert.equal(d.family, d.id.split('.')[0], d.id);
      assert.match(d.catalog, /^SF-(1[2-9]|2[0-4])$/, d.id);
      assert.equal(d.runbook, d.id.replaceAll('.', '-'));
      assert.ok(d.views.length > 0 && d.metrics.includes('snowflake_risk_findings_total') && d.description.length > 40, d.id);
      for (const [name, parameter] of Object.entries(d.parameters)) {
        assert.ok(parameter.description.length > 10 && parameter.default !== undefined, `${d.id}.${name}`);
      }
    }
  });

  it('bind every configured value (one binding per ?) and never write it into the SQL', () => {
    for (const d of SHARE_AUTH_PRIV_DETECTIONS) {
      if (d.kind !== 'sql') continue;
      const lists: ParameterValues = Object.fromEntries(
        Object.entries(d.parameters).filter(([, p]) => Array.isArray(p.default)).map(([name]) => [name, [HOSTILE, '203.0.113.1']]),
      );
      for (const values of [{}, lists, Object.fromEntries(Object.keys(lists).map((name) => [name, []]))]) {
        const { sql, bindings } = d.statement(WINDOW, values);
        assert.equal(placeholders(sql), bindings.length, `${d.id} with ${JSON.stringify(values)}`);
        assert.ok(!sql.includes('DROP TABLE') && !sql.includes('203.0.113.1'), d.id);
        assert.ok(!sql.includes('IN ()'), d.id);
      }
      const { bindings } = d.statement(WINDOW, lists);
      if (Object.keys(lists).length > 0) assert.ok(bindings.includes(HOSTILE) || bindings.includes(HOSTILE.toUpperCase()), d.id);
    }
  });

  it('exclude the exporter\'s own statements wherever they read QUERY_HISTORY', () => {
    for (const d of SHARE_AUTH_PRIV_DETECTIONS) {
      if (d.kind !== 'sql') continue;
      const { sql, bindings } = d.statement(WINDOW, {});
      if (sql.includes('QUERY_HISTORY')) {
        assert.match(sql, /COALESCE\((q\.)?QUERY_TAG, ''\) <> \?/, d.id);
        assert.ok(bindings.includes('snowflake-risk-exporter'), d.id);
      }
    }
  });
});
