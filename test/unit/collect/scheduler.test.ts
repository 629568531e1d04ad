// The scheduler on a manual clock: batching of due sources into one burst, never two cycles of one account at once,
// jitter, unavailable sources retried rarely, the budget across a restart, and accounts isolated from each other.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUDGET_NAMESPACE } from '../../../src/collect/budget.ts';
import { Scheduler, type ScheduledAccount, type SchedulerOptions } from '../../../src/collect/scheduler.ts';
import { SnowflakeQueryError } from '../../../src/snowflake/sqlapi/index.ts';
import {
  bareContext,
  clockTime,
  hangsUntilAborted,
  ManualClock,
  MemoryStateStore,
  MINUTE,
  RecordingObserver,
  T0,
  takes,
  TestSource,
  testAccount,
} from './helpers.ts';

function entry(clock: ManualClock, sources: TestSource[], extra = '', name = 'prod'): ScheduledAccount {
  return { account: testAccount(name, extra), sources, contextFactory: bareContext, snowflakeTime: clockTime(clock) };
}

function scheduler(
  clock: ManualClock,
  accounts: ScheduledAccount[],
  more: Partial<SchedulerOptions> & { store?: MemoryStateStore } = {},
) {
  const observer = new RecordingObserver();
  const store: MemoryStateStore = more.store ?? new MemoryStateStore();
  const instance = new Scheduler({ accounts, observer, store, clock, random: () => 0, ...more });
  return { scheduler: instance, observer, store };
}

const minutesOf = (source: TestSource): number[] => source.runs.map((run) => (run.at - T0) / MINUTE);

