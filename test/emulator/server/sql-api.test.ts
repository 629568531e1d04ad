// The SQL API protocol layer against a canned engine (stand-in for DuckDB, see helpers.ts): wire format,
// partitions with gzip, async/poll/cancel/timeout, requestId retries, multi-statement and bad input.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { call, pollUntilDone, startHarness, submitBody, type Harness } from './helpers.ts';

const HANDLE = /^01[0-9a-f]{6}-[0-9a-f]{4}-[0-9a-f]{4}-0000-[0-9a-f]{12}$/;
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

interface Envelope {
  resultSetMetaData: { numRows: number; format: string; partitionInfo: { rowCount: number; uncompressedSize: number; compressedSize?: number }[]; rowType: Record<string, unknown>[] };
  data: (string | null)[][];
  code: string;
  sqlState: string;
  message: string;
  statementHandle: string;
  statementHandles?: string[];
  statementStatusUrl: string;
  requestId: string;
  createdOn: number;
  stats?: Record<string, number>;
}

describe('SQL API protocol', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ partitionRows: 1000 });
  });
  after(async () => {
    await h.emulator.close();
  });

  test('a statement answers with the real envelope, byte layout and headers', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    assert.equal(reply.status, 200);
    assert.equal(reply.headers['content-type'], 'application/json');
    assert.equal(reply.headers.vary, 'Accept-Encoding, User-Agent');
    assert.ok(reply.text.startsWith('{\n  "resultSetMetaData" : {\n    "numRows" : 1,\n    "format" : "jsonv2",\n    "partitionInfo" : [ {\n'));
    assert.ok(reply.text.includes('\n  "data" : [ ["1","x"] ],\n  "code" : "090001",\n'));
    const body = reply.json() as Envelope;
    assert.deepEqual(Object.keys(body), ['resultSetMetaData', 'data', 'code', 'statementStatusUrl', 'requestId', 'sqlState', 'statementHandle', 'message', 'createdOn']);
    assert.match(body.statementHandle, HANDLE);
    assert.match(body.requestId, UUID);
    assert.equal(body.statementStatusUrl, `/api/v2/statements/${body.statementHandle}?requestId=${body.requestId}`);
    assert.equal(body.message, 'Statement executed successfully.');
    assert.equal(body.sqlState, '00000');
    assert.deepEqual(body.resultSetMetaData.partitionInfo, [{ rowCount: 1, uncompressedSize: 20 }]);
    assert.deepEqual(Object.keys(body.resultSetMetaData.rowType[0] ?? {}), ['name', 'database', 'schema', 'table', 'collation', 'byteLength', 'nullable', 'scale', 'precision', 'length', 'type']);
    const link = String(reply.headers.link);
    const entries = link.split(',');
    assert.equal(entries.length, 2);
    assert.match(entries[0] ?? '', new RegExp(`^</api/v2/statements/${body.statementHandle}\\?requestId=[0-9a-f-]{36}&partition=0>; rel="first"$`));
    assert.match(entries[1] ?? '', /&partition=0>; rel="last"$/);
    assert.equal(h.engine.executions.at(-1)?.user, 'ALICE');
    assert.equal(h.engine.executions.at(-1)?.role, 'ANALYST');
  });

  test('DML answers carry stats with the real field names; empty results have "data" : [ ]', async () => {
    const insert = await call(h, 'POST', '/api/v2/statements', { body: submitBody("INSERT INTO t VALUES (2,'b'),(3,'c')") });
    assert.ok(insert.text.endsWith('"stats" : {\n    "numRowsInserted" : 2,\n    "numRowsDeleted" : 0,\n    "numRowsUpdated" : 0,\n    "numDmlDuplicates" : 0\n  }\n}'));
    const empty = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT * FROM empty_table') });
    assert.ok(empty.text.includes('"data" : [ ],'));
    assert.deepEqual((empty.json() as Envelope).resultSetMetaData.partitionInfo, [{ rowCount: 0, uncompressedSize: 0 }]);
  });

  test('later partitions are gzip bodies of bare rows; GET without partition repeats the first', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT seq4() AS n, uuid_string() AS u FROM TABLE(GENERATOR(ROWCOUNT => 3500))') });
    const body = reply.json() as Envelope;
    assert.equal(body.resultSetMetaData.numRows, 3500);
    assert.deepEqual(body.resultSetMetaData.partitionInfo.map((p) => p.rowCount), [1000, 1000, 1000, 500]);
    assert.ok(body.resultSetMetaData.partitionInfo.every((p) => typeof p.compressedSize === 'number'));
    assert.equal(body.data.length, 1000);
    assert.match(String(reply.headers.link), /partition=0>; rel="first",<[^>]+partition=1>; rel="next",<[^>]+partition=3>; rel="last"$/);
    let expected = 1000;
    for (let partition = 1; partition < 4; partition += 1) {
      const part = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}?partition=${partition}`, { headers: { 'Accept-Encoding': 'gzip' } });
      assert.equal(part.status, 200);
      assert.equal(part.headers['content-encoding'], 'gzip');
      const info = body.resultSetMetaData.partitionInfo[partition];
      assert.equal(part.body.length, info?.compressedSize);
      const text = gunzipSync(part.body).toString('utf8');
      assert.equal(Buffer.byteLength(text), info?.uncompressedSize);
      assert.ok(text.startsWith('{"data":[["') && text.endsWith(']]}'));
      const rows = (JSON.parse(text) as { data: string[][] }).data;
      assert.equal(rows[0]?.[0], String(expected));
      expected += rows.length;
      const rels = [...String(part.headers.link).matchAll(/rel="(\w+)"/g)].map((m) => m[1]);
      assert.deepEqual(rels, partition === 3 ? ['first', 'prev', 'last'] : ['first', 'prev', 'next', 'last']);
    }
    assert.equal(expected, 3500);
    const again = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}`);
    const againBody = again.json() as Envelope;
    assert.deepEqual(againBody.data, body.data);
    assert.equal(againBody.requestId, body.requestId);
    const out = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}?partition=9`);
    assert.equal(out.status, 400);
    assert.deepEqual(out.json(), {
      code: '391922',
      message: "Invalid partition parameter. The partition must be long type parsable and between 0 and 3, but '9' is specified.",
      sqlState: '22023',
      statementHandle: body.statementHandle,
    });
    const word = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}?partition=x`);
    assert.equal((word.json() as { message: string }).message.endsWith("but 'x' is specified."), true);
  });

  test('partition 0 is gzip only when the client accepts it', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: submitBody("SELECT 1 AS a, 'x' AS b"), headers: { 'Accept-Encoding': 'gzip' } });
    assert.equal(reply.headers['content-encoding'], 'gzip');
    assert.equal((JSON.parse(gunzipSync(reply.body).toString('utf8')) as Envelope).data[0]?.[1], 'x');
  });

  test('async=true answers 202 333334; polling ends in 200 with the result', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements?async=true', { body: submitBody('SELECT SYSTEM$WAIT(3)') });
    assert.equal(reply.status, 202);
    const body = reply.json() as Record<string, string>;
    assert.deepEqual(Object.keys(body), ['code', 'message', 'statementHandle', 'statementStatusUrl']);
    assert.equal(body.code, '333334');
    assert.equal(body.statementStatusUrl, `/api/v2/statements/${body.statementHandle}`);
    const running = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}`);
    assert.equal(running.status, 202);
    const done = await pollUntilDone(h, body.statementHandle ?? '');
    assert.equal(done.status, 200);
    assert.deepEqual((done.json() as Envelope).data, [['waited 3 seconds']]);
  });

  test('a statement longer than the sync window answers 202, then completes', async () => {
    const slow = await startHarness({ syncWaitMs: 30 });
    try {
      const reply = await call(slow, 'POST', '/api/v2/statements', { body: submitBody('SELECT SYSTEM$WAIT(4)') });
      assert.equal(reply.status, 202);
      const done = await pollUntilDone(slow, (reply.json() as { statementHandle: string }).statementHandle);
      assert.equal(done.status, 200);
    } finally {
      await slow.emulator.close();
    }
  });

  test('timeout cancels the statement in the engine: 408 000630, later GET 422', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT SYSTEM$WAIT(100)', { timeout: 1 }) });
    assert.equal(reply.status, 408);
    const body = reply.json() as Record<string, string>;
    assert.deepEqual({ ...body, statementHandle: 'h' }, {
      code: '000630',
      message: 'Statement reached its statement or warehouse timeout of 1 second(s) and was canceled.',
      sqlState: '57014',
      statementHandle: 'h',
    });
    assert.equal(h.engine.executions.at(-1)?.signal.aborted, true);
    const later = await call(h, 'GET', `/api/v2/statements/${body.statementHandle}`);
    assert.equal(later.status, 422);
    assert.equal((later.json() as { code: string }).code, '000630');
  });

  test('cancel answers 200 with the /api/statements quirk; GET then says 000604', async () => {
    const reply = await call(h, 'POST', '/api/v2/statements?async=true', { body: submitBody('SELECT SYSTEM$WAIT(200)') });
    const handle = (reply.json() as { statementHandle: string }).statementHandle;
    const cancel = await call(h, 'POST', `/api/v2/statements/${handle}/cancel`, { headers: { 'Content-Type': 'application/json' } });
    assert.equal(cancel.status, 200);
    assert.equal(
      cancel.text,
      `{\n  "code" : "000604",\n  "sqlState" : "57014",\n  "message" : "SQL execution canceled",\n  "statementHandle" : "${handle}",\n  "statementStatusUrl" : "/api/statements/${handle}"\n}`,
    );
    assert.equal(h.engine.executions.at(-1)?.signal.aborted, true);
    const after = await call(h, 'GET', `/api/v2/statements/${handle}`);
    assert.equal(after.status, 422);
    assert.deepEqual(after.json(), { code: '000604', message: 'SQL execution canceled', sqlState: '57014', statementHandle: handle });
    const again = await call(h, 'POST', `/api/v2/statements/${handle}/cancel`);
    assert.equal(again.status, 200);
    const unknown = await call(h, 'POST', '/api/v2/statements/01aaaaaa-0000-0000-0000-000000000000/cancel');
    assert.equal(unknown.status, 422);
    assert.equal((unknown.json() as { code: string }).code, '000709');
  });

  test('requestId + retry=true returns the original result without executing again', async () => {
    const requestId = '7c9e6679-7425-40de-944b-e07fc1f90ae7';
    const before = h.engine.executions.length;
    const first = await call(h, 'POST', `/api/v2/statements?requestId=${requestId}`, { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    const retried = await call(h, 'POST', `/api/v2/statements?requestId=${requestId}&retry=true`, { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    assert.equal(h.engine.executions.length, before + 1);
    const a = first.json() as Envelope;
    const b = retried.json() as Envelope;
    assert.equal(b.statementHandle, a.statementHandle);
    assert.equal(b.requestId, requestId);
    await call(h, 'POST', `/api/v2/statements?requestId=${requestId}`, { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    assert.equal(h.engine.executions.length, before + 2, 'without retry=true the statement runs again');
    await call(h, 'POST', `/api/v2/statements?requestId=${crypto.randomUUID()}&retry=true`, { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    assert.equal(h.engine.executions.length, before + 3, 'a new requestId executes');
  });

  test('multi-statement: count mismatch 000008, matching count gives a parent with fetchable children', async () => {
    const mismatch = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1; SELECT 2') });
    assert.equal(mismatch.status, 422);
    const m = mismatch.json() as Record<string, string>;
    assert.equal(m.code, '000008');
    assert.equal(m.sqlState, '0A000');
    assert.equal(m.message, 'Actual statement count 2 did not match the desired statement count 1.');
    assert.match(m.statementHandle ?? '', HANDLE);
    const ok = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1; SELECT 2', { parameters: { MULTI_STATEMENT_COUNT: '2' } }) });
    assert.equal(ok.status, 200);
    const parent = ok.json() as Envelope;
    assert.deepEqual(parent.data, [['Multiple statements executed successfully.']]);
    assert.equal(parent.resultSetMetaData.rowType[0]?.name, 'multiple statement execution');
    assert.ok(ok.text.includes('"code" : "090001",\n  "statementHandles" : [ "'));
    assert.equal(parent.statementHandles?.length, 2);
    const second = await call(h, 'GET', `/api/v2/statements/${parent.statementHandles?.[1] ?? ''}`);
    assert.deepEqual((second.json() as Envelope).data, [['2']]);
    const lower = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1; SELECT 2; -- done\n', { parameters: { multi_statement_count: 0 } }) });
    assert.equal(lower.status, 200);
    const transaction = await call(h, 'POST', '/api/v2/statements', { body: submitBody('BEGIN; SELECT 1; COMMIT', { parameters: { MULTI_STATEMENT_COUNT: '3' } }) });
    assert.equal(transaction.status, 200, 'BEGIN/COMMIT are legal inside a multi-statement request');
    const commit = await call(h, 'GET', `/api/v2/statements/${(transaction.json() as Envelope).statementHandles?.[2] ?? ''}`);
    assert.deepEqual((commit.json() as Envelope).data, [['Statement executed successfully.']]);
    const failing = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1; SELEC 2', { parameters: { MULTI_STATEMENT_COUNT: '2' } }) });
    assert.equal(failing.status, 422);
    assert.equal((failing.json() as { code: string }).code, '100132');
  });

  test('BEGIN alone and PUT are refused with 391911', async () => {
    const begin = await call(h, 'POST', '/api/v2/statements', { body: submitBody('BEGIN') });
    assert.equal(begin.status, 422);
    const body = begin.json() as Record<string, string>;
    assert.equal(body.message, 'Command not supported by SQL API: TRANSACTION_BEGIN');
    assert.equal(body.sqlState, '0A000');
    const put = await call(h, 'POST', '/api/v2/statements', { body: submitBody('PUT file:///tmp/x @stage') });
    assert.equal((put.json() as { message: string }).message, 'Command not supported by SQL API: PUT');
  });

  test('statement errors from the engine keep their code; engine exceptions become an internal error', async () => {
    const syntax = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELEC 1') });
    assert.equal(syntax.status, 422);
    assert.equal(syntax.headers.vary, 'Accept-Encoding');
    const body = syntax.json() as Record<string, string>;
    assert.deepEqual(Object.keys(body), ['code', 'message', 'sqlState', 'statementHandle']);
    assert.equal(body.message, "SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SELEC'.");
    const bug = await call(h, 'POST', '/api/v2/statements', { body: submitBody('THROW') });
    assert.equal(bug.status, 422);
    assert.equal((bug.json() as { code: string }).code, '000603');
  });
});

describe('bad input never crashes the emulator', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ maxBodyBytes: 4096 });
  });
  after(async () => {
    await h.emulator.close();
  });

  test('every malformed request gets a Snowflake-shaped answer and the server keeps serving', async () => {
    const malformed = await call(h, 'POST', '/api/v2/statements', { rawBody: '{"statement": ', headers: { 'Content-Type': 'application/json' } });
    assert.equal(malformed.status, 400);
    assert.deepEqual(malformed.json(), { code: '390142', message: 'Incoming request does not contain a valid payload.' });
    const notObject = await call(h, 'POST', '/api/v2/statements', { rawBody: '[1,2]', headers: { 'Content-Type': 'application/json' } });
    assert.equal((notObject.json() as { code: string }).code, '390142');
    const badTimeout = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1', { timeout: 'soon' }) });
    assert.equal((badTimeout.json() as { code: string }).code, '390142');

    const empty = await call(h, 'POST', '/api/v2/statements', { body: submitBody(undefined) });
    assert.equal(empty.status, 400);
    assert.equal(empty.text, '{\n  "code" : "000900",\n  "message" : "SQL compilation error:\\nEmpty SQL statement.",\n  "sqlState" : "42601",\n  "statementHandle" : null\n}');

    const plain = await call(h, 'POST', '/api/v2/statements', { rawBody: '{"statement":"SELECT 1"}', headers: { 'Content-Type': 'text/plain' } });
    assert.equal(plain.status, 400);
    assert.equal(plain.text, '{\n"servlet":"com.sun.jersey.spi.container.servlet.ServletContainer-53c8845f",\n"message":"Bad Request",\n"url":"/api/v2/statements",\n"status":"400"\n}');

    const huge = await call(h, 'POST', '/api/v2/statements', { body: submitBody(`SELECT '${'x'.repeat(10_000)}'`) });
    assert.equal(huge.status, 413);
    assert.equal((huge.json() as { code: string }).code, '390142');

    const unknown = await call(h, 'GET', '/api/v2/statements/00000000-0000-0000-0000-000000000000');
    assert.equal(unknown.status, 400);
    assert.equal(unknown.text, '{\n  "code" : "000709",\n  "message" : "Statement 00000000-0000-0000-0000-000000000000 not found",\n  "sqlState" : "02000",\n  "statementHandle" : "00000000-0000-0000-0000-000000000000"\n}');
    const weird = await call(h, 'GET', '/api/v2/statements/%E0%A4%A');
    assert.equal(weird.status, 404);

    const wrongMethod = await call(h, 'DELETE', '/api/v2/statements');
    assert.equal(wrongMethod.status, 405);
    assert.equal(wrongMethod.body.length, 0);
    assert.equal(wrongMethod.headers['content-length'], '0');
    const getSubmit = await call(h, 'GET', '/api/v2/statements');
    assert.equal(getSubmit.status, 405);
    const postStatus = await call(h, 'PUT', '/api/v2/statements/01aaaaaa-0000-0000-0000-000000000000');
    assert.equal(postStatus.status, 405);

    const nowhere = await call(h, 'GET', '/api/v1/elsewhere');
    assert.equal(nowhere.status, 404);
    assert.equal(typeof (nowhere.json() as { code: string }).code, 'string');

    const badToken = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: 'garbage' });
    assert.equal(badToken.status, 401);

    const ok = await call(h, 'POST', '/api/v2/statements', { body: submitBody("SELECT 1 AS a, 'x' AS b") });
    assert.equal(ok.status, 200, 'still serving');
  });

  test('a raw garbage request line gets a 400 and the server stays up', async () => {
    const net = await import('node:net');
    const answer = await new Promise<string>((resolve, reject) => {
      const socket = net.connect(h.emulator.port, '127.0.0.1', () => socket.write('NOT HTTP AT ALL\r\n\r\n'));
      let data = '';
      socket.on('data', (chunk: Buffer) => (data += chunk.toString()));
      socket.on('end', () => resolve(data));
      socket.on('error', reject);
    });
    assert.match(answer, /^HTTP\/1\.1 400/);
    const ok = await request(`${h.base}/nowhere`);
    await ok.body.dump();
    assert.equal(ok.statusCode, 404);
  });
});

describe('retention', () => {
  test('finished statements beyond the cap are forgotten and their results released', async () => {
    const h = await startHarness({ maxStatements: 3 });
    try {
      const handles: string[] = [];
      for (let i = 0; i < 5; i += 1) {
        const reply = await call(h, 'POST', '/api/v2/statements', { body: submitBody("SELECT 1 AS a, 'x' AS b") });
        handles.push((reply.json() as Envelope).statementHandle);
      }
      const first = await call(h, 'GET', `/api/v2/statements/${handles[0] ?? ''}`);
      assert.equal(first.status, 400);
      const last = await call(h, 'GET', `/api/v2/statements/${handles[4] ?? ''}`);
      assert.equal(last.status, 200);
      assert.ok(h.engine.results.slice(0, 2).every((result) => result.released));
      assert.ok(h.emulator.admin.report().statements.retained <= 3);
    } finally {
      await h.emulator.close();
    }
  });
});
