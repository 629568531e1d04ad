// GET /oauth/start and GET /oauth/callback: the exporter's half of Snowflake's authorization-code flow.
//
// start:    picks the account, makes a single-use random `state` and a PKCE pair, binds the state to this browser with
//           a signed, HttpOnly, SameSite=Lax cookie (Lax, because the callback arrives as a top-level redirect from
//           Snowflake), and redirects to the account's /oauth/authorize.
// callback: refuses unknown, expired, replayed or foreign states, redeems the code with the PKCE verifier, installs
//           the grant, and says which account is connected and until when.
// Every failure is a page a person can act on; none quotes a code, token, verifier or secret, and none escapes as
// an exception (the handlers catch everything and answer with a page).
import cookieParser from 'cookie-parser';
import type { Express, Request, RequestHandler, Response } from 'express';
import { OAUTH_CALLBACK_PATH, OAUTH_START_PATH } from '../http-paths.ts';
import { html } from '../http/html.ts';
import { buildAuthorizationUrl, type OAuthTokenSet } from '../snowflake/auth/index.ts';
import { resolveIdentifier } from '../snowflake/identifier.ts';
import { ENCRYPTION_KEY_HINT } from '../state/encrypted-oauth-token-store.ts';
import { exchangeFailurePage } from './exchange-failure.ts';
import { crossSiteSubrequestReason } from './fetch-metadata.ts';
import type { OAuthConnection } from './oauth-connection.ts';
import {
  chooserPage,
  connectedPage,
  errorPage,
  ONBOARDING_CONTENT_SECURITY_POLICY,
  renderPage,
  type OnboardingPage,
  type PageLink,
} from './pages.ts';
import type { PendingAuthorization, PendingAuthorizations } from './pending-authorizations.ts';

export const START_PATH = OAUTH_START_PATH;
export const CALLBACK_PATH = OAUTH_CALLBACK_PATH;

export interface OnboardingRoutesContext {
  readonly connections: ReadonlyMap<string, OAuthConnection>;
  readonly pending: PendingAuthorizations;
  /** Secret for the state cookie's HMAC (cookie-parser's signed cookies). */
  readonly cookieSecret: string;
  /** The redirect URI sent to Snowflake for this account (its integration's OAUTH_REDIRECT_URI). */
  redirectUriFor(connection: OAuthConnection): string;
  /** Absolute URL of /oauth/start for an account (or of the chooser without one). */
  startUrlFor(account?: string): string;
  /** Redeems the code at the account's token endpoint. */
  exchange(connection: OAuthConnection, code: string, pending: PendingAuthorization): Promise<OAuthTokenSet>;
  /** Called once a grant is installed (the exporter starts a collection cycle). */
  onConnected(account: string): void;
  log(level: 'info' | 'warn' | 'error', message: string): void;
  now(): number;
}

/** The state cookie of an account; `__Host-` (no Domain, Path=/, Secure) whenever the flow runs over https. */
export function stateCookieName(account: string, secure: boolean): string {
  return `${secure ? '__Host-' : ''}sre_oauth_${account}`;
}

function isSecure(redirectUri: string): boolean {
  return redirectUri.startsWith('https:');
}

function send(response: Response, page: OnboardingPage): void {
  response
    .status(page.status)
    .set('Content-Security-Policy', ONBOARDING_CONTENT_SECURITY_POLICY)
    .set('Cache-Control', 'no-store')
    .set('Referrer-Policy', 'no-referrer')
    .type('text/html; charset=utf-8')
    .send(renderPage(page));
}

/** A query parameter given exactly once as text; anything else (absent, repeated, nested) is undefined. */
function single(request: Request, name: string): string | undefined {
  const value: unknown = (request.query as Record<string, unknown>)[name];
  return typeof value === 'string' ? value : undefined;
}

/** Text from Snowflake's redirect (error, error_description): printable, short; it is escaped when rendered. */
function clip(value: string | undefined, max: number): string | undefined {
  if (value === undefined) return undefined;
  // eslint-disable-next-line no-control-regex -- control characters are what must not reach a page or a log line
  const clean = value.replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
  if (clean === '') return undefined;
  return clean.length > max ? `${clean.slice(0, max)}...` : clean;
}

