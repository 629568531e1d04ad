// A stretch of simulated time for one account against the emulator: the real Scheduler (its own loop, intervals,
// batching), the real sources, delivery pipeline, state store and SQL API client, and the emulator's warehouse
// model as the judge of what the warehouse would bill. Shared by the cost test (a few hours) and the cost benchmark
// (a whole day, and the same day polled every 60 s).
//
// Time: one virtual clock drives both sides. The scheduler's `sleep()` parks on it; when no cycle is running and the
// scheduler's loop is parked, the driver jumps the clock (the scheduler's and the emulator's together) to the
// earliest sleeper. Time stands still while a cycle runs, so statement durations come only from the emulator's
// `statementCost` (baseMs + perRowMs x rows), which makes every figure independent of the machine.
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { StatementLogEntry, VirtualClock } from '../../../emulator/engine/index.ts';
import { generateScenario, loadScenario, presetOptions, type PresetOverrides } from '../../../emulator/scenario/index.ts';
import { StatementMeter } from '../../../src/collect/cost.ts';
import type { Clock, CycleScope } from '../../../src/collect/cycle.ts';
import { DeliveryPipeline } from '../../../src/collect/delivery.ts';
import type { CollectionObserver, CycleCost, SourceErrorKind, SourceOutcome } from '../../../src/collect/observer.ts';
import { Scheduler } from '../../../src/collect/scheduler.ts';
import type { DeliveryBatch, Sink } from '../../../src/collect/sink.ts';
import type { Source, SourceContext } from '../../../src/collect/source.ts';
import { createSources, type CollectSourceId } from '../../../src/collect/sources/index.ts';
import { DEFAULTS, type AccountConfig } from '../../../src/config/types.ts';
import { DetectionRegistry } from '../../../src/detect/registry.ts';
import { riskyQueryRulesFor, withDetectionSources } from '../../../src/detect/runner/index.ts';
import { createAccountClient } from '../../../src/snowflake/account-client.ts';
import { openStateStore } from '../../../src/state/index.ts';
import { EMULATED_WAREHOUSE, startKeyPairEmulator } from '../../helpers/emulator-account.ts';

/** The account's `concurrency` (the configuration's default): statements in flight at once. */
const CLIENT_CONCURRENCY = DEFAULTS.concurrency;

/** Statement durations on the emulator's virtual clock: a fixed part plus a part per result row. */
export interface StatementCost {
  readonly baseMs: number;
  readonly perRowMs: number;
}

/**
 * What the benchmark and the test use unless told otherwise: 2 s per statement plus 1 ms per row returned, about
 * what an ACCOUNT_USAGE read takes on an X-Small warehouse. Durations only lengthen each burst past its 60-second
 * minimum; the shape of the bill (one resume per cycle) does not depend on them.
 */
export const DEFAULT_STATEMENT_COST: StatementCost = { baseMs: 2000, perRowMs: 1 };

export interface SimulationOptions {
  /** Virtual start; the scenario's activity ends at start + duration, so its rows surface as the window advances. */
  readonly start: Date;
  readonly durationSeconds: number;
  /** Every source at this interval instead of its default (the on-scrape baseline polls every 60 s). */
  readonly pollEverySeconds?: number | undefined;
  /** Per-source intervals in seconds, over the defaults (and over pollEverySeconds). */
  readonly intervals?: Partial<Record<CollectSourceId, number>> | undefined;
  readonly statementCost?: StatementCost | undefined;
  /** Scenario size (the demo preset's shape); undefined = views left empty. */
  readonly scenario?: Pick<PresetOverrides, 'users' | 'days' | 'queriesPerDay'> | undefined;
  /** Sources to build; default every source createSources builds. */
  readonly enabled?: readonly CollectSourceId[] | undefined;
  /** The account's `creditBudget.daily` (default: none, as in the configuration). */
  readonly creditBudgetDaily?: number | undefined;
  /**
   * Run the built-in detection catalog as the exporter does (SQL detections as sources on the interval of the source
   * they follow, event and posture rules in process). Default false: the sources alone.
   */
  readonly detections?: boolean | undefined;
}

