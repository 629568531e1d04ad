// Client against the in-process server: retries, token renewal, cancellation, deadlines and typed errors.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import {
  AuthenticationError,
  DeadlineExceededError,
  NetworkError,
  ResponseFormatError,
  RetriesExhaustedError,
  SnowflakeHttpError,
  SnowflakeQueryError,
  SqlApiError,
  StatementCancelledError,
  StatementTimeoutError,
  type DecodedRow,
} from '../../../src/snowflake/sqlapi/index.ts';
import { json, scripted, type Reply } from '../../helpers/recording-server.ts';
import { bodyOf, harness } from '../../helpers/sqlapi-harness.ts';
import { column, numberedRows, syntheticResult } from '../../helpers/sqlapi-results.ts';
import { loadRecording, replyFrom } from '../../helpers/snowflake-recordings.ts';

const HANDLE = '01c79a10-0001-ac43-0000-d07900024c6a';
const RUNNING_HANDLE = '01c79a10-0001-ac43-0000-d07900024c7a';

async function collect(rows: AsyncIterable<DecodedRow>): Promise<DecodedRow[]> {
  const out: DecodedRow[] = [];
  for await (const row of rows) out.push(row);
  return out;
}

function assertNoSecrets(error: unknown): void {
  const text = `${String(error)} ${inspect(error, { depth: 5 })} ${JSON.stringify(error)}`;
  assert.ok(!text.includes('test-token'), `error exposes a token: ${text}`);
  assert.ok(!/Bearer/i.test(text), 'error exposes an Authorization header');
}

test('429 with Retry-After in seconds: waits exactly that long, resubmits the same requestId without retry=true', async (t) => {
  const h = await harness(
    t,
    scripted(json(429, { code: '390505', message: 'Too many requests.' }, { 'retry-after': '7' }), replyFrom(loadRecording(18))),
  );
  const statement = await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  assert.deepEqual(await collect(statement.rows()), [[1, 'x']]);
  assert.deepEqual(h.clock.sleeps, [7000]);
  const [first, second] = h.server.requests;
  assert.equal(second?.query.get('requestId'), first?.query.get('requestId'));
  assert.equal(second?.query.get('retry'), null, 'a 429 was refused before it ran: no retry flag needed');
  assert.equal(second?.body, first?.body);
});

test('429 with Retry-After as an HTTP date honours the date on the client clock', async (t) => {
  let retryAt = '';
  const h = await harness(
    t,
    scripted(() => json(429, { code: '390505', message: 'Too many requests.' }, { 'retry-after': retryAt }), replyFrom(loadRecording(18))),
  );
  retryAt = new Date(h.clock.now() + 3000).toUTCString();
  await h.client.execute('SELECT 1');
  assert.deepEqual(h.clock.sleeps, [3000]);
});

test('a Retry-After beyond the bound fails instead of sleeping for it', async (t) => {
  const h = await harness(t, scripted(json(429, { code: '390505', message: 'Too many requests.' }, { 'retry-after': '3600' })));
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof RetriesExhaustedError);
    assert.equal(error.httpStatus, 429);
    assert.equal(error.snowflakeCode, '390505');
    assert.match(error.message, /Retry-After of 3600 s exceeds/);
    return true;
  });
  assert.deepEqual(h.clock.sleeps, []);
  assert.equal(h.server.requests.length, 1);
});

test('503 storm then success: jittered exponential backoff, same requestId, retry=true', async (t) => {
  const unavailable: Reply = { status: 503, body: '' };
  const h = await harness(t, scripted(unavailable, unavailable, { status: 504, body: '' }, replyFrom(loadRecording(18))));
  await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  assert.deepEqual(h.clock.sleeps, [375, 750, 1500], '500 ms doubling, equal jitter at random()=0.5');
  const ids = new Set(h.server.requests.map((r) => r.query.get('requestId')));
  assert.equal(ids.size, 1);
  assert.deepEqual(h.server.requests.map((r) => r.query.get('retry')), [null, 'true', 'true', 'true']);
  assert.ok(h.server.requests.every((r) => r.body === h.server.requests[0]?.body));
  assert.deepEqual(h.events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.status), [503, 503, 504]);
});

