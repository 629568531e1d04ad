// The exporter's own health: is each account collected, how fresh each source is, what failed, what the exporter
// costs in Snowflake, whether OTLP records leave, and when an OAuth refresh token needs a human again.
import type { Dashboard } from '@grafana/grafana-foundation-sdk/dashboard';
import { bargauge, dashboard, row, sel, selJob, stat, standardVariables, table, timeseries, valueText, type Steps } from './common.ts';

const UP_MAPPING = valueText({ '1': { text: 'UP', color: 'green' }, '0': { text: 'DOWN', color: 'red' } });
/** Two hourly intervals plus the longest view latency (3 h) is where the stale alert starts for most sources. */
const AGE: Steps = [['green', null], ['orange', 2 * 3600], ['red', 5 * 3600]];
const ANY_IS_BAD: Steps = [['green', null], ['red', 1]];

/** A counter's growth per hour by labels, with 0 for every account that has none (error counters start absent). */
function perHourOrZero(metric: string, by: readonly string[], ...matchers: string[]): string {
  const byClause = `sum by (${by.join(', ')})`;
  return `${byClause} (rate(${sel(metric, ...matchers)}[$__rate_interval])) * 3600 or ${byClause} (0 * ${sel('snowflake_risk_up')})`;
}

export function buildExporter(): Dashboard {
  return dashboard({
    uid: 'snowflake-risk-exporter',
    title: 'Snowflake insider risk: exporter health',
    description: 'Collection status, freshness per source, errors, statements and estimated credits, OTLP delivery and OAuth tokens of snowflake-risk-exporter.',
  })
    .variables(standardVariables({ multiAccount: true }))
    .withRow(row('Accounts'))
    .withPanel(
      stat({
        title: 'Account collection',
        description: 'Whether each account authenticated and ran its last collection cycle (UP) or not (DOWN); DOWN until the first cycle ends.',
        unit: 'none',
        steps: [['red', null], ['green', 1]],
        mappings: [UP_MAPPING],
        w: 6,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_up')})`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Last cycle duration',
        description: 'Duration of each account\'s last collection cycle (one burst of statements; the warehouse wakes once per cycle).',
        unit: 's',
        steps: [['green', null], ['orange', 300], ['red', 1800]],
        w: 6,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_cycle_duration_seconds')})`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Cycles by outcome',
        description: 'Collection cycles per hour by outcome: ok, partial (some sources failed), failed, cancelled.',
        unit: 'short',
        bars: true,
        stacked: true,
        queries: [{ expr: `sum by (account, outcome) (rate(${sel('snowflake_risk_cycles_total')}[$__rate_interval])) * 3600`, legend: '{{account}} {{outcome}}' }],
      }),
    )
    .withRow(row('Freshness'))
    .withPanel(
      bargauge({
        title: 'Time since last success, per source',
        description:
          'How long ago each source last completed. Orange beyond two hourly intervals, red beyond the stale alert\'s usual threshold; a source that never succeeded shows its age since 1970.',
        unit: 's',
        steps: AGE,
        w: 12,
        h: 12,
        queries: [{ expr: `sort_desc(time() - max by (account, source) (${sel('snowflake_risk_source_last_success_timestamp_seconds')}))`, legend: '{{account}} {{source}}' }],
      }),
    )
    .withPanel(
      bargauge({
        title: 'Data lag, per source',
        description: 'Snowflake time minus the newest event the source saw at its last run: the view\'s ingestion latency plus how quiet the account is (45 min to 3 h is normal for ACCOUNT_USAGE).',
        unit: 's',
        steps: [['green', null], ['orange', 3 * 3600], ['red', 6 * 3600]],
        w: 12,
        h: 12,
        queries: [{ expr: `sort_desc(max by (account, source) (${sel('snowflake_risk_source_lag_seconds')}))`, legend: '{{account}} {{source}}' }],
      }),
    )
    .withPanel(
      table({
        title: 'Posture snapshot age',
        description: 'Age of the latest successful posture snapshot of each kind (users, admins, shares, parameters, trust_center).',
        unit: 's',
        steps: AGE,
        queries: [{ expr: `time() - max by (account, kind) (${sel('snowflake_risk_posture_last_success_timestamp_seconds')})`, instant: true, table: true }],
      }),
    )
    .withPanel(
      table({
        title: 'Detections unavailable',
        description: 'Detections that cannot run because a view is missing or not granted (1); see the README\'s least-privilege setup for the grant each needs.',
        unit: 'none',
        steps: ANY_IS_BAD,
        sortBy: 'Value',
        queries: [{ expr: `sort_desc(max by (account, detection) (${sel('snowflake_risk_detection_unavailable')}))`, instant: true, table: true }],
      }),
    )
    .withRow(row('Errors'))
    .withPanel(
      timeseries({
        title: 'Source errors',
        description: 'Failed source runs per hour by source and error kind (0 when none failed).',
        unit: 'short',
        bars: true,
        w: 8,
        queries: [{ expr: perHourOrZero('snowflake_risk_source_errors_total', ['account', 'source', 'kind']), legend: '{{account}} {{source}} {{kind}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Detection errors',
        description: 'Failed detection runs per hour (SQL errors other than an unavailable view, or a rule that threw).',
        unit: 'short',
        bars: true,
        w: 8,
        queries: [{ expr: `sum by (account, detection) (rate(${sel('snowflake_risk_detection_errors_total')}[$__rate_interval])) * 3600`, legend: '{{account}} {{detection}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'SQL API requests',
        description: 'Requests to the Snowflake SQL API per hour by request kind and HTTP status class (none: no answer), and retries.',
        unit: 'short',
        w: 8,
        queries: [
          { expr: `sum by (account, kind, status_class) (rate(${sel('snowflake_risk_sql_api_requests_total')}[$__rate_interval])) * 3600`, legend: '{{account}} {{kind}} {{status_class}}' },
          { expr: perHourOrZero('snowflake_risk_sql_api_retries_total', ['account', 'reason']), legend: '{{account}} retry {{reason}}' },
        ],
      }),
    )
    .withRow(row('Cost'))
    .withPanel(
      stat({
        title: 'Estimated credits today',
        description: 'Credits the exporter\'s statements are estimated to have consumed today (UTC day), and the daily budget when one is set.',
        unit: 'none',
        decimals: 3,
        w: 6,
        h: 8,
        queries: [
          { expr: `max by (account) (${sel('snowflake_risk_credits_today')})`, legend: '{{account}} today' },
          { expr: `max by (account) (${sel('snowflake_risk_credit_budget')})`, legend: '{{account}} budget' },
        ],
      }),
    )
    .withPanel(
      stat({
        title: 'Credit budget reached',
        description: 'Whether the daily credit budget is reached and the non-critical sources wait for the next UTC day.',
        unit: 'none',
        steps: ANY_IS_BAD,
        mappings: [valueText({ '1': { text: 'REACHED', color: 'red' }, '0': { text: 'ok', color: 'green' } })],
        w: 6,
        h: 8,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_credit_budget_exhausted')})`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Statements and warehouse time',
        description: 'SQL statements the exporter ran per hour, and the estimated warehouse seconds they kept the warehouse awake per hour (60 s minimum per resume plus AUTO_SUSPEND).',
        unit: 'short',
        w: 12,
        queries: [
          { expr: `sum by (account) (rate(${sel('snowflake_risk_statements_total')}[$__rate_interval])) * 3600`, legend: '{{account}} statements' },
          { expr: `sum by (account) (rate(${sel('snowflake_risk_warehouse_seconds_total')}[$__rate_interval])) * 3600`, legend: '{{account}} warehouse seconds' },
        ],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Estimated credits per day',
        description: 'Estimated credits of the exporter\'s statements, as a rate per day.',
        unit: 'none',
        decimals: 3,
        w: 12,
        queries: [{ expr: `sum by (account) (rate(${sel('snowflake_risk_credits_total')}[$__rate_interval])) * 86400`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Result bytes received',
        description: 'Bytes of statement results the exporter received from each account per second (its own statements, not the users\').',
        unit: 'Bps',
        w: 12,
        queries: [{ expr: `sum by (account) (rate(${sel('snowflake_risk_result_bytes_total')}[$__rate_interval]))`, legend: '{{account}}' }],
      }),
    )
    .withRow(row('OTLP delivery'))
    .withPanel(
      stat({
        title: 'OTLP queue fill',
        description: 'Records waiting in the OTLP export queue, as a share of its capacity. A full queue holds collection back (watermarks advance only after export).',
        unit: 'percentunit',
        steps: [['green', null], ['orange', 0.5], ['red', 0.8]],
        w: 6,
        queries: [{ expr: `max by (instance) (${selJob('snowflake_risk_otlp_queued_records')} / ${selJob('snowflake_risk_otlp_queue_capacity_records')})`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Since last OTLP export',
        description: 'Time since the collector last accepted an OTLP export.',
        unit: 's',
        steps: [['green', null], ['orange', 300], ['red', 900]],
        w: 6,
        queries: [{ expr: `time() - max by (instance) (${selJob('snowflake_risk_otlp_last_success_timestamp_seconds')})`, legend: '{{instance}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'OTLP records',
        description: 'Log records exported per second by kind (query, login, share, finding...), and records that failed or were retried.',
        unit: 'short',
        queries: [
          { expr: `sum by (kind) (rate(${selJob('snowflake_risk_otlp_exported_records_total')}[$__rate_interval]))`, legend: 'exported {{kind}}' },
          { expr: `sum(rate(${selJob('snowflake_risk_otlp_failed_records_total')}[$__rate_interval]))`, legend: 'failed' },
          { expr: `sum(rate(${selJob('snowflake_risk_otlp_retried_records_total')}[$__rate_interval]))`, legend: 'retried' },
        ],
      }),
    )
    .withRow(row('OAuth'))
    .withPanel(
      stat({
        title: 'OAuth connection',
        description: 'Whether each OAuth account holds a usable token (accounts signing in with a key pair or a PAT have no series).',
        unit: 'none',
        steps: [['red', null], ['green', 1]],
        mappings: [valueText({ '1': { text: 'connected', color: 'green' }, '0': { text: 'DISCONNECTED', color: 'red' } })],
        w: 6,
        queries: [{ expr: `max by (account) (${sel('snowflake_risk_oauth_connected')})`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      stat({
        title: 'Refresh token expires in',
        description: 'Time left before the OAuth refresh token expires and someone must consent again at /oauth/start. Orange within 7 days (the alert), red within 1 day.',
        unit: 's',
        steps: [['red', null], ['orange', 86_400], ['green', 7 * 86_400]],
        w: 6,
        queries: [{ expr: `min by (account) (${sel('snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds')}) - time()`, legend: '{{account}}' }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'OAuth token refreshes',
        description: 'Access-token refreshes per hour by outcome (success, failure).',
        unit: 'short',
        queries: [{ expr: `sum by (account, outcome) (rate(${sel('snowflake_risk_oauth_refreshes_total')}[$__rate_interval])) * 3600`, legend: '{{account}} {{outcome}}' }],
      }),
    )
    .withRow(row('Process'))
    .withPanel(
      table({
        title: 'Exporter version',
        description: 'Version of each running exporter (build info).',
        unit: 'none',
        queries: [{ expr: `max by (instance, version) (${selJob('snowflake_risk_exporter_build_info')})`, instant: true, table: true }],
      }),
    )
    .withPanel(
      timeseries({
        title: 'Memory and internal errors',
        description: 'Resident memory of the exporter process, and errors inside its own reporting (a bug: the report was dropped, collection went on; should stay 0).',
        unit: 'bytes',
        queries: [
          { expr: `max by (instance) (${selJob('process_resident_memory_bytes')})`, legend: '{{instance}} resident memory' },
          { expr: `sum by (instance) (${selJob('snowflake_risk_exporter_internal_errors_total')})`, legend: '{{instance}} internal errors' },
        ],
      }).overrideByRegexp('.*internal errors', [{ id: 'unit', value: 'none' }, { id: 'custom.axisPlacement', value: 'right' }]),
    )
    .build();
}
