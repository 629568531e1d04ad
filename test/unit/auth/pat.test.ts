import assert from 'node:assert/strict';
import { test } from 'node:test';
import { inspect } from 'node:util';
import { AuthError } from '../../../src/snowflake/auth/errors.ts';
import { createTokenSource, ProgrammaticAccessTokenSource } from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';

const patValue = 'pat-secret-value-0123456789abcdef';

test('a PAT is handed out as a bearer with the PROGRAMMATIC_ACCESS_TOKEN type', async () => {
  const tokens = new ProgrammaticAccessTokenSource({ token: new Secret(`${patValue}\n`, 'file:/run/secrets/pat') });
  assert.equal(tokens.method, 'pat');
  assert.deepEqual(await tokens.getToken(), { token: patValue, type: 'PROGRAMMATIC_ACCESS_TOKEN' });
});

test('invalidate() is a no-op that does not throw: a PAT cannot be renewed', async () => {
  const tokens = new ProgrammaticAccessTokenSource({ token: new Secret(patValue) });
  const bearer = await tokens.getToken();
  assert.doesNotThrow(() => tokens.invalidate(bearer));
  assert.deepEqual(await tokens.getToken(), bearer);
});

test('an empty PAT is rejected at construction, naming its source only', () => {
  assert.throws(
    () => new ProgrammaticAccessTokenSource({ token: new Secret('  ', 'env:SNOWFLAKE_PAT') }),
    (error: unknown) => error instanceof AuthError && error.code === 'AUTH_INVALID_OPTIONS' && /env:SNOWFLAKE_PAT/.test(error.message),
  );
});

test('an aborted signal rejects getToken instead of throwing synchronously', async () => {
  const tokens = new ProgrammaticAccessTokenSource({ token: new Secret(patValue) });
  const pending = tokens.getToken(AbortSignal.abort());
  await assert.rejects(pending, { name: 'AbortError' });
});

test('the factory builds a PAT source, and printing it does not show the token', async () => {
  const tokens = createTokenSource({ method: 'pat', token: new Secret(patValue) });
  assert.equal(tokens.method, 'pat');
  assert.equal((await tokens.getToken()).type, 'PROGRAMMATIC_ACCESS_TOKEN');
  assert.ok(!inspect(tokens, { depth: 5 }).includes(patValue));
  assert.ok(!JSON.stringify(tokens).includes(patValue));
});