test('503 storm beyond the attempt bound: RetriesExhaustedError after maxAttempts', async (t) => {
  const h = await harness(t, () => ({ status: 503, body: '{"code":"000000","message":"Service unavailable"}' }), {
    retry: { maxAttempts: 4 },
  });
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof RetriesExhaustedError);
    assert.equal(error.code, 'SF_RETRIES_EXHAUSTED');
    assert.equal(error.attempts, 4);
    assert.equal(error.httpStatus, 503);
    assert.equal(error.retryable, true);
    assert.ok(error.cause instanceof SnowflakeHttpError);
    assert.match(error.requestId ?? '', /^[0-9a-f-]{36}$/);
    return true;
  });
  assert.equal(h.server.requests.length, 4);
  assert.equal(h.clock.sleeps.length, 3);
});

test('503 storm beyond the time bound stops before the budget is spent', async (t) => {
  const h = await harness(t, () => ({ status: 503, body: '' }), { retry: { maxAttempts: 100, maxElapsedMs: 5000 } });
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) =>
    error instanceof RetriesExhaustedError && /retry time bound of 5000 ms/.test(error.message));
  assert.deepEqual(h.clock.sleeps, [375, 750, 1500], 'the next wait (3000 ms) would pass 5 s');
});

test('500 and 502 resubmit the same body and requestId with retry=true', async (t) => {
  const h = await harness(
    t,
    scripted(json(500, { code: '000001', message: 'internal' }), { status: 502, body: 'Bad Gateway' }, replyFrom(loadRecording(18))),
  );
  await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  const [a, b, c] = h.server.requests;
  assert.equal(b?.query.get('requestId'), a?.query.get('requestId'));
  assert.equal(c?.query.get('requestId'), a?.query.get('requestId'));
  assert.deepEqual([a, b, c].map((r) => r?.query.get('retry')), [null, 'true', 'true']);
  assert.deepEqual([a, b, c].map((r) => r?.query.get('async')), ['true', 'true', 'true']);
  assert.equal(b?.body, a?.body);
  assert.equal(c?.body, a?.body);
});

test('a connection dropped before any answer to the POST is an unknown outcome: resubmitted with retry=true', async (t) => {
  const h = await harness(t, scripted({ status: 200, reset: true }, replyFrom(loadRecording(18))));
  await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  const [a, b] = h.server.requests;
  assert.equal(b?.query.get('requestId'), a?.query.get('requestId'));
  assert.equal(b?.query.get('retry'), 'true');
  assert.deepEqual(h.events.filter((e) => e.type === 'retry').map((e) => e.type === 'retry' && e.reason), ['network']);
});

test('network errors beyond the bound are RetriesExhaustedError wrapping a NetworkError without secrets', async (t) => {
  const h = await harness(t, () => ({ status: 200, reset: true }), { retry: { maxAttempts: 2 } });
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof RetriesExhaustedError);
    assert.ok(error.cause instanceof NetworkError);
    assertNoSecrets(error);
    return true;
  });
  assert.equal(h.server.requests.length, 2);
});

test('401 (REC#078) then renewal then success: invalidate once, retry at once with the new token', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(78)), replyFrom(loadRecording(18))));
  await h.client.execute('SELECT 1 AS a, \'x\' AS b');
  assert.deepEqual(h.tokens.invalidated, ['test-token-1']);
  assert.deepEqual(h.server.requests.map((r) => r.headers.authorization), ['Bearer test-token-1', 'Bearer test-token-2']);
  assert.equal(h.server.requests[1]?.query.get('requestId'), h.server.requests[0]?.query.get('requestId'));
  assert.deepEqual(h.clock.sleeps, [], 'no backoff for a token renewal');
});

