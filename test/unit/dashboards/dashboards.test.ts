// The generated dashboards follow the conventions Grafana's dashboard linter checks (datasource variable everywhere,
// job and account variables applied to every query, $__rate_interval in rates, units, thresholds, descriptions,
// stable uids), every expression parses with promtool, and every metric they read is one the exporter registers.
// Needs the Debian package "prometheus".
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { fileURLToPath } from 'node:url';
import { parse, stringify } from 'yaml';
import { DASHBOARDS } from '../../../dashboards/src/index.ts';
import { dashboardQueries, substitute } from '../../../dashboards/src/queries.ts';
import type { Registry } from 'prom-client';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { OtlpMetrics } from '../../../src/export/otlp/otlp-metrics.ts';
import { OAuthMetrics } from '../../../src/oauth/oauth-metrics.ts';

const root = (path: string): string => fileURLToPath(new URL(`../../../${path}`, import.meta.url));

/**
 * The exporter's registry as a running exporter fills it: the core metrics, plus the OTLP sink's and the OAuth
 * onboarding's, which register themselves on the same registry when those features are on.
 */
function exporterRegistry(): Registry {
  const registry = createExporterMetrics({ accounts: ['a'] }).registry;
  new OtlpMetrics(registry, 10);
  new OAuthMetrics(registry, []);
  return registry;
}

interface Panel {
  id: number;
  type: string;
  title: string;
  description?: string;
  datasource?: { type: string; uid: string };
  gridPos: { x: number; y: number; w: number; h: number };
  fieldConfig?: { defaults?: { unit?: string; thresholds?: { steps?: unknown[] } } };
  targets?: { expr: string; refId?: string; datasource?: { uid: string } }[];
}

interface Variable {
  type: string;
  name: string;
  query?: string;
  datasource?: { uid: string };
}

interface DashboardJson {
  uid: string;
  title: string;
  description?: string;
  tags: string[];
  panels: Panel[];
  templating: { list: Variable[] };
  annotations: { list: unknown[] };
}

const dashboards = DASHBOARDS.map((spec) => ({ path: spec.path, json: JSON.parse(readFileSync(root(spec.path), 'utf8')) as DashboardJson }));

/** Metric names an expression reads: identifiers followed by a selector or range (not functions or keywords). */
function metricNames(expr: string): string[] {
  return [...expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{/g)].map((match) => match[1] ?? '');
}

