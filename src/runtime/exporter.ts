// Assembles the long-running exporter from its parts: state store, delivery pipeline and sinks, metrics and status
// board, one SQL API client and source set per account, the scheduler, and the HTTP server. Nothing here decides
// policy; each part owns its own. The order of start and stop matters and is written out once, here.
import { DeliveryPipeline } from '../collect/delivery.ts';
import { StatementMeter } from '../collect/cost.ts';
import type { CycleScope } from '../collect/cycle.ts';
import { Scheduler, type ScheduledAccount } from '../collect/scheduler.ts';
import type { Sink } from '../collect/sink.ts';
import type { Source, SourceContext } from '../collect/source.ts';
import { SOURCES } from '../collect/source-ids.ts';
import { createSources } from '../collect/sources/index.ts';
import type { AccountConfig, ExporterConfig } from '../config/types.ts';
import { forThisShard } from '../config/sharding.ts';
import { DetectionRegistry, type AccountDetections } from '../detect/registry.ts';
import { riskyQueryRulesFor, withDetectionSources, type EvaluationReporter } from '../detect/runner/index.ts';
import type { Detection } from '../detect/types.ts';
import { combineObservers, createExporterMetrics, type ExporterMetrics } from '../export/metrics/index.ts';
import { createHttpApp, startHttpServer, StatusBoard } from '../http/index.ts';
import { createAccountClient, type AccountClient } from '../snowflake/account-client.ts';
import { openStateStore } from '../state/index.ts';
import type { StateStore } from '../state/store.ts';

export interface ExporterLog {
  (level: 'info' | 'warn' | 'error', message: string): void;
}

export interface StartExporterOptions {
  readonly log?: ExporterLog;
  /** Extra sinks beside the metrics sink (OTLP logs later; tests add recording sinks). */
  readonly sinks?: readonly Sink[];
  /** Start the scheduler (default true). Tests drive cycles with `runOnce` instead. */
  readonly schedule?: boolean;
  /** Built-in detection definitions (default: the catalog). Tests replace them with their own. */
  readonly builtInDetections?: readonly Detection[];
  /** Further detection definitions beside the built-in and custom ones (enabled per account by id). */
  readonly extraDetections?: readonly Detection[];
}

export interface RunningExporter {
  readonly url: URL;
  readonly metrics: ExporterMetrics;
  readonly status: StatusBoard;
  readonly scheduler: Scheduler;
  readonly store: StateStore;
  readonly detections: DetectionRegistry;
  /** Stops scheduling, cancels running cycles, flushes sinks, closes the store and the HTTP server. Idempotent. */
  close(): Promise<void>;
}

/** How long delivered ids are remembered: twice the longest look-back any stream uses, and at least a week. */
function retentionSecondsFor(config: ExporterConfig): number {
  const longestLatency = Math.max(...Object.values(SOURCES).map((source) => source.latencySeconds));
  const longestMargin = Math.max(0, ...config.accounts.map((account) => account.overlapMarginSeconds));
  return Math.max(7 * 86_400, 2 * (longestLatency + longestMargin));
}

