// The PromQL of a generated dashboard, with Grafana's variables replaced the way Grafana would: what the tests parse
// with promtool and run against a real Prometheus, so that every panel is proven to query something that exists.

export interface DashboardQuery {
  readonly dashboard: string;
  readonly panel: string;
  readonly refId: string;
  readonly expr: string;
  readonly instant: boolean;
}

interface PanelJson {
  title?: string;
  type?: string;
  targets?: { expr?: string; refId?: string; instant?: boolean }[];
  panels?: PanelJson[];
}

/** Every target of every panel (rows included), in dashboard order. */
export function dashboardQueries(dashboard: { title?: string; panels?: PanelJson[] }): DashboardQuery[] {
  const queries: DashboardQuery[] = [];
  const visit = (panels: PanelJson[] | undefined): void => {
    for (const panel of panels ?? []) {
      for (const target of panel.targets ?? []) {
        if (target.expr === undefined) continue;
        queries.push({
          dashboard: dashboard.title ?? '',
          panel: panel.title ?? '',
          refId: target.refId ?? '',
          expr: target.expr,
          instant: target.instant === true,
        });
      }
      visit(panel.panels);
    }
  };
  visit(dashboard.panels);
  return queries;
}

/** Values of the template variables; Grafana's built-in intervals default to what a short test run can fill. */
export interface VariableValues {
  readonly job?: string;
  readonly account?: string;
  readonly user?: string;
  readonly rateInterval?: string;
  readonly interval?: string;
}

/** The expression as Grafana sends it to Prometheus, for the given variable values. */
export function substitute(expr: string, values: VariableValues = {}): string {
  return expr
    .replaceAll('$__rate_interval', values.rateInterval ?? '1m')
    .replaceAll('$__interval', values.interval ?? '15s')
    .replaceAll('$job', values.job ?? '.*')
    .replaceAll('$account', values.account ?? '.*')
    .replaceAll('$user', values.user ?? 'ANY_USER');
}
