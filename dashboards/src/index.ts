// The dashboards and how their JSON files are written. Registered in scripts/generated-files.ts: `npm run generate`
// writes dashboards/json/*.json, which Grafana provisions from files (dashboards/provisioning/) or imports by hand,
// and a test fails when the committed JSON is not what this code generates.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { buildExporter } from './exporter.ts';
import { buildOverview } from './overview.ts';
import { buildUser } from './user.ts';

export interface DashboardSpec {
  /** Path of the generated JSON, relative to the repository root. */
  readonly path: string;
  build(): Dashboard;
}

export const DASHBOARDS: readonly DashboardSpec[] = [
  { path: 'dashboards/json/snowflake-risk-overview.json', build: buildOverview },
  { path: 'dashboards/json/snowflake-risk-user.json', build: buildUser },
  { path: 'dashboards/json/snowflake-risk-exporter.json', build: buildExporter },
];

interface PanelJson {
  id?: number;
  type?: string;
  panels?: PanelJson[];
  [key: string]: unknown;
}

/**
 * What the SDK leaves to the caller: stable panel ids (Grafana needs them for links and it would otherwise assign
 * them on load, making an exported copy differ from the file) and the built-in annotation list (the SDK emits an
 * empty object where Grafana expects `{ list: [...] }`).
 */
export function finishDashboard(dashboard: Dashboard): Record<string, unknown> {
  const json = JSON.parse(JSON.stringify(dashboard)) as Record<string, unknown> & { panels?: PanelJson[] };
  let next = 1;
  const number = (panels: PanelJson[] | undefined): void => {
    for (const panel of panels ?? []) {
      panel.id = next++;
      number(panel.panels);
    }
  };
  number(json.panels);
  json.annotations = {
    list: [
      {
        builtIn: 1,
        datasource: { type: 'grafana', uid: '-- Grafana --' },
        enable: true,
        hide: true,
        iconColor: 'rgba(0, 211, 255, 1)',
        name: 'Annotations & Alerts',
        type: 'dashboard',
      },
    ],
  };
  return json;
}

export function renderDashboard(spec: DashboardSpec): string {
  return JSON.stringify(finishDashboard(spec.build()), null, 2) + '\n';
}
