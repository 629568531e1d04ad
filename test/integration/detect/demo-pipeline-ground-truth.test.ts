// The whole product on the demo scenario: `npm start`'s embedded demo (emulator, exporter configuration, built-in
// catalog) runs one collection cycle through the real scheduler, sources, detection runner and delivery pipeline,
// and the findings that reach a sink are compared with the scenario's ground truth, per detection. This is the
// end-to-end form of the per-family ground-truth tests: it also proves that the demo's configuration (backfill over
// the scenario, approved consumers, IOC IPs) and the runner's windows let every detection see its incidents once, and that a second cycle delivers none again.
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { startEmbeddedDemo } from '../../../src/demo/embedded-demo.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { generateScenario, presetOptions } from '../../../emulator/scenario/index.ts';
import { RecordingExporterSink } from '../../helpers/exporter-harness.ts';
import { keyOf } from './auth/demo-account.ts';

it('one cycle of the embedded demo finds every planted incident and nothing else (precision and recall 1.0 per detection)', async (t) => {
  const demo = await startEmbeddedDemo({ env: { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0' } });
  t.after(() => demo.close());
  const sink = new RecordingExporterSink();
  const exporter = await startExporter(demo.config, { schedule: false, sinks: [sink] });
  t.after(() => exporter.close());
  const account = demo.config.accounts[0]?.name ?? 'demo';
  const cycle = await exporter.scheduler.runOnce(account);
  assert.ok(cycle.ran);

  // The demo generates its scenario deterministically; the same call gives the ground truth it loaded.
  const scenario = generateScenario(presetOptions('demo', { end: demo.scenarioEnd }));
  const findings = sink.accepted.flatMap((batch) => batch.findings);
  const ids = new Set(findings.map((finding) => finding.id));
  assert.equal(ids.size, findings.length, 'no finding is delivered twice');

  const rows: string[] = [];
  const failures: string[] = [];
  for (const id of new Set(BUILT_IN_DETECTIONS.map((detection) => detection.id))) {
    // The state rule of exfil.guardrail_disabled names the parameter (its incident's object), not the statement.
    const expected = new Set(scenario.groundTruth.incidents.filter((incident) => incident.detectionId === id).map((incident) =>
      id === 'exfil.guardrail_disabled' && incident.type === 'posture' ? keyOf(null, [incident.object ?? '']) : keyOf(incident.user, incident.evidenceIds),
    ));
    const found = new Set(findings.filter((finding) => finding.detectionId === id).map((finding) => keyOf(finding.user, finding.evidenceIds)));
    const truePositives = [...found].filter((key) => expected.has(key)).length;
    const precision = found.size === 0 ? (expected.size === 0 ? 1 : 0) : truePositives / found.size;
    const recall = expected.size === 0 ? 1 : truePositives / expected.size;
    rows.push(`${id.padEnd(34)} findings=${String(found.size).padStart(2)} incidents=${String(expected.size).padStart(2)} precision=${precision.toFixed(2)} recall=${recall.toFixed(2)}`);
    if (precision !== 1 || recall !== 1) failures.push(`${id}: expected ${JSON.stringify([...expected])}, found ${JSON.stringify([...found])}`);
  }
  console.log(`embedded demo, one cycle, ${findings.length} findings\n${rows.join('\n')}`);
  assert.deepEqual(failures, []);
  assert.ok(findings.length > 0);

  // A second cycle re-reads the overlap behind every watermark and re-runs every detection: nothing is new.
  const before = sink.accepted.flatMap((batch) => batch.findings).length;
  assert.ok((await exporter.scheduler.runOnce(account)).ran);
  const again = sink.accepted.flatMap((batch) => batch.findings).slice(before);
  assert.deepEqual(again.map((finding) => `${finding.detectionId} ${finding.evidenceIds.join(',')}`), [], 'no finding is delivered twice');
});
