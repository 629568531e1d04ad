// One OAuth account's grant as the rest of the exporter sees it: connected or not (and why), who consented, until
// when the refresh token lasts. It follows the token source (refreshes, rejections) and the consent flow, feeds the
// OAuth metrics and the landing page, and is the one place a new grant is installed. Never holds a token value.
import type { AccountConfig } from '../config/types.ts';
import {
  OAuthTokenSource,
  type OAuthTokenSet,
  type OAuthTokenSourceListener,
  type OAuthTokenSourceState,
  type OAuthTokenStore,
  type ReauthorizationReason,
  type TokenSource,
} from '../snowflake/auth/index.ts';
import type { OAuthMetricsSource, RefreshOutcome } from './oauth-metrics.ts';

/** What is known of the grant; no token values. */
interface GrantFacts {
  readonly username: string | undefined;
  readonly accessTokenExpiresAt: number | null;
  readonly refreshTokenExpiresAt: number | null;
  readonly hasRefreshToken: boolean;
}

export interface OAuthConnectionStatus {
  readonly connected: boolean;
  readonly user: string | undefined;
  readonly refreshTokenExpiresAt: Date | undefined;
  /** Why the account is not connected, or what to watch; never a secret. */
  readonly detail: string | undefined;
}

const REAUTHORIZATION_DETAIL: Readonly<Record<ReauthorizationReason, string>> = {
  no_tokens: 'not connected yet: no OAuth grant is stored for this account',
  no_refresh_token: 'the access token expired and Snowflake issued no refresh token (check OAUTH_ISSUE_REFRESH_TOKENS)',
  refresh_token_expired: 'the refresh token expired',
  refresh_token_rejected: 'Snowflake rejected the refresh token (revoked, expired, or the integration changed)',
};

export interface OAuthConnectionOptions {
  readonly account: AccountConfig;
  readonly store: OAuthTokenStore;
  /** Why tokens cannot be stored at all (no encryption key), shown instead of "not connected yet". */
  readonly storageProblem?: string | undefined;
  readonly onRefresh?: ((account: string, outcome: RefreshOutcome) => void) | undefined;
  readonly log?: ((level: 'info' | 'warn' | 'error', message: string) => void) | undefined;
}

export class OAuthConnection implements OAuthMetricsSource {
  readonly config: AccountConfig;
  readonly store: OAuthTokenStore;
  readonly storageProblem: string | undefined;
  readonly #onRefresh: (account: string, outcome: RefreshOutcome) => void;
  readonly #log: (level: 'info' | 'warn' | 'error', message: string) => void;
  #tokenSource: OAuthTokenSource | undefined;
  #facts: GrantFacts | null = null;
  /** Set while the account needs a person (no grant, expired or rejected refresh token, unreadable store). */
  #problem: string | undefined;

  constructor(options: OAuthConnectionOptions) {
    this.config = options.account;
    this.store = options.store;
    this.storageProblem = options.storageProblem;
    this.#onRefresh = options.onRefresh ?? (() => {});
    this.#log = options.log ?? (() => {});
    this.#problem = options.storageProblem ?? REAUTHORIZATION_DETAIL.no_tokens;
  }

  get account(): string {
    return this.config.name;
  }

  /** Reports from the account's token source. */
  readonly listener: OAuthTokenSourceListener = {
    refreshSucceeded: (state) => {
      this.#onRefresh(this.account, 'success');
      this.#learn(state, this.#facts?.username);
    },
    refreshFailed: (error) => {
      this.#onRefresh(this.account, 'failure');
      this.#log('warn', `account ${this.account}: OAuth refresh failed: ${error.message}`);
    },
    reauthorizationRequired: (reason) => {
      const detail = REAUTHORIZATION_DETAIL[reason];
      if (this.#problem !== detail) this.#log('warn', `account ${this.account}: OAuth disconnected: ${detail}; reconnect through /oauth/start`);
      this.#problem = this.storageProblem ?? detail;
    },
  };

  /** Binds the account's token source, so a new grant goes through its single renewal slot. */
  attach(tokenSource: TokenSource): void {
    if (tokenSource instanceof OAuthTokenSource) this.#tokenSource = tokenSource;
  }

  /** Reads what the store holds at start, so a restart shows the account connected without a new consent. */
  async initialise(): Promise<void> {
    try {
      const tokens = await this.store.load();
      if (tokens === null) return;
      this.#learnSet(tokens);
      this.#problem = undefined;
    } catch (error) {
      // Store and cipher messages name the problem and the fix, never a token.
      this.#problem = `the stored OAuth grant cannot be read: ${error instanceof Error ? error.message : 'unknown error'}`;
      this.#log('error', `account ${this.account}: ${this.#problem}`);
    }
  }

  /** Installs a grant from the consent flow; throws (leaving the previous grant) when it cannot be stored. */
  async connect(tokens: OAuthTokenSet): Promise<void> {
    if (this.storageProblem !== undefined) throw new Error(this.storageProblem);
    if (this.#tokenSource === undefined) await this.store.save(tokens);
    else await this.#tokenSource.replaceTokens(tokens);
    this.#learnSet(tokens);
    this.#problem = undefined;
  }

  connected(nowMs: number): boolean {
    const facts = this.#facts;
    if (facts === null || this.#problem !== undefined) return false;
    if (facts.refreshTokenExpiresAt !== null && nowMs >= facts.refreshTokenExpiresAt) return false;
    return facts.hasRefreshToken || (facts.accessTokenExpiresAt !== null && nowMs < facts.accessTokenExpiresAt);
  }

  refreshTokenExpiresAt(): number | null {
    return this.#facts?.refreshTokenExpiresAt ?? null;
  }

  status(nowMs: number): OAuthConnectionStatus {
    const facts = this.#facts;
    const connected = this.connected(nowMs);
    let detail = this.#problem;
    if (detail === undefined && facts !== null && !connected) {
      detail = facts.hasRefreshToken ? REAUTHORIZATION_DETAIL.refresh_token_expired : REAUTHORIZATION_DETAIL.no_refresh_token;
    }
    if (detail === undefined && facts !== null && !facts.hasRefreshToken) {
      detail = 'no refresh token was issued: the grant ends when the access token expires';
    }
    return {
      connected,
      user: facts?.username,
      refreshTokenExpiresAt: facts?.refreshTokenExpiresAt == null ? undefined : new Date(facts.refreshTokenExpiresAt),
      detail,
    };
  }

  #learnSet(tokens: OAuthTokenSet): void {
    this.#facts = {
      username: tokens.username,
      accessTokenExpiresAt: tokens.accessTokenExpiresAt,
      refreshTokenExpiresAt: tokens.refreshTokenExpiresAt,
      hasRefreshToken: tokens.refreshToken !== null,
    };
  }

  #learn(state: OAuthTokenSourceState, username: string | undefined): void {
    this.#facts = {
      username,
      accessTokenExpiresAt: state.accessTokenExpiresAt,
      refreshTokenExpiresAt: state.refreshTokenExpiresAt,
      hasRefreshToken: state.hasRefreshToken,
    };
    this.#problem = undefined;
  }
}
