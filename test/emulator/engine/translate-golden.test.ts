// Golden tests of the Snowflake -> DuckDB translation: Snowflake SQL in, the rows Snowflake returns out (as wire text).
// Every construct the brief lists has at least one case here; the expected values follow Snowflake's documented
// semantics (anchored regular expressions, unit keywords, NULL-propagating GREATEST, NULLS LAST/FIRST...).

import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import { T0, rows, run, testEngine } from './helpers.ts';

const epoch = (iso: string): string => `${Date.parse(iso) / 1000}.000000000`;
const days = (iso: string): string => String(Date.parse(`${iso}T00:00:00Z`) / 86_400_000);

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine();
});
after(async () => {
  await engine.close();
});

const cases: [string, string, (string | null)[][]][] = [
  ['REGEXP_LIKE is anchored at both ends', `SELECT REGEXP_LIKE('abc', 'b'), REGEXP_LIKE('abc', '.*b.*'), REGEXP_LIKE('abc', 'abc')`, [['false', 'true', 'true']]],
  ['REGEXP_LIKE flags i and c', `SELECT REGEXP_LIKE('ABC', 'abc', 'i'), REGEXP_LIKE('ABC', 'abc'), REGEXP_LIKE('ABC', 'abc', 'c')`, [['true', 'false', 'false']]],
  ['. crosses a newline only with s', `SELECT REGEXP_LIKE('a\\nb', 'a.b'), REGEXP_LIKE('a\\nb', 'a.b', 's'), REGEXP_LIKE('CREATE\\nSHARE s', '.*create\\\\s+share.*', 'is')`, [['false', 'true', 'true']]],
  ['m makes ^ and $ match at line ends', `SELECT REGEXP_LIKE('x\\nab\\ny', '.*^ab$.*', 'ms'), REGEXP_LIKE('x\\nab\\ny', '.*^ab$.*', 's')`, [['true', 'false']]],
  ['backslash escapes in string literals reach the regex', `SELECT REGEXP_LIKE('create   share x', 'create\\\\s+share\\\\s.*')`, [['true']]],
  ['RLIKE as a function and as an operator', `SELECT RLIKE('abc', 'a.c'), 'abc' RLIKE 'b', 'abc' NOT RLIKE 'b', 'abc' REGEXP 'abc'`, [['true', 'false', 'true', 'true']]],
  [
    'REGEXP_SUBSTR with position, occurrence, e and group',
    `SELECT REGEXP_SUBSTR('COPY INTO @my_db.stage1/x FROM t', 'COPY\\\\s+INTO\\\\s+(\\\\$\\\\$|'')?@([A-Za-z0-9_\\\\.]+)', 1, 1, 'ie', 2),
            REGEXP_SUBSTR('a1b22c333', '[0-9]+', 1, 2), REGEXP_SUBSTR('key=val', '(\\\\w+)=(\\\\w+)', 1, 1, 'e'),
            REGEXP_SUBSTR('xyz', 'a+'), REGEXP_SUBSTR('a1b22', '[0-9]+', 3)`,
    [['my_db.stage1', '22', 'key', null, '22']],
  ],
  [
    'DATEADD / TIMESTAMPADD with unit keywords, quoted units and a DATE',
    `SELECT DATEADD(HOUR, -24, '2026-10-09 12:00:00'::TIMESTAMP_LTZ), DATEADD('day', 1, '2026-10-09'::DATE),
            TIMESTAMPADD(MINUTE, 90, '2026-10-09 00:00:00'::TIMESTAMP_NTZ), DATEADD(month, 1, '2026-01-31'::DATE)`,
    [[epoch('2026-10-08T12:00:00Z'), days('2026-10-10'), epoch('2026-10-09T01:30:00Z'), days('2026-02-28')]],
  ],
  [
    'DATEDIFF counts unit boundaries',
    `SELECT DATEDIFF(HOUR, '2026-01-01 00:59:00'::TIMESTAMP_NTZ, '2026-01-01 01:00:00'::TIMESTAMP_NTZ),
            DATEDIFF('minute', '2026-01-01 00:00:00'::TIMESTAMP_LTZ, '2026-01-01 02:00:30'::TIMESTAMP_LTZ),
            DATEDIFF(day, '2026-01-01'::DATE, '2026-01-31'::DATE), TIMESTAMPDIFF(SECOND, '2026-01-01'::TIMESTAMP_NTZ, '2026-01-02'::TIMESTAMP_NTZ)`,
    [['1', '120', '30', '86400']],
  ],
  [
    'DATE_TRUNC with unquoted and quoted units',
    `SELECT DATE_TRUNC(DAY, '2026-10-09 13:14:15'::TIMESTAMP_LTZ), DATE_TRUNC('HOUR', '2026-10-09 13:14:15'::TIMESTAMP_NTZ), DATE_TRUNC(MONTH, '2026-10-09'::DATE)`,
    [[epoch('2026-10-09T00:00:00Z'), epoch('2026-10-09T13:00:00Z'), days('2026-10-01')]],
  ],
  [
    'CURRENT_TIMESTAMP() and friends follow the virtual clock',
    `SELECT CURRENT_TIMESTAMP(), CURRENT_TIMESTAMP, SYSDATE(), CURRENT_DATE, CURRENT_DATE(), GETDATE()`,
    [[epoch(T0.toISOString()), epoch(T0.toISOString()), epoch(T0.toISOString()), days('2026-10-09'), days('2026-10-09'), epoch(T0.toISOString())]],
  ],
  [
    'IFF, NVL, NVL2, ZEROIFNULL, DIV0',
    `SELECT IFF(1 > 2, 'a', 'b'), NVL(NULL, 'x'), NVL2(NULL, 'a', 'b'), NVL2(1, 'a', 'b'), ZEROIFNULL(NULL), DIV0(1, 0), NULLIFZERO(0)`,
    [['b', 'x', 'b', 'a', '0', '0', null]],
  ],
  [
    'COUNT_IF, BOOLOR_AGG, BOOLAND_AGG',
    `SELECT COUNT_IF(x > 1), BOOLOR_AGG(x > 2), BOOLAND_AGG(x > 1) FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3)`,
    [['2', 'true', 'false']],
  ],
  [
    ': paths, quoted keys, [n] indexes and ::STRING',
    `SELECT PARSE_JSON('{"a":{"b":[10,{"c":"x"}]}}'):a.b[1].c::STRING, PARSE_JSON('{"a":{"b":[10]}}'):a.b[0],
            PARSE_JSON('{"Quoted Key":1}'):"Quoted Key", PARSE_JSON('{"a":"s"}'):a, PARSE_JSON('[5,6]')[1],
            PARSE_JSON('{"A":1,"a":2}'):a, PARSE_JSON('{"a":{"b":1}}')['a']['b']`,
    [['x', '10', '1', '"s"', '6', '2', '1']],
  ],
  ['PARSE_JSON and TRY_PARSE_JSON', `SELECT TRY_PARSE_JSON('not json'), TRY_PARSE_JSON('[1]'), PARSE_JSON(NULL)`, [[null, '[\n  1\n]', null]]],
  [
    ':: casts to NUMBER, BOOLEAN (also from VARIANT), STRING, VARCHAR',
    `SELECT '42'::NUMBER, '12.345'::NUMBER(10,2), 'true'::BOOLEAN, PARSE_JSON('true')::BOOLEAN, PARSE_JSON('"false"')::BOOLEAN,
            42::STRING, 42::VARCHAR, PARSE_JSON('"abc"')::STRING, PARSE_JSON('{"k":1}')::STRING, PARSE_JSON('{"n":7}'):n::NUMBER`,
    [['42', '12.35', 'true', 'true', 'false', '42', '42', 'abc', '{"k":1}', '7']],
  ],
  [
    ':: casts to timestamps and dates, with a +hhmm offset',
    `SELECT '2026-10-09 12:34:56 +0700'::TIMESTAMP_LTZ, '2026-10-09 12:34:56'::TIMESTAMP_NTZ, '2026-10-09'::DATE, '2026-10-09 23:00:00'::TIMESTAMP_LTZ::DATE,
            PARSE_JSON('{"t":"2026-10-09T00:00:00Z"}'):t::TIMESTAMP_LTZ`,
    [[epoch('2026-10-09T05:34:56Z'), epoch('2026-10-09T12:34:56Z'), days('2026-10-09'), days('2026-10-09'), epoch('2026-10-09T00:00:00Z')]],
  ],
  [
    'ARRAY_CONTAINS takes (value, array)',
    `SELECT ARRAY_CONTAINS('b'::VARIANT, PARSE_JSON('["a","b"]')), ARRAY_CONTAINS('z'::VARIANT, PARSE_JSON('["a","b"]')), ARRAY_CONTAINS(2::VARIANT, ARRAY_CONSTRUCT(1, 2))`,
    [['true', 'false', 'true']],
  ],
  ['ARRAY_SIZE and SPLIT', `SELECT ARRAY_SIZE(PARSE_JSON('[1,2,3]')), ARRAY_SIZE(SPLIT('a,b', ',')), SPLIT('a,b', ','), ARRAY_SIZE(PARSE_JSON('{}'))`, [['3', '2', '[\n  "a",\n  "b"\n]', null]]],
  [
    'TO_TIMESTAMP_LTZ and TO_CHAR',
    `SELECT TO_TIMESTAMP_LTZ(1791547200), TO_TIMESTAMP_LTZ('2026-10-09T12:00:00Z'), TO_TIMESTAMP_LTZ(1791547200000, 3),
            TO_CHAR('2026-10-09 13:14:15'::TIMESTAMP_NTZ, 'YYYY-MM-DD HH24:MI'), TO_VARCHAR(5)`,
    [[epoch('2026-10-09T12:00:00Z'), epoch('2026-10-09T12:00:00Z'), epoch('2026-10-09T12:00:00Z'), '2026-10-09 13:14', '5']],
  ],
  ['LISTAGG with WITHIN GROUP', `SELECT LISTAGG(x, ',') WITHIN GROUP (ORDER BY x DESC) FROM (SELECT 'a' AS x UNION ALL SELECT 'b' UNION ALL SELECT 'c')`, [['c,b,a']]],
  ['QUALIFY', `SELECT x FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3) QUALIFY ROW_NUMBER() OVER (ORDER BY x DESC) = 1`, [['3']]],
  [
    'TABLE(FLATTEN(input => array)) with VALUE and INDEX',
    `SELECT f.value::STRING AS v, f.index FROM TABLE(FLATTEN(input => PARSE_JSON('["x","y","z"]'))) f ORDER BY f.index`,
    [['x', '0'], ['y', '1'], ['z', '2']],
  ],
  [
    'LATERAL FLATTEN over an object gives KEY and VALUE',
    `SELECT f.key, f.value FROM (SELECT PARSE_JSON('{"b":2,"a":1}') AS o) t, LATERAL FLATTEN(input => t.o) f ORDER BY f.key`,
    [['a', '1'], ['b', '2']],
  ],
  [
    'LATERAL FLATTEN over SPLIT of a comma list',
    `SELECT TRIM(f.value::STRING) AS account FROM (SELECT 'ORG.A, ORG.B' AS target_accounts) s, LATERAL FLATTEN(input => SPLIT(s.target_accounts, ',')) f ORDER BY account`,
    [['ORG.A'], ['ORG.B']],
  ],
  ['ILIKE ANY', `SELECT 'Hello' ILIKE ANY ('h%', 'x%'), 'Hello' ILIKE ANY ('x%', 'y%'), 'Hello' LIKE ANY ('H%')`, [['true', 'false', 'true']]],
  ['GREATEST and LEAST return NULL if any argument is NULL', `SELECT GREATEST(1, NULL, 3), GREATEST(1, 3), LEAST(2, NULL), LEAST(2, 1)`, [[null, '3', null, '1']]],
  ['ASC puts NULLs last', `SELECT x FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 2) ORDER BY x`, [['1'], ['2'], [null]]],
  ['DESC puts NULLs first', `SELECT x FROM (SELECT 1 AS x UNION ALL SELECT NULL UNION ALL SELECT 2) ORDER BY x DESC`, [[null], ['2'], ['1']]],
  [
    'variants compare with numbers and booleans by value',
    `SELECT COUNT(*) FROM (SELECT PARSE_JSON('{"n":10,"b":false}') AS e) WHERE e:n > 9 AND e:n = 10 AND e:b = FALSE AND NOT e:b::BOOLEAN`,
    [['1']],
  ],
  ['variant paths compare as text', `SELECT COUNT(*) FROM (SELECT PARSE_JSON('{"app":"rapeflake"}') AS e) WHERE e:app IN ('rapeflake') AND e:app = 'rapeflake'`, [['1']]],
  // Integer division is a FLOAT here, where Snowflake answers NUMBER with scale (2.500000): cast to FLOAT to compare.
  ['division keeps operator precedence', `SELECT 10::FLOAT / 4, 2 * 3::FLOAT / 2, -(6::FLOAT / 3), 1 + 6::FLOAT / 3 * 2`, [['2.5', '3', '-2', '5']]],
  ['ARRAY_AGG skips NULLs and honours WITHIN GROUP', `SELECT ARRAY_AGG(x) WITHIN GROUP (ORDER BY x DESC) FROM (SELECT 'b' AS x UNION ALL SELECT NULL UNION ALL SELECT 'a')`, [['[\n  "b",\n  "a"\n]']]],
  ['OBJECT_CONSTRUCT', `SELECT OBJECT_CONSTRUCT('b', 1, 'a', 'x')`, [['{\n  "a": "x",\n  "b": 1\n}']]],
  [
    'timestamps as text use the default output formats',
    `SELECT CURRENT_TIMESTAMP()::STRING, TO_CHAR('2026-10-09 01:02:03.5'::TIMESTAMP_NTZ), TO_VARCHAR('2026-10-09'::DATE)`,
    [['2026-10-09 12:00:00.000 +0000', '2026-10-09 01:02:03.500', '2026-10-09']],
  ],
  [
    'DECODE matches NULL to NULL; TIMEADD/TIMEDIFF; SHA2; APPROX_PERCENTILE; ARRAY_UNIQUE_AGG',
    `SELECT DECODE(NULL, 1, 'one', NULL, 'null', 'other'), DECODE(2, 1, 'one', 2, 'two'), DECODE(3, 1, 'one'),
            TIMEDIFF(MINUTE, '2026-10-09 00:00:00'::TIMESTAMP_NTZ, TIMEADD(HOUR, 1, '2026-10-09 00:00:00'::TIMESTAMP_NTZ)), SHA2('abc'),
            (SELECT APPROX_PERCENTILE(x, 0.5) FROM (SELECT 5 AS x)), (SELECT ARRAY_UNIQUE_AGG(x) FROM (SELECT 'a' AS x UNION ALL SELECT 'a'))`,
    [['null', 'two', null, '60', 'ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad', '5', '[\n  "a"\n]']],
  ],
  ['string functions pass through', `SELECT UPPER('a'), SPLIT_PART('a.b', '.', 2), STARTSWITH('abc', 'ab'), CONTAINS('abc', 'b'), CHARINDEX('b', 'abc')`, [['A', 'b', 'true', 'true', '2']]],
];

