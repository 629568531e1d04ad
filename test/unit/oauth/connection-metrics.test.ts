// An OAuth account's connection state as metrics and status: connected only while a grant is held and its refresh
// token is within its validity (the clock alone can end it), disconnected with the reason after a rejection, and
// the exposition accepted by `promtool check metrics` (Debian package "prometheus"; the test FAILS without it).
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { Registry } from 'prom-client';
import type { AccountConfig } from '../../../src/config/types.ts';
import { OAuthConnection, OAuthMetrics } from '../../../src/oauth/index.ts';
import { InMemoryOAuthTokenStore, type OAuthTokenSet } from '../../../src/snowflake/auth/index.ts';
import { Secret } from '../../../src/util/secret.ts';
import { sampleValue } from '../../helpers/exporter-harness.ts';

const NOW = Date.UTC(2026, 10, 26, 6, 0, 0);
const DAY = 86_400_000;

function account(name: string): AccountConfig {
  return { name, role: 'RISK_READER', auth: { method: 'oauth', clientId: 'c', clientSecret: new Secret('s'), redirectUri: undefined } } as AccountConfig;
}

function grant(overrides: Partial<OAuthTokenSet> = {}): OAuthTokenSet {
  return {
    accessToken: new Secret('access'),
    accessTokenExpiresAt: NOW + 600_000,
    refreshToken: new Secret('refresh'),
    refreshTokenExpiresAt: NOW + 30 * DAY,
    username: 'PERSON',
    ...overrides,
  };
}

test('connected while the refresh token is valid; the clock alone disconnects it; a rejection says why', async () => {
  const connection = new OAuthConnection({ account: account('finance'), store: new InMemoryOAuthTokenStore(grant()) });
  assert.equal(connection.connected(NOW), false, 'nothing known before initialise');
  await connection.initialise();
  assert.equal(connection.connected(NOW), true);
  assert.deepEqual(connection.status(NOW), { connected: true, user: 'PERSON', refreshTokenExpiresAt: new Date(NOW + 30 * DAY), detail: undefined });
  assert.equal(connection.connected(NOW + 30 * DAY - 1), true);
  assert.equal(connection.connected(NOW + 30 * DAY), false);
  assert.equal(connection.status(NOW + 30 * DAY).detail, 'the refresh token expired');

  connection.listener.reauthorizationRequired?.('refresh_token_rejected');
  assert.equal(connection.connected(NOW), false);
  assert.match(connection.status(NOW).detail ?? '', /rejected the refresh token/);
  connection.listener.refreshSucceeded?.({ accessTokenExpiresAt: NOW + 600_000, refreshTokenExpiresAt: NOW + 30 * DAY, hasRefreshToken: true, reauthorizationRequired: false });
  assert.equal(connection.connected(NOW), true, 'a later successful refresh (a grant installed elsewhere) reconnects');

  const empty = new OAuthConnection({ account: account('empty'), store: new InMemoryOAuthTokenStore() });
  await empty.initialise();
  assert.deepEqual(empty.status(NOW), { connected: false, user: undefined, refreshTokenExpiresAt: undefined, detail: 'not connected yet: no OAuth grant is stored for this account' });
  await empty.connect(grant({ refreshToken: null, refreshTokenExpiresAt: null }));
  assert.equal(empty.connected(NOW), true, 'an access token without refresh token lasts until it expires');
  assert.match(empty.status(NOW).detail ?? '', /no refresh token was issued/);
  assert.equal(empty.connected(NOW + 600_000), false);

  const refused = new OAuthConnection({ account: account('nokey'), store: new InMemoryOAuthTokenStore(), storageProblem: 'no key: set state.encryptionKey' });
  await assert.rejects(refused.connect(grant()), /state\.encryptionKey/);
  assert.equal(refused.status(NOW).detail, 'no key: set state.encryptionKey');
});

test('the OAuth metrics: connected, refresh-token expiry (absent while unknown), refreshes by outcome; promtool accepts them', async () => {
  const finance = new OAuthConnection({ account: account('finance'), store: new InMemoryOAuthTokenStore(grant()) });
  const pending = new OAuthConnection({ account: account('pending'), store: new InMemoryOAuthTokenStore() });
  await Promise.all([finance.initialise(), pending.initialise()]);
  const registry = new Registry();
  let now = NOW;
  const metrics = new OAuthMetrics(registry, [finance, pending], () => now);
  metrics.refreshed('finance', 'success');
  metrics.refreshed('finance', 'success');
  metrics.refreshed('finance', 'failure');

  let text = await registry.metrics();
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_connected', { account: 'finance' }), 1);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_connected', { account: 'pending' }), 0);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: 'finance' }), (NOW + 30 * DAY) / 1000);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: 'pending' }), undefined);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_refreshes_total', { account: 'finance', outcome: 'success' }), 2);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_refreshes_total', { account: 'finance', outcome: 'failure' }), 1);
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_refreshes_total', { account: 'pending', outcome: 'failure' }), 0);
  assert.match(text, /# TYPE snowflake_risk_oauth_refreshes_total counter/);

  now = NOW + 31 * DAY;
  text = await registry.metrics();
  assert.equal(sampleValue(text, 'snowflake_risk_oauth_connected', { account: 'finance' }), 0, 'expired on the clock, read at scrape');

  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(result.error, undefined, 'promtool must be installed (Debian package "prometheus")');
  assert.equal(result.status, 0, `promtool check metrics reported:\n${result.stdout}${result.stderr}`);
});
