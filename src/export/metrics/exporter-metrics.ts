// The exporter's Prometheus registry: build info, Node.js process metrics, self-metrics, posture gauges and delivery
// counters, all in one explicit Registry (never prom-client's global one, so tests and embedders get their own).
import { collectDefaultMetrics, Counter, Gauge, Registry } from 'prom-client';
import type { CollectionObserver } from '../../collect/observer.ts';
import type { PostureSnapshot } from '../../collect/posture.ts';
import type { Sink } from '../../collect/sink.ts';
import { DEFAULTS, type AccountConfig } from '../../config/types.ts';
import { PRODUCT_VERSION } from '../../version.ts';
import type { CollectionReporter } from './combine-observers.ts';
import { DetectionMetrics } from './detection-metrics.ts';
import { buildVocabularies } from './labels.ts';
import { MetricsSink } from './metrics-sink.ts';
import { RiskMetrics, type AccountRiskSettings } from './risk-metrics.ts';
import { SignalMetrics } from './signal-metrics.ts';
import { UserActivityMetrics } from './user-activity-metrics.ts';
import { NAMESPACE } from './namespace.ts';
import { PostureMetrics } from './posture-metrics.ts';
import { SelfMetrics } from './self-metrics.ts';

/**
 * prom-client's default metrics include three gauges whose names end in `_total` (promtool rejects them). Their
 * unsuffixed siblings (`nodejs_active_handles{type}`...) carry the same numbers, so these are dropped.
 */
const MISNAMED_DEFAULT_METRICS = [
  'nodejs_active_handles_total',
  'nodejs_active_requests_total',
  'nodejs_active_resources_total',
] as const;

export interface ExporterMetricsOptions {
  /** Configured accounts (or their names): the only values the `account` label takes besides 'other'. */
  readonly accounts: readonly (string | (Pick<AccountConfig, 'name' | 'detections'> & Partial<Pick<AccountConfig, 'riskScore'>>))[];
  /** Source ids the engine uses beyond the built-in SOURCE_IDS and detection ids; others are labelled 'other'. */
  readonly extraSources?: readonly string[] | undefined;
  /** Register the standard `process_*` and `nodejs_*` metrics (default true). */
  readonly processMetrics?: boolean | undefined;
  /** Most series one account's per-object posture metric may have (default 100). */
  readonly postureSeriesLimit?: number | undefined;
  /** Ids the metrics sink remembers to avoid counting a repeat twice (default 100,000). */
  readonly recentIdCapacity?: number | undefined;
  /** Version for the build info (default: package.json). */
  readonly version?: string | undefined;
  /** Clock of the risk score's decay (default: the system clock). */
  readonly now?: (() => Date) | undefined;
}

export interface ExporterMetrics extends CollectionReporter {
  readonly registry: Registry;
  /** The self-metrics observer alone (also reachable through this object's own observer methods). */
  readonly observer: CollectionObserver;
  /** Counts delivered events and findings. */
  readonly sink: Sink;
  readonly contentType: string;
  /** Risk score tables (one per account), fed by the metrics sink. */
  readonly risk: RiskMetrics;
  /** Per-detection availability, last run and errors. */
  readonly detections: DetectionMetrics;
  /** Serialises the registry; reads the last results only, never Snowflake. */
  metrics(): Promise<string>;
}

export function createExporterMetrics(options: ExporterMetricsOptions): ExporterMetrics {
  const limit = options.postureSeriesLimit ?? 100;
  if (!Number.isInteger(limit) || limit < 1) throw new RangeError('postureSeriesLimit must be an integer >= 1');
  const accountNames = options.accounts.map((account) => (typeof account === 'string' ? account : account.name));
  const detections = options.accounts.flatMap((account) => (typeof account === 'string' ? [] : account.detections));
  const vocab = buildVocabularies({ accounts: accountNames, detections, sources: options.extraSources });

  // Prometheus text format 0.0.4 only: prom-client's OpenMetrics mode renames counter objects in place, which would
  // corrupt a registry serving both formats, and Prometheus reads 0.0.4 everywhere.
  const registry = new Registry();
  if (options.processMetrics ?? true) {
    collectDefaultMetrics({ register: registry });
    for (const name of MISNAMED_DEFAULT_METRICS) registry.removeSingleMetric(name);
  }
  new Gauge({
    name: `${NAMESPACE}exporter_build_info`,
    help: 'Build information of the exporter; the value is always 1.',
    labelNames: ['version'],
    registers: [registry],
  }).set({ version: options.version ?? PRODUCT_VERSION }, 1);
  const internalErrors = new Counter({
    name: `${NAMESPACE}exporter_internal_errors_total`,
    help: 'Errors inside the exporter\'s own reporting (a bug); the report was dropped and collection went on.',
    labelNames: ['component'],
    registers: [registry],
  });
  for (const component of ['observer', 'posture']) internalErrors.inc({ component }, 0);

  const observer = new SelfMetrics(registry, vocab, () => internalErrors.inc({ component: 'observer' }));
  const posture = new PostureMetrics(registry, vocab, limit);
  const riskSettings = new Map<string, AccountRiskSettings>();
  const enabledDetections = new Map<string, readonly string[]>();
  for (const account of options.accounts) {
    if (typeof account === 'string') continue;
    if (account.riskScore !== undefined) riskSettings.set(account.name, account.riskScore);
    enabledDetections.set(account.name, account.detections);
  }
  const risk = new RiskMetrics(
    registry,
    vocab,
    (account) => riskSettings.get(account) ?? { ...DEFAULTS.riskScore },
    options.now,
  );
  const signals = new SignalMetrics(registry, vocab);
  const userActivity = new UserActivityMetrics(registry, vocab, risk, (account) => riskSettings.get(account) ?? { ...DEFAULTS.riskScore });
  const detectionMetrics = new DetectionMetrics(registry, vocab, enabledDetections);
  const sink = new MetricsSink(registry, vocab, options.recentIdCapacity ?? 100_000, {
    event: (event) => {
      signals.count(event);
      userActivity.event(event);
    },
    // The risk score first: the activity table asks it whether the finding's user is now held.
    finding: (finding) => {
      risk.add(finding);
      userActivity.finding(finding);
    },
  });

  return {
    registry,
    observer,
    sink,
    risk,
    detections: detectionMetrics,
    contentType: registry.contentType,
    metrics: () => registry.metrics(),
    publishPosture(snapshot: PostureSnapshot): void {
      try {
        posture.publish(snapshot);
      } catch {
        internalErrors.inc({ component: 'posture' });
      }
    },
    // A SQL detection is a source whose id is a detection id: its outcomes feed the detection metrics too.
    sourceSucceeded: (outcome) => {
      observer.sourceSucceeded(outcome);
      detectionMetrics.ran(outcome.account, outcome.source, new Date(outcome.startedAt.getTime() + outcome.durationSeconds * 1000));
    },
    sourceFailed: (account, source, kind, at, failure) => {
      observer.sourceFailed(account, source, kind, at, failure);
      detectionMetrics.failed(account, source);
    },
    sourceSkipped: (account, source, reason, detail) => {
      observer.sourceSkipped(account, source, reason, detail);
      if (reason === 'unavailable') detectionMetrics.unavailable(account, source);
    },
    cycleFinished: (account, outcome, duration, failure) => observer.cycleFinished(account, outcome, duration, failure),
    cost: (cost) => observer.cost(cost),
    budgetState: (account, today, budget, exhausted) => observer.budgetState(account, today, budget, exhausted),
    accountUp: (account, up) => observer.accountUp(account, up),
    sqlApiEvent: (account, event) => observer.sqlApiEvent(account, event),
  };
}
