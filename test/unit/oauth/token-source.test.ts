// What onboarding adds to the OAuth token source, against a real HTTP stand-in for Snowflake's token endpoint
// (test/unit/auth/token-endpoint-server.ts): a new grant goes through the same single renewal slot as refreshes (so a
// refresh in flight can never save an older set over it), and the listener hears every refresh and rejection.
import assert from 'node:assert/strict';
import { after, before, beforeEach, test } from 'node:test';
import {
  AuthError,
  InMemoryOAuthTokenStore,
  OAuthReauthorizationRequiredError,
  OAuthTokenSource,
  type OAuthTokenSet,
  type OAuthTokenSourceListener,
  type OAuthTokenStore,
} from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { FakeTokenEndpoint, snowflakeError, tokenAnswer } from '../auth/token-endpoint-server.ts';

const START = Date.UTC(2026, 10, 26, 6, 0, 0);
const MINUTE = 60_000;
let server: FakeTokenEndpoint;
before(async () => {
  server = await FakeTokenEndpoint.start();
});
after(() => server.close());
beforeEach(() => {
  server.requests.length = 0;
  server.handler = () => ({ status: 500, body: 'unexpected request' });
});

function tokenSet(access: string, overrides: Partial<OAuthTokenSet> = {}): OAuthTokenSet {
  return {
    accessToken: new Secret(access),
    accessTokenExpiresAt: START + 10 * MINUTE,
    refreshToken: new Secret(`refresh-of-${access}`),
    refreshTokenExpiresAt: START + 90 * 86_400_000,
    ...overrides,
  };
}

class RecordingStore implements OAuthTokenStore {
  readonly saves: string[] = [];
  readonly inner: InMemoryOAuthTokenStore;
  failSaves = false;
  constructor(initial: OAuthTokenSet | null) {
    this.inner = new InMemoryOAuthTokenStore(initial);
  }
  load(): Promise<OAuthTokenSet | null> {
    return this.inner.load();
  }
  async save(tokens: OAuthTokenSet): Promise<void> {
    if (this.failSaves) throw new Error(`disk full while writing ${tokens.accessToken.reveal()}`);
    this.saves.push(tokens.accessToken.reveal());
    await this.inner.save(tokens);
  }
}

function source(store: OAuthTokenStore, now: () => number, listener?: OAuthTokenSourceListener): OAuthTokenSource {
  return new OAuthTokenSource({
    tokenEndpoint: server.url,
    clientId: 'client',
    clientSecret: new Secret('client-secret-value'),
    store,
    now,
    retry: { maxAttempts: 1 },
    ...(listener === undefined ? {} : { listener }),
  });
}

test('a new grant installed while a refresh is in flight waits for it, then wins; every caller gets the new token', async () => {
  let now = START;
  const store = new RecordingStore(tokenSet('access-old'));
  const tokens = source(store, () => now);
  await tokens.getToken();
  now += 9.5 * MINUTE;
  server.handler = () => tokenAnswer({ access_token: 'access-refreshed' });

  const refreshing = tokens.getToken(); // starts the refresh grant
  const replacing = tokens.replaceTokens(tokenSet('access-consented', { accessTokenExpiresAt: now + 10 * MINUTE }));
  const during = tokens.getToken(); // asked while the replacement holds the slot
  assert.equal((await refreshing).token, 'access-refreshed');
  await replacing;
  assert.equal((await during).token, 'access-consented');
  assert.deepEqual(store.saves, ['access-refreshed', 'access-consented'], 'the older set was saved first, never after');
  assert.equal((await store.load())?.accessToken.reveal(), 'access-consented');
  assert.equal((await tokens.getToken()).token, 'access-consented');
  assert.equal(server.requests.length, 1);
});

test('a new grant clears a re-authorisation need, and a store that refuses it leaves the old state in place', async () => {
  const now = START;
  const store = new RecordingStore(null);
  const events: string[] = [];
  const tokens = source(store, () => now, {
    reauthorizationRequired: (reason) => events.push(`reauthorization:${reason}`),
    tokensReplaced: (state) => events.push(`replaced:${String(state.hasRefreshToken)}`),
  });
  await assert.rejects(tokens.getToken(), OAuthReauthorizationRequiredError);
  assert.equal(tokens.state().reauthorizationRequired, true);

  store.failSaves = true;
  const refused = await tokens.replaceTokens(tokenSet('access-unsaved')).then(
    () => undefined,
    (error: unknown) => error,
  );
  assert.ok(refused instanceof AuthError);
  assert.equal(refused.code, 'OAUTH_TOKEN_STORE_FAILED');
  assert.ok(!refused.message.includes('access-unsaved'), 'the store message is redacted');
  assert.equal(tokens.state().reauthorizationRequired, true, 'nothing changed');

  store.failSaves = false;
  await tokens.replaceTokens(tokenSet('access-new'));
  assert.equal(tokens.state().reauthorizationRequired, false);
  assert.equal((await tokens.getToken()).token, 'access-new');
  assert.deepEqual(events, ['reauthorization:no_tokens', 'replaced:true']);
});

test('the listener hears successful and failed refresh grants and the need for a person; a throwing listener changes nothing', async () => {
  let now = START;
  const events: string[] = [];
  const store = new RecordingStore(tokenSet('access-1'));
  const tokens = source(store, () => now, {
    refreshSucceeded: (state) => {
      events.push(`success:${String(state.accessTokenExpiresAt)}`);
      throw new Error('a broken listener');
    },
    refreshFailed: (error) => events.push(`failure:${error.name}`),
    reauthorizationRequired: (reason) => events.push(`reauthorization:${reason}`),
  });
  now += 9.5 * MINUTE;
  server.handler = () => tokenAnswer({ access_token: 'access-2', expires_in: 600 });
  assert.equal((await tokens.getToken()).token, 'access-2');

  now += 10 * MINUTE;
  server.handler = () => snowflakeError(400, 'invalid_grant', 'The refresh token has been revoked.');
  await assert.rejects(tokens.getToken(), OAuthReauthorizationRequiredError);
  await assert.rejects(tokens.getToken(), OAuthReauthorizationRequiredError, 'a rejected refresh token is not sent again');
  assert.deepEqual(events, [
    `success:${String(START + 9.5 * MINUTE + 600_000)}`,
    'failure:OAuthTokenEndpointError',
    'reauthorization:refresh_token_rejected',
    'reauthorization:refresh_token_rejected',
  ]);
  assert.equal(server.requests.length, 2);
});
