// Snowflake OAuth as a token source: hands out the stored access token while it is fresh, and redeems the refresh
// token for a new one shortly before expiry or after a 401. A person is needed only when the refresh token is gone,
// expired or rejected; that case is a distinct error so the exporter can say "re-authorise this account" instead of
// retrying forever. All renewals go through one in-flight promise, because with single-use refresh tokens two
// parallel refreshes would spend the same token twice and Snowflake then revokes the whole grant. A new grant from
// the browser consent flow goes through the same slot (replaceTokens), so a refresh already in flight can never
// save its older set over the new one.
import { redactText, type Secret } from '../../util/secret.ts';
import {
  AuthError,
  OAuthReauthorizationRequiredError,
  OAuthTokenEndpointError,
  type ReauthorizationReason,
} from './errors.ts';
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
  /** Told about every refresh grant and every need for a person; for metrics and status pages. */
  listener?: OAuthTokenSourceListener;
}

/**
 * What the token source reports as it works. Called synchronously; a listener that throws is ignored, because
 * reporting must never break authentication.
 */
export interface OAuthTokenSourceListener {
  /** A refresh grant succeeded (before the new set is saved). */
  refreshSucceeded?(state: OAuthTokenSourceState): void;
  /** A refresh grant was sent and failed: network, 5xx, a rejected refresh token, an unusable answer. */
  refreshFailed?(error: Error): void;
  /** The grant cannot be renewed without the browser consent flow. */
  reauthorizationRequired?(reason: ReauthorizationReason): void;
  /** A new token set from the consent flow was saved and is now in use. */
  tokensReplaced?(state: OAuthTokenSourceState): void;
}

/** What an operator or a metric may know about the grant; no token values. */
export interface OAuthTokenSourceState {
  accessTokenExpiresAt: number | null;
  refreshTokenExpiresAt: number | null;
  /** Whether the held set has a refresh token (false also before anything was loaded). */
  hasRefreshToken: boolean;
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
  readonly #listener: OAuthTokenSourceListener;

  constructor(options: OAuthTokenSourceOptions) {
    const refreshBeforeSeconds = options.refreshBeforeSeconds ?? DEFAULT_OAUTH_REFRESH_BEFORE_SECONDS;
    if (!Number.isFinite(refreshBeforeSeconds) || refreshBeforeSeconds < 0) {
      throw new AuthError('AUTH_INVALID_OPTIONS', `refreshBeforeSeconds must be 0 or more; got ${refreshBeforeSeconds}.`);
    }
    this.#refreshBeforeMs = refreshBeforeSeconds * 1000;
    this.#now = options.now ?? Date.now;
    this.#store = options.store;
    this.#listener = options.listener ?? {};
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
    const renewal = this.#renewal ?? this.#occupy(() => this.#renew());
    return bearer(await abortable(renewal, signal));
  }

  /**
   * Installs a token set from the browser consent flow: waits for a renewal in flight, saves the set to the store,
   * then hands it out. Callers of getToken() meanwhile wait for it and get the new access token. Throws AuthError
   * OAUTH_TOKEN_STORE_FAILED when the store refuses the set; the previous set then stays in place.
   */
  async replaceTokens(tokens: OAuthTokenSet): Promise<void> {
    const previous = this.#renewal;
    await this.#occupy(async () => {
      if (previous) await previous.catch(() => undefined);
      try {
        await this.#store.save(tokens);
      } catch (error) {
        throw new AuthError('OAUTH_TOKEN_STORE_FAILED', `Saving the new OAuth tokens failed: ${describeStoreError(error, tokens)}.`);
      }
      this.#tokens = tokens;
      this.#unsaved = false;
      this.#rejectedAccessToken = null;
      this.#rejectedRefreshToken = null;
      this.#reauthorizationRequired = false;
      this.#tell('tokensReplaced', this.state());
      return tokens;
    });
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
      hasRefreshToken: (this.#tokens?.refreshToken ?? null) !== null,
      reauthorizationRequired: this.#reauthorizationRequired,
    };
  }

  /** Runs `work` in the single renewal slot; the slot is freed when it settles, unless someone took it over. */
  #occupy(work: () => Promise<OAuthTokenSet>): Promise<OAuthTokenSet> {
    const running: Promise<OAuthTokenSet> = work().finally(() => {
      if (this.#renewal === running) this.#renewal = null;
    });
    this.#renewal = running;
    return running;
  }

  #tell<E extends keyof OAuthTokenSourceListener>(event: E, ...args: Parameters<NonNullable<OAuthTokenSourceListener[E]>>): void {
    try {
      const handler = this.#listener[event] as ((...values: typeof args) => void) | undefined;
      handler?.apply(this.#listener, args);
    } catch {
      // Reporting must never break authentication.
    }
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
      this.#tell('refreshFailed', error instanceof Error ? error : new Error('unknown refresh failure'));
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
    this.#tell('refreshSucceeded', this.state());
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
    this.#tell('reauthorizationRequired', reason);
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
