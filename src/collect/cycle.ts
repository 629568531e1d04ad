// One collection cycle of one account: read Snowflake's clock, run every due source together (so a suspended
// warehouse wakes once), bound the whole burst by a deadline, and account for what happened: per-source outcomes,
// the cycle's outcome in the state store, its estimated cost, and the daily credit budget.
//
// A failing source never stops the others (each run is settled on its own). A source whose view is missing or not
// readable by the role is reported as unavailable, not as an error: that is a fact about the account's edition or
// grants, and the scheduler asks again only rarely.
import type { AccountConfig } from '../config/types.ts';
import { SnowflakeTimestamp, ResponseFormatError, type SqlApiClient } from '../snowflake/sqlapi/index.ts';
import type { StateStore } from '../state/store.ts';
import type { BudgetState, DailyCreditBudget } from './budget.ts';
import { WarehouseCostModel, type BusySpan, type StatementMeter } from './cost.ts';
import { classifyError } from './error-kind.ts';
import { describeFailure, oneLine, type FailureDetail } from './failure-detail.ts';
import { SOURCE_ERROR_KINDS, type CollectionObserver, type CycleCost, type CycleFailure, type EngineOperation, type SourceErrorKind } from './observer.ts';
import type { Source, SourceContext, SourceRunResult } from './source.ts';
import { SourceUnavailableError, failureReason } from './sources/errors.ts';

/** Time for the collection engine: injectable so tests move minutes in microseconds. */
export interface Clock {
  /** Milliseconds since the epoch. */
  now(): number;
  /** Resolves after `ms`, or as soon as `signal` aborts. Never rejects. */
  sleep(ms: number, signal?: AbortSignal): Promise<void>;
}

export const systemClock: Clock = {
  now: () => Date.now(),
  sleep: (ms, signal) =>
    new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const done = (): void => {
        clearTimeout(timer);
        signal?.removeEventListener('abort', done);
        resolve();
      };
      const timer = setTimeout(done, Math.max(0, ms));
      signal?.addEventListener('abort', done, { once: true });
    }),
};

/** What a source's context is built from, besides the source itself. */
export interface CycleScope {
  readonly snowflakeNow: Date;
  readonly signal: AbortSignal;
}

/** Builds the SourceContext of one source for one cycle (the delivery pipeline supplies deliver/position/commit). */
export type SourceContextFactory = (source: Source, scope: CycleScope) => SourceContext;

/** Reads Snowflake's clock. */
export type SnowflakeTimeReader = (signal: AbortSignal) => Promise<Date>;

/** The statement that reads Snowflake's clock: metadata only, so it needs no running warehouse and wakes none. */
export const SNOWFLAKE_TIME_STATEMENT = 'SELECT CURRENT_TIMESTAMP()';

/** Sources still running this long after the cycle was aborted are abandoned, so a stuck one cannot stall the account. */
export const DEFAULT_ABANDON_AFTER_MS = 30_000;

export async function readSnowflakeTime(client: SqlApiClient, signal: AbortSignal): Promise<Date> {
  const result = await client.execute(SNOWFLAKE_TIME_STATEMENT, { signal });
  for await (const row of result.rows()) {
    const value = row[0];
    if (value instanceof SnowflakeTimestamp) return value.toDate();
    break;
  }
  throw new ResponseFormatError('CURRENT_TIMESTAMP() did not return a timestamp');
}

export interface CycleOptions {
  readonly account: AccountConfig;
  /** The account's client, used to read Snowflake's clock unless `snowflakeTime` is given. */
  readonly client?: SqlApiClient | undefined;
  /** The due sources; all of them run together. */
  readonly sources: readonly Source[];
  readonly contextFactory: SourceContextFactory;
  readonly observer: CollectionObserver;
  readonly store: StateStore;
  /** Default: the account's `cycleDeadline`. */
  readonly deadlineSeconds?: number | undefined;
  /** Aborted when the exporter stops: the cycle ends as 'cancelled'. */
  readonly signal?: AbortSignal | undefined;
  readonly clock?: Clock | undefined;
  /** Replaces the CURRENT_TIMESTAMP() statement (tests without a Snowflake, or a caller that already knows). */
  readonly snowflakeTime?: SnowflakeTimeReader | undefined;
  /** Counts statements from the client's events; without one, statements are reported as 0. */
  readonly meter?: StatementMeter | undefined;
  /** Carries the warehouse's state between cycles; without one, every cycle is billed as a fresh resume. */
  readonly warehouse?: WarehouseCostModel | undefined;
  /** When given, non-critical sources are deferred once the day's spend reached it, and the cycle's credits count. */
  readonly budget?: DailyCreditBudget | undefined;
  readonly abandonAfterMs?: number | undefined;
}

