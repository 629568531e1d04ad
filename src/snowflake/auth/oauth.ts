// Snowflake OAuth as a token source: hands out the stored access token while it is fresh, and redeems the refresh
// token for a new one shortly before expiry or after a 401. A person is needed only when the refresh token is gone,
// expired or rejected; that case is a distinct error so the exporter can say "re-authorise this account" instead of
// retrying forever. All renewals go through one in-flight promise, because with single-use refresh tokens two
// parallel refreshes would spend the same token twice and Snowflake then revokes the whole grant.
import { redactText, type Secret } from '../../util/secret.ts';
import { AuthError, OAuthReauthorizationRequiredError, OAuthTokenEndpointError } from './errors.ts';
import {
  refreshAccessToken,
  validateTokenEndpoint,
  type TokenEndpointOptions,
  type TokenEndpointRetryOptions,
} from './oauth-token-endpoint.ts';
import type { OAuthTokenSet, OAuthTokenStore } from './oauth-token-store.ts';
import type { BearerToken, TokenSource } from './token-source.ts';
import type { Dispatcher } from 'undici';

export const DEFAULT_OAUTH_REFRESH_BEFORE_SECONDS = 60;

export interface OAuthTokenSourceOptions {
  /** `https://<account host>/oauth/token-request`, or the endpoint override's equivalent. */
  tokenEndpoint: URL;
  clientId: Secret | string;
  clientSecret: Secret;
  store: OAuthTokenStore;
  dispatcher?: Dispatcher;
  /** Refresh when the access token has this little time left; default 60. */
  refreshBeforeSeconds?: number;
  /** Clock in ms since the epoch; injectable for tests. */
  now?: () => number;
  userAgent?: string;
  retry?: TokenEndpointRetryOptions;
  requestTimeoutMs?: number;
}

/** What an operator or a metric may know about the grant; no token values. */
export interface OAuthTokenSourceState {
  accessTokenExpiresAt: number | null;
  refreshTokenExpiresAt: number | null;
  /** Set once the refresh token was found missing, expired or rejected, until new tokens appear in the store. */
  reauthorizationRequired: boolean;
}

export class OAuthTokenSource implements TokenSource {
  readonly method = 'oauth' as const;

  readonly #endpoint: TokenEndpointOptions;
  readonly #store: OAuthTokenStore;
  readonly #refreshBeforeMs: number;
  readonly #now: () => number;
  /** The last set loaded or saved; null until the first getToken(). */
  #tokens: OAuthTokenSet | null = null;
  /** An access token Snowflake answered 401 to: never handed out again. */
  #rejectedAccessToken: string | null = null;
  /** The refresh token Snowflake rejected (invalid_grant): never sent again. */
  #rejectedRefreshToken: string | null = null;
  #reauthorizationRequired = false;
  /** True when a refreshed set is held in memory but store.save() failed: saved before anything else is done. */
  #unsaved = false;
  #renewal: Promise<OAuthTokenSet> | null = null;

