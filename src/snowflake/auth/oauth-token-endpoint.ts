// The wire side of Snowflake OAuth: one POST to /oauth/token-request per grant, HTTP Basic client authentication,
// a form body, and an answer that is either a token response or Snowflake's own error shape
// ({"data":null,"message":"...","code":null,"success":false,"error":"invalid_grant"}), not RFC 6749's. Both the
// refresh grant (token source) and the authorization-code grant (onboarding) go through requestTokens() so they
// share retries, limits and redaction.
import { setTimeout as sleep } from 'node:timers/promises';
import type { Dispatcher } from 'undici';
import { getGlobalDispatcher } from '../undici-core.ts';
import { z } from 'zod';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.ts';
import { redactText, Secret } from '../../util/secret.ts';
import { AuthError, OAuthTokenEndpointError } from './errors.ts';
import type { OAuthTokenSet } from './oauth-token-store.ts';

export interface TokenEndpointRetryOptions {
  /** Requests in total, first included; default 3. */
  maxAttempts?: number;
  /** First backoff delay; doubled each retry, with full jitter; default 250 ms. */
  baseDelayMs?: number;
  /** Upper bound of one delay, Retry-After included; default 5000 ms. */
  maxDelayMs?: number;
}

export interface TokenEndpointOptions {
  /** `https://<account host>/oauth/token-request`, or the endpoint override's equivalent. */
  tokenEndpoint: URL;
  clientId: Secret | string;
  clientSecret: Secret;
  /** undici dispatcher (the account's pool); undici's global dispatcher when absent. */
  dispatcher?: Dispatcher;
  userAgent?: string;
  retry?: TokenEndpointRetryOptions;
  /** Per request, headers and body together; default 30 s. */
  requestTimeoutMs?: number;
  /** Clock in ms since the epoch; injectable for tests. */
  now?: () => number;
}

/** Snowflake documents 600 s as the usual access-token lifetime; used only if an answer omits expires_in. */
const DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS = 600;
/** A token response is a few KiB at most; anything larger is not one, and is not read into memory. */
const MAX_RESPONSE_BYTES = 64 * 1024;
const MAX_QUOTED_MESSAGE_LENGTH = 300;

const tokenResponseSchema = z.object({
  access_token: z.string().min(1),
  expires_in: z.number().positive().optional(),
  refresh_token: z.string().min(1).nullish(),
  refresh_token_expires_in: z.number().positive().nullish(),
  scope: z.string().nullish(),
  token_type: z.string().nullish(),
  username: z.string().nullish(),
});

type TokenResponse = z.infer<typeof tokenResponseSchema>;

/** Rejects token endpoints that would send the client secret in clear text to anything but this machine. */
export function validateTokenEndpoint(endpoint: URL): URL {
  const loopback = ['localhost', '127.0.0.1', '[::1]'].includes(endpoint.hostname);
  if (endpoint.protocol !== 'https:' && !(endpoint.protocol === 'http:' && loopback)) {
    throw new AuthError(
      'AUTH_INVALID_OPTIONS',
      `The OAuth token endpoint ${endpoint.origin} must use https (plain http is allowed only on loopback).`,
    );
  }
  if (endpoint.username !== '' || endpoint.password !== '') {
    throw new AuthError('AUTH_INVALID_OPTIONS', 'The OAuth token endpoint URL must not contain credentials.');
  }
  return endpoint;
}

export interface AuthorizationCodeExchange extends TokenEndpointOptions {
  /** The short-lived code from the redirect to redirect_uri. */
  code: Secret | string;
  /** Exactly the redirect_uri sent to /oauth/authorize. */
  redirectUri: string;
  /** The PKCE verifier, when a code_challenge was sent. */
  codeVerifier?: Secret | string;
  /** Ask for rotating single-use refresh tokens (enable_single_use_refresh_tokens=true). */
  enableSingleUseRefreshTokens?: boolean;
  signal?: AbortSignal;
}