describe('Scheduler', () => {
  test('sources are batched: 30m/60m/60m run at 0 (all), 30m (one), 60m (all) and the warehouse resumes once per cycle', async () => {
    const clock = new ManualClock();
    const fast = new TestSource('query_history', clock, { behaviour: takes(clock, 2 * MINUTE) });
    const slowA = new TestSource('users', clock, { behaviour: takes(clock, 1 * MINUTE) });
    const slowB = new TestSource('grants', clock, { behaviour: takes(clock, 3 * MINUTE) });
    const { scheduler: s, store } = scheduler(clock, [
      entry(clock, [fast, slowA, slowB], 'intervals: { query_history: 30m, users: 1h, grants: 1h }\njitter: 0s'),
    ]);
    s.start();
    await clock.advance(65 * MINUTE);
    await s.stop();
    assert.deepEqual(minutesOf(fast), [0, 30, 60]);
    assert.deepEqual(minutesOf(slowA), [0, 60]);
    assert.deepEqual(minutesOf(slowB), [0, 60]);
    const status = s.status('prod');
    assert.equal(status.cycles, 3);
    // One resume per cycle: three bursts, not five source runs.
    assert.equal(status.warehouseResumes, 3);
    assert.deepEqual(store.cycles.map((cycle) => (cycle.startedAt.getTime() - T0) / MINUTE), [0, 30, 60]);
    // Cycle at 0: 3 min busy + 60 s tail = 240 s; at 30: 2 min + 60 s = 180 s; at 60: 240 s.
    assert.deepEqual(store.cycles.map((cycle) => Math.round(cycle.estimatedCredits * 3600)), [240, 180, 240]);
  });

  test('a source due within the batching window of another joins its cycle; one due later waits', async () => {
    const clock = new ManualClock();
    const a = new TestSource('query_history', clock);
    const b = new TestSource('users', clock);
    const { scheduler: s } = scheduler(clock, [entry(clock, [a, b], 'intervals: { query_history: 30m, users: 1h }\njitter: 0s')]);
    s.start();
    await clock.advance(0);
    // Both ran at 0. Next due: a at 30m, b at 60m; b is not within the window of a's cycle at 30m.
    assert.equal(s.nextRunAt('prod')?.getTime(), T0 + 30 * MINUTE);
    await clock.advance(30 * MINUTE);
    assert.deepEqual(minutesOf(a), [0, 30]);
    assert.deepEqual(minutesOf(b), [0]);
    await s.stop();
  });

  test('a source due a little after another (within 10% of the shortest interval) rides along in its cycle', async () => {
    const clock = new ManualClock();
    const users = new TestSource('users', clock);
    const grants = new TestSource('grants', clock);
    const { scheduler: s } = scheduler(clock, [entry(clock, [users, grants], 'intervals: { users: 1h, grants: 62m }\njitter: 0s')]);
    s.start();
    await clock.advance(125 * MINUTE);
    await s.stop();
    // grants is due at 62 and 124 min: both times within the 6-minute window of the users cycle, so one burst each.
    assert.deepEqual(minutesOf(users), [0, 60, 120]);
    assert.deepEqual(minutesOf(grants), [0, 60, 120]);
    assert.equal(s.status('prod').warehouseResumes, 3);
  });

  test('a cycle that outlasts the interval is never overlapped: the missed slot is skipped and counted', async () => {
    const clock = new ManualClock();
    // Takes 90 minutes; interval 1 h; deadline raised so the cycle is allowed to run that long.
    const slow = new TestSource('query_history', clock, { behaviour: takes(clock, 90 * MINUTE) });
    const { scheduler: s } = scheduler(clock, [entry(clock, [slow], 'intervals: { query_history: 1h }\ncycleDeadline: 3h\njitter: 0s')]);
    s.start();
    await clock.advance(0);
    // An explicit run while the cycle runs is refused too.
    assert.deepEqual(await s.runOnce('prod'), { ran: false, reason: 'overlap' });
    await clock.advance(4 * 60 * MINUTE);
    await s.stop();
    assert.equal(slow.maxActive, 1);
    // 0 -> 90 min (the 60 min slot passed while running: skipped), next at 120 -> 210 (180 skipped), 240.
    assert.deepEqual(minutesOf(slow), [0, 120, 240]);
    assert.equal(s.status('prod').overlapSkips, 3); // the refused runOnce + two slots
  });

  test('the deadline aborts a hanging source inside the scheduler and the account carries on', async () => {
    const clock = new ManualClock();
    const hanging = new TestSource('query_history', clock, { behaviour: hangsUntilAborted });
    const { scheduler: s, observer } = scheduler(clock, [entry(clock, [hanging], 'intervals: { query_history: 30m }\ncycleDeadline: 5m\njitter: 0s')], {
      failedRetrySeconds: 600,
    });
    s.start();
    await clock.advance(5 * MINUTE);
    assert.equal(hanging.runs[0]?.context.signal.aborted, true);
    assert.deepEqual(observer.of('failed').map((call) => call.kind), ['timeout']);
    // A failed source is retried sooner than a full interval: 10 minutes after the cycle ended.
    assert.equal(s.nextRunAt('prod')?.getTime(), T0 + 15 * MINUTE);
    await clock.advance(10 * MINUTE);
    assert.equal(hanging.runs.length, 2);
    await s.stop();
  });

  test('jitter delays each account\'s first cycle by a random phase within [0, jitter]', () => {
    const clock = new ManualClock();
    const draws = [0, 0.5, 0.999999];
    const accounts = ['a', 'b', 'c'].map((name) => entry(clock, [new TestSource('users', clock)], 'jitter: 2m', name));
    const { scheduler: s } = scheduler(clock, accounts, { random: () => draws.shift() ?? 0 });
    s.start();
    const offsets = ['a', 'b', 'c'].map((name) => ((s.nextRunAt(name)?.getTime() ?? Number.NaN) - T0) / 1000);
    void s.stop();
    assert.deepEqual(offsets.slice(0, 2), [0, 60]);
    assert.ok((offsets[2] ?? Number.NaN) < 120 && (offsets[2] ?? Number.NaN) > 119, `got ${offsets[2]}`);
  });

  test('with the default random draw, jitter stays within bounds', () => {
    const clock = new ManualClock();
    const accounts = Array.from({ length: 20 }, (_, i) => entry(clock, [new TestSource('users', clock)], 'jitter: 30s', `acct${i}`));
    const s = new Scheduler({ accounts, observer: new RecordingObserver(), store: new MemoryStateStore(), clock });
    s.start();
    for (let i = 0; i < 20; i++) {
      const offset = (s.nextRunAt(`acct${i}`)?.getTime() ?? Number.NaN) - T0;
      assert.ok(offset >= 0 && offset <= 30_000, `offset ${offset}`);
    }
    void s.stop();
  });

  test('an unavailable source is skipped and asked again only after the slow retry period', async () => {
    const clock = new ManualClock();
    const missing = new TestSource('trust_center', clock, {
      behaviour: () => Promise.reject(new SnowflakeQueryError('does not exist or not authorized', { snowflakeCode: '002003' })),
    });
    const fine = new TestSource('users', clock);
    const { scheduler: s, observer } = scheduler(clock, [entry(clock, [missing, fine], 'intervals: { trust_center: 1h, users: 1h }\njitter: 0s')]);
    s.start();
    await clock.advance(5 * 60 * MINUTE);
    assert.deepEqual(s.status('prod').unavailable, ['trust_center']);
    assert.deepEqual(minutesOf(missing), [0]);
    assert.deepEqual(minutesOf(fine), [0, 60, 120, 180, 240, 300]);
    await clock.advance(60 * MINUTE);
    assert.deepEqual(minutesOf(missing), [0, 360]);
    assert.equal(observer.of('skipped').filter((call) => call.reason === 'unavailable').length, 2);
    assert.deepEqual(observer.of('failed'), []);
    // Granted in the meantime: it recovers and returns to its own interval.
    missing.behaviour = () => Promise.resolve({ rows: 0, delivered: 0 });
    await clock.advance(6 * 60 * MINUTE);
    assert.deepEqual(s.status('prod').unavailable, []);
    await clock.advance(60 * MINUTE);
    assert.deepEqual(minutesOf(missing).slice(-2), [720, 780]);
    await s.stop();
  });

  test('the budget defers non-critical sources, and a restart on the same store still knows today\'s spend', async () => {
    const clock = new ManualClock();
    const store = new MemoryStateStore();
    // X-Small: 36 minutes of warehouse time is 0.6 credits; a 0.5 budget is exhausted by the first cycle.
    const config = 'intervals: { query_history: 1h, users: 1h }\ncreditBudget: { daily: 0.5 }\ncycleDeadline: 1h\njitter: 0s';
    const scan = new TestSource('query_history', clock, { behaviour: takes(clock, 35 * MINUTE) });
    const posture = new TestSource('users', clock, { critical: true });
    const first = scheduler(clock, [entry(clock, [scan, posture], config)], { store });
    first.scheduler.start();
    await clock.advance(61 * MINUTE);
    await first.scheduler.stop();
    assert.deepEqual(minutesOf(scan), [0]);
    assert.deepEqual(minutesOf(posture), [0, 60]);
    assert.deepEqual(first.observer.of('skipped').map((call) => [call.source, call.reason]), [['query_history', 'budget']]);
    assert.ok(first.observer.of('budget').some((call) => call.exhausted && call.budget === 0.5));
    assert.ok(store.getValue(BUDGET_NAMESPACE, 'prod') !== undefined);

    // Restart (a new scheduler, same store): the scan stays deferred today.
    const scan2 = new TestSource('query_history', clock);
    const restarted = scheduler(clock, [entry(clock, [scan2, new TestSource('users', clock, { critical: true })], config)], { store });
    restarted.scheduler.start();
    await clock.advance(0);
    assert.equal(scan2.runs.length, 0);
    assert.deepEqual(restarted.observer.of('skipped').map((call) => call.reason), ['budget']);
    await restarted.scheduler.stop();

    // The next UTC day the budget is fresh.
    const tomorrow = new ManualClock(Date.UTC(2026, 10, 27, 0, 5));
    const scan3 = new TestSource('query_history', tomorrow);
    const nextDay = scheduler(tomorrow, [entry(tomorrow, [scan3], config)], { store });
    nextDay.scheduler.start();
    await tomorrow.advance(0);
    assert.equal(scan3.runs.length, 1);
    await nextDay.scheduler.stop();
  });

  test('one account failing or hanging never affects another', async () => {
    const clock = new ManualClock();
    const stuck = new TestSource('query_history', clock, { behaviour: hangsUntilAborted });
    const healthy = new TestSource('query_history', clock);
    const down = entry(clock, [stuck], 'intervals: { query_history: 30m }\njitter: 0s', 'broken');
    const { scheduler: s, observer } = scheduler(clock, [
      down,
      entry(clock, [healthy], 'intervals: { query_history: 30m }\njitter: 0s', 'fine'),
      { ...entry(clock, [new TestSource('users', clock)], 'jitter: 0s', 'unreachable'), snowflakeTime: () => Promise.reject(new Error('ECONNREFUSED')) },
    ]);
    s.start();
    await clock.advance(90 * MINUTE);
    assert.deepEqual(minutesOf(healthy), [0, 30, 60, 90]);
    assert.ok(observer.of('up').some((call) => call.account === 'unreachable' && !call.up));
    assert.ok(observer.of('up').every((call) => call.account !== 'fine' || call.up));
    assert.equal(await s.stop(), true);
  });

  test('stop() aborts running cycles and waits for them; the cycle is recorded as cancelled', async () => {
    const clock = new ManualClock();
    const hanging = new TestSource('query_history', clock, { behaviour: hangsUntilAborted });
    const { scheduler: s, store } = scheduler(clock, [entry(clock, [hanging], 'jitter: 0s')]);
    s.start();
    await clock.advance(MINUTE);
    assert.equal(s.status('prod').running, true);
    assert.equal(await s.stop(), true);
    assert.equal(hanging.runs[0]?.context.signal.aborted, true);
    assert.deepEqual(store.cycles.map((cycle) => cycle.outcome), ['cancelled']);
    assert.equal(s.status('prod').running, false);
  });

  test('stop(signal) gives up waiting when the signal aborts first', async () => {
    const clock = new ManualClock();
    const stubborn = new TestSource('query_history', clock, { behaviour: () => new Promise(() => undefined) });
    const { scheduler: s } = scheduler(clock, [entry(clock, [stubborn], 'jitter: 0s')], { abandonAfterMs: 60_000 });
    s.start();
    await clock.advance(MINUTE);
    const give = new AbortController();
    const stopping = s.stop(give.signal);
    give.abort();
    assert.equal(await stopping, false);
    // The stubborn source is abandoned by its cycle after the grace period, so the loop still ends.
    await clock.advance(60_000);
    assert.equal(await s.stop(), true);
  });

  test('runOnce runs every source of the account now and schedules the next runs from it', async () => {
    const clock = new ManualClock();
    const a = new TestSource('query_history', clock);
    const b = new TestSource('users', clock);
    const { scheduler: s } = scheduler(clock, [entry(clock, [a, b], 'intervals: { query_history: 30m, users: 1h }')]);
    assert.equal(s.nextRunAt('prod'), undefined);
    const result = await s.runOnce('prod');
    assert.ok(result.ran);
    assert.equal(result.report.outcome, 'ok');
    assert.equal(a.runs.length + b.runs.length, 2);
    assert.equal(s.nextRunAt('prod')?.getTime(), T0 + 30 * MINUTE);
    assert.throws(() => s.nextRunAt('nope'), RangeError);
  });

  test('configuration mistakes in the wiring are refused at construction', () => {
    const clock = new ManualClock();
    const source = new TestSource('users', clock);
    assert.throws(() => scheduler(clock, [entry(clock, [source, source])]), /listed twice/);
    assert.throws(() => scheduler(clock, [entry(clock, [source]), entry(clock, [source])]), /scheduled twice/);
  });
});
