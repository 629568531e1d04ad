// The parts every dashboard shares: the datasource, job and account variables, the selector that applies them, and
// small panel factories over the Grafana Foundation SDK builders, so that a dashboard file reads as a list of
// questions (title, description, query, unit, thresholds) rather than builder plumbing.
import {
  DashboardBuilder,
  DashboardLinkBuilder,
  DashboardLinkType,
  DatasourceVariableBuilder,
  MappingType,
  QueryVariableBuilder,
  RowBuilder,
  ThresholdsConfigBuilder,
  ThresholdsMode,
  VariableRefresh,
  VariableSort,
  type DataSourceRef,
  type ValueMapping,
} from '@grafana/grafana-foundation-sdk/dashboard';
import { PanelBuilder as BarGaugePanel } from '@grafana/grafana-foundation-sdk/bargauge';
import { BarGaugeDisplayMode, BigValueColorMode, BigValueGraphMode, BigValueTextMode, GraphDrawStyle, LegendDisplayMode, LegendPlacement, ReduceDataOptionsBuilder, SortOrder, StackingMode, StackingConfigBuilder, TableSortByFieldStateBuilder, TooltipDisplayMode, VizLegendOptionsBuilder, VizTooltipOptionsBuilder } from '@grafana/grafana-foundation-sdk/common';
import { DataqueryBuilder, PromQueryFormat } from '@grafana/grafana-foundation-sdk/prometheus';
import { PanelBuilder as StatPanel } from '@grafana/grafana-foundation-sdk/stat';
import { PanelBuilder as TablePanel } from '@grafana/grafana-foundation-sdk/table';
import { PanelBuilder as TextPanel, TextMode } from '@grafana/grafana-foundation-sdk/text';
import { PanelBuilder as TimeseriesPanel } from '@grafana/grafana-foundation-sdk/timeseries';

/** Every panel and query reads from the dashboard's datasource variable: works provisioned and imported alike. */
export const DATASOURCE: DataSourceRef = { type: 'prometheus', uid: '${datasource}' };

export const TAG = 'snowflake-risk';

/** Where the README is published: panels that need a setup step link to its sections. */
export const README_URL = 'https://github.com/snowflake-risk-exporter/snowflake-risk-exporter/blob/main/README.md';

/** A link shown in a panel's header, opening a README section (`anchor`: the heading's GitHub anchor). */
export function readmeLink(title: string, anchor: string): DashboardLinkBuilder {
  return new DashboardLinkBuilder(title).type(DashboardLinkType.Link).url(`${README_URL}#${anchor}`).targetBlank(true).tooltip(title).icon('doc');
}

/** A metric selector restricted to the chosen job and accounts, plus any extra matchers. */
export function sel(metric: string, ...matchers: string[]): string {
  return `${metric}{${['job=~"$job"', 'account=~"$account"', ...matchers].join(', ')}}`;
}

/** A selector restricted to the chosen job only (process-wide metrics without an account label). */
export function selJob(metric: string, ...matchers: string[]): string {
  return `${metric}{${['job=~"$job"', ...matchers].join(', ')}}`;
}

/**
 * Counters of things that happened (findings, share changes, unloads), as "new since the previous point". The
 * series of these counters are born already above 0 (at the first finding of a detection, often before Prometheus
 * first scrapes), which `increase()` cannot see; comparing the sum of the series with the sum one step earlier
 * counts a new series in full. A restart of the exporter lowers the sum, which clamp_min turns into 0.
 */
export function newPerStep(metric: string, by: readonly string[], ...matchers: string[]): string {
  const series = sel(metric, ...matchers);
  const sumBy = `sum by (${by.join(', ')})`;
  return `clamp_min(${sumBy} (${series}) - (${sumBy} (${series} offset $__interval) or 0 * ${sumBy} (${series})), 0)`;
}

export interface Query {
  readonly expr: string;
  /** Legend template, e.g. '{{account}}'. */
  readonly legend?: string;
  /** Instant query (tables and stats of "now"). */
  readonly instant?: boolean;
  readonly table?: boolean;
}

function target(query: Query, index: number): DataqueryBuilder {
  const builder = new DataqueryBuilder()
    .datasource(DATASOURCE)
    .expr(query.expr)
    .refId(String.fromCharCode(65 + index))
    .legendFormat(query.legend ?? '__auto');
  if (query.instant === true) builder.instant();
  else builder.range();
  if (query.table === true) builder.format(PromQueryFormat.Table);
  return builder;
}

export type Steps = readonly (readonly [color: string, from: number | null])[];

/** Absolute thresholds: [['green', null], ['red', 1]] is green below 1 and red from 1. */
export function thresholds(steps: Steps): ThresholdsConfigBuilder {
  return new ThresholdsConfigBuilder().mode(ThresholdsMode.Absolute).steps(steps.map(([color, value]) => ({ color, value })));
}

/** Green whatever the value: for panels where no value is good or bad in itself. */
export const NEUTRAL: Steps = [['green', null]];

interface PanelCommon {
  readonly title: string;
  readonly description: string;
  readonly unit: string;
  readonly queries: readonly Query[];
  readonly steps?: Steps;
  /** Grid width (of 24) and height. */
  readonly w?: number;
  readonly h?: number;
  readonly mappings?: ValueMapping[];
  readonly decimals?: number;
  readonly min?: number;
  readonly max?: number;
}

