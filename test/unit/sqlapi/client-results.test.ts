// Client against the in-process server: successful statements, partitions, polling, bindings, concurrency.
import assert from 'node:assert/strict';
import { get } from 'node:http';
import { test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { bind, ResponseFormatError, ResultConsumedError, SnowflakeTimestamp, StatementCancelledError, type DecodedRow } from '../../../src/snowflake/sqlapi/index.ts';
import { PRODUCT_VERSION } from '../../../src/version.ts';
import { json, scripted, type RecordedRequest } from '../../helpers/recording-server.ts';
import { bodyOf, harness } from '../../helpers/sqlapi-harness.ts';
import { column, numberedRows, syntheticResult } from '../../helpers/sqlapi-results.ts';
import { loadRecording, replyFrom } from '../../helpers/snowflake-recordings.ts';

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const HANDLE = '01c79a10-0001-ac43-0000-d07900024c6a';

function assertStandardHeaders(request: RecordedRequest, token = 'test-token-1'): void {
  assert.equal(request.headers.authorization, `Bearer ${token}`);
  assert.equal(request.headers['x-snowflake-authorization-token-type'], 'KEYPAIR_JWT');
  assert.equal(request.headers.accept, 'application/json');
  assert.equal(request.headers['content-type'], 'application/json');
  assert.equal(request.headers['user-agent'], `snowflake-risk-exporter/${PRODUCT_VERSION}`);
  assert.equal(request.headers['accept-encoding'], 'gzip');
}

async function collect(rows: AsyncIterable<DecodedRow>): Promise<DecodedRow[]> {
  const out: DecodedRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

test('several partitions: inline partition 0, then gzip partitions fetched lazily and in order', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [
    numberedRows(0, 3),
    numberedRows(3, 4),
    numberedRows(7, 2),
  ]);
  const h = await harness(
    t,
    scripted(
      { status: 200, body: result.first },
      { status: 200, body: result.partitions[1], gzip: true },
      { status: 200, body: result.partitions[2], gzip: true },
    ),
  );

  const statement = await h.client.execute('SELECT seq4() AS n, uuid_string() AS u FROM TABLE(GENERATOR(ROWCOUNT => 9))');
  assert.equal(statement.numRows, 9);
  assert.equal(statement.statementHandle, HANDLE);
  assert.deepEqual(statement.columnNames, ['N', 'U']);
  assert.equal(h.server.requests.length, 1, 'no partition is fetched before rows are read');

  const seen: DecodedRow[] = [];
  const iterator = statement.rows()[Symbol.asyncIterator]();
  for (let i = 0; i < 3; i++) seen.push((await iterator.next()).value as DecodedRow);
  assert.equal(h.server.requests.length, 1, 'partition 1 is not requested while partition 0 is being read');
  seen.push((await iterator.next()).value as DecodedRow);
  assert.equal(h.server.requests.length, 2, 'reading past partition 0 fetches partition 1');
  for (let i = 0; i < 3; i++) seen.push((await iterator.next()).value as DecodedRow);
  assert.equal(h.server.requests.length, 2, 'partition 2 waits until partition 1 is read');
  for (;;) {
    const next = await iterator.next();
    if (next.done === true) break;
    seen.push(next.value);
  }
  assert.deepEqual(seen, result.rows.map(([n, u]) => [Number(n), u]));

  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    `GET /api/v2/statements/${HANDLE}?partition=1`,
    `GET /api/v2/statements/${HANDLE}?partition=2`,
  ]);
  const [post, p1, p2] = h.server.requests;
  assert.ok(post !== undefined && p1 !== undefined && p2 !== undefined);
  assert.match(post.query.get('requestId') ?? '', UUID);
  assert.equal(post.query.get('retry'), null);
  for (const request of h.server.requests) assertStandardHeaders(request);
  assert.deepEqual(bodyOf(post), {
    statement: 'SELECT seq4() AS n, uuid_string() AS u FROM TABLE(GENERATOR(ROWCOUNT => 9))',
    timeout: 60,
    warehouse: 'RISK_WH',
    role: 'RISK_READER',
    parameters: { TIMEZONE: 'UTC', QUERY_TAG: 'snowflake-risk-exporter' },
  });
  assert.ok(!/_OUTPUT_FORMAT/i.test(post.body), 'output-format parameters would change the wire encodings');
});

