// Reliability, expired and revoked tokens, over several cycles of two accounts on one exporter while rows keep
// surfacing: a key-pair account whose JWTs Snowflake keeps refusing as expired (401, seeded), and an OAuth account
// (connected through the real consent flow) whose access token expires, then whose whole grant is revoked. The
// revoked account stops, says so (snowflake_risk_oauth_connected 0, failed cycles), moves no watermark, and never
// stops the other; once a person consents again it catches up. Judged downstream per account: every event the
// emulator holds, none twice. No secret, and no token, in the log, /metrics, the pages, the OTLP records, or in
// plain text in the state file.
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { it } from 'node:test';
import { Registry, type Metric } from 'prom-client';
import { OtlpLogSink } from '../../src/export/otlp/index.ts';
import { startExporter } from '../../src/runtime/exporter.ts';
import { sampleValue } from '../helpers/exporter-harness.ts';
import { otlpConfigFor } from '../helpers/otlp-config.ts';
import { OtlpReceiver } from '../helpers/otlp-receiver.ts';
import { assertNoSecrets } from '../helpers/reliability-assert.ts';
import { deliveredCounts, emulatorEventIds, QUICK_BACKOFF, RowFeed, secretsOf } from '../helpers/reliability-rig.ts';
import { seeded } from '../helpers/seeded-random.ts';
import { CLIENT_SECRET, callbackUrl, HttpBrowser, KEYPAIR_ACCOUNT, OAUTH_ACCOUNT, OAUTH_PASSWORD, OAUTH_USER, oauthFixtureFor, outcomeOf, startUrl } from '../integration/oauth/helpers.ts';

/** What an emulator-issued OAuth token looks like (access and refresh alike). */
const TOKEN_SHAPE = /ver:\d+-hint:\d+-[A-Za-z0-9_-]+/;