/** Exchanges an authorization code (the end of the browser consent flow) for the first token set. */
export async function exchangeAuthorizationCode(options: AuthorizationCodeExchange): Promise<OAuthTokenSet> {
  const code = reveal(options.code);
  const codeVerifier = options.codeVerifier === undefined ? undefined : reveal(options.codeVerifier);
  const form = new URLSearchParams({ grant_type: 'authorization_code', code, redirect_uri: options.redirectUri });
  if (codeVerifier !== undefined) form.set('code_verifier', codeVerifier);
  if (options.enableSingleUseRefreshTokens) form.set('enable_single_use_refresh_tokens', 'true');

  const now = options.now ?? Date.now;
  const answer = await requestTokens(options, form, {
    grant: 'authorization_code',
    secrets: [code, ...(codeVerifier === undefined ? [] : [codeVerifier])],
    signal: options.signal,
  });
  return tokenSetFromResponse(answer, now(), null);
}

/**
 * Redeems a refresh token. The result keeps the previous refresh token (and its expiry) when Snowflake does not
 * rotate it, and the previous scope and username when the answer omits them.
 */
export async function refreshAccessToken(
  options: TokenEndpointOptions,
  previous: OAuthTokenSet & { refreshToken: Secret },
): Promise<OAuthTokenSet> {
  const refreshToken = previous.refreshToken.reveal();
  const form = new URLSearchParams({ grant_type: 'refresh_token', refresh_token: refreshToken });
  const now = options.now ?? Date.now;
  const answer = await requestTokens(options, form, { grant: 'refresh_token', secrets: [refreshToken] });
  return tokenSetFromResponse(answer, now(), previous);
}

function tokenSetFromResponse(answer: TokenResponse, nowMs: number, previous: OAuthTokenSet | null): OAuthTokenSet {
  const refreshToken =
    typeof answer.refresh_token === 'string'
      ? new Secret(answer.refresh_token, 'oauth:token-endpoint')
      : (previous?.refreshToken ?? null);
  // A rotated token keeps the original validity window, so without a new expiry the old one still applies.
  const refreshTokenExpiresAt =
    typeof answer.refresh_token_expires_in === 'number'
      ? nowMs + answer.refresh_token_expires_in * 1000
      : (previous?.refreshTokenExpiresAt ?? null);
  const scope = answer.scope ?? previous?.scope;
  const username = answer.username ?? previous?.username;
  return {
    accessToken: new Secret(answer.access_token, 'oauth:token-endpoint'),
    accessTokenExpiresAt: nowMs + (answer.expires_in ?? DEFAULT_ACCESS_TOKEN_LIFETIME_SECONDS) * 1000,
    refreshToken,
    refreshTokenExpiresAt,
    ...(scope === undefined ? {} : { scope }),
    ...(username === undefined ? {} : { username }),
  };
}

interface GrantRequest {
  grant: 'authorization_code' | 'refresh_token';
  /** Values from the form that must never be quoted back, even if the server echoes them. */
  secrets: readonly string[];
  signal?: AbortSignal | undefined;
}

/** A failure worth another attempt (network, 5xx, 429), with the server's requested delay when it gave one. */
interface RetryableFailure {
  error: OAuthTokenEndpointError;
  retryAfterMs: number | null;
}

