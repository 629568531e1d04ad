// OAuthTokenSource and exchangeAuthorizationCode against a real HTTP server on loopback that stands in for
// Snowflake's token endpoint (Snowflake itself cannot be reached from tests). Every test asserts the requests the
// server saw, not only the result.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import { inspect } from 'node:util';
import {
  AuthError,
  exchangeAuthorizationCode,
  InMemoryOAuthTokenStore,
  OAuthReauthorizationRequiredError,
  OAuthTokenEndpointError,
  OAuthTokenSource,
  createTokenSource,
  type OAuthTokenSet,
  type OAuthTokenSourceOptions,
  type OAuthTokenStore,
} from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { FakeTokenEndpoint, snowflakeError, tokenAnswer } from './token-endpoint-server.ts';

// Client credentials with characters that form encoding must escape (+ / =), as Snowflake's base64 secrets have.
const CLIENT_ID = 'Abc+Def/Ghi=';
const CLIENT_SECRET = 'sEcReT+value/with=padding0123456789';
const START = Date.UTC(2026, 10, 26, 6, 0, 0);
const MINUTE = 60_000;
const DAY = 86_400_000;

let server: FakeTokenEndpoint;
before(async () => {
  server = await FakeTokenEndpoint.start();
});
after(async () => {
  await server.close();
});
beforeEach(() => {
  server.requests.length = 0;
  server.handler = () => ({ status: 500, body: 'unexpected request' });
});

class Clock {
  current = START;
  readonly now = (): number => this.current;
  advance(ms: number): void {
    this.current += ms;
  }
}

function tokenSet(overrides: Partial<OAuthTokenSet> = {}): OAuthTokenSet {
  return {
    accessToken: new Secret('access-1'),
    accessTokenExpiresAt: START + 10 * MINUTE,
    refreshToken: new Secret('refresh+1/=='),
    refreshTokenExpiresAt: START + 90 * DAY,
    scope: 'refresh_token session:role:RISK_READER',
    ...overrides,
  };
}

/** Records every save, so tests can assert what was persisted and in which order. */
class RecordingStore implements OAuthTokenStore {
  readonly saves: OAuthTokenSet[] = [];
  readonly inner: InMemoryOAuthTokenStore;
  constructor(initial: OAuthTokenSet | null) {
    this.inner = new InMemoryOAuthTokenStore(initial);
  }
  load(): Promise<OAuthTokenSet | null> {
    return this.inner.load();
  }
  async save(tokens: OAuthTokenSet): Promise<void> {
    this.saves.push(tokens);
    await this.inner.save(tokens);
  }
}

function makeSource(
  store: OAuthTokenStore,
  clock: Clock,
  overrides: Partial<OAuthTokenSourceOptions> = {},
): OAuthTokenSource {
  return new OAuthTokenSource({
    tokenEndpoint: server.url,
    clientId: CLIENT_ID,
    clientSecret: new Secret(CLIENT_SECRET, 'env:OAUTH_CLIENT_SECRET'),
    store,
    now: clock.now,
    retry: { maxAttempts: 3, baseDelayMs: 5, maxDelayMs: 20 },
    ...overrides,
  });
}

async function rejection(promise: Promise<unknown>): Promise<Error> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof Error);
    return error;
  }
  assert.fail('expected a rejection');
}

function assertNoSecrets(error: Error, secrets: string[]): void {
  const everything = `${error.message}\n${error.stack ?? ''}\n${inspect(error, { depth: 6 })}\n${JSON.stringify(error)}`;
  for (const secret of secrets) assert.ok(!everything.includes(secret), `the error leaks ${secret.slice(0, 4)}...`);
}

test('a fresh access token is returned from the store without any request', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet()), clock);
  assert.deepEqual(await tokens.getToken(), { token: 'access-1', type: 'OAUTH' });
  clock.advance(9 * MINUTE - 1);
  assert.equal((await tokens.getToken()).token, 'access-1', 'still more than refreshBeforeSeconds left');
  assert.equal(server.requests.length, 0);
  assert.equal(tokens.refreshTokenExpiresAt(), START + 90 * DAY);
});

