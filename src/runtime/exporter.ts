// Assembles the long-running exporter from its parts: state store, delivery pipeline and sinks, metrics and status
// board, one SQL API client and source set per account, the scheduler, and the HTTP server. Nothing here decides
// policy; each part owns its own. The order of start and stop matters and is written out once, here.
import { DeliveryPipeline } from '../collect/delivery.ts';
import { StatementMeter } from '../collect/cost.ts';
import type { Clock, CycleScope } from '../collect/cycle.ts';
import type { CollectionObserver } from '../collect/observer.ts';
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
import { OtlpLogSink } from '../export/otlp/index.ts';
import { createHttpApp, startHttpServer, StatusBoard } from '../http/index.ts';
import { OAuthOnboarding } from '../oauth/index.ts';
import { createAccountClient, type AccountClient } from '../snowflake/account-client.ts';
import { openStateStore, type SqliteStateStore } from '../state/index.ts';
import { describeFailure } from '../collect/failure-detail.ts';
import { CollectionLog } from './collection-log.ts';
import { MemoryReleaser } from './memory-release.ts';
import { PartAvailabilityLog } from './part-availability-log.ts';
import { startupProblem } from './prestart-checks.ts';
import { StateStoreHealthReport } from './state-store-health.ts';

/** The process log as the runtime uses it (src/log/process-logger.ts ProcessLog is one): fields are optional. */
export interface ExporterLog {
  (level: 'debug' | 'info' | 'warn' | 'error', message: string, fields?: Readonly<Record<string, string | number | boolean>>): void;
}

export interface StartExporterOptions {
  readonly log?: ExporterLog;
  /** Extra sinks beside the metrics sink and the configured OTLP sink (tests add recording sinks). */
  readonly sinks?: readonly Sink[];
  /** Start the scheduler (default true). Tests drive cycles with `runOnce` instead. */
  readonly schedule?: boolean;
  /** Built-in detection definitions (default: the catalog). Tests replace them with their own. */
  readonly builtInDetections?: readonly Detection[];
  /** Further detection definitions beside the built-in and custom ones (enabled per account by id). */
  readonly extraDetections?: readonly Detection[];
  /** The scheduler's clock (default: the system clock). The reliability suite drives a simulated day with a virtual one. */
  readonly clock?: Clock;
  /** Least time between two progress lines of a running cycle (default 10 s; tests shorten it). */
  readonly progressLogIntervalMs?: number;
  /** Least time between two log lines of one identical, repeating failure (default 15 min; tests change it). */
  readonly repeatLogIntervalMs?: number;
  /** How often the state file is checked between cycles (deleted or replaced); default 10 s. */
  readonly stateCheckIntervalMs?: number;
}

