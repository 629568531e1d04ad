// Key-pair authentication: the exporter signs its own short-lived RS256 JWT with the user's RSA private key, so it
// needs no shared secret with Snowflake and no human to renew anything. One JWT is reused until shortly before it
// expires, because signing costs CPU and every SQL API request needs a token.
import type { KeyObject } from 'node:crypto';
import type { Secret } from '../../util/secret.ts';
import { IdentifierError, resolveIdentifier } from '../identifier.ts';
import { AuthError } from './errors.ts';
import { loadRsaPrivateKey, publicKeyFingerprint } from './private-key.ts';
import type { BearerToken, TokenSource } from './token-source.ts';

/** Snowflake ignores any lifetime beyond one hour, so asking for more would only hide a misconfiguration. */
export const MAX_JWT_LIFETIME_SECONDS = 3600;
/** 59 minutes: the longest Snowflake honours, minus a minute of clock skew between us and Snowflake. */
export const DEFAULT_JWT_LIFETIME_SECONDS = 3540;
export const DEFAULT_JWT_RENEW_BEFORE_SECONDS = 300;

export interface KeyPairTokenSourceOptions {
  /** The account part of the JWT, already normalised (e.g. MYORG-MYACCOUNT or a bare locator). Upper-cased here. */
  jwtAccount: string;
  /**
   * The Snowflake user the public key is assigned to, as an identifier (`risk_svc`, `"Risk.Svc"`): resolved as
   * Snowflake resolves identifiers, then upper-cased, because the JWT's user must be all upper case
   * (https://docs.snowflake.com/en/developer-guide/sql-api/authenticating).
   */
  user: string;
  privateKeyPem: Secret;
  /** Needed when the key is an encrypted PKCS#8 (`BEGIN ENCRYPTED PRIVATE KEY`) or encrypted PKCS#1 PEM. */
  passphrase?: Secret;
  /** JWT lifetime; default 3540, at most 3600. */
  lifetimeSeconds?: number;
  /** Sign a new JWT this long before the cached one expires; default 300. */
  renewBeforeSeconds?: number;
  /** Clock in milliseconds since the epoch; injectable for tests. */
  now?: () => number;
}

interface CachedJwt {
  readonly bearer: BearerToken;
  /** When to stop handing this JWT out, in ms. */
  readonly renewAtMs: number;
}

export class KeyPairTokenSource implements TokenSource {
  readonly method = 'keypair' as const;
  /** `ACCOUNT.USER`, the JWT subject. */
  readonly subject: string;
  /** `SHA256:...`, the value DESC USER shows as RSA_PUBLIC_KEY_FP; safe to log. */
  readonly fingerprint: string;

  readonly #privateKey: KeyObject;
  readonly #issuer: string;
  readonly #lifetimeSeconds: number;
  readonly #renewBeforeSeconds: number;
  readonly #now: () => number;
  #cached: CachedJwt | null = null;
  /** The last JWT Snowflake answered 401 to; never handed out again. */
  #rejected: string | null = null;
  #signing: Promise<CachedJwt> | null = null;

  constructor(options: KeyPairTokenSourceOptions) {
    const account = requireIdentifier(options.jwtAccount, 'jwtAccount').toUpperCase();
    if (account.includes('.')) {
      throw new AuthError(
        'AUTH_INVALID_OPTIONS',
        `jwtAccount "${account}" contains a dot: give the normalised JWT account (dots replaced by hyphens, region dropped).`,
      );
    }
    const user = userName(requireIdentifier(options.user, 'user')).toUpperCase();
    this.#lifetimeSeconds = options.lifetimeSeconds ?? DEFAULT_JWT_LIFETIME_SECONDS;
    this.#renewBeforeSeconds = options.renewBeforeSeconds ?? DEFAULT_JWT_RENEW_BEFORE_SECONDS;
    if (!Number.isInteger(this.#lifetimeSeconds) || this.#lifetimeSeconds < 60 || this.#lifetimeSeconds > MAX_JWT_LIFETIME_SECONDS) {
      throw new AuthError(
        'AUTH_INVALID_OPTIONS',
        `lifetimeSeconds must be an integer from 60 to ${MAX_JWT_LIFETIME_SECONDS} (Snowflake rejects JWTs valid for more than one hour); got ${this.#lifetimeSeconds}.`,
      );
    }
    if (
      !Number.isInteger(this.#renewBeforeSeconds) ||
      this.#renewBeforeSeconds < 0 ||
      this.#renewBeforeSeconds >= this.#lifetimeSeconds
    ) {
      throw new AuthError(
        'AUTH_INVALID_OPTIONS',
        `renewBeforeSeconds must be an integer from 0 to less than lifetimeSeconds (${this.#lifetimeSeconds}); got ${this.#renewBeforeSeconds}.`,
      );
    }
    this.#now = options.now ?? Date.now;

    // Parse once at construction so a bad key fails at start-up, not on the first collection cycle.
    const { privateKey, publicKey } = loadRsaPrivateKey(options.privateKeyPem, options.passphrase);
    this.#privateKey = privateKey;
    this.fingerprint = publicKeyFingerprint(publicKey);
    this.subject = `${account}.${user}`;
    this.#issuer = `${this.subject}.${this.fingerprint}`;
  }

  async getToken(signal?: AbortSignal): Promise<BearerToken> {
    signal?.throwIfAborted();
    const cached = this.#cached;
    if (cached && this.#now() < cached.renewAtMs) return cached.bearer;
    // Concurrent callers share one signing operation.
    this.#signing ??= this.#sign().finally(() => {
      this.#signing = null;
    });
    return (await this.#signing).bearer;
  }

  invalidate(rejected: BearerToken): void {
    if (this.#cached?.bearer.token === rejected.token) {
      this.#cached = null;
      this.#rejected = rejected.token;
    }
  }

  async #sign(): Promise<CachedJwt> {
    let issuedAt = Math.floor(this.#now() / 1000);
    let token = await this.#signClaims(issuedAt);
    if (token === this.#rejected) {
      // RS256 is deterministic: re-signing within the same second as a rejected JWT gives the same bytes. Back-dating
      // iat by one second makes a distinct token and, if the rejection came from clock skew, can only help.
      issuedAt -= 1;
      token = await this.#signClaims(issuedAt);
    }
    const expiresAt = issuedAt + this.#lifetimeSeconds;
    const cached: CachedJwt = {
      bearer: { token, type: 'KEYPAIR_JWT' },
      renewAtMs: (expiresAt - this.#renewBeforeSeconds) * 1000,
    };
    this.#cached = cached;
    return cached;
  }

  async #signClaims(issuedAt: number): Promise<string> {
    // Loaded on first use: deployments that sign in with OAuth or a token never hold jose in memory (about 1 MB).
    const { SignJWT } = await import('jose');
    return new SignJWT({})
      .setProtectedHeader({ alg: 'RS256', typ: 'JWT' })
      .setIssuer(this.#issuer)
      .setSubject(this.subject)
      .setIssuedAt(issuedAt)
      .setExpirationTime(issuedAt + this.#lifetimeSeconds)
      .sign(this.#privateKey);
  }
}

function userName(text: string): string {
  try {
    return resolveIdentifier(text, 'user');
  } catch (error) {
    if (!(error instanceof IdentifierError)) throw error;
    throw new AuthError('AUTH_INVALID_OPTIONS', `${error.message}.`);
  }
}

function requireIdentifier(value: string, name: string): string {
  const trimmed = typeof value === 'string' ? value.trim() : '';
  if (trimmed === '') throw new AuthError('AUTH_INVALID_OPTIONS', `${name} must not be empty.`);
  return trimmed;
}