export async function startExporter(fullConfig: ExporterConfig, options: StartExporterOptions = {}): Promise<RunningExporter> {
  const log: ExporterLog = options.log ?? (() => {});
  // With sharding, this replica watches only its shard's accounts; everything below sees just those.
  const config = forThisShard(fullConfig);
  if (fullConfig.sharding !== undefined) {
    const names = config.accounts.map((account) => account.name).join(', ') || 'none';
    log('info', `shard ${fullConfig.sharding.index} of ${fullConfig.sharding.shards}: watching ${config.accounts.length} of ${fullConfig.accounts.length} accounts (${names})`);
  }
  const store = openStateStore({ path: config.state.path });
  const clients: AccountClient[] = [];
  try {
    const status = new StatusBoard({ accounts: config.accounts.map((account) => account.name) });
    const metrics = createExporterMetrics({ accounts: config.accounts });
    const reporter = combineObservers([metrics, status], (error) => log('error', `observer failed: ${describe(error)}`));
    status.setCondition('configuration', true);
    // Custom detections were validated with the configuration; building them again cannot fail on their SQL.
    const registry = new DetectionRegistry({
      builtIns: options.builtInDetections,
      extra: options.extraDetections,
      custom: config.customDetections,
    });
    status.setCondition('state_store', true);

    const sinks = [metrics.sink, ...(options.sinks ?? [])];
    const retentionSeconds = retentionSecondsFor(config);
    const pipeline = new DeliveryPipeline({ store, sinks, now: () => new Date(), retentionSeconds: () => retentionSeconds });

    const scheduled: ScheduledAccount[] = config.accounts.map((account) => {
      const meter = new StatementMeter();
      const accountClient = createAccountClient(account, {
        onEvent: (event) => {
          meter.listener(event);
          reporter.sqlApiEvent(account.name, event);
        },
      });
      clients.push(accountClient);
      const detections = registry.forAccount(account);
      if (detections.missing.length > 0) {
        log('warn', `account ${account.name}: enabled detections without a definition are skipped: ${detections.missing.join(', ')}`);
      }
      const listed = new Map<string, { id: string; kind: string; severity: string; title: string }>();
      for (const detection of detections.enabled) {
        const seen = listed.get(detection.id);
        if (seen === undefined) listed.set(detection.id, { id: detection.id, kind: detection.kind, severity: detection.severity, title: detection.title });
        else if (!seen.kind.split('+').includes(detection.kind)) seen.kind = `${seen.kind}+${detection.kind}`;
      }
      status.setDetections(account.name, [...listed.values()]);
      reportQueryRulesWithoutEvents(account, detections, {
        unavailable: (id) => {
          metrics.detections.unavailable(account.name, id);
          status.detectionUnavailable(account.name, id);
        },
        log,
      });
      const evaluation: EvaluationReporter = {
        evaluated: (accountName, detectionId, at) => {
          metrics.detections.ran(accountName, detectionId, at);
          status.detectionEvaluated(accountName, detectionId, at);
        },
        failed: (accountName, detectionId, error) => {
          metrics.detections.failed(accountName, detectionId);
          log('error', `account ${accountName}: detection ${detectionId} failed: ${describe(error)}`);
        },
      };
      const collectSources = createSources(account, { riskyQueryRules: riskyQueryRulesFor(detections) });
      const { sources, intervalSeconds } = withDetectionSources(account, collectSources, detections, evaluation);
      const contextFactory = (_source: Source, scope: CycleScope): SourceContext => ({
        account,
        client: accountClient.client,
        snowflakeNow: scope.snowflakeNow,
        signal: scope.signal,
        ...pipeline.forAccount(account.name, scope.signal),
        publishPosture: (snapshot) => reporter.publishPosture(snapshot),
      });
      return { account, client: accountClient.client, sources, intervalSeconds, contextFactory, meter };
    });
    const scheduler = new Scheduler({ accounts: scheduled, observer: reporter, store });

    const app = createHttpApp({
      metrics,
      status,
      metricsPath: config.server.metricsPath,
      onError: (error) => log('error', `HTTP handler failed: ${describe(error)}`),
    });
    const http = await startHttpServer(app, config.server.listen);
    if (options.schedule ?? true) scheduler.start();
    const url = new URL(http.url);
    log('info', `listening on ${url.href} (metrics at ${new URL(config.server.metricsPath, url).href})`);

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        status.setCondition('state_store', false);
        await scheduler.stop(AbortSignal.timeout(30_000));
        await Promise.allSettled(sinks.map((sink) => sink.close(AbortSignal.timeout(10_000))));
        await Promise.allSettled(clients.map((client) => client.close()));
        await http.close();
        store.close();
      })();
      return closing;
    };
    return { url, metrics, status, scheduler, store, detections: registry, close };
  } catch (error) {
    await Promise.allSettled(clients.map((client) => client.close()));
    store.close();
    throw error;
  }
}

function describe(error: unknown): string {
  return error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error';
}

/**
 * Rules on query events see nothing when `queryEvents.scope` is `none` (no QUERY_HISTORY stream runs): say so at
 * start, and flag the ids that have no other rule as unavailable, so the gap shows on the page and in
 * snowflake_risk_detection_unavailable instead of as silence.
 */
function reportQueryRulesWithoutEvents(
  account: AccountConfig,
  detections: AccountDetections,
  report: { readonly unavailable: (id: string) => void; readonly log: (level: 'warn', message: string) => void },
): void {
  if (account.queryEvents.scope !== 'none') return;
  const blind = [...new Set(detections.eventDetectionsFor('query').map((detection) => detection.id))];
  if (blind.length === 0) return;
  const onlyQueryRules = blind.filter((id) => detections.enabled.every((detection) => detection.id !== id || (detection.kind === 'event' && detection.eventKind === 'query')));
  for (const id of onlyQueryRules) report.unavailable(id);
  report.log(
    'warn',
    `account ${account.name}: queryEvents.scope is none, so the query-event rules of ${blind.join(', ')} see nothing; ` +
      'set scope to risky to run them without exporting other queries',
  );
}
