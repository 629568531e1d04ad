// The collection log's own rules, on a clock the test moves: an identical failure is written once per repeat
// interval (the next line counts what was left out), a different one or the recovery at once; progress lines at most
// once per progress interval; the cycle line adds up rows, findings by severity and cost; debug lines name handles,
// partitions and retry codes.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { Finding } from '../../../src/collect/events.ts';
import type { FailureDetail } from '../../../src/collect/failure-detail.ts';
import { CollectionLog, type CollectionLogFields } from '../../../src/runtime/collection-log.ts';

const at = new Date('2026-11-26T06:00:00Z');

function logFor(options: { repeatIntervalMs?: number; progressIntervalMs?: number } = {}) {
  let now = at.getTime();
  const lines: { level: string; message: string; fields: CollectionLogFields }[] = [];
  const log = new CollectionLog({ log: (level, message, fields) => lines.push({ level, message, fields: fields ?? {} }), now: () => now, ...options });
  return {
    log,
    lines,
    advance: (ms: number) => {
      now += ms;
    },
    warnings: () => lines.filter((line) => line.level === 'warn').map((line) => line.message),
  };
}

const timeout: FailureDetail = { kind: 'timeout', snowflakeCode: '000630', httpStatus: 408, code: 'SF_STATEMENT_TIMEOUT', message: 'statement timed out after 60 s' };

test('an identical failure is rate-limited per source; a different one, or the recovery, is written at once', () => {
  const { log, lines, advance, warnings } = logFor({ repeatIntervalMs: 15 * 60_000 });
  log.sourceFailed('prod', 'login_history', 'timeout', at, timeout);
  advance(5 * 60_000);
  // Numbers in the message (seconds, attempts) do not make it a new failure.
  log.sourceFailed('prod', 'login_history', 'timeout', at, { ...timeout, message: 'statement timed out after 61 s' });
  log.sourceFailed('prod', 'query_history', 'timeout', at, timeout); // another source: its own line
  advance(5 * 60_000);
  log.sourceFailed('prod', 'login_history', 'timeout', at, timeout);
  assert.deepEqual(warnings(), [
    'account prod: source login_history failed: timeout, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: statement timed out after 60 s',
    'account prod: source query_history failed: timeout, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: statement timed out after 60 s',
  ]);
  advance(6 * 60_000); // 16 minutes after the line: written again, with what was left out
  log.sourceFailed('prod', 'login_history', 'timeout', at, timeout);
  assert.equal(
    warnings().at(-1),
    'account prod: source login_history failed: timeout, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: statement timed out after 60 s; failing like this 4 times since 2026-11-26T06:00:00.000Z, 2 not logged',
  );
  assert.equal(lines.filter((line) => line.level === 'warn').at(-1)?.fields.repeats, 4);
  // A different failure of the same source is news.
  log.sourceFailed('prod', 'login_history', 'network', at, { kind: 'network', code: 'SF_NETWORK_ERROR', message: 'status request failed: ECONNRESET' });
  assert.match(warnings().at(-1) ?? '', /source login_history failed: network, SF_NETWORK_ERROR: status request failed: ECONNRESET$/);
  log.sourceSucceeded({ account: 'prod', source: 'login_history', startedAt: at, durationSeconds: 1, rows: 3, delivered: 3 });
  assert.match(lines.at(-1)?.message ?? '', /^account prod: source login_history works again \(after 1 failure\(s\) since /);
  log.sourceSucceeded({ account: 'prod', source: 'login_history', startedAt: at, durationSeconds: 1, rows: 3, delivered: 3 });
  assert.equal(lines.filter((line) => /works again/.test(line.message)).length, 1, 'the recovery is said once');
});

test('progress: at most one line per interval, with the rows so far of every stream', () => {
  const { log, lines, advance } = logFor({ progressIntervalMs: 10_000 });
  log.sourceStarted('prod');
  log.progress('prod', 'query_history', 1000);
  advance(4_000);
  log.progress('prod', 'login_history', 1000);
  advance(6_000);
  log.progress('prod', 'query_history', 2000);
  advance(3_000);
  log.progress('prod', 'query_history', 3000);
  assert.deepEqual(
    lines.map((line) => line.message),
    ['account prod: cycle running for 10 s; rows so far: query_history=2000, login_history=1000'],
  );
  advance(7_000);
  log.progress('prod', 'query_history', 4000);
  assert.equal(lines.length, 2);
  // A new cycle starts its own count.
  log.cycleFinished('prod', 'ok', 30);
  log.sourceStarted('prod');
  log.progress('prod', 'query_history', 1000);
  assert.equal(lines.filter((line) => /rows so far/.test(line.message)).length, 2);
});

test('one line per cycle: rows per source, findings by severity, cost, and what failed or was skipped', async () => {
  const { log, lines } = logFor();
  const finding = (severity: Finding['severity']): Finding => ({
    account: 'prod',
    id: `f-${severity}-${Math.random()}`,
    detectionId: 'test',
    severity,
    user: null,
    time: at,
    observedAt: at,
    evidenceIds: ['q1'],
    reason: 'r',
    attributes: {},
  });
  log.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt: at, durationSeconds: 2, rows: 120, delivered: 120 });
  log.sourceSucceeded({ account: 'prod', source: 'users', startedAt: at, durationSeconds: 1, rows: 0, delivered: 0 });
  log.sourceFailed('prod', 'login_history', 'timeout', at, timeout);
  log.sourceSkipped('prod', 'sessions', 'unavailable');
  await log.findingsSink.deliver({ account: 'prod', source: 'query_history', events: [], findings: [finding('high'), finding('critical'), finding('high')] }, new AbortController().signal);
  log.cost({ account: 'prod', statements: 7, rows: 120, bytes: 0, warehouseSeconds: 61, credits: 0.0169 });
  log.cycleFinished('prod', 'partial', 12.34);
  const line = lines.at(-1)!;
  assert.equal(line.level, 'info');
  assert.equal(
    line.message,
    'account prod: cycle partial in 12.3 s; rows: query_history=120 (1 source(s) read none); findings: critical=1, high=2; ' +
      'warehouse 61 s, 0.0169 credits, 7 statements; failed: login_history (timeout); unavailable: sessions',
  );
  assert.deepEqual(line.fields, {
    account: 'prod',
    outcome: 'partial',
    durationSeconds: 12.34,
    rows: 120,
    findings: 3,
    warehouseSeconds: 61,
    credits: 0.0169,
    statements: 7,
    findings_critical: 1,
    findings_high: 2,
  });
  // The next cycle starts from nothing.
  log.cycleFinished('prod', 'ok', 1);
  assert.match(lines.at(-1)?.message ?? '', /^account prod: cycle ok in 1\.0 s; rows: none; findings: none$/);
});

