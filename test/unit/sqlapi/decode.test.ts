import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import {
  createRowDecoder,
  replaceUndefinedTokens,
  ResponseDecodeError,
  rowToObject,
  SnowflakeTime,
  SnowflakeTimestamp,
  type ColumnMeta,
  type DecodedRow,
} from '../../../src/snowflake/sqlapi/index.ts';
import { checkResultSet } from '../../../src/snowflake/sqlapi/envelope.ts';
import { loadRecording, responseJson } from '../../helpers/snowflake-recordings.ts';

function decodeRecording(number: number): { columns: readonly ColumnMeta[]; rows: DecodedRow[] } {
  const envelope = checkResultSet(responseJson(loadRecording(number)));
  const decoder = createRowDecoder(envelope.rowType);
  return { columns: envelope.rowType, rows: envelope.data.map((raw, index) => decoder.decode(raw, index)) };
}

function decodeOne(column: Partial<ColumnMeta> & { type: string }, value: string | null): unknown {
  const decoder = createRowDecoder([{ name: 'C', ...column }]);
  return decoder.decode([value], 0)[0];
}

function decodeError(column: Partial<ColumnMeta> & { type: string }, value: unknown): ResponseDecodeError {
  const decoder = createRowDecoder([{ name: 'SECRET_COL', ...column }]);
  try {
    decoder.decode([value], 7);
  } catch (error) {
    assert.ok(error instanceof ResponseDecodeError, `expected ResponseDecodeError, got ${String(error)}`);
    return error;
  }
  assert.fail(`decoding ${JSON.stringify(value)} as ${column.type} did not fail`);
}

describe('decoding the recorded "every type" answer (REC#026)', () => {
  const { columns, rows } = decodeRecording(26);

  test('reads the rowType as sent', () => {
    assert.deepEqual(
      columns.map((c) => `${c.name}:${c.type}`),
      ['I:fixed', 'N:fixed', 'F:real', 'S:text', 'B:binary', 'BO:boolean', 'D:date', 'TM:time', 'TN:timestamp_ntz',
        'TL:timestamp_ltz', 'TZ:timestamp_tz', 'V:variant', 'O:object', 'A:array', 'G:object', 'GM:object'],
    );
    assert.equal(columns[14]?.extTypeName, 'GEOGRAPHY');
    assert.equal(rows.length, 2);
  });

  test('every value of the first row', () => {
    const row = rows[0];
    assert.ok(row !== undefined);
    const [i, n, f, s, b, bo, d, tm, tn, tl, tz, v, o, a, g, gm] = row;
    assert.equal(i, 12345678901234567890123456789012345678n, 'NUMBER(38,0) beyond 2^53 is an exact bigint');
    assert.equal(n, '12345678.91', 'NUMBER(10,2) keeps its digits as text');
    assert.equal(f, 1.5);
    assert.equal(s, 'héllo');
    assert.ok(Buffer.isBuffer(b));
    assert.equal(b.toString('hex'), 'deadbeef');
    assert.equal(bo, true);
    assert.equal(d, '2026-10-09');
    assert.ok(tm instanceof SnowflakeTime);
    assert.equal(tm.secondsOfDay, 45296);
    assert.equal(tm.nanos, 123456789);
    assert.equal(tm.toString(), '12:34:56.123456789');
    assert.ok(tn instanceof SnowflakeTimestamp);
    assert.equal(tn.kind, 'ntz');
    assert.equal(tn.toISOString(), '2026-10-09T12:34:56.123456789');
    assert.equal(tn.epochNanos, 1791549296123456789n);
    assert.ok(tl instanceof SnowflakeTimestamp);
    assert.equal(tl.kind, 'ltz');
    assert.equal(tl.toISOString(), '2026-10-09T05:34:56.123456789Z');
    assert.equal(tl.toDate().toISOString(), '2026-10-09T05:34:56.123Z');
    assert.ok(tz instanceof SnowflakeTimestamp);
    assert.equal(tz.offsetMinutes, 420, 'wire 1860 - 1440 = +07:00');
    assert.equal(tz.epochNanos, 1791524096123456789n, 'the same instant as the LTZ value');
    assert.equal(tz.toISOString(), '2026-10-09T12:34:56.123456789+07:00');
    assert.deepEqual(v, { a: 1 });
    assert.deepEqual(o, { k: 'v' });
    assert.deepEqual(a, [1, 'x', null], 'the array element written `undefined` is SQL NULL');
    assert.deepEqual(g, { coordinates: [1, 2], type: 'Point' });
    assert.deepEqual(gm, { coordinates: [3, 4], type: 'Point' });
  });

  test('the row of NULLs decodes to nulls in every type', () => {
    assert.deepEqual(rows[1], new Array(16).fill(null));
  });
});