export interface RunningExporter {
  readonly url: URL;
  readonly metrics: ExporterMetrics;
  readonly status: StatusBoard;
  readonly scheduler: Scheduler;
  readonly store: SqliteStateStore;
  readonly detections: DetectionRegistry;
  /** The OTLP logs sink, when `otlp` is enabled. */
  readonly otlp?: OtlpLogSink | undefined;
  /** OAuth accounts' grants and the consent routes (/oauth/start, /oauth/callback). */
  readonly oauth: OAuthOnboarding;
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
  // A step that fails on what a setting names (the state file, a listen address) ends the start as a ConfigError at
  // that setting, like every other configuration problem (exit 2), not as an unexpected failure.
  let store: ReturnType<typeof openStateStore>;
  try {
    store = openStateStore({ path: config.state.path });
  } catch (error) {
    throw startupProblem('state.path', error, fullConfig);
  }
  const clients: AccountClient[] = [];
  let storeHealth: StateStoreHealthReport | undefined;
  try {
    const status = new StatusBoard({ accounts: config.accounts.map((account) => account.name) });
    const metrics = createExporterMetrics({ accounts: config.accounts });
    // What collection writes to the process log: failures (warn), one line per cycle (info), SQL API steps (debug).
    const collectionLog = new CollectionLog({ log, progressIntervalMs: options.progressLogIntervalMs, repeatIntervalMs: options.repeatLogIntervalMs });
    const reporter = combineObservers([metrics, status, collectionLog], (error) => log('error', `observer failed: ${describe(error)}`));
    status.setCondition('configuration', true);
    // Custom detections were validated with the configuration; building them again cannot fail on their SQL.
    const registry = new DetectionRegistry({
      builtIns: options.builtInDetections,
      extra: options.extraDetections,
      custom: config.customDetections,
    });
    status.setCondition('state_store', true);
    // From here on a failing state store shows on /readyz, in snowflake_risk_up and in the log.
    const health = new StateStoreHealthReport({
      store,
      status,
      accountUp: (account, up) => reporter.accountUp(account, up),
      accounts: config.accounts.map((account) => account.name),
      log,
      checkIntervalMs: options.stateCheckIntervalMs,
    });
    storeHealth = health;
    // OAuth accounts: encrypted token stores, connection state for metrics and the landing page, consent routes.
    const oauth = new OAuthOnboarding({ config, records: store, registry: metrics.registry, log });
    await oauth.initialise();
    status.setOAuthStatusSource((name) => oauth.status(name));

    const otlp =
      config.otlp?.enabled === true
        ? new OtlpLogSink({
            config: config.otlp,
            accounts: config.accounts.map((account) => ({ name: account.name, identifier: account.identifier.raw })),
            registry: metrics.registry,
            log,
          })
        : undefined;
    if (otlp !== undefined) {
      log('info', `OpenTelemetry logs go to ${otlp.endpoint.url.href} (${otlp.endpoint.protocol}, endpoint from ${otlp.endpoint.urlSource})`);
    }
    const sinks = [metrics.sink, ...(otlp === undefined ? [] : [otlp]), ...(options.sinks ?? []), collectionLog.findingsSink];
    const retentionSeconds = retentionSecondsFor(config);
    const pipeline = new DeliveryPipeline({
      store,
      sinks,
      now: () => new Date(),
      retentionSeconds: () => retentionSeconds,
      onHousekeepingError: (error) => collectionLog.housekeepingFailed(describeFailure(error, 'state')),
      // One pipeline batch per OTLP request at most: a crash between the collector's acknowledgement and the commit
      // then re-sends at most one request's records per stream.
      ...(otlp === undefined ? {} : { batchSize: Math.min(500, config.otlp?.maxBatch ?? 500) }),
    });

    const scheduled: ScheduledAccount[] = config.accounts.map((account) => {
      const meter = new StatementMeter();
      const accountClient = createAccountClient(account, {
        onEvent: (event) => {
          meter.listener(event);
          reporter.sqlApiEvent(account.name, event);
        },
        oauthStore: oauth.storeFor(account.name),
        oauthListener: oauth.listenerFor(account.name),
      });
      clients.push(accountClient);
      oauth.attach(account.name, accountClient.tokenSource);
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
          status.detectionUnavailable(account.name, id, 'its query rules need query events, and queryEvents.scope is none');
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
      const contextFactory = (_source: Source, scope: CycleScope): SourceContext => {
        collectionLog.sourceStarted(account.name);
        return {
          account,
          client: accountClient.client,
          snowflakeNow: scope.snowflakeNow,
          signal: scope.signal,
          ...pipeline.forAccount(account.name, scope.signal),
          publishPosture: (snapshot) => reporter.publishPosture(snapshot),
          reportProgress: (stream, rows) => collectionLog.progress(account.name, stream, rows),
        };
      };
      return { account, client: accountClient.client, sources, intervalSeconds, contextFactory, meter };
    });
    // Hands the heap pages a burst of cycles used back to the operating system once every cycle has ended (only when
    // the process runs with --expose-gc, as the container image does).
    const memory = new MemoryReleaser({ busy: () => scheduler.busy });
    const parts = new PartAvailabilityLog(log);
    const observer: CollectionObserver = {
      ...reporter,
      accountUp: (account, up) => health.accountUp(account, up),
      sourceSucceeded: (outcome) => {
        reporter.sourceSucceeded(outcome);
        try {
          parts.sourceSucceeded(outcome);
        } catch (error) {
          log('error', `observer failed: ${describe(error)}`);
        }
      },
      cycleFinished: (account, outcome, seconds, failure) => {
        reporter.cycleFinished(account, outcome, seconds, failure);
        memory.cycleFinished();
      },
    };
    const scheduler = new Scheduler({ accounts: scheduled, observer, store, clock: options.clock });

    const app = createHttpApp({
      metrics,
      status,
      metricsPath: config.server.metricsPath,
      // The consent routes ride on this server unless they have their own address.
      routes: oauth.separateListen === undefined ? [oauth.mount] : [],
      onError: (error) => log('error', `HTTP handler failed: ${describe(error)}`),
    });
    const http = await startHttpServer(app, config.server.listen).catch((error: unknown) => {
      throw startupProblem('server.listen', error, fullConfig);
    });
    const url = new URL(http.url);
    const onboardingUrl = await oauth.start().catch(async (error: unknown) => {
      await http.close();
      throw startupProblem('server.onboarding.listen', error, fullConfig);
    });
    if (onboardingUrl === undefined) oauth.bound(url);
    const scheduling = options.schedule ?? true;
    // A new grant should not wait for the account's next due time (up to an interval after a failed cycle).
    oauth.onConnected((name) => {
      if (scheduling) void scheduler.runOnce(name).catch((error: unknown) => log('error', `account ${name}: cycle after OAuth consent failed: ${describe(error)}`));
    });
    if (scheduling) scheduler.start();
    log('info', `listening on ${url.href} (metrics at ${new URL(config.server.metricsPath, url).href})`);
    if (oauth.serving) log('info', `OAuth onboarding at ${oauth.publicUrl ?? ''}/oauth/start`);

    let closing: Promise<void> | undefined;
    const close = (): Promise<void> => {
      closing ??= (async () => {
        status.setCondition('state_store', false);
        if (otlp !== undefined) {
          // Before the cycles are cancelled: deliveries waiting for the collector get their acknowledgement within
          // the bound and are committed; whatever is left stays uncommitted and is sent again (same record ids).
          const flush = await otlp.flush(AbortSignal.timeout((config.otlp?.shutdownFlushSeconds ?? 10) * 1000));
          if (flush.unflushed > 0) log('warn', `OTLP: ${flush.unflushed} record(s) not acknowledged before shutdown; the next run sends them again`);
          // Let the pipeline commit what was just acknowledged before the cycles see their abort.
          await new Promise((resolve) => setImmediate(resolve));
        }
        await scheduler.stop(AbortSignal.timeout(30_000));
        memory.close();
        await Promise.allSettled(sinks.map((sink) => sink.close(AbortSignal.timeout(10_000))));
        await Promise.allSettled(clients.map((client) => client.close()));
        await http.close();
        await oauth.close();
        health.close();
        store.close();
      })();
      return closing;
    };
    return { url, metrics, status, scheduler, store, detections: registry, otlp, oauth, close };
  } catch (error) {
    await Promise.allSettled(clients.map((client) => client.close()));
    storeHealth?.close();
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