/** The emulator warehouse model's figures over the simulated window. */
export interface EmulatorFigures {
  readonly statements: number;
  readonly warehouseStatements: number;
  readonly resumes: number;
  readonly awakeSeconds: number;
  readonly billedSeconds: number;
  readonly credits: number;
}

/** The exporter's own accounting (cost.ts through the observer, and the scheduler's cost model). */
export interface EstimateFigures {
  readonly statements: number;
  readonly resumes: number;
  readonly warehouseSeconds: number;
  readonly credits: number;
}

export interface CycleRecord {
  readonly at: Date;
  readonly outcome: string;
  /** Emulator warehouse resumes during this cycle. */
  readonly resumes: number;
  /** Emulator statements during this cycle, and how many of them needed a warehouse. */
  readonly statements: number;
  readonly warehouseStatements: number;
  readonly estimate: CycleCost | undefined;
}

export interface SimulationResult {
  readonly account: AccountConfig;
  readonly sourceIds: readonly string[];
  readonly cycles: readonly CycleRecord[];
  /** Per source id: how many times it ran (any status). */
  readonly sourceRuns: Readonly<Record<string, number>>;
  /** Source runs that did not succeed, as `source: kind`. */
  readonly failures: readonly string[];
  /** Per source id: runs deferred because the daily credit budget was reached. */
  readonly deferred: Readonly<Record<string, number>>;
  readonly emulator: EmulatorFigures;
  readonly estimate: EstimateFigures;
  /** The emulator's statement log at the end (its most recent 1,000 statements). */
  readonly log: readonly StatementLogEntry[];
  /** Records delivered to the sink (events + findings). */
  readonly delivered: number;
  readonly wallSeconds: number;
}

/** The scheduler's clock, parked between cycles and moved only by the driver. */
class SteppedClock implements Clock {
  readonly #engineClock: VirtualClock;
  readonly #sleepers = new Set<{ readonly at: number; readonly wake: () => void }>();
  #now: number;
  #onSleep: (() => void) | undefined;

  constructor(start: number, engineClock: VirtualClock) {
    this.#now = start;
    this.#engineClock = engineClock;
    engineClock.set(new Date(start));
  }

  now(): number {
    return this.#now;
  }

  sleep(ms: number, signal?: AbortSignal): Promise<void> {
    return new Promise<void>((resolve) => {
      if (signal?.aborted === true) {
        resolve();
        return;
      }
      const sleeper = {
        at: this.#now + Math.max(0, ms),
        wake: (): void => {
          this.#sleepers.delete(sleeper);
          signal?.removeEventListener('abort', sleeper.wake);
          resolve();
        },
      };
      this.#sleepers.add(sleeper);
      signal?.addEventListener('abort', sleeper.wake, { once: true });
      const notify = this.#onSleep;
      this.#onSleep = undefined;
      notify?.();
    });
  }

