// Every error the engine maps, with Snowflake's code, SQL state, HTTP status and message shape.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import type { RunOptions } from './helpers.ts';
import { expectRefused, request, rows, testEngine } from './helpers.ts';

let engine: EmulatorEngine;
before(async () => {
  // MONITOR (the helpers' role) reads every SNOWFLAKE schema; PUBLIC none.
  engine = await testEngine({ grants: { MONITOR: ['IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE', 'USAGE ON WAREHOUSE COMPUTE_WH'] } });
  await engine.insertRows('USERS', [{ USER_ID: 1, NAME: 'ALICE', CREATED_ON: '2025-01-01T00:00:00Z' }]);
});
after(async () => {
  await engine.close();
});

function expectError(sql: string, code: string, sqlState: string, message: RegExp, options: RunOptions = {}): Promise<void> {
  return expectRefused(engine, sql, code, sqlState, message, options);
}

test('a parser error is 001003 / 42000 "SQL compilation error:\\nsyntax error ..."', async () => {
  await expectError('SELEC 1', '001003', '42000', /^SQL compilation error:\nsyntax error line 1 at position 0 unexpected 'SELEC'\.$/);
  await expectError('SELECT (1', '001003', '42000', /^SQL compilation error:\nsyntax error/);
  await expectError('SELECT 1\nFROM WHERE x', '001003', '42000', /^SQL compilation error:\nsyntax error line 2 at position 5 unexpected 'WHERE'\.$/);
  await expectError('SELECT 1 FROM', '001003', '42000', /^SQL compilation error:\nsyntax error/);
});

test('a missing table or schema is 002003 / 42S02', async () => {
  await expectError('SELECT * FROM no_such_table', '002003', '42S02', /^SQL compilation error:\nObject 'NO_SUCH_TABLE' does not exist or not authorized\.$/);
  await expectError('SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.NO_SUCH_VIEW', '002003', '42S02', /Object '.*NO_SUCH_VIEW' does not exist or not authorized\./);
  await expectError('SELECT * FROM SNOWFLAKE.NOPE.USERS', '002003', '42S02', /does not exist or not authorized\./);
});

test('a missing table fails at compile time even without a warehouse', async () => {
  await expectError('SELECT * FROM no_such_table', '002003', '42S02', /does not exist/, { warehouse: undefined });
});