test('401 twice is an AuthenticationError that names neither token', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(78)));
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof AuthenticationError);
    assert.equal(error.code, 'SF_AUTHENTICATION_FAILED');
    assert.equal(error.httpStatus, 401);
    assert.equal(error.snowflakeCode, '390144');
    assertNoSecrets(error);
    return true;
  });
  assert.deepEqual(h.tokens.invalidated, ['test-token-1']);
  assert.equal(h.server.requests.length, 2);
});

test('an OAuth 401 message quoting the token never reaches the error', async (t) => {
  const h = await harness(t, () => json(401, { code: '390303', message: 'Invalid OAuth access token. test-token-1 ...oken-2' }));
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof AuthenticationError);
    assertNoSecrets(error);
    assert.ok(!error.message.includes('oken-2'));
    return true;
  });
});

test('408 (REC#067) is a StatementTimeoutError, not retried', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(67)));
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(10)', { timeoutSeconds: 2 }), (error: unknown) => {
    assert.ok(error instanceof StatementTimeoutError);
    assert.equal(error.httpStatus, 408);
    assert.equal(error.snowflakeCode, '000630');
    assert.equal(error.sqlState, '57014');
    assert.equal(error.statementHandle, '01c79a10-0001-ac43-0000-d07900024c76');
    assert.match(error.message, /timeout of 2 second/);
    return true;
  });
  assert.equal(h.server.requests.length, 1);
  assert.equal(bodyOf(h.server.requests[0]).timeout, 2);
});

for (const [number, code, sqlState, handle, text] of [
  [62, '001003', '42000', '01c79a10-0001-accd-0000-d07900021eea', /syntax error line 1/],
  [63, '002003', '42S02', '01c79a10-0001-accd-0000-d07900021eee', /DBIMP_IT_NOSUCH/],
  [86, '000008', '0A000', '01c79a10-0001-ac43-0000-d07900024d06', /statement count 2/],
  [99, '391911', '0A000', '01c79a10-0001-ac43-0000-d07900024d5a', /TRANSACTION_BEGIN/],
] as const) {
  test(`422 (REC#0${number}) is a SnowflakeQueryError carrying code, sqlState, message and handle`, async (t) => {
    const h = await harness(t, () => replyFrom(loadRecording(number)));
    await assert.rejects(h.client.execute('SELECT ...'), (error: unknown) => {
      assert.ok(error instanceof SnowflakeQueryError);
      assert.equal(error.code, 'SF_QUERY_FAILED');
      assert.equal(error.httpStatus, 422);
      assert.equal(error.snowflakeCode, code);
      assert.equal(error.sqlState, sqlState);
      assert.equal(error.statementHandle, handle);
      assert.equal(error.retryable, false);
      assert.match(error.message, text);
      assert.equal(error.requestId, h.server.requests[0]?.query.get('requestId'));
      return true;
    });
    assert.equal(h.server.requests.length, 1, 'a failed statement is not retried');
  });
}

test('400 from the servlet layer (REC#111) is a typed bad request without a Snowflake code', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(111)));
  await assert.rejects(h.client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof SnowflakeHttpError);
    assert.equal(error.code, 'SF_BAD_REQUEST');
    assert.equal(error.httpStatus, 400);
    assert.equal(error.snowflakeCode, undefined);
    assert.match(error.message, /HTTP 400: Bad Request/);
    return true;
  });
  assert.equal(h.server.requests.length, 1);
});

test('400 with Snowflake codes (REC#068 empty statement, REC#081 role not granted) are not retried', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(68)), replyFrom(loadRecording(81))));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof SnowflakeHttpError && e.snowflakeCode === '000900' && e.sqlState === '42601');
  await assert.rejects(h.client.execute('SELECT 1', { role: 'ACCOUNTADMIN' }), (e: unknown) =>
    e instanceof SnowflakeHttpError && e.code === 'SF_BAD_REQUEST' && e.snowflakeCode === '390186');
  assert.equal(h.server.requests.length, 2);
});