async function requestTokens(
  options: TokenEndpointOptions,
  form: URLSearchParams,
  grant: GrantRequest,
): Promise<TokenResponse> {
  const endpoint = validateTokenEndpoint(options.tokenEndpoint);
  const clientId = reveal(options.clientId);
  const clientSecret = options.clientSecret.reveal();
  const credentials = Buffer.from(`${formEncode(clientId)}:${formEncode(clientSecret)}`).toString('base64');
  // A server may quote what it received in any of these spellings; none of them may reach an error message.
  const secrets = [clientSecret, ...grant.secrets].flatMap((value) => [value, formEncode(value), encodeURIComponent(value)]);
  secrets.push(credentials);
  const maxAttempts = Math.max(1, Math.floor(options.retry?.maxAttempts ?? 3));
  const baseDelayMs = options.retry?.baseDelayMs ?? 250;
  const maxDelayMs = options.retry?.maxDelayMs ?? 5000;
  const headers = {
    'content-type': 'application/x-www-form-urlencoded',
    accept: 'application/json',
    authorization: `Basic ${credentials}`,
    'user-agent': options.userAgent ?? `${PRODUCT_NAME}/${PRODUCT_VERSION}`,
  };
  const body = form.toString();
  const context: AttemptContext = { endpoint, grant: grant.grant, secrets, attempt: 0 };

  for (let attempt = 1; ; attempt++) {
    grant.signal?.throwIfAborted();
    context.attempt = attempt;
    const outcome = await attemptOnce(options, headers, body, context, grant.signal);
    if ('response' in outcome) return outcome.response;
    // Retrying a refresh after an unclear failure is safe even with single-use refresh tokens: if Snowflake did
    // rotate, the new token never reached us and the grant is lost whether or not we ask again.
    if (attempt >= maxAttempts) throw outcome.error;
    const backoff = Math.random() * Math.min(maxDelayMs, baseDelayMs * 2 ** (attempt - 1));
    const delay = Math.min(maxDelayMs, Math.max(backoff, outcome.retryAfterMs ?? 0));
    await sleep(delay, undefined, grant.signal ? { signal: grant.signal } : undefined);
  }
}

interface AttemptContext {
  endpoint: URL;
  grant: GrantRequest['grant'];
  secrets: readonly string[];
  attempt: number;
}

async function attemptOnce(
  options: TokenEndpointOptions,
  headers: Record<string, string>,
  body: string,
  context: AttemptContext,
  signal: AbortSignal | undefined,
): Promise<{ response: TokenResponse } | RetryableFailure> {
  const timeout = AbortSignal.timeout(options.requestTimeoutMs ?? 30_000);
  let status: number;
  let text: string | null;
  let retryAfterMs: number | null;
  try {
    const answer = await (options.dispatcher ?? getGlobalDispatcher()).request({
      origin: context.endpoint.origin,
      path: `${context.endpoint.pathname}${context.endpoint.search}`,
      method: 'POST',
      headers,
      body,
      signal: signal ? AbortSignal.any([signal, timeout]) : timeout,
    });
    status = answer.statusCode;
    // Retry-After dates are the server's wall clock, so they are compared with ours, not an injected test clock.
    retryAfterMs = parseRetryAfter(answer.headers['retry-after'], Date.now());
    text = await readBounded(answer.body);
  } catch (error) {
    signal?.throwIfAborted();
    // Network failures (refused, reset, timeout) carry addresses and codes, never our request, so the cause is kept.
    return {
      error: new OAuthTokenEndpointError(
        'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE',
        `Snowflake's OAuth token endpoint ${context.endpoint.origin} could not be reached for the ${context.grant} grant after ${context.attempt} attempt(s) (${describeNetworkError(error)}).`,
        { status: null, attempts: context.attempt },
        { cause: error },
      ),
      retryAfterMs: null,
    };
  }

  const json = text === null ? undefined : parseJson(text);
  if (status >= 200 && status < 300) {
    const parsed = tokenResponseSchema.safeParse(json);
    if (parsed.success && (parsed.data.token_type ?? 'bearer').toLowerCase() === 'bearer') {
      return { response: parsed.data };
    }
    const fields = errorFields(json, context.secrets);
    if (fields.error !== null) throwRejected(status, fields, context);
    // Name only what was wrong, never the values: the body may hold a token.
    const problem =
      text === null
        ? `larger than ${MAX_RESPONSE_BYTES} bytes`
        : json === undefined
          ? 'not JSON'
          : parsed.success
            ? 'token_type is not Bearer'
            : `invalid field(s): ${[...new Set(parsed.error.issues.map((issue) => issue.path.join('.') || '(root)'))].join(', ')}`;
    throw new OAuthTokenEndpointError(
      'OAUTH_TOKEN_RESPONSE_INVALID',
      `Snowflake's OAuth token endpoint ${context.endpoint.origin} answered the ${context.grant} grant with HTTP ${status} but no usable token response (${problem}).`,
      { status, attempts: context.attempt },
    );
  }

  const fields = errorFields(json, context.secrets);
  if (status >= 500 || status === 429) {
    return {
      error: new OAuthTokenEndpointError(
        'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE',
        `Snowflake's OAuth token endpoint ${context.endpoint.origin} kept failing for the ${context.grant} grant: HTTP ${status}${describeFields(fields)} after ${context.attempt} attempt(s).`,
        { status, ...fields, attempts: context.attempt },
      ),
      retryAfterMs,
    };
  }
  throwRejected(status, fields, context);
}

