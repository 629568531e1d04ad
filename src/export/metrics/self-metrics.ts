// The exporter's metrics about its own work: per account and source, when collection last succeeded, how long it
// took, what it read, what failed, what it cost. These instrument the exporter's own work directly (allowed by the
// Prometheus exporter guidelines); nothing here is computed on scrape, and nothing here ever touches Snowflake.
import { Counter, Gauge, type Registry } from 'prom-client';
import { SOURCE_ERROR_KINDS, type CollectionObserver, type CycleCost, type CycleFailure, type FailureDetail, type SourceErrorKind, type SourceOutcome } from '../../collect/observer.ts';
import type { SqlApiEvent } from '../../snowflake/sqlapi/index.ts';
import { CYCLE_OUTCOMES, statusClass, type Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';

/** Counter increments must be finite and non-negative; anything else is a reporting bug and is ignored. */
function amount(value: number): number | undefined {
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function seconds(date: Date): number | undefined {
  const ms = date.getTime();
  return Number.isFinite(ms) ? ms / 1000 : undefined;
}

export class SelfMetrics implements CollectionObserver {
  readonly #vocab: Vocabularies;
  readonly #onError: (error: unknown) => void;

  readonly #up: Gauge<'account'>;
  readonly #sourceLastSuccess: Gauge<'account' | 'source'>;
  readonly #sourceDuration: Gauge<'account' | 'source'>;
  readonly #sourceRuns: Counter<'account' | 'source'>;
  readonly #sourceRows: Counter<'account' | 'source'>;
  readonly #sourceErrors: Counter<'account' | 'source' | 'kind'>;
  readonly #sourceUnavailable: Gauge<'account' | 'source'>;
  readonly #sourcePartUnavailable: Gauge<'account' | 'source' | 'part'>;
  readonly #sourceLag: Gauge<'account' | 'source'>;
  readonly #sourceDeferred: Counter<'account' | 'source' | 'reason'>;
  readonly #cycles: Counter<'account' | 'outcome'>;
  readonly #cycleFailures: Counter<'account' | 'kind'>;
  readonly #cycleDuration: Gauge<'account'>;
  readonly #statements: Counter<'account'>;
  readonly #resultBytes: Counter<'account'>;
  readonly #sqlApiRequests: Counter<'account' | 'kind' | 'status_class'>;
  readonly #sqlApiRetries: Counter<'account' | 'kind' | 'reason'>;
  readonly #warehouseSeconds: Counter<'account'>;
  readonly #credits: Counter<'account'>;
  readonly #creditsToday: Gauge<'account'>;
  readonly #creditBudget: Gauge<'account'>;
  readonly #creditBudgetExhausted: Gauge<'account'>;

  constructor(registry: Registry, vocab: Vocabularies, onError: (error: unknown) => void) {
    this.#vocab = vocab;
    this.#onError = onError;
    const registers = [registry];
    const gauge = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Gauge<L>({ name: NAMESPACE + name, help, labelNames, registers });
    const counter = <L extends string>(name: string, help: string, labelNames: readonly L[]) =>
      new Counter<L>({ name: NAMESPACE + name, help, labelNames, registers });

    this.#up = gauge(
      'up',
      'Whether the account could authenticate and run its last collection cycle (1) or not (0); 0 until the first cycle ends, and 0 for every account while the state store fails.',
      ['account'],
    );
    this.#sourceLastSuccess = gauge(
      'source_last_success_timestamp_seconds',
      'Unix time at which the source last completed successfully.',
      ['account', 'source'],
    );
    this.#sourceDuration = gauge(
      'source_duration_seconds',
      'Duration of the source\'s last successful run.',
      ['account', 'source'],
    );
    this.#sourceRuns = counter(
      'source_runs_total',
      'Source runs that ended, successful or not (failures are in snowflake_risk_source_errors_total).',
      ['account', 'source'],
    );
    this.#sourceRows = counter('source_rows_total', 'Rows read from Snowflake by the source.', ['account', 'source']);
    this.#sourceErrors = counter(
      'source_errors_total',
      'Failed source runs by error kind.',
      ['account', 'source', 'kind'],
    );
    this.#sourceUnavailable = gauge(
      'source_unavailable',
      'Whether the source\'s view or command is unavailable on the account (edition or privileges): 1, else 0.',
      ['account', 'source'],
    );
    this.#sourcePartUnavailable = gauge(
      'source_part_unavailable',
      'Whether a part of the source (an optional column, or one of its statements) could not be read at its last ' +
        'successful run (1) while the rest ran, else 0. The landing page and the log say why.',
      ['account', 'source', 'part'],
    );
    this.#sourceLag = gauge(
      'source_lag_seconds',
      'Snowflake time minus the newest event time seen by the source at its last successful run.',
      ['account', 'source'],
    );
    this.#sourceDeferred = counter(
      'source_deferred_total',
      'Source runs skipped, by reason (unavailable view, daily credit budget reached).',
      ['account', 'source', 'reason'],
    );
    this.#cycles = counter('cycles_total', 'Collection cycles that ended, by outcome.', ['account', 'outcome']);
    this.#cycleFailures = counter(
      'cycle_failures_total',
      'Collection cycles that failed as a whole, by error kind: the cycle could not start (authentication, token ' +
        'endpoint, Snowflake\'s clock) or every source that ran failed (then the most frequent kind among them).',
      ['account', 'kind'],
    );
    this.#cycleDuration = gauge(
      'cycle_duration_seconds',
      'Duration of the account\'s last collection cycle.',
      ['account'],
    );
    this.#statements = counter('statements_total', 'SQL statements the exporter ran on the account.', ['account']);
    this.#resultBytes = counter(
      'result_bytes_total',
      'Bytes of statement results the exporter received from the account.',
      ['account'],
    );
    this.#sqlApiRequests = counter(
      'sql_api_requests_total',
      'HTTP requests to the Snowflake SQL API by request kind and status class (none: no answer).',
      ['account', 'kind', 'status_class'],
    );
    this.#sqlApiRetries = counter(
      'sql_api_retries_total',
      'Retried SQL API requests by request kind and reason.',
      ['account', 'kind', 'reason'],
    );
    this.#warehouseSeconds = counter(
      'warehouse_seconds_total',
      'Estimated warehouse seconds billed for the exporter\'s statements (60 s minimum per resume plus AUTO_SUSPEND).',
      ['account'],
    );
    this.#credits = counter(
      'credits_total',
      'Estimated Snowflake credits consumed by the exporter\'s statements.',
      ['account'],
    );
    this.#creditsToday = gauge(
      'credits_today',
      'Estimated credits consumed by the exporter today (UTC day).',
      ['account'],
    );
    this.#creditBudget = gauge(
      'credit_budget',
      'Configured daily credit budget; absent when no budget is set.',
      ['account'],
    );
    this.#creditBudgetExhausted = gauge(
      'credit_budget_exhausted',
      'Whether the daily credit budget is reached and non-critical sources are deferred (1) or not (0).',
      ['account'],
    );

    // Series every configured account always has, so dashboards and absent() alerts see them from the first scrape.
    for (const account of vocab.account.values) {
      this.#up.set({ account }, 0);
      for (const outcome of CYCLE_OUTCOMES) this.#cycles.inc({ account, outcome }, 0);
      for (const kind of SOURCE_ERROR_KINDS) this.#cycleFailures.inc({ account, kind }, 0);
      for (const metric of [this.#statements, this.#resultBytes, this.#warehouseSeconds, this.#credits]) {
        metric.inc({ account }, 0);
      }
      this.#creditsToday.set({ account }, 0);
      this.#creditBudgetExhausted.set({ account }, 0);
    }
  }

  readonly #knownSources = new Set<string>();

  /**
   * Label values for a source, creating its series at first sight: a source that has never succeeded shows a last
   * success at 0 (so "time since last success" alerts fire for it) instead of having no series at all.
   */
  #labels(account: string, source: string): { account: string; source: string } {
    const labels = { account: this.#vocab.account.label(account), source: this.#vocab.source.label(source) };
    const key = `${labels.account}\u0000${labels.source}`;
    if (!this.#knownSources.has(key)) {
      this.#knownSources.add(key);
      this.#sourceLastSuccess.set(labels, 0);
      this.#sourceRuns.inc(labels, 0);
      this.#sourceRows.inc(labels, 0);
      this.#sourceUnavailable.set(labels, 0);
    }
    return labels;
  }

  /** Observer calls must never throw into the engine: a reporting bug is counted, not propagated. */
  #guard(report: () => void): void {
    try {
      report();
    } catch (error) {
      this.#onError(error);
    }
  }

  sourceSucceeded(outcome: SourceOutcome): void {
    this.#guard(() => {
      const labels = this.#labels(outcome.account, outcome.source);
      const duration = amount(outcome.durationSeconds);
      const started = seconds(outcome.startedAt);
      this.#sourceRuns.inc(labels);
      this.#sourceRows.inc(labels, amount(outcome.rows) ?? 0);
      this.#sourceUnavailable.set(labels, 0);
      if (duration !== undefined) this.#sourceDuration.set(labels, duration);
      if (started !== undefined) this.#sourceLastSuccess.set(labels, started + (duration ?? 0));
      if (outcome.lagSeconds !== undefined && Number.isFinite(outcome.lagSeconds)) {
        this.#sourceLag.set(labels, Math.max(0, outcome.lagSeconds));
      }
      for (const part of outcome.parts ?? []) {
        this.#sourcePartUnavailable.set({ ...labels, part: this.#vocab.sourcePart.label(part.part) }, part.available ? 0 : 1);
      }
    });
  }

  sourceFailed(account: string, source: string, kind: SourceErrorKind, _at: Date, _failure?: FailureDetail): void {
    this.#guard(() => {
      const labels = this.#labels(account, source);
      this.#sourceRuns.inc(labels);
      this.#sourceErrors.inc({ ...labels, kind: this.#vocab.errorKind.label(kind) });
    });
  }

  sourceSkipped(account: string, source: string, reason: 'unavailable' | 'budget', _detail?: string): void {
    this.#guard(() => {
      const labels = this.#labels(account, source);
      this.#sourceDeferred.inc({ ...labels, reason: this.#vocab.skipReason.label(reason) });
      if (reason === 'unavailable') this.#sourceUnavailable.set(labels, 1);
    });
  }

  cycleFinished(account: string, outcome: 'ok' | 'partial' | 'failed' | 'cancelled', durationSeconds: number, failure?: CycleFailure): void {
    this.#guard(() => {
      const accountLabel = this.#vocab.account.label(account);
      this.#cycles.inc({ account: accountLabel, outcome: this.#vocab.cycleOutcome.label(outcome) });
      if (outcome === 'failed') this.#cycleFailures.inc({ account: accountLabel, kind: this.#vocab.errorKind.label(failure?.kind ?? 'internal') });
      const duration = amount(durationSeconds);
      if (duration !== undefined) this.#cycleDuration.set({ account: accountLabel }, duration);
    });
  }

  cost(cost: CycleCost): void {
    this.#guard(() => {
      const labels = { account: this.#vocab.account.label(cost.account) };
      this.#statements.inc(labels, amount(cost.statements) ?? 0);
      this.#resultBytes.inc(labels, amount(cost.bytes) ?? 0);
      this.#warehouseSeconds.inc(labels, amount(cost.warehouseSeconds) ?? 0);
      this.#credits.inc(labels, amount(cost.credits) ?? 0);
    });
  }

  budgetState(account: string, creditsToday: number, budget: number | undefined, exhausted: boolean): void {
    this.#guard(() => {
      const labels = { account: this.#vocab.account.label(account) };
      const today = amount(creditsToday);
      if (today !== undefined) this.#creditsToday.set(labels, today);
      const limit = budget === undefined ? undefined : amount(budget);
      if (limit === undefined) this.#creditBudget.remove(labels);
      else this.#creditBudget.set(labels, limit);
      this.#creditBudgetExhausted.set(labels, exhausted ? 1 : 0);
    });
  }

  accountUp(account: string, up: boolean): void {
    this.#guard(() => {
      this.#up.set({ account: this.#vocab.account.label(account) }, up ? 1 : 0);
    });
  }

  sqlApiEvent(account: string, event: SqlApiEvent): void {
    this.#guard(() => {
      const accountLabel = this.#vocab.account.label(account);
      if (event.type === 'request') {
        this.#sqlApiRequests.inc({
          account: accountLabel,
          kind: this.#vocab.requestKind.label(event.kind),
          status_class: statusClass(event.status),
        });
      } else if (event.type === 'retry') {
        this.#sqlApiRetries.inc({
          account: accountLabel,
          kind: this.#vocab.requestKind.label(event.kind),
          reason: this.#vocab.retryReason.label(event.reason),
        });
      }
      // 'cancel' events are already counted as requests of kind 'cancel'.
    });
  }
}