test('REC#069: an unknown handle is a typed 400', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(69)));
  await assert.rejects(h.client.resultOf('00000000-0000-0000-0000-000000000000'), (e: unknown) =>
    e instanceof SnowflakeHttpError && e.snowflakeCode === '000709' && e.sqlState === '02000' && e.statementHandle === '00000000-0000-0000-0000-000000000000');
  assert.equal(h.server.requests.length, 1);
});

test('403, 404, 405 (empty body) and 415 are typed and not retried', async (t) => {
  const h = await harness(t, scripted({ status: 403, body: '' }, { status: 404, body: 'Not Found' }, { status: 405, body: '' }, { status: 415, body: '' }));
  const codes = [];
  for (let i = 0; i < 4; i++) {
    const error = await h.client.execute('SELECT 1').then(() => undefined, (e: unknown) => e);
    assert.ok(error instanceof SnowflakeHttpError);
    assert.equal(error.retryable, false);
    codes.push(`${error.httpStatus} ${error.code}`);
  }
  assert.deepEqual(codes, ['403 SF_FORBIDDEN', '404 SF_NOT_FOUND', '405 SF_METHOD_NOT_ALLOWED', '415 SF_UNSUPPORTED_MEDIA_TYPE']);
  assert.equal(h.server.requests.length, 4);
});

test('REC#059: a partition out of range fails the iteration with the typed 400 after the rows before it', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(55)), replyFrom(loadRecording(59))));
  const statement = await h.client.execute('SELECT ...');
  let rows = 0;
  await assert.rejects(
    (async () => {
      for await (const _ of statement.rows()) rows++;
    })(),
    (e: unknown) => e instanceof SnowflakeHttpError && e.snowflakeCode === '391922' && e.sqlState === '22023' && e.statementHandle === HANDLE,
  );
  assert.equal(rows, 2063);
});

test('malformed JSON in a 200 is a ResponseFormatError, not a crash and not retried', async (t) => {
  const h = await harness(t, () => ({ status: 200, body: '{"resultSetMetaData": nope' }));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && e.code === 'SF_RESPONSE_FORMAT' && e.httpStatus === 200);
  assert.equal(h.server.requests.length, 1);
});

test('a truncated JSON body (complete HTTP message) is a ResponseFormatError', async (t) => {
  const body = loadRecording(18).response.body;
  const h = await harness(t, () => ({ status: 200, body: body.slice(0, body.length / 2) }));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && /possibly truncated/.test(e.message));
});

test('a body cut short of its Content-Length is a network failure and is retried', async (t) => {
  const recorded = replyFrom(loadRecording(18));
  const h = await harness(t, scripted({ ...recorded, destroyAfterBytes: 100 }, recorded));
  await h.client.execute('SELECT 1');
  assert.equal(h.server.requests.length, 2);
  assert.equal(h.server.requests[1]?.query.get('retry'), 'true');
});

test('a 200 without rowType or with wrong numRows is a ResponseFormatError', async (t) => {
  const body = JSON.parse(loadRecording(18).response.body) as { resultSetMetaData: Record<string, unknown> };
  const noRowType = structuredClone(body);
  delete noRowType.resultSetMetaData.rowType;
  const wrongCount = structuredClone(body);
  wrongCount.resultSetMetaData.numRows = 5;
  const h = await harness(t, scripted(json(200, noRowType), json(200, wrongCount), json(200, { data: [] })));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && /rowType/.test(e.message));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && /numRows is 5/.test(e.message));
  await assert.rejects(h.client.execute('SELECT 1'), ResponseFormatError);
});

test('a 202 without a statement handle is a ResponseFormatError', async (t) => {
  const h = await harness(t, () => json(202, { code: '333334', message: 'Asynchronous execution in progress.' }));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && /statementHandle/.test(e.message));
});

