// Acceptance: a security engineer's own ACCOUNT_USAGE export, replayed through the emulator CLI, watched by the
// exporter configured from what the CLI prints. The export is produced at test time from a generated scenario by the
// writer that renders rows as Snowflake's JSON unload does (COPY INTO @stage/VIEW FROM (SELECT OBJECT_CONSTRUCT(*)
// ...), gzip part files, NULL keys omitted, timestamps in the default output format with a Pacific offset, VARCHAR JSON
// as text). It must import without edits, and one exporter cycle over it must find the scenario's incidents with no
// detection error. Everything is real: the CLI process, DuckDB, HTTP, key-pair JWTs, the exporter's config loader,
// scheduler, sources and detections.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readdir, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { exportScenarioAsUnload } from '../../../emulator/import/index.ts';
import { generateScenario, presetOptions } from '../../../emulator/scenario/index.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { startEmulatorCli } from '../../helpers/emulator-cli.ts';
import { RecordingExporterSink } from '../../helpers/exporter-harness.ts';
import { keyOf } from '../../integration/detect/auth/demo-account.ts';

const temp = await mkdtemp(join(tmpdir(), 'own-export-replay-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

function output(): { write(text: string): boolean; text: () => string } {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

test('an export in Snowflake\'s unload form replays through the CLI and one exporter cycle finds its incidents', { timeout: 300_000 }, async (t) => {
  const scenario = generateScenario(presetOptions('demo'));
  const exportDir = join(temp, 'export');
  const exported = await exportScenarioAsUnload(scenario, exportDir, { rowsPerPart: 5_000 });
  assert.ok(exported.files.filter((f) => f.view === 'QUERY_HISTORY').length > 1, 'QUERY_HISTORY comes in several part files, as COPY splits it');
  assert.ok((await readdir(exportDir)).every((name) => /_0_\d+_0\.json\.gz$|^ACCOUNT_PARAMETERS\.json$|^ground-truth\.json$/.test(name)));

  const { privateKey, publicKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const publicKeyFile = join(temp, 'rsa_key.pub');
  await writeFile(publicKeyFile, publicKey.export({ type: 'spki', format: 'pem' }).toString());
  const cli = await startEmulatorCli([
    '--port', '0', '--import', exportDir, '--now', scenario.end.toISOString(),
    '--user', 'risk_exporter_svc', '--role', 'risk_reader', '--warehouse', 'risk_exporter_wh', '--public-key', publicKeyFile,
  ]);
  t.after(() => cli.stop());
  assert.doesNotMatch(cli.stderr(), /warning/, 'the export imports without a warning');
  const replayed = /replayed \d+ rows from \S+ \(([^)]*)\)/.exec(cli.stdout())?.[1] ?? '';
  const expectedCounts = new Map<string, number>();
  for (const file of exported.files) expectedCounts.set(file.view, (expectedCounts.get(file.view) ?? 0) + file.rows);
  assert.deepEqual(
    new Map(replayed.split(', ').map((entry) => [entry.split(' ')[0] ?? '', Number(entry.split(' ')[1])])),
    expectedCounts,
    'every row of every part file is loaded',
  );

  // The configuration is the printed block as printed, plus what only the engineer knows: where the private key is,
  // how far back to read, and their detection parameters.
  assert.deepEqual(cli.configLines.slice(0, 3), ['accounts:', '  - name: replay', '    account: demo-emulator']);
  const printed = cli.configLines.filter((line) => !line.trim().startsWith('#'));
  const configFile = join(temp, 'config.yaml');
  await writeFile(configFile, [
    'server:',
    '  listen: "127.0.0.1:0"',
    'state:',
    `  path: ${JSON.stringify(join(temp, 'state.db'))}`,
    ...printed,
    '    auth: { method: keypair, privateKey: env:REPLAY_PRIVATE_KEY }',
    '    jitter: 0s',
    `    backfill: ${Math.ceil((Date.parse(scenario.groundTruth.window.end) - Date.parse(scenario.groundTruth.window.start)) / 86_400_000) + 1}d`,
    '    detectionParameters:',
    '      share.unapproved_consumer:',
    `        approvedConsumerAccounts: ${JSON.stringify(scenario.groundTruth.approvedConsumerAccounts)}`,
    '      auth.suspicious_login:',
    `        iocIps: ${JSON.stringify(scenario.groundTruth.iocIps)}`,
    '',
  ].join('\n'));
  const env = { REPLAY_PRIVATE_KEY: privateKey.export({ type: 'pkcs8', format: 'pem' }).toString() };

  const stdout = output();
  const stderr = output();
  const checked = await runCli({ argv: ['--config', configFile, '--check-config'], env, cwd: temp, stdout, stderr });
  assert.equal(checked, 0, stderr.text());
  assert.match(stdout.text(), /configuration valid/);

  const { config } = loadConfig({ path: configFile, env, cwd: temp });
  const sink = new RecordingExporterSink();
  const log: string[] = [];
  const exporter = await startExporter(config, { schedule: false, sinks: [sink], log: (level, message) => log.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  const cycle = await exporter.scheduler.runOnce('replay');
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, true, log.join('\n'));

  // No source and no detection failed; detection errors are also counted in the metrics.
  const failed = cycle.report.sources.filter((source) => source.status !== 'ok').map((source) => `${source.source}: ${source.status}${source.kind === undefined ? '' : ` (${source.kind})`}`);
  const metrics = await (await fetch(new URL('metrics', exporter.url))).text();
  const detectionErrors = metrics.split('\n').filter((line) => line.startsWith('snowflake_risk_detection_errors_total{') && !line.endsWith(' 0'));
  assert.deepEqual({ failed, detectionErrors }, { failed: [], detectionErrors: [] }, log.filter((line) => !line.startsWith('debug')).join('\n'));
  assert.equal(cycle.report.outcome, 'ok');

  // Every planted incident is found, and nothing else, per detection.
  const findings = sink.accepted.flatMap((batch) => batch.findings);
  const failures: string[] = [];
  for (const id of new Set(BUILT_IN_DETECTIONS.map((detection) => detection.id))) {
    const expected = new Set(scenario.groundTruth.incidents.filter((incident) => incident.detectionId === id).map((incident) =>
      id === 'exfil.guardrail_disabled' && incident.type === 'posture' ? keyOf(null, [incident.object ?? '']) : keyOf(incident.user, incident.evidenceIds),
    ));
    const found = new Set(findings.filter((finding) => finding.detectionId === id).map((finding) => keyOf(finding.user, finding.evidenceIds)));
    const missed = [...expected].filter((key) => !found.has(key));
    const extra = [...found].filter((key) => !expected.has(key));
    if (missed.length > 0 || extra.length > 0) failures.push(`${id}: missed ${JSON.stringify(missed)}, unexpected ${JSON.stringify(extra)}`);
  }
  assert.deepEqual(failures, []);
  assert.ok(findings.length > 0);
});