export type SourceStatus = 'ok' | 'failed' | 'unavailable' | 'deferred' | 'cancelled';

export interface SourceReport {
  readonly source: string;
  readonly status: SourceStatus;
  /** For 'failed'. */
  readonly kind?: SourceErrorKind | undefined;
  /** For 'failed': why, in one sanitised line with Snowflake's code (failure-detail.ts). */
  readonly failure?: FailureDetail | undefined;
  readonly rows: number;
  readonly delivered: number;
  readonly startedAt?: Date | undefined;
  readonly durationSeconds?: number | undefined;
  /** The run ignored the cycle's abort and was left behind. */
  readonly abandoned?: boolean | undefined;
}

export type CycleOutcome = 'ok' | 'partial' | 'failed' | 'cancelled';

export interface CycleReport {
  readonly account: string;
  readonly startedAt: Date;
  readonly finishedAt: Date;
  readonly outcome: CycleOutcome;
  readonly snowflakeNow: Date | undefined;
  /** Whether the account answered (auth worked, the clock was read): snowflake_risk_up. Undefined when cancelled. */
  readonly up: boolean | undefined;
  /** The cycle's deadline passed and it was aborted. */
  readonly deadlineExceeded: boolean;
  readonly sources: readonly SourceReport[];
  readonly cost: CycleCost;
  /** True when the warehouse model billed a resume for this cycle. */
  readonly warehouseResumed: boolean;
  readonly budget: BudgetState | undefined;
  /** With the 'failed' outcome: why the cycle could not start, or the failure its sources shared. */
  readonly failure?: CycleFailure | undefined;
}

class CycleDeadlineError extends Error {
  constructor(seconds: number) {
    super(`the collection cycle passed its deadline of ${seconds} s`);
    this.name = 'CycleDeadlineError';
  }
}

class CycleStoppedError extends Error {
  constructor() {
    super('the exporter is stopping');
    this.name = 'CycleStoppedError';
  }
}

interface RunRecord {
  readonly source: Source;
  readonly startedAt: number;
  settled: boolean;
  endedAt?: number;
  result?: SourceRunResult;
  error?: unknown;
}

