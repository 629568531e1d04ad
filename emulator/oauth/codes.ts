// Authorization codes: single-use, short-lived, and bound to the client, the redirect URI and the PKCE challenge
// they were issued for. Kept as digests; a second use of a code revokes the tokens the first use produced.
import { randomBytes } from 'node:crypto';
import { digestKey } from '../auth/digest.ts';

export interface CodeGrant {
  clientId: string;
  redirectUri: string;
  codeChallenge: string | undefined;
  user: string;
  role: string;
  offlineAccess: boolean;
  familyId: string;
}

interface CodeRecord extends CodeGrant {
  expiresAt: number;
  used: boolean;
}

export type CodeRedemption = { ok: true; grant: CodeGrant } | { ok: false; reason: 'unknown' | 'expired' | 'reused'; familyId?: string };

const MAX_CODES = 10_000;

export class AuthorizationCodes {
  readonly #codes = new Map<string, CodeRecord>();
  readonly #now: () => number;
  readonly #ttlMs: number;

  constructor(now: () => number, ttlSeconds: number) {
    this.#now = now;
    this.#ttlMs = ttlSeconds * 1000;
  }

  issue(grant: CodeGrant): string {
    this.#sweep();
    const code = randomBytes(24).toString('hex').toUpperCase();
    this.#codes.set(digestKey(code), { ...grant, expiresAt: this.#now() + this.#ttlMs, used: false });
    return code;
  }

  redeem(code: string): CodeRedemption {
    const record = this.#codes.get(digestKey(code));
    if (record === undefined) return { ok: false, reason: 'unknown' };
    if (record.used) return { ok: false, reason: 'reused', familyId: record.familyId };
    record.used = true;
    if (record.expiresAt <= this.#now()) return { ok: false, reason: 'expired' };
    return { ok: true, grant: record };
  }

  #sweep(): void {
    const now = this.#now();
    for (const [key, record] of this.#codes) {
      // Used codes are kept until well past expiry, so a late replay is still recognised as reuse.
      if (record.expiresAt + 3_600_000 < now) this.#codes.delete(key);
    }
    if (this.#codes.size >= MAX_CODES) {
      const oldest = this.#codes.keys().next();
      if (oldest.done !== true) this.#codes.delete(oldest.value);
    }
  }
}
