// What a real account refuses when it compiles a statement, the emulator refuses the same way, so a statement that
// would fail on Snowflake fails in our tests: a `:` path / `[]` subscript / GET on something that is not semi-structured
// (types resolved through the statement's scopes, never guessed from a column's name), a bind marker as a row count or
// in place of a name, a function Snowflake does not have (DuckDB's own included), DuckDB-only operators. Every case
// here was accepted (or failed differently) before the translator resolved types; the sources of each rule are in
// emulator/engine/README.md.

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import type { RunOptions } from './helpers.ts';
import { expectRefused, rows, run, testEngine } from './helpers.ts';

const USERS = 'SNOWFLAKE.ACCOUNT_USAGE.USERS';
const ACCESS = 'SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY';

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine();
  await engine.insertRows('USERS', [{ USER_ID: 1, NAME: 'ALICE', CREATED_ON: '2025-01-01T00:00:00Z', DISABLED: 'false' }]);
  await engine.insertRows('ACCESS_HISTORY', [
    { QUERY_ID: 'a1', QUERY_START_TIME: '2026-10-09T10:00:00Z', USER_NAME: 'U', DIRECT_OBJECTS_ACCESSED: [{ objectName: 'DB.S.T' }], OBJECT_MODIFIED_BY_DDL: { objectName: 'S1' } },
  ]);
});
after(async () => {
  await engine.close();
});

function refused(sql: string, code: string, sqlState: string, message: RegExp, options: RunOptions = {}): Promise<void> {
  return expectRefused(engine, sql, code, sqlState, message, options);
}

const getError = (position: string, argumentTypes: string, fn = 'GET'): RegExp =>
  new RegExp(`^SQL compilation error: error line 1 at position ${position}\\nInvalid argument types for function '${fn}': \\(${argumentTypes.replace(/[()]/g, '\\$&')}\\)$`);

describe('a : path, [] subscript, GET or GET_PATH compiles only on VARIANT, OBJECT or ARRAY (001044 / 42P13)', () => {
  const cases: [string, string, string, string?][] = [
    [`SELECT NAME:displayName FROM ${USERS}`, '7', 'VARCHAR(16777216), VARCHAR(11)'],
    [`SELECT u.NAME:a.b FROM ${USERS} u`, '7', 'VARCHAR(16777216), VARCHAR(1)'],
    [`SELECT 'abc'[0]`, '7', 'VARCHAR(3), NUMBER(1,0)'],
    [`SELECT USER_ID['k'] FROM ${USERS}`, '7', 'NUMBER(38,0), VARCHAR(1)'],
    [`SELECT GET(NAME, 'a') FROM ${USERS}`, '7', 'VARCHAR(16777216), VARCHAR(1)'],
    [`SELECT GET_PATH(CREATED_ON, 'a.b') FROM ${USERS}`, '7', 'TIMESTAMP_LTZ(9), VARCHAR(3)', 'GET_PATH'],
    // GET takes a name on an OBJECT and an index on an ARRAY (https://docs.snowflake.com/en/sql-reference/functions/get).
    [`SELECT DIRECT_OBJECTS_ACCESSED:objectName FROM ${ACCESS}`, '7', 'ARRAY, VARCHAR(10)'],
    [`SELECT OBJECT_MODIFIED_BY_DDL[0] FROM ${ACCESS}`, '7', 'OBJECT, NUMBER(1,0)'],
  ];
  for (const [sql, position, types, fn] of cases) {
    test(sql, async () => {
      await refused(sql, '001044', '42P13', getError(position, types, fn));
    });
  }

  test('the error points at the expression: line and column in the statement', async () => {
    await refused(`SELECT 1,\n  NAME:x FROM ${USERS}`, '001044', '42P13', /^SQL compilation error: error line 2 at position 2\n/);
  });

  test('the same paths on semi-structured values compile and read', async () => {
    const sql = `SELECT DIRECT_OBJECTS_ACCESSED[0]:objectName::STRING, OBJECT_MODIFIED_BY_DDL:objectName::STRING,
      GET(DIRECT_OBJECTS_ACCESSED, 0):objectName::STRING, GET_PATH(DIRECT_OBJECTS_ACCESSED, '[0].objectName')::STRING FROM ${ACCESS}`;
    assert.deepEqual(await rows(engine, sql), [['DB.S.T', 'S1', 'DB.S.T', 'DB.S.T']]);
  });
});