export async function runCycle(options: CycleOptions): Promise<CycleReport> {
  const clock = options.clock ?? systemClock;
  const observer = safeObserver(options.observer);
  const account = options.account.name;
  const startedMs = clock.now();
  const deadlineSeconds = options.deadlineSeconds ?? options.account.cycleDeadlineSeconds;
  const readTime = timeReader(options);

  const controller = new AbortController();
  const finished = new AbortController();
  let deadlineExceeded = false;
  const onStop = (): void => controller.abort(new CycleStoppedError());
  if (options.signal?.aborted === true) onStop();
  else options.signal?.addEventListener('abort', onStop, { once: true });
  void clock.sleep(deadlineSeconds * 1000, finished.signal).then(() => {
    if (finished.signal.aborted || controller.signal.aborted) return;
    deadlineExceeded = true;
    controller.abort(new CycleDeadlineError(deadlineSeconds));
  });
  const stopped = (): boolean => options.signal?.aborted === true;

  const meterStart = options.meter?.snapshot();
  const reports: SourceReport[] = [];
  let snowflakeNow: Date | undefined;
  let up: boolean | undefined;
  let span: BusySpan | undefined;
  let startFailure: CycleFailure | undefined;
  const runs: RunRecord[] = [];
  const operationFailed = (operation: EngineOperation, error: unknown): void => {
    observer.operationFailed?.(account, operation, describeFailure(error));
  };

  try {
    // Budget first: deferred sources are known before anything is sent. A budget the store cannot read lets the
    // source run (the estimate errs towards running) and is reported, rather than silently stopping the cycle.
    const runnable: Source[] = [];
    let budgetUnreadable = false;
    for (const source of options.sources) {
      let allowed = true;
      if (options.budget !== undefined && !budgetUnreadable) {
        try {
          allowed = options.budget.allows(source, new Date(startedMs));
        } catch (error) {
          budgetUnreadable = true;
          operationFailed('credit budget', error);
        }
      }
      if (!allowed) {
        observer.sourceSkipped(account, source.id, 'budget');
        reports.push({ source: source.id, status: 'deferred', rows: 0, delivered: 0 });
      } else runnable.push(source);
    }

    try {
      snowflakeNow = await readTime(controller.signal);
      up = true;
    } catch (error) {
      if (!stopped()) {
        // Without Snowflake's clock no window can be computed: nothing runs, and the account shows as down. The
        // sources did not run, so they count no error of their own: the cycle's failure says why.
        up = false;
        const kind = deadlineExceeded ? 'timeout' : classifyError(error).kind;
        startFailure = { ...describeFailure(error, kind), stage: 'start', at: new Date(clock.now()) };
        for (const source of runnable) reports.push({ source: source.id, status: 'failed', kind, failure: startFailure, rows: 0, delivered: 0 });
      } else {
        for (const source of runnable) reports.push({ source: source.id, status: 'cancelled', rows: 0, delivered: 0 });
      }
    }

    if (snowflakeNow !== undefined) {
      const scope: CycleScope = { snowflakeNow, signal: controller.signal };
      const settledAll = Promise.all(runnable.map((source) => startRun(source, scope, options, clock, runs)));
      await waitOrAbandon(settledAll, controller.signal, clock, options.abandonAfterMs ?? DEFAULT_ABANDON_AFTER_MS);
      const abandonedAt = clock.now();
      for (const run of runs) {
        reports.push(reportRun(run, { account, snowflakeNow, abandonedAt, stopped: stopped(), deadlineExceeded, deadlineSeconds, observer }));
      }
      span = busySpan(runs, reports, abandonedAt);
      // All failed on authentication: the account is effectively down even though its clock answered.
      const ran = reports.filter((report) => report.status === 'ok' || report.status === 'failed');
      if (ran.length > 0 && ran.every((report) => report.status === 'failed' && report.kind === 'auth')) up = false;
    }
  } finally {
    finished.abort();
    options.signal?.removeEventListener('abort', onStop);
  }

  const finishedMs = clock.now();
  const outcome = outcomeOf(reports, { stopped: stopped(), up });
  const warehouse = options.warehouse ?? new WarehouseCostModel(options.account.warehouseCost);
  const bill = warehouse.bill(span);
  const meterEnd = options.meter?.snapshot();
  const rows = reports.reduce((sum, report) => sum + report.rows, 0);
  const cost: CycleCost = {
    account,
    statements: meterStart !== undefined && meterEnd !== undefined ? meterEnd.statements - meterStart.statements : 0,
    rows,
    // The SQL API client does not report response sizes in its events yet; see the module's report.
    bytes: 0,
    warehouseSeconds: bill.seconds,
    credits: bill.credits,
  };
  observer.cost(cost);
  let budget: BudgetState | undefined;
  if (options.budget !== undefined) {
    try {
      budget = options.budget.add(cost.credits, new Date(finishedMs));
    } catch (error) {
      operationFailed('credit budget', error);
      try {
        budget = options.budget.state(new Date(finishedMs));
      } catch {
        budget = undefined;
      }
    }
    if (budget !== undefined) observer.budgetState(account, budget.creditsToday, budget.budget, budget.exhausted);
  }
  if (up !== undefined) observer.accountUp(account, up);
  const durationSeconds = (finishedMs - startedMs) / 1000;
  const failure = outcome === 'failed' ? (startFailure ?? sharedFailure(reports, new Date(finishedMs))) : undefined;
  observer.cycleFinished(account, outcome, durationSeconds, failure);
  try {
    options.store.recordCycle({
      account,
      startedAt: new Date(startedMs),
      finishedAt: new Date(finishedMs),
      outcome,
      statements: cost.statements,
      rows,
      estimatedCredits: cost.credits,
      detail: describe(reports, deadlineExceeded),
    });
  } catch (error) {
    // The cycle history is informative only; a store failure here must not turn into a failed cycle, but it is said.
    operationFailed('cycle history', error);
  }
  return {
    account,
    startedAt: new Date(startedMs),
    finishedAt: new Date(finishedMs),
    outcome,
    snowflakeNow,
    up,
    deadlineExceeded,
    sources: reports,
    cost,
    warehouseResumed: bill.resumed,
    budget,
    ...(failure === undefined ? {} : { failure }),
  };
}

