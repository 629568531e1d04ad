// The per-user risk score: every finding adds its severity's weight, and that contribution halves every half-life.
//
//   score(user, t) = Σ_findings weight(severity) × 2^(−(t − finding.time) / halfLife)
//
// A finding in the future of t (clock skew) counts with age 0. Each user's score is kept as one number and the time
// it was last rebased, so adding a finding and reading a score are O(1) and memory is one entry per tracked user.
// The table is bounded: at most `maxUsersPerAccount` users per account; when a new user would exceed it, the user
// with the lowest current score is evicted (their contribution stays in the account score). The account score is
// the same decayed sum over ALL of the account's findings (with or without a user, evicted or not), so it never
// depends on the bound.
import type { Finding, Severity } from '../collect/events.ts';

/**
 * Weights, roughly ×3 per severity step: one critical finding (40) outweighs two high ones, and it takes 40 low
 * findings to match one critical, so noisy low-severity rules cannot bury a real incident. Info findings are
 * context only and never raise a score.
 */
export const SEVERITY_WEIGHTS: Readonly<Record<Severity, number>> = { critical: 40, high: 15, medium: 5, low: 1, info: 0 };

export const DEFAULT_HALF_LIFE_SECONDS = 7 * 86_400;
export const DEFAULT_TOP_USERS = 20;
export const DEFAULT_MAX_TRACKED_USERS = 1000;

export interface RiskScoreOptions {
  readonly halfLifeSeconds?: number | undefined;
  readonly maxUsersPerAccount?: number | undefined;
  readonly weights?: Readonly<Record<Severity, number>> | undefined;
  readonly now?: (() => Date) | undefined;
}

interface DecayingSum {
  /** The score as of `at`. */
  value: number;
  /** Milliseconds since the epoch. */
  at: number;
}

interface AccountScores {
  readonly total: DecayingSum;
  readonly users: Map<string, DecayingSum>;
}

export interface UserRiskScore {
  readonly user: string;
  readonly score: number;
}

export class RiskScoreTable {
  readonly #halfLifeMs: number;
  readonly #maxUsers: number;
  readonly #weights: Readonly<Record<Severity, number>>;
  readonly #now: () => Date;
  readonly #accounts = new Map<string, AccountScores>();
  #evictions = 0;

  constructor(options: RiskScoreOptions = {}) {
    const halfLife = options.halfLifeSeconds ?? DEFAULT_HALF_LIFE_SECONDS;
    if (!Number.isFinite(halfLife) || halfLife <= 0) throw new RangeError('halfLifeSeconds must be a positive number');
    const maxUsers = options.maxUsersPerAccount ?? DEFAULT_MAX_TRACKED_USERS;
    if (!Number.isSafeInteger(maxUsers) || maxUsers < 1) throw new RangeError('maxUsersPerAccount must be an integer >= 1');
    this.#halfLifeMs = halfLife * 1000;
    this.#maxUsers = maxUsers;
    this.#weights = options.weights ?? SEVERITY_WEIGHTS;
    this.#now = options.now ?? (() => new Date());
  }

  /** Users evicted since start because an account's table was full. */
  get evictions(): number {
    return this.#evictions;
  }

  add(finding: Pick<Finding, 'account' | 'user' | 'severity' | 'time'>): void {
    const weight = this.#weights[finding.severity];
    if (!(weight > 0)) return;
    const nowMs = this.#now().getTime();
    const time = Math.min(finding.time.getTime(), nowMs);
    if (!Number.isFinite(time)) return;
    const account = this.#account(finding.account, time);
    this.#addTo(account.total, weight, time);
    if (finding.user === null || finding.user === '') return;
    let entry = account.users.get(finding.user);
    if (entry === undefined) {
      entry = { value: 0, at: time };
      account.users.set(finding.user, entry);
    }
    this.#addTo(entry, weight, time);
    // The newcomer competes too: when its score is the lowest, it is the one left out.
    if (account.users.size > this.#maxUsers) this.#evictLowest(account.users, nowMs);
  }

  /** The account's score now (0 for an account without findings). */
  accountScore(account: string): number {
    const scores = this.#accounts.get(account);
    return scores === undefined ? 0 : this.#valueAt(scores.total, this.#now().getTime());
  }

  userScore(account: string, user: string): number {
    const entry = this.#accounts.get(account)?.users.get(user);
    return entry === undefined ? 0 : this.#valueAt(entry, this.#now().getTime());
  }

  /** The `limit` highest scores now, highest first (ties by user name); users whose score decayed to 0 are left out. */
  topUsers(account: string, limit: number): UserRiskScore[] {
    const scores = this.#accounts.get(account);
    if (scores === undefined || limit <= 0) return [];
    const nowMs = this.#now().getTime();
    return [...scores.users]
      .map(([user, entry]) => ({ user, score: this.#valueAt(entry, nowMs) }))
      .filter((entry) => entry.score > 0)
      .sort((a, b) => b.score - a.score || (a.user < b.user ? -1 : a.user > b.user ? 1 : 0))
      .slice(0, limit);
  }

  trackedUsers(account: string): number {
    return this.#accounts.get(account)?.users.size ?? 0;
  }

  accounts(): string[] {
    return [...this.#accounts.keys()];
  }

  #account(name: string, time: number): AccountScores {
    let scores = this.#accounts.get(name);
    if (scores === undefined) {
      scores = { total: { value: 0, at: time }, users: new Map() };
      this.#accounts.set(name, scores);
    }
    return scores;
  }

  #decay(ms: number): number {
    return 2 ** (-ms / this.#halfLifeMs);
  }

  #valueAt(sum: DecayingSum, nowMs: number): number {
    return nowMs <= sum.at ? sum.value : sum.value * this.#decay(nowMs - sum.at);
  }

  /** Adds `weight` happening at `time`; rebases to the newer time so values only ever shrink between updates. */
  #addTo(sum: DecayingSum, weight: number, time: number): void {
    if (time >= sum.at) {
      sum.value = sum.value * this.#decay(time - sum.at) + weight;
      sum.at = time;
    } else {
      sum.value += weight * this.#decay(sum.at - time);
    }
  }

  #evictLowest(users: Map<string, DecayingSum>, nowMs: number): void {
    let lowestUser: string | undefined;
    let lowest = Number.POSITIVE_INFINITY;
    for (const [user, entry] of users) {
      const value = this.#valueAt(entry, nowMs);
      if (value < lowest) {
        lowest = value;
        lowestUser = user;
      }
    }
    if (lowestUser !== undefined) {
      users.delete(lowestUser);
      this.#evictions++;
    }
  }
}
