// End to end with real components: the emulator runs the demo scenario (labelled incidents) for account "demo" and
// the quiet scenario (none) for the control account "control", each watched by a real exporter; a real Prometheus
// scrapes both every second and evaluates the rule files of alerts/rules; a real Alertmanager runs the example
// configuration (routing by severity, inhibition) with its webhooks pointed at a test receiver. Prometheus starts
// scraping BEFORE the first collection cycle, so every finding series is born between two scrapes, already above 0:
// the case the finding rules are written for.
//
// Checked: the alerts for every incident of the scenario's ground truth reach Alertmanager with their labels and
// annotations, critical ones are delivered to the pager receiver, the posture alerts are pending in Prometheus,
// no alert at all concerns the control account, no exporter-health alert fires, and every query of every dashboard
// returns data from Prometheus (Prometheus parses each one; the unit test runs promtool on them too).
// Needs the Debian packages "prometheus" and "prometheus-alertmanager"; without them the test fails.
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { stringify } from 'yaml';
import { RUNBOOK_BASE_URL } from '../../../alerts/src/config.ts';
import { CRITICAL_DETECTIONS } from '../../../alerts/src/findings.ts';
import { RULE_FILES, allRules } from '../../../alerts/src/render.ts';
import { DASHBOARDS } from '../../../dashboards/src/index.ts';
import { dashboardQueries, substitute, type DashboardQuery } from '../../../dashboards/src/queries.ts';
import { generateScenario, presetOptions } from '../../../emulator/scenario/index.ts';
import { startEmbeddedDemo } from '../../../src/demo/embedded-demo.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { eventually, freePort, promQuery, startOtlpCollectorStub, startServer, startWebhookReceiver } from './prometheus-stack.ts';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));
const JOB = 'snowflake-risk-exporter';
const SEVERITY_ALERTS = new Set(['SnowflakeRiskCriticalFinding', 'SnowflakeRiskHighFinding', 'SnowflakeRiskMediumFinding']);

/**
 * Dashboard queries allowed to return nothing, and why. OTLP delivery metrics come from work in progress: a query
 * on one is excluded only while the exporter does not export that metric at all (checked on its /metrics below; the
 * exclusion lifts itself once they land). OAuth series exist only for accounts signing in with OAuth, and both
 * accounts here use key-pair authentication.
 */
const OTLP_METRICS_IN_PROGRESS = [
  'snowflake_risk_otlp_queued_records',
  'snowflake_risk_otlp_queue_capacity_records',
  'snowflake_risk_otlp_exported_records_total',
  'snowflake_risk_otlp_failed_records_total',
  'snowflake_risk_otlp_retried_records_total',
  'snowflake_risk_otlp_last_success_timestamp_seconds',
];
const OAUTH_METRICS = [
  'snowflake_risk_oauth_connected',
  'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds',
  'snowflake_risk_oauth_refreshes_total',
];

interface AmAlert {
  labels: Record<string, string>;
  annotations: Record<string, string>;
  status: { state: string; inhibitedBy: string[] };
}

interface PromAlert {
  labels: Record<string, string>;
  state: string;
}

