// Wire encoding and rowType, checked against real answers: recording 026 ("every type"), 023 (rowType keys), 018,
// 030 (float specials) and 034 (variants). The same row is built in the emulator and compared string by string.
// DuckDB keeps microseconds, so TIME and TIMESTAMP values end in 000 where Snowflake has nanosecond digits.

import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { after, before, describe, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { encodeEpochMicros, encodeReal, encodeScaledInteger, encodeTimestampTz, prettyVariant } from '../../../emulator/engine/encode.ts';
import { run, testEngine } from './helpers.ts';

interface Recorded {
  resultSetMetaData: { rowType: Record<string, unknown>[] };
  data: (string | null)[][];
}

function recording(number: string): Recorded {
  const dir = new URL('../../fixtures/snowflake-recordings/', import.meta.url);
  const file = readFileSync(new URL(`snowflake-${number}-post--api-v2-statements.json`, dir), 'utf8');
  const exchange = JSON.parse(file) as { response: { body: string } };
  return JSON.parse(exchange.response.body) as Recorded;
}

/** Nanosecond digits Snowflake has and DuckDB (microseconds) cannot: the last three become 000. */
const toMicros = (text: string): string => text.replace(/(\.\d{6})\d{3}/, '$1000');

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine();
});
after(async () => {
  await engine.close();
});

describe('recording 026: every type', () => {
  const recorded = recording('026');
  const sql = `SELECT 12345678901234567890123456789012345678::NUMBER(38,0) AS i, 12345678.91::NUMBER(10,2) AS n, 1.5::FLOAT AS f, 'héllo' AS s,
      'DEADBEEF'::BINARY AS b, TRUE AS bo, '2026-10-09'::DATE AS d, '12:34:56.123456789'::TIME AS tm,
      '2026-10-09 12:34:56.123456789'::TIMESTAMP_NTZ AS tn, '2026-10-09 12:34:56.123456789 +0700'::TIMESTAMP_LTZ AS tl,
      PARSE_JSON('{"a":1}') AS v, OBJECT_CONSTRUCT('k','v') AS o, ARRAY_CONSTRUCT(1,'x',NULL) AS a
    UNION ALL SELECT NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL, NULL`;
  // Columns 0-9 and 11-13 of the recording (timestamp_tz and the geo types have no DuckDB counterpart; see below).
  const columns = [0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 11, 12, 13];

  test('values encode exactly as recorded', async () => {
    const answer = await run(engine, sql);
    const expected = columns.map((c) => recorded.data[0]![c]!);
    assert.deepEqual(answer.rows[0], expected.map(toMicros));
    assert.deepEqual(answer.rows[1], columns.map(() => null));
  });

  test('rowType types, precision and scale match', async () => {
    const answer = await run(engine, sql);
    const pick = (f: Record<string, unknown>): unknown[] => [f.name, f.type, f.precision, f.scale];
    assert.deepEqual(answer.rowType.map((f) => pick(f as unknown as Record<string, unknown>)), columns.map((c) => pick(recorded.resultSetMetaData.rowType[c]!)));
  });

  test('TIMESTAMP_TZ text: epoch with 9 decimals and offset + 1440', () => {
    const micros = BigInt(Date.parse('2026-10-09T05:34:56.123Z')) * 1000n + 456n;
    assert.equal(encodeTimestampTz(micros, 7 * 60), toMicros(recorded.data[0]![10]!));
  });
});

test('rowType entries carry every key real answers carry (recording 023)', async () => {
  const recorded = recording('023');
  const answer = await run(engine, `SELECT 1 AS i`);
  assert.deepEqual(Object.keys(answer.rowType[0]!).sort(), Object.keys(recorded.resultSetMetaData.rowType[0]!).sort());
});

test('recording 018: SELECT 1 AS a, \'x\' AS b', async () => {
  const recorded = recording('018');
  const answer = await run(engine, `SELECT 1 AS a, 'x' AS b`);
  assert.deepEqual(answer.rows, recorded.data);
  assert.deepEqual(answer.names, ['A', 'B']);
  assert.equal(answer.rowType[0]!.precision, 1, 'an integer literal is as precise as its digits');
  assert.equal(answer.rowType[0]!.scale, 0);
});