test('REC#030: float NaN, inf and -inf', () => {
  const { rows } = decodeRecording(30);
  assert.deepEqual(rows, [[Number.NaN, Number.POSITIVE_INFINITY, Number.NEGATIVE_INFINITY]]);
});

test('REC#034: variant scalars, JSON null, nested array and object', () => {
  const { rows } = decodeRecording(34);
  assert.deepEqual(rows, [[1, 's', null, [1, { a: 2 }], { a: [1, 2] }]]);
});

test('REC#023: a result with no rows still has its full rowType', () => {
  const { columns, rows } = decodeRecording(23);
  assert.equal(columns.length, 16);
  assert.deepEqual(rows, []);
});

test('REC#018 and REC#091: small fixed columns are plain numbers', () => {
  assert.deepEqual(decodeRecording(18).rows, [[1, 'x']]);
  assert.deepEqual(decodeRecording(91).rows, [[2]]);
});

describe('fixed', () => {
  const int = { type: 'fixed', scale: 0, precision: 38 };
  test('safe integers are numbers, anything beyond is an exact bigint', () => {
    assert.equal(decodeOne(int, '9007199254740991'), 9007199254740991);
    assert.equal(decodeOne(int, '-9007199254740991'), -9007199254740991);
    assert.equal(decodeOne(int, '9007199254740993'), 9007199254740993n, '2^53+1 is not rounded to 2^53');
    assert.equal(decodeOne(int, '-9007199254740993'), -9007199254740993n);
    assert.equal(decodeOne(int, '0'), 0);
    assert.equal(decodeOne(int, '-12'), -12);
  });
  test('scale > 0 keeps the decimal text exactly as sent', () => {
    assert.equal(decodeOne({ type: 'fixed', scale: 4, precision: 10 }, '12.5000'), '12.5000');
    assert.equal(decodeOne({ type: 'fixed', scale: 9, precision: 38 }, '-0.000000001'), '-0.000000001');
  });
  test('upper-case type names (as in the docs) decode the same', () => {
    assert.equal(decodeOne({ type: 'FIXED', scale: 0 }, '7'), 7);
    assert.equal(decodeOne({ type: 'TIMESTAMP_LTZ' }, '0.000000001')?.toString(), '1970-01-01T00:00:00.000000001Z');
  });
  test('unknown scale: integers as numbers, decimals as text', () => {
    assert.equal(decodeOne({ type: 'fixed', scale: null }, '42'), 42);
    assert.equal(decodeOne({ type: 'fixed' }, '4.20'), '4.20');
  });
});

