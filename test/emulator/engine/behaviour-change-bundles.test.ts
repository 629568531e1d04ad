// An account without a behaviour-change bundle lacks the view columns the bundle adds: the engine option
// `disabledBundles` reproduces that, so the exporter's fallback can be tested. With the bundle (the default) the
// column is VARCHAR, as documented (https://docs.snowflake.com/en/release-notes/bcr-bundles/2025_07/bcr-2052).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { BEHAVIOUR_CHANGE_COLUMNS, SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import { BEHAVIOUR_CHANGE_BUNDLES, VIEWS } from '../../../emulator/schema.ts';
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

test('the bundles are the ones emulator/schema.ts names: each column whose note says a bundle adds it carries that bundle', () => {
  const named = new Map<string, string[]>();
  for (const view of VIEWS) {
    for (const column of view.columns) {
      const said = /added by behaviour-change bundle (\d{4}_\d{2})/i.exec(column.note ?? '')?.[1];
      assert.equal(column.bundle, said, `${view.name}.${column.name}: bundle field and note agree`);
      if (said !== undefined) {
        assert.ok(column.note!.includes(`/bcr-bundles/${said}/`), `${view.name}.${column.name}: the note links the bundle's page`);
        named.set(said, [...(named.get(said) ?? []), `${view.name}.${column.name}`]);
      }
    }
  }
  assert.deepEqual([...named.keys()].sort(), [...BEHAVIOUR_CHANGE_BUNDLES].sort(), 'every bundle adds a column, every bundle named is listed');
  for (const bundle of BEHAVIOUR_CHANGE_BUNDLES) {
    assert.deepEqual(BEHAVIOUR_CHANGE_COLUMNS[bundle].map((e) => `${e.view}.${e.column}`), named.get(bundle));
  }
  // The ones the exporter's fallbacks depend on.
  assert.deepEqual(BEHAVIOUR_CHANGE_COLUMNS['2025_07'], [{ view: 'LOGIN_HISTORY', column: 'LOGIN_DETAILS' }]);
  assert.ok(BEHAVIOUR_CHANGE_COLUMNS['2025_06'].some((e) => e.view === 'QUERY_HISTORY' && e.column === 'AUTHN_EVENT_ID'));
});

for (const bundle of BEHAVIOUR_CHANGE_BUNDLES) {
  test(`without bundle ${bundle} the views lack exactly its columns, and naming one is 000904`, async (t) => {
    const engine = await testEngine({ disabledBundles: [bundle] });
    t.after(() => engine.close());
    const hidden = BEHAVIOUR_CHANGE_COLUMNS[bundle];
    for (const view of VIEWS) {
      const answer = await run(engine, `SELECT * FROM SNOWFLAKE.${view.schema}.${view.name} LIMIT 0`);
      const expected = view.columns.filter((c) => !hidden.some((e) => e.view === view.name && e.column === c.name)).map((c) => c.name);
      assert.deepEqual(answer.names, expected, `${view.name} without ${bundle}`);
    }
    for (const { view, column } of hidden) {
      await assert.rejects(rows(engine, `SELECT v.${column} FROM SNOWFLAKE.ACCOUNT_USAGE.${view} v`), (error: unknown) => {
        assert.ok(error instanceof SnowflakeStatementError, String(error));
        assert.equal(error.code, '000904', error.message);
        assert.match(error.message, new RegExp(`\\ninvalid identifier 'V\\.${column}'$`));
        return true;
      });
    }
  });
}

test('an unknown bundle is refused', async () => {
  await assert.rejects(testEngine({ disabledBundles: ['1999_01' as '2025_07'] }), /unknown behaviour change bundle 1999_01/);
  await testEngine({ disabledBundles: [...BEHAVIOUR_CHANGE_BUNDLES] }).then((engine) => engine.close());
});
