// What Snowflake's OAuth authorization server refuses that matters for onboarding the exporter:
// - a user who cannot sign in interactively: a SERVICE user "cannot log in using a password" nor SAML SSO
//   (https://docs.snowflake.com/en/user-guide/admin-user-management#types-of-users), so it can never consent;
// - a privileged role in the `session:role:` scope: ACCOUNTADMIN, SECURITYADMIN, ORGADMIN and GLOBALORGADMIN are in
//   every integration's BLOCKED_ROLES_LIST and "cannot be removed" (https://docs.snowflake.com/en/user-guide/oauth-custom)
//   unless the account parameter OAUTH_ADD_PRIVILEGED_ROLES_TO_BLOCKED_LIST is FALSE;
// - a scope role that is not exactly a granted role: names are stored as Snowflake stores identifiers (the emulator's
//   configuration `analyst` is ANALYST) and the scope is compared case-sensitively.
import assert from 'node:assert/strict';
import { createHash, randomBytes } from 'node:crypto';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startHarness, type Harness } from '../server/helpers.ts';

const REDIRECT = 'http://127.0.0.1:9999/oauth/callback';

function challenge(): string {
  return createHash('sha256').update(randomBytes(32).toString('base64url')).digest('base64url');
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  assert.ok(match, `form field ${name}`);
  return match[1] ?? '';
}

/** The consent flow up to the answer to the sign-in form: the authorize page's status, then the sign-in result. */
async function signIn(h: Harness, options: { client: string; scope: string; login: string; password: string }): Promise<{ authorize: number; authorizeHtml: string; status?: number; html?: string }> {
  const query = new URLSearchParams({ client_id: options.client, response_type: 'code', redirect_uri: REDIRECT, scope: options.scope, code_challenge: challenge(), code_challenge_method: 'S256' });
  const page = await request(`${h.base}/oauth/authorize?${query.toString()}`);
  const html = await page.body.text();
  if (page.statusCode !== 200) return { authorize: page.statusCode, authorizeHtml: html };
  const cookie = String(page.headers['set-cookie'] ?? '').split(';')[0] ?? '';
  const form = new URLSearchParams({ request_id: field(html, 'request_id'), csrf_token: field(html, 'csrf_token'), action: 'sign_in', login_name: options.login, password: options.password });
  const answer = await request(`${h.base}/oauth/authorize`, { method: 'POST', headers: { 'Content-Type': 'application/x-www-form-urlencoded', Cookie: cookie }, body: form.toString() });
  return { authorize: 200, authorizeHtml: html, status: answer.statusCode, html: await answer.body.text() };
}

const USERS = [
  // Written as in SQL: `GRANT ROLE analyst TO USER alice` grants ANALYST.
  { name: 'alice', password: 'alice-pw', roles: ['analyst', 'ACCOUNTADMIN'], defaultRole: 'analyst' },
  { name: 'svc', type: 'SERVICE' as const, password: 'svc-pw', roles: ['analyst'], defaultRole: 'analyst' },
  { name: 'legacy', type: 'LEGACY_SERVICE' as const, password: 'legacy-pw', roles: ['analyst'], defaultRole: 'analyst' },
  { name: 'keyonly', roles: ['analyst'], defaultRole: 'analyst' },
];
const CLIENTS = [
  // The redirect URI is plain http: the integration sets OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE.
  { clientId: 'default', clientSecrets: ['s'], redirectUri: REDIRECT, allowNonTlsRedirectUri: true },
  // BLOCKED_ROLES_LIST = ('analyst'): adds ANALYST to the privileged roles, never replaces them.
  { clientId: 'own-list', clientSecrets: ['s'], redirectUri: REDIRECT, allowNonTlsRedirectUri: true, blockedRoles: ['analyst'] },
];

describe('OAuth sign-in: who may consent, to which role', () => {
  let h: Harness;
  let open: Harness;
  before(async () => {
    h = await startHarness({ users: USERS, oauthClients: CLIENTS });
    open = await startHarness({ users: USERS, oauthClients: CLIENTS, oauthAddPrivilegedRolesToBlockedList: false });
  });
  after(async () => {
    await h.emulator.close();
    await open.emulator.close();
  });

  test('a person signs in; a SERVICE user cannot, even with a password; a user without one cannot either', async () => {
    const person = await signIn(h, { client: 'default', scope: 'refresh_token session:role:ANALYST', login: 'alice', password: 'alice-pw' });
    assert.equal(person.status, 200);
    assert.match(person.html ?? '', /Allow access\?/);
    const legacy = await signIn(h, { client: 'default', scope: 'refresh_token session:role:ANALYST', login: 'legacy', password: 'legacy-pw' });
    assert.match(legacy.html ?? '', /Allow access\?/, 'LEGACY_SERVICE may still use a password');
    for (const [login, password] of [['svc', 'svc-pw'], ['keyonly', '']] as const) {
      const refused = await signIn(h, { client: 'default', scope: 'refresh_token session:role:ANALYST', login, password });
      assert.equal(refused.status, 200, login);
      assert.match(refused.html ?? '', /Incorrect username or password was specified\./, login);
      assert.doesNotMatch(refused.html ?? '', /Allow access\?/, login);
    }
  });

  test('the privileged roles are blocked before sign-in, also when the integration lists its own roles', async () => {
    for (const client of ['default', 'own-list']) {
      for (const role of ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'GLOBALORGADMIN']) {
        const blocked = await signIn(h, { client, scope: `refresh_token session:role:${role}`, login: 'alice', password: 'alice-pw' });
        assert.equal(blocked.authorize, 400, `${client} ${role}`);
        assert.match(blocked.authorizeHtml, /Error code 390308/);
      }
    }
    const listed = await signIn(h, { client: 'own-list', scope: 'refresh_token session:role:ANALYST', login: 'alice', password: 'alice-pw' });
    assert.equal(listed.authorize, 400, "the integration's own list applies, with names stored as identifiers");
    const defaultRole = await signIn(h, { client: 'own-list', scope: 'refresh_token', login: 'alice', password: 'alice-pw' });
    assert.equal(defaultRole.status, 400, 'a blocked default role is refused after sign-in');
    assert.match(defaultRole.html ?? '', /Error code 390308/);
  });

  test('with OAUTH_ADD_PRIVILEGED_ROLES_TO_BLOCKED_LIST = FALSE a granted privileged role can be consented to', async () => {
    const allowed = await signIn(open, { client: 'default', scope: 'refresh_token session:role:ACCOUNTADMIN', login: 'alice', password: 'alice-pw' });
    assert.equal(allowed.status, 200);
    assert.match(allowed.html ?? '', /Allow access\?/);
  });

  test('the scope role is compared exactly: session:role:analyst is not ANALYST, and accountadmin is not blocked but not granted', async () => {
    for (const role of ['analyst', 'accountadmin']) {
      const wrongCase = await signIn(h, { client: 'default', scope: `refresh_token session:role:${role}`, login: 'alice', password: 'alice-pw' });
      assert.equal(wrongCase.authorize, 200, `${role}: a role name in another case is not a blocked one`);
      assert.equal(wrongCase.status, 400, role);
      assert.match(wrongCase.html ?? '', /Error code 390186/, role);
    }
  });
});
