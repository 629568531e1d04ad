// The grant at rest: the state file holds no token bytes (only AES-256-GCM ciphertext), a restart with the same key
// comes back connected without a new consent, a key rotation keeps the grant, and a file the configured keys cannot
// open leaves the account disconnected with the reason (and the other accounts running).
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { test } from 'node:test';
import { startExporter } from '../../../src/runtime/exporter.ts';
import type { OAuthTokenSet } from '../../../src/snowflake/auth/index.ts';
import { EncryptedOAuthTokenStore, openStateStore, TokenCipher } from '../../../src/state/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { CLIENT_SECRET, callbackUrl, HttpBrowser, KEYPAIR_ACCOUNT, OAUTH_ACCOUNT, oauthFixtureFor, type OAuthFixture, outcomeOf, startUrl } from './helpers.ts';

/** The state file and its WAL, as bytes. */
function stateFileBytes(path: string): Buffer {
  return Buffer.concat([path, `${path}-wal`].filter((file) => existsSync(file)).map((file) => readFileSync(file)));
}

/** Every spelling of a value that could end up in a file: UTF-8, UTF-16, base64 and hex. */
function spellings(value: string): Buffer[] {
  return [Buffer.from(value, 'utf8'), Buffer.from(value, 'utf16le'), Buffer.from(Buffer.from(value).toString('base64')), Buffer.from(Buffer.from(value).toString('hex'))];
}

function readStored(fixture: OAuthFixture, key: string, previous: readonly string[] = []): Promise<OAuthTokenSet | null> {
  const state = openStateStore({ path: fixture.config().state.path });
  const cipher = new TokenCipher(Buffer.from(key, 'base64'), previous.map((text) => Buffer.from(text, 'base64')));
  return new EncryptedOAuthTokenStore({ records: state, cipher, account: OAUTH_ACCOUNT }).load().finally(() => state.close());
}

test('the state file holds no token bytes, and a restart with the same key needs no new consent', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const config = fixture.config();
  const first = await startExporter(config, { schedule: false });
  t.after(() => first.close());
  fixture.registerClient(callbackUrl(first));
  const browser = new HttpBrowser();
  assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(first)))).text), 'connected');
  assert.ok((await first.scheduler.runOnce(OAUTH_ACCOUNT)).ran);

  // While running (the WAL holds the latest writes) and after a clean stop (checkpointed into the main file).
  const whileRunning = stateFileBytes(config.state.path);
  await first.close();
  const stored = await readStored(fixture, fixture.tokenKey);
  assert.ok(stored !== null && stored.refreshToken !== null);
  const secrets = [stored.accessToken.reveal(), stored.refreshToken.reveal(), CLIENT_SECRET, fixture.tokenKey];
  for (const bytes of [whileRunning, stateFileBytes(config.state.path)]) {
    assert.ok(bytes.length > 0);
    for (const secret of secrets) {
      for (const spelling of spellings(secret)) assert.equal(bytes.indexOf(spelling), -1, `the state file holds ${secret.slice(0, 8)}...`);
      // Not even a fragment: no 16-byte window of the token appears.
      assert.equal(bytes.indexOf(Buffer.from(secret.slice(secret.length - 16))), -1);
    }
  }
  const raw = openStateStore({ path: config.state.path });
  const row = raw.getSealedTokens(OAUTH_ACCOUNT);
  raw.close();
  assert.ok(row !== undefined);
  assert.equal(row.format, 1);
  assert.equal(row.nonce.length, 12);
  assert.equal(row.tag.length, 16);
  assert.equal(row.keyId, new TokenCipher(Buffer.from(fixture.tokenKey, 'base64')).keyId);

  const exchangesBefore = fixture.emulator.emulator.admin.report().requests.token;
  const second = await startExporter(config, { schedule: false });
  t.after(() => second.close());
  const metrics = await scrape(second);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1, 'connected from the stored grant at start');
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: OAUTH_ACCOUNT }), (stored.refreshTokenExpiresAt ?? 0) / 1000);
  const cycle = await second.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran && cycle.report.up === true, 'collects without a person');
  assert.equal(fixture.emulator.emulator.admin.report().requests.token, exchangesBefore, 'the stored access token was still fresh: no grant at all');
  assert.equal(fixture.emulator.emulator.admin.report().requests.authorize ?? 0, 3, 'the consent pages were visited by the first sign-in only');
});

test('a key rotation keeps the grant; a key that cannot open the row leaves the account disconnected with the reason', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const first = await startExporter(fixture.config(), { schedule: false });
  t.after(() => first.close());
  fixture.registerClient(callbackUrl(first));
  const browser = new HttpBrowser();
  assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(first)))).text), 'connected');
  await first.close();

  // Rotation: the new key seals, the old one is listed as previous until every row was re-sealed (at first load).
  const newKey = randomBytes(32).toString('base64');
  const rotating = await startExporter(
    fixture.config({ state: { encryptionKey: new Secret(newKey, 'env:NEW'), previousEncryptionKeys: [new Secret(fixture.tokenKey, 'env:OLD')] } }),
    { schedule: false },
  );
  t.after(() => rotating.close());
  assert.equal(sampleValue(await scrape(rotating), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  await rotating.close();
  const afterRotation = openStateStore({ path: fixture.config().state.path });
  assert.equal(afterRotation.getSealedTokens(OAUTH_ACCOUNT)?.keyId, new TokenCipher(Buffer.from(newKey, 'base64')).keyId, 're-sealed under the new key');
  afterRotation.close();

  const rotated = await startExporter(fixture.config({ state: { encryptionKey: new Secret(newKey, 'env:NEW') } }), { schedule: false });
  t.after(() => rotated.close());
  assert.equal(sampleValue(await scrape(rotated), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1, 'the old key is no longer needed');
  const cycle = await rotated.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran && cycle.report.up === true);
  await rotated.close();

  // Someone set a different key (or lost the old one): the account says so; the rest keeps running.
  const logs: string[] = [];
  const wrong = await startExporter(fixture.config({ state: { encryptionKey: new Secret(randomBytes(32).toString('base64'), 'env:OTHER') } }), {
    schedule: false,
    log: (_level, message) => logs.push(message),
  });
  t.after(() => wrong.close());
  assert.equal(sampleValue(await scrape(wrong), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  assert.match(await (await fetch(wrong.url)).text(), /sealed with a key that is not configured/);
  assert.ok(logs.some((line) => line.includes('state.previousEncryptionKeys')));
  const other = await wrong.scheduler.runOnce(KEYPAIR_ACCOUNT);
  assert.ok(other.ran && other.report.up === true);
  // Reconnecting replaces the unreadable row.
  fixture.registerClient(callbackUrl(wrong));
  assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(wrong)))).text), 'connected');
  assert.equal(sampleValue(await scrape(wrong), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
});
