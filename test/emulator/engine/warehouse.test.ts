// The warehouse cost model on the virtual clock. statementCost {baseMs: 0} makes statement durations zero so that
// the figures are exact: a burst at T0 keeps an AUTO_SUSPEND 60 warehouse awake for exactly 60 s.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { EngineOptions } from '../../../emulator/engine/index.ts';
import { rows, testEngine } from './helpers.ts';
import { WarehouseModel } from '../../../emulator/engine/warehouse.ts';

const SCAN = 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY';
const exact: EngineOptions = { statementCost: { baseMs: 0 } };

test('a burst of 5 statements resumes the warehouse once; a statement after AUTO_SUSPEND resumes it again', async () => {
  const engine = await testEngine(exact);
  try {
    for (let i = 0; i < 5; i++) await rows(engine, SCAN, { parameters: { QUERY_TAG: `cycle-1` } });
    let report = engine.warehouseReport();
    assert.equal(report.resumes, 1);
    assert.equal(report.warehouseStatements, 5);
    assert.deepEqual(report.log.map((e) => e.resumed), [true, false, false, false, false]);
    engine.clock.advance(30_000);
    await rows(engine, SCAN);
    assert.equal(engine.warehouseReport().resumes, 1, 'still awake 30 s later');
    engine.clock.advance(91_000);
    await rows(engine, SCAN);
    report = engine.warehouseReport();
    assert.equal(report.resumes, 2, 'suspended after AUTO_SUSPEND, resumed by the next statement');
    // Period 1: T0 .. T0+30 s (last statement) + 60 s = 90 s; period 2: 60 s. X-Small = 1 credit per hour.
    assert.equal(report.awakeSeconds, 150);
    assert.equal(report.credits, 150 / 3600);
    assert.equal(report.byWarehouse.COMPUTE_WH!.statements, 7);
    assert.equal(report.byWarehouse.COMPUTE_WH!.state, 'STARTED');
    engine.clock.advance(61_000);
    assert.equal(engine.warehouseReport().byWarehouse.COMPUTE_WH!.state, 'SUSPENDED');
  } finally {
    await engine.close();
  }
});

test('metadata-only statements never resume the warehouse', async () => {
  const engine = await testEngine(exact);
  try {
    await rows(engine, 'SELECT 1');
    await rows(engine, 'SELECT CURRENT_TIMESTAMP(), CURRENT_VERSION(), CURRENT_USER()');
    await rows(engine, 'SHOW SHARES');
    await rows(engine, 'SHOW PARAMETERS IN ACCOUNT');
    await rows(engine, "SELECT SYSTEM$WAIT(1, 'MILLISECONDS')");
    await rows(engine, "SELECT PARSE_JSON('[1]')[0], x FROM (SELECT 1 AS x)");
    const report = engine.warehouseReport();
    assert.equal(report.statements, 6);
    assert.equal(report.warehouseStatements, 0);
    assert.equal(report.resumes, 0);
    assert.equal(report.credits, 0);
    assert.ok(report.log.every((e) => !e.usedWarehouse && !e.resumed));
  } finally {
    await engine.close();
  }
});

test('credits = billed seconds / 3600 x the size rate, with 60 s minimum per resume', async () => {
  const engine = await testEngine({ ...exact, warehouses: { SMALL_WH: { size: 'Small', autoSuspendSeconds: 0 }, MEDIUM_WH: { size: 'Medium', autoSuspendSeconds: 300 } } });
  try {
    await rows(engine, SCAN, { warehouse: 'small_wh' });
    await rows(engine, SCAN, { warehouse: 'MEDIUM_WH' });
    engine.clock.advance(200_000);
    await rows(engine, SCAN, { warehouse: 'MEDIUM_WH' });
    const report = engine.warehouseReport();
    const small = report.byWarehouse.SMALL_WH!;
    assert.deepEqual([small.resumes, small.awakeSeconds, small.billedSeconds, small.credits], [1, 0, 60, (60 / 3600) * 2]);
    const medium = report.byWarehouse.MEDIUM_WH!;
    assert.deepEqual([medium.resumes, medium.awakeSeconds, medium.billedSeconds, medium.credits], [1, 500, 500, (500 / 3600) * 4]);
    assert.equal(report.credits, small.credits + medium.credits);
  } finally {
    await engine.close();
  }
});

test('statement durations from a per-row cost keep the warehouse awake longer', async () => {
  const engine = await testEngine({ statementCost: { baseMs: 1000, perRowMs: 0 } });
  try {
    await rows(engine, SCAN);
    const report = engine.warehouseReport();
    assert.equal(report.awakeSeconds, 61);
    assert.equal(report.log[0]!.endTime, new Date(engine.clock.now().getTime() + 1000).toISOString());
  } finally {
    await engine.close();
  }
});

