// Reliability, load: 50 accounts on one exporter process (startExporter, its own scheduler, default settings: every
// source, the whole detection catalog, hourly intervals, 30 s jitter) against the emulator for a simulated day. A
// virtual clock (test/helpers/reliability-clock.ts) jumps to the next due time whenever every account loop is parked,
// so the day runs in minutes; statements, deliveries and scrapes are all real. Each simulated hour the test reads
// /metrics and the heap after a full collection. Judged: the series count stays bounded (per-user series within
// riskScore.topUsers per account, every other label from a finite vocabulary), no account ever had cycles overlap (every due time
// was served, none skipped as overlapping), every cycle ended ok, and the heap is flat from the first hours to the
// last. The CI subset simulates 3 hours; RELIABILITY_LOAD_ACCOUNTS and RELIABILITY_LOAD_HOURS scale it further.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { SOURCE_IDS } from '../../src/collect/source-ids.ts';
import { SEVERITIES } from '../../src/config/schema.ts';
import { DEFAULTS } from '../../src/config/types.ts';
import { BUILT_IN_DETECTION_IDS } from '../../src/detect/catalog-ids.ts';
import { startExporter } from '../../src/runtime/exporter.ts';
import { parseExposition, tempDirFor } from '../helpers/exporter-harness.ts';
import { ParkedClock } from '../helpers/reliability-clock.ts';
import { fleetFor } from '../helpers/reliability-fleet.ts';
import { scaled } from '../helpers/reliability-scale.ts';

const ACCOUNTS = scaled('RELIABILITY_LOAD_ACCOUNTS', 50, 50);
/** The whole suite simulates a day; the CI subset three hours (the 50 accounts' first cycles and two more rounds). */
const HOURS = scaled('RELIABILITY_LOAD_HOURS', 3, 24);
const START = new Date('2026-11-20T00:00:00Z');
const HOUR_MS = 3_600_000;