test('REC#055 + REC#058: 20,000 rows over 4 partitions, the last one served gzipped from the recording', async (t) => {
  const first = loadRecording(55);
  const last = loadRecording(58);
  // Partitions 1 and 2 (REC#056/057) were not copied; their rows continue the sequence exactly as the recorded
  // partitionInfo says (4682 and 9404 rows).
  const middle = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [
    [],
    numberedRows(2063, 4682),
    numberedRows(6745, 9404),
  ]);
  const h = await harness(
    t,
    scripted(
      replyFrom(first),
      { status: 200, body: middle.partitions[1], gzip: true },
      { status: 200, body: middle.partitions[2], gzip: true },
      replyFrom(last, { gzip: true }),
    ),
  );
  const statement = await h.client.execute('SELECT seq4() AS n, uuid_string() AS u FROM TABLE(GENERATOR(ROWCOUNT => 20000))');
  assert.equal(statement.numRows, 20000);
  assert.deepEqual(statement.partitions.map((p) => p.rowCount), [2063, 4682, 9404, 3851]);
  let expected = 0;
  let lastRow: DecodedRow | undefined;
  for await (const row of statement.rows()) {
    assert.equal(row[0], expected, `row ${expected} in order, none lost or repeated`);
    expected++;
    lastRow = row;
  }
  assert.equal(expected, 20000);
  assert.deepEqual(lastRow, [19999, 'ebfff79e-2329-4c92-bafc-bf19b8f57f07']);
  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    `GET /api/v2/statements/${HANDLE}?partition=1`,
    `GET /api/v2/statements/${HANDLE}?partition=2`,
    `GET /api/v2/statements/${HANDLE}?partition=3`,
  ]);
});

test('REC#076 then REC#077: 202 is polled until 200, with a short first wait', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(76)), replyFrom(loadRecording(77))));
  const statement = await h.client.execute('SELECT SYSTEM$WAIT(3)');
  assert.deepEqual(await collect(statement.rows()), [['waited 3 seconds']]);
  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    'GET /api/v2/statements/01c79a10-0001-accd-0000-d07900021ef6',
  ]);
  assertStandardHeaders(h.server.requests[1] as RecordedRequest);
  assert.deepEqual(h.clock.sleeps, [188], 'first poll after 125..250 ms (250 ms with jitter)');
});

test('polling backs off by doubling up to 5 s, and treats 429 as "still running" honouring Retry-After', async (t) => {
  const running = replyFrom(loadRecording(72));
  const h = await harness(
    t,
    scripted(
      replyFrom(loadRecording(71)),
      ...Array.from({ length: 7 }, () => running),
      json(429, { code: '390505', message: 'Too many requests.' }, { 'retry-after': '9' }),
      json(429, { code: '390505', message: 'Too many requests.' }),
      { ...replyFrom(loadRecording(77)) },
    ),
    // 429s while polling are not failures: they must not use up the (here minimal) retry budget.
    { retry: { maxAttempts: 1 } },
  );
  const statement = await h.client.execute('SELECT SYSTEM$WAIT(20)');
  assert.equal(statement.numRows, 1);
  assert.deepEqual(h.clock.sleeps, [188, 375, 750, 1500, 3000, 3750, 3750, 3750, 9000, 3750]);
  assert.equal(h.server.requests.length, 11);
  assert.ok(h.server.requests.slice(1).every((r) => r.method === 'GET' && r.query.get('partition') === null));
});

test('a zero-row result (REC#023) yields nothing and fetches nothing', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(23))));
  const statement = await h.client.execute('SELECT * FROM dbimp_it_types WHERE 1 = 0');
  assert.equal(statement.numRows, 0);
  assert.equal(statement.rowType.length, 16);
  assert.deepEqual(await collect(statement.rows()), []);
  assert.equal(h.server.requests.length, 1);
});