/**
 * The failure a failed cycle's sources shared: the most frequent kind among them (ties: the order of
 * SOURCE_ERROR_KINDS), reported with the first source that failed with it.
 */
function sharedFailure(reports: readonly SourceReport[], at: Date): CycleFailure | undefined {
  const failed = reports.filter((report) => report.status === 'failed');
  if (failed.length === 0) return undefined;
  const counts = new Map<SourceErrorKind, number>();
  for (const report of failed) counts.set(report.kind ?? 'internal', (counts.get(report.kind ?? 'internal') ?? 0) + 1);
  let kind: SourceErrorKind = 'internal';
  let most = 0;
  for (const candidate of SOURCE_ERROR_KINDS) {
    const count = counts.get(candidate) ?? 0;
    if (count > most) {
      kind = candidate;
      most = count;
    }
  }
  const first = failed.find((report) => (report.kind ?? 'internal') === kind)!;
  const detail = first.failure ?? { kind, message: 'failed' };
  return { ...detail, kind, stage: 'sources', source: first.source, at };
}

function timeReader(options: CycleOptions): SnowflakeTimeReader {
  if (options.snowflakeTime !== undefined) return options.snowflakeTime;
  const client = options.client;
  if (client === undefined) throw new TypeError('runCycle needs a client or a snowflakeTime reader');
  return (signal) => readSnowflakeTime(client, signal);
}

function startRun(source: Source, scope: CycleScope, options: CycleOptions, clock: Clock, runs: RunRecord[]): Promise<void> {
  const run: RunRecord = { source, startedAt: clock.now(), settled: false };
  runs.push(run);
  const settle = (result: SourceRunResult | undefined, error: unknown): void => {
    run.settled = true;
    run.endedAt = clock.now();
    if (result !== undefined) run.result = result;
    else run.error = error;
  };
  // Everything a source does, building its context included, is inside the promise: a throw is that source's failure.
  return Promise.resolve()
    .then(() => source.run(options.contextFactory(source, scope)))
    .then(
      (result) => settle(result, undefined),
      (error: unknown) => settle(undefined, error ?? new Error('source failed without an error')),
    );
}

/** Resolves when every run settled, or `abandonAfterMs` after the cycle was aborted, whichever is first. */
async function waitOrAbandon(
  all: Promise<unknown>,
  aborted: AbortSignal,
  clock: Clock,
  abandonAfterMs: number,
): Promise<void> {
  const giveUp = new AbortController();
  const abandon = new Promise<void>((resolve) => {
    const arm = (): void => {
      void clock.sleep(abandonAfterMs, giveUp.signal).then(() => resolve());
    };
    if (aborted.aborted) arm();
    else aborted.addEventListener('abort', arm, { once: true, signal: giveUp.signal });
  });
  try {
    await Promise.race([all, abandon]);
  } finally {
    giveUp.abort();
  }
}

interface ReportContext {
  readonly account: string;
  readonly snowflakeNow: Date;
  readonly abandonedAt: number;
  readonly stopped: boolean;
  readonly deadlineExceeded: boolean;
  readonly deadlineSeconds: number;
  readonly observer: CollectionObserver;
}

function reportRun(run: RunRecord, context: ReportContext): SourceReport {
  const { account, observer } = context;
  const id = run.source.id;
  const startedAt = new Date(run.startedAt);
  const durationSeconds = ((run.endedAt ?? context.abandonedAt) - run.startedAt) / 1000;
  const base = { source: id, startedAt, durationSeconds };
  if (run.settled && run.result !== undefined) {
    const { rows, delivered, newestEventTime, parts } = run.result;
    const lagSeconds =
      newestEventTime === undefined ? undefined : Math.max(0, (context.snowflakeNow.getTime() - newestEventTime.getTime()) / 1000);
    observer.sourceSucceeded({ account, source: id, startedAt, durationSeconds, rows, delivered, lagSeconds, ...(parts === undefined ? {} : { parts }) });
    return { ...base, status: 'ok', rows, delivered };
  }
  const abandoned = !run.settled;
  if (context.stopped) return { ...base, status: 'cancelled', rows: 0, delivered: 0, abandoned };
  if (abandoned) {
    const failure: FailureDetail = {
      kind: 'timeout',
      message: `the source ignored the cycle's abort (${context.deadlineExceeded ? `deadline of ${context.deadlineSeconds} s` : 'stop'}) and was left behind`,
    };
    observer.sourceFailed(account, id, 'timeout', new Date(context.abandonedAt), failure);
    return { ...base, status: 'failed', kind: 'timeout', failure, rows: 0, delivered: 0, abandoned };
  }
  const classification = classifyError(run.error);
  if (classification.unavailable) {
    observer.sourceSkipped(account, id, 'unavailable', unavailableDetail(run.source, run.error));
    return { ...base, status: 'unavailable', rows: 0, delivered: 0 };
  }
  // Whatever the client threw on the way out (cancelled, deadline), a source cut off by the cycle deadline timed out.
  const kind: SourceErrorKind = context.deadlineExceeded ? 'timeout' : classification.kind;
  const described = describeFailure(run.error, kind);
  const failure: FailureDetail = context.deadlineExceeded
    ? { ...described, message: oneLine(`cut off by the cycle deadline of ${context.deadlineSeconds} s (${described.message})`) }
    : described;
  observer.sourceFailed(account, id, kind, new Date(run.endedAt ?? context.abandonedAt), failure);
  return { ...base, status: 'failed', kind, failure, rows: 0, delivered: 0 };
}

