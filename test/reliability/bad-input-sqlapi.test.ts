// Reliability, bad input from Snowflake: the real SQL API client (test/helpers/sqlapi-harness.ts: a recording HTTP
// server answers, a fake clock makes retries instant) is fed hundreds of seeded mutations of valid answers: bodies cut
// short, wrong JSON types in the envelope and in row values, huge numbers and strings, unexpected fields, partition
// counts that disagree with partitionInfo, garbage instead of gzip. Each statement must end in decoded rows or one
// typed SqlApiError (a stable `code` and a message), never another exception, a hang or a crash, and no error may
// carry the bearer token.
import assert from 'node:assert/strict';
import { gzipSync } from 'node:zlib';
import { describe, it } from 'node:test';
import { SqlApiError, type ColumnMeta } from '../../src/snowflake/sqlapi/index.ts';
import { harness } from '../helpers/sqlapi-harness.ts';
import { column, syntheticResult } from '../helpers/sqlapi-results.ts';
import { scaled } from '../helpers/reliability-scale.ts';
import { seeded } from '../helpers/seeded-random.ts';

const CASES = scaled('RELIABILITY_FUZZ_CASES', 300, 3000);
const HANDLE = '01c7aa00-0001-ac43-0000-d07900024c6a';

const ROW_TYPE: ColumnMeta[] = [
  column('QUERY_ID', 'text'),
  column('ROWS_PRODUCED', 'fixed'),
  column('CREDITS', 'fixed', { scale: 9, precision: 38 }),
  column('START_TIME', 'timestamp_ltz', { scale: 9 }),
  column('SESSION_START', 'timestamp_ntz', { scale: 9 }),
  column('IS_SUCCESS', 'boolean'),
  column('TAGS', 'variant'),
  column('DAY', 'date'),
  column('RATIO', 'real'),
];

function validRows(count: number): (string | null)[][] {
  return Array.from({ length: count }, (_, i) => [
    `q-${i}`,
    String(i * 7),
    `0.${String(i).padStart(9, '0')}`,
    `${1791499232 + i}.123000000`,
    `${1791499232 + i}.000000000`,
    i % 2 === 0 ? 'true' : 'false',
    i % 3 === 0 ? null : `{"team":"risk","n":${i}}`,
    String(20_000 + i),
    String(i / 3),
  ]);
}

/** Values that have no business in a JSON answer of the SQL API, or sit at the edge of what it may carry. */
const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1e308,
  Number.MAX_SAFE_INTEGER,
  '',
  ' ',
  'NaN',
  '-inf',
  '1e999',
  '9'.repeat(400),
  `${'9'.repeat(30)}.${'9'.repeat(30)}`,
  '99999999999999999999.000000000',
  '-99999999999999.5',
  'x'.repeat(100_000),
  '\u0000\u0001\u001f',
  '\ud800',
  '{"unterminated": ',
  [],
  [[[[[]]]]],
  {},
  { data: [] },
  { nested: { deeper: { deepest: 'x' } } },
];

