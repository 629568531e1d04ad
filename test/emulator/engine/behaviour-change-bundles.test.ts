// An account without a behaviour-change bundle lacks the view columns the bundle adds: the engine option
// `disabledBundles` reproduces that, so the exporter's fallback can be tested. With the bundle (the default) the
// column is VARCHAR, as documented (https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_07/bcr-2052).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import { rows, run, testEngine } from './helpers.ts';

const LOGIN = { EVENT_ID: 1, EVENT_TIMESTAMP: '2026-10-01T00:00:00Z', LOGIN_DETAILS: '{"malicious_ip_protection_info":"{\\"result\\":\\"BLOCKED\\"}"}' };

test('with bundle 2025_07 (the default) LOGIN_HISTORY.LOGIN_DETAILS is VARCHAR text', async (t) => {
  const engine = await testEngine();
  t.after(() => engine.close());
  await engine.insertRows('LOGIN_HISTORY', [LOGIN]);
  const answer = await run(engine, 'SELECT LOGIN_DETAILS FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY');
  assert.equal(answer.rowType[0]?.type, 'text');
  assert.deepEqual(answer.rows, [[LOGIN.LOGIN_DETAILS]]);
});

test('without bundle 2025_07 the column is absent: 000904 naming it as the statement does', async (t) => {
  const engine = await testEngine({ disabledBundles: ['2025_07'] });
  t.after(() => engine.close());
  // The rows load the same either way (the storage keeps the column); only the view hides it.
  await engine.insertRows('LOGIN_HISTORY', [LOGIN]);
  assert.deepEqual(await rows(engine, 'SELECT EVENT_ID FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY'), [['1']]);
  for (const [sql, name] of [
    ['SELECT LOGIN_DETAILS FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY', 'LOGIN_DETAILS'],
    ['SELECT TRY_PARSE_JSON(l.LOGIN_DETAILS) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l', 'L.LOGIN_DETAILS'],
  ] as const) {
    await assert.rejects(rows(engine, sql), (error: unknown) => {
      assert.ok(error instanceof SnowflakeStatementError);
      assert.equal(error.code, '000904');
      assert.match(error.message, new RegExp(`\\ninvalid identifier '${name.replace('.', '\\.')}'$`));
      return true;
    });
  }
});

test('an unknown bundle is refused', async () => {
  await assert.rejects(testEngine({ disabledBundles: ['1999_01' as '2025_07'] }), /unknown behaviour change bundle 1999_01/);
});
