// Who can connect an OAuth account, and with which names. The README's setup: a person who can sign in (their own
// login, or a PERSON user with a password) holds the exporter's role and consents once. A SERVICE user cannot sign in
// to Snowflake's consent page at all (https://docs.snowflake.com/en/user-guide/admin-user-management#types-of-users),
// so the account stays disconnected. And names in the configuration are written as in SQL: `role: risk_reader` asks
// for, and runs statements in, RISK_READER.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { sampleValue, scrape } from '../../helpers/exporter-harness.ts';
import { EMULATED_ROLE } from '../../helpers/emulator-account.ts';
import { callbackUrl, HttpBrowser, OAUTH_ACCOUNT, OAUTH_USER, oauthFixtureFor, outcomeOf, startUrl } from './helpers.ts';

test('role and user written in lower case: the scope asks for the stored role, and the grant runs statements in it', async (t) => {
  const fixture = await oauthFixtureFor(t, { oauthAccount: { role: EMULATED_ROLE.toLowerCase(), user: OAUTH_USER.toLowerCase() } });
  const exporter = await startExporter(fixture.config(), { schedule: false });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  const browser = new HttpBrowser();
  const started = await browser.get(startUrl(exporter));
  assert.equal(new URL(started.location ?? '').searchParams.get('scope'), `refresh_token session:role:${EMULATED_ROLE}`);
  const connected = await browser.get(await browser.consent(startUrl(exporter)));
  assert.equal(outcomeOf(connected.text), 'connected', connected.text);
  assert.match(connected.text, new RegExp(`with role <code>${EMULATED_ROLE}</code>`), 'the page names the role as Snowflake stores it');

  const cycle = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, true, 'statements carry role RISK_READER, not risk_reader (which Snowflake refuses with 390186)');
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_up', { account: OAUTH_ACCOUNT }), 1);
});

test('a SERVICE user cannot sign in to consent, even with a password: the account stays disconnected', async (t) => {
  const service = { name: 'RISK_EXPORTER_SVC_OAUTH', type: 'SERVICE' as const, password: 'service-password-1', roles: [EMULATED_ROLE], defaultRole: EMULATED_ROLE };
  const fixture = await oauthFixtureFor(t, { extraUsers: [service] });
  const exporter = await startExporter(fixture.config(), { schedule: false });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  await assert.rejects(
    new HttpBrowser().consent(startUrl(exporter), 'approve', { user: service.name, password: service.password }),
    /sign-in did not reach the consent screen/,
  );
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  // The person holding the role can.
  const browser = new HttpBrowser();
  const connected = await browser.get(await browser.consent(startUrl(exporter)));
  assert.equal(outcomeOf(connected.text), 'connected', connected.text);
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 1);
});