test('recorded answers decode through the client: REC#018, REC#026, REC#030, REC#034, REC#091 (gzipped)', async (t) => {
  const h = await harness(
    t,
    scripted(
      replyFrom(loadRecording(18), { gzip: true }),
      replyFrom(loadRecording(26)),
      replyFrom(loadRecording(30)),
      replyFrom(loadRecording(34), { gzip: true }),
      replyFrom(loadRecording(91)),
    ),
  );
  assert.deepEqual(await collect((await h.client.execute('SELECT 1 AS a, \'x\' AS b')).rows()), [[1, 'x']]);

  const types = await collect((await h.client.execute('SELECT * FROM dbimp_it_types')).rows());
  assert.equal(types[0]?.[0], 12345678901234567890123456789012345678n);
  assert.ok(types[0]?.[10] instanceof SnowflakeTimestamp);
  assert.deepEqual(types[1], new Array(16).fill(null));

  assert.deepEqual(await collect((await h.client.execute('SELECT \'NaN\'::FLOAT')).rows()), [[Number.NaN, Infinity, -Infinity]]);
  const variants = await h.client.execute('SELECT PARSE_JSON(...)');
  const objects = [];
  for await (const object of variants.rowsAsObjects()) objects.push(object);
  assert.deepEqual(objects, [{
    "PARSE_JSON('1')": 1,
    'PARSE_JSON(\'"S"\')': 's',
    "PARSE_JSON('NULL')": null,
    'PARSE_JSON(\'[1,{"A":2}]\')': [1, { a: 2 }],
    'PARSE_JSON(\'{"A":[1,2]}\')': { a: [1, 2] },
  }]);

  const insert = await h.client.execute('INSERT INTO dbimp_it_dml VALUES (2,\'b\'),(3,\'c\')');
  assert.deepEqual(insert.stats, { numRowsInserted: 2, numRowsDeleted: 0, numRowsUpdated: 0, numDmlDuplicates: 0 });
  assert.deepEqual(await collect(insert.rows()), [[2]]);
  assert.equal(h.server.requests.length, 5);
});

test('REC#087: a multi-statement request sends MULTI_STATEMENT_COUNT and exposes the child handles', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(87))));
  const statement = await h.client.execute('SELECT 1; SELECT 2', { multiStatementCount: 2 });
  assert.deepEqual(statement.statementHandles, ['01c79a10-0001-accd-0000-d07900021f16', '01c79a10-0001-accd-0000-d07900021f1a']);
  assert.deepEqual(await collect(statement.rows()), [['Multiple statements executed successfully.']]);
  assert.deepEqual((bodyOf(h.server.requests[0]).parameters as Record<string, string>).MULTI_STATEMENT_COUNT, '2');
});

test('REC#088: the parent of a multi-statement request read again by handle keeps its child handles', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(88))));
  const parent = await h.client.resultOf('01c79a10-0001-accd-0000-d07900021f12');
  assert.deepEqual(parent.statementHandles, ['01c79a10-0001-accd-0000-d07900021f16', '01c79a10-0001-accd-0000-d07900021f1a']);
  assert.deepEqual(h.lines(), ['GET /api/v2/statements/01c79a10-0001-accd-0000-d07900021f12']);
});

test('resultOf(handle) fetches a finished statement by its handle', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(77))));
  const statement = await h.client.resultOf('01c79a10-0001-accd-0000-d07900021ef6');
  assert.deepEqual(await collect(statement.rows()), [['waited 3 seconds']]);
  assert.deepEqual(h.lines(), ['GET /api/v2/statements/01c79a10-0001-accd-0000-d07900021ef6']);
});