test('a missing column is 000904 invalid identifier', async () => {
  await expectError('SELECT no_such_column FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '000904', '42000', /^SQL compilation error: error line 1 at position 7\ninvalid identifier 'NO_SUCH_COLUMN'$/);
});

test('division by zero is 100051 / 22012', async () => {
  await expectError('SELECT 1/0', '100051', '22012', /^Division by zero$/);
  await expectError('SELECT user_id / (user_id - 1) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '100051', '22012', /Division by zero/);
});

test('a conversion failure is 100038 / 22018', async () => {
  await expectError(`SELECT 'abc'::NUMBER`, '100038', '22018', /Numeric value 'abc' is not recognized/);
});

test('invalid JSON in PARSE_JSON is 100069 / 22P02', async () => {
  await expectError(`SELECT PARSE_JSON('{not json')`, '100069', '22P02', /^Error parsing JSON: /);
});

test('no warehouse, or an unknown one, is 000606 / 57P03', async () => {
  const message = /^No active warehouse selected in the current session\. {2}Select an active warehouse with the 'use warehouse' command\./;
  await expectError('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '000606', '57P03', message, { warehouse: undefined });
  await expectError('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '000606', '57P03', message, { warehouse: 'NO_SUCH_WH' });
  assert.deepEqual(await rows(engine, 'SELECT 1', { warehouse: 'NO_SUCH_WH' }), [['1']], 'metadata-only statements need no warehouse');
});

test('BEGIN, COMMIT and ROLLBACK alone are 391911 / 0A000', async () => {
  await expectError('BEGIN', '391911', '0A000', /^Command not supported by SQL API: TRANSACTION_BEGIN$/);
  await expectError('BEGIN TRANSACTION', '391911', '0A000', /TRANSACTION_BEGIN/);
  await expectError('COMMIT', '391911', '0A000', /TRANSACTION_COMMIT/);
  await expectError('ROLLBACK;', '391911', '0A000', /TRANSACTION_ROLLBACK/);
});

test('a role without ACCOUNT_USAGE access gets 002003 / 02000 naming the schema (recording 079)', async () => {
  const message = (role: string, schema: string): RegExp =>
    new RegExp(
      `^SQL compilation error:\\nSchema 'SNOWFLAKE\\.${schema}' does not exist or not authorized\\. ` +
        `Your primary role ${role} or one of your secondary roles must have USAGE or any other privilege granted on SCHEMA SNOWFLAKE\\.${schema}\\.$`,
    );
  await expectError('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '002003', '02000', message('PUBLIC', 'ACCOUNT_USAGE'), { role: 'PUBLIC' });
  await expectError('SELECT COUNT(*) FROM users', '002003', '02000', message('PUBLIC', 'ACCOUNT_USAGE'), { role: 'PUBLIC', database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE' });
  await expectError('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS', '002003', '02000', message('PUBLIC', 'ACCOUNT_USAGE'), { role: 'PUBLIC' });
  assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM users', { database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE' }), [['1']], 'a granted role reads it, also through the session schema');
});

test('a statement cancelled while waiting is 000604 / 57014', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 50);
  await expectError('SELECT SYSTEM$WAIT(30)', '000604', '57014', /^SQL execution canceled$/, { signal: controller.signal });
});

test('a cancel reason that is a Snowflake error (the protocol layer\'s timeout) is passed through', async () => {
  const controller = new AbortController();
  const timeout = new SnowflakeStatementError({ code: '000630', sqlState: '57014', message: 'Statement reached its statement or warehouse timeout of 1 second(s) and was canceled.', httpStatus: 408 });
  setTimeout(() => controller.abort(timeout), 50);
  await assert.rejects(engine.execute(request('SELECT SYSTEM$WAIT(30)', { signal: controller.signal })), (error: unknown) => error === timeout);
});

const ENDLESS = 'WITH RECURSIVE r (x) AS (SELECT 1 UNION ALL SELECT x + 1 FROM r WHERE x < 1000000000000) SELECT COUNT(*) FROM r';

test('a long DuckDB query is interrupted by the abort signal', async () => {
  const controller = new AbortController();
  setTimeout(() => controller.abort(), 400);
  await expectError(ENDLESS, '000604', '57014', /canceled/, { signal: controller.signal });
});

/**
 * The controller's own signal, but the engine's k-th use of it (reading `aborted` or `reason`, adding or removing a
 * listener) aborts it in the next microtask: the abort lands at the engine's next `await` after that use (connecting
 * to DuckDB, setting up the session, compiling, running). Uses are counted in `uses`. If the k-th use never comes
 * (it is one after the run), the signal aborts after `fallbackMs`, while the statement runs.
 */
function signalAbortingAtUse(k: number, fallbackMs: number): { signal: AbortSignal; uses: () => number; dispose: () => void } {
  const controller = new AbortController();
  let count = 0;
  const fallback = setTimeout(() => controller.abort(), fallbackMs);
  const signal = new Proxy(controller.signal, {
    get(target, key) {
      const value: unknown = Reflect.get(target, key, target);
      if (++count === k) queueMicrotask(() => controller.abort());
      return typeof value === 'function' ? (value as (...args: unknown[]) => unknown).bind(target) : value;
    },
  });
  return { signal, uses: () => count, dispose: () => clearTimeout(fallback) };
}

test('an abort at any moment of the statement stops it, also while its connection is being set up', async () => {
  // How often the engine looks at the signal for a statement of the same shape that ends.
  const counting = signalAbortingAtUse(0, 60_000);
  await rows(engine, ENDLESS.replace('1000000000000', '10'), { signal: counting.signal });
  counting.dispose();
  const uses = counting.uses();
  assert.ok(uses >= 3, `the engine looks at the signal (${uses} times)`);
  for (let k = 1; k <= uses; k++) {
    // An abort that is lost leaves the statement running for hours: 10 s is far beyond any abort that works. k = 1
    // lands while the engine connects to DuckDB, before it listens to the signal; the last use before the run lands
    // just after run() was called, when DuckDB's interrupt() is still lost.
    const { signal, dispose } = signalAbortingAtUse(k, 500);
    let bound: ReturnType<typeof setTimeout> | undefined;
    const outcome = await Promise.race([
      rows(engine, ENDLESS, { signal }).then(
        () => 'finished',
        (error: unknown) => (error instanceof SnowflakeStatementError ? error.code : String(error)),
      ),
      new Promise<string>((resolve) => (bound = setTimeout(() => resolve('still running after 10 s'), 10_000))),
    ]);
    clearTimeout(bound);
    dispose();
    assert.equal(outcome, '000604', `abort after the engine's use ${k} of ${uses} of the signal`);
  }
});

test('an already aborted signal fails before running', async () => {
  const controller = new AbortController();
  controller.abort();
  await expectError('SELECT 1', '000604', '57014', /canceled/, { signal: controller.signal });
});

test('statements other than queries are refused by name (the emulated views are read-only)', async () => {
  await expectError('DELETE FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', '001003', '42000', /DELETE/);
  await expectError('SHOW TABLES', '001003', '42000', /SHOW TABLES/);
});

test('an unknown function is 002140 / 42601 "Unknown function X"', async () => {
  await expectError('SELECT NO_SUCH_FN(1)', '002140', '42601', /^SQL compilation error:\nUnknown function NO_SUCH_FN$/);
});