test('the statement log records user, role, warehouse, rows, query tag and failures, and stays bounded', async () => {
  const engine = await testEngine(exact);
  try {
    await rows(engine, SCAN, { parameters: { QUERY_TAG: 'exporter:cycle-7' } });
    await assert.rejects(rows(engine, 'SELEC 1'));
    const [ok, failed] = engine.warehouseReport().log;
    assert.deepEqual(
      [ok!.user, ok!.role, ok!.warehouse, ok!.rows, ok!.queryTag, ok!.resumed, ok!.usedWarehouse, ok!.errorCode],
      ['TESTER', 'MONITOR', 'COMPUTE_WH', 1, 'exporter:cycle-7', true, true, null],
    );
    assert.equal(failed!.errorCode, '001003');
    assert.equal(ok!.startTime, engine.clock.now().toISOString());
  } finally {
    await engine.close();
  }
  const model = new WarehouseModel({});
  for (let i = 0; i < 1005; i++) {
    model.record({ text: `s${i}`, user: 'U', role: 'R', warehouse: null, queryTag: null, rows: 0, resumed: false, usedWarehouse: false, startTime: '', endTime: '', errorCode: null });
  }
  const report = model.report(new Date());
  assert.equal(report.statements, 1005);
  assert.equal(report.log.length, 1000);
  assert.equal(report.log[0]!.text, 's5');
});

test('long statement texts are truncated in the log', async () => {
  const engine = await testEngine(exact);
  try {
    await rows(engine, `SELECT '${'x'.repeat(500)}'`);
    assert.ok(engine.warehouseReport().log[0]!.text.length <= 200);
  } finally {
    await engine.close();
  }
});

test('a statement with bindings that scans a view resumes the warehouse like any other scan', async () => {
  // DuckDB cannot list the tables of SQL with $1 placeholders; the engine must still see the scan (a bound window
  // query is what the exporter sends every cycle, so missing it would make every cost figure zero).
  const engine = await testEngine(exact);
  try {
    await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE START_TIME >= ? AND USER_NAME <> ?', {
      bindings: { '1': { type: 'TIMESTAMP_LTZ', value: '1700000000000000000' }, '2': { type: 'TEXT', value: 'X' } },
    });
    const report = engine.warehouseReport();
    assert.equal(report.warehouseStatements, 1);
    assert.equal(report.resumes, 1);
    assert.equal(report.log[0]?.usedWarehouse, true);
  } finally {
    await engine.close();
  }
});

test('statements beyond maxConcurrency queue: a burst of 6 two-second statements on 2 slots keeps the warehouse up 6 s longer', async () => {
  const engine = await testEngine({ statementCost: { baseMs: 2000 }, warehouses: { COMPUTE_WH: { size: 'X-Small', autoSuspendSeconds: 60, maxConcurrency: 2 } } });
  try {
    // The virtual clock stands still: all six are submitted at T0, as a cycle's burst is.
    await Promise.all(Array.from({ length: 6 }, () => rows(engine, SCAN)));
    const report = engine.warehouseReport();
    assert.equal(report.resumes, 1);
    // Three waves of 2 s on two slots: the last ends at T0 + 6 s, then AUTO_SUSPEND 60 s.
    assert.equal(report.awakeSeconds, 66);
    const starts = report.log.map((entry) => Date.parse(entry.startTime) - Date.parse(report.log[0]!.startTime)).sort((a, b) => a - b);
    assert.deepEqual(starts, [0, 0, 2000, 2000, 4000, 4000]);
  } finally {
    await engine.close();
  }
});

test('place() picks the slot that frees first and never starts before the request', () => {
  const model = new WarehouseModel({ WH: { maxConcurrency: 2 } });
  const t0 = new Date('2026-01-01T00:00:00Z');
  const at = (ms: number): Date => new Date(t0.getTime() + ms);
  assert.deepEqual(model.place('WH', t0, 5000), { start: t0, end: at(5000) });
  assert.deepEqual(model.place('WH', t0, 1000), { start: t0, end: at(1000) });
  assert.deepEqual(model.place('WH', t0, 1000), { start: at(1000), end: at(2000) });
  assert.deepEqual(model.place('WH', at(60_000), 1000), { start: at(60_000), end: at(61_000) }, 'free slots do not pull a later request earlier');
  assert.throws(() => new WarehouseModel({ WH: { maxConcurrency: 0 } }), /maxConcurrency must be a whole number >= 1/);
});
