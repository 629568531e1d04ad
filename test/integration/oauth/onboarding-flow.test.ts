// The consent flow end to end over HTTP: the exporter's /oauth/start and /oauth/callback against the emulator's real
// OAuth server (sign-in page, consent screen, token endpoint with PKCE), the grant stored encrypted in the state
// file, then a collection cycle with it. And every way it can go wrong, each answered by a page that says what to do,
// never quoting a secret, never taking the server down.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { test } from 'node:test';
import { startExporter, type RunningExporter } from '../../../src/runtime/exporter.ts';
import { Secret } from '../../../src/util/secret.ts';
import { sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { EMULATED_ROLE } from '../../helpers/emulator-account.ts';
import {
  CLIENT_ID,
  CLIENT_SECRET,
  callbackUrl,
  HttpBrowser,
  KEYPAIR_ACCOUNT,
  OAUTH_ACCOUNT,
  OAUTH_USER,
  oauthFixtureFor,
  outcomeOf,
  startUrl,
} from './helpers.ts';

async function exporterWith(t: { after: (fn: () => Promise<void>) => void }, config: Parameters<typeof startExporter>[0]): Promise<RunningExporter> {
  const exporter = await startExporter(config, { schedule: false });
  t.after(() => exporter.close());
  return exporter;
}

/** No page, header or log line may carry these: the client secret and anything shaped like an emulator token. */
function assertNoSecrets(text: string, extra: readonly string[] = []): void {
  for (const secret of [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), ...extra]) {
    assert.ok(!text.includes(secret), `leaked ${secret.slice(0, 6)}...`);
  }
  assert.doesNotMatch(text, /ver:\d-hint:/, 'an OAuth token leaked');
}

/** Read through the running exporter's own store: it holds the state file exclusively while it runs. */
function sealedRowExists(exporter: RunningExporter): boolean {
  return exporter.store.getSealedTokens(OAUTH_ACCOUNT) !== undefined;
}