describe('Snowflake SQL in, Snowflake rows out', () => {
  for (const [name, sql, expected] of cases) {
    test(name, async () => {
      assert.deepEqual(await rows(engine, sql), expected);
    });
  }
});

test('the TIMEZONE session parameter changes timestamp text, as in recording 032', async () => {
  const answer = await rows(engine, 'SELECT CURRENT_TIMESTAMP()::TIMESTAMP_LTZ, CURRENT_TIMESTAMP()::STRING', { parameters: { TIMEZONE: 'America/Los_Angeles' } });
  assert.deepEqual(answer, [[epoch(T0.toISOString()), '2026-10-09 05:00:00.000 -0700']]);
});

test('nested LATERAL FLATTEN over a view ARRAY column and a path inside it', async () => {
  await engine.insertRows('ACCESS_HISTORY', [
    {
      QUERY_ID: 'a1', QUERY_START_TIME: '2026-10-09T10:00:00Z', USER_NAME: 'U',
      DIRECT_OBJECTS_ACCESSED: [{ objectName: 'DB.S.T', objectDomain: 'Table', columns: [{ columnName: 'C1' }, { columnName: 'C2' }] }, { objectName: '@ST', objectDomain: 'Stage' }],
    },
  ]);
  const sql = `SELECT a.query_id, o.value:objectName::STRING AS object, c.value:columnName::STRING AS column_name
    FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY a, LATERAL FLATTEN(input => a.direct_objects_accessed) o, LATERAL FLATTEN(input => o.value:columns) c
    ORDER BY column_name`;
  assert.deepEqual(await rows(engine, sql), [['a1', 'DB.S.T', 'C1'], ['a1', 'DB.S.T', 'C2']]);
  const stages = `SELECT value:objectName::STRING FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY, LATERAL FLATTEN(input => direct_objects_accessed) WHERE value:objectDomain = 'Stage'`;
  assert.deepEqual(await rows(engine, stages), [['@ST']]);
});

