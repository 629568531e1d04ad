// What the exporter costs in warehouse time: a simulated day on the emulator at the default settings (default
// intervals, every source createSources builds, X-Small warehouse with AUTO_SUSPEND = 60 s), judged by the
// emulator's warehouse model (60 s minimum per resume, idle tail until AUTO_SUSPEND). Baseline from the same run:
// the same sources polled the way on-scrape exporters do, every 60 s. Both use the same statement cost model
// (durations from `statementCost`, not from this machine), so the figures are the same on every machine.
//
// The baseline runs 1,440 cycles for a whole day, which takes many minutes here; by default it polls every 60 s for a
// representative 2 h and scales to a day (COST_BENCH_BASELINE_HOURS=24 runs the whole day). The scaling is stated in
// the output. It is safe because a warehouse polled every 60 s with AUTO_SUSPEND = 60 s never suspends: awake
// seconds and credits grow linearly with time, and resumes stay at the first one (resumes/day = 1 + (resumes - 1) x
// 24 h / window, which is exact when no later resume happens and proportional otherwise).
//
// Both sides run the default configuration: every source and the whole built-in detection catalog (SQL detections
// run in Snowflake on the interval of the source they follow). Two more simulated days are printed for reference
// (not part of the table): the sources alone, without detections, and the defaults with a daily credit budget; the
// README's cost section quotes them.
// Next to each emulator figure the output shows the exporter's own estimate (cost.ts, as the observer received it).
import { DEFAULT_STATEMENT_COST, simulate, type SimulationResult } from '../test/integration/cost/simulated-day.ts';
import type { Benchmark, BenchFigure } from './harness.ts';

const DAY = 86_400;
const START = new Date('2026-11-20T00:00:00Z');
/** The demo scenario's account (40 users, 2,000 queries a day); its activity runs through the simulated day. */
const SCENARIO = { users: 40, days: 15, queriesPerDay: 2000 };
const BASELINE_POLL_SECONDS = 60;
/** The daily credit budget tried for reference (the README's cost target). */
const BUDGET = 0.5;

function baselineHours(): number {
  const raw = process.env.COST_BENCH_BASELINE_HOURS;
  const hours = raw === undefined || raw === '' ? 2 : Number(raw);
  if (!Number.isFinite(hours) || hours <= 0 || hours > 24) throw new RangeError('COST_BENCH_BASELINE_HOURS must be in (0, 24]');
  return hours;
}

interface PerDay {
  readonly statements: number;
  readonly resumes: number;
  readonly awakeSeconds: number;
  readonly credits: number;
  readonly estimatedResumes: number;
  readonly estimatedSeconds: number;
  readonly estimatedCredits: number;
}

/** Per-day figures of a run over `seconds` of virtual time (see the module comment for the resume rule). */
function perDay(result: SimulationResult, seconds: number): PerDay {
  const scale = DAY / seconds;
  const resumes = (count: number): number => (count === 0 ? 0 : 1 + (count - 1) * scale);
  return {
    statements: result.emulator.statements * scale,
    resumes: resumes(result.emulator.resumes),
    awakeSeconds: result.emulator.awakeSeconds * scale,
    credits: result.emulator.credits * scale,
    estimatedResumes: resumes(result.estimate.resumes),
    estimatedSeconds: result.estimate.warehouseSeconds * scale,
    estimatedCredits: result.estimate.credits * scale,
  };
}

function printEstimateComparison(rows: readonly (readonly [string, PerDay])[]): void {
  const fmt = (value: number, digits: number): string => value.toFixed(digits);
  console.log('exporter estimate (cost.ts, summed from the observer) next to the emulator warehouse model, per day:');
  console.log('| run | resumes: emulator / estimate | warehouse seconds: emulator / estimate | credits: emulator / estimate |');
  console.log('|---|---|---|---|');
  for (const [name, day] of rows) {
    console.log(
      `| ${name} | ${fmt(day.resumes, 0)} / ${fmt(day.estimatedResumes, 0)} | ${fmt(day.awakeSeconds, 0)} / ${fmt(day.estimatedSeconds, 0)} | ` +
        `${fmt(day.credits, 3)} / ${fmt(day.estimatedCredits, 3)} |`,
    );
  }
}