test('an account connects through /oauth/start and the callback, then collects with the stored grant', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const logs: string[] = [];
  const exporter = await startExporter(fixture.config(), { schedule: false, log: (level, message) => logs.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  let metrics = await scrape(exporter);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: KEYPAIR_ACCOUNT }), undefined, 'only OAuth accounts get the series');
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: OAUTH_ACCOUNT }), undefined);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refreshes_total', { account: OAUTH_ACCOUNT, outcome: 'success' }), 0);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refreshes_total', { account: OAUTH_ACCOUNT, outcome: 'failure' }), 0);
  const before = await (await fetch(exporter.url)).text();
  assert.match(before, /OAuth: <span class="down">disconnected<\/span>/);
  assert.ok(before.includes(`href="${startUrl(exporter)}"`), 'the landing page links to the consent flow');

  const browser = new HttpBrowser();
  const started = await browser.get(startUrl(exporter));
  assert.equal(started.status, 302);
  const authorize = new URL(started.location ?? '');
  assert.equal(authorize.origin, fixture.emulator.emulator.url.origin);
  assert.equal(authorize.pathname, '/oauth/authorize');
  assert.equal(authorize.searchParams.get('client_id'), CLIENT_ID);
  assert.equal(authorize.searchParams.get('response_type'), 'code');
  assert.equal(authorize.searchParams.get('redirect_uri'), callbackUrl(exporter));
  assert.equal(authorize.searchParams.get('scope'), `refresh_token session:role:${EMULATED_ROLE}`);
  assert.equal(authorize.searchParams.get('code_challenge_method'), 'S256');
  assert.match(authorize.searchParams.get('code_challenge') ?? '', /^[A-Za-z0-9_-]{43}$/);
  const state = authorize.searchParams.get('state') ?? '';
  assert.match(state, /^[A-Za-z0-9_-]{43}$/, '256 random bits');
  const [cookie] = started.setCookies;
  assert.ok(cookie !== undefined);
  assert.match(cookie, new RegExp(`^sre_oauth_${OAUTH_ACCOUNT}=s%3A${state}\\.`), 'the state, signed');
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Lax/);
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; Max-Age=600/);
  assert.doesNotMatch(cookie, /Secure/, 'plain http: a Secure cookie would never come back');

  // The rest of the browser's part: the emulator's sign-in and consent pages.
  const callback = await browser.consent(startUrl(exporter));
  assert.ok(callback.startsWith(`${callbackUrl(exporter)}?code=`));
  const connected = await browser.get(callback);
  assert.equal(connected.status, 200, connected.text);
  assert.equal(outcomeOf(connected.text), 'connected');
  assert.match(connected.text, new RegExp(`<strong id="account">${OAUTH_ACCOUNT}</strong>`));
  assert.match(connected.text, new RegExp(`<strong id="user">${OAUTH_USER}</strong>`));
  const expiry = /<time datetime="([^"]+)">/.exec(connected.text)?.[1];
  assert.ok(expiry !== undefined, 'the page says until when the refresh token is valid');
  const expiresAt = Date.parse(expiry);
  assert.ok(Math.abs(expiresAt - (Date.now() + 30 * 86_400_000)) < 600_000, 'the integration issued 30-day refresh tokens');
  assert.match(connected.headers.get('content-security-policy') ?? '', /default-src 'none'/);
  assert.ok(connected.setCookies.some((line) => line.startsWith(`sre_oauth_${OAUTH_ACCOUNT}=;`)), `the state cookie is cleared: ${connected.setCookies.join(' / ')}`);
  assertNoSecrets(connected.text + JSON.stringify([...connected.headers]));
  assert.ok(sealedRowExists(exporter));

  metrics = await scrape(exporter);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  assert.equal(
    sampleValue(metrics, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: OAUTH_ACCOUNT }),
    expiresAt / 1000,
  );

  const cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, true, 'the stored grant runs statements');
  metrics = await scrape(exporter);
  assert.equal(sampleValue(metrics, 'snowflake_risk_up', { account: OAUTH_ACCOUNT }), 1);
  const after = await (await fetch(exporter.url)).text();
  assert.match(after, new RegExp(`OAuth: <span class="up">connected</span> as <code>${OAUTH_USER}</code>`));
  assert.match(after, /Reconnect<\/a>/);
  assertNoSecrets(after + metrics + logs.join('\n'));
  // The whole exposition, OAuth series included, passes Prometheus's linter (Debian package "prometheus").
  const lint = spawnSync('promtool', ['check', 'metrics'], { input: metrics, encoding: 'utf8' });
  assert.equal(lint.error, undefined, 'promtool must be installed');
  assert.equal(lint.status, 0, `promtool check metrics:\n${lint.stdout}${lint.stderr}`);
  assert.ok(logs.some((line) => line.includes(`account ${OAUTH_ACCOUNT}: OAuth connected as ${OAUTH_USER}`)));
});

test('a tampered state, another browser and a replayed callback are refused; the real answer still connects once', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await exporterWith(t, fixture.config());
  fixture.registerClient(callbackUrl(exporter));
  const browser = new HttpBrowser();
  const callback = await browser.consent(startUrl(exporter));

  const tampered = new URL(callback);
  tampered.searchParams.set('state', randomBytes(32).toString('base64url'));
  const mismatch = await browser.get(tampered);
  assert.equal(mismatch.status, 400);
  assert.equal(outcomeOf(mismatch.text), 'state_mismatch');

  const stranger = await new HttpBrowser().get(callback);
  assert.equal(stranger.status, 403, 'the state cookie binds the answer to the browser that started it');
  assert.equal(outcomeOf(stranger.text), 'browser_mismatch');

  const first = await browser.get(callback);
  assert.equal(outcomeOf(first.text), 'connected', 'refusing the others consumed nothing');
  const replay = await browser.get(callback);
  assert.equal(replay.status, 400);
  assert.equal(outcomeOf(replay.text), 'replayed');
  const replayElsewhere = await new HttpBrowser().get(callback);
  assert.equal(outcomeOf(replayElsewhere.text), 'replayed');
  for (const page of [mismatch, stranger, replay, replayElsewhere]) {
    assertNoSecrets(page.text, [new URL(callback).searchParams.get('code') ?? 'no-code']);
    assert.match(page.text, /Nothing was stored/);
  }

  // The replays never reached Snowflake (a second use of a code would revoke the grant): the grant works.
  assert.equal(fixture.emulator.emulator.admin.report().requests.token, 1);
  const cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran && cycle.report.up === true);
});