function throwRejected(status: number, fields: ErrorFields, context: AttemptContext): never {
  throw new OAuthTokenEndpointError(
    'OAUTH_TOKEN_REQUEST_REJECTED',
    `Snowflake's OAuth token endpoint ${context.endpoint.origin} rejected the ${context.grant} grant: HTTP ${status}${describeFields(fields)}.`,
    { status, ...fields, attempts: context.attempt },
  );
}

interface ErrorFields {
  error: string | null;
  serverMessage: string | null;
}

/**
 * Picks the two fields an error message may quote: `error` (only if it looks like an OAuth error code) and
 * Snowflake's `message` (or RFC 6749's `error_description`), with every known secret removed and the length capped.
 */
function errorFields(json: unknown, secrets: readonly string[]): ErrorFields {
  if (typeof json !== 'object' || json === null) return { error: null, serverMessage: null };
  const record = json as Record<string, unknown>;
  const error = typeof record.error === 'string' && /^[A-Za-z0-9_.-]{1,64}$/.test(record.error) ? record.error : null;
  const raw =
    typeof record.message === 'string'
      ? record.message
      : typeof record.error_description === 'string'
        ? record.error_description
        : null;
  let serverMessage: string | null = null;
  if (raw !== null) {
    // eslint-disable-next-line no-control-regex -- control characters are exactly what must not reach a log line
    const clean = redactText(raw, secrets).replace(/[\u0000-\u001f\u007f]+/g, ' ').trim();
    serverMessage = clean.length > MAX_QUOTED_MESSAGE_LENGTH ? `${clean.slice(0, MAX_QUOTED_MESSAGE_LENGTH)}...` : clean;
    if (serverMessage === '') serverMessage = null;
  }
  return { error, serverMessage };
}

function describeFields(fields: ErrorFields): string {
  const parts = [
    ...(fields.error === null ? [] : [`error ${fields.error}`]),
    ...(fields.serverMessage === null ? [] : [JSON.stringify(fields.serverMessage)]),
  ];
  return parts.length === 0 ? '' : ` (${parts.join(': ')})`;
}

/** Reads at most MAX_RESPONSE_BYTES; returns null (and discards the rest) when the body is larger. */
async function readBounded(body: Dispatcher.ResponseData['body']): Promise<string | null> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of body as AsyncIterable<Buffer>) {
    size += chunk.length;
    if (size > MAX_RESPONSE_BYTES) {
      body.destroy();
      return null;
    }
    chunks.push(chunk);
  }
  return Buffer.concat(chunks).toString('utf8');
}

function parseJson(text: string): unknown {
  try {
    return JSON.parse(text) as unknown;
  } catch {
    return undefined;
  }
}

function parseRetryAfter(value: string | string[] | undefined, nowMs: number): number | null {
  const text = Array.isArray(value) ? value[0] : value;
  if (text === undefined || text.trim() === '') return null;
  if (/^\d+$/.test(text.trim())) return Number(text.trim()) * 1000;
  const date = Date.parse(text);
  return Number.isNaN(date) ? null : Math.max(0, date - nowMs);
}

function describeNetworkError(error: unknown): string {
  if (error instanceof Error) {
    const code = (error as { code?: unknown }).code;
    return typeof code === 'string' ? code : error.name;
  }
  return 'unknown error';
}

/** application/x-www-form-urlencoded encoding of one value, as RFC 6749 section 2.3.1 asks for Basic credentials. */
function formEncode(value: string): string {
  return new URLSearchParams([['', value]]).toString().slice(1);
}

function reveal(value: Secret | string): string {
  return typeof value === 'string' ? value : value.reveal();
}