describe('time and timestamps', () => {
  test('TIMESTAMP_TZ offsets 720, 1440 and 2160 are -12:00, +00:00 and +12:00', () => {
    const at = (wire: string) => decodeOne({ type: 'timestamp_tz' }, wire) as SnowflakeTimestamp;
    const west = at('1791524096.000000000 720');
    assert.equal(west.offsetMinutes, -720);
    assert.equal(west.toISOString(), '2026-10-08T17:34:56.000000000-12:00');
    const utc = at('1791524096.5 1440');
    assert.equal(utc.offsetMinutes, 0);
    assert.equal(utc.nanos, 500000000, 'a short fraction is scaled to nanoseconds');
    assert.equal(utc.toISOString(), '2026-10-09T05:34:56.500000000+00:00');
    const east = at('1791524096.000000000 2160');
    assert.equal(east.offsetMinutes, 720);
    assert.equal(east.toISOString(), '2026-10-09T17:34:56.000000000+12:00');
    assert.equal(east.epochNanos, west.epochNanos, 'same instant whatever the offset');
  });
  test('timestamps before 1970 keep exact nanoseconds', () => {
    const ts = decodeOne({ type: 'timestamp_ltz' }, '-1.500000000') as SnowflakeTimestamp;
    assert.equal(ts.epochSeconds, -2);
    assert.equal(ts.nanos, 500000000);
    assert.equal(ts.epochNanos, -1500000000n);
    assert.equal(ts.toISOString(), '1969-12-31T23:59:58.500000000Z');
    assert.equal(ts.toDate().getTime(), -1500);
  });
  test('CURRENT_TIMESTAMP-shaped values and whole seconds', () => {
    const ts = decodeOne({ type: 'timestamp_ltz' }, '1791499232.043000000') as SnowflakeTimestamp;
    assert.equal(ts.toDate().toISOString(), '2026-10-08T22:40:32.043Z');
    assert.equal(JSON.stringify({ ts }), '{"ts":"2026-10-08T22:40:32.043000000Z"}');
    assert.equal((decodeOne({ type: 'timestamp_ntz' }, '86400') as SnowflakeTimestamp).toISOString(), '1970-01-02T00:00:00.000000000');
  });
  test('TIME of day and DATE day counts', () => {
    assert.equal(String(decodeOne({ type: 'time' }, '0.000000000')), '00:00:00.000000000');
    assert.equal(String(decodeOne({ type: 'time' }, '86399.999999999')), '23:59:59.999999999');
    assert.equal(decodeOne({ type: 'date' }, '-25567'), '1900-01-01');
    assert.equal(decodeOne({ type: 'date' }, '0'), '1970-01-01');
  });
});

describe('variant, object, array', () => {
  test('`undefined` array elements become null, the word inside strings is untouched', () => {
    const wire = '[\n  "undefined",\n  undefined,\n  "say \\"undefined\\" twice",\n  {\n    "undefined": [undefined]\n  }\n]';
    assert.deepEqual(decodeOne({ type: 'array' }, wire), ['undefined', null, 'say "undefined" twice', { undefined: [null] }]);
    assert.equal(replaceUndefinedTokens('{"a": "undefined"}'), '{"a": "undefined"}');
    assert.equal(replaceUndefinedTokens('[undefined,undefined]'), '[null,null]');
  });
  test('JSON null inside a variant is null, scalars decode to their JSON value', () => {
    assert.equal(decodeOne({ type: 'variant' }, 'null'), null);
    assert.equal(decodeOne({ type: 'variant' }, 'true'), true);
    assert.equal(decodeOne({ type: 'variant' }, '"x"'), 'x');
  });
});

describe('other types', () => {
  test('binary hex in either case, and empty', () => {
    assert.deepEqual(decodeOne({ type: 'binary' }, 'DEADbeef'), Buffer.from([0xde, 0xad, 0xbe, 0xef]));
    assert.deepEqual(decodeOne({ type: 'binary' }, ''), Buffer.alloc(0));
  });
  test('boolean and text', () => {
    assert.equal(decodeOne({ type: 'boolean' }, 'false'), false);
    assert.equal(decodeOne({ type: 'boolean' }, 'TRUE'), true);
    assert.equal(decodeOne({ type: 'text' }, ''), '');
  });
  test('real values in ordinary notation', () => {
    assert.equal(decodeOne({ type: 'real' }, '-1.25e-3'), -0.00125);
    assert.equal(decodeOne({ type: 'real' }, '3'), 3);
  });
  test('unknown types pass through as text', () => {
    assert.equal(decodeOne({ type: 'vector' }, '[1.000000,2.000000]'), '[1.000000,2.000000]');
  });
  test('SQL NULL is null in every type', () => {
    for (const type of ['fixed', 'real', 'text', 'binary', 'boolean', 'date', 'time', 'timestamp_tz', 'variant']) {
      assert.equal(decodeOne({ type, scale: 0 }, null), null, type);
    }
  });
});

