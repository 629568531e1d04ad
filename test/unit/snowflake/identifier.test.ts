// Identifier resolution as Snowflake does it (https://docs.snowflake.com/en/sql-reference/identifiers-syntax), and
// every place the exporter sends a name: the SQL API body (case-sensitive, must match what SHOW returns), the OAuth
// role scope and the key-pair JWT's user.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { test } from 'node:test';
import { decodeJwt } from 'jose';
import { canonicalAccountName, identifierMatches, IdentifierError, parseIdentifier, parseQualifiedName, resolveAccountName, resolveIdentifier } from '../../../src/snowflake/identifier.ts';
import { statementBody } from '../../../src/snowflake/sqlapi/statement-body.ts';
import { AuthError, KeyPairTokenSource, roleScope } from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';

test('unquoted names are stored upper case; quoted ones exactly, with "" for a double quote', () => {
  assert.equal(resolveIdentifier('risk_exporter'), 'RISK_EXPORTER');
  assert.equal(resolveIdentifier('Risk$Exporter_2'), 'RISK$EXPORTER_2');
  assert.equal(resolveIdentifier('_x'), '_X');
  assert.equal(resolveIdentifier('"risk_exporter"'), 'risk_exporter');
  assert.equal(resolveIdentifier('"Risk Exporter"'), 'Risk Exporter');
  assert.equal(resolveIdentifier('"quote""andunquote"""'), 'quote"andunquote"', "the docs' own example");
  assert.equal(resolveIdentifier('"3rd-role.é"'), '3rd-role.é');
  assert.equal(resolveIdentifier('RISK_EXPORTER'), 'RISK_EXPORTER');
  assert.equal(resolveIdentifier('"RISK_EXPORTER"'), 'RISK_EXPORTER', 'an unquoted name equals its upper-case quoted form');
  assert.deepEqual(parseIdentifier('"a"'), { ok: true, name: 'a', quoted: true });
  assert.deepEqual(parseIdentifier('a'), { ok: true, name: 'A', quoted: false });
});

test('text that is no identifier gets a reason that says how to write it', () => {
  const reasonOf = (text: string): string => {
    const parsed = parseIdentifier(text);
    assert.equal(parsed.ok, false, text);
    return parsed.ok ? '' : parsed.reason;
  };
  assert.equal(reasonOf(''), 'is empty');
  assert.match(reasonOf('risk-exporter'), /^contains "-": an unquoted name .* put it in double quotes and double any " inside it\)$/);
  assert.match(reasonOf('1role'), /^starts with "1"/);
  assert.match(reasonOf(' risk'), /^starts with a space/);
  assert.match(reasonOf('risk role'), /^contains a space/);
  assert.match(reasonOf('risk\trole'), /^contains the control character U\+0009/);
  assert.match(reasonOf('"risk'), /never closed/);
  assert.match(reasonOf('"'), /never closed/);
  assert.match(reasonOf('"a"b"'), /lone double quote/);
  assert.match(reasonOf('""'), /empty quoted name/);
  assert.match(reasonOf('x'.repeat(256)), /256 characters long; Snowflake allows at most 255/);
  assert.match(reasonOf(`"${'é'.repeat(256)}"`), /256 characters long/);
  assert.equal(resolveIdentifier('x'.repeat(255)), 'X'.repeat(255));
  assert.throws(() => resolveIdentifier('risk-exporter', 'the role'), (error: unknown) => error instanceof IdentifierError && error.message.startsWith('the role contains "-"'));
});

test('a written name matches the stored name it resolves to, and only that one', () => {
  assert.ok(identifierMatches('accountadmin', 'ACCOUNTADMIN'));
  assert.ok(identifierMatches('"Mixed Case"', 'Mixed Case'));
  assert.ok(!identifierMatches('"accountadmin"', 'ACCOUNTADMIN'));
  assert.ok(!identifierMatches('Mixed', 'Mixed'));
  assert.ok(!identifierMatches('bad name', 'BAD NAME'));
});

test('the SQL API body carries the resolved names: risk_exporter goes out as RISK_EXPORTER', () => {
  const body = JSON.parse(
    statementBody('SELECT 1', { database: '"Mixed Db"' }, { role: 'risk_exporter', warehouse: 'risk_wh', schema: 'account_usage' }),
  ) as Record<string, unknown>;
  assert.equal(body.role, 'RISK_EXPORTER');
  assert.equal(body.warehouse, 'RISK_WH');
  assert.equal(body.database, 'Mixed Db');
  assert.equal(body.schema, 'ACCOUNT_USAGE');
  const perCall = JSON.parse(statementBody('SELECT 1', { role: '"risk_exporter"' }, { role: 'other' })) as Record<string, unknown>;
  assert.equal(perCall.role, 'risk_exporter', 'a quoted name keeps its case');
  assert.throws(() => statementBody('SELECT 1', {}, { warehouse: 'risk wh' }), (error: unknown) => error instanceof IdentifierError && /the warehouse contains a space/.test(error.message));
});

test('the OAuth role scope and the key-pair JWT user use the same resolution', async () => {
  assert.equal(roleScope('risk_reader'), 'session:role:RISK_READER');
  assert.equal(roleScope('"RiskReader"'), 'session:role:RiskReader');
  assert.equal(roleScope('"Risk Role"'), 'session:role-encoded:Risk%20Role');
  assert.throws(() => roleScope('risk role'), (error: unknown) => error instanceof AuthError && error.code === 'AUTH_INVALID_OPTIONS' && /contains a space/.test(error.message));

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const pem = privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
  const jwtUser = async (user: string): Promise<string> => {
    const source = new KeyPairTokenSource({ jwtAccount: 'MYORG-MYACCOUNT', user, privateKeyPem: new Secret(pem, 'test') });
    return String(decodeJwt((await source.getToken()).token).sub);
  };
  assert.equal(await jwtUser('risk_svc'), 'MYORG-MYACCOUNT.RISK_SVC');
  // The JWT wants the user in upper case whatever its stored case; the quotes are never part of it.
  assert.equal(await jwtUser('"Risk_Svc"'), 'MYORG-MYACCOUNT.RISK_SVC');
  assert.throws(() => new KeyPairTokenSource({ jwtAccount: 'A', user: 'risk-svc', privateKeyPem: new Secret(pem, 'test') }), AuthError);
});

test('qualified names resolve part by part; a dot inside quotes belongs to its part', () => {
  assert.deepEqual(parseQualifiedName('sales.public."Orders.EU"'), ['SALES', 'PUBLIC', 'Orders.EU']);
  assert.deepEqual(parseQualifiedName('"a""b"'), ['a"b']);
  assert.deepEqual(parseQualifiedName('Mixed'), ['MIXED']);
  for (const bad of ['a..b', 'a.', '"open.b', 'a b', '']) assert.equal(parseQualifiedName(bad), undefined, bad);
});

test('account names written in SQL take the form Snowflake lists them in: upper case, quoted or not', () => {
  assert.equal(resolveAccountName('myorg.partner_1'), 'MYORG.PARTNER_1');
  assert.equal(resolveAccountName('"myorg"."Partner"'), 'MYORG.PARTNER');
  assert.equal(resolveAccountName('xy12345'), 'XY12345');
  assert.equal(resolveAccountName('my org.x'), undefined);
  assert.equal(canonicalAccountName(' Myorg.Partner '), 'MYORG.PARTNER');
});
