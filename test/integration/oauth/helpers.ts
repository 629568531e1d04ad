// Shared parts of the OAuth onboarding tests: an emulator with a key-pair service user (the account that must keep
// running) and a person who signs in to the consent page, the exporter's configuration for both accounts, and a
// small "browser" that follows the consent flow over plain HTTP with a cookie jar (the browser test in test/e2e does
// the same in Chromium). Everything is real: the emulator's OAuth server, the exporter's routes, the state file.
import { randomBytes } from 'node:crypto';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import type { OAuthClientConfig } from '../../../emulator/index.ts';
import type { AccountConfig, ExporterConfig } from '../../../src/config/types.ts';
import type { RunningExporter } from '../../../src/runtime/exporter.ts';
import { Secret } from '../../../src/util/secret.ts';
import { EMULATED_ROLE, keyPairEmulatorFor, type KeyPairEmulator, type KeyPairEmulatorOptions } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, tempDirFor } from '../../helpers/exporter-harness.ts';

export const OAUTH_USER = 'RISK_OAUTH_PERSON';
export const OAUTH_PASSWORD = 'person-password-1';
export const CLIENT_ID = 'risk-exporter-test-client';
/** Characters form encoding must escape, as Snowflake's base64 secrets have. */
export const CLIENT_SECRET = 'cl1ent+secret/value=0123456789abcdef';
export const OAUTH_ACCOUNT = 'finance';
export const KEYPAIR_ACCOUNT = 'emulated';

export interface OAuthFixture {
  readonly emulator: KeyPairEmulator;
  /** The key-pair account (keeps running whatever happens to the OAuth one). */
  readonly keyPairAccount: AccountConfig;
  readonly oauthAccount: AccountConfig;
  /** Base64 of a fresh 32-byte key. */
  readonly tokenKey: string;
  readonly stateDir: string;
  /** The exporter configuration for both accounts on a free loopback port, tokens sealed with `tokenKey`. */
  config(overrides?: { readonly accounts?: readonly AccountConfig[]; readonly server?: Partial<ExporterConfig['server']>; readonly state?: Partial<ExporterConfig['state']> }): ExporterConfig;
  /** Registers the emulator's OAuth client (the security integration) with this redirect URI. */
  registerClient(redirectUri: string, overrides?: Partial<OAuthClientConfig>): void;
}

export async function oauthFixtureFor(
  t: TestContext,
  options: {
    readonly emulatorOptions?: KeyPairEmulatorOptions['emulatorOptions'];
    readonly oauthAccount?: Partial<AccountConfig>;
    /** More users of the emulated account besides the person who consents. */
    readonly extraUsers?: KeyPairEmulatorOptions['extraUsers'];
  } = {},
): Promise<OAuthFixture> {
  const emulator = await keyPairEmulatorFor(t, {
    accountName: KEYPAIR_ACCOUNT,
    extraUsers: [
      { name: OAUTH_USER, password: OAUTH_PASSWORD, roles: [EMULATED_ROLE], defaultRole: EMULATED_ROLE, defaultWarehouse: 'COMPUTE_WH' },
      ...(options.extraUsers ?? []),
    ],
    ...(options.emulatorOptions === undefined ? {} : { emulatorOptions: options.emulatorOptions }),
  });
  const keyPairAccount: AccountConfig = { ...emulator.account, jitterSeconds: 0 };
  const oauthAccount: AccountConfig = {
    ...emulator.account,
    name: OAUTH_ACCOUNT,
    user: undefined,
    auth: { method: 'oauth', clientId: CLIENT_ID, clientSecret: new Secret(CLIENT_SECRET, 'env:TEST_OAUTH_CLIENT_SECRET'), redirectUri: undefined },
    jitterSeconds: 0,
    ...options.oauthAccount,
  };
  const tokenKey = randomBytes(32).toString('base64');
  const stateDir = tempDirFor(t, 'sre-oauth-');
  return {
    emulator,
    keyPairAccount,
    oauthAccount,
    tokenKey,
    stateDir,
    config(overrides = {}) {
      const base = exporterConfigFor(keyPairAccount, join(stateDir, 'state.db'));
      return {
        ...base,
        accounts: overrides.accounts ?? [keyPairAccount, oauthAccount],
        server: { ...base.server, ...overrides.server },
        state: { ...base.state, encryptionKey: new Secret(tokenKey, 'env:TEST_TOKEN_KEY'), ...overrides.state },
      };
    },
    registerClient(redirectUri, overrides = {}) {
      emulator.emulator.admin.registerOAuthClient({
        clientId: CLIENT_ID,
        clientSecrets: [CLIENT_SECRET],
        redirectUri,
        // The test exporters listen on http://127.0.0.1, as the README's local integration with
        // OAUTH_ALLOW_NON_TLS_REDIRECT_URI = TRUE.
        allowNonTlsRedirectUri: true,
        name: 'snowflake-risk-exporter (test)',
        enforcePkce: true,
        refreshTokenValiditySeconds: 30 * 86_400,
        ...overrides,
      });
    },
  };
}

