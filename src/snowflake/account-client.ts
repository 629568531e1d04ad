// Turns one validated account from the configuration into what talks to Snowflake: its token source and its SQL
// API client. Kept apart from both so that the configuration layer knows nothing of HTTP and the client nothing
// of configuration files.
import type { Dispatcher } from 'undici';
import type { AccountConfig } from '../config/types.ts';
import { PRODUCT_NAME } from '../version.ts';
import {
  createTokenSource,
  InMemoryOAuthTokenStore,
  type OAuthTokenSourceListener,
  type OAuthTokenStore,
  type TokenSource,
} from './auth/index.ts';
import { SqlApiClient, type SqlApiEvent } from './sqlapi/index.ts';

/** Every statement the exporter sends carries this tag, so its own queries can be excluded from its detections. */
export const EXPORTER_QUERY_TAG = PRODUCT_NAME;

export interface AccountClientOptions {
  /**
   * Where OAuth tokens live: the exporter passes the encrypted state-store table (src/oauth/onboarding.ts); without
   * one an account using OAuth starts with an empty in-memory store and reports that it needs authorisation.
   */
  readonly oauthStore?: OAuthTokenStore;
  /** Told about OAuth refreshes and re-authorisation needs (metrics, landing page). */
  readonly oauthListener?: OAuthTokenSourceListener;
  readonly dispatcher?: Dispatcher;
  readonly onEvent?: (event: SqlApiEvent) => void;
}

export interface AccountClient {
  readonly account: AccountConfig;
  readonly tokenSource: TokenSource;
  readonly client: SqlApiClient;
  readonly close: () => Promise<void>;
}

/** Builds the token source and client for one account. Key problems (bad PEM, wrong passphrase) throw here. */
export function createAccountClient(account: AccountConfig, options: AccountClientOptions = {}): AccountClient {
  const baseUrl = new URL(account.baseUrl);
  const tokenSource = tokenSourceFor(account, baseUrl, options);
  const client = new SqlApiClient({
    baseUrl,
    tokenSource,
    concurrency: account.concurrency,
    defaults: {
      role: account.role,
      warehouse: account.warehouse,
      timeoutSeconds: account.statementTimeoutSeconds,
      queryTag: EXPORTER_QUERY_TAG,
    },
    dispatcher: options.dispatcher,
    onEvent: options.onEvent,
  });
  return { account, tokenSource, client, close: () => client.close() };
}

function tokenSourceFor(account: AccountConfig, baseUrl: URL, options: AccountClientOptions): TokenSource {
  const auth = account.auth;
  switch (auth.method) {
    case 'keypair':
      return createTokenSource({
        method: 'keypair',
        jwtAccount: account.identifier.jwtAccount,
        // The configuration requires a user for key-pair auth; the check here keeps the type honest.
        user: requireUser(account),
        privateKeyPem: auth.privateKey,
        passphrase: auth.passphrase,
      });
    case 'pat':
      return createTokenSource({ method: 'pat', token: auth.token });
    case 'oauth':
      return createTokenSource({
        method: 'oauth',
        tokenEndpoint: new URL('/oauth/token-request', baseUrl),
        clientId: auth.clientId,
        clientSecret: auth.clientSecret,
        store: options.oauthStore ?? new InMemoryOAuthTokenStore(),
        dispatcher: options.dispatcher,
        ...(options.oauthListener === undefined ? {} : { listener: options.oauthListener }),
      });
  }
}

function requireUser(account: AccountConfig): string {
  if (account.user === undefined) throw new Error(`account ${account.name}: key-pair authentication needs a user`);
  return account.user;
}
