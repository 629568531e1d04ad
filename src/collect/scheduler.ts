// Decides WHEN each account's sources run. Every source has its own interval; whatever is due, or will be due
// within a short batching window, runs in one cycle, so the warehouse wakes once per burst instead of once per
// source. Each account runs on its own loop: cycles of one account never overlap (a due time that passes while a
// cycle is still running is skipped and counted), and one account's failures or slowness never touch another's.
//
// Schedules stay on a grid (next = previous due + interval) so batching early by a minute does not drift a source;
// a random phase per account (`jitter`) keeps accounts from all firing at the same instant.
import type { AccountConfig } from '../config/types.ts';
import type { SqlApiClient } from '../snowflake/sqlapi/index.ts';
import type { StateStore } from '../state/store.ts';
import { DailyCreditBudget } from './budget.ts';
import { WarehouseCostModel, type StatementMeter } from './cost.ts';
import {
  runCycle,
  systemClock,
  type Clock,
  type CycleReport,
  type SnowflakeTimeReader,
  type SourceContextFactory,
} from './cycle.ts';
import { describeFailure } from './failure-detail.ts';
import type { CollectionObserver } from './observer.ts';
import type { Source } from './source.ts';

/** A source whose view is missing (or not granted) is asked again this often: grants and editions change rarely. */
export const DEFAULT_UNAVAILABLE_RETRY_SECONDS = 6 * 3600;
/** A source that failed is retried after at most this long rather than a whole interval later. */
export const DEFAULT_FAILED_RETRY_SECONDS = 5 * 60;
/** Interval for a source the configuration has no interval for (e.g. a detection registered as a source). */
export const FALLBACK_INTERVAL_SECONDS = 3600;
/** Sources due within this long of each other share a cycle (capped by 10% of, and half, the shortest interval). */
const BATCH_WINDOW_SECONDS = 120;

export interface ScheduledAccount {
  readonly account: AccountConfig;
  /** Reads Snowflake's clock at the start of each cycle (unless `snowflakeTime` is given). */
  readonly client?: SqlApiClient | undefined;
  readonly sources: readonly Source[];
  readonly contextFactory: SourceContextFactory;
  /** The meter wired to this account's client `onEvent`, for the statement count of each cycle. */
  readonly meter?: StatementMeter | undefined;
  /** Per source id, overriding `account.intervalSeconds` (seconds). */
  readonly intervalSeconds?: Readonly<Record<string, number>> | undefined;
  readonly snowflakeTime?: SnowflakeTimeReader | undefined;
}

export interface SchedulerOptions {
  readonly accounts: readonly ScheduledAccount[];
  readonly observer: CollectionObserver;
  readonly store: StateStore;
  readonly clock?: Clock | undefined;
  /** In [0, 1): the jitter draw. */
  readonly random?: (() => number) | undefined;
  readonly unavailableRetrySeconds?: number | undefined;
  readonly failedRetrySeconds?: number | undefined;
  /** How long a cycle waits for a source that ignores its abort before leaving it behind. */
  readonly abandonAfterMs?: number | undefined;
}

export interface AccountStatus {
  readonly account: string;
  readonly running: boolean;
  readonly nextRunAt: Date | undefined;
  readonly cycles: number;
  /** Source due times that passed while a cycle of this account was still running, and were skipped. */
  readonly overlapSkips: number;
  /** Sources currently marked unavailable (missing view or privilege), retried every few hours. */
  readonly unavailable: readonly string[];
  readonly lastCycle: CycleReport | undefined;
  /** Warehouse resumes estimated by the cost model since start. */
  readonly warehouseResumes: number;
}

export type RunOnceResult = { readonly ran: true; readonly report: CycleReport } | { readonly ran: false; readonly reason: 'overlap' };

class AccountRunner {
  readonly entry: ScheduledAccount;
  readonly warehouse: WarehouseCostModel;
  readonly budget: DailyCreditBudget;
  readonly nextDue = new Map<string, number>();
  readonly unavailable = new Set<string>();
  running: Promise<CycleReport> | undefined;
  cycles = 0;
  overlapSkips = 0;
  lastCycle: CycleReport | undefined;

  constructor(entry: ScheduledAccount, store: StateStore) {
    this.entry = entry;
    this.warehouse = new WarehouseCostModel(entry.account.warehouseCost);
    this.budget = new DailyCreditBudget({ account: entry.account.name, daily: entry.account.creditBudget.daily, store });
  }

  get name(): string {
    return this.entry.account.name;
  }