test('recording 030: float specials', async () => {
  const recorded = recording('030');
  const answer = await run(engine, `SELECT 'NaN'::FLOAT, 'inf'::FLOAT, '-inf'::FLOAT`);
  assert.deepEqual(answer.rows, recorded.data);
  assert.deepEqual(answer.rowType.map((f) => f.type), ['real', 'real', 'real']);
});

test('recording 034: variants of each kind', async () => {
  const recorded = recording('034');
  const answer = await run(engine, `SELECT PARSE_JSON('1'), PARSE_JSON('"s"'), PARSE_JSON('null'), PARSE_JSON('[1,{"a":2}]'), PARSE_JSON('{"a":[1,2]}')`);
  assert.deepEqual(answer.rows, recorded.data);
  assert.deepEqual(answer.names, recorded.resultSetMetaData.rowType.map((f) => f.name));
});

describe('view columns report Snowflake types', () => {
  test('NUMBER, TEXT, TIMESTAMP_LTZ, BOOLEAN, VARIANT, ARRAY, OBJECT, FLOAT', async () => {
    const users = await run(engine, `SELECT user_id, name, created_on, has_mfa, disabled FROM SNOWFLAKE.ACCOUNT_USAGE.USERS`);
    assert.deepEqual(users.rowType.map((f) => [f.type, f.precision, f.scale, f.length, f.byteLength]), [
      ['fixed', 38, 0, null, null],
      ['text', null, null, 16777216, 67108864],
      ['timestamp_ltz', 0, 9, null, null],
      ['boolean', null, null, null, null],
      ['variant', null, null, null, null],
    ]);
    const access = await run(engine, `SELECT direct_objects_accessed, object_modified_by_ddl FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY`);
    assert.deepEqual(access.rowType.map((f) => f.type), ['array', 'object']);
    const counts = await run(engine, `SELECT COUNT(*), SUM(bytes_scanned), AVG(credits_used_cloud_services) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY`);
    assert.deepEqual(counts.rowType.map((f) => [f.type, f.precision, f.scale]), [['fixed', 18, 0], ['fixed', 38, 0], ['real', null, null]]);
  });

  test('a NUMBER beyond 2^53 stays exact through insert and read', async () => {
    await engine.insertRows('QUERY_HISTORY', [{ QUERY_ID: 'big', END_TIME: '2026-10-09T00:00:00Z', BYTES_SCANNED: 123456789012345678901234567890n }]);
    const answer = await run(engine, `SELECT bytes_scanned, bytes_scanned + 1 FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE query_id = 'big'`);
    assert.deepEqual(answer.rows, [['123456789012345678901234567890', '123456789012345678901234567891']]);
  });
});

describe('encoders', () => {
  test('scaled integers keep their scale digits', () => {
    assert.equal(encodeScaledInteger(125000n, 4), '12.5000');
    assert.equal(encodeScaledInteger(-5n, 2), '-0.05');
    assert.equal(encodeScaledInteger(42n, 0), '42');
  });
  test('epoch text before and after 1970', () => {
    assert.equal(encodeEpochMicros(1_500_000n), '1.500000000');
    assert.equal(encodeEpochMicros(-1_500_000n), '-1.500000000');
    assert.equal(encodeEpochMicros(0n), '0.000000000');
  });
  test('reals', () => {
    assert.deepEqual([NaN, Infinity, -Infinity, 1.5, 0.1].map(encodeReal), ['NaN', 'inf', '-inf', '1.5', '0.1']);
  });
  test('variants: 2-space indent, ": ", sorted keys, undefined for null elements, null scalar', () => {
    assert.equal(prettyVariant({ b: 1, a: [null, 'x'] }), '{\n  "a": [\n    undefined,\n    "x"\n  ],\n  "b": 1\n}');
    assert.equal(prettyVariant(null), 'null');
    assert.equal(prettyVariant([]), '[]');
    assert.equal(prettyVariant({}), '{}');
  });
});