it('alerts for the demo incidents reach Alertmanager, none for the quiet control, and every dashboard query has data', { timeout: 240_000 }, async (t) => {
  const workDir = mkdtempSync(join(tmpdir(), 'sre-observability-'));
  t.after(() => rmSync(workDir, { recursive: true, force: true }));

  // Two emulated accounts and their exporters. A credit budget on the demo account makes the budget series exist;
  // OTLP logs go to a stand-in collector, so the delivery metrics exist too.
  const collector = await startOtlpCollectorStub(t);
  const listen = { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0', SNOWFLAKE_RISK_EXPORTER_OTLP__ENDPOINT: collector.url.origin };
  const demo = await startEmbeddedDemo({ env: listen, accountYaml: 'creditBudget:\n  daily: 5' });
  t.after(() => demo.close());
  const control = await startEmbeddedDemo({ env: listen, preset: 'quiet', accountName: 'control' });
  t.after(() => control.close());
  const demoExporter = await startExporter(demo.config, { schedule: false });
  t.after(() => demoExporter.close());
  const controlExporter = await startExporter(control.config, { schedule: false });
  t.after(() => controlExporter.close());

  // Alertmanager with the example configuration, its webhooks pointed at the test's receiver.
  const receiver = await startWebhookReceiver(t);
  const alertmanagerPort = await freePort();
  const amConfig = readFileSync(root('alerts/alertmanager.example.yml'), 'utf8').replaceAll('http://127.0.0.1:5001/', receiver.url.href);
  writeFileSync(join(workDir, 'alertmanager.yml'), amConfig);
  const alertmanager = await startServer(t, 'prometheus-alertmanager', [
    `--config.file=${join(workDir, 'alertmanager.yml')}`,
    `--storage.path=${join(workDir, 'alertmanager-data')}`,
    `--web.listen-address=127.0.0.1:${alertmanagerPort}`,
    '--cluster.listen-address=',
  ], alertmanagerPort);

  // Prometheus scraping both exporters every second, evaluating the shipped rule files every second.
  const prometheusPort = await freePort();
  const target = (url: URL): string => url.host;
  writeFileSync(
    join(workDir, 'prometheus.yml'),
    stringify({
      global: { scrape_interval: '1s', scrape_timeout: '1s', evaluation_interval: '1s' },
      rule_files: RULE_FILES.map((file) => root(file.path)),
      alerting: { alertmanagers: [{ static_configs: [{ targets: [alertmanager.url.host] }] }] },
      scrape_configs: [{ job_name: JOB, static_configs: [{ targets: [target(demoExporter.url), target(controlExporter.url)] }] }],
    }),
  );
  const prometheus = await startServer(t, 'prometheus', [
    `--config.file=${join(workDir, 'prometheus.yml')}`,
    `--storage.tsdb.path=${join(workDir, 'prometheus-data')}`,
    `--web.listen-address=127.0.0.1:${prometheusPort}`,
  ], prometheusPort);
  const query = (expr: string) => promQuery(prometheus.url, expr);

  // Both exporters scraped before any collection: no finding series exists yet.
  await eventually('both exporters scraped', async () => ((await query(`up{job="${JOB}"} == 1`)).length === 2 ? true : undefined));
  assert.deepEqual(await query('snowflake_risk_findings_total'), []);

  const [demoCycle, controlCycle] = await Promise.all([demoExporter.scheduler.runOnce('demo'), controlExporter.scheduler.runOnce('control')]);
  assert.ok(demoCycle.ran && controlCycle.ran);
  assert.ok(collector.requests() > 0, 'OTLP records reached the collector stand-in');
  const afterCycles = Date.now() / 1000;
  await eventually('both cycles seen by Prometheus', async () => ((await query('snowflake_risk_up == 1')).length === 2 ? true : undefined));

  // Expected from the ground truth: every incident's detection alerts on account demo, by name for the critical
  // four, else through the alert of the finding's severity.
  const truth = generateScenario(presetOptions('demo', { end: demo.scenarioEnd })).groundTruth;
  const incidentDetections = [...new Set(truth.incidents.map((incident) => incident.detectionId))].sort();
  assert.ok(incidentDetections.length >= 20, `${incidentDetections.length} detections in the ground truth`);
  const named = new Map(CRITICAL_DETECTIONS.map((entry) => [entry.detection, entry.alert]));
  const amAlerts = async (): Promise<AmAlert[]> => {
    const response = await fetch(new URL('api/v2/alerts', alertmanager.url), { signal: AbortSignal.timeout(10_000) });
    return (await response.json()) as AmAlert[];
  };
  const missingFor = (alerts: readonly AmAlert[]): string[] =>
    incidentDetections.filter((detection) => {
      const onDemo = alerts.filter((alert) => alert.labels.account === 'demo' && alert.labels.detection === detection);
      const expected = named.get(detection);
      return expected === undefined ? !onDemo.some((alert) => SEVERITY_ALERTS.has(alert.labels.alertname ?? '')) : !onDemo.some((alert) => alert.labels.alertname === expected);
    });
  const alerts = await eventually('alerts for every incident in Alertmanager', async () => {
    const current = await amAlerts();
    return missingFor(current).length === 0 ? current : undefined;
  }).catch(async (error: unknown) => {
    const current = await amAlerts();
    assert.fail(`${String(error)}; missing: ${missingFor(current).join(', ')}\nPrometheus output:\n${prometheus.output()}`);
  });

  // Labels and annotations as the rules define them, with a runbook link into alerts/runbooks.md.
  const runbooks = readFileSync(root('alerts/runbooks.md'), 'utf8');
  // An explicit anchor (detection sections) or a heading whose GitHub anchor it is (alert sections).
  const hasAnchor = (anchor: string): boolean =>
    runbooks.includes(`<a id="${anchor}"></a>`) || runbooks.split('\n').some((line) => line.startsWith('### ') && line.slice(4).trim().toLowerCase() === anchor);
  const ruleByName = new Map(allRules().map((rule) => [rule.alert, rule]));
  for (const alert of alerts) {
    const name = alert.labels.alertname ?? '';
    const rule = ruleByName.get(name);
    assert.ok(rule, `unknown alert ${name}`);
    assert.equal(alert.labels.severity, rule.severity, name);
    assert.equal(alert.labels.kind, rule.labels?.kind, name);
    assert.equal(alert.annotations.summary, rule.summary, name);
    assert.match(alert.annotations.description ?? '', /^Account demo: /, name);
    assert.doesNotMatch(alert.annotations.description ?? '', /\{\{|<no value>/, name);
    const anchor = (alert.annotations.runbook_url ?? '').slice(RUNBOOK_BASE_URL.length + 1);
    assert.ok((alert.annotations.runbook_url ?? '').startsWith(RUNBOOK_BASE_URL) && hasAnchor(anchor), `${name}: ${alert.annotations.runbook_url}`);
  }
  assert.ok(alerts.every((alert) => alert.labels.account === 'demo'), 'only the demo account alerts');
  assert.deepEqual(alerts.filter((alert) => alert.labels.kind === 'exporter').map((alert) => alert.labels.alertname), [], 'no exporter-health alert');

  // The Trust Center posture alert fires at once, and the example configuration mutes it behind the critical
  // finding alert of the same detection.
  const trustCenter = alerts.find((alert) => alert.labels.alertname === 'SnowflakeRiskTrustCenterFindings');
  assert.ok(trustCenter, 'SnowflakeRiskTrustCenterFindings in Alertmanager');
  assert.equal(trustCenter.status.state, 'suppressed');
  assert.ok(trustCenter.status.inhibitedBy.length > 0);

  // Posture alerts that wait for later snapshots (`for` > 0) are pending in Prometheus for the demo's posture
  // incidents. The drift rules compare with a day ago, which a Prometheus started a minute ago cannot have.
  const postureIncidents = new Set<string>(truth.incidents.filter((incident) => incident.type === 'posture').map((incident) => incident.detectionId));
  const expectedPending = allRules()
    .filter((rule) => rule.labels?.kind === 'posture' && rule.for !== '0m' && !rule.expr.includes('offset'))
    .filter((rule) => postureIncidents.has(rule.labels?.detection ?? ''))
    .map((rule) => rule.alert)
    .sort();
  assert.ok(expectedPending.length >= 4, expectedPending.join(', '));
  const promAlerts = async (): Promise<PromAlert[]> => {
    const response = await fetch(new URL('api/v1/alerts', prometheus.url), { signal: AbortSignal.timeout(10_000) });
    return ((await response.json()) as { data: { alerts: PromAlert[] } }).data.alerts;
  };
  const pending = await eventually('posture alerts pending', async () => {
    const names = [...new Set((await promAlerts()).filter((alert) => alert.state === 'pending' && alert.labels.account === 'demo').map((alert) => alert.labels.alertname ?? ''))];
    return expectedPending.every((name) => names.includes(name)) ? names : undefined;
  });
  assert.ok(pending.length > 0);

  // The control account: once every rule group has been evaluated on its post-cycle metrics, no alert concerns it,
  // neither firing nor pending, in Prometheus or Alertmanager.
  await eventually('rule groups evaluated after the cycles', async () => {
    const response = await fetch(new URL('api/v1/rules', prometheus.url), { signal: AbortSignal.timeout(10_000) });
    const groups = ((await response.json()) as { data: { groups: { lastEvaluation: string }[] } }).data.groups;
    return groups.every((group) => Date.parse(group.lastEvaluation) / 1000 > afterCycles + 2) ? true : undefined;
  });
  assert.deepEqual((await promAlerts()).filter((alert) => alert.labels.account === 'control'), []);
  assert.deepEqual((await amAlerts()).filter((alert) => alert.labels.account === 'control'), []);

  // Critical alerts are delivered to the pager receiver (group_wait 10 s in the example configuration).
  const paged = await eventually('the pager notification', () => {
    const names = (receiver.received.get('/pager') ?? []).flatMap((payload) => payload.alerts.map((alert) => alert.labels.alertname));
    return Promise.resolve(names.includes('SnowflakeRiskUNC5537StagingChain') ? names : undefined);
  }, 120);
  assert.ok(paged.every((name) => ruleByName.get(name ?? '')?.severity === 'critical'), `paged: ${paged.join(', ')}`);

  // Every dashboard query returns data. `offset $__interval` needs a few seconds of history after the cycle.
  await eventually('five seconds of post-cycle history', async () => ((await query('snowflake_risk_account_risk_score{account="demo"} offset 5s > 0')).length === 1 ? true : undefined));
  const topUser = (await query('topk(1, snowflake_risk_user_risk_score{account="demo"})'))[0]?.metric.user;
  assert.ok(topUser, 'a top risky user');
  const exposition = (await (await fetch(new URL('/metrics', demoExporter.url))).text()) + (await (await fetch(new URL('/metrics', controlExporter.url))).text());
  const exported = (name: string): boolean => new RegExp(`^${name}(\\{| )`, 'm').test(exposition);
  const excluded: string[] = [];
  const empty: string[] = [];
  let checked = 0;
  for (const spec of DASHBOARDS) {
    const json = JSON.parse(readFileSync(root(spec.path), 'utf8')) as { uid: string; title: string; panels: [] };
    const single = json.uid === 'snowflake-risk-user';
    for (const q of dashboardQueries(json)) {
      const where = `${json.uid} / ${q.panel} / ${q.refId}`;
      const otlp = OTLP_METRICS_IN_PROGRESS.filter((name) => q.expr.includes(name) && !exported(name));
      if (otlp.length > 0) {
        excluded.push(`${where}: ${otlp.join(', ')} not exported yet (OTLP work in progress)`);
        continue;
      }
      const expr = substitute(q.expr, { job: JOB, account: single ? 'demo' : 'demo|control', user: topUser, rateInterval: '30s', interval: '5s' });
      const result = await query(expr);
      checked++;
      if (result.length > 0) continue;
      if (OAUTH_METRICS.some((name) => q.expr.includes(name))) {
        excluded.push(`${where}: OAuth series exist only for OAuth accounts; both accounts here use key-pair authentication`);
        continue;
      }
      empty.push(`${where}: ${describeQuery(q)}`);
    }
  }
  t.diagnostic(`dashboard queries with data: ${checked - excluded.filter((line) => line.includes('OAuth')).length}; excluded: ${excluded.length}`);
  for (const line of excluded) t.diagnostic(`excluded ${line}`);
  assert.deepEqual(empty, [], 'dashboard queries without data');
  assert.ok(checked > 50, `${checked} queries checked`);
  // Nothing but the listed OTLP and OAuth panels may be excluded.
  assert.ok(excluded.every((line) => /OTLP work in progress|OAuth series/.test(line)));
});

function describeQuery(query: DashboardQuery): string {
  return query.expr.length > 160 ? `${query.expr.slice(0, 160)}...` : query.expr;
}