  intervalMs(source: Source): number {
    const seconds =
      this.entry.intervalSeconds?.[source.id] ??
      (this.entry.account.intervalSeconds as Readonly<Record<string, number>>)[source.id] ??
      FALLBACK_INTERVAL_SECONDS;
    // A zero or negative interval would spin the loop; configuration already refuses less than 60 s.
    return Math.max(1, seconds) * 1000;
  }

  /** Sources due within this window of the earliest due one ride along in the same cycle. */
  batchWindowMs(): number {
    const shortest = Math.min(...this.entry.sources.map((source) => this.intervalMs(source)));
    if (!Number.isFinite(shortest)) return 0;
    return Math.min(Math.max(BATCH_WINDOW_SECONDS * 1000, shortest / 10), shortest / 2);
  }

  nextRunAt(): number | undefined {
    let earliest: number | undefined;
    for (const due of this.nextDue.values()) if (earliest === undefined || due < earliest) earliest = due;
    return earliest;
  }

  dueSources(now: number): Source[] {
    const horizon = now + this.batchWindowMs();
    return this.entry.sources.filter((source) => (this.nextDue.get(source.id) ?? Number.POSITIVE_INFINITY) <= horizon);
  }
}

export class Scheduler {
  readonly #runners = new Map<string, AccountRunner>();
  readonly #observer: CollectionObserver;
  readonly #store: StateStore;
  readonly #clock: Clock;
  readonly #random: () => number;
  readonly #unavailableRetryMs: number;
  readonly #failedRetryMs: number;
  readonly #abandonAfterMs: number | undefined;
  readonly #stop = new AbortController();
  readonly #loops: Promise<void>[] = [];
  #started = false;

