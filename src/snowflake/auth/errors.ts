// Typed errors for everything under auth/. Messages name the problem and what to do about it, and never carry a
// credential: no key material, passphrase, token, client secret, or a token endpoint body that could hold one.

export type AuthErrorCode =
  /** A programmer or configuration error in the options given to a token source. */
  | 'AUTH_INVALID_OPTIONS'
  /** The private key text could not be read as a PEM private key. */
  | 'AUTH_PRIVATE_KEY_INVALID'
  /** The private key is encrypted and no passphrase, or a wrong one, was given. */
  | 'AUTH_PRIVATE_KEY_PASSPHRASE'
  /** The key is readable but unusable for RS256 (not RSA, or shorter than 2048 bits). */
  | 'AUTH_PRIVATE_KEY_UNSUPPORTED'
  /** The OAuth grant cannot be renewed without a person: run the browser authorization flow again. */
  | 'OAUTH_REAUTHORIZATION_REQUIRED'
  /** The token endpoint refused the request (4xx other than a rejected grant). */
  | 'OAUTH_TOKEN_REQUEST_REJECTED'
  /** The token endpoint could not be reached or kept failing (network, 5xx, 429) within the retry bound. */
  | 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE'
  /** The token endpoint answered 2xx with something that is not a usable token response. */
  | 'OAUTH_TOKEN_RESPONSE_INVALID'
  /** The token store failed to load or save tokens. */
  | 'OAUTH_TOKEN_STORE_FAILED';

export class AuthError extends Error {
  readonly code: AuthErrorCode;

  constructor(code: AuthErrorCode, message: string, options?: ErrorOptions) {
    super(message, options);
    this.name = 'AuthError';
    this.code = code;
  }
}

/** Why an OAuth grant can no longer be renewed by the exporter alone. */
export type ReauthorizationReason =
  | 'no_tokens'
  | 'no_refresh_token'
  | 'refresh_token_expired'
  | 'refresh_token_rejected';

export class OAuthReauthorizationRequiredError extends AuthError {
  readonly reason: ReauthorizationReason;

  constructor(reason: ReauthorizationReason, message: string, options?: ErrorOptions) {
    super('OAUTH_REAUTHORIZATION_REQUIRED', message, options);
    this.name = 'OAuthReauthorizationRequiredError';
    this.reason = reason;
  }
}

/**
 * A non-success answer from the token endpoint. `error` and `serverMessage` are Snowflake's `error` and `message`
 * fields (or RFC 6749's `error` / `error_description`), already redacted and shortened; the body itself is never kept.
 */
export class OAuthTokenEndpointError extends AuthError {
  /** HTTP status, or null when no answer arrived (network error). */
  readonly status: number | null;
  /** The OAuth error code, such as `invalid_grant` or `invalid_client`, when the body had one. */
  readonly error: string | null;
  readonly serverMessage: string | null;
  /** How many requests were sent before giving up. */
  readonly attempts: number;

  constructor(
    code: 'OAUTH_TOKEN_REQUEST_REJECTED' | 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE' | 'OAUTH_TOKEN_RESPONSE_INVALID',
    message: string,
    details: { status: number | null; error?: string | null; serverMessage?: string | null; attempts: number },
    options?: ErrorOptions,
  ) {
    super(code, message, options);
    this.name = 'OAuthTokenEndpointError';
    this.status = details.status;
    this.error = details.error ?? null;
    this.serverMessage = details.serverMessage ?? null;
    this.attempts = details.attempts;
  }
}