test('refreshes refreshBeforeSeconds before expiry with Basic auth and the exact form body', async () => {
  const clock = new Clock();
  const store = new RecordingStore(tokenSet());
  const tokens = makeSource(store, clock, { userAgent: 'test-agent/1' });
  await tokens.getToken();
  server.handler = () => tokenAnswer({ access_token: 'access-2', expires_in: 600 });
  clock.advance(9 * MINUTE);

  assert.deepEqual(await tokens.getToken(), { token: 'access-2', type: 'OAUTH' });
  assert.equal(server.requests.length, 1);
  const [sent] = server.requests;
  assert.ok(sent);
  assert.equal(sent.method, 'POST');
  assert.equal(sent.path, '/oauth/token-request');
  assert.equal(sent.headers['content-type'], 'application/x-www-form-urlencoded');
  const expectedBasic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  assert.equal(sent.headers.authorization, `Basic ${expectedBasic}`);
  assert.equal(sent.headers['user-agent'], 'test-agent/1');
  assert.equal(sent.body, `grant_type=refresh_token&refresh_token=${encodeURIComponent('refresh+1/==')}`);

  assert.equal(store.saves.length, 1);
  const saved = store.saves[0]!;
  assert.equal(saved.accessToken.reveal(), 'access-2');
  assert.equal(saved.accessTokenExpiresAt, clock.now() + 600_000);
  assert.equal(saved.refreshToken?.reveal(), 'refresh+1/==', 'not rotated: the old refresh token is kept');
  assert.equal(saved.refreshTokenExpiresAt, START + 90 * DAY, 'and so is its expiry');
  assert.equal(saved.scope, 'refresh_token session:role:RISK_READER');

  // The new token is now cached: no further request while it is fresh.
  clock.advance(5 * MINUTE);
  assert.equal((await tokens.getToken()).token, 'access-2');
  assert.equal(server.requests.length, 1);
});

test('a rotated refresh token is saved before the new access token is returned, and used next time', async () => {
  const clock = new Clock();
  const store = new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 }));
  const tokens = makeSource(store, clock);
  server.handler = (_request, index) =>
    tokenAnswer({
      access_token: `access-${index + 2}`,
      refresh_token: `refresh-${index + 2}`,
      refresh_token_expires_in: 86_400,
      scope: 'refresh_token session:role:OTHER',
    });

  const first = await tokens.getToken();
  assert.equal(first.token, 'access-2');
  const persisted = await store.load();
  assert.equal(persisted?.refreshToken?.reveal(), 'refresh-2', 'persisted by the time getToken resolved');
  assert.equal(persisted?.refreshTokenExpiresAt, START + DAY);
  assert.equal(persisted?.scope, 'refresh_token session:role:OTHER');
  assert.equal(tokens.refreshTokenExpiresAt(), START + DAY);

  clock.advance(10 * MINUTE);
  assert.equal((await tokens.getToken()).token, 'access-3');
  assert.equal(server.requests[1]?.form.get('refresh_token'), 'refresh-2', 'the rotated token is the one sent next');
  assert.equal((await store.load())?.refreshToken?.reveal(), 'refresh-3');
});

test('ten concurrent getToken() calls while the token expires share exactly one refresh request', async () => {
  const clock = new Clock();
  const store = new RecordingStore(tokenSet({ accessTokenExpiresAt: START + 30_000 }));
  const tokens = makeSource(store, clock);
  server.handler = () => tokenAnswer({ access_token: 'access-2', refresh_token: 'refresh-2' }, 50);

  const results = await Promise.all(Array.from({ length: 10 }, () => tokens.getToken()));
  assert.deepEqual(new Set(results.map((bearer) => bearer.token)), new Set(['access-2']));
  assert.equal(server.requests.length, 1);
  assert.equal(store.saves.length, 1);
});

test('five callers reporting the same 401 concurrently cause exactly one refresh', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet()), clock);
  const seen = await Promise.all(Array.from({ length: 5 }, () => tokens.getToken()));
  assert.equal(server.requests.length, 0);
  server.handler = () => tokenAnswer({ access_token: 'access-2' }, 30);

  // Each request got a 401 and reports it, then asks again, all at once.
  const retried = await Promise.all(
    seen.map((bearer) => {
      tokens.invalidate(bearer);
      return tokens.getToken();
    }),
  );
  assert.deepEqual(new Set(retried.map((bearer) => bearer.token)), new Set(['access-2']));
  assert.equal(server.requests.length, 1);

  // A late report about the old token does not throw away the new one.
  tokens.invalidate(seen[0]!);
  assert.equal((await tokens.getToken()).token, 'access-2');
  // A report from another token type is ignored.
  tokens.invalidate({ token: 'access-2', type: 'KEYPAIR_JWT' });
  assert.equal((await tokens.getToken()).token, 'access-2');
  assert.equal(server.requests.length, 1);
});

