// Living on the grant: refreshes are single-flight per account under concurrent statements, and a refresh token that
// expired or was revoked disconnects that account alone (metric, landing page), until the consent flow restores it
// without a restart. Real emulator, real token endpoint, real encrypted state file.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { test } from 'node:test';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { createAccountClient } from '../../../src/snowflake/account-client.ts';
import {
  buildAuthorizationUrl,
  createPkcePair,
  exchangeAuthorizationCode,
  OAuthTokenSource,
  type OAuthTokenSourceListener,
} from '../../../src/snowflake/auth/index.ts';
import { EncryptedOAuthTokenStore, openStateStore, TokenCipher } from '../../../src/state/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { CLIENT_ID, CLIENT_SECRET, callbackUrl, HttpBrowser, KEYPAIR_ACCOUNT, OAUTH_ACCOUNT, oauthFixtureFor, outcomeOf, startUrl } from './helpers.ts';

test('concurrent statements after the access token was revoked refresh once, and the new set is saved sealed', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const redirectUri = 'http://127.0.0.1:9/oauth/callback'; // never fetched: the consent answer's Location is read
  fixture.registerClient(redirectUri);
  const emulator = fixture.emulator.emulator;

  // The first grant, as the callback would obtain it.
  const pkce = createPkcePair();
  const browser = new HttpBrowser();
  const authorize = buildAuthorizationUrl({
    baseUrl: fixture.oauthAccount.baseUrl,
    clientId: CLIENT_ID,
    redirectUri,
    state: 'single-flight-test',
    codeChallenge: pkce.challenge,
    role: fixture.oauthAccount.role,
  });
  const page = await browser.get(authorize);
  const hidden = Object.fromEntries(['request_id', 'csrf_token'].map((name) => [name, new RegExp(`name="${name}" value="([^"]*)"`).exec(page.text)?.[1] ?? '']));
  await browser.postForm(new URL('/oauth/authorize', authorize), { ...hidden, action: 'sign_in', login_name: 'RISK_OAUTH_PERSON', password: 'person-password-1' });
  const decided = await browser.postForm(new URL('/oauth/authorize', authorize), { ...hidden, action: 'approve' });
  const code = new URL(decided.location ?? '').searchParams.get('code') ?? '';
  const first = await exchangeAuthorizationCode({
    tokenEndpoint: new URL('/oauth/token-request', fixture.oauthAccount.baseUrl),
    clientId: CLIENT_ID,
    clientSecret: new Secret(CLIENT_SECRET),
    code,
    redirectUri,
    codeVerifier: pkce.verifier,
  });

  const state = openStateStore({ path: join(fixture.stateDir, 'single-flight.db') });
  t.after(() => state.close());
  const store = new EncryptedOAuthTokenStore({ records: state, cipher: new TokenCipher(Buffer.from(fixture.tokenKey, 'base64')), account: OAUTH_ACCOUNT });
  await store.save(first);

  const events = { succeeded: 0, failed: 0, reauthorization: 0 };
  const listener: OAuthTokenSourceListener = {
    refreshSucceeded: () => void events.succeeded++,
    refreshFailed: () => void events.failed++,
    reauthorizationRequired: () => void events.reauthorization++,
  };
  const accountClient = createAccountClient({ ...fixture.oauthAccount, concurrency: 32 }, { oauthStore: store, oauthListener: listener });
  t.after(() => accountClient.close());
  assert.ok(accountClient.tokenSource instanceof OAuthTokenSource);
  const tokenRequests = (): number => emulator.admin.report().requests.token ?? 0;
  assert.equal(tokenRequests(), 1);

  // Snowflake forgets the access token (expired early, revoked); the exporter still believes it fresh.
  emulator.admin.expireTokens({ kind: 'access' });
  const results = await Promise.all(
    Array.from({ length: 32 }, async (_unused, index) => {
      const result = await accountClient.client.execute(`SELECT ${index} AS N`);
      assert.equal(result.numRows, 1);
      return index;
    }),
  );
  assert.equal(results.length, 32, 'every statement succeeded after one shared refresh');
  assert.equal(events.succeeded, 1, 'one refresh for 32 concurrent 401s');
  assert.equal(events.failed, 0);
  assert.equal(tokenRequests(), 2, 'the code exchange and exactly one refresh grant reached Snowflake');
  const saved = await store.load();
  assert.ok(saved !== null);
  assert.notEqual(saved.accessToken.reveal(), first.accessToken.reveal(), 'the refreshed set was saved');
  assert.equal(saved.refreshToken?.reveal(), first.refreshToken?.reveal(), 'not rotated: the refresh token is kept');

  // The same with callers of the token source itself: 200 at once after a 401, one grant.
  const held = await accountClient.tokenSource.getToken();
  emulator.admin.expireTokens({ kind: 'access' });
  accountClient.tokenSource.invalidate(held);
  const tokens = await Promise.all(Array.from({ length: 200 }, () => accountClient.tokenSource.getToken()));
  assert.equal(new Set(tokens.map((token) => token.token)).size, 1);
  assert.notEqual(tokens[0]?.token, held.token);
  assert.equal(events.succeeded, 2);
  assert.equal(tokenRequests(), 3);
  assert.equal(events.reauthorization, 0);
});

test('an expired or revoked refresh token disconnects only its account; the consent flow restores it without a restart', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const logs: string[] = [];
  const exporter = await startExporter(fixture.config(), { schedule: false, log: (level, message) => logs.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));
  const emulator = fixture.emulator.emulator;
  const browser = new HttpBrowser();
  assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(exporter)))).text), 'connected');
  let cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran && cycle.report.up === true);

  // Snowflake ends the grant (the refresh token's validity is over, or an admin revoked it) and the access token.
  emulator.admin.expireTokens({ kind: 'refresh' });
  emulator.admin.expireTokens({ kind: 'access' });
  cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, false);
  assert.ok(cycle.report.sources.every((source) => source.status === 'failed' && source.kind === 'auth'));

  let metrics = await scrape(exporter);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refreshes_total', { account: OAUTH_ACCOUNT, outcome: 'failure' }), 1, 'one attempt: a rejected refresh token is not sent again');
  assert.equal(sampleValue(metrics, 'snowflake_risk_up', { account: OAUTH_ACCOUNT }), 0);
  const landing = await (await fetch(exporter.url)).text();
  assert.match(landing, /OAuth: <span class="down">disconnected<\/span>/);
  assert.match(landing, /Snowflake rejected the refresh token/);
  assert.ok(logs.some((line) => line.startsWith(`warn account ${OAUTH_ACCOUNT}: OAuth disconnected`)));

  // The other account is not touched.
  const other = await exporter.scheduler.runOnce(KEYPAIR_ACCOUNT);
  assert.ok(other.ran && other.report.up === true);
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_up', { account: KEYPAIR_ACCOUNT }), 1);

  // A person reconnects; the running exporter picks the new grant up.
  const requestsBefore = emulator.admin.report().requests.token ?? 0;
  assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(exporter)))).text), 'connected');
  cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, true);
  metrics = await scrape(exporter);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  assert.equal(sampleValue(metrics, 'snowflake_risk_up', { account: OAUTH_ACCOUNT }), 1);
  assert.equal(emulator.admin.report().requests.token, requestsBefore + 1, 'the new code exchange, no refresh needed');
  assert.match(await (await fetch(exporter.url)).text(), /OAuth: <span class="up">connected<\/span>/);
});
