// The warehouse resume model and the statement meter: numbers worked out by hand from Snowflake's billing rules.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { creditsPerHour, StatementMeter, WarehouseCostModel } from '../../../src/collect/cost.ts';
import { WAREHOUSE_SIZES } from '../../../src/config/index.ts';
import type { SqlApiEvent } from '../../../src/snowflake/sqlapi/index.ts';

const S = 1000;

describe('WarehouseCostModel', () => {
  test('a metadata-only cycle costs nothing and does not resume', () => {
    const model = new WarehouseCostModel({ size: 'X-Small', autoSuspendSeconds: 60 });
    assert.deepEqual(model.bill(undefined), { seconds: 0, credits: 0, resumed: false });
    assert.equal(model.resumes, 0);
  });

  test('a short burst on a suspended warehouse bills the 60-second minimum', () => {
    // 5 s of work with AUTO_SUSPEND 30 s: 35 s awake, but a resume bills at least 60 s.
    const model = new WarehouseCostModel({ size: 'X-Small', autoSuspendSeconds: 30 });
    const bill = model.bill({ start: 0, end: 5 * S });
    assert.equal(bill.seconds, 60);
    assert.equal(bill.resumed, true);
    assert.equal(bill.credits, 60 / 3600);
  });

  test('a long burst bills its span plus AUTO_SUSPEND, times the size', () => {
    const model = new WarehouseCostModel({ size: 'Medium', autoSuspendSeconds: 60 });
    const bill = model.bill({ start: 0, end: 120 * S });
    assert.equal(bill.seconds, 180);
    assert.equal(bill.credits, (180 / 3600) * 4);
  });

  test('a cycle starting while the warehouse is still awake pays only the extension', () => {
    const model = new WarehouseCostModel({ size: 'X-Small', autoSuspendSeconds: 300 });
    // First: 0..20 s, awake until 320 s; billed max(60, 320) = 320 s.
    assert.equal(model.bill({ start: 0, end: 20 * S }).seconds, 320);
    // Second starts at 200 s (< 320 s): still awake. Runs to 230 s, so awake until 530 s: 210 s more.
    const second = model.bill({ start: 200 * S, end: 230 * S });
    assert.equal(second.resumed, false);
    assert.equal(second.seconds, 210);
    assert.equal(model.resumes, 1);
  });

  test('the extension counts from what the 60-second minimum already paid', () => {
    const model = new WarehouseCostModel({ size: 'X-Small', autoSuspendSeconds: 10 });
    // 0..5 s: awake until 15 s, but billed until 60 s.
    assert.equal(model.bill({ start: 0, end: 5 * S }).seconds, 60);
    // Starts at 12 s (awake), ends 40 s, awake until 50 s: all inside what was paid.
    assert.equal(model.bill({ start: 12 * S, end: 40 * S }).seconds, 0);
    // Starts at 45 s (awake), ends 70 s, awake until 80 s: 20 s beyond the paid 60 s.
    assert.equal(model.bill({ start: 45 * S, end: 70 * S }).seconds, 20);
    assert.equal(model.resumes, 1);
  });

  test('a cycle after the warehouse suspended resumes again; one starting exactly at the suspend time does not', () => {
    const model = new WarehouseCostModel({ size: 'X-Small', autoSuspendSeconds: 60 });
    model.bill({ start: 0, end: 10 * S }); // awake until 70 s
    // At exactly 70 s the warehouse is still up (the emulator's model agrees): only the extension is billed.
    const boundary = model.bill({ start: 70 * S, end: 75 * S });
    assert.equal(boundary.resumed, false);
    assert.equal(boundary.seconds, 65);
    // Awake until 135 s now; a burst at 136 s finds it suspended: a new resume with the 60 s minimum.
    const later = model.bill({ start: 136 * S, end: 140 * S });
    assert.equal(later.resumed, true);
    assert.equal(later.seconds, 64);
    assert.equal(model.resumes, 2);
  });

  test('credits per hour double with each size, from 1 (X-Small) to 512 (6X-Large)', () => {
    assert.deepEqual(
      WAREHOUSE_SIZES.map((size) => creditsPerHour(size)),
      [1, 2, 4, 8, 16, 32, 64, 128, 256, 512],
    );
  });
});

describe('StatementMeter', () => {
  const request = (kind: 'submit' | 'status' | 'partition' | 'cancel', status: number | undefined): SqlApiEvent => ({
    type: 'request',
    kind,
    method: kind === 'submit' || kind === 'cancel' ? 'POST' : 'GET',
    status,
    errorCode: undefined,
    durationMs: 3,
  });

  test('counts accepted submits once, whatever was retried around them', () => {
    const meter = new StatementMeter();
    const events: SqlApiEvent[] = [
      request('submit', 429), // refused: retried
      { type: 'retry', kind: 'submit', reason: 'status', status: 429, attempt: 1, delayMs: 100 },
      request('submit', 202), // accepted: 1
      request('status', 202),
      request('status', 200),
      request('partition', 200),
      request('submit', undefined), // network failure: resubmitted
      request('submit', 200), // accepted: 2
      request('submit', 422), // ran and failed: 3
      request('submit', 401), // refused
      { type: 'cancel', statementHandle: 'h', ok: true },
    ];
    for (const event of events) meter.listener(event);
    assert.deepEqual(meter.snapshot(), { statements: 3, requests: 9 });
  });
});