test('invalid_grant requires re-authorisation and sends nothing more until new tokens are stored', async () => {
  const clock = new Clock();
  const store = new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 }));
  const tokens = makeSource(store, clock);
  server.handler = () => snowflakeError(400, 'invalid_grant', 'The refresh token is invalid or expired.');

  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthReauthorizationRequiredError);
  assert.equal(error.code, 'OAUTH_REAUTHORIZATION_REQUIRED');
  assert.equal(error.reason, 'refresh_token_rejected');
  assert.match(error.message, /invalid_grant.*The refresh token is invalid or expired/);
  assert.equal(tokens.state().reauthorizationRequired, true);
  assert.equal(server.requests.length, 1);

  const again = await rejection(tokens.getToken());
  assert.ok(again instanceof OAuthReauthorizationRequiredError);
  assert.equal(server.requests.length, 1, 'the rejected refresh token is not sent again');

  // The browser flow stores a new grant (its access token already expired, to force a refresh with it).
  await store.save(tokenSet({ accessTokenExpiresAt: START - 1, refreshToken: new Secret('refresh-new') }));
  server.handler = () => tokenAnswer({ access_token: 'access-after-consent' });
  assert.equal((await tokens.getToken()).token, 'access-after-consent');
  assert.equal(server.requests[1]?.form.get('refresh_token'), 'refresh-new');
  assert.equal(tokens.state().reauthorizationRequired, false);
});

test('an RFC 6749 style invalid_grant is recognised too', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock);
  server.handler = () => ({ status: 400, body: { error: 'invalid_grant', error_description: 'expired' } });
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthReauthorizationRequiredError);
  assert.equal(error.reason, 'refresh_token_rejected');
});

test('a refresh token expired by the clock fails without any request', async () => {
  const clock = new Clock();
  const tokens = makeSource(
    new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1, refreshTokenExpiresAt: START })),
    clock,
  );
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthReauthorizationRequiredError);
  assert.equal(error.reason, 'refresh_token_expired');
  assert.match(error.message, /2026-11-26T06:00:00\.000Z/);
  assert.equal(server.requests.length, 0);
});

test('no stored tokens, or no refresh token, require re-authorisation without any request', async () => {
  const clock = new Clock();
  const empty = await rejection(makeSource(new InMemoryOAuthTokenStore(), clock).getToken());
  assert.ok(empty instanceof OAuthReauthorizationRequiredError);
  assert.equal(empty.reason, 'no_tokens');

  const noRefresh = makeSource(
    new InMemoryOAuthTokenStore(tokenSet({ accessTokenExpiresAt: START - 1, refreshToken: null, refreshTokenExpiresAt: null })),
    clock,
  );
  const error = await rejection(noRefresh.getToken());
  assert.ok(error instanceof OAuthReauthorizationRequiredError);
  assert.equal(error.reason, 'no_refresh_token');
  assert.equal(server.requests.length, 0);
});

test('503 then 200 recovers within the retry bound', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock);
  server.handler = (_request, index) =>
    index === 0 ? { status: 503, body: 'Service Unavailable', headers: { 'retry-after': '0' } } : tokenAnswer({ access_token: 'access-2' });
  assert.equal((await tokens.getToken()).token, 'access-2');
  assert.equal(server.requests.length, 2);
  assert.equal(server.requests[1]?.body, server.requests[0]?.body, 'the retry sends the same grant');
});

test('a 5xx storm stops after maxAttempts with a typed error', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock);
  server.handler = () => snowflakeError(502, 'server_error', 'Bad gateway');
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthTokenEndpointError);
  assert.equal(error.code, 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE');
  assert.equal(error.status, 502);
  assert.equal(error.attempts, 3);
  assert.equal(server.requests.length, 3);
});

test('during an outage the access token is still used while it has not actually expired', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START + 30_000 })), clock);
  server.handler = () => ({ status: 503, body: 'down' });
  assert.equal((await tokens.getToken()).token, 'access-1');
  assert.equal(server.requests.length, 3, 'it did try to refresh first');
});

test('a network error is retried and ends in a typed error naming the failure', async () => {
  const closed = await FakeTokenEndpoint.start();
  const closedUrl = closed.url;
  await closed.close();
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock, {
    tokenEndpoint: closedUrl,
  });
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthTokenEndpointError);
  assert.equal(error.code, 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE');
  assert.equal(error.status, null);
  assert.equal(error.attempts, 3);
  assert.match(error.message, /ECONNREFUSED/);
  assertNoSecrets(error, [CLIENT_SECRET, 'refresh+1/==', encodeURIComponent(CLIENT_SECRET)]);
});

