// The cost claims of the collection engine, judged by the emulator's warehouse model over a few simulated hours at
// the default intervals with every source createSources builds: cycles are batched (one per distinct due time, not
// one per source), each cycle resumes the warehouse at most once, metadata-only statements never resume it, and the
// exporter's own estimate (cost.ts, reported through the observer) agrees with the emulator's bill. Structure only:
// no wall-clock timing is asserted (the figures per day are the cost benchmark's job: `npm run bench -- cost`).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { SOURCES, type SourceId } from '../../../src/collect/source-ids.ts';
import { simulate, type SimulationResult } from './simulated-day.ts';

const START = new Date('2026-11-20T00:00:00Z');
const HOUR = 3600;
const WINDOW_SECONDS = 4 * HOUR;
/** A small demo-shaped account, so streams read real rows (2 days of activity, the last 4 h inside the window). */
const SCENARIO = { users: 40, days: 2, queriesPerDay: 300 };

/** Every due time of every source in [0, window): each source on its own grid from the window's start. */
function expectedDueTimes(result: SimulationResult): number[] {
  const times = new Set<number>();
  for (const id of result.sourceIds) {
    const interval = result.account.intervalSeconds[id as SourceId];
    for (let t = 0; t < WINDOW_SECONDS; t += interval) times.add(t);
  }
  return [...times].sort((a, b) => a - b);
}

const isMetadataOnly = (text: string): boolean => /^\s*SHOW\b/i.test(text) || text.includes('CURRENT_TIMESTAMP()');