describe('bad values are typed errors naming the column and row, never the whole value', () => {
  const cases: Array<[string, Partial<ColumnMeta> & { type: string }, unknown]> = [
    ['non-numeric fixed', { type: 'fixed', scale: 0 }, 'abc'],
    ['decimal in an integer column', { type: 'fixed', scale: 0 }, '1.5'],
    ['non-numeric decimal', { type: 'fixed', scale: 2 }, '1,5'],
    ['empty real', { type: 'real' }, ''],
    ['word real', { type: 'real' }, 'infinite'],
    ['boolean', { type: 'boolean' }, 'yes'],
    ['date text', { type: 'date' }, '2026-10-09'],
    ['timestamp text', { type: 'timestamp_ltz' }, '2026-10-09 12:34:56'],
    ['too many fraction digits', { type: 'timestamp_ntz' }, '1.1234567890'],
    ['timestamp_tz without offset', { type: 'timestamp_tz' }, '1791524096.123456789'],
    ['timestamp_tz offset beyond a day', { type: 'timestamp_tz' }, '1791524096.1 9999'],
    ['time beyond a day', { type: 'time' }, '86400.000000000'],
    ['malformed JSON', { type: 'variant' }, '{"a": '],
    ['odd-length hex', { type: 'binary' }, 'ABC'],
    ['non-hex', { type: 'binary' }, 'ZZ'],
    ['a number where a string belongs', { type: 'fixed', scale: 0 }, 12],
    ['an object where a string belongs', { type: 'text' }, { a: 1 }],
  ];
  for (const [name, column, value] of cases) {
    test(name, () => {
      const error = decodeError(column, value);
      assert.equal(error.code, 'SF_RESPONSE_DECODE');
      assert.equal(error.column, 'SECRET_COL');
      assert.equal(error.columnIndex, 0);
      assert.equal(error.rowIndex, 7);
      assert.match(error.message, /row 7: column "SECRET_COL"/);
      assert.equal(error.retryable, false);
    });
  }

  test('a long value appears only truncated', () => {
    const secret = `{"password": "${'s3cr3t'.repeat(20)}"`; // malformed JSON of a sensitive variant
    const error = decodeError({ type: 'variant' }, secret);
    assert.ok(!error.message.includes('s3cr3t'.repeat(3)), error.message);
    assert.match(error.message, /\(135 chars\)/);
  });

  test('wrong row width and non-array rows', () => {
    const decoder = createRowDecoder([{ name: 'A', type: 'text' }, { name: 'B', type: 'text' }]);
    assert.throws(() => decoder.decode(['only one'], 3), (e: unknown) => e instanceof ResponseDecodeError && /row 3: row has 1 values, rowType has 2 columns/.test(e.message));
    assert.throws(() => decoder.decode({ 0: 'a', 1: 'b' }, 4), (e: unknown) => e instanceof ResponseDecodeError && /row is not an array/.test(e.message));
    assert.throws(() => decoder.decode(null, 5), ResponseDecodeError);
  });
});

test('rowToObject keys by name and cannot be tricked by a __proto__ column', () => {
  const columns: ColumnMeta[] = [{ name: 'A', type: 'text' }, { name: '__proto__', type: 'text' }];
  const object = rowToObject(columns, ['x', 'y']);
  assert.equal(object.A, 'x');
  assert.equal(Object.getOwnPropertyDescriptor(object, '__proto__')?.value, 'y');
  assert.equal(Object.getPrototypeOf(object), Object.prototype);
});