describe('generated dashboards', () => {
  it('are three, with stable uids, tags, a description and the built-in annotations', () => {
    assert.equal(dashboards.length, 3);
    const uids = dashboards.map(({ json }) => json.uid);
    assert.deepEqual(uids, ['snowflake-risk-overview', 'snowflake-risk-user', 'snowflake-risk-exporter']);
    for (const { json } of dashboards) {
      assert.ok(json.uid.length >= 8 && json.uid.length <= 40, json.uid);
      assert.ok(json.tags.includes('snowflake-risk'), `${json.uid}: tags`);
      assert.ok((json.description ?? '').length > 20, `${json.uid}: description`);
      assert.equal(json.annotations.list.length, 1, `${json.uid}: annotations`);
    }
  });

  it('take the datasource, job and account as template variables', () => {
    for (const { json } of dashboards) {
      const variables = new Map(json.templating.list.map((variable) => [variable.name, variable]));
      assert.equal(variables.get('datasource')?.type, 'datasource', `${json.uid}: datasource variable`);
      assert.equal(variables.get('datasource')?.query, 'prometheus');
      for (const name of ['job', 'account']) {
        const variable = variables.get(name);
        assert.equal(variable?.type, 'query', `${json.uid}: ${name} variable`);
        assert.equal(variable.datasource?.uid, '${datasource}');
        assert.match(variable.query ?? '', /^label_values\(snowflake_risk_/);
      }
    }
  });

  it('describe every panel, read from the datasource variable, and set units and thresholds', () => {
    for (const { json } of dashboards) {
      const ids = new Set<number>();
      for (const panel of json.panels) {
        assert.ok(!ids.has(panel.id), `${json.uid}: duplicate panel id ${panel.id}`);
        ids.add(panel.id);
        assert.ok(panel.gridPos.x + panel.gridPos.w <= 24, `${json.uid}/${panel.title}: beyond the grid`);
        if (panel.type === 'row') continue;
        const where = `${json.uid}/${panel.title}`;
        assert.ok((panel.description ?? '').length > 20, `${where}: description`);
        if (panel.type === 'text') continue;
        assert.equal(panel.datasource?.uid, '${datasource}', `${where}: panel datasource`);
        assert.ok(panel.fieldConfig?.defaults?.unit, `${where}: unit`);
        assert.ok((panel.fieldConfig?.defaults?.thresholds?.steps ?? []).length > 0, `${where}: thresholds`);
        assert.ok((panel.targets ?? []).length > 0, `${where}: queries`);
        const refIds = new Set<string>();
        for (const target of panel.targets ?? []) {
          assert.equal(target.datasource?.uid, '${datasource}', `${where}: target datasource`);
          assert.ok(target.refId !== undefined && !refIds.has(target.refId), `${where}: refId`);
          refIds.add(target.refId);
        }
      }
    }
  });

  it('filter every selector by $job, every per-account selector by $account, and use $__rate_interval in rates', () => {
    // Metrics without an `account` label (process-wide ones) take $job only.
    const withoutAccount = new Set(
      exporterRegistry()
        .getMetricsAsArray()
        .filter((metric) => !((metric as unknown as { labelNames?: string[] }).labelNames ?? []).includes('account'))
        .map((metric) => metric.name),
    );
    for (const { json } of dashboards) {
      for (const query of dashboardQueries(json)) {
        const where = `${json.uid}/${query.panel}/${query.refId}`;
        for (const selector of query.expr.matchAll(/\b([a-zA-Z_:][a-zA-Z0-9_:]*)\{([^}]*)\}/g)) {
          const [, name = '', matchers = ''] = selector;
          assert.match(matchers, /job=~"\$job"/, `${where}: ${name} without $job`);
          if (!withoutAccount.has(name)) assert.match(matchers, /account=~"\$account"/, `${where}: ${name} without $account`);
        }
        for (const range of query.expr.matchAll(/\b(rate|increase|irate)\([^[]*\[([^\]]+)\]/g)) {
          assert.equal(range[2], '$__rate_interval', `${where}: ${range[1]}() over ${range[2]}`);
        }
      }
    }
  });

  it('read only metrics the exporter registers', () => {
    const registered = new Set(exporterRegistry().getMetricsAsArray().map((metric) => metric.name));
    const unknown: string[] = [];
    for (const { json } of dashboards) {
      for (const query of dashboardQueries(json)) {
        for (const name of metricNames(query.expr)) {
          if (!registered.has(name)) unknown.push(`${json.uid}/${query.panel}: ${name}`);
        }
      }
    }
    assert.deepEqual(unknown, []);
  });

  it('hold only PromQL that promtool parses, once Grafana has replaced the variables', (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sre-dashboards-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const queries = dashboards.flatMap(({ json }) => dashboardQueries(json));
    assert.ok(queries.length > 50, `${queries.length} queries`);
    // Each expression becomes a throwaway recording rule: promtool check rules parses it and reports the position.
    const rules = queries.map((query, index) => ({ record: `dashboard:query_${index}`, expr: substitute(query.expr) }));
    const file = join(dir, 'dashboard-queries.rules.yml');
    writeFileSync(file, stringify({ groups: [{ name: 'dashboards', rules }] }));
    const result = spawnSync('promtool', ['check', 'rules', file], { encoding: 'utf8' });
    assert.equal(result.error, undefined, 'promtool must be installed (Debian package "prometheus")');
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('overview: outbound share counts read "unknown" where they are unknown, say why and link to the least-privilege setup', (t) => {
    const overview = dashboards.find(({ json }) => json.uid === 'snowflake-risk-overview')!.json;
    type SharePanel = Panel & { links?: { url?: string }[]; fieldConfig?: { defaults?: { mappings?: { options?: Record<string, { text?: string }> }[] } } };
    const panels = overview.panels as SharePanel[];
    const reads = (panel: Panel, metric: string): boolean => (panel.targets ?? []).some((target) => metricNames(target.expr).includes(metric));
    const mapped = (panel: SharePanel): Map<string, string> =>
      new Map((panel.fieldConfig?.defaults?.mappings ?? []).flatMap((mapping) => Object.entries(mapping.options ?? {}).map(([value, result]) => [value, result.text ?? ''] as const)));
    const leastPrivilege = 'https://github.com/snowflake-risk-exporter/snowflake-risk-exporter/blob/main/README.md#snowflake-setup-least-privilege';
    // The README section the links open exists under that anchor.
    assert.match(readFileSync(root('README.md'), 'utf8'), /^## Snowflake setup \(least privilege\)$/m);

    // A panel says whether the counts are known, in words, and why.
    const known = panels.find((panel) => reads(panel, 'snowflake_risk_outbound_shares_known') && !reads(panel, 'snowflake_risk_outbound_shares'));
    assert.ok(known, 'a panel shows snowflake_risk_outbound_shares_known');
    assert.match(mapped(known).get('0') ?? '', /unknown/);
    assert.match(known.description ?? '', /ACCOUNT_USAGE\.SHARES/);
    assert.ok((known.links ?? []).some((link) => link.url === leastPrivilege), 'links to the least-privilege setup');

    // The totals: what Prometheus answers (promtool's PromQL engine) for one account whose shares are unknown (the
    // exporter publishes no totals for it) and one whose shares are known.
    const totals = panels.filter((panel) => reads(panel, 'snowflake_risk_outbound_shares') || reads(panel, 'snowflake_risk_outbound_share_consumer_accounts'));
    assert.ok(totals.length > 0);
    const dir = mkdtempSync(join(tmpdir(), 'sre-share-panels-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const series = (name: string, account: string, value: number) => ({ series: `${name}{job="exporter",account="${account}"}`, values: `${value}x2` });
    const cases = totals.flatMap((panel) => {
      const unknownText = [...mapped(panel)].find(([, text]) => /unknown/.test(text));
      assert.ok(unknownText, `${panel.title}: a value mapped to "unknown"`);
      assert.ok((panel.links ?? []).some((link) => link.url === leastPrivilege), `${panel.title}: links to the least-privilege setup`);
      return (panel.targets ?? []).map((target) => ({
        expr: substitute(target.expr),
        eval_time: '1m',
        exp_samples: [
          { labels: '{account="blind"}', value: Number(unknownText[0]) },
          { labels: '{account="seen"}', value: target.expr.includes('consumer_accounts') ? 2 : 3 },
        ],
      }));
    });
    const testFile = join(dir, 'share-panels.test.yml');
    writeFileSync(testFile, stringify({
      rule_files: [],
      tests: [{
        interval: '1m',
        input_series: [
          series('snowflake_risk_outbound_shares_known', 'blind', 0),
          series('snowflake_risk_outbound_shares_known', 'seen', 1),
          series('snowflake_risk_outbound_shares', 'seen', 3),
          series('snowflake_risk_outbound_share_consumer_accounts', 'seen', 2),
        ],
        promql_expr_test: cases,
      }],
    }));
    const result = spawnSync('promtool', ['test', 'rules', testFile], { encoding: 'utf8' });
    assert.equal(result.status, 0, `${result.stdout}${result.stderr}`);
  });

  it('come with a Grafana provisioning example for the datasource and the dashboard files', () => {
    const provider = parse(readFileSync(root('dashboards/provisioning/dashboards/snowflake-risk.yaml'), 'utf8')) as {
      apiVersion: number;
      providers: { type: string; options: { path: string } }[];
    };
    assert.equal(provider.apiVersion, 1);
    assert.equal(provider.providers[0]?.type, 'file');
    assert.ok(provider.providers[0]?.options.path);
    const datasources = parse(readFileSync(root('dashboards/provisioning/datasources/prometheus.yaml'), 'utf8')) as {
      apiVersion: number;
      datasources: { type: string; url: string }[];
    };
    assert.equal(datasources.apiVersion, 1);
    assert.equal(datasources.datasources[0]?.type, 'prometheus');
  });
});