const benchmark: Benchmark = {
  name: 'cost',
  description:
    'warehouse use per simulated day at default settings (emulator warehouse model: X-Small, AUTO_SUSPEND 60 s, 60 s minimum per resume) ' +
    `vs the same sources polled every ${BASELINE_POLL_SECONDS} s`,
  async run(): Promise<readonly BenchFigure[]> {
    const cost = DEFAULT_STATEMENT_COST;
    const scheduled = await simulate({ start: START, durationSeconds: DAY, scenario: SCENARIO, statementCost: cost, detections: true });
    const hours = baselineHours();
    const polled = await simulate({
      start: START,
      durationSeconds: hours * 3600,
      scenario: SCENARIO,
      statementCost: cost,
      pollEverySeconds: BASELINE_POLL_SECONDS,
      detections: true,
    });
    // What the detections add: the same day with the sources alone. Printed for reference, not part of the table.
    const sourcesOnly = await simulate({ start: START, durationSeconds: DAY, scenario: SCENARIO, statementCost: cost });
    // And what the daily credit budget buys at the default intervals.
    const budgeted = await simulate({
      start: START,
      durationSeconds: DAY,
      scenario: SCENARIO,
      statementCost: cost,
      creditBudgetDaily: BUDGET,
      detections: true,
    });
    for (const [name, result] of [['scheduled', scheduled], ['every 60 s', polled], ['sources only', sourcesOnly], ['budget', budgeted]] as const) {
      if (result.failures.length > 0) throw new Error(`${name}: sources failed: ${result.failures.slice(0, 5).join(', ')}`);
    }
    const day = perDay(scheduled, DAY);
    const base = perDay(polled, hours * 3600);
    const sourcesOnlyDay = perDay(sourcesOnly, DAY);
    const budgetedDay = perDay(budgeted, DAY);

    console.log(
      `statement cost model: ${cost.baseMs} ms + ${cost.perRowMs} ms per row; sources and SQL detections: ${scheduled.sourceIds.join(', ')}; ` +
        `scenario: ${SCENARIO.users} users, ${SCENARIO.queriesPerDay} queries/day`,
    );
    console.log(
      `scheduled: 24 h simulated, ${scheduled.cycles.length} cycles, ${scheduled.emulator.statements} statements ` +
        `(${scheduled.emulator.warehouseStatements} on the warehouse), ${scheduled.delivered} records delivered, ${scheduled.wallSeconds.toFixed(0)} s wall`,
    );
    console.log(
      `every 60 s: ${hours === 24 ? '24 h simulated' : `${hours} h simulated, SCALED to 24 h (x${(24 / hours).toFixed(1)})`}, ` +
        `${polled.cycles.length} cycles, ${polled.emulator.resumes} resumes, ${polled.emulator.awakeSeconds.toFixed(0)} s awake in the window, ` +
        `${polled.wallSeconds.toFixed(0)} s wall`,
    );
    console.log(
      `sources only, no detections: ${sourcesOnly.cycles.length} cycles, ${sourcesOnly.emulator.statements} statements, ` +
        `${sourcesOnlyDay.resumes.toFixed(0)} resumes, ${sourcesOnlyDay.awakeSeconds.toFixed(0)} s awake, ${sourcesOnlyDay.credits.toFixed(3)} credits per day`,
    );
    const deferred = Object.entries(budgeted.deferred).map(([id, runs]) => `${id} ${runs}`).join(', ') || 'none';
    console.log(
      `default intervals with creditBudget.daily = ${BUDGET}: ${budgetedDay.resumes.toFixed(0)} resumes, ${budgetedDay.awakeSeconds.toFixed(0)} s awake, ` +
        `${budgetedDay.credits.toFixed(3)} credits per day (estimate ${budgetedDay.estimatedCredits.toFixed(3)}); runs deferred: ${deferred}`,
    );
    printEstimateComparison([
      ['scheduled (defaults: sources + detections)', day],
      ['sources only', sourcesOnlyDay],
      [`creditBudget.daily = ${BUDGET}`, budgetedDay],
      [`every 60 s${hours === 24 ? '' : ' (scaled)'}`, base],
    ]);

    const baselineName = `every 60 s${hours === 24 ? '' : `, ${hours} h scaled`}`;
    return [
      { name: 'warehouse resumes per day', unit: 'resumes', value: day.resumes, baselineName, baseline: base.resumes },
      { name: 'warehouse awake seconds per day', unit: 's', value: day.awakeSeconds, baselineName, baseline: base.awakeSeconds },
      { name: 'credits per day (emulator model)', unit: 'credits', value: day.credits, baselineName, baseline: base.credits },
      { name: 'statements per day', unit: 'statements', value: day.statements, baselineName, baseline: base.statements },
    ];
  },
};

export default benchmark;