describe('collection cost on the emulator (default intervals, full source set)', () => {
  it('batches sources into one cycle per due time and wakes the warehouse at most once per cycle', async () => {
    const result = await simulate({ start: START, durationSeconds: WINDOW_SECONDS, scenario: SCENARIO });
    assert.deepEqual(result.failures, [], 'every source ran successfully on the emulator');
    assert.ok(result.delivered > 0, 'the streams read rows as the window advanced');

    // The account runs on the documented defaults: nothing polls faster than its view's default interval.
    for (const id of result.sourceIds) {
      assert.equal(result.account.intervalSeconds[id as SourceId], SOURCES[id as SourceId].defaultIntervalSeconds, id);
    }

    // Batching: one cycle per distinct due time (the union of the sources' grids), not one per source run.
    const due = expectedDueTimes(result);
    assert.deepEqual(
      result.cycles.map((cycle) => (cycle.at.getTime() - START.getTime()) / 1000),
      due,
      'cycles ran exactly at the union of the sources’ due times',
    );
    for (const id of result.sourceIds) {
      const interval = result.account.intervalSeconds[id as SourceId];
      assert.equal(result.sourceRuns[id], Math.ceil(WINDOW_SECONDS / interval), `${id} ran once per interval`);
    }
    const sourceRuns = Object.values(result.sourceRuns).reduce((sum, runs) => sum + runs, 0);
    assert.ok(result.cycles.length < sourceRuns / 2, 'sources share cycles');

    // One resume per cycle at most; with 30 minutes between cycles the warehouse has suspended in between, so every
    // cycle that scanned a view paid exactly one resume.
    for (const cycle of result.cycles) {
      assert.equal(cycle.outcome, 'ok');
      assert.ok(cycle.resumes <= 1, `cycle at ${cycle.at.toISOString()} resumed ${cycle.resumes} times`);
      assert.equal(cycle.resumes, cycle.warehouseStatements > 0 ? 1 : 0);
    }
    assert.equal(result.emulator.resumes, result.cycles.length);

    // Metadata-only statements (the clock read, SHOW ...) ran without the warehouse and never resumed it.
    const metadata = result.log.filter((entry) => isMetadataOnly(entry.text));
    assert.ok(metadata.some((entry) => entry.text.includes('CURRENT_TIMESTAMP()')), 'the clock was read');
    assert.ok(metadata.some((entry) => /^\s*SHOW\b/i.test(entry.text)), 'SHOW commands ran');
    for (const entry of metadata) {
      assert.equal(entry.usedWarehouse, false, entry.text);
      assert.equal(entry.resumed, false, entry.text);
    }
    assert.ok(result.log.every((entry) => !entry.resumed || entry.usedWarehouse), 'only warehouse statements resume');
    // The log holds every statement of this window (it keeps the last 1,000), so the checks above saw all of them.
    assert.equal(result.log.length, result.emulator.statements);

    // The exporter's own accounting agrees with the emulator's model. Statements and resumes must match exactly.
    // Credits within a factor of 1.25 either way: both apply the same rule (max(60 s, burst + AUTO_SUSPEND) per
    // resume), but the exporter measures the burst on the scheduler's clock, which stands still during a simulated
    // cycle, while the emulator adds each statement's modelled duration (2 s + 1 ms per row here). That difference is
    // a few seconds on a bill of at least 60 s per cycle; a larger gap means one side lost a rule.
    assert.equal(result.estimate.statements, result.emulator.statements);
    assert.equal(result.estimate.resumes, result.emulator.resumes);
    const ratio = result.estimate.credits / result.emulator.credits;
    assert.ok(ratio >= 1 / 1.25 && ratio <= 1.25, `estimate / emulator credits = ${ratio.toFixed(3)}`);
    assert.ok(result.emulator.awakeSeconds >= 60 * result.emulator.resumes, 'each resume bills at least 60 s');
  });

  it('never wakes the warehouse when only metadata sources are due', async () => {
    const result = await simulate({
      start: START,
      durationSeconds: 3 * HOUR,
      enabled: ['parameters'],
    });
    assert.deepEqual(result.failures, []);
    assert.equal(result.cycles.length, 3, 'hourly sources, three hours');
    assert.ok(result.emulator.statements >= 3 * 2, 'clock read + SHOW PARAMETERS each cycle');
    assert.equal(result.emulator.warehouseStatements, 0);
    assert.equal(result.emulator.resumes, 0);
    assert.equal(result.emulator.credits, 0);
    assert.equal(result.estimate.resumes, 0);
    assert.equal(result.estimate.credits, 0);
  });

  it('the outbound share posture reads ACCOUNT_USAGE.SHARES (SHOW SHARES is partial): one wake-up per cycle, counted', async () => {
    const result = await simulate({
      start: START,
      durationSeconds: 3 * HOUR,
      enabled: ['outbound_shares', 'parameters'],
    });
    assert.deepEqual(result.failures, []);
    assert.equal(result.cycles.length, 3);
    for (const cycle of result.cycles) assert.equal(cycle.resumes, 1, `cycle at ${cycle.at.toISOString()}`);
    // The estimate knows the source needs the warehouse, so it bills what the emulator billed.
    assert.equal(result.estimate.resumes, result.emulator.resumes);
  });

  it('with the whole detection catalog: the SQL detections join the sources\' cycles, so the warehouse still wakes once per cycle', async () => {
    const plain = await simulate({ start: START, durationSeconds: WINDOW_SECONDS, scenario: SCENARIO });
    const result = await simulate({ start: START, durationSeconds: WINDOW_SECONDS, scenario: SCENARIO, detections: true });
    assert.deepEqual(result.failures, [], 'every source and every SQL detection ran successfully on the emulator');
    const detectionSources = result.sourceIds.filter((id) => !(id in SOURCES));
    assert.ok(detectionSources.length >= 20, `${detectionSources.length} SQL detections scheduled`);
    for (const id of detectionSources) assert.ok((result.sourceRuns[id] ?? 0) >= Math.floor(WINDOW_SECONDS / (6 * HOUR)) + 1, `${id} ran`);
    // Same due times, so the same cycles and the same resumes: the detections add statements, not wake-ups.
    assert.deepEqual(result.cycles.map((cycle) => cycle.at.getTime()), plain.cycles.map((cycle) => cycle.at.getTime()));
    assert.equal(result.emulator.resumes, plain.emulator.resumes);
    for (const cycle of result.cycles) assert.ok(cycle.resumes <= 1, `cycle at ${cycle.at.toISOString()} resumed ${cycle.resumes} times`);
    assert.ok(result.emulator.statements > plain.emulator.statements);
    // Detections are aggregates that return only finding rows; the bursts grow by their durations only.
    assert.ok(result.emulator.credits < plain.emulator.credits * 1.5, `credits ${result.emulator.credits} vs ${plain.emulator.credits} without detections`);
  });
});
