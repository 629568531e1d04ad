// Bindings of every SQL API type (values as in recordings 037-054), placeholders ?, :1 and :name, and the errors for
// unsupported, invalid and missing bindings.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import type { Binding } from '../../../emulator/engine/types.ts';
import { run, rows, testEngine } from './helpers.ts';

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine();
});
after(async () => {
  await engine.close();
});

const one = (type: string, value: Binding['value']): Record<string, Binding> => ({ '1': { type, value } });

const cases: [string, Binding['value'], string | null, string][] = [
  ['FIXED', '42', '42', 'fixed'],
  ['FIXED', '-12.50', '-12.50', 'fixed'],
  ['FIXED', '12345678901234567890123456789012345678', '12345678901234567890123456789012345678', 'fixed'],
  ['REAL', '1.5', '1.5', 'real'],
  ['TEXT', 'hé', 'hé', 'text'],
  ['BOOLEAN', 'true', 'true', 'boolean'],
  ['DATE', '1791504000000', '20735', 'date'],
  ['TIME', '45296123456789', '45296.123456000', 'time'],
  ['TIMESTAMP_NTZ', '1791549296123456789', '1791549296.123456000', 'timestamp_ntz'],
  ['TIMESTAMP_LTZ', '1791549296123456789', '1791549296.123456000', 'timestamp_ltz'],
  ['TIMESTAMP_TZ', '1791549296123456789 1860', '1791549296.123456000', 'timestamp_ltz'],
  ['BINARY', 'DEADBEEF', 'DEADBEEF', 'binary'],
  ['TEXT', null, null, 'text'],
];

for (const [type, value, expected, wire] of cases) {
  test(`a ${type} binding of ${JSON.stringify(value)}`, async () => {
    const answer = await run(engine, 'SELECT ?', { bindings: one(type, value) });
    assert.deepEqual(answer.rows, [[expected]]);
    assert.equal(answer.rowType[0]!.type, wire);
  });
}

test('a numbered placeholder used twice, a named placeholder, and ? in order', async () => {
  assert.deepEqual(await rows(engine, 'SELECT :1, :1', { bindings: one('FIXED', '7') }), [['7', '7']]);
  assert.deepEqual(await rows(engine, 'SELECT :a', { bindings: { a: { type: 'FIXED', value: '7' } } }), [['7']]);
  assert.deepEqual(await rows(engine, 'SELECT ?, ?', { bindings: { '1': { type: 'TEXT', value: 'first' }, '2': { type: 'TEXT', value: 'second' } } }), [['first', 'second']]);
});

test('bound values are data, never SQL', async () => {
  const hostile = "x' OR '1'='1";
  assert.deepEqual(await rows(engine, 'SELECT ? AS v', { bindings: one('TEXT', hostile) }), [[hostile]]);
});

test('bindings filter view rows', async () => {
  await engine.insertRows('LOGIN_HISTORY', [
    { EVENT_ID: 1, USER_NAME: 'ALICE', EVENT_TIMESTAMP: '2026-10-09T10:00:00Z' },
    { EVENT_ID: 2, USER_NAME: 'BOB', EVENT_TIMESTAMP: '2026-10-09T11:00:00Z' },
  ]);
  const since = String(BigInt(Date.parse('2026-10-09T10:30:00Z')) * 1_000_000n);
  const found = await rows(engine, 'SELECT event_id FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE event_timestamp >= ? AND user_name <> ?', {
    bindings: { '1': { type: 'TIMESTAMP_LTZ', value: since }, '2': { type: 'TEXT', value: 'MONITOR' } },
  });
  assert.deepEqual(found, [['2']]);
});

async function expectBindingError(bindings: Record<string, Binding>, statement: string, code: string): Promise<void> {
  await assert.rejects(rows(engine, statement, { bindings }), (error: unknown) => {
    assert.ok(error instanceof SnowflakeStatementError, String(error));
    assert.equal(error.code, code, error.message);
    assert.equal(error.httpStatus, 422);
    return true;
  });
}

test('a VARIANT binding is refused with 002040', async () => {
  await expectBindingError(one('VARIANT', '{"a":1}'), 'SELECT ?', '002040');
});

test('a value that does not fit its type is 002086', async () => {
  await expectBindingError(one('FIXED', 'abc'), 'SELECT ?', '002086');
  await expectBindingError(one('BOOLEAN', 'maybe'), 'SELECT ?', '002086');
  await expectBindingError(one('DATE', 'yesterday'), 'SELECT ?', '002086');
  await expectBindingError(one('BINARY', 'XYZ'), 'SELECT ?', '002086');
});

test('a placeholder without a binding is 002049', async () => {
  await expectBindingError(one('FIXED', '1'), 'SELECT ?, ?', '002049');
  await expectBindingError({}, 'SELECT :name', '002049');
});

test('an array binding is refused with 002099', async () => {
  await expectBindingError(one('FIXED', ['1', '2']), 'SELECT ?', '002099');
});
