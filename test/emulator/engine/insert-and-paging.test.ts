// Bulk loading through insertRows (sync and async iterables, value conversion, unknown columns) and paging a large
// materialised result. 100,000 rows here keeps the test quick; the 1,000,000-row figure belongs to bench/emulator.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { EmulatorInputError } from '../../../emulator/engine/index.ts';
import { parseTimestampMicros } from '../../../emulator/engine/insert.ts';
import { request, rows, testEngine } from './helpers.ts';

const N = 100_000;
const BASE = Date.parse('2026-10-01T00:00:00Z');

async function* queryHistory(count: number): AsyncGenerator<Record<string, unknown>> {
  for (let i = 0; i < count; i++) {
    // An asynchronous source, like a file being read: give the event loop a turn now and then.
    if (i % 10_000 === 0) await new Promise((resolve) => setImmediate(resolve));
    yield {
      QUERY_ID: `q${String(i).padStart(6, '0')}`,
      QUERY_TEXT: `select * from t${i % 100} where x = ${i}`,
      USER_NAME: `USER${i % 50}`,
      START_TIME: new Date(BASE + (count - i) * 1000),
      END_TIME: new Date(BASE + (count - i) * 1000 + 500).toISOString(),
      BYTES_SCANNED: i,
      CREDITS_USED_CLOUD_SERVICES: i / 1000,
      IS_CLIENT_GENERATED_STATEMENT: i % 2 === 0,
    };
  }
}

test(`${N} QUERY_HISTORY rows load and page back in order without loss`, async () => {
  const engine = await testEngine();
  try {
    assert.equal(await engine.insertRows('QUERY_HISTORY', queryHistory(N)), N);
    const result = await engine.execute(request('SELECT query_id, end_time, bytes_scanned FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY ORDER BY end_time'));
    assert.equal(result.rowCount, N);
    let previous = -Infinity;
    let seen = 0;
    for (let offset = 0; offset < result.rowCount; offset += 10_000) {
      const page = await result.readRows(offset, 10_000);
      assert.equal(page.length, Math.min(10_000, N - offset));
      for (const row of page) {
        const endTime = Number(row[1]);
        assert.ok(endTime > previous, 'ordered by END_TIME');
        previous = endTime;
        seen++;
      }
    }
    assert.equal(seen, N);
    const [first] = await result.readRows(0, 1);
    assert.deepEqual(first, [`q${String(N - 1).padStart(6, '0')}`, `${(BASE + 1000) / 1000}.500000000`, String(N - 1)]);
    assert.deepEqual(await result.readRows(N, 10), [], 'reading past the end gives no rows');
    await result.release();
    await assert.rejects(result.readRows(0, 1));
  } finally {
    await engine.close();
  }
});

test('insertRows converts JS values: bigint, booleans, Date and ISO text with offsets, objects for VARIANT', async () => {
  const engine = await testEngine();
  try {
    await engine.insertRows('SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY', [
      { event_id: 1n, EVENT_TIMESTAMP: '2026-10-09T13:00:00.123456+02:00', IS_SUCCESS: 'YES', ERROR_CODE: undefined },
    ]);
    const found = await rows(engine, 'SELECT event_id, event_timestamp, error_code FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY');
    assert.deepEqual(found, [['1', `${Date.parse('2026-10-09T11:00:00Z') / 1000}.123456000`, null]]);
    // An object for a VARIANT column (ACCESS_HISTORY.ADDITIONAL_PROPERTIES) is stored as that JSON value.
    await engine.insertRows('ACCESS_HISTORY', [{ QUERY_ID: 'q1', QUERY_START_TIME: '2026-10-09T11:00:00Z', ADDITIONAL_PROPERTIES: { risk: 'HIGH', ips: ['1.2.3.4'] } }]);
    const variant = await rows(engine, 'SELECT additional_properties:risk::STRING, additional_properties:ips[0]::STRING FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY');
    assert.deepEqual(variant, [['HIGH', '1.2.3.4']]);
  } finally {
    await engine.close();
  }
});

test('an unknown view or column, or a value of the wrong kind, is an EmulatorInputError', async () => {
  const engine = await testEngine();
  try {
    await assert.rejects(engine.insertRows('NO_SUCH_VIEW', []), (e: unknown) => e instanceof EmulatorInputError && e.code === 'UNKNOWN_VIEW');
    await assert.rejects(engine.insertRows('USERS', [{ NAME: 'A', NO_SUCH_COLUMN: 1 }]), (e: unknown) => e instanceof EmulatorInputError && e.code === 'UNKNOWN_COLUMN');
    await assert.rejects(engine.insertRows('USERS', [{ CREATED_ON: 'not a time' }]), (e: unknown) => e instanceof EmulatorInputError && e.code === 'INVALID_VALUE');
    await assert.rejects(engine.insertRows('ACCESS_HISTORY', [{ OBJECTS_MODIFIED: { not: 'an array' } }]), (e: unknown) => e instanceof EmulatorInputError && e.code === 'INVALID_VALUE');
    assert.equal(await engine.insertRows('USERS', [{ NAME: 'OK' }]), 1, 'the engine still loads after a rejected batch');
  } finally {
    await engine.close();
  }
});

test('ISO-8601 parsing keeps microseconds and honours offsets', () => {
  assert.equal(parseTimestampMicros('2026-10-09T12:00:00Z'), BigInt(Date.parse('2026-10-09T12:00:00Z')) * 1000n);
  assert.equal(parseTimestampMicros('2026-10-09 14:00:00.000001+0200'), BigInt(Date.parse('2026-10-09T12:00:00Z')) * 1000n + 1n);
  assert.equal(parseTimestampMicros('2026-10-09'), BigInt(Date.parse('2026-10-09T00:00:00Z')) * 1000n);
  assert.equal(parseTimestampMicros('yesterday'), undefined);
});