export function mountOnboardingRoutes(app: Express, context: OnboardingRoutesContext): void {
  const cookies = cookieParser(context.cookieSecret);
  const navigationsOnly = refuseCrossSiteSubrequests(context);
  app.get(START_PATH, navigationsOnly, cookies, guarded(context, (request, response) => start(context, request, response)));
  app.get(CALLBACK_PATH, navigationsOnly, cookies, guarded(context, (request, response) => callback(context, request, response)));
}

/** A cross-site subrequest (image, fetch, frame) gets a 403 page before any state, cookie or exchange is made. */
function refuseCrossSiteSubrequests(context: OnboardingRoutesContext): RequestHandler {
  return (request, response, next) => {
    const reason = crossSiteSubrequestReason(request.headers);
    if (reason === undefined) {
      next();
      return;
    }
    context.log('warn', `OAuth onboarding refused ${reason} to ${request.path}`);
    send(
      response,
      errorPage({
        status: 403,
        outcome: 'cross_site_request',
        title: 'Open this link directly',
        explanation:
          'Another site tried to start or finish a Snowflake sign-in from inside its own page. Sign-ins start only when you open the link yourself.',
        links: [{ href: context.startUrlFor(), label: 'Start a sign-in here' }],
      }),
    );
  };
}

/** Nothing thrown in a handler reaches express: the person gets a page, the log gets the error (no secrets). */
function guarded(context: OnboardingRoutesContext, handler: (request: Request, response: Response) => Promise<void> | void): RequestHandler {
  return async (request, response) => {
    try {
      await handler(request, response);
    } catch (error) {
      context.log('error', `OAuth onboarding failed unexpectedly: ${error instanceof Error ? `${error.name}: ${error.message}` : 'unknown error'}`);
      if (response.headersSent) {
        response.destroy();
        return;
      }
      send(
        response,
        errorPage({
          status: 500,
          outcome: 'internal_error',
          title: 'Something went wrong',
          explanation: 'The exporter could not finish this step. The error is in its log.',
          links: [{ href: context.startUrlFor(), label: 'Start again' }],
        }),
      );
    }
  };
}

function chooserEntries(context: OnboardingRoutesContext) {
  const now = context.now();
  return [...context.connections.values()].map((connection) => ({
    name: connection.account,
    ...connection.status(now),
    startUrl: context.startUrlFor(connection.account),
  }));
}

function start(context: OnboardingRoutesContext, request: Request, response: Response): void {
  const account = single(request, 'account');
  if (account === undefined) {
    send(response, chooserPage(chooserEntries(context)));
    return;
  }
  const connection = context.connections.get(account);
  if (connection === undefined) {
    send(response, {
      ...chooserPage(
        chooserEntries(context),
        html`<p class="fail">No account named <code>${account.slice(0, 100)}</code> uses OAuth in this exporter's configuration.
Account names are the <code>name</code> of an entry under <code>accounts</code>, with <code>auth.method: oauth</code>.</p>`,
      ),
      status: 404,
      outcome: 'unknown_account',
      title: 'Unknown account',
    });
    return;
  }
  if (connection.storageProblem !== undefined) {
    send(
      response,
      errorPage({
        status: 503,
        outcome: 'no_encryption_key',
        title: 'OAuth tokens cannot be stored',
        explanation: html`The exporter stores OAuth tokens only encrypted, and no key is configured, so connecting
<code>${account}</code> now would lose the grant. To fix it, ${ENCRYPTION_KEY_HINT}.`,
      }),
    );
    return;
  }
  const redirectUri = context.redirectUriFor(connection);
  const auth = connection.config.auth;
  if (auth.method !== 'oauth') throw new TypeError(`account ${account} does not use OAuth`);
  const pending = context.pending.begin(account, redirectUri);
  const target = buildAuthorizationUrl({
    baseUrl: connection.config.baseUrl,
    clientId: auth.clientId,
    redirectUri,
    state: pending.state,
    codeChallenge: pending.codeChallenge,
    role: connection.config.role,
  });
  const secure = isSecure(redirectUri);
  response.cookie(stateCookieName(account, secure), pending.state, {
    signed: true,
    httpOnly: true,
    sameSite: 'lax',
    secure,
    path: '/',
    maxAge: context.pending.ttlMs,
  });
  response.set('Cache-Control', 'no-store').redirect(302, target.toString());
}