it('expired JWTs, an expired access token and a revoked grant: each account downstream exactly once', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const emulator = fixture.emulator.emulator;
  const receiver = await OtlpReceiver.start();
  t.after(() => receiver.close());
  const logs: string[] = [];
  const sinkRegistry = new Registry();
  const sink = new OtlpLogSink({
    config: otlpConfigFor(receiver.url, { maxBatch: 100, timeoutSeconds: 2 }),
    accounts: [{ name: KEYPAIR_ACCOUNT }, { name: OAUTH_ACCOUNT }],
    registry: sinkRegistry,
    backoff: QUICK_BACKOFF,
  });
  const exporter = await startExporter(fixture.config(), { schedule: false, sinks: [sink], log: (level, message) => logs.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  for (const metric of sinkRegistry.getMetricsAsArray() as unknown as Metric[]) exporter.metrics.registry.registerMetric(metric);
  fixture.registerClient(callbackUrl(exporter));
  const pages: string[] = [];
  const scrapes: string[] = [];
  const scrape = async (): Promise<string> => {
    const text = await (await fetch(new URL('/metrics', exporter.url))).text();
    scrapes.push(text);
    return text;
  };
  const connect = async (): Promise<void> => {
    const browser = new HttpBrowser();
    const done = await browser.get(await browser.consent(startUrl(exporter)));
    pages.push(done.text);
    assert.equal(outcomeOf(done.text), 'connected');
  };
  const cycleOf = async (account: string): Promise<string> => {
    const result = await exporter.scheduler.runOnce(account);
    return result.ran ? result.report.outcome : 'overlap';
  };
  const feed = new RowFeed(fixture.emulator, seeded(0x70_4e));
  await connect();
  await feed.insert(150, 40, true);

  // Snowflake refuses about a third of the key-pair account's requests as carrying an expired JWT.
  emulator.admin.setFaults({ seed: 0x70, rules: [{ id: 'jwt-expired', endpoint: 'any', action: { kind: 'expired-token' }, probability: 0.3, count: 12 }] });
  const keyPairOutcomes: string[] = [];
  const oauthOutcomes: string[] = [];
  for (let round = 0; round < 2; round++) {
    await feed.insert(30, 10, false);
    fixture.emulator.advance(30 * 60);
    keyPairOutcomes.push(await cycleOf(KEYPAIR_ACCOUNT));
  }
  emulator.admin.setFaults({ rules: [] });

  // The OAuth account's access token expires early: the next cycle refreshes and goes on.
  emulator.admin.expireTokens({ kind: 'access', user: OAUTH_USER });
  await feed.insert(30, 10, false);
  fixture.emulator.advance(30 * 60);
  oauthOutcomes.push(await cycleOf(OAUTH_ACCOUNT));
  assert.equal(sampleValue(await scrape(), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1, 'a refresh kept it connected');

  // The whole grant is revoked: that account stops and says so; the key-pair account goes on.
  emulator.admin.revokeTokens({ kind: 'all', user: OAUTH_USER });
  const watermark = (): number | undefined => exporter.store.getPosition(OAUTH_ACCOUNT, 'query_history')?.watermark.getTime();
  const before = watermark();
  for (let round = 0; round < 2; round++) {
    await feed.insert(30, 10, false);
    fixture.emulator.advance(30 * 60);
    oauthOutcomes.push(await cycleOf(OAUTH_ACCOUNT));
    keyPairOutcomes.push(await cycleOf(KEYPAIR_ACCOUNT));
  }
  const revoked = await scrape();
  assert.equal(sampleValue(revoked, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  assert.deepEqual(oauthOutcomes.slice(-2), ['failed', 'failed'], `the revoked account's cycles: ${oauthOutcomes.join(', ')}`);
  assert.equal(watermark(), before, 'no watermark moved for the revoked account');
  pages.push(await (await fetch(exporter.url)).text());

  // Someone consents again; both accounts catch up once every row is visible.
  await connect();
  fixture.emulator.advance(150 * 60);
  for (let round = 0; round < 2; round++) {
    oauthOutcomes.push(await cycleOf(OAUTH_ACCOUNT));
    keyPairOutcomes.push(await cycleOf(KEYPAIR_ACCOUNT));
  }
  assert.equal(oauthOutcomes.at(-1), 'ok', `OAuth account: ${oauthOutcomes.join(', ')}; ${logs.slice(-5).join('\n')}`);
  assert.equal(keyPairOutcomes.at(-1), 'ok', `key-pair account: ${keyPairOutcomes.join(', ')}`);
  assert.ok(Object.keys(emulator.admin.report().faultsFired).some((key) => key.startsWith('jwt-expired:')), 'expired JWTs were answered');

  const expected = await emulatorEventIds(fixture.emulator, fixture.keyPairAccount);
  for (const account of [KEYPAIR_ACCOUNT, OAUTH_ACCOUNT]) {
    const counts = deliveredCounts(receiver.acknowledged(), account);
    assert.deepEqual([...counts.keys()].sort(), expected, `${account}: every event the emulator holds`);
    assert.deepEqual([...counts].filter(([, count]) => count > 1), [], `${account}: nothing acknowledged twice`);
  }

  // Secrets: the client secret and key in no output; no token anywhere, and none in plain text at rest.
  pages.push(await (await fetch(exporter.url)).text());
  const outputs = {
    log: logs.join('\n'),
    metrics: [...scrapes, await scrape()].join('\n'),
    pages: pages.join('\n'),
    'OTLP records': JSON.stringify(receiver.received()),
  };
  assertNoSecrets([CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), OAUTH_PASSWORD, ...secretsOf(fixture.keyPairAccount)], outputs);
  for (const [where, text] of Object.entries(outputs)) assert.doesNotMatch(text, TOKEN_SHAPE, `an OAuth token in ${where}`);
  await exporter.close();
  const atRest = ['', '-wal'].map((suffix) => {
    try {
      return readFileSync(`${fixture.config().state.path}${suffix}`).toString('latin1');
    } catch {
      return '';
    }
  });
  assert.ok(atRest[0]?.includes('SQLite format 3'), 'the state file was read');
  assert.doesNotMatch(atRest.join(''), TOKEN_SHAPE, 'the state file holds no token in plain text');
  t.diagnostic(`key-pair cycles: ${keyPairOutcomes.join(', ')}; OAuth cycles: ${oauthOutcomes.join(', ')}; ${expected.length} events per account, each once`);
});