  constructor(options: OAuthTokenSourceOptions) {
    const refreshBeforeSeconds = options.refreshBeforeSeconds ?? DEFAULT_OAUTH_REFRESH_BEFORE_SECONDS;
    if (!Number.isFinite(refreshBeforeSeconds) || refreshBeforeSeconds < 0) {
      throw new AuthError('AUTH_INVALID_OPTIONS', `refreshBeforeSeconds must be 0 or more; got ${refreshBeforeSeconds}.`);
    }
    this.#refreshBeforeMs = refreshBeforeSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    this.#endpoint = {
      tokenEndpoint: validateTokenEndpoint(options.tokenEndpoint),
      clientId: options.clientId,
      clientSecret: options.clientSecret,
      now: this.#now,
      ...(options.dispatcher ? { dispatcher: options.dispatcher } : {}),
      ...(options.userAgent ? { userAgent: options.userAgent } : {}),
      ...(options.retry ? { retry: options.retry } : {}),
      ...(options.requestTimeoutMs ? { requestTimeoutMs: options.requestTimeoutMs } : {}),
    };
  }

  async getToken(signal?: AbortSignal): Promise<BearerToken> {
    signal?.throwIfAborted();
    const held = this.#tokens;
    if (held && !this.#unsaved && this.#isFresh(held)) return bearer(held);
    // One renewal at a time, shared by every caller. A caller's abort only stops its own wait: the others still
    // need the result, and a refresh abandoned half-way could lose a rotated refresh token.
    this.#renewal ??= this.#renew().finally(() => {
      this.#renewal = null;
    });
    return bearer(await abortable(this.#renewal, signal));
  }

  invalidate(rejected: BearerToken): void {
    if (rejected.type !== 'OAUTH') return;
    // Many requests may report the same 401; all of them mark the same token, so the next getToken() refreshes once.
    this.#rejectedAccessToken = rejected.token;
  }

  /** When the refresh token expires (ms since the epoch), or null when unknown or not loaded yet. */
  refreshTokenExpiresAt(): number | null {
    return this.#tokens?.refreshTokenExpiresAt ?? null;
  }

  state(): OAuthTokenSourceState {
    return {
      accessTokenExpiresAt: this.#tokens?.accessTokenExpiresAt ?? null,
      refreshTokenExpiresAt: this.#tokens?.refreshTokenExpiresAt ?? null,
      reauthorizationRequired: this.#reauthorizationRequired,
    };
  }

  #isFresh(tokens: OAuthTokenSet): boolean {
    return (
      tokens.accessTokenExpiresAt - this.#now() > this.#refreshBeforeMs &&
      tokens.accessToken.reveal() !== this.#rejectedAccessToken
    );
  }

  async #renew(): Promise<OAuthTokenSet> {
    if (this.#unsaved && this.#tokens) {
      await this.#save(this.#tokens);
      if (this.#isFresh(this.#tokens)) return this.#tokens;
    }
    // The store is the source of truth: the browser flow (or an operator) may have put new tokens there since.
    const stored = await this.#load();
    this.#tokens = stored;
    if (stored === null) {
      throw this.#reauthorization('no_tokens', 'no OAuth tokens are stored for this account');
    }
    if (this.#isFresh(stored)) {
      this.#reauthorizationRequired = false;
      return stored;
    }
    const refreshToken = stored.refreshToken;
    if (refreshToken === null) {
      throw this.#reauthorization('no_refresh_token', 'the access token expired and no refresh token was issued');
    }
    if (stored.refreshTokenExpiresAt !== null && this.#now() >= stored.refreshTokenExpiresAt) {
      throw this.#reauthorization(
        'refresh_token_expired',
        `the refresh token expired at ${new Date(stored.refreshTokenExpiresAt).toISOString()}`,
      );
    }
    if (refreshToken.reveal() === this.#rejectedRefreshToken) {
      throw this.#reauthorization('refresh_token_rejected', 'Snowflake rejected the stored refresh token (invalid_grant)');
    }

    let refreshed: OAuthTokenSet;
    try {
      refreshed = await refreshAccessToken(this.#endpoint, { ...stored, refreshToken });
    } catch (error) {
      if (error instanceof OAuthTokenEndpointError && error.error === 'invalid_grant') {
        this.#rejectedRefreshToken = refreshToken.reveal();
        throw this.#reauthorization(
          'refresh_token_rejected',
          `Snowflake rejected the refresh token (invalid_grant${error.serverMessage ? `: ${JSON.stringify(error.serverMessage)}` : ''})`,
        );
      }
      // A passing outage must not stop collection while the current access token is still valid, if only just.
      if (stored.accessTokenExpiresAt > this.#now() && stored.accessToken.reveal() !== this.#rejectedAccessToken) {
        return stored;
      }
      throw error;
    }

    // Hold the new set before saving: if the save fails, a rotated refresh token must not be lost with it.
    this.#tokens = refreshed;
    this.#rejectedAccessToken = null;
    this.#reauthorizationRequired = false;
    this.#unsaved = true;
    await this.#save(refreshed);
    return refreshed;
  }

  async #load(): Promise<OAuthTokenSet | null> {
    try {
      return await this.#store.load();
    } catch (error) {
      throw new AuthError('OAUTH_TOKEN_STORE_FAILED', `Loading the OAuth tokens failed: ${describeStoreError(error)}.`);
    }
  }

  async #save(tokens: OAuthTokenSet): Promise<void> {
    try {
      await this.#store.save(tokens);
      this.#unsaved = false;
    } catch (error) {
      throw new AuthError(
        'OAUTH_TOKEN_STORE_FAILED',
        `Saving the refreshed OAuth tokens failed (they are kept in memory and saved again on the next request): ${describeStoreError(error, tokens)}.`,
      );
    }
  }

  #reauthorization(
    reason: OAuthReauthorizationRequiredError['reason'],
    detail: string,
  ): OAuthReauthorizationRequiredError {
    this.#reauthorizationRequired = true;
    return new OAuthReauthorizationRequiredError(
      reason,
      `OAuth re-authorisation required: ${detail}. Run the browser authorisation flow for this account again.`,
    );
  }
}

function bearer(tokens: OAuthTokenSet): BearerToken {
  return { token: tokens.accessToken.reveal(), type: 'OAUTH' };
}

/** Waits for `promise`, or rejects as soon as `signal` aborts, without cancelling the shared work behind `promise`. */
function abortable<T>(promise: Promise<T>, signal: AbortSignal | undefined): Promise<T> {
  if (!signal) return promise;
  return new Promise<T>((resolve, reject) => {
    const onAbort = (): void => reject(signal.reason as Error);
    signal.addEventListener('abort', onAbort, { once: true });
    void promise.then(resolve, reject).finally(() => signal.removeEventListener('abort', onAbort));
  });
}

/** A store's error message, with any token value it might quote removed; the error object itself is not kept. */
function describeStoreError(error: unknown, tokens?: OAuthTokenSet): string {
  const message = error instanceof Error ? error.message : String(error);
  const secrets = tokens ? [tokens.accessToken.reveal(), ...(tokens.refreshToken ? [tokens.refreshToken.reveal()] : [])] : [];
  return redactText(message, secrets);
}
