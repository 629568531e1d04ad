// With `queryEvents.scope: none` no QUERY_HISTORY stream runs, so rules on query events have nothing to judge. That
// must show (a warning at start, snowflake_risk_detection_unavailable = 1 for ids that have no other rule) rather
// than look like a quiet account. exfil.guardrail_disabled keeps its posture rule, so it runs and stays available.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { startEmbeddedDemo } from '../../../../src/demo/embedded-demo.ts';
import { startExporter } from '../../../../src/runtime/exporter.ts';
import { parseExposition, scrape } from '../../../helpers/exporter-harness.ts';

it('query-event rules are reported unavailable when queryEvents.scope is none', async (t) => {
  const demo = await startEmbeddedDemo({ env: { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0' }, accountYaml: 'queryEvents: { scope: none }' });
  t.after(() => demo.close());
  const logged: string[] = [];
  const exporter = await startExporter(demo.config, { schedule: false, log: (level, message) => logged.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  assert.ok(
    logged.some((line) => line.startsWith('warn') && line.includes('queryEvents.scope is none') && line.includes('exfil.protection_policy_removed') && line.includes('exfil.guardrail_disabled')),
    logged.join('\n'),
  );
  assert.ok((await exporter.scheduler.runOnce('demo')).ran);

  const unavailable = new Map(
    parseExposition(await scrape(exporter))
      .filter((sample) => sample.name === 'snowflake_risk_detection_unavailable')
      .map((sample) => [sample.labels.detection, sample.value]),
  );
  assert.equal(unavailable.get('exfil.protection_policy_removed'), 1);
  assert.equal(unavailable.get('exfil.guardrail_disabled'), 0, 'its posture rule ran');
  assert.equal(unavailable.get('exfil.stage_chain'), 0, 'SQL detections read QUERY_HISTORY themselves');
  const status = exporter.status.snapshot().accounts.find((account) => account.name === 'demo');
  assert.equal(status?.detections?.find((detection) => detection.id === 'exfil.protection_policy_removed')?.unavailable, true);
});