/** A full garbage collection, so heap samples compare what is live (test-only: the exporter never does this). */
function collectGarbage(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

interface HourSample {
  readonly hour: number;
  readonly series: number;
  /** The most users any one account has series for. */
  readonly usersPerAccount: number;
  /** Label values outside the finite vocabularies (accounts, sources, detections, severities). */
  readonly strayLabels: readonly string[];
  readonly heapMb: number;
}

/** The label values a series may carry, each from a finite set the configuration and the catalog fix. */
function vocabularies(accounts: readonly string[]): ReadonlyMap<string, ReadonlySet<string>> {
  return new Map<string, ReadonlySet<string>>([
    ['account', new Set(accounts)],
    // Detections run as sources of their own, under their ids.
    ['source', new Set<string>([...SOURCE_IDS, ...BUILT_IN_DETECTION_IDS])],
    ['detection', new Set<string>(BUILT_IN_DETECTION_IDS)],
    ['severity', new Set<string>(SEVERITIES)],
  ]);
}

it(`${ACCOUNTS} accounts for ${HOURS} simulated hours: bounded series, no overlapping cycles, flat memory`, async (t) => {
  const end = START.getTime() + HOURS * HOUR_MS;
  // The demo scenario's shape, smaller per account; its activity runs through the simulated window.
  const fleet = await fleetFor(t, {
    accounts: ACCOUNTS,
    start: START,
    scenario: { users: 40, days: 2, queriesPerDay: 300 },
    scenarioEnd: new Date(end),
    clockAtScenarioEnd: false,
    concurrency: 8,
    accountOverrides: { jitterSeconds: 30 },
  });
  const clock = new ParkedClock(START, fleet.emulator.engine.clock);
  const logs: string[] = [];
  const exporter = await startExporter(fleet.config(join(tempDirFor(t, 'sre-load-'), 'state.db')), {
    clock,
    log: (level, message) => {
      if (level !== 'info') logs.push(`${level} ${message}`);
    },
  });
  t.after(() => exporter.close());
  const gc = collectGarbage();
  const names = fleet.accounts.map((account) => account.name);
  const running = (): boolean => names.some((name) => exporter.scheduler.status(name).running);

  const allowedValues = vocabularies(names);
  const samples: HourSample[] = [];
  const sample = async (hour: number): Promise<void> => {
    const text = await (await fetch(new URL('/metrics', exporter.url))).text();
    const parsed = parseExposition(text);
    const users = new Map<string, Set<string>>();
    const strayLabels = new Set<string>();
    for (const series of parsed) {
      for (const [label, allowed] of allowedValues) {
        const value = series.labels[label];
        if (value !== undefined && !allowed.has(value)) strayLabels.add(`${series.name}{${label}="${value}"}`);
      }
      const { account, user } = series.labels;
      if (account !== undefined && user !== undefined) users.set(account, (users.get(account) ?? new Set()).add(user));
    }
    gc();
    samples.push({
      hour,
      series: parsed.length,
      usersPerAccount: Math.max(0, ...[...users.values()].map((set) => set.size)),
      strayLabels: [...strayLabels],
      heapMb: process.memoryUsage().heapUsed / 1024 / 1024,
    });
  };
  let nextSample = START.getTime() + HOUR_MS;
  const wallStart = performance.now();
  for (;;) {
    // Parked: every account's loop asleep, no cycle running.
    while (running() || clock.sleeping < names.length) await clock.nextSleep();
    while (clock.now() >= nextSample) {
      await sample(Math.round((nextSample - START.getTime()) / HOUR_MS));
      nextSample += HOUR_MS;
    }
    const next = clock.earliest() ?? end;
    if (next >= end) break;
    clock.advanceTo(Math.min(next, nextSample));
  }
  if ((samples.at(-1)?.hour ?? 0) < HOURS) await sample(HOURS);
  const wallSeconds = (performance.now() - wallStart) / 1000;

  // No overlaps, every cycle ok, every hour served.
  const statuses = names.map((name) => exporter.scheduler.status(name));
  assert.deepEqual(statuses.filter((status) => status.overlapSkips > 0).map((status) => status.account), [], 'no cycle overlapped another of its account');
  const outcomes = new Map<string, number>();
  const text = await (await fetch(new URL('/metrics', exporter.url))).text();
  for (const s of parseExposition(text)) if (s.name === 'snowflake_risk_cycles_total' && s.value > 0) outcomes.set(s.labels.outcome ?? '', (outcomes.get(s.labels.outcome ?? '') ?? 0) + s.value);
  assert.deepEqual([...outcomes.keys()], ['ok'], `cycle outcomes: ${JSON.stringify(Object.fromEntries(outcomes))}; ${logs.slice(-5).join('\n')}`);
  const cycles = statuses.map((status) => status.cycles);
  assert.ok(Math.min(...cycles) >= HOURS, `every account ran each simulated hour (cycles per account ${Math.min(...cycles)} to ${Math.max(...cycles)})`);

  // Bounded series. The count grows through the day as incidents surface (a detection's first finding adds its
  // series, users enter the top-N drill-down), so it is judged by what bounds it: users, the one dimension the data
  // could grow without end, stay within riskScore.topUsers per account, and every other label takes its values
  // from a finite vocabulary (the configured accounts, the sources, the detection catalog, the severities).
  assert.ok(samples.length >= 3, 'hourly samples');
  const topUsers = fleet.accounts[0]?.riskScore?.topUsers ?? DEFAULTS.riskScore.topUsers;
  const byHour = samples.map((s) => `${s.hour}h ${s.series} (${s.usersPerAccount} users)`).join(', ');
  assert.ok(topUsers > 0 && samples.every((s) => s.usersPerAccount <= topUsers), `more than ${topUsers} users per account: ${byHour}`);
  assert.deepEqual([...new Set(samples.flatMap((s) => s.strayLabels))], [], 'label values outside their vocabularies');
  const first = samples[0];
  const last = samples.at(-1);
  assert.ok(first !== undefined && last !== undefined);
  // Flat memory: the live heap at the end is within 10% (plus 5 MB of noise) of where it stood after the first hours.
  const early = samples.find((s) => s.hour >= Math.min(4, HOURS - 1)) ?? first;
  assert.ok(last.heapMb <= early.heapMb * 1.1 + 5, `heap grew from ${early.heapMb.toFixed(1)} MB (hour ${early.hour}) to ${last.heapMb.toFixed(1)} MB (hour ${last.hour})`);
  assert.deepEqual(logs.filter((line) => line.startsWith('error')), [], 'nothing logged as an error');

  t.diagnostic(
    `${ACCOUNTS} accounts, ${HOURS} h simulated in ${wallSeconds.toFixed(0)} s; cycles per account ${Math.min(...cycles)}-${Math.max(...cycles)}; ` +
      `series by hour ${byHour}; heap MB by hour ${samples.map((s) => s.heapMb.toFixed(0)).join(' ')}`,
  );
});
