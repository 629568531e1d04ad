// The browser side of Snowflake OAuth: the URL of the account's consent screen (`GET /oauth/authorize`) with PKCE
// S256, and the scope that asks for a refresh token and pins the session role. The code that comes back is redeemed
// with exchangeAuthorizationCode (oauth-token-endpoint.ts).
import { createHash, randomBytes } from 'node:crypto';
import { IdentifierError, resolveIdentifier } from '../identifier.ts';
import { AuthError } from './errors.ts';

export interface PkcePair {
  /** RFC 7636 section 4.1: 43 to 128 characters of [A-Za-z0-9-._~]; here 43 (32 random bytes, base64url). */
  readonly verifier: string;
  /** BASE64URL(SHA256(ASCII(verifier))), sent as code_challenge with code_challenge_method=S256. */
  readonly challenge: string;
}

export function createPkcePair(): PkcePair {
  const verifier = randomBytes(32).toString('base64url');
  return { verifier, challenge: pkceChallenge(verifier) };
}

export function pkceChallenge(verifier: string): string {
  return createHash('sha256').update(verifier, 'ascii').digest('base64url');
}

/**
 * The scope item that pins the session to `role`, an identifier as SQL writes it. The scope names the role as
 * Snowflake stores it (`session:role:<role>`, https://docs.snowflake.com/en/user-guide/oauth-custom), so `role` is
 * resolved like every name the exporter sends (src/snowflake/identifier.ts): unquoted upper case, quoted exactly.
 * A name with characters outside [A-Za-z0-9_$] goes as `session:role-encoded:` with percent-encoding.
 */
export function roleScope(role: string): string {
  let name: string;
  try {
    name = resolveIdentifier(role, 'The OAuth role');
  } catch (error) {
    if (!(error instanceof IdentifierError)) throw error;
    throw new AuthError('AUTH_INVALID_OPTIONS', `${error.message}.`);
  }
  return /^[A-Za-z0-9_$]+$/.test(name) ? `session:role:${name}` : `session:role-encoded:${encodeURIComponent(name)}`;
}

export interface AuthorizationUrlOptions {
  /** The account's base URL (`https://<account host>` or the endpoint override). */
  readonly baseUrl: URL | string;
  readonly clientId: string;
  /** Must equal the integration's OAUTH_REDIRECT_URI, and is sent again with the code exchange. */
  readonly redirectUri: string;
  /** The anti-forgery value Snowflake returns unchanged (at most 2048 ASCII characters). */
  readonly state: string;
  readonly codeChallenge: string;
  /** The role the exporter's statements run with, as an identifier (`risk_exporter` asks for RISK_EXPORTER). */
  readonly role: string;
}

/** `<baseUrl>/oauth/authorize?...` asking for a code, a refresh token and a session in `role`. */
export function buildAuthorizationUrl(options: AuthorizationUrlOptions): URL {
  if (options.state.length > 2048 || !/^[\x20-\x7e]*$/.test(options.state)) {
    throw new AuthError('AUTH_INVALID_OPTIONS', 'The OAuth state must be at most 2048 printable ASCII characters.');
  }
  const url = new URL('/oauth/authorize', options.baseUrl);
  url.search = new URLSearchParams({
    client_id: options.clientId,
    response_type: 'code',
    redirect_uri: options.redirectUri,
    state: options.state,
    scope: `refresh_token ${roleScope(options.role)}`,
    code_challenge: options.codeChallenge,
    code_challenge_method: 'S256',
  }).toString();
  return url;
}
