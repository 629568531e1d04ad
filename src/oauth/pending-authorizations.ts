// The sign-ins this process has started and not finished: per random `state`, the account, the PKCE verifier and
// the redirect URI the code must be redeemed with. A state is single use: the callback consumes it, and consumed
// states are remembered a while longer so a replayed callback URL is recognised as such (and refused) rather than
// reported as unknown. Everything is in memory and bounded: a restart only means starting the sign-in again.
import { randomBytes } from 'node:crypto';
import { createPkcePair } from '../snowflake/auth/index.ts';

/** How long a person has between /oauth/start and the callback: sign-in, MFA and consent. */
export const DEFAULT_SIGN_IN_TTL_MS = 10 * 60_000;
/** Consumed states are kept this long past their expiry, to name a replay as one. */
const USED_RETENTION_MS = 60 * 60_000;

export interface PendingAuthorization {
  readonly account: string;
  readonly state: string;
  readonly codeVerifier: string;
  readonly redirectUri: string;
  readonly expiresAt: number;
}

export type StateLookup =
  | { readonly status: 'pending'; readonly pending: PendingAuthorization }
  | { readonly status: 'used'; readonly account: string }
  | { readonly status: 'expired'; readonly account: string }
  | { readonly status: 'unknown' };

export interface PendingAuthorizationsOptions {
  readonly ttlMs?: number;
  /** Sign-ins kept at once; the oldest is dropped beyond it (default 1000). */
  readonly maxPending?: number;
  /** Consumed states remembered at once (default 10,000). */
  readonly maxUsed?: number;
  readonly now?: () => number;
}

export class PendingAuthorizations {
  readonly #pending = new Map<string, PendingAuthorization>();
  readonly #used = new Map<string, { readonly account: string; readonly forgetAt: number }>();
  readonly #ttlMs: number;
  readonly #maxPending: number;
  readonly #maxUsed: number;
  readonly #now: () => number;

  constructor(options: PendingAuthorizationsOptions = {}) {
    this.#ttlMs = options.ttlMs ?? DEFAULT_SIGN_IN_TTL_MS;
    this.#maxPending = options.maxPending ?? 1000;
    this.#maxUsed = options.maxUsed ?? 10_000;
    this.#now = options.now ?? Date.now;
  }

  get ttlMs(): number {
    return this.#ttlMs;
  }

  /** A new sign-in for `account`: its state (256 random bits) and PKCE pair. */
  begin(account: string, redirectUri: string): PendingAuthorization & { readonly codeChallenge: string } {
    this.#sweep();
    const state = randomBytes(32).toString('base64url');
    const pkce = createPkcePair();
    const pending: PendingAuthorization = {
      account,
      state,
      codeVerifier: pkce.verifier,
      redirectUri,
      expiresAt: this.#now() + this.#ttlMs,
    };
    this.#pending.set(state, pending);
    return { ...pending, codeChallenge: pkce.challenge };
  }

  /** What `state` is, without consuming it. */
  lookup(state: string): StateLookup {
    const pending = this.#pending.get(state);
    if (pending !== undefined) {
      if (this.#now() < pending.expiresAt) return { status: 'pending', pending };
      this.#retire(pending);
      return { status: 'expired', account: pending.account };
    }
    const used = this.#used.get(state);
    if (used !== undefined) return { status: 'used', account: used.account };
    return { status: 'unknown' };
  }

  /** Takes the pending sign-in out (single use); undefined when it is not pending (anymore). */
  consume(state: string): PendingAuthorization | undefined {
    const lookup = this.lookup(state);
    if (lookup.status !== 'pending') return undefined;
    this.#retire(lookup.pending);
    return lookup.pending;
  }

  #retire(pending: PendingAuthorization): void {
    this.#pending.delete(pending.state);
    this.#used.set(pending.state, { account: pending.account, forgetAt: pending.expiresAt + USED_RETENTION_MS });
    while (this.#used.size > this.#maxUsed) {
      const oldest = this.#used.keys().next();
      if (oldest.done === true) break;
      this.#used.delete(oldest.value);
    }
  }

  #sweep(): void {
    const now = this.#now();
    for (const pending of this.#pending.values()) if (pending.expiresAt <= now) this.#retire(pending);
    for (const [state, used] of this.#used) if (used.forgetAt <= now) this.#used.delete(state);
    while (this.#pending.size >= this.#maxPending) {
      const oldest = this.#pending.values().next();
      if (oldest.done === true) break;
      this.#pending.delete(oldest.value.state);
    }
  }
}