describe('result column names follow Snowflake', () => {
  test('aliases upper-cased unless quoted; expressions named by their upper-cased text', async () => {
    const answer = await run(engine, `SELECT 1 AS abc, 2 AS "MiXed", 3 x, upper('a'), t.col, t."q", col + 1 FROM (SELECT 5 AS col, 6 AS "q") t`);
    assert.deepEqual(answer.names, ['ABC', 'MiXed', 'X', "UPPER('A')", 'COL', 'q', 'COL + 1']);
    assert.deepEqual((await run(engine, `SELECT COUNT(*), count(distinct x) AS n FROM (SELECT 1 AS x)`)).names, ['COUNT(*)', 'N']);
    assert.deepEqual((await run(engine, `SELECT 1 IS NULL n, TRUE t, MIN(1) first`)).names, ['N', 'T', 'FIRST']);
  });

  test('a star keeps the view column names', async () => {
    const answer = await run(engine, `SELECT *, 1 AS one FROM SNOWFLAKE.ACCOUNT_USAGE.ROLES`);
    assert.deepEqual(answer.names, ['ROLE_ID', 'CREATED_ON', 'DELETED_ON', 'NAME', 'COMMENT', 'OWNER', 'ROLE_TYPE', 'ROLE_DATABASE_NAME', 'ROLE_INSTANCE_ID', 'OWNER_ROLE_TYPE', 'IS_FROM_ORGANIZATION_USER_GROUP', 'ONE']);
  });

  test('names of the recorded statements (REC#030, REC#034)', async () => {
    assert.deepEqual((await run(engine, `SELECT 'NaN'::FLOAT, 'inf'::FLOAT, '-inf'::FLOAT`)).names, ["'NAN'::FLOAT", "'INF'::FLOAT", "'-INF'::FLOAT"]);
    assert.deepEqual((await run(engine, `SELECT PARSE_JSON('"s"'), PARSE_JSON('[1,{"a":2}]')`)).names, [`PARSE_JSON('"S"')`, `PARSE_JSON('[1,{"A":2}]')`]);
  });
});