test('connection reset mid-partition: the partition is fetched again, no row lost or duplicated', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [
    numberedRows(0, 50),
    numberedRows(50, 500),
    numberedRows(550, 800),
  ]);
  const partition2: Reply = { status: 200, body: result.partitions[2], gzip: true };
  const h = await harness(
    t,
    scripted(
      { status: 200, body: result.first },
      { status: 200, body: result.partitions[1], gzip: true },
      { ...partition2, destroyAfterBytes: 600 },
      partition2,
    ),
  );
  const rows = await collect((await h.client.execute('SELECT 1')).rows());
  assert.deepEqual(rows.map((r) => r[0]), Array.from({ length: 1350 }, (_, i) => i));
  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    `GET /api/v2/statements/${HANDLE}?partition=1`,
    `GET /api/v2/statements/${HANDLE}?partition=2`,
    `GET /api/v2/statements/${HANDLE}?partition=2`,
  ]);
  assert.equal(h.clock.sleeps.length, 1, 'one backoff before fetching the partition again');
});

test('429/503 on a partition GET are retried too', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [numberedRows(0, 1), numberedRows(1, 2)]);
  const h = await harness(
    t,
    scripted({ status: 200, body: result.first }, json(429, { code: '390505' }, { 'retry-after': '1' }), { status: 503 }, { status: 200, body: result.partitions[1] }),
  );
  const rows = await collect((await h.client.execute('SELECT 1')).rows());
  assert.equal(rows.length, 3);
  assert.deepEqual(h.clock.sleeps, [1000, 750]);
});

test('abort while running (REC#071/072): POST .../cancel (REC#073), then StatementCancelledError', async (t) => {
  const controller = new AbortController();
  const running = replyFrom(loadRecording(72));
  const h = await harness(t, scripted(replyFrom(loadRecording(71)), running, running, replyFrom(loadRecording(73))));
  h.clock.onSleep = () => {
    if (h.clock.sleeps.length === 3) controller.abort(new Error('shutting down'));
  };
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)', { signal: controller.signal }), (error: unknown) => {
    assert.ok(error instanceof StatementCancelledError);
    assert.equal(error.code, 'SF_STATEMENT_CANCELLED');
    assert.equal(error.statementHandle, RUNNING_HANDLE);
    return true;
  });
  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    `GET /api/v2/statements/${RUNNING_HANDLE}`,
    `GET /api/v2/statements/${RUNNING_HANDLE}`,
    `POST /api/v2/statements/${RUNNING_HANDLE}/cancel`,
  ]);
  const cancel = h.server.requests[3];
  assert.equal(cancel?.headers.authorization, 'Bearer test-token-1');
  assert.equal(cancel?.headers['x-snowflake-authorization-token-type'], 'KEYPAIR_JWT');
  assert.match(cancel?.query.get('requestId') ?? '', /^[0-9a-f-]{36}$/);
  assert.deepEqual(h.events.filter((e) => e.type === 'cancel'), [{ type: 'cancel', statementHandle: RUNNING_HANDLE, ok: true }]);
});

test('abort during an in-flight status request still cancels the statement', async (t) => {
  const controller = new AbortController();
  const h = await harness(
    t,
    scripted(replyFrom(loadRecording(71)), () => {
      controller.abort();
      return { ...replyFrom(loadRecording(72)), delayMs: 200 };
    }, replyFrom(loadRecording(73))),
  );
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)', { signal: controller.signal }), StatementCancelledError);
  assert.equal(h.lines().at(-1), `POST /api/v2/statements/${RUNNING_HANDLE}/cancel`);
});