test('denied consent, a missing state and unknown accounts are pages; the account stays disconnected', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await exporterWith(t, fixture.config());
  fixture.registerClient(callbackUrl(exporter));
  const browser = new HttpBrowser();

  const denied = await browser.get(await browser.consent(startUrl(exporter), 'deny'));
  assert.equal(denied.status, 403);
  assert.equal(outcomeOf(denied.text), 'denied');
  assert.match(denied.text, /answered with Deny/);
  assert.ok(!sealedRowExists(exporter));
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);

  const noState = await browser.get(`${callbackUrl(exporter)}?code=abc`);
  assert.equal(noState.status, 400);
  assert.equal(outcomeOf(noState.text), 'missing_state');

  const unknown = await browser.get(startUrl(exporter, 'no-such-account'));
  assert.equal(unknown.status, 404);
  assert.equal(outcomeOf(unknown.text), 'unknown_account');
  assert.match(unknown.text, new RegExp(`href="${startUrl(exporter).replaceAll('?', '\\?')}"`), 'it lists the accounts that can connect');
  const keyPair = await browser.get(startUrl(exporter, KEYPAIR_ACCOUNT));
  assert.equal(outcomeOf(keyPair.text), 'unknown_account', 'a key-pair account has nothing to connect');
  const markup = await browser.get(startUrl(exporter, '<script>alert(1)</script>'));
  assert.ok(!markup.text.includes('<script>alert(1)'), 'the name is escaped');

  const chooser = await browser.get(`${exporter.oauth.publicUrl ?? ''}/oauth/start`);
  assert.equal(chooser.status, 200);
  assert.equal(outcomeOf(chooser.text), 'chooser');
  assert.match(chooser.text, new RegExp(`<code>${OAUTH_ACCOUNT}</code>`));

  assert.equal((await fetch(new URL('/healthz', exporter.url))).status, 200, 'still serving');
});

test('an expired authorization code and a wrong client secret say what to do, store nothing, and leak nothing', async (t) => {
  let skewMs = 0;
  const fixture = await oauthFixtureFor(t, {
    emulatorOptions: { authNow: () => Date.now() + skewMs, authorizationCodeTtlSeconds: 60 },
    oauthAccount: {},
  });
  const exporter = await exporterWith(t, fixture.config());
  fixture.registerClient(callbackUrl(exporter));
  const browser = new HttpBrowser();

  const late = await browser.consent(startUrl(exporter));
  skewMs = 120_000; // the person left the tab open: the code's minute is over
  const expired = await browser.get(late);
  assert.equal(expired.status, 400);
  assert.equal(outcomeOf(expired.text), 'code_rejected');
  assert.match(expired.text, /The authorization code has expired/, "Snowflake's own words are quoted");
  assertNoSecrets(expired.text, [new URL(late).searchParams.get('code') ?? 'no-code']);
  assert.ok(!sealedRowExists(exporter));

  // The same account configured with a secret that is not the integration's.
  await exporter.close();
  const wrongSecret = 'not-the-integration-secret-42';
  const misconfigured = await exporterWith(
    t,
    fixture.config({
      accounts: [fixture.keyPairAccount, { ...fixture.oauthAccount, auth: { method: 'oauth', clientId: CLIENT_ID, clientSecret: new Secret(wrongSecret, 'env:WRONG'), redirectUri: undefined } }],
    }),
  );
  fixture.registerClient(callbackUrl(misconfigured));
  skewMs = 0;
  const rejected = await browser.get(await browser.consent(startUrl(misconfigured)));
  assert.equal(rejected.status, 502);
  assert.equal(outcomeOf(rejected.text), 'client_rejected');
  assert.match(rejected.text, /SYSTEM\$SHOW_OAUTH_CLIENT_SECRETS/);
  assertNoSecrets(rejected.text, [wrongSecret, encodeURIComponent(wrongSecret)]);
  assert.ok(!sealedRowExists(misconfigured));
  assert.equal((await fetch(new URL('/healthz', misconfigured.url))).status, 200);
});