  /** The earliest time a sleeper waits for, if any. */
  earliest(): number | undefined {
    let earliest: number | undefined;
    for (const sleeper of this.#sleepers) if (earliest === undefined || sleeper.at < earliest) earliest = sleeper.at;
    return earliest;
  }

  /** Resolves at the next sleep() call. */
  nextSleep(): Promise<void> {
    return new Promise((resolve) => {
      this.#onSleep = resolve;
    });
  }

  /** Moves both clocks to `t` and wakes every sleeper due by then. */
  advanceTo(t: number): void {
    this.#now = Math.max(this.#now, t);
    this.#engineClock.set(new Date(this.#now));
    for (const sleeper of [...this.#sleepers]) if (sleeper.at <= this.#now) sleeper.wake();
  }
}

/** Accepts every batch (the metrics and OTLP sinks are tested on their own); counts what it saw. */
class CountingSink implements Sink {
  readonly name = 'counting';
  records = 0;
  deliver(batch: DeliveryBatch): Promise<void> {
    this.records += batch.events.length + batch.findings.length;
    return Promise.resolve();
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

interface EmulatorSnapshot {
  readonly statements: number;
  readonly warehouseStatements: number;
  readonly resumes: number;
}

/** Collects the exporter's own reports, and reads the emulator's counters at each cycle's end. */
class CostObserver implements CollectionObserver {
  readonly cycles: CycleRecord[] = [];
  readonly sourceRuns: Record<string, number> = {};
  readonly failures: string[] = [];
  readonly deferred: Record<string, number> = {};
  readonly #emulator: () => EmulatorSnapshot;
  readonly #now: () => number;
  #before: EmulatorSnapshot;
  #lastCost: CycleCost | undefined;

  constructor(emulator: () => EmulatorSnapshot, now: () => number) {
    this.#emulator = emulator;
    this.#now = now;
    this.#before = emulator();
  }

  sourceSucceeded(outcome: SourceOutcome): void {
    this.#ran(outcome.source);
  }
  sourceFailed(_account: string, source: string, kind: SourceErrorKind): void {
    this.#ran(source);
    this.failures.push(`${source}: ${kind}`);
  }
  sourceSkipped(_account: string, source: string, reason: 'unavailable' | 'budget'): void {
    // A budget deferral is the budget working, not a failure; it is counted on its own.
    if (reason === 'budget') {
      this.deferred[source] = (this.deferred[source] ?? 0) + 1;
      return;
    }
    this.#ran(source);
    this.failures.push(`${source}: ${reason}`);
  }
  cost(cost: CycleCost): void {
    this.#lastCost = cost;
  }
  cycleFinished(_account: string, outcome: string): void {
    // Called after every statement of the cycle ended: the emulator's counters now hold exactly this cycle.
    const after = this.#emulator();
    this.cycles.push({
      at: new Date(this.#now()),
      outcome,
      resumes: after.resumes - this.#before.resumes,
      statements: after.statements - this.#before.statements,
      warehouseStatements: after.warehouseStatements - this.#before.warehouseStatements,
      estimate: this.#lastCost,
    });
    this.#before = after;
    this.#lastCost = undefined;
  }
  budgetState(): void {}
  accountUp(): void {}
  sqlApiEvent(): void {}

  #ran(source: string): void {
    this.sourceRuns[source] = (this.sourceRuns[source] ?? 0) + 1;
  }
}

/** Runs the scheduler over [start, start + duration) of virtual time and returns what both models counted. */
export async function simulate(options: SimulationOptions): Promise<SimulationResult> {
  const wallStart = performance.now();
  const start = options.start.getTime();
  const end = start + options.durationSeconds * 1000;
  const cost = options.statementCost ?? DEFAULT_STATEMENT_COST;
  // The exporter keeps at most `concurrency` statements in flight per account (8 by default, the warehouse's own
  // default MAX_CONCURRENCY_LEVEL): the warehouse model gets that many slots, so a cycle's statements queue as they
  // would behind whichever limit is lower.
  const e = await startKeyPairEmulator({
    start: options.start,
    engineOptions: {
      statementCost: cost,
      warehouses: { [EMULATED_WAREHOUSE]: { size: 'X-Small', autoSuspendSeconds: 60, maxConcurrency: CLIENT_CONCURRENCY } },
    },
    concurrency: CLIENT_CONCURRENCY,
  });
  const dir = mkdtempSync(join(tmpdir(), 'sre-cost-'));
  const cleanups: (() => unknown)[] = [() => e.close(), () => rmSync(dir, { recursive: true, force: true })];
  try {
    if (options.scenario !== undefined) {
      const scenario = generateScenario(presetOptions('demo', { ...options.scenario, end: new Date(end) }));
      // The activity runs up to the window's end; the clock stays at its start, so rows surface as time passes.
      await loadScenario(e.engine, scenario, { setClock: false });
    }
    const clock = new SteppedClock(start, e.engine.clock);
    const store = openStateStore({ path: join(dir, 'state.db') });
    cleanups.unshift(() => store.close());
    const meter = new StatementMeter();
    const accountClient = createAccountClient(e.account, { onEvent: meter.listener });
    cleanups.unshift(() => accountClient.close());
    const sink = new CountingSink();
    const pipeline = new DeliveryPipeline({
      store,
      sinks: [sink],
      now: () => new Date(clock.now()),
      retentionSeconds: () => 7 * 86_400,
    });
    const account: AccountConfig =
      options.creditBudgetDaily === undefined ? e.account : { ...e.account, creditBudget: { daily: options.creditBudgetDaily } };
    const contextFactory = (_source: Source, scope: CycleScope): SourceContext => ({
      account,
      client: accountClient.client,
      snowflakeNow: scope.snowflakeNow,
      signal: scope.signal,
      ...pipeline.forAccount(account.name, scope.signal),
      publishPosture: () => {},
    });
    // The catalog joins the sources exactly as src/runtime/exporter.ts wires it (same registry, same runner).
    // The helper's account enables no detection; with `detections` it enables every built-in one, as `all` does.
    const registry = new DetectionRegistry();
    const detections = options.detections === true ? registry.forAccount({ ...account, detections: [...new Set(registry.all().map((detection) => detection.id))] }) : undefined;
    const collectSources = createSources(account, {
      enabled: options.enabled,
      riskyQueryRules: detections === undefined ? undefined : riskyQueryRulesFor(detections),
    });
    const { sources, intervalSeconds: detectionIntervals } =
      detections === undefined ? { sources: collectSources, intervalSeconds: {} } : withDetectionSources(account, collectSources, detections);
    // Unset = the account's own intervals, which are the defaults (source-ids.ts), as configuration resolves them; a
    // SQL detection follows its source's interval (polled every pollEverySeconds in the baseline like the rest).
    const intervalSeconds: Record<string, number> = {};
    for (const source of sources) {
      const override = options.intervals?.[source.id as CollectSourceId] ?? options.pollEverySeconds ?? detectionIntervals[source.id];
      if (override !== undefined) intervalSeconds[source.id] = override;
    }
    const observer = new CostObserver(() => e.engine.warehouseReport(), () => clock.now());
    const scheduler = new Scheduler({
      // The account's own settings are the defaults (intervals from source-ids.ts, X-Small, AUTO_SUSPEND 60).
      accounts: [{ account, client: accountClient.client, sources, contextFactory, meter, intervalSeconds }],
      observer,
      store,
      clock,
      // No jitter draw: the first cycle runs at the window's start, so the count of cycles is exact.
      random: () => 0,
    });

    scheduler.start();
    for (;;) {
      // Parked: no cycle running and the account's loop asleep until its next due time.
      while (scheduler.status(account.name).running || clock.earliest() === undefined) await clock.nextSleep();
      const next = clock.earliest() ?? end;
      if (next >= end) break;
      clock.advanceTo(next);
    }
    // The window ends before the next due time; a burst still awake is billed as if it suspends on schedule.
    await scheduler.stop();

    const report = e.engine.warehouseReport();
    const estimates = observer.cycles.map((cycle) => cycle.estimate).filter((estimate) => estimate !== undefined);
    return {
      account,
      sourceIds: sources.map((source) => source.id),
      cycles: observer.cycles,
      sourceRuns: observer.sourceRuns,
      failures: observer.failures,
      deferred: observer.deferred,
      emulator: {
        statements: report.statements,
        warehouseStatements: report.warehouseStatements,
        resumes: report.resumes,
        awakeSeconds: report.awakeSeconds,
        billedSeconds: Object.values(report.byWarehouse).reduce((sum, usage) => sum + usage.billedSeconds, 0),
        credits: report.credits,
      },
      estimate: {
        statements: estimates.reduce((sum, estimate) => sum + estimate.statements, 0),
        resumes: scheduler.status(account.name).warehouseResumes,
        warehouseSeconds: estimates.reduce((sum, estimate) => sum + estimate.warehouseSeconds, 0),
        credits: estimates.reduce((sum, estimate) => sum + estimate.credits, 0),
      },
      log: report.log,
      delivered: sink.records,
      wallSeconds: (performance.now() - wallStart) / 1000,
    };
  } finally {
    for (const cleanup of cleanups) await cleanup();
  }
}