test('a garbage or incomplete 200 body is a typed error naming the problem', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock);
  server.handler = () => ({ status: 200, body: '<html>gateway login</html>' });
  const garbage = await rejection(tokens.getToken());
  assert.ok(garbage instanceof OAuthTokenEndpointError);
  assert.equal(garbage.code, 'OAUTH_TOKEN_RESPONSE_INVALID');
  assert.match(garbage.message, /not JSON/);
  assert.equal(server.requests.length, 1, 'a bad answer is not retried');

  server.handler = () => ({ status: 200, body: { expires_in: 'soon', token_type: 'Bearer' } });
  const incomplete = await rejection(tokens.getToken());
  assert.ok(incomplete instanceof OAuthTokenEndpointError);
  assert.match(incomplete.message, /access_token/);
  assert.match(incomplete.message, /expires_in/);

  server.handler = () => ({ status: 200, body: 'x'.repeat(200_000) });
  const huge = await rejection(tokens.getToken());
  assert.ok(huge instanceof OAuthTokenEndpointError);
  assert.match(huge.message, /larger than/);
});

test('invalid_client is a rejected request, not a re-authorisation', async () => {
  const clock = new Clock();
  const tokens = makeSource(new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 })), clock);
  server.handler = () => snowflakeError(401, 'invalid_client', 'This is an invalid client.');
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof OAuthTokenEndpointError);
  assert.equal(error.code, 'OAUTH_TOKEN_REQUEST_REJECTED');
  assert.equal(error.error, 'invalid_client');
  assert.equal(error.serverMessage, 'This is an invalid client.');
  assert.equal(server.requests.length, 1, '4xx is not retried');
});

test('a server echoing secrets in its answer never gets them into the thrown error', async () => {
  const clock = new Clock();
  const refresh = 'refresh-secret-abcdef123456';
  const tokens = makeSource(
    new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1, refreshToken: new Secret(refresh) })),
    clock,
  );
  const basic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  const echoes = [
    snowflakeError(400, 'invalid_request', `bad client secret ${CLIENT_SECRET} for token ${refresh}`),
    snowflakeError(400, 'invalid_request', `got Authorization: Basic ${basic}; secret=${encodeURIComponent(CLIENT_SECRET)}`),
    { status: 400, body: { error: `x ${CLIENT_SECRET}`, error_description: `refresh_token=${refresh}` } },
    { status: 400, body: `grant_type=refresh_token&refresh_token=${refresh}&secret=${CLIENT_SECRET}` },
    { status: 200, body: { access_token: 42, echo: CLIENT_SECRET, refresh_token: refresh } },
    { status: 200, body: `{"access_token":"${refresh}"` },
  ];
  for (const echo of echoes) {
    server.handler = () => echo;
    const error = await rejection(tokens.getToken());
    assert.ok(error instanceof AuthError);
    assertNoSecrets(error, [CLIENT_SECRET, refresh, encodeURIComponent(CLIENT_SECRET), encodeURIComponent(refresh), basic]);
  }
  assert.equal(server.requests.length, echoes.length);
});

test('a failing save keeps the refreshed tokens in memory and saves them on the next call', async () => {
  const clock = new Clock();
  const inner = new InMemoryOAuthTokenStore(tokenSet({ accessTokenExpiresAt: START - 1 }));
  let failNext = true;
  const flaky: OAuthTokenStore = {
    load: () => inner.load(),
    save: (tokens) => {
      if (failNext) {
        failNext = false;
        return Promise.reject(new Error(`disk full while writing ${tokens.refreshToken?.reveal()}`));
      }
      return inner.save(tokens);
    },
  };
  const tokens = makeSource(flaky, clock);
  server.handler = () => tokenAnswer({ access_token: 'access-2', refresh_token: 'refresh-rotated-2' });
  const error = await rejection(tokens.getToken());
  assert.ok(error instanceof AuthError);
  assert.equal(error.code, 'OAUTH_TOKEN_STORE_FAILED');
  assertNoSecrets(error, ['refresh-rotated-2']);

  assert.equal((await tokens.getToken()).token, 'access-2');
  assert.equal((await inner.load())?.refreshToken?.reveal(), 'refresh-rotated-2');
  assert.equal(server.requests.length, 1, 'the rotated token was not lost, so no second refresh');
});

test('a caller that aborts stops waiting, while the shared refresh completes for the others', async () => {
  const clock = new Clock();
  const store = new RecordingStore(tokenSet({ accessTokenExpiresAt: START - 1 }));
  const tokens = makeSource(store, clock);
  server.handler = () => tokenAnswer({ access_token: 'access-2', refresh_token: 'refresh-2' }, 80);
  const controller = new AbortController();
  const aborted = tokens.getToken(controller.signal);
  const other = tokens.getToken();
  controller.abort();
  await assert.rejects(aborted, { name: 'AbortError' });
  assert.equal((await other).token, 'access-2');
  assert.equal((await store.load())?.refreshToken?.reveal(), 'refresh-2');
  assert.equal(server.requests.length, 1);
});

