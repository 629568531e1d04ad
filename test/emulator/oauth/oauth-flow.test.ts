// The OAuth authorization server driven entirely by HTTP requests, as a browser and the exporter would: authorize
// page, sign-in form, consent, redirect, code exchange with PKCE, refresh (plain and single-use), and every refusal
// the exporter must handle. Time is an injected clock so codes and tokens can expire without waiting.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { OAuthClientConfigError } from '../../../emulator/index.ts';
import { call, startHarness, submitBody, type Harness } from '../server/helpers.ts';

// Plain http on the loopback address: the clients set OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE (allowNonTlsRedirectUri).
const REDIRECT = 'http://127.0.0.1:9999/oauth/callback';
const CLIENT = 'exporter-client';
const SECRET = 's3cret/with:odd&chars';

interface TokenAnswer {
  access_token: string;
  refresh_token?: string;
  refresh_token_expires_in?: number;
  expires_in: number;
  token_type: string;
  username?: string;
  scope: string;
}

function basic(id: string, secret: string): string {
  return `Basic ${Buffer.from(`${encodeURIComponent(id)}:${encodeURIComponent(secret)}`).toString('base64')}`;
}

function pkce(): { verifier: string; challenge: string } {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: createHash('sha256').update(verifier).digest('base64url') };
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `form field ${name}`);
  return match[1] ?? '';
}

