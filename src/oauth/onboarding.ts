// OAuth onboarding as one part of the exporter: a connection (store, status, token-source listener) per account that
// uses OAuth, the OAuth metrics, and the /oauth/start and /oauth/callback routes, served on the main HTTP server or
// on their own address. The exporter asks it for each account's token store and listener before building the
// account's client, attaches the client's token source, then mounts or starts the routes.
import { randomBytes } from 'node:crypto';
import express, { type Express, type NextFunction, type Request, type Response } from 'express';
import type { Registry } from 'prom-client';
import type { ExporterConfig, ListenAddress, OnboardingConfig } from '../config/types.ts';
import { startHttpServer, type RunningHttpServer } from '../http/server.ts';
import type { OAuthAccountStatus } from '../http/status.ts';
import { exchangeAuthorizationCode, type OAuthTokenSourceListener, type OAuthTokenStore, type TokenSource } from '../snowflake/auth/index.ts';
import { EncryptedOAuthTokenStore, ENCRYPTION_KEY_HINT, NoKeyOAuthTokenStore } from '../state/encrypted-oauth-token-store.ts';
import type { OAuthTokenRecords } from '../state/oauth-token-records.ts';
import { decodeEncryptionKey, TokenCipher } from '../state/token-cipher.ts';
import type { Secret } from '../util/secret.ts';
import { OAuthConnection } from './oauth-connection.ts';
import { OAuthMetrics } from './oauth-metrics.ts';
import { ONBOARDING_CONTENT_SECURITY_POLICY } from './pages.ts';
import { PendingAuthorizations } from './pending-authorizations.ts';
import { CALLBACK_PATH, mountOnboardingRoutes, START_PATH, type OnboardingRoutesContext } from './routes.ts';

type Log = (level: 'info' | 'warn' | 'error', message: string) => void;

export const DEFAULT_ONBOARDING: OnboardingConfig = { enabled: true, listen: undefined, publicUrl: undefined };

export interface OAuthOnboardingOptions {
  readonly config: ExporterConfig;
  /** Where sealed token sets live (the state store). */
  readonly records: OAuthTokenRecords;
  /** The exporter's metrics registry; the OAuth metrics are registered in it. */
  readonly registry: Registry;
  readonly log?: Log | undefined;
  readonly now?: (() => number) | undefined;
  /** How long a started sign-in stays valid (default 10 minutes). */
  readonly signInTtlMs?: number | undefined;
}

export class OAuthOnboarding {
  readonly settings: OnboardingConfig;
  readonly connections: ReadonlyMap<string, OAuthConnection>;
  /** Absent when no account uses OAuth: then no OAuth metric family is exposed at all. */
  readonly metrics: OAuthMetrics | undefined;
  readonly #pending: PendingAuthorizations;
  readonly #log: Log;
  readonly #now: () => number;
  /** The state cookie's HMAC key: random per process, as pending sign-ins are kept in memory anyway. */
  readonly #cookieSecret = randomBytes(32).toString('base64url');
  #publicUrl: string | undefined;
  #server: RunningHttpServer | undefined;
  #onConnected: (account: string) => void = () => {};

