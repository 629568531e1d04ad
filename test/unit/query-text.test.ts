import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  applyQueryTextPolicy,
  checkQueryTextPolicy,
  DEFAULT_QUERY_TEXT_POLICY,
  QueryTextPolicyError,
  redactLiterals,
  truncateText,
  TRUNCATION_MARK,
} from '../../src/collect/query-text.ts';

const SECRET = 'hunter2';

describe('query text policies', () => {
  const sql = `ALTER USER bob SET PASSWORD = '${SECRET}'`;

  it('full keeps the text as is', () => {
    assert.equal(applyQueryTextPolicy(sql, { mode: 'full' }), sql);
  });

  it('none drops the text', () => {
    assert.equal(applyQueryTextPolicy(sql, { mode: 'none' }), null);
  });

  it('null text stays null under every policy', () => {
    for (const policy of [{ mode: 'full' }, { mode: 'truncate', maxLength: 5 }, { mode: 'redact' }, { mode: 'none' }] as const) {
      assert.equal(applyQueryTextPolicy(null, policy), null);
    }
  });

  it('truncate keeps a prefix and marks the cut', () => {
    assert.equal(applyQueryTextPolicy(sql, { mode: 'truncate', maxLength: 10 }), `ALTER USER${TRUNCATION_MARK}`);
    assert.equal(applyQueryTextPolicy('SELECT 1', { mode: 'truncate', maxLength: 8 }), 'SELECT 1');
  });

  it('truncate never splits a surrogate pair', () => {
    const text = `ab${'\u{1F600}'}cd`;
    assert.equal(truncateText(text, 3), `ab${TRUNCATION_MARK}`);
  });

  it('redact replaces literals, then truncates the redacted text', () => {
    assert.equal(applyQueryTextPolicy(sql, { mode: 'redact' }), 'ALTER USER bob SET PASSWORD = ?');
    const long = `SELECT * FROM t WHERE a = '${'x'.repeat(100)}' AND b = 1`;
    assert.equal(applyQueryTextPolicy(long, { mode: 'redact', maxLength: 30 }), `SELECT * FROM t WHERE a = ? AN${TRUNCATION_MARK}`);
  });

  it('the default policy redacts and bounds the text', () => {
    assert.equal(DEFAULT_QUERY_TEXT_POLICY.mode, 'redact');
    assert.ok(!applyQueryTextPolicy(sql, DEFAULT_QUERY_TEXT_POLICY)!.includes(SECRET));
  });

  it('rejects a bad maxLength early', () => {
    assert.throws(() => checkQueryTextPolicy({ mode: 'truncate', maxLength: 0 }), QueryTextPolicyError);
    assert.throws(() => checkQueryTextPolicy({ mode: 'redact', maxLength: 1.5 }), QueryTextPolicyError);
    assert.doesNotThrow(() => checkQueryTextPolicy({ mode: 'redact' }));
  });
});

describe('redactLiterals', () => {
  const cases: [string, string, string][] = [
    ['doubled quote inside a string', `SELECT 'it''s ${SECRET}' AS x`, 'SELECT ? AS x'],
    ['backslash-escaped quote inside a string', String.raw`SELECT 'a\'${SECRET}' FROM t`, 'SELECT ? FROM t'],
    ['dollar-quoted string', `CREATE FUNCTION f() RETURNS INT AS $$ return '${SECRET}'; $$`, 'CREATE FUNCTION f() RETURNS INT AS ?'],
    ['line comment with a quote in it', `SELECT a -- it's ${SECRET}\nFROM t`, 'SELECT a \nFROM t'],
    ['block comment', `SELECT /* ${SECRET} 'x */ a FROM t`, 'SELECT a FROM t'],
    ['double-slash comment', `SELECT 1 // ${SECRET}\n`, 'SELECT ? \n'],
    ['integers and decimals', 'SELECT 42, 3.14, .5, 1e-9, -7 FROM t', 'SELECT ?, ?, ?, ?, -? FROM t'],
    ['digits inside identifiers stay', 'SELECT col1, t_2024.x2 FROM db1.s3.t_2024 WHERE $1 = c9', 'SELECT col1, t_2024.x2 FROM db1.s3.t_2024 WHERE $1 = c9'],
    ['quoted identifiers stay, even with digits and quotes', 'SELECT "col 1", "a""b" FROM "T2"', 'SELECT "col 1", "a""b" FROM "T2"'],
    ['bind variables stay', 'SELECT * FROM t WHERE a = :from AND b = ?', 'SELECT * FROM t WHERE a = :from AND b = ?'],
    ['a quote inside a quoted identifier does not open a string', `SELECT "it's" FROM t WHERE x = '${SECRET}'`, `SELECT "it's" FROM t WHERE x = ?`],
    ['stage credentials', `CREATE STAGE s URL='s3://b/p' CREDENTIALS=(AWS_KEY_ID='AKIA${SECRET}' AWS_SECRET_KEY='${SECRET}')`, 'CREATE STAGE s URL=? CREDENTIALS=(AWS_KEY_ID=? AWS_SECRET_KEY=?)'],
    ['number glued to letters is consumed whole', 'SELECT 12abc', 'SELECT ?'],
    ['dollar quotes glued to a name still open a string', `SELECT a$$${SECRET}$$, my$var FROM t`, 'SELECT a?, my$var FROM t'],
    ['escaped backslash before the closing quote', String.raw`SELECT 'a\\' , '${SECRET}'`, 'SELECT ? , ?'],
  ];
  for (const [name, input, expected] of cases) {
    it(name, () => {
      const out = redactLiterals(input);
      assert.equal(out, expected);
      assert.ok(!out.includes(SECRET));
    });
  }

  describe('malformed SQL fails closed', () => {
    const malformed: [string, string][] = [
      ['unterminated string', `SELECT 'abc ${SECRET}`],
      ['unterminated string ending in an escape', `SELECT '${SECRET}\\`],
      ['string closed only by a doubled quote', `SELECT '${SECRET}''`],
      ['unterminated dollar string', `SELECT $$ ${SECRET}`],
      ['unterminated block comment', `SELECT 1 /* ${SECRET}`],
      ['unterminated quoted identifier hiding a literal', `SELECT "x FROM t WHERE p = '${SECRET}'`],
      ['stray quotes in a broken statement', `SELEC 'a' '${SECRET} FROM`],
      ['line comment at the very end', `SELECT 1 -- ${SECRET}`],
    ];
    for (const [name, input] of malformed) {
      it(name, () => {
        const out = redactLiterals(input);
        assert.ok(!out.includes(SECRET), `leaked in ${JSON.stringify(out)}`);
        assert.ok(!out.includes('abc'));
      });
    }

    it('no digit of a number survives anywhere outside identifiers', () => {
      const out = redactLiterals("SELECT 4111111111111111, '4111', 0x1F, 1.5e+10");
      assert.ok(!/4111|1F|1\.5/.test(out), out);
    });
  });
});