test('abort while the submit is on the wire: the same request again with retry=true finds the handle, which is cancelled', async (t) => {
  const controller = new AbortController();
  const h = await harness(
    t,
    scripted(
      () => {
        // Snowflake has the statement, but its answer (the handle) is still on its way when the caller gives up.
        controller.abort(new Error('shutting down'));
        return { ...replyFrom(loadRecording(71)), delayMs: 200 };
      },
      replyFrom(loadRecording(71)),
      replyFrom(loadRecording(73)),
    ),
  );
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)', { signal: controller.signal }), StatementCancelledError);
  assert.deepEqual(h.lines(), ['POST /api/v2/statements?async=true', 'POST /api/v2/statements?async=true&retry=true', `POST /api/v2/statements/${RUNNING_HANDLE}/cancel`]);
  const [first, again] = h.server.requests;
  assert.equal(again?.query.get('requestId'), first?.query.get('requestId'), 'the same request id, so Snowflake does not run it twice');
  assert.equal(again?.body, first?.body);
  assert.deepEqual(h.events.filter((e) => e.type === 'cancel'), [{ type: 'cancel', statementHandle: RUNNING_HANDLE, ok: true }]);
});

test('an already aborted signal sends nothing', async (t) => {
  const h = await harness(t, scripted());
  await assert.rejects(h.client.execute('SELECT 1', { signal: AbortSignal.abort() }), StatementCancelledError);
  assert.equal(h.server.requests.length, 0);
});

test('deadline while running: polls until the deadline, cancels, DeadlineExceededError', async (t) => {
  const running = replyFrom(loadRecording(72));
  const h = await harness(t, (request, index) => {
    if (index === 0) return replyFrom(loadRecording(71));
    if (request.path.endsWith('/cancel')) return replyFrom(loadRecording(73));
    return running;
  });
  const deadline = h.clock.now() + 10_000;
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)', { deadline }), (error: unknown) => {
    assert.ok(error instanceof DeadlineExceededError);
    assert.equal(error.statementHandle, RUNNING_HANDLE);
    return true;
  });
  assert.equal(h.clock.now(), deadline, 'the last wait stops exactly at the deadline');
  assert.deepEqual(h.clock.sleeps, [188, 375, 750, 1500, 3000, 3750, 437]);
  assert.equal(h.lines().at(-1), `POST /api/v2/statements/${RUNNING_HANDLE}/cancel`);
  assert.equal(h.lines().filter((line) => line.startsWith('GET')).length, 6);
});

test('without a deadline, polling stops at the statement timeout plus grace', async (t) => {
  const h = await harness(t, (request, index) => {
    if (index === 0) return replyFrom(loadRecording(71));
    if (request.path.endsWith('/cancel')) return replyFrom(loadRecording(73));
    return replyFrom(loadRecording(72));
  }, { poll: { graceMs: 1000 } });
  const start = h.clock.now();
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)', { timeoutSeconds: 20 }), DeadlineExceededError);
  assert.equal(h.clock.now() - start, 21_000);
});

test('REC#074: a statement cancelled elsewhere ends as StatementCancelledError with Snowflake\'s fields', async (t) => {
  const h = await harness(t, scripted(replyFrom(loadRecording(71)), replyFrom(loadRecording(74))));
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)'), (error: unknown) => {
    assert.ok(error instanceof StatementCancelledError);
    assert.equal(error.httpStatus, 422);
    assert.equal(error.snowflakeCode, '000604');
    assert.equal(error.sqlState, '57014');
    return true;
  });
  assert.equal(h.server.requests.length, 2, 'no cancel request for a statement that is already cancelled');
});

test('a failing cancel does not hide the cancellation', async (t) => {
  const controller = new AbortController();
  const h = await harness(t, scripted(replyFrom(loadRecording(71)), { status: 200, reset: true }, { status: 200, reset: true }));
  h.clock.onSleep = () => controller.abort();
  await assert.rejects(h.client.execute('SELECT 1', { signal: controller.signal }), StatementCancelledError);
  assert.deepEqual(h.events.filter((e) => e.type === 'cancel').map((e) => e.type === 'cancel' && e.ok), [false]);
});