test('a cycle that cannot start: one warning, then the same one rate-limited, and a line when cycles start again', () => {
  const { log, lines, warnings } = logFor();
  const refused = { kind: 'auth' as const, snowflakeCode: '390144', httpStatus: 401, code: 'SF_AUTHENTICATION_FAILED', message: 'Snowflake rejected the keypair token' };
  log.cycleFinished('prod', 'failed', 0.1, { ...refused, stage: 'start', at });
  log.cycleFinished('prod', 'failed', 0.1, { ...refused, stage: 'start', at });
  assert.deepEqual(warnings(), [
    'account prod: the collection cycle could not start, no source ran: auth, Snowflake 390144, HTTP 401, SF_AUTHENTICATION_FAILED: Snowflake rejected the keypair token',
  ]);
  log.cycleFinished('prod', 'cancelled', 0.1); // a stop says nothing about the account
  log.cycleFinished('prod', 'ok', 3);
  assert.ok(lines.some((line) => /^account prod: collection cycles start again \(after 2 failure\(s\)/.test(line.message)));
});

test('debug: statement handles, partitions, retries with the HTTP status and Snowflake code, requests without an answer', () => {
  const { log, lines } = logFor();
  const handle = '01b2c3d4-0000-1111-0000-000000000001';
  log.sqlApiEvent('prod', { type: 'statement', state: 'running', statementHandle: handle, requestId: 'r-1' });
  log.sqlApiEvent('prod', { type: 'request', kind: 'status', method: 'GET', status: 202, errorCode: undefined, durationMs: 5, statementHandle: handle });
  log.sqlApiEvent('prod', { type: 'statement', state: 'done', statementHandle: handle, requestId: 'r-1', rows: 2500, partitions: 3 });
  log.sqlApiEvent('prod', { type: 'request', kind: 'partition', method: 'GET', status: 200, errorCode: undefined, durationMs: 12.4, statementHandle: handle, partition: 2 });
  log.sqlApiEvent('prod', { type: 'retry', kind: 'submit', reason: 'status', status: 429, attempt: 1, delayMs: 1000, snowflakeCode: '390505' });
  log.sqlApiEvent('prod', { type: 'request', kind: 'submit', method: 'POST', status: undefined, errorCode: 'UND_ERR_SOCKET', durationMs: 3 });
  log.sqlApiEvent('prod', { type: 'cancel', statementHandle: handle, ok: true });
  assert.ok(lines.every((line) => line.level === 'debug'));
  assert.deepEqual(
    lines.map((line) => line.message),
    [
      `account prod: statement ${handle} is running (request r-1)`,
      `account prod: statement ${handle} done: 2500 rows in 3 partition(s)`,
      `account prod: partition 2 of statement ${handle}: HTTP 200 in 12 ms`,
      'account prod: submit request retried (attempt 1, in 1000 ms): HTTP 429, Snowflake 390505',
      'account prod: submit request: no answer (UND_ERR_SOCKET) in 3 ms',
      `account prod: cancel of statement ${handle} accepted`,
    ],
    'status polls are not written one by one',
  );
});