describe('constructs the emulator cannot reproduce fail loudly, naming the construct', () => {
  const failing: [string, string][] = [
    ['SELECT HASH(1)', 'HASH'],
    ['SELECT SEQ4()', 'SEQ4'],
    ["SELECT 'POINT(1 2)'::GEOGRAPHY", 'GEOGRAPHY'],
    ['SELECT * FROM t MATCH_RECOGNIZE (ORDER BY x)', 'MATCH_RECOGNIZE'],
    ["SELECT 'a' NOT ILIKE ANY ('a')", 'NOT ILIKE ANY'],
    ["SELECT REGEXP_REPLACE('aaa', 'a', 'b', 1, 2)", 'REGEXP_REPLACE'],
    ["SELECT f.value FROM TABLE(FLATTEN(input => PARSE_JSON('[1]'), outer => TRUE)) f", 'OUTER'],
    ["SELECT TO_CHAR(5, '999')", 'TO_CHAR'],
    ['SELECT * FROM TABLE(GENERATOR(ROWCOUNT => 10))', 'GENERATOR'],
  ];
  for (const [sql, construct] of failing) {
    test(sql, async () => {
      await assert.rejects(rows(engine, sql), (error: unknown) => {
        assert.ok(error instanceof SnowflakeStatementError);
        assert.equal(error.code, '001003');
        assert.equal(error.sqlState, '42000');
        assert.equal(error.httpStatus, 422);
        assert.match(error.message, /^SQL compilation error:\n/);
        assert.ok(error.message.includes(construct), `${error.message} names ${construct}`);
        return true;
      });
    });
  }
});
