// The exporter's own health: is it scraped, does each account authenticate, is each source fresh, does OAuth need a
// human soon, is the credit budget spent, are OTLP records leaving. Thresholds follow the data: a source is stale
// when its last success is older than two default intervals plus its view's latency (one missed run, and the
// newest rows it could have read are older than the view ever lags).
import { SOURCES, type SourceId } from '../../src/collect/source-ids.ts';
import { BUILT_IN_DETECTIONS } from '../../src/detect/catalog/index.ts';
import { EXPORTER_JOB_SELECTOR, OAUTH_EXPIRY_WARNING_SECONDS, OTLP_BACKLOG_RATIO, OTLP_STALLED_SECONDS } from './config.ts';
import { anyOf } from './promql.ts';
import type { AlertGroup, AlertRule } from './types.ts';

const LAST_SUCCESS = 'snowflake_risk_source_last_success_timestamp_seconds';

/** Seconds after its last success at which a source counts as stale. */
export function staleAfterSeconds(source: SourceId): number {
  const definition = SOURCES[source];
  return 2 * definition.defaultIntervalSeconds + definition.latencySeconds;
}

/**
 * Source label values grouped by stale threshold. A SQL detection is a source of its own (its id is the `source`
 * label) and follows the schedule of the source it names, so it shares that source's threshold.
 */
export function staleThresholds(): Map<number, string[]> {
  const bySeconds = new Map<number, string[]>();
  const add = (seconds: number, label: string): void => {
    const labels = bySeconds.get(seconds) ?? [];
    if (!labels.includes(label)) labels.push(label);
    bySeconds.set(seconds, labels);
  };
  for (const source of Object.keys(SOURCES) as SourceId[]) add(staleAfterSeconds(source), source);
  for (const detection of BUILT_IN_DETECTIONS) {
    if (detection.kind === 'sql') add(staleAfterSeconds(detection.schedule), detection.id);
  }
  return new Map([...bySeconds].sort(([a], [b]) => a - b));
}

/** The longest threshold, used for sources the catalog does not know (custom detections, 'other'). */
function fallbackSeconds(thresholds: Map<number, string[]>): number {
  return Math.max(...thresholds.keys());
}

function staleExpression(): string {
  const thresholds = staleThresholds();
  const known = [...thresholds.values()].flat();
  const terms = [...thresholds].map(([seconds, sources]) => staleTerm(`source=~"${anyOf(sources)}"`, seconds));
  terms.push(staleTerm(`source!~"${anyOf(known)}"`, fallbackSeconds(thresholds)));
  // A source whose view is missing or not granted never succeeds by design (it is reported as unavailable), and
  // while the daily credit budget is spent the deferred sources wait on purpose (SnowflakeRiskCreditBudgetReached).
  return [
    '(',
    terms.map((term) => `  ${term}`).join('\nor\n'),
    ')',
    `unless on (account, source) ${'snowflake_risk_source_unavailable'} == 1`,
    'unless on (account) snowflake_risk_credit_budget_exhausted == 1',
  ].join('\n');
}

/**
 * One threshold class. A source that never succeeded shows a last success of 0, so it turns stale too, but only
 * once the exporter process has been up for the threshold (a fresh start is not an outage).
 */
function staleTerm(matchers: string, seconds: number): string {
  return `(time() - ${LAST_SUCCESS}{${matchers}} > ${seconds} and on (job, instance) time() - process_start_time_seconds > ${seconds})`;
}

