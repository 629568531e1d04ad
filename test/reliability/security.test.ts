// Reliability, security checks on the OAuth routes: cross-site requests get nothing. A sign-in answer (code and
// state) that another browser started is refused when it arrives in the victim's browser from another site (login
// CSRF), installs no grant, and does not spoil the real sign-in; the state cookie that binds a sign-in to its browser is
// signed, HttpOnly and SameSite=Lax, so cross-site subrequests never carry it; and the routes refuse cross-site
// subrequests (image, fetch, frame) and methods other than GET, while cross-site navigations (a link, Snowflake's
// redirect) still work. (The other reliability tests scan their own outputs for their secrets;
// token-faults.test.ts checks the state file holds no token in plain text.)
import assert from 'node:assert/strict';
import { it } from 'node:test';
import { request } from 'undici';
import { startExporter } from '../../src/runtime/exporter.ts';
import { sampleValue, scrape } from '../helpers/exporter-harness.ts';
import { callbackUrl, HttpBrowser, OAUTH_ACCOUNT, oauthFixtureFor, outcomeOf, startUrl } from '../integration/oauth/helpers.ts';

const CROSS_SITE = { 'sec-fetch-site': 'cross-site', origin: 'https://evil.example', referer: 'https://evil.example/page' };
/** What a browser adds when a person follows a link (or a server redirects the page): a top-level navigation. */
const NAVIGATION = { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'document', 'sec-fetch-user': '?1' };

interface Answer {
  readonly status: number;
  readonly text: string;
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
}

/** A GET with exactly these headers, as a browser sends them. Not fetch(): undici's fetch forces Sec-Fetch-Mode: cors. */
async function browserGet(url: string | URL, headers: Record<string, string>): Promise<Answer> {
  const answer = await request(url, { headers });
  const setCookie = answer.headers['set-cookie'];
  const location = answer.headers.location;
  return {
    status: answer.statusCode,
    text: await answer.body.text(),
    location: typeof location === 'string' ? location : undefined,
    setCookies: setCookie === undefined ? [] : Array.isArray(setCookie) ? setCookie : [setCookie],
  };
}

it('OAuth routes: a cross-site sign-in answer is refused and installs nothing; the state cookie is bound and Lax', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await startExporter(fixture.config(), { schedule: false });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  // The attacker signs in (with credentials they hold) and stops at Snowflake's redirect: a valid code and state.
  const attacker = new HttpBrowser();
  const forgedAnswer = await attacker.consent(startUrl(exporter));
  const stateCookies = [...attacker.cookies.keys()].filter((name) => name.includes('sre_oauth_'));
  assert.equal(stateCookies.length, 1, 'the start set one state cookie');

  // The victim's browser is lured to it from another site: no state cookie of its own, so the answer is refused.
  const victim = await browserGet(forgedAnswer, { ...CROSS_SITE, ...NAVIGATION });
  assert.equal(victim.status, 403);
  assert.equal(outcomeOf(victim.text), 'browser_mismatch');
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0, 'no grant was installed');
  // The same answer with a cookie for another sign-in (an attacker-planted one) is refused too.
  const otherBrowser = new HttpBrowser();
  const other = await otherBrowser.get(startUrl(exporter));
  assert.equal(other.status, 302);
  const mixed = await browserGet(forgedAnswer, {
    ...CROSS_SITE,
    ...NAVIGATION,
    cookie: [...otherBrowser.cookies].map(([name, value]) => `${name}=${value}`).join('; '),
  });
  assert.equal(mixed.status, 403);
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);

  // The browser that started it can still finish it: the refusals consumed nothing.
  assert.equal(outcomeOf((await attacker.get(forgedAnswer)).text), 'connected');

  // The binding cookie: signed, HttpOnly, SameSite=Lax, so a cross-site fetch, image or form never sends it.
  const started = await new HttpBrowser().get(startUrl(exporter));
  const cookie = started.setCookies.find((line) => line.includes('sre_oauth_')) ?? '';
  assert.match(cookie, /=s%3A[^;]+\.[^;]+;/, 'signed');
  assert.match(cookie, /; HttpOnly/i);
  assert.match(cookie, /; SameSite=Lax/i);
  assert.match(cookie, /; Path=\//i);

  // No other method reaches the routes (a cross-site form can only POST).
  for (const path of ['/oauth/start?account=finance', '/oauth/callback?state=x&code=y']) {
    const answer = await fetch(new URL(path, exporter.url), { method: 'POST', headers: CROSS_SITE, body: 'x=1' });
    assert.ok(answer.status === 404 || answer.status === 405, `POST ${path} answered ${answer.status}`);
    await answer.body?.cancel();
  }
});

// A link from another site (a runbook, a chat message) is a cross-site navigation and may start a sign-in, and
// Snowflake's redirect to the callback is one too; a cross-site subrequest (an <img>, fetch() or <iframe> on a page the
// operator visits) must not create a sign-in or a cookie, nor reach the callback. Headers as browsers send them.
const SUBREQUESTS = {
  image: { 'sec-fetch-mode': 'no-cors', 'sec-fetch-dest': 'image' },
  fetch: { 'sec-fetch-mode': 'cors', 'sec-fetch-dest': 'empty' },
  frame: { 'sec-fetch-mode': 'navigate', 'sec-fetch-dest': 'iframe' },
} as const;

it('OAuth routes refuse cross-site subrequests (image, fetch, frame): only a navigation may start or finish a sign-in', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const exporter = await startExporter(fixture.config(), { schedule: false });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));

  for (const [kind, headers] of Object.entries(SUBREQUESTS)) {
    const answer = await browserGet(startUrl(exporter), { ...CROSS_SITE, ...headers });
    assert.equal(answer.status, 403, `a cross-site ${kind} request to /oauth/start answered ${answer.status}`);
    assert.equal(outcomeOf(answer.text), 'cross_site_request');
    assert.equal(answer.setCookies.find((line) => line.includes('sre_oauth_')), undefined, `no state cookie for a cross-site ${kind}`);
    assert.equal(answer.location, undefined, 'no redirect to Snowflake');
  }

  // A real sign-in's answer, replayed by a cross-site frame in the same browser (cookies and all), is refused and
  // consumes nothing: the browser's own navigation still completes it.
  const browser = new HttpBrowser();
  const answerUrl = await browser.consent(startUrl(exporter));
  const cookie = [...browser.cookies].map(([name, value]) => `${name}=${value}`).join('; ');
  const framed = await browserGet(answerUrl, { ...CROSS_SITE, ...SUBREQUESTS.frame, cookie });
  assert.equal(framed.status, 403);
  assert.equal(outcomeOf(framed.text), 'cross_site_request');
  assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_oauth_connected', { account: OAUTH_ACCOUNT }), 0);
  const navigated = await browserGet(answerUrl, { ...CROSS_SITE, ...NAVIGATION, cookie });
  assert.equal(outcomeOf(navigated.text), 'connected', 'the cross-site top-level navigation (Snowflake redirect) completes the sign-in');

  // A link from another site starts a sign-in.
  const linked = await browserGet(startUrl(exporter), { ...CROSS_SITE, ...NAVIGATION });
  assert.equal(linked.status, 302, 'a cross-site navigation (a link) starts a sign-in');
  assert.ok(linked.setCookies.some((line) => line.includes('sre_oauth_')));
});
