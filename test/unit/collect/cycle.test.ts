// One cycle: all due sources together, failures isolated and classified, unavailable views skipped, the deadline
// aborting what hangs, and the cycle's outcome, cost and up-state reported.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { DailyCreditBudget } from '../../../src/collect/budget.ts';
import { WarehouseCostModel } from '../../../src/collect/cost.ts';
import { runCycle, type CycleOptions } from '../../../src/collect/cycle.ts';
import { AuthenticationError, NetworkError, SnowflakeQueryError } from '../../../src/snowflake/sqlapi/index.ts';
import {
  bareContext,
  clockTime,
  hangsUntilAborted,
  ManualClock,
  MemoryStateStore,
  MINUTE,
  RecordingObserver,
  takes,
  TestSource,
  testAccount,
} from './helpers.ts';

function setup(extra = '') {
  const clock = new ManualClock();
  const observer = new RecordingObserver();
  const store = new MemoryStateStore();
  const account = testAccount('prod', extra);
  const base = (sources: TestSource[], more: Partial<CycleOptions> = {}): CycleOptions => ({
    account,
    sources,
    contextFactory: bareContext,
    observer,
    store,
    clock,
    snowflakeTime: clockTime(clock),
    ...more,
  });
  return { clock, observer, store, account, base };
}