type Mutation = (body: Record<string, unknown>, random: () => number) => string | Buffer;

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)] as T;
}

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  'cut short': (body, random) => {
    const text = JSON.stringify(body);
    return text.slice(0, Math.floor(random() * text.length));
  },
  'envelope field of the wrong type': (body, random) => {
    const meta = body.resultSetMetaData as Record<string, unknown>;
    const target = pick(['numRows', 'format', 'partitionInfo', 'rowType', 'data', 'statementHandle', 'code', 'createdOn'], random);
    if (target in meta) meta[target] = pick(ODD_VALUES, random);
    else body[target] = pick(ODD_VALUES, random);
    return JSON.stringify(body);
  },
  'row value of the wrong type or size': (body, random) => {
    const data = body.data as unknown[][];
    const row = data[Math.floor(random() * data.length)];
    if (row !== undefined) row[Math.floor(random() * row.length)] = pick(ODD_VALUES, random);
    return JSON.stringify(body);
  },
  'row of the wrong shape': (body, random) => {
    const data = body.data as unknown[];
    data[Math.floor(random() * data.length)] = pick([[], ['only-one'], Array.from({ length: 50 }, () => 'x'), 'a row', 42, null, {}], random);
    return JSON.stringify(body);
  },
  'column metadata of the wrong type': (body, random) => {
    const rowType = (body.resultSetMetaData as { rowType: Record<string, unknown>[] }).rowType;
    const columnMeta = rowType[Math.floor(random() * rowType.length)];
    if (columnMeta !== undefined) columnMeta[pick(['type', 'scale', 'name', 'precision', 'nullable'], random)] = pick([...ODD_VALUES, 'geography', 'vector', 'unknown_type'], random);
    return JSON.stringify(body);
  },
  // Fields a later version of the API may add: tolerated (the answer still decodes).
  'unexpected fields': (body, random) => {
    body[`x_${Math.floor(random() * 1000)}`] = pick(ODD_VALUES, random);
    (body.resultSetMetaData as Record<string, unknown>).futureField = { version: 3 };
    const rowType = (body.resultSetMetaData as { rowType: Record<string, unknown>[] }).rowType;
    for (const columnMeta of rowType) columnMeta.collation = pick(ODD_VALUES, random);
    return JSON.stringify(body);
  },
  'rows longer than the columns': (body) => {
    (body.data as unknown[][]).forEach((row) => row.push('an extra value'));
    return JSON.stringify(body);
  },
  'partition counts that disagree': (body, random) => {
    const meta = body.resultSetMetaData as { numRows: number; partitionInfo: { rowCount: number }[] };
    const info = meta.partitionInfo[0];
    if (info !== undefined) info.rowCount += pick([-1, 1, 1000, -1000], random);
    if (random() < 0.5) meta.numRows = meta.numRows * 2 + 1;
    return JSON.stringify(body);
  },
  'not JSON at all': (_body, random) => pick(['<html><body>502 Bad Gateway</body></html>', '', 'null', '[]', '"text"', '\u0000'.repeat(64), 'x'.repeat(5000)], random),
  'garbage claiming gzip': (body) => Buffer.concat([gzipSync(JSON.stringify(body)).subarray(0, 20), Buffer.from('not gzip at all')]),
};

describe('the SQL API client on bad answers', () => {
  it(`${CASES} seeded mutations: decoded rows or one typed SqlApiError, never a crash or a leaked token`, async (t) => {
    const random = seeded(0xbad_5a1);
    const names = Object.keys(MUTATIONS);
    let answer: { body: string | Buffer; gzip: boolean } = { body: '', gzip: false };
    const h = await harness(t, () => {
      const body = answer.body;
      const headers: Record<string, string> = { 'content-type': 'application/json' };
      if (answer.gzip) headers['content-encoding'] = 'gzip';
      return { status: 200, headers, body };
    });
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const name = names[i % names.length] ?? '';
      const mutate = MUTATIONS[name];
      assert.ok(mutate !== undefined);
      const body = JSON.parse(syntheticResult(HANDLE, ROW_TYPE, [validRows(20)]).first) as Record<string, unknown>;
      const mutated = mutate(body, random);
      answer = { body: mutated, gzip: name === 'garbage claiming gzip' };
      let outcome: string;
      try {
        const result = await h.client.execute('SELECT 1', { deadline: h.clock.now() + 60_000 });
        let rows = 0;
        for await (const row of result.rows()) {
          assert.ok(Array.isArray(row));
          rows++;
        }
        outcome = `rows(${rows})`;
      } catch (error) {
        assert.ok(error instanceof SqlApiError, `case ${i} (${name}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        assert.match(error.code, /^SF_[A-Z_]+$/);
        assert.ok(error.message.length > 0 && error.message.length < 2000, `case ${i} (${name}): a short, clear message`);
        assert.ok(!error.message.includes(h.tokens.current) && !JSON.stringify(error).includes('test-token-'), `case ${i}: the token leaked`);
        outcome = error.code;
      }
      const key = `${name} -> ${outcome.startsWith('rows(') ? 'rows' : outcome}`;
      outcomes.set(key, (outcomes.get(key) ?? 0) + 1);
    }
    t.diagnostic([...outcomes].map(([key, count]) => `${key}: ${count}`).join('; '));
    // Every kind of damage that makes the answer unusable must have been refused at least once.
    for (const name of ['cut short', 'not JSON at all', 'garbage claiming gzip', 'partition counts that disagree', 'rows longer than the columns']) {
      assert.ok([...outcomes.keys()].some((key) => key.startsWith(`${name} -> SF_`)), `${name} was refused`);
    }
    assert.deepEqual([...outcomes.keys()].filter((key) => key.startsWith('unexpected fields')), ['unexpected fields -> rows'], 'new fields are tolerated');
  });
});