test('bindings travel typed in the body; the statement text is never touched', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(18))));
  const hostile = "x' OR 1=1; DROP TABLE users; --";
  const statement = 'SELECT 1 AS a, \'x\' AS b FROM t WHERE user_name = ? AND start_time >= ? AND n = ? AND d = ? AND ok = ?';
  await h.client.execute(statement, {
    bindings: [
      bind.text(hostile),
      bind.timestampLtz(new Date('2026-10-09T00:00:00.123Z')),
      bind.fixed(9007199254740993n),
      bind.date('2026-10-09'),
      bind.boolean(true),
    ],
    warehouse: 'OTHER_WH',
    queryTag: 'cycle-7',
  });
  const body = bodyOf(h.server.requests[0]);
  assert.equal(body.statement, statement);
  assert.ok(!String(body.statement).includes('DROP'));
  assert.deepEqual(body.bindings, {
    1: { type: 'TEXT', value: hostile },
    2: { type: 'TIMESTAMP_LTZ', value: '1791504000123000000' },
    3: { type: 'FIXED', value: '9007199254740993' },
    4: { type: 'DATE', value: '1791504000000' },
    5: { type: 'BOOLEAN', value: 'true' },
  });
  assert.equal(body.warehouse, 'OTHER_WH', 'per-call options override the defaults');
  assert.deepEqual(body.parameters, { TIMEZONE: 'UTC', QUERY_TAG: 'cycle-7' });
});

test('named bindings keep their names', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(18))));
  await h.client.execute('SELECT :who', { bindings: { who: bind.text('alice') } });
  assert.deepEqual(bodyOf(h.server.requests[0]).bindings, { who: { type: 'TEXT', value: 'alice' } });
});

test('rows() streams once', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(18))));
  const statement = await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  await collect(statement.rows());
  assert.throws(() => statement.rows(), ResultConsumedError);
});

test('partition rows that disagree with partitionInfo are a typed error', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [numberedRows(0, 2), numberedRows(2, 3)]);
  const h = await harness(t, scripted({ status: 200, body: result.first }, { status: 200, body: '{"data":[["2","row-2"]]}', gzip: true }));
  const statement = await h.client.execute('SELECT 1');
  await assert.rejects(collect(statement.rows()), (error: unknown) =>
    error instanceof ResponseFormatError && /partition 1 holds 1 rows but partitionInfo says 3/.test(error.message));
});

test('concurrency bounds statements in flight per account', async (t) => {
  let inFlight = 0;
  let maxInFlight = 0;
  const reply = replyFrom(loadRecording(18));
  const h = await harness(
    t,
    async () => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((resolve) => setTimeout(resolve, 30));
      inFlight--;
      return reply;
    },
    { concurrency: 2 },
  );
  const results = await Promise.all(Array.from({ length: 6 }, () => h.client.execute('SELECT 1 AS a, \'x\' AS b')));
  assert.equal(results.length, 6);
  assert.equal(maxInFlight, 2);
  assert.equal(h.server.requests.length, 6);
});

test('the test server really gzips (guards the gzip tests above)', async (t) => {
  const h = await harness(t, scripted({ status: 200, body: '{"x":1}', gzip: true }));
  const raw = await new Promise<{ encoding: string | undefined; bytes: Buffer }>((resolve, reject) => {
    get(new URL('/probe', h.server.url), (response) => {
      const chunks: Buffer[] = [];
      response.on('data', (chunk: Buffer) => chunks.push(chunk));
      response.on('end', () => resolve({ encoding: response.headers['content-encoding'], bytes: Buffer.concat(chunks) }));
    }).on('error', reject);
  });
  assert.equal(raw.encoding, 'gzip');
  assert.equal(raw.bytes[0], 0x1f, 'gzip magic number on the wire');
  assert.equal(gunzipSync(raw.bytes).toString(), '{"x":1}');
});

test('a statement aborted while it waits for a slot is rejected at once and never sent', async (t) => {
  const h = await harness(t, () => ({ ...replyFrom(loadRecording(18)), delayMs: 300 }), { concurrency: 1 });
  const first = h.client.execute('SELECT 1 AS a, \'x\' AS b');
  const controller = new AbortController();
  const second = h.client.execute('SELECT 2', { signal: controller.signal });
  controller.abort();
  const outcome = await Promise.race([second.then(() => 'resolved', (e: unknown) => e), first.then(() => 'first finished first')]);
  assert.ok(outcome instanceof StatementCancelledError, String(outcome));
  await first;
  await new Promise((resolve) => setImmediate(resolve));
  assert.equal(h.server.requests.length, 1);
  assert.equal(bodyOf(h.server.requests[0]).statement, 'SELECT 1 AS a, \'x\' AS b');
});