describe('runCycle', () => {
  test('all due sources start together, with Snowflake\'s time and one signal', async () => {
    const { clock, observer, store, base } = setup();
    const a = new TestSource('query_history', clock, { behaviour: takes(clock, 30_000) });
    const b = new TestSource('users', clock, { behaviour: takes(clock, 10_000) });
    const snowflakeNow = new Date('2026-11-26T05:59:58Z');
    const cycle = runCycle(base([a, b], { snowflakeTime: () => Promise.resolve(snowflakeNow) }));
    await clock.advance(0);
    // Both are running before either finished: one burst.
    assert.equal(a.active + b.active, 2);
    await clock.advance(30_000);
    const report = await cycle;
    assert.equal(report.outcome, 'ok');
    assert.equal(a.runs[0]?.context.snowflakeNow, snowflakeNow);
    assert.equal(a.runs[0]?.context.signal, b.runs[0]?.context.signal);
    assert.equal(a.runs[0]?.context.signal.aborted, false);
    assert.deepEqual(observer.of('succeeded').map((call) => call.outcome.source).sort(), ['query_history', 'users']);
    assert.deepEqual(observer.of('up'), [{ type: 'up', account: 'prod', up: true }]);
    assert.deepEqual(observer.of('cycle').map((call) => [call.outcome, call.seconds]), [['ok', 30]]);
    assert.equal(store.cycles.length, 1);
    assert.equal(store.cycles[0]?.outcome, 'ok');
    assert.equal(store.cycles[0]?.rows, 20);
    // X-Small, AUTO_SUSPEND 60 s (defaults): 30 s busy + 60 s tail = 90 s.
    assert.equal(report.cost.warehouseSeconds, 90);
    assert.equal(report.cost.credits, 90 / 3600);
    assert.deepEqual(observer.of('cost').map((call) => call.cost.warehouseSeconds), [90]);
  });

  test('a failing source does not stop the others, and its failure is classified', async () => {
    const { clock, observer, store, base } = setup();
    const ok1 = new TestSource('query_history', clock, { behaviour: takes(clock, 5_000) });
    const broken = new TestSource('login_history', clock, {
      behaviour: () => Promise.reject(new NetworkError('connection reset', {})),
    });
    const throwsSync = new TestSource('grants', clock, {
      behaviour: () => {
        throw new TypeError('a bug in a source');
      },
    });
    const ok2 = new TestSource('users', clock, { behaviour: takes(clock, 8_000) });
    const cycle = runCycle(base([ok1, broken, throwsSync, ok2]));
    await clock.advance(10_000);
    const report = await cycle;
    assert.equal(report.outcome, 'partial');
    assert.deepEqual(
      report.sources.map((s) => [s.source, s.status, s.kind]),
      [
        ['query_history', 'ok', undefined],
        ['login_history', 'failed', 'network'],
        ['grants', 'failed', 'internal'],
        ['users', 'ok', undefined],
      ],
    );
    assert.deepEqual(
      observer.of('failed').map((call) => [call.source, call.kind]),
      [
        ['login_history', 'network'],
        ['grants', 'internal'],
      ],
    );
    assert.equal(observer.of('succeeded').length, 2);
    assert.match(store.cycles[0]?.detail ?? '', /failed: login_history\(network\), grants\(internal\)/);
  });

  test('a missing view (002003 / 003001) is skipped as unavailable, not counted as an error', async () => {
    const { clock, observer, base } = setup();
    const missing = new TestSource('trust_center', clock, {
      behaviour: () => Promise.reject(new SnowflakeQueryError("Schema 'SNOWFLAKE.TRUST_CENTER' does not exist or not authorized.", { snowflakeCode: '002003' })),
    });
    const denied = new TestSource('access_history', clock, {
      behaviour: () => Promise.reject(new SnowflakeQueryError('Insufficient privileges', { snowflakeCode: '003001' })),
    });
    const fine = new TestSource('users', clock);
    const report = await runCycle(base([missing, denied, fine]));
    assert.equal(report.outcome, 'ok');
    assert.deepEqual(observer.of('skipped').map((call) => [call.source, call.reason]), [
      ['trust_center', 'unavailable'],
      ['access_history', 'unavailable'],
    ]);
    assert.deepEqual(observer.of('failed'), []);
    // They compiled and failed: no warehouse time for them; `users` ran instantly (0 s + 60 s tail, 60 s minimum).
    assert.equal(report.cost.warehouseSeconds, 60);
  });

  test('the deadline aborts a hanging source: its signal is aborted, it counts as a timeout, others keep their result', async () => {
    const { clock, observer, base } = setup('cycleDeadline: 2m');
    const hanging = new TestSource('query_history', clock, { behaviour: hangsUntilAborted });
    const quick = new TestSource('users', clock, { behaviour: takes(clock, 1_000) });
    const cycle = runCycle(base([hanging, quick]));
    await clock.advance(2 * MINUTE - 1);
    assert.equal(hanging.runs[0]?.context.signal.aborted, false);
    await clock.advance(1);
    const report = await cycle;
    assert.equal(hanging.runs[0]?.context.signal.aborted, true);
    assert.equal(report.deadlineExceeded, true);
    assert.equal(report.outcome, 'partial');
    assert.deepEqual(report.sources.map((s) => [s.source, s.status, s.kind]), [
      ['query_history', 'failed', 'timeout'],
      ['users', 'ok', undefined],
    ]);
    assert.deepEqual(observer.of('failed').map((call) => [call.source, call.kind]), [['query_history', 'timeout']]);
    assert.match(report.sources[0] === undefined ? '' : JSON.stringify(report.sources[0]), /"durationSeconds":120/);
  });

  test('a source that ignores the abort is left behind after the grace period instead of stalling the account', async () => {
    const { clock, base } = setup('cycleDeadline: 1m');
    const stubborn = new TestSource('query_history', clock, { behaviour: () => new Promise(() => undefined) });
    const cycle = runCycle(base([stubborn], { abandonAfterMs: 5_000 }));
    let done = false;
    void cycle.then(() => (done = true));
    await clock.advance(MINUTE + 4_999);
    assert.equal(done, false);
    await clock.advance(1);
    const report = await cycle;
    assert.equal(report.sources[0]?.abandoned, true);
    assert.equal(report.sources[0]?.kind, 'timeout');
    assert.equal(report.outcome, 'failed');
  });

  test('stopping the exporter cancels the cycle: signals aborted, outcome cancelled, no failures counted', async () => {
    const { clock, observer, store, base } = setup();
    const hanging = new TestSource('query_history', clock, { behaviour: hangsUntilAborted });
    const stop = new AbortController();
    const cycle = runCycle(base([hanging], { signal: stop.signal }));
    await clock.advance(10_000);
    stop.abort();
    const report = await cycle;
    assert.equal(hanging.runs[0]?.context.signal.aborted, true);
    assert.equal(report.outcome, 'cancelled');
    assert.deepEqual(observer.of('failed'), []);
    assert.equal(store.cycles[0]?.outcome, 'cancelled');
  });

  test('when Snowflake\'s time cannot be read the account is down and nothing runs', async () => {
    const { clock, observer, store, base } = setup();
    const source = new TestSource('users', clock);
    const report = await runCycle(
      base([source], { snowflakeTime: () => Promise.reject(new AuthenticationError('JWT token is invalid.', { httpStatus: 401 })) }),
    );
    assert.equal(source.runs.length, 0);
    assert.equal(report.outcome, 'failed');
    assert.equal(report.up, false);
    assert.deepEqual(report.sources.map((s) => [s.source, s.status, s.kind]), [['users', 'failed', 'auth']]);
    assert.deepEqual(observer.of('up'), [{ type: 'up', account: 'prod', up: false }]);
    assert.equal(report.cost.warehouseSeconds, 0);
    assert.equal(store.cycles[0]?.outcome, 'failed');
  });

  test('every source failing on authentication marks the account down', async () => {
    const { clock, observer, base } = setup();
    const reject = () => Promise.reject(new AuthenticationError('expired', { httpStatus: 401 }));
    const report = await runCycle(base([new TestSource('users', clock, { behaviour: reject }), new TestSource('grants', clock, { behaviour: reject })]));
    assert.equal(report.outcome, 'failed');
    assert.deepEqual(observer.of('up'), [{ type: 'up', account: 'prod', up: false }]);
  });

  test('a metadata-only cycle costs 0 credits', async () => {
    const { clock, base } = setup();
    const show = new TestSource('parameters', clock, { needsWarehouse: false, behaviour: takes(clock, 3_000) });
    const cycle = runCycle(base([show]));
    await clock.advance(3_000);
    const report = await cycle;
    assert.equal(report.cost.warehouseSeconds, 0);
    assert.equal(report.cost.credits, 0);
    assert.equal(report.warehouseResumed, false);
  });

  test('the busy span runs from the first warehouse source\'s start to the last one\'s end; metadata sources do not extend it', async () => {
    const { clock, base } = setup();
    const scan = new TestSource('query_history', clock, { behaviour: takes(clock, 40_000) });
    const show = new TestSource('parameters', clock, { needsWarehouse: false, behaviour: takes(clock, 100_000) });
    const cycle = runCycle(base([scan, show]));
    await clock.advance(100_000);
    const report = await cycle;
    assert.equal(report.cost.warehouseSeconds, 100); // 40 s + 60 s AUTO_SUSPEND
  });

  test('the warehouse model carries over: a cycle right after the last one pays only the extension', async () => {
    const { clock, base, account } = setup();
    const warehouse = new WarehouseCostModel(account.warehouseCost);
    const source = new TestSource('query_history', clock, { behaviour: takes(clock, 20_000) });
    let cycle = runCycle(base([source], { warehouse }));
    await clock.advance(20_000);
    assert.equal((await cycle).cost.warehouseSeconds, 80);
    await clock.advance(30_000); // 50 s: still awake until 80 s
    cycle = runCycle(base([source], { warehouse }));
    await clock.advance(20_000);
    const second = await cycle;
    assert.equal(second.warehouseResumed, false);
    assert.equal(second.cost.warehouseSeconds, 50); // awake until 130 s, billed until 80 s
  });

  test('over budget, non-critical sources are deferred and reported; critical and metadata ones run', async () => {
    const { clock, observer, store, base } = setup('creditBudget: { daily: 0.01 }');
    const budget = new DailyCreditBudget({ account: 'prod', daily: 0.01, store });
    budget.add(0.02, new Date(clock.now()));
    const scan = new TestSource('query_history', clock);
    const posture = new TestSource('users', clock, { critical: true });
    const show = new TestSource('parameters', clock, { needsWarehouse: false });
    const report = await runCycle(base([scan, posture, show], { budget }));
    assert.equal(scan.runs.length, 0);
    assert.equal(posture.runs.length, 1);
    assert.equal(show.runs.length, 1);
    assert.deepEqual(observer.of('skipped').map((call) => [call.source, call.reason]), [['query_history', 'budget']]);
    assert.equal(report.outcome, 'ok');
    const [state] = observer.of('budget');
    assert.ok(state);
    assert.equal(state.exhausted, true);
    assert.equal(state.budget, 0.01);
    assert.equal(state.credits, 0.02 + 60 / 3600);
  });

  test('a throwing observer never breaks the cycle', async () => {
    const { clock, base } = setup();
    const observer = new RecordingObserver();
    observer.cycleFinished = () => {
      throw new Error('metrics broke');
    };
    const report = await runCycle(base([new TestSource('users', clock)], { observer }));
    assert.equal(report.outcome, 'ok');
  });
});
