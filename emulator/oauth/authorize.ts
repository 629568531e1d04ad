// `GET /oauth/authorize` and the forms it serves: validates the request (client, redirect URI, response type,
// state, scope, PKCE: reference doc 3.1, with the 3903xx codes of the OAuth error list), signs a demo user in,
// asks for consent naming the client and the role, and redirects with a single-use code (or `access_denied`).
// Form posts carry a CSRF token that must match both the pending request and a cookie (double submit).
import { randomBytes } from 'node:crypto';
import { matchesDigest } from '../auth/digest.ts';
import type { RegisteredUser, UserDirectory } from '../auth/users.ts';
import type { WireResponse } from '../server/responses.ts';
import type { ClientRegistry, RegisteredClient } from './clients.ts';
import type { AuthorizationCodes } from './codes.ts';
import { consentPage, errorPage, signInPage } from './pages.ts';
import { newFamilyId } from './token-store.ts';

interface PendingRequest {
  client: RegisteredClient;
  redirectUri: string;
  state: string | null;
  scopeRole: string | undefined;
  offlineAccess: boolean;
  codeChallenge: string | undefined;
  csrfToken: string;
  createdAt: number;
  user?: string;
  role?: string;
}

export interface AuthorizeDeps {
  clients: ClientRegistry;
  users: UserDirectory;
  codes: AuthorizationCodes;
  now: () => number;
}

const CSRF_COOKIE = 'sfemu_oauth_csrf';
const PENDING_TTL_MS = 15 * 60_000;
const MAX_PENDING = 1000;
const CODE_CHALLENGE = /^[A-Za-z0-9_-]{43,128}$/;

function html(status: number, body: string, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'Content-Type': 'text/html; charset=utf-8', 'Cache-Control': 'no-store', 'X-Frame-Options': 'deny', ...headers },
    body,
  };
}

function fail(status: number, code: string, message: string): WireResponse {
  return html(status, errorPage(code, message));
}

function redirect(target: URL): WireResponse {
  return { status: 302, headers: { Location: target.toString(), 'Cache-Control': 'no-store' }, body: '' };
}

export class AuthorizeEndpoint {
  readonly #deps: AuthorizeDeps;
  readonly #pending = new Map<string, PendingRequest>();

  constructor(deps: AuthorizeDeps) {
    this.#deps = deps;
  }