export interface HttpAnswer {
  readonly status: number;
  readonly location: string | undefined;
  readonly setCookies: readonly string[];
  readonly headers: Headers;
  readonly text: string;
}

/**
 * A browser stand-in: one cookie jar for the loopback host (browsers share cookies across ports of one host, so the
 * exporter's and the emulator's cookies sit in the same jar, as they would in Chromium), redirects not followed.
 */
export class HttpBrowser {
  readonly cookies = new Map<string, string>();

  async get(url: string | URL): Promise<HttpAnswer> {
    return this.#send(url, { method: 'GET' });
  }

  async postForm(url: string | URL, form: Record<string, string>): Promise<HttpAnswer> {
    return this.#send(url, {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: new URLSearchParams(form).toString(),
    });
  }

  /** /oauth/start, sign-in and the consent decision; returns the callback URL Snowflake redirects to. */
  async consent(startUrl: string, decision: 'approve' | 'deny' = 'approve', credentials = { user: OAUTH_USER, password: OAUTH_PASSWORD }): Promise<string> {
    const started = await this.get(startUrl);
    if (started.status !== 302 || started.location === undefined) throw new Error(`/oauth/start answered ${started.status}: ${started.text.slice(0, 300)}`);
    const authorize = await this.get(started.location);
    if (authorize.status !== 200) throw new Error(`the consent page answered ${authorize.status}: ${authorize.text.slice(0, 300)}`);
    const hidden = { request_id: field(authorize.text, 'request_id'), csrf_token: field(authorize.text, 'csrf_token') };
    const formUrl = new URL('/oauth/authorize', started.location);
    const signedIn = await this.postForm(formUrl, { ...hidden, action: 'sign_in', login_name: credentials.user, password: credentials.password });
    if (!signedIn.text.includes('Allow access?')) throw new Error(`sign-in did not reach the consent screen: ${signedIn.text.slice(0, 300)}`);
    const decided = await this.postForm(formUrl, { ...hidden, action: decision });
    if (decided.status !== 302 || decided.location === undefined) throw new Error(`the consent answer was ${decided.status}`);
    return decided.location;
  }

  async #send(url: string | URL, init: RequestInit): Promise<HttpAnswer> {
    const headers = new Headers(init.headers);
    if (this.cookies.size > 0) headers.set('cookie', [...this.cookies].map(([name, value]) => `${name}=${value}`).join('; '));
    const response = await fetch(url, { ...init, headers, redirect: 'manual', signal: AbortSignal.timeout(20_000) });
    const setCookies = response.headers.getSetCookie();
    for (const line of setCookies) {
      const [pair = '', ...attributes] = line.split(';');
      const index = pair.indexOf('=');
      const name = pair.slice(0, index).trim();
      const value = pair.slice(index + 1).trim();
      const expired = attributes.some((attribute) => /^\s*(max-age=0|expires=thu, 01 jan 1970)/i.test(attribute));
      if (expired || value === '') this.cookies.delete(name);
      else this.cookies.set(name, value);
    }
    return {
      status: response.status,
      location: response.headers.get('location') ?? undefined,
      setCookies,
      headers: response.headers,
      text: await response.text(),
    };
  }
}

function field(html: string, name: string): string {
  const match = new RegExp(`name="${name}" value="([^"]*)"`).exec(html);
  if (match === null) throw new Error(`form field ${name} not found`);
  return match[1] ?? '';
}

/** The `data-outcome` of an onboarding page. */
export function outcomeOf(html: string): string | undefined {
  return /data-outcome="([^"]+)"/.exec(html)?.[1];
}

export function startUrl(exporter: RunningExporter, account = OAUTH_ACCOUNT): string {
  return `${exporter.oauth.publicUrl ?? ''}/oauth/start?account=${account}`;
}

export function callbackUrl(exporter: RunningExporter): string {
  return `${exporter.oauth.publicUrl ?? ''}/oauth/callback`;
}

/** Polls `check` until it returns a value (bounded), for what happens after a page answered (a cycle, a scrape). */
export async function eventually<T>(check: () => Promise<T | undefined>, what: string, limitMs = 30_000): Promise<T> {
  const until = Date.now() + limitMs;
  for (;;) {
    const value = await check();
    if (value !== undefined) return value;
    if (Date.now() > until) throw new Error(`gave up waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}
