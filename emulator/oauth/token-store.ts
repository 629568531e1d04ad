// OAuth access and refresh tokens this emulator issued. Tokens are opaque strings shaped like Snowflake's
// (`ver:1-hint:...`), stored only as digests. A refresh-token family groups the tokens issued from one authorization
// code, so that reuse of a single-use refresh token (or of the code itself) can revoke everything it led to.
import { randomBytes, randomInt } from 'node:crypto';
import { digestKey } from '../auth/digest.ts';

export interface TokenGrant {
  user: string;
  role: string;
  clientId: string;
  /** Granted scope text, e.g. `refresh_token session:role:ANALYST`. */
  scope: string;
  familyId: string;
}

export interface AccessTokenRecord extends TokenGrant {
  kind: 'access';
  expiresAt: number;
  revoked: boolean;
}

export interface RefreshTokenRecord extends TokenGrant {
  kind: 'refresh';
  expiresAt: number;
  revoked: boolean;
  singleUse: boolean;
  used: boolean;
}

export interface TokenFilter {
  kind?: 'access' | 'refresh' | 'all';
  user?: string;
  clientId?: string;
}

function opaqueToken(version: number): string {
  return `ver:${version}-hint:${randomInt(1_000_000, 9_999_999)}-ETMsDgAAA${randomBytes(36).toString('base64url')}`;
}

export function newFamilyId(): string {
  return randomBytes(12).toString('hex');
}

export class OAuthTokenStore {
  readonly #tokens = new Map<string, AccessTokenRecord | RefreshTokenRecord>();
  readonly #now: () => number;

  constructor(now: () => number) {
    this.#now = now;
  }

  issueAccess(grant: TokenGrant, ttlSeconds: number): string {
    this.#sweep();
    const token = opaqueToken(1);
    this.#tokens.set(digestKey(token), { kind: 'access', ...grant, expiresAt: this.#now() + ttlSeconds * 1000, revoked: false });
    return token;
  }

  issueRefresh(grant: TokenGrant, expiresAt: number, singleUse: boolean): string {
    const token = opaqueToken(2);
    this.#tokens.set(digestKey(token), { kind: 'refresh', ...grant, expiresAt, revoked: false, singleUse, used: false });
    return token;
  }

  /** A valid (known, unexpired, unrevoked) access token's grant, or undefined. */
  validAccess(token: string): AccessTokenRecord | undefined {
    const record = this.#tokens.get(digestKey(token));
    if (record?.kind !== 'access' || record.revoked || record.expiresAt <= this.#now()) return undefined;
    return record;
  }

  /** The refresh token's record whatever its state; the caller decides what is wrong with it. */
  refreshRecord(token: string): RefreshTokenRecord | undefined {
    const record = this.#tokens.get(digestKey(token));
    return record?.kind === 'refresh' ? record : undefined;
  }

  isExpired(record: { expiresAt: number }): boolean {
    return record.expiresAt <= this.#now();
  }

  revokeFamily(familyId: string): void {
    for (const record of this.#tokens.values()) if (record.familyId === familyId) record.revoked = true;
  }

  revoke(filter: TokenFilter): number {
    return this.#apply(filter, (record) => {
      record.revoked = true;
    });
  }

  /** Makes matching tokens expire now (admin endpoint), to test refresh and re-consent paths. */
  expire(filter: TokenFilter): number {
    const past = this.#now() - 1;
    return this.#apply(filter, (record) => {
      record.expiresAt = past;
    });
  }

  counts(): { access: number; refresh: number } {
    let access = 0;
    let refresh = 0;
    for (const record of this.#tokens.values()) {
      if (record.kind === 'access') access += 1;
      else refresh += 1;
    }
    return { access, refresh };
  }

  #apply(filter: TokenFilter, change: (record: AccessTokenRecord | RefreshTokenRecord) => void): number {
    let count = 0;
    for (const record of this.#tokens.values()) {
      if (filter.kind !== undefined && filter.kind !== 'all' && record.kind !== filter.kind) continue;
      if (filter.user !== undefined && record.user !== filter.user.toUpperCase()) continue;
      if (filter.clientId !== undefined && record.clientId !== filter.clientId) continue;
      change(record);
      count += 1;
    }
    return count;
  }

  /** Forgets tokens that expired more than a day ago, so the map stays bounded under a long run. */
  #sweep(): void {
    const horizon = this.#now() - 86_400_000;
    for (const [key, record] of this.#tokens) if (record.expiresAt < horizon) this.#tokens.delete(key);
  }
}