  constructor(options: OAuthOnboardingOptions) {
    this.settings = options.config.server.onboarding ?? DEFAULT_ONBOARDING;
    this.#log = options.log ?? (() => {});
    this.#now = options.now ?? Date.now;
    this.#pending = new PendingAuthorizations({ now: this.#now, ...(options.signInTtlMs === undefined ? {} : { ttlMs: options.signInTtlMs }) });
    this.#publicUrl = this.settings.publicUrl?.replace(/\/+$/, '');

    const oauthAccounts = options.config.accounts.filter((account) => account.auth.method === 'oauth');
    const cipher = oauthAccounts.length > 0 ? cipherFor(options.config.state) : undefined;
    const storageProblem =
      oauthAccounts.length > 0 && cipher === undefined
        ? `the exporter stores OAuth tokens only encrypted and state.encryptionKey is not set: ${ENCRYPTION_KEY_HINT}`
        : undefined;
    if (storageProblem !== undefined) {
      this.#log('warn', `accounts ${oauthAccounts.map((account) => account.name).join(', ')} use OAuth but stay disconnected: ${storageProblem}`);
    }
    const connections = new Map<string, OAuthConnection>();
    for (const account of oauthAccounts) {
      const store: OAuthTokenStore =
        cipher === undefined ? new NoKeyOAuthTokenStore() : new EncryptedOAuthTokenStore({ records: options.records, cipher, account: account.name });
      connections.set(
        account.name,
        new OAuthConnection({
          account,
          store,
          storageProblem,
          // Called on refreshes only, long after construction has set this.metrics.
          onRefresh: (name, outcome) => this.metrics?.refreshed(name, outcome),
          log: this.#log,
        }),
      );
    }
    this.connections = connections;
    this.metrics = connections.size === 0 ? undefined : new OAuthMetrics(options.registry, [...connections.values()], this.#now);
  }

  /** True when the routes should be served: onboarding enabled and at least one account uses OAuth. */
  get serving(): boolean {
    return this.settings.enabled && this.connections.size > 0;
  }

  /** The address of a separate onboarding listener, when configured and serving. */
  get separateListen(): ListenAddress | undefined {
    return this.serving ? this.settings.listen : undefined;
  }

  storeFor(account: string): OAuthTokenStore | undefined {
    return this.connections.get(account)?.store;
  }

  listenerFor(account: string): OAuthTokenSourceListener | undefined {
    return this.connections.get(account)?.listener;
  }

  attach(account: string, tokenSource: TokenSource): void {
    this.connections.get(account)?.attach(tokenSource);
  }

  /** Reads the stored grants (restart without new consent). Never throws: problems show per account. */
  async initialise(): Promise<void> {
    await Promise.all([...this.connections.values()].map((connection) => connection.initialise()));
  }

  /** Called after each new grant; the exporter starts a collection cycle for the account. */
  onConnected(handler: (account: string) => void): void {
    this.#onConnected = handler;
  }

  /** Fixes the public URL from the address the routes were bound to, unless one is configured. */
  bound(url: URL): void {
    if (this.#publicUrl !== undefined) return;
    const host = url.hostname === '0.0.0.0' || url.hostname === '[::]' || url.hostname === '::' ? '127.0.0.1' : url.hostname;
    this.#publicUrl = `${url.protocol}//${host}:${url.port}`;
  }

  /** Where browsers reach the routes (no trailing slash); known once bound. */
  get publicUrl(): string | undefined {
    return this.#publicUrl;
  }

  /** Mounts /oauth/start and /oauth/callback on an app (the main one, or the separate onboarding app). */
  readonly mount = (app: Express): void => {
    if (!this.serving) return;
    mountOnboardingRoutes(app, this.#routesContext());
  };

  /** Starts the separate onboarding listener, when one is configured. */
  async start(): Promise<URL | undefined> {
    const listen = this.separateListen;
    if (listen === undefined) return undefined;
    const app = createOnboardingApp(this.mount, this.#log);
    this.#server = await startHttpServer(app, listen);
    const url = new URL(this.#server.url);
    this.bound(url);
    return url;
  }

  async close(): Promise<void> {
    await this.#server?.close();
  }

  /** What the landing page shows for an OAuth account; undefined for other accounts. */
  status(account: string): OAuthAccountStatus | undefined {
    const connection = this.connections.get(account);
    if (connection === undefined) return undefined;
    const status = connection.status(this.#now());
    return { ...status, connectUrl: this.serving && this.#publicUrl !== undefined ? this.#startUrl(account) : undefined };
  }

  #startUrl(account?: string): string {
    const base = `${this.#publicUrl ?? ''}${START_PATH}`;
    return account === undefined ? base : `${base}?${new URLSearchParams({ account }).toString()}`;
  }

  #redirectUri(connection: OAuthConnection): string {
    const auth = connection.config.auth;
    if (auth.method === 'oauth' && auth.redirectUri !== undefined) return auth.redirectUri;
    return `${this.#publicUrl ?? ''}${CALLBACK_PATH}`;
  }

  #routesContext(): OnboardingRoutesContext {
    return {
      connections: this.connections,
      pending: this.#pending,
      cookieSecret: this.#cookieSecret,
      redirectUriFor: (connection) => this.#redirectUri(connection),
      startUrlFor: (account) => this.#startUrl(account),
      exchange: (connection, code, pending) => {
        const auth = connection.config.auth;
        if (auth.method !== 'oauth') return Promise.reject(new TypeError(`account ${connection.account} does not use OAuth`));
        return exchangeAuthorizationCode({
          tokenEndpoint: new URL('/oauth/token-request', connection.config.baseUrl),
          clientId: auth.clientId,
          clientSecret: auth.clientSecret,
          code,
          redirectUri: pending.redirectUri,
          codeVerifier: pending.codeVerifier,
          now: this.#now,
        });
      },
      onConnected: (account) => {
        try {
          this.#onConnected(account);
        } catch (error) {
          this.#log('error', `account ${account}: starting collection after OAuth consent failed: ${error instanceof Error ? error.message : 'unknown error'}`);
        }
      },
      log: this.#log,
      now: this.#now,
    };
  }
}

function cipherFor(state: ExporterConfig['state']): TokenCipher | undefined {
  if (state.encryptionKey === undefined) return undefined;
  const decode = (secret: Secret): Buffer => {
    const key = decodeEncryptionKey(secret.reveal());
    // The configuration already checked the shape; this only keeps a hand-built config honest.
    if (!Buffer.isBuffer(key)) throw new TypeError(`the encryption key from ${secret.source} ${key.error}`);
    return key;
  };
  return new TokenCipher(decode(state.encryptionKey), (state.previousEncryptionKeys ?? []).map(decode));
}

/** The app of a separate onboarding listener: the two routes, `/` pointing at the chooser, and nothing else. */
export function createOnboardingApp(mount: (app: Express) => void, log: Log): Express {
  const app = express();
  app.disable('x-powered-by');
  app.set('etag', false);
  app.use((_request: Request, response: Response, next: NextFunction) => {
    response.set({
      'Content-Security-Policy': ONBOARDING_CONTENT_SECURITY_POLICY,
      'X-Content-Type-Options': 'nosniff',
      'Referrer-Policy': 'no-referrer',
      'X-Frame-Options': 'DENY',
      'Cache-Control': 'no-store',
    });
    next();
  });
  app.get('/', (_request: Request, response: Response) => response.redirect(302, START_PATH));
  mount(app);
  app.use((_request: Request, response: Response) => void response.status(404).type('text/plain; charset=utf-8').send('Not Found\n'));
  app.use((error: unknown, _request: Request, response: Response, _next: NextFunction) => {
    log('error', `OAuth onboarding server failed: ${error instanceof Error ? error.name : 'unknown error'}`);
    if (response.headersSent) {
      response.destroy();
      return;
    }
    response.status(500).type('text/plain; charset=utf-8').send('Internal Server Error\n');
  });
  return app;
}
