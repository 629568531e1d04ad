// Where an OAuth token source keeps its tokens between refreshes and restarts. The browser consent flow writes the
// first set; the token source writes every refreshed set. The durable one seals them into the state file
// (src/state/encrypted-oauth-token-store.ts); the in-memory one here serves tests.
import type { Secret } from '../../util/secret.ts';

export interface OAuthTokenSet {
  readonly accessToken: Secret;
  /** When the access token expires, in ms since the epoch. */
  readonly accessTokenExpiresAt: number;
  /** Null when the integration issues no refresh tokens (or the user did not consent to the refresh_token scope). */
  readonly refreshToken: Secret | null;
  /** When the refresh token expires, in ms since the epoch; null when Snowflake did not say. */
  readonly refreshTokenExpiresAt: number | null;
  readonly scope?: string;
  /** The Snowflake user the grant belongs to (Snowflake returns it only on the authorization-code exchange). */
  readonly username?: string;
}

export interface OAuthTokenStore {
  /** The current token set, or null when the account has never been authorised. */
  load(): Promise<OAuthTokenSet | null>;
  /**
   * Replaces the stored set as one atomic write. With rotating (single-use) refresh tokens the previous refresh token
   * is already dead when this is called, so an implementation must not report success before the write is durable.
   */
  save(tokens: OAuthTokenSet): Promise<void>;
}

export class InMemoryOAuthTokenStore implements OAuthTokenStore {
  #tokens: OAuthTokenSet | null;

  constructor(initial: OAuthTokenSet | null = null) {
    this.#tokens = initial;
  }

  load(): Promise<OAuthTokenSet | null> {
    return Promise.resolve(this.#tokens);
  }

  save(tokens: OAuthTokenSet): Promise<void> {
    this.#tokens = tokens;
    return Promise.resolve();
  }
}