function applyCommon<T extends StatPanel | TimeseriesPanel | BarGaugePanel | TablePanel>(builder: T, panel: PanelCommon, defaults: { w: number; h: number }): T {
  builder
    .title(panel.title)
    .description(panel.description)
    .datasource(DATASOURCE)
    .unit(panel.unit)
    .thresholds(thresholds(panel.steps ?? NEUTRAL))
    .span(panel.w ?? defaults.w)
    .height(panel.h ?? defaults.h);
  panel.queries.forEach((query, index) => builder.withTarget(target(query, index)));
  if (panel.mappings !== undefined) builder.mappings(panel.mappings);
  if (panel.decimals !== undefined) builder.decimals(panel.decimals);
  if (panel.min !== undefined) builder.min(panel.min);
  if (panel.max !== undefined) builder.max(panel.max);
  return builder;
}

export function stat(panel: PanelCommon & { readonly graph?: boolean }): StatPanel {
  return applyCommon(new StatPanel(), panel, { w: 4, h: 4 })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .colorMode(BigValueColorMode.Background)
    .graphMode(panel.graph === true ? BigValueGraphMode.Area : BigValueGraphMode.None)
    .textMode(BigValueTextMode.ValueAndName);
}

export function timeseries(panel: PanelCommon & { readonly bars?: boolean; readonly stacked?: boolean }): TimeseriesPanel {
  const builder = applyCommon(new TimeseriesPanel(), panel, { w: 12, h: 8 })
    .legend(new VizLegendOptionsBuilder().showLegend(true).displayMode(LegendDisplayMode.List).placement(LegendPlacement.Bottom).calcs([]))
    .tooltip(new VizTooltipOptionsBuilder().mode(TooltipDisplayMode.Multi).sort(SortOrder.Descending))
    .fillOpacity(panel.bars === true ? 80 : 10);
  if (panel.bars === true) builder.drawStyle(GraphDrawStyle.Bars);
  if (panel.stacked === true) builder.stacking(new StackingConfigBuilder().mode(StackingMode.Normal));
  return builder;
}

export function bargauge(panel: PanelCommon): BarGaugePanel {
  return applyCommon(new BarGaugePanel(), panel, { w: 8, h: 8 })
    .reduceOptions(new ReduceDataOptionsBuilder().calcs(['lastNotNull']).values(false))
    .displayMode(BarGaugeDisplayMode.Basic)
    .showUnfilled(true);
}

export function table(panel: PanelCommon & { readonly sortBy?: string }): TablePanel {
  const builder = applyCommon(new TablePanel(), panel, { w: 12, h: 8 });
  if (panel.sortBy !== undefined) builder.sortBy([new TableSortByFieldStateBuilder().displayName(panel.sortBy).desc(true)]);
  return builder;
}

export function text(panel: { readonly title: string; readonly description: string; readonly content: string; readonly w?: number; readonly h?: number }): TextPanel {
  return new TextPanel()
    .title(panel.title)
    .description(panel.description)
    .mode(TextMode.Markdown)
    .content(panel.content)
    .span(panel.w ?? 24)
    .height(panel.h ?? 8);
}

export function row(title: string): RowBuilder {
  return new RowBuilder(title);
}

/** A value mapping of numbers to words and colours (e.g. 1 -> UP, 0 -> DOWN). */
export function valueText(options: Readonly<Record<string, { readonly text: string; readonly color: string }>>): ValueMapping {
  const entries = Object.entries(options).map(([value, result], index) => [value, { ...result, index }] as const);
  return { type: MappingType.ValueToText, options: Object.fromEntries(entries) };
}

function variableBase(name: string, label: string, query: string): QueryVariableBuilder {
  return new QueryVariableBuilder(name)
    .label(label)
    .datasource(DATASOURCE)
    .query(query)
    .definition(query)
    .refresh(VariableRefresh.OnTimeRangeChanged)
    .sort(VariableSort.AlphabeticalAsc);
}

/** The datasource, job and account variables every dashboard starts with. */
export function standardVariables(options: { readonly multiAccount: boolean }): (DatasourceVariableBuilder | QueryVariableBuilder)[] {
  const account = variableBase('account', 'Account', 'label_values(snowflake_risk_up{job=~"$job"}, account)');
  if (options.multiAccount) account.multi(true).includeAll(true).allValue('.*');
  return [
    new DatasourceVariableBuilder('datasource').label('Data source').type('prometheus'),
    variableBase('job', 'Job', 'label_values(snowflake_risk_exporter_build_info, job)').multi(true).includeAll(true).allValue('.*'),
    account,
  ];
}

export function queryVariable(name: string, label: string, query: string): QueryVariableBuilder {
  return variableBase(name, label, query);
}

/** The dashboard frame: uid, tags, time, refresh, and links to the other dashboards of the product. */
export function dashboard(options: { readonly uid: string; readonly title: string; readonly description: string }): DashboardBuilder {
  return new DashboardBuilder(options.title)
    .uid(options.uid)
    .description(options.description)
    .tags([TAG, 'snowflake', 'security'])
    .editable()
    .time({ from: 'now-24h', to: 'now' })
    .refresh('5m')
    .timezone('browser')
    .link(
      new DashboardLinkBuilder('Snowflake risk')
        .type(DashboardLinkType.Dashboards)
        .tags([TAG])
        .asDropdown(true)
        .includeVars(true)
        .keepTime(true)
        .targetBlank(false)
        .icon('external link')
        .tooltip('')
    );
}