describe('OAuth authorization server', () => {
  let h: Harness;
  let now = Date.UTC(2026, 10, 1);
  before(async () => {
    h = await startHarness({
      authNow: () => now,
      users: [
        { name: 'ALICE', password: 'alice-pw', roles: ['ANALYST', 'ACCOUNTADMIN'], defaultRole: 'ANALYST' },
      ],
      oauthClients: [
        { clientId: CLIENT, name: 'Risk Exporter', clientSecrets: [SECRET, 'second-secret'], redirectUri: REDIRECT, allowNonTlsRedirectUri: true, enforcePkce: true, refreshTokenValiditySeconds: 86_400 },
        { clientId: 'rotating', clientSecrets: ['rot'], redirectUri: REDIRECT, allowNonTlsRedirectUri: true, singleUseRefreshTokens: true },
        { clientId: 'plain', clientSecrets: ['plain'], redirectUri: REDIRECT, allowNonTlsRedirectUri: true },
      ],
    });
  });
  after(async () => {
    await h.emulator.close();
  });

  async function authorizePage(params: Record<string, string>): Promise<{ status: number; html: string; cookie: string }> {
    const query = new URLSearchParams(params).toString();
    const reply = await request(`${h.base}/oauth/authorize?${query}`);
    const cookie = String(reply.headers['set-cookie'] ?? '').split(';')[0] ?? '';
    return { status: reply.statusCode, html: await reply.body.text(), cookie };
  }

  async function postForm(form: Record<string, string>, cookie: string): Promise<{ status: number; html: string; location?: string }> {
    const reply = await request(`${h.base}/oauth/authorize`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie },
      body: new URLSearchParams(form).toString(),
    });
    const location = reply.headers.location;
    return { status: reply.statusCode, html: await reply.body.text(), location: typeof location === 'string' ? location : undefined };
  }

  /** Runs the browser part: authorize, sign in, approve (or deny). Returns the redirect target. */
  async function consent(options: { clientId?: string; scope?: string; state?: string | null; challenge?: string | null; deny?: boolean } = {}): Promise<URL> {
    const params: Record<string, string> = { client_id: options.clientId ?? CLIENT, response_type: 'code', redirect_uri: REDIRECT, scope: options.scope ?? 'refresh_token session:role:ANALYST' };
    if (options.state !== null) params.state = options.state ?? 'st-1';
    if (options.challenge !== null) {
      params.code_challenge = options.challenge ?? pkce().challenge;
      params.code_challenge_method = 'S256';
    }
    const page = await authorizePage(params);
    assert.equal(page.status, 200);
    assert.match(page.html, /<form method="post" action="\/oauth\/authorize">/);
    const hidden = { request_id: field(page.html, 'request_id'), csrf_token: field(page.html, 'csrf_token') };
    const signedIn = await postForm({ ...hidden, action: 'sign_in', login_name: 'alice', password: 'alice-pw' }, page.cookie);
    assert.equal(signedIn.status, 200);
    assert.match(signedIn.html, /Allow access\?/);
    const decision = await postForm({ ...hidden, action: options.deny === true ? 'deny' : 'approve' }, page.cookie);
    assert.equal(decision.status, 302);
    return new URL(decision.location ?? '');
  }

  async function tokenRequest(form: Record<string, string>, auth = basic(CLIENT, SECRET)): Promise<{ status: number; body: Record<string, unknown> }> {
    const reply = await request(`${h.base}/oauth/token-request`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/x-www-form-urlencoded', Authorization: auth },
      body: new URLSearchParams(form).toString(),
    });
    return { status: reply.statusCode, body: (await reply.body.json()) as Record<string, unknown> };
  }

  function exchange(code: string, verifier: string, extra: Record<string, string> = {}, auth?: string) {
    return tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, code_verifier: verifier, ...extra }, auth);
  }

  function assertOAuthError(answer: { status: number; body: Record<string, unknown> }, error: string, status = 400): void {
    assert.equal(answer.status, status);
    assert.deepEqual(Object.keys(answer.body), ['data', 'message', 'code', 'success', 'error']);
    assert.equal(answer.body.error, error);
    assert.equal(answer.body.success, false);
    assert.equal(answer.body.data, null);
  }

  test('full code flow with PKCE, then the access token runs SQL with the consented role', async () => {
    const { verifier, challenge } = pkce();
    const target = await consent({ challenge, state: 'a b/c?&=é'.replace('é', 'e') });
    assert.equal(`${target.origin}${target.pathname}`, REDIRECT);
    assert.equal(target.searchParams.get('state'), 'a b/c?&=e', 'state comes back unchanged');
    const code = target.searchParams.get('code') ?? '';
    const answer = await exchange(code, verifier);
    assert.equal(answer.status, 200);
    const tokens = answer.body as unknown as TokenAnswer;
    assert.equal(tokens.token_type, 'Bearer');
    assert.equal(tokens.expires_in, 600);
    assert.equal(tokens.username, 'ALICE');
    assert.equal(tokens.scope, 'refresh_token session:role:ANALYST');
    assert.equal(tokens.refresh_token_expires_in, 86_400);
    assert.equal(typeof tokens.refresh_token, 'string');
    const sql = await call(h, 'POST', '/api/v2/statements', { body: submitBody("SELECT 1 AS a, 'x' AS b"), token: tokens.access_token, headers: { 'X-Snowflake-Authorization-Token-Type': 'OAUTH' } });
    assert.equal(sql.status, 200);
    assert.equal(h.engine.executions.at(-1)?.role, 'ANALYST');
    const otherRole = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1', { role: 'ACCOUNTADMIN' }), token: tokens.access_token });
    assert.equal(otherRole.status, 400, 'an OAuth session is bound to its role');

    now += 601_000;
    const expired = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: tokens.access_token, headers: { 'X-Snowflake-Authorization-Token-Type': 'OAUTH' } });
    assert.equal(expired.status, 401);
    assert.equal((expired.json() as { code: string }).code, '390303');
    assert.ok(!expired.text.includes(tokens.access_token.slice(-8)));

    const refreshed = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    assert.equal(refreshed.status, 200);
    assert.equal(refreshed.body.refresh_token, undefined, 'not rotated by default');
    const again = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: String(refreshed.body.access_token) });
    assert.equal(again.status, 200);
    const twice = await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' });
    assert.equal(twice.status, 200, 'a plain refresh token keeps working');

    now += 86_400_000;
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: tokens.refresh_token ?? '' }), 'invalid_grant');
  });

  test('PKCE mismatch, wrong redirect_uri, reused and expired codes are invalid_grant', async () => {
    const { verifier, challenge } = pkce();
    const code = (await consent({ challenge })).searchParams.get('code') ?? '';
    assertOAuthError(await exchange(code, pkce().verifier), 'invalid_grant');
    assertOAuthError(await exchange(code, verifier), 'invalid_grant', 400);

    const second = pkce();
    const code2 = (await consent({ challenge: second.challenge })).searchParams.get('code') ?? '';
    assertOAuthError(await exchange(code2, second.verifier, { redirect_uri: 'http://127.0.0.1:9999/other' }), 'invalid_grant');

    const third = pkce();
    const code3 = (await consent({ challenge: third.challenge })).searchParams.get('code') ?? '';
    const first = await exchange(code3, third.verifier);
    assert.equal(first.status, 200);
    assertOAuthError(await exchange(code3, third.verifier), 'invalid_grant');
    const revoked = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: String(first.body.access_token) });
    assert.equal(revoked.status, 401, 'replaying a code revokes what it produced');

    const fourth = pkce();
    const code4 = (await consent({ challenge: fourth.challenge })).searchParams.get('code') ?? '';
    now += 61_000;
    assertOAuthError(await exchange(code4, fourth.verifier), 'invalid_grant');
  });

  test('client authentication: wrong secret and unknown client are 401 invalid_client; the second secret works', async () => {
    const { verifier, challenge } = pkce();
    const code = (await consent({ challenge })).searchParams.get('code') ?? '';
    const wrong = await exchange(code, verifier, {}, basic(CLIENT, 'nope'));
    assertOAuthError(wrong, 'invalid_client', 401);
    assert.equal(wrong.body.message, 'This is an invalid client.');
    assertOAuthError(await exchange(code, verifier, {}, basic('ghost', SECRET)), 'invalid_client', 401);
    assertOAuthError(await tokenRequest({ grant_type: 'authorization_code' }, 'Bearer x'), 'invalid_client', 401);
    const ok = await exchange(code, verifier, {}, basic(CLIENT, 'second-secret'));
    assert.equal(ok.status, 200, 'a failed client authentication does not burn the code');
  });

  test('grant type and request errors', async () => {
    assertOAuthError(await tokenRequest({ grant_type: 'client_credentials' }), 'unsupported_grant_type');
    assertOAuthError(await tokenRequest({}), 'invalid_request');
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token' }), 'invalid_request');
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'ver:2-hint:1-bogus' }), 'invalid_grant');
  });

  test('single-use refresh tokens rotate; the old one is rejected and its reuse revokes the family', async () => {
    const code = (await consent({ clientId: 'rotating', challenge: null })).searchParams.get('code') ?? '';
    const first = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, basic('rotating', 'rot'));
    assert.equal(first.status, 200);
    const r1 = String(first.body.refresh_token);
    const second = await tokenRequest({ grant_type: 'refresh_token', refresh_token: r1 }, basic('rotating', 'rot'));
    assert.equal(second.status, 200);
    const r2 = String(second.body.refresh_token);
    assert.notEqual(r2, r1);
    assert.ok(Number(second.body.refresh_token_expires_in) <= 7_776_000);
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: r1 }, basic('rotating', 'rot')), 'invalid_grant');
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: r2 }, basic('rotating', 'rot')), 'invalid_grant');
    const access = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: String(second.body.access_token) });
    assert.equal(access.status, 401, 'reuse of a rotated token revokes the whole family');
  });

  test('opting in with enable_single_use_refresh_tokens=true rotates on a plain client', async () => {
    const code = (await consent({ clientId: 'plain', challenge: null })).searchParams.get('code') ?? '';
    const first = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT, enable_single_use_refresh_tokens: 'true' }, basic('plain', 'plain'));
    const next = await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(first.body.refresh_token) }, basic('plain', 'plain'));
    assert.equal(typeof next.body.refresh_token, 'string');
  });

  test('admin revocation and expiry of refresh tokens', async () => {
    const code = (await consent({ clientId: 'plain', challenge: null })).searchParams.get('code') ?? '';
    const tokens = await tokenRequest({ grant_type: 'authorization_code', code, redirect_uri: REDIRECT }, basic('plain', 'plain'));
    const revoke = await request(`${h.base}/_emulator/tokens/revoke`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'refresh', clientId: 'plain' }),
    });
    assert.equal(revoke.statusCode, 200);
    assert.ok(((await revoke.body.json()) as { count: number }).count >= 1);
    assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: String(tokens.body.refresh_token) }, basic('plain', 'plain')), 'invalid_grant');
    const code2 = (await consent({ clientId: 'plain', challenge: null })).searchParams.get('code') ?? '';
    const tokens2 = await tokenRequest({ grant_type: 'authorization_code', code: code2, redirect_uri: REDIRECT }, basic('plain', 'plain'));
    assert.ok(h.emulator.admin.expireTokens({ kind: 'access', user: 'alice' }) >= 1);
    const sql = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT 1'), token: String(tokens2.body.access_token) });
    assert.equal(sql.status, 401);
  });

  test('deny consent redirects with access_denied and the state; no state means no state parameter', async () => {
    const denied = await consent({ deny: true, state: 'xyz' });
    assert.equal(denied.searchParams.get('error'), 'access_denied');
    assert.equal(denied.searchParams.get('state'), 'xyz');
    assert.equal(denied.searchParams.get('code'), null);
    const stateless = await consent({ state: null });
    assert.equal(stateless.searchParams.has('state'), false);
    assert.ok(stateless.searchParams.get('code'));
  });

  test('the authorize request is validated before sign-in', async () => {
    const base = { client_id: CLIENT, response_type: 'code', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' };
    const cases: [Record<string, string>, string][] = [
      [{ ...base, client_id: 'ghost' }, '390306'],
      [{ ...base, redirect_uri: 'http://evil.example/cb' }, '390307'],
      [{ ...base, response_type: 'token' }, '390304'],
      [{ ...base, state: 'x'.repeat(2049) }, '390305'],
      [{ ...base, scope: 'session:role:ANALYST admin' }, '390308'],
      [{ ...base, scope: 'session:role:ACCOUNTADMIN' }, '390308'],
      [{ ...base, code_challenge_method: 'plain' }, '390311'],
      [{ client_id: CLIENT, response_type: 'code', redirect_uri: REDIRECT }, '390311'],
    ];
    for (const [params, code] of cases) {
      const page = await authorizePage(params);
      assert.equal(page.status, 400, code);
      assert.match(page.html, new RegExp(`Error code ${code}`));
      assert.doesNotMatch(page.html, /<form/);
    }
  });

  test('the forms refuse a wrong CSRF token and a wrong password', async () => {
    const page = await authorizePage({ client_id: CLIENT, response_type: 'code', redirect_uri: REDIRECT, code_challenge: pkce().challenge, code_challenge_method: 'S256' });
    const hidden = { request_id: field(page.html, 'request_id'), csrf_token: field(page.html, 'csrf_token') };
    const noCookie = await postForm({ ...hidden, action: 'sign_in', login_name: 'alice', password: 'alice-pw' }, '');
    assert.equal(noCookie.status, 403);
    const forged = await postForm({ ...hidden, csrf_token: 'forged', action: 'sign_in', login_name: 'alice', password: 'alice-pw' }, page.cookie);
    assert.equal(forged.status, 403);
    const badPassword = await postForm({ ...hidden, action: 'sign_in', login_name: 'alice', password: 'wrong' }, page.cookie);
    assert.equal(badPassword.status, 200);
    assert.match(badPassword.html, /Incorrect username or password was specified\./);
    const approveUnsigned = await postForm({ ...hidden, action: 'approve' }, page.cookie);
    assert.equal(approveUnsigned.status, 200, 'approve before sign-in shows the sign-in form again');
    assert.equal(approveUnsigned.location, undefined);
  });

  test('token endpoint faults: throttling and an expired-token answer', async () => {
    h.emulator.admin.setFaults({ rules: [{ endpoint: 'token', action: { kind: 'status', status: 429 }, count: 1 }, { endpoint: 'token', action: { kind: 'expired-token' }, count: 1 }] });
    try {
      const throttled = await request(`${h.base}/oauth/token-request`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded' }, body: 'grant_type=refresh_token' });
      assert.equal(throttled.statusCode, 429);
      await throttled.body.dump();
      assertOAuthError(await tokenRequest({ grant_type: 'refresh_token', refresh_token: 'x' }), 'invalid_grant');
    } finally {
      h.emulator.admin.setFaults({ rules: [] });
    }
  });
});