/** Which view the role could not read, and Snowflake's code: names and codes, never a message. */
function unavailableDetail(source: Source, error: unknown): string {
  const view = error instanceof SourceUnavailableError ? error.view : source.view;
  return `${view}: ${failureReason(error)}`;
}

/** From the first warehouse-needing run's start to the last one's end; unavailable ones compiled and woke nothing. */
function busySpan(runs: readonly RunRecord[], reports: readonly SourceReport[], abandonedAt: number): BusySpan | undefined {
  let span: BusySpan | undefined;
  for (const run of runs) {
    if (!run.source.needsWarehouse) continue;
    const status = reports.find((report) => report.source === run.source.id)?.status;
    if (status === 'unavailable' || status === 'deferred') continue;
    const end = run.endedAt ?? abandonedAt;
    span = span === undefined ? { start: run.startedAt, end } : { start: Math.min(span.start, run.startedAt), end: Math.max(span.end, end) };
  }
  return span;
}

function outcomeOf(reports: readonly SourceReport[], state: { stopped: boolean; up: boolean | undefined }): CycleOutcome {
  if (state.stopped) return 'cancelled';
  if (state.up === false) return 'failed';
  const ran = reports.filter((report) => report.status === 'ok' || report.status === 'failed');
  const failed = ran.filter((report) => report.status === 'failed').length;
  if (failed === 0) return 'ok';
  return failed === ran.length ? 'failed' : 'partial';
}

/** Source ids and kinds only: the cycle history must never hold a message that could quote a value. */
function describe(reports: readonly SourceReport[], deadlineExceeded: boolean): string {
  const groups = new Map<string, string[]>();
  for (const report of reports) {
    const label = report.status === 'failed' ? `${report.source}(${report.kind ?? 'internal'})` : report.source;
    const list = groups.get(report.status) ?? [];
    list.push(label);
    groups.set(report.status, list);
  }
  const parts = [...groups].map(([status, list]) => `${status}: ${list.join(', ')}`);
  if (deadlineExceeded) parts.push('deadline exceeded');
  return parts.join('; ');
}

/** Observer calls must never throw into the engine; a faulty observer loses its own report, nothing else. */
function safeObserver(observer: CollectionObserver): CollectionObserver {
  const guard =
    <A extends unknown[]>(call: (...args: A) => void) =>
    (...args: A): void => {
      try {
        call(...args);
      } catch {
        // deliberately ignored
      }
    };
  return {
    sourceSucceeded: guard((outcome) => observer.sourceSucceeded(outcome)),
    sourceFailed: guard((account, source, kind, at, failure) => observer.sourceFailed(account, source, kind, at, failure)),
    sourceSkipped: guard((account, source, reason, detail) => observer.sourceSkipped(account, source, reason, detail)),
    cycleFinished: guard((account, outcome, seconds, failure) => observer.cycleFinished(account, outcome, seconds, failure)),
    cost: guard((cost) => observer.cost(cost)),
    budgetState: guard((account, credits, budget, exhausted) => observer.budgetState(account, credits, budget, exhausted)),
    accountUp: guard((account, up) => observer.accountUp(account, up)),
    sqlApiEvent: guard((account, event) => observer.sqlApiEvent(account, event)),
    operationFailed: guard((account, operation, failure) => observer.operationFailed?.(account, operation, failure)),
  };
}