async function callback(context: OnboardingRoutesContext, request: Request, response: Response): Promise<void> {
  const state = single(request, 'state');
  const again: PageLink[] = [{ href: context.startUrlFor(), label: 'Start again' }];
  if (state === undefined || state === '') {
    send(
      response,
      errorPage({
        status: 400,
        outcome: 'missing_state',
        title: 'This is not a sign-in answer',
        explanation: 'The callback needs the state parameter that Snowflake sends back. Open this page only through a sign-in started at /oauth/start.',
        links: again,
      }),
    );
    return;
  }
  const lookup = context.pending.lookup(state);
  if (lookup.status === 'unknown') {
    send(
      response,
      errorPage({
        status: 400,
        outcome: 'state_mismatch',
        title: 'The sign-in could not be matched',
        explanation:
          'The state parameter does not belong to any sign-in this exporter started: it was altered on the way, or the ' +
          'exporter restarted since the sign-in began. Start the sign-in again.',
        links: again,
      }),
    );
    return;
  }
  const account = lookup.status === 'pending' ? lookup.pending.account : lookup.account;
  const restart: PageLink[] = [{ href: context.startUrlFor(account), label: `Connect ${account} again` }];
  if (lookup.status === 'used') {
    send(
      response,
      errorPage({
        status: 400,
        outcome: 'replayed',
        title: 'This sign-in was already used',
        explanation: html`Each sign-in answer counts once, and this one was already received. If <code>${account}</code> is not
connected, start a new sign-in.`,
        links: restart,
      }),
    );
    return;
  }
  if (lookup.status === 'expired') {
    send(
      response,
      errorPage({
        status: 400,
        outcome: 'expired',
        title: 'The sign-in took too long',
        explanation: `A sign-in must be finished within ${Math.round(context.pending.ttlMs / 60_000)} minutes of starting it. Start a new one.`,
        links: restart,
      }),
    );
    return;
  }

  const pending = lookup.pending;
  const connection = context.connections.get(account);
  const secure = isSecure(pending.redirectUri);
  const cookieName = stateCookieName(account, secure);
  const signed: unknown = (request.signedCookies as Record<string, unknown> | undefined)?.[cookieName];
  if (signed !== state || connection === undefined) {
    // Not consumed: the browser that did start this sign-in may still finish it.
    send(
      response,
      errorPage({
        status: 403,
        outcome: 'browser_mismatch',
        title: 'This browser did not start this sign-in',
        explanation: html`The sign-in cookie set by <code>/oauth/start</code> is missing or does not match, so this answer is
refused (it protects against being signed in to someone else's Snowflake account). Open
<a href="${context.startUrlFor(account)}">${context.startUrlFor(account)}</a> in the browser you sign in with; it must be
the same address as the redirect URI's host.`,
        links: restart,
      }),
    );
    return;
  }
  if (context.pending.consume(state) === undefined) {
    send(response, errorPage({ status: 400, outcome: 'replayed', title: 'This sign-in was already used', explanation: 'Start a new sign-in.', links: restart }));
    return;
  }
  response.clearCookie(cookieName, { httpOnly: true, sameSite: 'lax', secure, path: '/' });

  const error = clip(single(request, 'error'), 64);
  if (error !== undefined) {
    const description = clip(single(request, 'error_description'), 300);
    if (error === 'access_denied') {
      context.log('info', `account ${account}: OAuth consent was denied in Snowflake`);
      send(
        response,
        errorPage({
          status: 403,
          outcome: 'denied',
          title: 'Access was denied in Snowflake',
          explanation: html`The consent screen was answered with Deny, so <code>${account}</code> stays as it was. To connect it,
start again and choose Allow.`,
          detail: description,
          links: restart,
        }),
      );
      return;
    }
    context.log('warn', `account ${account}: Snowflake answered the OAuth sign-in with error ${error}`);
    send(
      response,
      errorPage({
        status: 400,
        outcome: 'snowflake_error',
        title: 'Snowflake refused the sign-in',
        explanation: html`Snowflake answered with error <code>${error}</code>. Check the security integration (redirect URI,
enabled, role not blocked) and start again.`,
        detail: description,
        links: restart,
      }),
    );
    return;
  }
  const code = single(request, 'code');
  if (code === undefined || code === '') {
    send(
      response,
      errorPage({ status: 400, outcome: 'missing_code', title: 'No authorization code', explanation: 'Snowflake sent neither a code nor an error. Start again.', links: restart }),
    );
    return;
  }

  let tokens: OAuthTokenSet;
  try {
    tokens = await context.exchange(connection, code, pending);
  } catch (failure) {
    const page = exchangeFailurePage(account, failure, restart);
    context.log('warn', `account ${account}: OAuth code exchange failed: ${failure instanceof Error ? failure.message : 'unknown error'}`);
    send(response, page);
    return;
  }

  const configuredUser = connection.config.user;
  const expectedUser = configuredUser === undefined ? undefined : resolveIdentifier(configuredUser, 'user');
  if (expectedUser !== undefined && tokens.username !== undefined && !sameUser(tokens.username, expectedUser)) {
    context.log('warn', `account ${account}: OAuth consent given by user ${tokens.username}, but the configuration names ${expectedUser}; not stored`);
    send(
      response,
      errorPage({
        status: 403,
        outcome: 'wrong_user',
        title: 'Signed in as another user',
        explanation: html`Snowflake user <code>${tokens.username}</code> approved the access, but <code>${account}</code> is configured
with <code>user: ${configuredUser}</code>. Sign out of Snowflake (or use a private window) and connect again as ${expectedUser}.`,
        links: restart,
      }),
    );
    return;
  }

  try {
    await connection.connect(tokens);
  } catch (failure) {
    context.log('error', `account ${account}: the new OAuth grant could not be stored: ${failure instanceof Error ? failure.message : 'unknown error'}`);
    send(
      response,
      errorPage({
        status: 500,
        outcome: 'storage_failed',
        title: 'The grant could not be stored',
        explanation: 'Snowflake issued the tokens, but the exporter could not save them in its state file, so they were dropped. The exporter log says why; fix that and connect again.',
        links: restart,
      }),
    );
    return;
  }
  const expiresAt = tokens.refreshTokenExpiresAt === null ? undefined : new Date(tokens.refreshTokenExpiresAt);
  context.log(
    'info',
    `account ${account}: OAuth connected${tokens.username === undefined ? '' : ` as ${tokens.username}`}; refresh token ${
      tokens.refreshToken === null ? 'not issued' : `valid until ${expiresAt?.toISOString() ?? 'an unknown date'}`
    }`,
  );
  context.onConnected(account);
  send(
    response,
    connectedPage({
      account,
      user: tokens.username,
      role: resolveIdentifier(connection.config.role, 'role'),
      refreshTokenExpiresAt: expiresAt,
      hasRefreshToken: tokens.refreshToken !== null,
      startUrl: context.startUrlFor(account),
      now: new Date(context.now()),
    }),
  );
}

/**
 * Whether the user the token endpoint names is the configured one (`expected`, already resolved). Names are compared
 * as Snowflake stores them, except for case: people sign in with a login name, which Snowflake matches without
 * regard to case, and the documented token response shows `"username":"user1"` for what is usually an upper-case
 * user (https://docs.snowflake.com/en/user-guide/oauth-custom).
 */
function sameUser(username: string, expected: string): boolean {
  return username === expected || username.toUpperCase() === expected.toUpperCase();
}