test('without an encryption key no OAuth token is stored, and the pages say how to set one', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const logs: string[] = [];
  const base = fixture.config();
  const exporter = await startExporter({ ...base, state: { path: base.state.path } }, { schedule: false, log: (_level, message) => logs.push(message) });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  const refused = await new HttpBrowser().get(startUrl(exporter));
  assert.equal(refused.status, 503);
  assert.equal(outcomeOf(refused.text), 'no_encryption_key');
  assert.match(refused.text, /state\.encryptionKey/);
  assert.match(refused.text, /openssl rand -base64 32/);
  assert.ok(logs.some((line) => line.includes('state.encryptionKey is not set')), 'said at start too');
  assert.match(await (await fetch(exporter.url)).text(), /state\.encryptionKey is not set/);
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  // The key-pair account is not concerned.
  const cycle = await exporter.scheduler.runOnce(KEYPAIR_ACCOUNT);
  assert.ok(cycle.ran && cycle.report.up === true);
});

test('the onboarding routes can have their own address, or be switched off', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const separate = await exporterWith(
    t,
    fixture.config({ server: { onboarding: { enabled: true, listen: { host: '127.0.0.1', port: 0 }, publicUrl: undefined } } }),
  );
  const onboardingUrl = separate.oauth.publicUrl ?? '';
  assert.notEqual(new URL(onboardingUrl).port, separate.url.port);
  fixture.registerClient(`${onboardingUrl}/oauth/callback`);
  assert.equal((await fetch(new URL(`/oauth/start?account=${OAUTH_ACCOUNT}`, separate.url), { redirect: 'manual' })).status, 404, 'not on the metrics address');
  assert.equal((await fetch(`${onboardingUrl}/metrics`)).status, 404, 'and no metrics on the onboarding address');
  const root = await fetch(`${onboardingUrl}/`, { redirect: 'manual' });
  assert.equal(root.headers.get('location'), '/oauth/start');
  const browser = new HttpBrowser();
  const connected = await browser.get(await browser.consent(startUrl(separate)));
  assert.equal(outcomeOf(connected.text), 'connected');
  assert.equal(sampleValue(await scrape(separate), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  await separate.close();

  const off = await exporterWith(t, fixture.config({ server: { onboarding: { enabled: false, listen: undefined, publicUrl: undefined } } }));
  assert.equal((await fetch(new URL(`/oauth/start?account=${OAUTH_ACCOUNT}`, off.url), { redirect: 'manual' })).status, 404);
  assert.match(await (await fetch(off.url)).text(), /onboarding routes are off/);
  // The grant stored through the separate listener is still there: the account is connected without the routes.
  assert.equal(sampleValue(await scrape(off), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  await off.close();

  // Without OAuth accounts there is nothing to serve and no OAuth metric family at all.
  const keyPairOnly = await exporterWith(t, fixture.config({ accounts: [fixture.keyPairAccount] }));
  assert.equal((await fetch(new URL('/oauth/start', keyPairOnly.url), { redirect: 'manual' })).status, 404);
  assert.doesNotMatch(await scrape(keyPairOnly), /snowflake_risk_oauth_/);
});

test('behind https the state cookie is Secure and __Host- prefixed, and the redirect URI uses the public URL', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await exporterWith(
    t,
    fixture.config({ server: { onboarding: { enabled: true, listen: undefined, publicUrl: 'https://risk-exporter.example.test/prefix/' } } }),
  );
  assert.equal(exporter.oauth.publicUrl, 'https://risk-exporter.example.test/prefix');
  const started = await new HttpBrowser().get(new URL(`/oauth/start?account=${OAUTH_ACCOUNT}`, exporter.url));
  assert.equal(started.status, 302);
  assert.equal(new URL(started.location ?? '').searchParams.get('redirect_uri'), 'https://risk-exporter.example.test/prefix/oauth/callback');
  const [cookie = ''] = started.setCookies;
  assert.match(cookie, new RegExp(`^__Host-sre_oauth_${OAUTH_ACCOUNT}=`));
  assert.match(cookie, /; Path=\//);
  assert.match(cookie, /; Secure/);
  assert.match(cookie, /; HttpOnly/);
  assert.match(cookie, /; SameSite=Lax/);
  assert.match(await (await fetch(exporter.url)).text(), /href="https:\/\/risk-exporter\.example\.test\/prefix\/oauth\/start\?account=finance"/);
});