describe('types come from the statement\'s scopes, not from column names', () => {
  test('a VARCHAR aliased like a VARIANT column (DISABLED) is still a VARCHAR', async () => {
    await refused(`SELECT DISABLED:x FROM (SELECT TO_VARCHAR(DISABLED) AS DISABLED FROM ${USERS})`, '001044', '42P13', getError('7', 'VARCHAR(16777216), VARCHAR(1)'));
  });

  test('a VARIANT aliased anything stays a VARIANT, through derived tables and CTEs', async () => {
    assert.deepEqual(await rows(engine, `SELECT j:a FROM (SELECT PARSE_JSON('{"a":1}') AS j)`), [['1']]);
    assert.deepEqual(await rows(engine, `WITH c AS (SELECT OBJECT_MODIFIED_BY_DDL AS name FROM ${ACCESS}) SELECT name:objectName::STRING FROM c`), [['S1']]);
  });

  test('the column list of WITH RECURSIVE X (A, B) types the CTE', async () => {
    const cte = `WITH RECURSIVE X (A, B) AS (SELECT 'x', PARSE_JSON('{"k":1}'))`;
    assert.deepEqual(await rows(engine, `${cte} SELECT B:k FROM X`), [['1']]);
    await refused(`${cte} SELECT A:k FROM X`, '001044', '42P13', /Invalid argument types for function 'GET': \(VARCHAR/);
  });

  test('FLATTEN: VALUE and THIS are VARIANT, KEY and PATH VARCHAR, INDEX and SEQ NUMBER', async () => {
    const flat = `TABLE(FLATTEN(input => PARSE_JSON('{"a":{"x":2}}'))) f`;
    assert.deepEqual(await rows(engine, `SELECT f.value:x, f.this:a.x FROM ${flat}`), [['2', '2']]);
    await refused(`SELECT f.key:x FROM ${flat}`, '001044', '42P13', /\(VARCHAR\(16777216\), VARCHAR\(1\)\)/);
    await refused(`SELECT f.path:x FROM ${flat}`, '001044', '42P13', /\(VARCHAR\(16777216\), VARCHAR\(1\)\)/);
    await refused(`SELECT index[0] FROM ${flat}`, '001044', '42P13', /\(NUMBER\(38,0\), NUMBER\(1,0\)\)/);
  });

  test('a correlated subquery sees the outer query\'s columns with their types', async () => {
    await refused(`SELECT u.USER_ID FROM ${USERS} u WHERE EXISTS (SELECT 1 FROM SNOWFLAKE.ACCOUNT_USAGE.ROLES r WHERE u.NAME:x = r.NAME)`, '001044', '42P13', /'GET': \(VARCHAR/);
  });

  test('VALUES rows are typed by their first row and named COLUMN1...', async () => {
    assert.deepEqual(await rows(engine, `SELECT v.y:a FROM (VALUES (1, PARSE_JSON('{"a":2}'))) AS v (x, y)`), [['2']]);
    assert.deepEqual(await rows(engine, `SELECT column2 FROM VALUES (1, 'a')`), [['a']]);
    await refused(`SELECT t.column1:a FROM (VALUES ('s')) t`, '001044', '42P13', /'GET': \(VARCHAR/);
  });

  test('the rowType says object / array / variant after the same resolution', async () => {
    const answer = await run(engine, `SELECT x, d, o, v FROM (SELECT OBJECT_CONSTRUCT('a', 1) AS x, DIRECT_OBJECTS_ACCESSED AS d, OBJECT_MODIFIED_BY_DDL AS o, '1'::VARIANT AS v FROM ${ACCESS})`);
    assert.deepEqual(answer.rowType.map((f) => f.type), ['object', 'array', 'object', 'variant']);
    const star = await run(engine, `SELECT * FROM ${ACCESS}`);
    assert.deepEqual(star.rowType.filter((f) => ['DIRECT_OBJECTS_ACCESSED', 'OBJECT_MODIFIED_BY_DDL'].includes(f.name)).map((f) => f.type), ['array', 'object']);
  });
});

describe('PARSE_JSON, TRY_PARSE_JSON and casts to semi-structured types', () => {
  test('PARSE_JSON of an empty or blank string is NULL; of a JSON string literal a VARIANT string', async () => {
    assert.deepEqual(await rows(engine, `SELECT PARSE_JSON(''), PARSE_JSON('  '), PARSE_JSON('"abc"'), TRY_PARSE_JSON('{'), PARSE_JSON(NULL)`), [[null, null, '"abc"', null, null]]);
  });

  test('PARSE_JSON of invalid JSON is 100069', async () => {
    await refused(`SELECT PARSE_JSON('{')`, '100069', '22P02', /^Error parsing JSON: /);
  });

  test('::VARIANT of text is a VARIANT string, not parsed JSON', async () => {
    assert.deepEqual(await rows(engine, `SELECT '{"a":1}'::VARIANT:a, '{"a":1}'::VARIANT`), [[null, '"{\\"a\\":1}"']]);
  });

  test('text does not convert to OBJECT or ARRAY', async () => {
    await refused(`SELECT '{"a":1}'::OBJECT`, '001003', '42000', /invalid type \[CAST\('\{"a":1\}' AS OBJECT\)\] for parameter 'TO_OBJECT'/);
    await refused(`SELECT CAST(NAME AS ARRAY) FROM ${USERS}`, '001003', '42000', /invalid type \[CAST\(NAME AS ARRAY\)\] for parameter 'TO_ARRAY'/);
  });
});

describe('bind markers where Snowflake refuses them', () => {
  const text = { type: 'TEXT', value: 'x' };
  const five = { type: 'FIXED', value: '5' };
  const rowCounts: [string, RunOptions['bindings'], string][] = [
    [`SELECT NAME FROM ${USERS} LIMIT ?`, { 1: five }, '?'],
    [`SELECT NAME FROM ${USERS} ORDER BY NAME LIMIT :n`, { n: five }, ':n'],
    [`SELECT NAME FROM ${USERS} LIMIT 1 OFFSET ?`, { 1: five }, '?'],
    [`SELECT NAME FROM ${USERS} FETCH FIRST ? ROWS ONLY`, { 1: five }, '?'],
    [`SELECT TOP ? NAME FROM ${USERS}`, { 1: five }, '?'],
    [`WITH c AS (SELECT NAME FROM ${USERS} LIMIT ?) SELECT * FROM c`, { 1: five }, '?'],
  ];
  for (const [sql, bindings, marker] of rowCounts) {
    test(`row count: ${sql}`, async () => {
      await refused(sql, '002010', '2201W', new RegExp(`^SQL compilation error:\\nInvalid row count '${marker.replace('?', '\\?')}' in (limit|offset) clause$`), { bindings });
    });
  }

  const names: [string, string][] = [
    ['SELECT * FROM ?', "syntax error line 1 at position 14 unexpected '?'."],
    [`SELECT u.? FROM ${USERS} u`, "syntax error line 1 at position 9 unexpected '?'."],
    [`SELECT NAME AS ? FROM ${USERS}`, "syntax error line 1 at position 15 unexpected '?'."],
    [`SELECT * FROM ${USERS} JOIN :t ON TRUE`, "unexpected ':t'."],
  ];
  for (const [sql, message] of names) {
    test(`in place of a name: ${sql}`, async () => {
      await refused(sql, '001003', '42000', new RegExp(message.replace(/[?.()]/g, '\\$&')), { bindings: { 1: text, t: text } });
    });
  }

  test('IDENTIFIER(?) is documented but not emulated: refused loudly, naming it', async () => {
    await refused('SELECT * FROM IDENTIFIER(?)', '001003', '42000', /IDENTIFIER\(\.\.\.\): the emulator does not resolve object names at run time/, { bindings: { 1: { type: 'TEXT', value: USERS } } });
    await refused('SELECT NAME FROM TABLE(IDENTIFIER(:t))', '001003', '42000', /IDENTIFIER/, { bindings: { t: { type: 'TEXT', value: USERS } } });
  });

  test('positional markers are numbered by where they stand, whatever the translation order', async () => {
    const bindings = { 1: { type: 'TEXT', value: 'first' }, 2: { type: 'TEXT', value: 'second' } };
    assert.deepEqual(await rows(engine, 'SELECT ? AS a, x FROM (SELECT ? AS x)', { bindings }), [['first', 'second']]);
  });
});

describe('functions and operators Snowflake does not have', () => {
  for (const [sql, name] of [
    ['SELECT list_value(1)', 'LIST_VALUE'],
    ["SELECT regexp_matches('a', 'a')", 'REGEXP_MATCHES'],
    ["SELECT strftime(CURRENT_TIMESTAMP(), '%Y')", 'STRFTIME'],
    ["SELECT json_extract('{}', '$.a')", 'JSON_EXTRACT'],
    ['SELECT * FROM range(3)', 'RANGE'],
  ] as const) {
    test(`${sql}: 002140 Unknown function ${name}`, async () => {
      await refused(sql, '002140', '42601', new RegExp(`^SQL compilation error:\\nUnknown function ${name}$`));
    });
  }

  for (const [sql, at] of [["SELECT 'a' ~ 'a'", "11 unexpected '~'"], ['SELECT 2 ^ 3', "9 unexpected '\\^'"], [`SELECT NAME -> 'a' FROM ${USERS}`, "12 unexpected '->'"]] as const) {
    test(`${sql}: a syntax error, as Snowflake has no such operator`, async () => {
      await refused(sql, '001003', '42000', new RegExp(`^SQL compilation error:\\nsyntax error line 1 at position ${at}\\.$`));
    });
  }

  test('Snowflake functions whose DuckDB namesakes differ keep Snowflake\'s meaning', async () => {
    const sql = `SELECT CONCAT('a', NULL), CONCAT('a', 1), REPLACE('abc', 'b'), POSITION('b', 'abc'), POSITION('b' IN 'abc'), POSITION('b', 'abcb', 3)`;
    assert.deepEqual(await rows(engine, sql), [[null, 'a1', 'ac', '2', '2', '4']]);
  });

  test('|| turns a VARIANT string into its text and a timestamp into the default output format', async () => {
    assert.deepEqual(await rows(engine, `SELECT 'x' || PARSE_JSON('"a"') || ' ' || CREATED_ON FROM ${USERS}`), [['xa 2025-01-01 00:00:00.000 +0000']]);
  });

  test('OBJECT_CONSTRUCT leaves out pairs whose value is SQL NULL, keeps a JSON null', async () => {
    assert.deepEqual(await rows(engine, `SELECT OBJECT_CONSTRUCT('a', 1, 'n', NULL, 'j', PARSE_JSON('null'))`), [['{\n  "a": 1,\n  "j": null\n}']]);
  });
});