  handleGet(params: URLSearchParams): WireResponse {
    const clientId = params.get('client_id');
    const client = clientId === null ? undefined : this.#deps.clients.get(clientId);
    if (client === undefined) return fail(400, '390306', 'Invalid consent request: the client_id is not valid.');
    const redirectUri = params.get('redirect_uri');
    if (redirectUri === null || withoutQuery(redirectUri) !== withoutQuery(client.redirectUri)) {
      return fail(400, '390307', 'Invalid consent request: the redirect_uri does not match the one registered for the client.');
    }
    if (params.get('response_type') !== 'code') return fail(400, '390304', 'Invalid consent request: response_type must be code.');
    const state = params.get('state');
    if (state !== null && (state.length > 2048 || !/^[\x20-\x7e]*$/.test(state))) {
      return fail(400, '390305', 'Invalid consent request: the state is longer than 2048 characters or not ASCII.');
    }
    const scope = parseScope(params.get('scope'));
    if (scope === undefined) return fail(400, '390308', 'Invalid consent request: the scope is not valid.');
    // The scope names a stored role name, compared exactly (a lower-case `accountadmin` is simply another role, which
    // the user does not hold: that fails after sign-in).
    if (scope.role !== undefined && client.blockedRoles.has(scope.role)) {
      return fail(400, '390308', `Invalid consent request: role ${scope.role} is blocked for this integration.`);
    }
    const challenge = params.get('code_challenge');
    const method = params.get('code_challenge_method');
    if ((challenge === null) !== (method === null) || (method !== null && method !== 'S256')) {
      return fail(400, '390311', 'Invalid consent request: code_challenge and code_challenge_method=S256 must be sent together.');
    }
    if (challenge !== null && !CODE_CHALLENGE.test(challenge)) return fail(400, '390311', 'Invalid consent request: the code_challenge is malformed.');
    if (client.enforcePkce && challenge === null) return fail(400, '390311', 'Invalid consent request: this client requires PKCE (S256).');

    this.#sweep();
    const requestId = randomBytes(18).toString('base64url');
    const csrfToken = randomBytes(24).toString('base64url');
    this.#pending.set(requestId, {
      client,
      redirectUri,
      state,
      scopeRole: scope.role,
      offlineAccess: scope.offlineAccess,
      codeChallenge: challenge ?? undefined,
      csrfToken,
      createdAt: this.#deps.now(),
    });
    return html(200, signInPage({ requestId, csrfToken, clientName: client.name }), {
      'Set-Cookie': `${CSRF_COOKIE}=${csrfToken}; Path=/oauth; HttpOnly; SameSite=Lax`,
    });
  }

  handlePost(form: URLSearchParams, cookieHeader: string | undefined): WireResponse {
    const requestId = form.get('request_id') ?? '';
    const pending = this.#pending.get(requestId);
    if (pending === undefined || this.#deps.now() - pending.createdAt > PENDING_TTL_MS) {
      this.#pending.delete(requestId);
      return fail(400, '390302', 'The consent request is invalid or has expired. Start the sign-in again from the application.');
    }
    const csrf = form.get('csrf_token');
    if (csrf !== pending.csrfToken || readCookie(cookieHeader, CSRF_COOKIE) !== pending.csrfToken) {
      return fail(403, '390302', 'The consent form was not submitted from this sign-in page (CSRF check failed).');
    }
    const formContext = { requestId, csrfToken: pending.csrfToken, clientName: pending.client.name };
    switch (form.get('action')) {
      case 'sign_in': {
        const user = this.#deps.users.get(form.get('login_name') ?? '');
        const password = form.get('password') ?? '';
        // Only a person can answer this page: a user without a password (and, here, without SSO) has nothing to sign in
        // with, and a SERVICE user "cannot log in using a password" nor SAML SSO
        // (https://docs.snowflake.com/en/user-guide/admin-user-management#types-of-users). The page does not say which
        // check failed, as a sign-in page should not.
        if (user === undefined || !canSignInInteractively(user) || user.passwordDigest === undefined || !matchesDigest(password, user.passwordDigest)) {
          return html(200, signInPage({ ...formContext, error: 'Incorrect username or password was specified.' }));
        }
        const role = pending.scopeRole ?? user.defaultRole;
        if (!user.roles.has(role)) {
          this.#pending.delete(requestId);
          return fail(400, '390186', `Role '${role}' is not granted to user ${user.name}.`);
        }
        if (pending.client.blockedRoles.has(role)) {
          this.#pending.delete(requestId);
          return fail(400, '390308', `Role ${role} is blocked for this integration.`);
        }
        pending.user = user.name;
        pending.role = role;
        return html(200, consentPage({ ...formContext, user: user.name, role, offlineAccess: pending.offlineAccess }));
      }
      case 'approve': {
        if (pending.user === undefined || pending.role === undefined) return html(200, signInPage(formContext));
        this.#pending.delete(requestId);
        const code = this.#deps.codes.issue({
          clientId: pending.client.clientId,
          redirectUri: pending.redirectUri,
          codeChallenge: pending.codeChallenge,
          user: pending.user,
          role: pending.role,
          offlineAccess: pending.offlineAccess,
          familyId: newFamilyId(),
        });
        const target = new URL(pending.redirectUri);
        target.searchParams.append('code', code);
        if (pending.state !== null) target.searchParams.append('state', pending.state);
        return redirect(target);
      }
      case 'deny': {
        this.#pending.delete(requestId);
        const target = new URL(pending.redirectUri);
        target.searchParams.append('error', 'access_denied');
        if (pending.state !== null) target.searchParams.append('state', pending.state);
        return redirect(target);
      }
      default:
        return fail(400, '390302', 'The consent form is incomplete.');
    }
  }

  #sweep(): void {
    const now = this.#deps.now();
    for (const [id, pending] of this.#pending) if (now - pending.createdAt > PENDING_TTL_MS) this.#pending.delete(id);
    while (this.#pending.size >= MAX_PENDING) {
      const oldest = this.#pending.keys().next();
      if (oldest.done === true) break;
      this.#pending.delete(oldest.value);
    }
  }
}

function canSignInInteractively(user: RegisteredUser): boolean {
  return user.type !== 'SERVICE';
}

/** Snowflake compares the redirect URI without its query string (reference doc 3.1). */
function withoutQuery(uri: string): string {
  const index = uri.indexOf('?');
  return index === -1 ? uri : uri.slice(0, index);
}

/** `refresh_token` and one `session:role:<ROLE>` (or `session:role-encoded:`); anything else is invalid. */
function parseScope(scope: string | null): { role: string | undefined; offlineAccess: boolean } | undefined {
  let role: string | undefined;
  let offlineAccess = false;
  for (const item of (scope ?? '').split(/\s+/).filter((part) => part !== '')) {
    if (item === 'refresh_token') {
      offlineAccess = true;
      continue;
    }
    let candidate: string | undefined;
    if (item.startsWith('session:role:')) candidate = item.slice('session:role:'.length);
    else if (item.startsWith('session:role-encoded:')) {
      try {
        candidate = decodeURIComponent(item.slice('session:role-encoded:'.length));
      } catch {
        return undefined;
      }
    }
    if (candidate === undefined || candidate === '' || role !== undefined) return undefined;
    role = candidate;
  }
  return { role, offlineAccess };
}

function readCookie(header: string | undefined, name: string): string | undefined {
  for (const part of (header ?? '').split(';')) {
    const [key, ...rest] = part.trim().split('=');
    if (key === name) return rest.join('=');
  }
  return undefined;
}
