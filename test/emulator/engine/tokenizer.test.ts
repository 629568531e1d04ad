// The tokenizer underneath the translator: strings with Snowflake escapes, $$ strings, quoted identifiers, comments,
// placeholders versus `:` paths, and statement splitting for MULTI_STATEMENT_COUNT.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { splitStatements } from '../../../emulator/engine/index.ts';
import { tokenize } from '../../../emulator/engine/translate/tokenizer.ts';

const meaningful = (sql: string): [string, string][] => tokenize(sql).filter((t) => t.kind !== 'ws').map((t) => [t.kind, t.value]);

test('strings decode backslash escapes and doubled quotes; $$ strings are verbatim', () => {
  assert.deepEqual(meaningful(String.raw`'a\\s''b\n' $$x\y'z$$`), [['string', "a\\s'b\n"], ['string', "x\\y'z"]]);
});

test('quoted identifiers keep case; unquoted ones are upper-cased; comments are whitespace', () => {
  assert.deepEqual(meaningful('select "MiXed", mixed -- note\n/* block */ x'), [['ident', 'SELECT'], ['qident', 'MiXed'], ['op', ','], ['ident', 'MIXED'], ['ident', 'X']]);
});

test('placeholders ? :1 :name versus paths v:a and "V":a', () => {
  assert.deepEqual(meaningful('SELECT ?, :1, v:a, "V":b FROM t WHERE x = :name AND y=:2'), [
    ['ident', 'SELECT'], ['param', '?'], ['op', ','], ['param', '1'], ['op', ','], ['ident', 'V'], ['op', ':'], ['ident', 'A'], ['op', ','],
    ['qident', 'V'], ['op', ':'], ['ident', 'B'], ['ident', 'FROM'], ['ident', 'T'], ['ident', 'WHERE'], ['ident', 'X'], ['op', '='], ['param', 'name'],
    ['ident', 'AND'], ['ident', 'Y'], ['op', '='], ['param', '2'],
  ]);
});

test('operators :: => || and numbers', () => {
  assert.deepEqual(meaningful("a::NUMBER(10,2) input => 'x' || 1.5e3"), [
    ['ident', 'A'], ['op', '::'], ['ident', 'NUMBER'], ['op', '('], ['number', '10'], ['op', ','], ['number', '2'], ['op', ')'],
    ['ident', 'INPUT'], ['op', '=>'], ['string', 'x'], ['op', '||'], ['number', '1.5e3'],
  ]);
});

test('splitStatements ignores semicolons in strings, identifiers and comments', () => {
  assert.deepEqual(splitStatements("SELECT ';'; SELECT \"a;b\" -- ;\n;;  SELECT 3;"), ["SELECT ';'", 'SELECT "a;b" -- ;', 'SELECT 3']);
  assert.deepEqual(splitStatements('  ;  '), []);
});

test('an unterminated string is a compilation error', () => {
  assert.throws(() => tokenize("SELECT 'abc"), /SQL compilation error/);
});
