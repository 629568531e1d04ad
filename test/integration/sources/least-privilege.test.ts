// The README's least-privilege setup is enough: the GRANT statements of its "Snowflake setup (least privilege)"
// section, read from the README itself, are given to the exporter's role in the emulator (whose privilege model
// follows Snowflake's documented database-role lists), and one full cycle with every built-in detection runs without
// a single refused statement, an unavailable source or an unavailable detection. Without SECURITY_VIEWER the same
// cycle is refused on that role's views, so the check can fail.
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, exporterFor, RecordingExporterSink, scrape, tempDirFor } from '../../helpers/exporter-harness.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const ROLE = 'RISK_EXPORTER';
const WAREHOUSE = 'RISK_EXPORTER_WH';

/** What the README's setup grants to RISK_EXPORTER, as the objects of its GRANT ... TO ROLE RISK_EXPORTER statements. */
async function readmeGrants(): Promise<string[]> {
  const readme = await readFile(new URL('../../../README.md', import.meta.url), 'utf8');
  const section = readme.slice(readme.indexOf('## Snowflake setup (least privilege)'), readme.indexOf('### Connecting an account'));
  const sql = /```sql\n([\s\S]*?)```/.exec(section)?.[1] ?? '';
  return [...sql.matchAll(/^GRANT (.+?) TO ROLE RISK_EXPORTER;/gm)].map((match) => match[1]!.replace(/\s+/g, ' ').trim());
}

async function cycleWith(t: TestContext, grants: readonly string[]) {
  const e = await keyPairEmulatorFor(t, {
    start: T0,
    role: ROLE,
    warehouse: WAREHOUSE,
    engineOptions: { warehouses: { [WAREHOUSE]: { size: 'X-Small', autoSuspendSeconds: 60 } }, grants: { [ROLE]: grants } },
  });
  const account = { ...e.account, detections: [...new Set(BUILT_IN_DETECTIONS.map((detection) => detection.id))].sort() };
  const exporter = await exporterFor(t, exporterConfigFor(account, join(tempDirFor(t), 'state.db')), [new RecordingExporterSink()]);
  const result = await exporter.scheduler.runOnce(account.name);
  assert.ok(result.ran);
  const metrics = await scrape(exporter);
  const unavailableDetections = [...metrics.matchAll(/^snowflake_risk_detection_unavailable\{([^}]*)\} 1$/gm)].map((match) => match[1]);
  const refused = e.engine.warehouseReport().log.filter((entry) => entry.errorCode !== null).map((entry) => `${entry.errorCode} ${entry.text}`);
  return { report: result.report, unavailableDetections, refused };
}

describe('least privilege', () => {
  it('the README grants let one full cycle run every source and every built-in detection', async (t) => {
    const grants = await readmeGrants();
    assert.deepEqual(grants, [
      'DATABASE ROLE SNOWFLAKE.SECURITY_VIEWER',
      'DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER',
      'DATABASE ROLE SNOWFLAKE.USAGE_VIEWER',
      `USAGE ON WAREHOUSE ${WAREHOUSE}`,
    ]);
    const { report, unavailableDetections, refused } = await cycleWith(t, grants);
    assert.deepEqual(refused, [], 'statements the role was refused');
    assert.deepEqual(report.sources.filter((source) => source.status !== 'ok').map((source) => `${source.source} ${source.status}`), []);
    assert.deepEqual(unavailableDetections, []);
  });

  it('without SECURITY_VIEWER the views of its list are refused and their sources unavailable', async (t) => {
    const grants = (await readmeGrants()).filter((grant) => !grant.endsWith('SECURITY_VIEWER'));
    const { report, refused, unavailableDetections } = await cycleWith(t, grants);
    assert.ok(refused.some((line) => line.startsWith('002003') && line.includes('LOGIN_HISTORY')), refused.join('\n'));
    assert.ok(unavailableDetections.some((labels) => labels?.includes('detection="auth.brute_force"')), unavailableDetections.join('\n'));
    const status = Object.fromEntries(report.sources.map((source) => [source.source, source.status]));
    assert.equal(status.login_history, 'unavailable');
    assert.equal(status.query_history, 'ok', 'GOVERNANCE_VIEWER still reads QUERY_HISTORY');
    assert.ok(!unavailableDetections.some((labels) => labels?.includes('detection="exfil.stage_chain"')), 'QUERY_HISTORY detections still run');
  });
});
