// OAuth onboarding in a real browser: headless Chromium (Debian package `chromium`, driven by playwright-core) opens
// the exporter's /oauth/start, signs in and approves on the emulator's consent page, lands on the callback page, and
// the account's metrics appear (the exporter starts a cycle on its own after the consent). Then the refusals a
// browser can produce: Deny on the consent screen, a tampered `state`, a replayed callback URL.
//
// Chromium is required: without /usr/bin/chromium this test FAILS on purpose (CI installs it with apt-get).
import assert from 'node:assert/strict';
import { existsSync } from 'node:fs';
import { test } from 'node:test';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startExporter } from '../../src/runtime/exporter.ts';
import { sampleValue, scrape } from '../helpers/exporter-harness.ts';
import {
  callbackUrl,
  eventually,
  OAUTH_ACCOUNT,
  OAUTH_PASSWORD,
  OAUTH_USER,
  oauthFixtureFor,
  startUrl,
} from '../integration/oauth/helpers.ts';

const CHROMIUM = '/usr/bin/chromium';

async function launchChromium(): Promise<Browser> {
  assert.ok(existsSync(CHROMIUM), `Chromium must be installed at ${CHROMIUM} (Debian package "chromium")`);
  // A fresh temporary profile per launch; no sandbox because CI runs as root.
  return chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
  });
}

/** On the emulator's pages: sign in as the person and answer the consent screen. */
async function signInAndAnswer(page: Page, answer: 'Allow' | 'Deny'): Promise<void> {
  await page.waitForSelector('#login_name');
  assert.match(await page.title(), /Sign in to Snowflake/);
  await page.fill('#login_name', OAUTH_USER);
  await page.fill('#password', OAUTH_PASSWORD);
  await Promise.all([page.waitForURL(/\/oauth\/authorize$/), page.click('button[type=submit]')]);
  assert.match(await page.title(), /Allow access\?/);
  assert.equal(await page.textContent('#role'), 'RISK_READER');
  await page.click(`button:text-is("${answer}")`);
}

async function outcome(page: Page): Promise<string | null> {
  return page.getAttribute('main', 'data-outcome');
}

test('in Chromium: consent, callback page, metrics; then Deny, a tampered state and a replayed callback', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await startExporter(fixture.config(), { schedule: true });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  const browser = await launchChromium();
  t.after(() => browser.close());
  const context = await browser.newContext();
  const page = await context.newPage();
  const consoleErrors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') consoleErrors.push(`${page.url()}: ${message.text()}`);
  });

  // The landing page offers the connection.
  await page.goto(exporter.url.href);
  assert.match((await page.textContent('p.oauth')) ?? '', /disconnected/);
  await Promise.all([page.waitForURL(/\/oauth\/authorize\?/), page.click('p.oauth a')]);
  const stateCookie = (await context.cookies(exporter.url.href)).find((cookie) => cookie.name === `sre_oauth_${OAUTH_ACCOUNT}`);
  assert.ok(stateCookie !== undefined, 'the state cookie is set');
  assert.equal(stateCookie.httpOnly, true);
  assert.equal(stateCookie.sameSite, 'Lax');

  await signInAndAnswer(page, 'Allow');
  await page.waitForURL((url) => url.pathname === '/oauth/callback');
  assert.equal(await outcome(page), 'connected');
  assert.equal(await page.textContent('#account'), OAUTH_ACCOUNT);
  assert.equal(await page.textContent('#user'), OAUTH_USER);
  const expiry = await page.getAttribute('#refresh-token-expiry time', 'datetime');
  assert.ok(expiry !== null && Date.parse(expiry) > Date.now() + 29 * 86_400_000, 'valid for the integration\'s 30 days');
  assert.ok(
    !(await context.cookies(exporter.url.href)).some((cookie) => cookie.name === `sre_oauth_${OAUTH_ACCOUNT}`),
    'the state cookie is gone after use',
  );

  // The consent started a cycle: the account's metrics appear without waiting for its schedule.
  const metrics = await eventually(async () => {
    const text = await scrape(exporter);
    return sampleValue(text, 'snowflake_risk_up', { account: OAUTH_ACCOUNT }) === 1 ? text : undefined;
  }, 'the OAuth account to be up');
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
  assert.equal(sampleValue(metrics, 'snowflake_risk_oauth_refresh_token_expiry_timestamp_seconds', { account: OAUTH_ACCOUNT }), Date.parse(expiry) / 1000);
  assert.ok((sampleValue(metrics, 'snowflake_risk_source_runs_total', { account: OAUTH_ACCOUNT, source: 'users' }) ?? 0) >= 1);
  await page.goto(exporter.url.href);
  assert.match((await page.textContent('p.oauth')) ?? '', new RegExp(`connected as ${OAUTH_USER}`));

  // Deny on the consent screen.
  await page.goto(startUrl(exporter));
  await signInAndAnswer(page, 'Deny');
  await page.waitForURL((url) => url.pathname === '/oauth/callback');
  assert.equal(await outcome(page), 'denied');
  assert.match((await page.textContent('main')) ?? '', /answered with Deny/);

  // Hold Snowflake's redirect to the callback (the answer to Allow) to tamper with it, then replay it. Routes do not
  // see the target of a redirect, so the consent form's answer is fetched here and its Location kept.
  await page.goto(startUrl(exporter));
  let held: string | undefined;
  await page.route(
    (url) => url.pathname === '/oauth/authorize',
    async (route) => {
      if (route.request().method() !== 'POST' || !(route.request().postData() ?? '').includes('action=approve')) {
        await route.continue();
        return;
      }
      const answer = await route.fetch({ maxRedirects: 0 });
      held = answer.headers().location;
      await route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>held</title>' });
    },
  );
  await signInAndAnswer(page, 'Allow');
  await page.waitForFunction('document.title === "held"');
  await page.unrouteAll();
  assert.ok(held !== undefined);
  const tampered = new URL(held);
  tampered.searchParams.set('state', `${tampered.searchParams.get('state') ?? ''}x`);
  await page.goto(tampered.href);
  assert.equal(await outcome(page), 'state_mismatch');
  await page.goto(held);
  assert.equal(await outcome(page), 'connected', 'the untampered answer still completes');
  await page.goto(held);
  assert.equal(await outcome(page), 'replayed');
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);

  assert.deepEqual(
    // Error pages answer 4xx on purpose, which Chromium logs as a failed load; anything else (a CSP refusal of the
    // inline style, a script error) is a defect.
    consoleErrors.filter((line) => line.startsWith(exporter.url.origin) && !line.includes('Failed to load resource')),
    [],
    'no CSP violation or script error on the exporter\'s pages',
  );
});
