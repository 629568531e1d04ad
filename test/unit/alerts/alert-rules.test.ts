// The alert rules as Prometheus and Alertmanager see them: promtool parses and lints every rule file and runs the
// unit tests of alerts/tests (every alert fires, does not fire, and resolves there, which is checked here too);
// every alert has the labels and annotations the conventions ask for and a runbook section that exists; the
// PrometheusRule holds exactly the rule files' groups; amtool accepts the example Alertmanager configuration and
// routes each severity where its comments say. Needs the Debian packages "prometheus" and
// "prometheus-alertmanager"; without them the test fails rather than skips.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { readdirSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse } from 'yaml';
import { RUNBOOK_BASE_URL } from '../../../alerts/src/config.ts';
import { PROMETHEUS_RULE_PATH, RULE_FILES } from '../../../alerts/src/render.ts';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

interface Rule {
  alert: string;
  expr: string;
  for: string;
  labels: Record<string, string>;
  annotations: Record<string, string>;
}

interface RuleFile {
  groups: { name: string; rules: Rule[] }[];
}

const ruleFiles = RULE_FILES.map((file) => ({ path: file.path, content: parse(readFileSync(root(file.path), 'utf8')) as RuleFile }));
const rules = ruleFiles.flatMap((file) => file.content.groups.flatMap((group) => group.rules));
const runbooks = readFileSync(root('alerts/runbooks.md'), 'utf8');
const testFiles = readdirSync(root('alerts/tests')).filter((name) => name.endsWith('.test.yml')).map((name) => `alerts/tests/${name}`);

function run(command: string, args: readonly string[]): { status: number | null; output: string } {
  const result = spawnSync(command, args, { cwd: root('.'), encoding: 'utf8' });
  assert.equal(result.error, undefined, `${command} must be installed (Debian packages prometheus, prometheus-alertmanager)`);
  return { status: result.status, output: `${result.stdout}${result.stderr}` };
}

