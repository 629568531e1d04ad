// Renders the alert sources into the files Prometheus and the Prometheus Operator load: three rule files (findings,
// posture, exporter health) and one PrometheusRule holding the same groups. Registered in scripts/generated-files.ts,
// so `npm run generate` writes them and a test fails when a committed copy differs.
import { stringify } from 'yaml';
import { EXPORTER_GROUPS } from './exporter-health.ts';
import { FINDING_GROUPS } from './findings.ts';
import { POSTURE_GROUPS } from './posture.ts';
import { runbookUrl, type AlertGroup, type AlertRule, type AlertRuleFile } from './types.ts';

export const RULE_FILES: readonly AlertRuleFile[] = [
  { path: 'alerts/rules/findings.rules.yml', title: 'new findings: critical incidents by name, the rest by severity', groups: FINDING_GROUPS },
  { path: 'alerts/rules/posture.rules.yml', title: 'posture drift: unsafe states that persist, and growth since yesterday', groups: POSTURE_GROUPS },
  { path: 'alerts/rules/exporter.rules.yml', title: "the exporter's own health", groups: EXPORTER_GROUPS },
];

export const PROMETHEUS_RULE_PATH = 'alerts/kubernetes/prometheus-rule.yaml';

export function allRules(): AlertRule[] {
  return RULE_FILES.flatMap((file) => file.groups.flatMap((group) => group.rules));
}

/** The rule as Prometheus reads it (field order as in the Prometheus documentation). */
function prometheusRule(rule: AlertRule): Record<string, unknown> {
  return {
    alert: rule.alert,
    expr: rule.expr,
    for: rule.for,
    labels: { severity: rule.severity, ...rule.labels },
    annotations: {
      summary: rule.summary,
      description: rule.description,
      runbook_url: runbookUrl(rule.runbookAnchor),
    },
  };
}

function groupsOf(groups: readonly AlertGroup[]): Record<string, unknown>[] {
  return groups.map((group) => ({ name: group.name, rules: group.rules.map(prometheusRule) }));
}

const YAML_OPTIONS = { lineWidth: 0 } as const;

function header(lines: readonly string[]): string {
  return lines.map((line) => `# ${line}`).join('\n') + '\n';
}

export function renderRuleFile(file: AlertRuleFile): string {
  return (
    header([
      `Prometheus alert rules of snowflake-risk-exporter: ${file.title}.`,
      'Generated from alerts/src by `npm run generate`; edit the sources, not this file. Runbooks: alerts/runbooks.md.',
    ]) + stringify({ groups: groupsOf(file.groups) }, YAML_OPTIONS)
  );
}

/** The same groups as a PrometheusRule for the Prometheus Operator (spec.groups is exactly the rule files' groups). */
export function renderPrometheusRule(): string {
  const resource = {
    apiVersion: 'monitoring.coreos.com/v1',
    kind: 'PrometheusRule',
    metadata: {
      name: 'snowflake-risk-exporter',
      labels: {
        'app.kubernetes.io/name': 'snowflake-risk-exporter',
        'app.kubernetes.io/component': 'alerting-rules',
      },
    },
    spec: { groups: RULE_FILES.flatMap((file) => groupsOf(file.groups)) },
  };
  return (
    header([
      'PrometheusRule of snowflake-risk-exporter: the groups of alerts/rules/*.rules.yml, for the Prometheus Operator.',
      'Generated from alerts/src by `npm run generate`; edit the sources, not this file. Runbooks: alerts/runbooks.md.',
      'The Prometheus resource selects rules by label (ruleSelector): add the labels yours expects, e.g. with kustomize.',
    ]) + stringify(resource, YAML_OPTIONS)
  );
}