describe('OAUTH_ALLOW_NON_TLS_REDIRECT_URI: a plain http redirect URI needs it, as in Snowflake', () => {
  // https://docs.snowflake.com/en/sql-reference/sql/create-security-integration-oauth-snowflake: "If TRUE, allows
  // setting OAUTH_REDIRECT_URI to a URI not protected by TLS" (default FALSE): without it the integration cannot be
  // created with an http URI, so the emulator refuses to register such a client.
  const isConfigError = (error: unknown): boolean => {
    assert.ok(error instanceof OAuthClientConfigError, String(error));
    assert.match(error.message, /OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE/);
    assert.match(error.message, /^OAuth client local: /);
    return true;
  };

  test('a client with an http redirect URI and no flag stops the emulator from starting', async () => {
    const started = startHarness({ oauthClients: [{ clientId: 'local', clientSecrets: ['s'], redirectUri: REDIRECT }] });
    // Closed if it starts after all, so that a failing run ends.
    started.then((h) => h.emulator.close(), () => undefined).catch(() => undefined);
    await assert.rejects(started, isConfigError);
  });

  test('registering one at run time fails and leaves the client unknown; https needs no flag', async () => {
    const h = await startHarness({ oauthClients: [{ clientId: 'tls', clientSecrets: ['s'], redirectUri: 'https://risk-exporter.example.com/oauth/callback' }] });
    try {
      assert.throws(() => h.emulator.admin.registerOAuthClient({ clientId: 'local', clientSecrets: ['s'], redirectUri: 'HTTP://127.0.0.1:9975/oauth/callback' }), isConfigError);
      const unknown = await request(`${h.base}/oauth/authorize?${new URLSearchParams({ client_id: 'local', response_type: 'code', redirect_uri: 'http://127.0.0.1:9975/oauth/callback' }).toString()}`);
      assert.equal(unknown.statusCode, 400);
      assert.match(await unknown.body.text(), /Error code 390306/);
      h.emulator.admin.registerOAuthClient({ clientId: 'local', clientSecrets: ['s'], redirectUri: 'http://127.0.0.1:9975/oauth/callback', allowNonTlsRedirectUri: true });
      for (const [client, redirect] of [['local', 'http://127.0.0.1:9975/oauth/callback'], ['tls', 'https://risk-exporter.example.com/oauth/callback']]) {
        const page = await request(`${h.base}/oauth/authorize?${new URLSearchParams({ client_id: client!, response_type: 'code', redirect_uri: redirect! }).toString()}`);
        assert.equal(page.statusCode, 200, client);
        await page.body.dump();
      }
    } finally {
      await h.emulator.close();
    }
  });
});