test('every error is a SqlApiError with the documented fields', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(62)));
  const error = await h.client.execute('SELEC 1').then(() => undefined, (e: unknown) => e);
  assert.ok(error instanceof SqlApiError);
  for (const field of ['code', 'httpStatus', 'sqlState', 'statementHandle', 'requestId', 'retryable']) {
    assert.ok(field in error, field);
  }
  assertNoSecrets(error);
});

test('abort while reading rows: the next partition is not fetched and no cancel is sent for a finished statement', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [numberedRows(0, 2), numberedRows(2, 2)]);
  const controller = new AbortController();
  const h = await harness(t, scripted({ status: 200, body: result.first }, { status: 200, body: result.partitions[1] }));
  const statement = await h.client.execute('SELECT 1', { signal: controller.signal });
  const seen: unknown[] = [];
  await assert.rejects(
    (async () => {
      for await (const row of statement.rows()) {
        seen.push(row[0]);
        if (seen.length === 2) controller.abort();
      }
    })(),
    (error: unknown) => error instanceof StatementCancelledError && error.statementHandle === HANDLE,
  );
  assert.deepEqual(seen, [0, 1]);
  assert.deepEqual(h.lines(), ['POST /api/v2/statements?async=true']);
});

test('a body beyond maxResponseBytes is a ResponseTooLargeError, not retried', async (t) => {
  const h = await harness(t, () => replyFrom(loadRecording(26), { gzip: true }), { maxResponseBytes: 1024 });
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof SqlApiError && e.code === 'SF_RESPONSE_TOO_LARGE');
  assert.equal(h.server.requests.length, 1);
});

test('an unknown Content-Encoding is a ResponseFormatError', async (t) => {
  const h = await harness(t, () => ({ ...replyFrom(loadRecording(18)), headers: { 'content-encoding': 'br' } }));
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e instanceof ResponseFormatError && /Content-Encoding/.test(e.message));
});

test('a token source failure propagates as its own typed error and nothing is sent', async (t) => {
  const h = await harness(t, scripted());
  const failure = Object.assign(new Error('re-authorization required'), { code: 'OAUTH_REAUTHORIZATION_REQUIRED' });
  h.tokens.getToken = () => Promise.reject(failure);
  await assert.rejects(h.client.execute('SELECT 1'), (e: unknown) => e === failure);
  assert.equal(h.server.requests.length, 0);
});

test('a token is asked for before every request, polls and partitions included', async (t) => {
  const result = syntheticResult(HANDLE, [column('N', 'fixed'), column('U', 'text')], [numberedRows(0, 1), numberedRows(1, 1)]);
  const h = await harness(t, scripted(replyFrom(loadRecording(71)), replyFrom(loadRecording(72)), { status: 200, body: result.first }, { status: 200, body: result.partitions[1] }));
  await collect((await h.client.execute('SELECT 1')).rows());
  assert.equal(h.server.requests.length, 4);
  assert.equal(h.tokens.getTokenCalls, 4);
});

test('polling that gives up (503 beyond the bound) cancels the statement it leaves behind', async (t) => {
  const h = await harness(t, (request, index) => {
    if (index === 0) return replyFrom(loadRecording(71));
    if (request.path.endsWith('/cancel')) return replyFrom(loadRecording(73));
    return { status: 503 };
  }, { retry: { maxAttempts: 2 } });
  await assert.rejects(h.client.execute('SELECT SYSTEM$WAIT(20)'), (e: unknown) => e instanceof RetriesExhaustedError && e.statementHandle === RUNNING_HANDLE);
  assert.deepEqual(h.lines(), [
    'POST /api/v2/statements?async=true',
    `GET /api/v2/statements/${RUNNING_HANDLE}`,
    `GET /api/v2/statements/${RUNNING_HANDLE}`,
    `POST /api/v2/statements/${RUNNING_HANDLE}/cancel`,
  ]);
});
