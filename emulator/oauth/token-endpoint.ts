// `POST /oauth/token-request` (reference doc 3.2 and 3.3): HTTP Basic client authentication with url-encoded id
// and secret, `authorization_code` (code, redirect_uri, PKCE S256 verifier) and `refresh_token` grants, optional
// single-use rotation, and Snowflake's error shape `{"data":null,"message":...,"code":null,"success":false,"error":...}`.
import { createHash } from 'node:crypto';
import type { UserDirectory } from '../auth/users.ts';
import type { WireResponse } from '../server/responses.ts';
import type { ClientRegistry, RegisteredClient } from './clients.ts';
import type { AuthorizationCodes } from './codes.ts';
import type { OAuthTokenStore, TokenGrant } from './token-store.ts';

export interface TokenEndpointDeps {
  clients: ClientRegistry;
  users: UserDirectory;
  codes: AuthorizationCodes;
  tokens: OAuthTokenStore;
  now: () => number;
  accessTokenTtlSeconds: number;
}

type OAuthErrorCode = 'invalid_client' | 'invalid_grant' | 'unsupported_grant_type' | 'invalid_request';

function json(status: number, body: unknown): WireResponse {
  return { status, headers: { 'Content-Type': 'application/json', 'Cache-Control': 'no-store', Pragma: 'no-cache' }, body: JSON.stringify(body) };
}

export function oauthError(error: OAuthErrorCode, message: string): WireResponse {
  return json(error === 'invalid_client' ? 401 : 400, { data: null, message, code: null, success: false, error });
}

export const INVALID_CLIENT_MESSAGE = 'This is an invalid client.';

/** `Basic base64(urlencode(id):urlencode(secret))`; undefined when the header is absent or malformed. */
function basicCredentials(header: string | undefined): { id: string; secret: string } | undefined {
  const match = header === undefined ? null : /^Basic\s+([A-Za-z0-9+/=]+)\s*$/i.exec(header);
  if (match === null) return undefined;
  const decoded = Buffer.from(match[1] ?? '', 'base64').toString('utf8');
  const colon = decoded.indexOf(':');
  if (colon < 1) return undefined;
  const decode = (text: string): string => {
    try {
      return decodeURIComponent(text.replace(/\+/g, ' '));
    } catch {
      return text;
    }
  };
  return { id: decode(decoded.slice(0, colon)), secret: decode(decoded.slice(colon + 1)) };
}

function s256(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

export function handleTokenRequest(deps: TokenEndpointDeps, authorization: string | undefined, form: URLSearchParams): WireResponse {
  const credentials = basicCredentials(authorization);
  const client = credentials === undefined ? undefined : deps.clients.authenticate(credentials.id, credentials.secret);
  if (client === undefined) return oauthError('invalid_client', INVALID_CLIENT_MESSAGE);
  const grantType = form.get('grant_type');
  if (grantType === null || grantType === '') return oauthError('invalid_request', 'The grant_type parameter is missing.');
  if (grantType === 'authorization_code') return codeGrant(deps, client, form);
  if (grantType === 'refresh_token') return refreshGrant(deps, client, form);
  return oauthError('unsupported_grant_type', `The grant type ${grantType.slice(0, 64)} is not supported.`);
}

function codeGrant(deps: TokenEndpointDeps, client: RegisteredClient, form: URLSearchParams): WireResponse {
  const code = form.get('code');
  const redirectUri = form.get('redirect_uri');
  if (code === null || code === '' || redirectUri === null) return oauthError('invalid_request', 'The code and redirect_uri parameters are required.');
  const redemption = deps.codes.redeem(code);
  if (!redemption.ok) {
    // A replayed code may mean it leaked: revoke what its first use produced (RFC 6749 section 4.1.2).
    if (redemption.reason === 'reused' && redemption.familyId !== undefined) deps.tokens.revokeFamily(redemption.familyId);
    return oauthError('invalid_grant', redemption.reason === 'expired' ? 'The authorization code has expired.' : 'The authorization code is invalid.');
  }
  const grant = redemption.grant;
  if (grant.clientId !== client.clientId) return oauthError('invalid_grant', 'The authorization code was issued to another client.');
  if (grant.redirectUri !== redirectUri) return oauthError('invalid_grant', 'The redirect_uri does not match the authorization request.');
  if (grant.codeChallenge !== undefined) {
    const verifier = form.get('code_verifier');
    if (verifier === null || !/^[A-Za-z0-9._~-]{43,128}$/.test(verifier) || s256(verifier) !== grant.codeChallenge) {
      return oauthError('invalid_grant', 'The code_verifier does not match the code_challenge.');
    }
  }
  const issueRefresh = client.issueRefreshTokens && grant.offlineAccess;
  const singleUse = client.singleUseRefreshTokens || form.get('enable_single_use_refresh_tokens') === 'true';
  const tokenGrant: TokenGrant = {
    user: grant.user,
    role: grant.role,
    clientId: client.clientId,
    scope: `${issueRefresh ? 'refresh_token ' : ''}session:role:${grant.role}`,
    familyId: grant.familyId,
  };
  const accessToken = deps.tokens.issueAccess(tokenGrant, deps.accessTokenTtlSeconds);
  const body: Record<string, unknown> = { access_token: accessToken };
  if (issueRefresh) {
    const expiresAt = deps.now() + client.refreshTokenValiditySeconds * 1000;
    body.refresh_token = deps.tokens.issueRefresh(tokenGrant, expiresAt, singleUse);
    body.refresh_token_expires_in = client.refreshTokenValiditySeconds;
  }
  Object.assign(body, { token_type: 'Bearer', username: grant.user, scope: tokenGrant.scope, expires_in: deps.accessTokenTtlSeconds });
  return json(200, body);
}

function refreshGrant(deps: TokenEndpointDeps, client: RegisteredClient, form: URLSearchParams): WireResponse {
  const token = form.get('refresh_token');
  if (token === null || token === '') return oauthError('invalid_request', 'The refresh_token parameter is required.');
  const record = deps.tokens.refreshRecord(token);
  if (record === undefined || record.clientId !== client.clientId) return oauthError('invalid_grant', 'The refresh token is invalid.');
  if (record.revoked) return oauthError('invalid_grant', 'The refresh token has been revoked.');
  if (deps.tokens.isExpired(record)) return oauthError('invalid_grant', 'The refresh token has expired. Authorize the application again.');
  if (record.singleUse && record.used) {
    // Reuse of a rotated-out token: the family is compromised, so everything it issued stops working.
    deps.tokens.revokeFamily(record.familyId);
    return oauthError('invalid_grant', 'The refresh token has already been used.');
  }
  if (deps.users.get(record.user) === undefined) return oauthError('invalid_grant', 'The user no longer exists.');
  const grant: TokenGrant = { user: record.user, role: record.role, clientId: record.clientId, scope: record.scope, familyId: record.familyId };
  const body: Record<string, unknown> = { access_token: deps.tokens.issueAccess(grant, deps.accessTokenTtlSeconds) };
  if (record.singleUse) {
    record.used = true;
    // The new token keeps the original validity window (reference doc 3.3).
    body.refresh_token = deps.tokens.issueRefresh(grant, record.expiresAt, true);
    body.refresh_token_expires_in = Math.max(0, Math.floor((record.expiresAt - deps.now()) / 1000));
  }
  Object.assign(body, { token_type: 'Bearer', scope: grant.scope, expires_in: deps.accessTokenTtlSeconds });
  return json(200, body);
}