  constructor(options: SchedulerOptions) {
    for (const entry of options.accounts) {
      if (this.#runners.has(entry.account.name)) throw new TypeError(`account ${entry.account.name} is scheduled twice`);
      const ids = new Set<string>();
      for (const source of entry.sources) {
        if (ids.has(source.id)) throw new TypeError(`account ${entry.account.name}: source ${source.id} is listed twice`);
        ids.add(source.id);
      }
      this.#runners.set(entry.account.name, new AccountRunner(entry, options.store));
    }
    this.#observer = options.observer;
    this.#store = options.store;
    this.#clock = options.clock ?? systemClock;
    this.#random = options.random ?? Math.random;
    this.#unavailableRetryMs = (options.unavailableRetrySeconds ?? DEFAULT_UNAVAILABLE_RETRY_SECONDS) * 1000;
    this.#failedRetryMs = (options.failedRetrySeconds ?? DEFAULT_FAILED_RETRY_SECONDS) * 1000;
    this.#abandonAfterMs = options.abandonAfterMs;
  }

  /** Starts one loop per account; each waits a random phase in [0, jitter] before its first cycle. Idempotent. */
  start(): void {
    if (this.#started || this.#stop.signal.aborted) return;
    this.#started = true;
    const now = this.#clock.now();
    for (const runner of this.#runners.values()) {
      const phase = Math.floor(this.#random() * runner.entry.account.jitterSeconds * 1000);
      for (const source of runner.entry.sources) if (!runner.nextDue.has(source.id)) runner.nextDue.set(source.id, now + phase);
      this.#loops.push(this.#loop(runner));
    }
  }

  /**
   * Stops scheduling, aborts running cycles (their statements are cancelled on Snowflake) and waits for them to end.
   * Resolves true when every account loop ended, false when `signal` aborted first.
   */
  async stop(signal?: AbortSignal): Promise<boolean> {
    this.#stop.abort();
    const running = [...this.#runners.values()].map((runner) => runner.running).filter((cycle) => cycle !== undefined);
    const all = Promise.allSettled([...this.#loops, ...running]).then(() => true);
    if (signal === undefined) return all;
    if (signal.aborted) return false;
    return Promise.race([
      all,
      new Promise<boolean>((resolve) => signal.addEventListener('abort', () => resolve(false), { once: true })),
    ]);
  }

  /** When the account's next cycle is due, or undefined before start() / runOnce(). */
  nextRunAt(account: string): Date | undefined {
    const next = this.#runner(account).nextRunAt();
    return next === undefined ? undefined : new Date(next);
  }

  /** True while a cycle of any account is running. */
  get busy(): boolean {
    for (const runner of this.#runners.values()) if (runner.running !== undefined) return true;
    return false;
  }

  status(account: string): AccountStatus {
    const runner = this.#runner(account);
    return {
      account,
      running: runner.running !== undefined,
      nextRunAt: this.nextRunAt(account),
      cycles: runner.cycles,
      overlapSkips: runner.overlapSkips,
      unavailable: [...runner.unavailable].sort(),
      lastCycle: runner.lastCycle,
      warehouseResumes: runner.warehouse.resumes,
    };
  }

  /**
   * Runs one cycle of every source of the account now (budget deferral still applies). Refused, and counted as an
   * overlap skip, while a cycle of the account is running.
   */
  async runOnce(account: string): Promise<RunOnceResult> {
    const runner = this.#runner(account);
    if (runner.running !== undefined) {
      runner.overlapSkips += 1;
      return { ran: false, reason: 'overlap' };
    }
    const now = this.#clock.now();
    const report = await this.#cycle(runner, runner.entry.sources, now);
    return { ran: true, report };
  }

  #runner(account: string): AccountRunner {
    const runner = this.#runners.get(account);
    if (runner === undefined) throw new RangeError(`unknown account ${account}`);
    return runner;
  }

  async #loop(runner: AccountRunner): Promise<void> {
    const stop = this.#stop.signal;
    while (!stop.aborted) {
      try {
        if (runner.running !== undefined) {
          // A runOnce() cycle is in progress: wait for it; its end moves the due times past it.
          await runner.running.catch(() => undefined);
          continue;
        }
        const now = this.#clock.now();
        const next = runner.nextRunAt();
        if (next === undefined) return;
        if (next > now) {
          await this.#clock.sleep(next - now, stop);
          continue;
        }
        await this.#cycle(runner, runner.dueSources(now), now);
      } catch (error) {
        // runCycle reports its own failures; anything reaching here is a defect. Say so, and keep the account alive,
        // slowly.
        try {
          this.#observer.operationFailed?.(runner.name, 'cycle', describeFailure(error, 'internal'));
        } catch {
          // The observer's own failure must not stop the loop either.
        }
        await this.#clock.sleep(this.#failedRetryMs, stop);
      }
    }
  }

  #cycle(runner: AccountRunner, sources: readonly Source[], startedAt: number): Promise<CycleReport> {
    const entry = runner.entry;
    const cycle = runCycle({
      account: entry.account,
      client: entry.client,
      sources,
      contextFactory: entry.contextFactory,
      observer: this.#observer,
      store: this.#store,
      signal: this.#stop.signal,
      clock: this.#clock,
      snowflakeTime: entry.snowflakeTime,
      meter: entry.meter,
      warehouse: runner.warehouse,
      budget: runner.budget,
      abandonAfterMs: this.#abandonAfterMs,
    }).then((report) => {
      this.#afterCycle(runner, sources, startedAt, report);
      return report;
    });
    runner.running = cycle;
    const clear = (): void => {
      if (runner.running === cycle) runner.running = undefined;
    };
    cycle.then(clear, clear);
    return cycle;
  }

  #afterCycle(runner: AccountRunner, ran: readonly Source[], startedAt: number, report: CycleReport): void {
    const end = this.#clock.now();
    runner.cycles += 1;
    runner.lastCycle = report;
    const statusById = new Map(report.sources.map((source) => [source.source, source.status]));
    const ranIds = new Set(ran.map((source) => source.id));
    for (const source of runner.entry.sources) {
      const interval = runner.intervalMs(source);
      const due = runner.nextDue.get(source.id) ?? startedAt;
      if (!ranIds.has(source.id)) {
        // Came due while this cycle ran: that slot is skipped (cycles never overlap), the grid continues after it.
        let next = due;
        while (next > startedAt && next <= end) {
          next += interval;
          runner.overlapSkips += 1;
        }
        runner.nextDue.set(source.id, next);
        continue;
      }
      const status = statusById.get(source.id);
      if (status === 'unavailable') {
        runner.unavailable.add(source.id);
        runner.nextDue.set(source.id, end + Math.max(interval, this.#unavailableRetryMs));
        continue;
      }
      if (status === 'ok') runner.unavailable.delete(source.id);
      if (status === 'failed' && report.outcome !== 'cancelled') {
        runner.nextDue.set(source.id, end + Math.min(interval, this.#failedRetryMs));
        continue;
      }
      // On the grid: the first slot after the cycle's start (a late cycle does not replay missed slots)...
      let next = due + interval;
      if (next <= startedAt) next += Math.ceil((startedAt - next + 1) / interval) * interval;
      // ...and slots that passed while the cycle was still running are skipped, not run late back to back.
      while (next <= end) {
        next += interval;
        runner.overlapSkips += 1;
      }
      runner.nextDue.set(source.id, next);
    }
  }
}