const rules: AlertRule[] = [
  {
    alert: 'SnowflakeRiskExporterDown',
    expr: `up{${EXPORTER_JOB_SELECTOR}} == 0`,
    for: '5m',
    forReason: 'Prometheus scrapes every 15 s to 1 min; 5 min of failed scrapes rules out a restart or a single slow scrape.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'Prometheus cannot scrape the Snowflake risk exporter.',
    description: 'Target {{ $labels.instance }} of job {{ $labels.job }} has been down for 5 minutes: no risk metrics and no alerts from it.',
    runbookAnchor: 'snowflakeriskexporterdown',
  },
  {
    alert: 'SnowflakeRiskAccountDown',
    expr: 'snowflake_risk_up == 0',
    for: '15m',
    forReason:
      'snowflake_risk_up changes when a collection cycle ends (hourly by default, the first one 30 s after start at most); 15 min lets a slow first cycle end and still reports a failed cycle long before the next one.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'The exporter cannot collect from a Snowflake account.',
    description:
      'Account {{ $labels.account }} could not authenticate or run its last collection cycle (instance {{ $labels.instance }}); its findings and posture are not refreshed.',
    runbookAnchor: 'snowflakeriskaccountdown',
  },
  {
    alert: 'SnowflakeRiskSourceStale',
    expr: staleExpression(),
    for: '5m',
    forReason:
      'The threshold already includes two intervals plus the view latency; 5 min only absorbs a cycle that is finishing.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'A Snowflake source has not been read successfully for longer than its view lags.',
    description:
      'Account {{ $labels.account }}: source {{ $labels.source }} last succeeded {{ $value | humanizeDuration }} ago, longer than two intervals plus its view\'s latency.',
    runbookAnchor: 'snowflakerisksourcestale',
  },
  {
    alert: 'SnowflakeRiskOAuthRefreshTokenExpiring',
    expr: `snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds - time() < ${OAUTH_EXPIRY_WARNING_SECONDS}`,
    for: '5m',
    forReason: 'The expiry time is exact and known in advance; 5 min only ignores a token being replaced right now.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'A Snowflake OAuth refresh token expires within 7 days.',
    description:
      'Account {{ $labels.account }}: the OAuth refresh token expires in {{ $value | humanizeDuration }}; after that the exporter cannot sign in until someone consents again at /oauth/start.',
    runbookAnchor: 'snowflakeriskoauthrefreshtokenexpiring',
  },
  {
    alert: 'SnowflakeRiskCreditBudgetReached',
    expr: 'snowflake_risk_credit_budget_exhausted == 1',
    for: '0m',
    forReason: 'The budget state changes at most once per UTC day and is exact; there is nothing to wait for.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'The exporter reached its daily Snowflake credit budget.',
    description:
      'Account {{ $labels.account }}: the estimated credits of today reached the daily budget; event streams and Trust Center wait for the next UTC day (MFA posture keeps running).',
    runbookAnchor: 'snowflakeriskcreditbudgetreached',
  },
  {
    alert: 'SnowflakeRiskOtlpBacklog',
    expr: `snowflake_risk_otlp_queued_records / snowflake_risk_otlp_queue_capacity_records > ${OTLP_BACKLOG_RATIO}`,
    for: '15m',
    forReason:
      'A collection cycle delivers its events in a burst that can fill the queue briefly; 15 min of a full queue means the collector does not keep up.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'OTLP log records pile up in the exporter.',
    description:
      'Instance {{ $labels.instance }}: the OTLP queue is {{ $value | humanizePercentage }} full; collection waits (watermarks do not advance) until the collector accepts records.',
    runbookAnchor: 'snowflakeriskotlpbacklog',
  },
  {
    alert: 'SnowflakeRiskOtlpDeliveryStalled',
    expr: `snowflake_risk_otlp_queued_records > 0\nand on (job, instance) time() - snowflake_risk_otlp_last_success_timestamp_seconds > ${OTLP_STALLED_SECONDS}`,
    for: '5m',
    forReason: 'The threshold already waits 15 min since the last accepted export; 5 min absorbs a retry in progress.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'The OTLP collector has not accepted records for 15 minutes.',
    description:
      'Instance {{ $labels.instance }}: {{ $value }} records wait and no OTLP export succeeded for 15 minutes; events and findings are held, not lost.',
    runbookAnchor: 'snowflakeriskotlpdeliverystalled',
  },
  {
    alert: 'SnowflakeRiskDetectionFailing',
    expr: 'sum by (account, detection) (increase(snowflake_risk_detection_errors_total[1h])) > 0',
    for: '0m',
    forReason: 'Each error is a failed run of an hourly detection; one is worth a look, and the 1 h window keeps it open until a run passes.',
    severity: 'warning',
    labels: { kind: 'exporter' },
    summary: 'A detection failed to run.',
    description: 'Account {{ $labels.account }}: detection {{ $labels.detection }} failed in the last hour; it may be missing findings.',
    runbookAnchor: 'snowflakeriskdetectionfailing',
  },
  {
    alert: 'SnowflakeRiskDetectionUnavailable',
    expr: 'max by (account, detection) (snowflake_risk_detection_unavailable) == 1',
    for: '1h',
    forReason: 'A grant or edition problem does not fix itself within a cycle; 1 h (one cycle) skips a grant being changed right now.',
    severity: 'info',
    labels: { kind: 'exporter' },
    summary: 'A detection cannot run on a Snowflake account.',
    description:
      'Account {{ $labels.account }}: detection {{ $labels.detection }} cannot run because a view is missing or not granted (edition or privileges).',
    runbookAnchor: 'snowflakeriskdetectionunavailable',
  },
  {
    alert: 'SnowflakeRiskSourcePartUnavailable',
    expr: 'max by (account, source, part) (snowflake_risk_source_part_unavailable) == 1',
    for: '1h',
    forReason: 'A missing column or grant does not fix itself within a cycle; 1 h (one cycle) lets a failed list statement retry first.',
    severity: 'info',
    labels: { kind: 'exporter' },
    summary: 'A source or detection runs without one of its parts.',
    description:
      'Account {{ $labels.account }}: {{ $labels.source }} runs without {{ $labels.part }} (a column the account lacks, a view not granted, or a statement that failed); the landing page and the log say why.',
    runbookAnchor: 'snowflakerisksourcepartunavailable',
  },
];

export const EXPORTER_GROUPS: readonly AlertGroup[] = [{ name: 'snowflake-risk.exporter', rules }];
