// The consent URL and its single-use states: PKCE S256 checked against RFC 7636's own example, the role scope as
// Snowflake wants it, and states that are random, expire, and count once (a replay is named as one).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { buildAuthorizationUrl, pkceChallenge, roleScope, createPkcePair, AuthError } from '../../../src/snowflake/auth/index.ts';
import { PendingAuthorizations } from '../../../src/oauth/index.ts';

test('PKCE S256 matches RFC 7636 appendix B, and fresh verifiers have the required shape', () => {
  assert.equal(pkceChallenge('dBjftJeZ4CVP-mB92K27uhbUJU1p1r_wW1gFWFOEjXk'), 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM');
  const pair = createPkcePair();
  assert.match(pair.verifier, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(pair.challenge, pkceChallenge(pair.verifier));
  assert.notEqual(createPkcePair().verifier, pair.verifier);
});

test('the role scope: unquoted names upper-cased, quoted ones literal, reserved characters percent-encoded', () => {
  assert.equal(roleScope('risk_reader'), 'session:role:RISK_READER');
  assert.equal(roleScope('"RiskReader"'), 'session:role:RiskReader');
  assert.equal(roleScope('"Risk Role"'), 'session:role-encoded:Risk%20Role');
  assert.equal(roleScope('"a""b"'), 'session:role-encoded:a%22b');
});

test('the authorize URL carries client, redirect, state, PKCE and the scope; a bad state is refused', () => {
  const url = buildAuthorizationUrl({
    baseUrl: 'https://myorg-finance.snowflakecomputing.com',
    clientId: 'Abc+Def/Ghi=',
    redirectUri: 'https://exporter.example/oauth/callback',
    state: 'st',
    codeChallenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    role: 'RISK_EXPORTER',
  });
  assert.equal(url.origin + url.pathname, 'https://myorg-finance.snowflakecomputing.com/oauth/authorize');
  assert.deepEqual(Object.fromEntries(url.searchParams), {
    client_id: 'Abc+Def/Ghi=',
    response_type: 'code',
    redirect_uri: 'https://exporter.example/oauth/callback',
    state: 'st',
    scope: 'refresh_token session:role:RISK_EXPORTER',
    code_challenge: 'E9Melhoa2OwvFrEMTJguCHaoeK1t8URWbuGJSstw-cM',
    code_challenge_method: 'S256',
  });
  assert.throws(
    () => buildAuthorizationUrl({ baseUrl: 'https://x', clientId: 'c', redirectUri: 'https://r', state: 'é', codeChallenge: 'c', role: 'R' }),
    AuthError,
  );
});

test('states are random, single use, expire, and are remembered after use so a replay is recognised', () => {
  let now = 1_000_000;
  const pending = new PendingAuthorizations({ ttlMs: 60_000, now: () => now });
  const first = pending.begin('finance', 'http://127.0.0.1:9975/oauth/callback');
  const second = pending.begin('finance', 'http://127.0.0.1:9975/oauth/callback');
  assert.notEqual(first.state, second.state);
  assert.match(first.state, /^[A-Za-z0-9_-]{43}$/);
  assert.equal(first.codeChallenge, pkceChallenge(first.codeVerifier));
  assert.equal(pending.lookup('made-up').status, 'unknown');

  assert.equal(pending.lookup(first.state).status, 'pending', 'a lookup does not consume');
  assert.equal(pending.consume(first.state)?.codeVerifier, first.codeVerifier);
  assert.equal(pending.consume(first.state), undefined, 'single use');
  assert.deepEqual(pending.lookup(first.state), { status: 'used', account: 'finance' });

  now += 60_000;
  assert.deepEqual(pending.lookup(second.state), { status: 'expired', account: 'finance' });
  assert.equal(pending.consume(second.state), undefined);
});

test('pending sign-ins are bounded: the oldest is dropped first', () => {
  const pending = new PendingAuthorizations({ maxPending: 3 });
  const states = Array.from({ length: 5 }, () => pending.begin('finance', 'http://x/cb').state);
  assert.equal(pending.lookup(states[0] ?? '').status, 'unknown');
  assert.equal(pending.lookup(states[1] ?? '').status, 'unknown');
  for (const state of states.slice(2)) assert.equal(pending.lookup(state).status, 'pending');
});