test('exchangeAuthorizationCode sends code, redirect_uri and code_verifier and returns the first token set', async () => {
  const clock = new Clock();
  server.handler = () =>
    tokenAnswer({
      access_token: 'first-access',
      refresh_token: 'first-refresh',
      refresh_token_expires_in: 7_776_000,
      username: 'RISK_EXPORTER',
      scope: 'refresh_token session:role:RISK_READER',
    });
  const tokens = await exchangeAuthorizationCode({
    tokenEndpoint: server.url,
    clientId: new Secret(CLIENT_ID),
    clientSecret: new Secret(CLIENT_SECRET),
    code: new Secret('auth-code-123'),
    redirectUri: 'http://localhost:9898/oauth/callback',
    codeVerifier: 'verifier-abc_DEF-123~',
    enableSingleUseRefreshTokens: true,
    now: clock.now,
  });
  assert.equal(server.requests.length, 1);
  const sent = server.requests[0]!;
  assert.equal(
    sent.body,
    'grant_type=authorization_code&code=auth-code-123&redirect_uri=http%3A%2F%2Flocalhost%3A9898%2Foauth%2Fcallback' +
      '&code_verifier=verifier-abc_DEF-123%7E&enable_single_use_refresh_tokens=true',
  );
  assert.deepEqual(
    [...sent.form.entries()],
    [
      ['grant_type', 'authorization_code'],
      ['code', 'auth-code-123'],
      ['redirect_uri', 'http://localhost:9898/oauth/callback'],
      ['code_verifier', 'verifier-abc_DEF-123~'],
      ['enable_single_use_refresh_tokens', 'true'],
    ],
  );
  const expectedBasic = Buffer.from(`${encodeURIComponent(CLIENT_ID)}:${encodeURIComponent(CLIENT_SECRET)}`).toString('base64');
  assert.equal(sent.headers.authorization, `Basic ${expectedBasic}`);
  assert.equal(tokens.accessToken.reveal(), 'first-access');
  assert.equal(tokens.accessTokenExpiresAt, START + 600_000);
  assert.equal(tokens.refreshToken?.reveal(), 'first-refresh');
  assert.equal(tokens.refreshTokenExpiresAt, START + 90 * DAY);
  assert.equal(tokens.username, 'RISK_EXPORTER');
  assert.ok(!JSON.stringify(tokens).includes('first-'), 'a token set prints no token');
});

test('an invalid code is a typed rejection quoting only Snowflake\'s error and message', async () => {
  server.handler = () => snowflakeError(400, 'invalid_grant', 'Authorization code is invalid.');
  const error = await rejection(
    exchangeAuthorizationCode({
      tokenEndpoint: server.url,
      clientId: CLIENT_ID,
      clientSecret: new Secret(CLIENT_SECRET),
      code: 'auth-code-secret-987',
      redirectUri: 'http://localhost:9898/oauth/callback',
    }),
  );
  assert.ok(error instanceof OAuthTokenEndpointError);
  assert.equal(error.error, 'invalid_grant');
  assert.match(error.message, /HTTP 400 \(error invalid_grant: "Authorization code is invalid\."\)/);
  assert.equal(server.requests[0]?.form.has('code_verifier'), false);
  assertNoSecrets(error, ['auth-code-secret-987', CLIENT_SECRET]);
});

test('token endpoints other than https or loopback http are refused, and the factory builds an OAuth source', () => {
  const store = new InMemoryOAuthTokenStore();
  for (const url of ['http://example.com/oauth/token-request', 'https://user:pw@example.com/oauth/token-request']) {
    assert.throws(
      () => makeSource(store, new Clock(), { tokenEndpoint: new URL(url) }),
      (error: unknown) => error instanceof AuthError && error.code === 'AUTH_INVALID_OPTIONS',
    );
  }
  const source = createTokenSource({
    method: 'oauth',
    tokenEndpoint: new URL('https://myorg-myaccount.snowflakecomputing.com/oauth/token-request'),
    clientId: CLIENT_ID,
    clientSecret: new Secret(CLIENT_SECRET),
    store,
  });
  assert.equal(source.method, 'oauth');
  assert.ok(!inspect(source, { depth: 6 }).includes(CLIENT_SECRET));
});