/** Anchors a reader can land on: explicit `<a id>` and GitHub's heading anchors (lower case, punctuation dropped). */
function anchorsOf(markdown: string): Set<string> {
  const anchors = new Set<string>();
  for (const match of markdown.matchAll(/<a id="([^"]+)"><\/a>/g)) anchors.add(match[1] ?? '');
  for (const match of markdown.matchAll(/^#{1,6} (.+)$/gm)) {
    anchors.add((match[1] ?? '').trim().toLowerCase().replace(/[^a-z0-9_ -]/g, '').replace(/ /g, '-'));
  }
  return anchors;
}

describe('alert rule files', () => {
  it('pass promtool check rules with every lint fatal', () => {
    const { status, output } = run('promtool', ['check', 'rules', '--lint=all', '--lint-fatal', ...RULE_FILES.map((file) => file.path)]);
    assert.equal(status, 0, output);
  });

  it('pass their promtool unit tests', () => {
    assert.ok(testFiles.length >= 3, `test files: ${testFiles.join(', ')}`);
    const { status, output } = run('promtool', ['test', 'rules', ...testFiles]);
    assert.equal(status, 0, output);
  });

  it('have a test where each alert does not fire, fires, and then resolves', () => {
    interface Evaluation {
      readonly at: number;
      readonly firing: boolean;
    }
    const seconds = (duration: string): number => {
      let total = 0;
      for (const [, value, unit] of duration.matchAll(/(\d+)([dhms])/g)) total += Number(value) * { d: 86_400, h: 3600, m: 60, s: 1 }[unit as 'd' | 'h' | 'm' | 's'];
      return total;
    };
    const covered = new Set<string>();
    for (const path of testFiles) {
      const content = parse(readFileSync(root(path), 'utf8')) as {
        tests: { alert_rule_test?: { eval_time: string; alertname: string; exp_alerts?: unknown[] }[] }[];
      };
      for (const group of content.tests) {
        const byAlert = new Map<string, Evaluation[]>();
        for (const test of group.alert_rule_test ?? []) {
          const list = byAlert.get(test.alertname) ?? [];
          list.push({ at: seconds(test.eval_time), firing: (test.exp_alerts ?? []).length > 0 });
          byAlert.set(test.alertname, list);
        }
        for (const [alert, evaluations] of byAlert) {
          const firstFiring = Math.min(...evaluations.filter((e) => e.firing).map((e) => e.at));
          const quietBefore = evaluations.some((e) => !e.firing && e.at < firstFiring);
          const resolvedAfter = evaluations.some((e) => !e.firing && e.at > firstFiring);
          if (Number.isFinite(firstFiring) && quietBefore && resolvedAfter) covered.add(alert);
        }
      }
    }
    const missing = rules.map((rule) => rule.alert).filter((alert) => !covered.has(alert));
    assert.deepEqual(missing, [], 'alerts without a not-firing / firing / resolved sequence in alerts/tests');
  });

  it('give every alert a unique SnowflakeRisk name, a routed severity, a kind and the three annotations', () => {
    assert.equal(new Set(rules.map((rule) => rule.alert)).size, rules.length, 'duplicate alert names');
    for (const rule of rules) {
      assert.match(rule.alert, /^SnowflakeRisk[A-Z][A-Za-z0-9]+$/, rule.alert);
      assert.ok(['critical', 'warning', 'info'].includes(rule.labels.severity ?? ''), `${rule.alert}: severity`);
      assert.ok(['finding', 'posture', 'exporter'].includes(rule.labels.kind ?? ''), `${rule.alert}: kind`);
      assert.match(rule.for, /^\d+[smh]$/, `${rule.alert}: for`);
      assert.match(rule.annotations.summary ?? '', /^[A-Z].*\.$/, `${rule.alert}: summary is a sentence`);
      assert.doesNotMatch(rule.annotations.summary ?? '', /\{\{/, `${rule.alert}: summary is static`);
      assert.match(rule.annotations.description ?? '', /\{\{ \$labels\.(account|instance) \}\}/, `${rule.alert}: description names the account or instance`);
      assert.ok((rule.annotations.runbook_url ?? '').startsWith(`${RUNBOOK_BASE_URL}#`), `${rule.alert}: runbook_url`);
    }
  });

  it('link every alert to a runbook section that exists, and give every alert a section of its own', () => {
    const anchors = anchorsOf(runbooks);
    for (const rule of rules) {
      const anchor = (rule.annotations.runbook_url ?? '').slice(RUNBOOK_BASE_URL.length + 1);
      if (anchor.includes('{{')) {
        // Templated from the detection label: every built-in detection's runbook anchor must exist, and be what the
        // template makes of its id.
        assert.equal(anchor, '{{ $labels.detection | reReplaceAll "[.]" "-" }}', rule.alert);
        for (const detection of BUILT_IN_DETECTIONS) {
          assert.equal(detection.runbook, detection.id.replace('.', '-'), `${detection.id}: runbook anchor`);
          assert.ok(anchors.has(detection.runbook), `alerts/runbooks.md lacks #${detection.runbook}`);
        }
      } else {
        assert.ok(anchors.has(anchor), `${rule.alert}: alerts/runbooks.md lacks #${anchor}`);
      }
      assert.ok(anchors.has(rule.alert.toLowerCase()), `alerts/runbooks.md lacks a section for ${rule.alert}`);
    }
  });

  it('give every detection runbook section the SQL to run and a response', () => {
    for (const detection of new Set(BUILT_IN_DETECTIONS.map((d) => d.runbook))) {
      const start = runbooks.indexOf(`<a id="${detection}"></a>`);
      const next = runbooks.indexOf('<a id="', start + 1);
      const section = runbooks.slice(start, next < 0 ? undefined : next);
      assert.match(section, /\*\*Investigate in Snowflake\.\*\*\n\n[\s\S]*(SELECT|SHOW|DESCRIBE|as SF-|query|queries)/, detection);
      assert.match(section, /\*\*Respond\.\*\*\n\n\S/, detection);
    }
  });

  it('name a catalog detection in each posture alert, so Alertmanager can mute it behind the finding alert', () => {
    const ids = new Set(BUILT_IN_DETECTIONS.map((detection) => detection.id));
    const posture = rules.filter((rule) => rule.labels.kind === 'posture');
    assert.ok(posture.length >= 5);
    for (const rule of posture) assert.ok(ids.has(rule.labels.detection ?? ''), `${rule.alert}: detection label`);
  });

  it('render the same groups as a PrometheusRule', () => {
    const resource = parse(readFileSync(root(PROMETHEUS_RULE_PATH), 'utf8')) as { apiVersion: string; kind: string; metadata: { name: string }; spec: RuleFile };
    assert.equal(resource.apiVersion, 'monitoring.coreos.com/v1');
    assert.equal(resource.kind, 'PrometheusRule');
    assert.equal(resource.metadata.name, 'snowflake-risk-exporter');
    assert.deepEqual(resource.spec.groups, ruleFiles.flatMap((file) => file.content.groups));
  });
});

describe('example Alertmanager configuration', () => {
  const config = 'alerts/alertmanager.example.yml';

  it('passes amtool check-config', () => {
    const { status, output } = run('amtool', ['check-config', config]);
    assert.equal(status, 0, output);
  });

  for (const [severity, receiver] of [
    ['critical', 'security-pager'],
    ['warning', 'security-tickets'],
    ['info', 'security-digest'],
  ] as const) {
    it(`routes severity=${severity} to ${receiver}`, () => {
      const { status, output } = run('amtool', ['config', 'routes', 'test', `--config.file=${config}`, `severity=${severity}`, 'alertname=SnowflakeRiskTest', 'account=demo']);
      assert.equal(status, 0, output);
      assert.equal(output.split('\n').find((line) => line.trim() !== '' && !line.startsWith('Warning'))?.trim(), receiver);
    });
  }
});
