// Per-user activity of one account (findings by severity, logins by outcome and factors, result bytes, unloads),
// kept in memory so the per-user gauges can show it for the users who are in the risk score's top N. Only those
// users are exposed, but a user's earlier activity must already be here when they enter the top N, so the table
// keeps two bounded groups:
//
//   - scored: users the risk-score table holds (they have findings). Kept as long as the risk-score table keeps
//     them, since any of them can reach the top N. The risk-score table holds at most `capacity` users; users it
//     has evicted are swept out as soon as this group grows past 2 × capacity, so it stays within that.
//   - recent: everyone else (no scored finding yet), the `capacity` most recently active users, least recently
//     active evicted first. A user whose first finding arrives while still here carries their earlier logins and
//     bytes into the scored group.
//
// At most 3 × capacity users per account whatever the account size. A user evicted from either group loses what
// was counted so far and starts again from 0 if seen later: a limit of the bound, documented in the README.
/** The label values of one login, from the same vocabularies as `snowflake_risk_logins_total`. */
export interface LoginLabels {
  readonly outcome: string;
  readonly first_factor: string;
  readonly second_factor: string;
}

export interface UserActivity {
  /** Findings by severity label (critical, high, medium, low, info). */
  readonly findings: Map<string, number>;
  /** Logins by their label values (key: the three values joined). */
  readonly logins: Map<string, { readonly labels: LoginLabels; count: number }>;
  /** Sum of BYTES_WRITTEN_TO_RESULT of the user's query events. */
  resultBytes: number;
  /** Successful unloads to a stage or an external location. */
  unloads: number;
}

export interface UserActivityTableOptions {
  /** Users of each group kept at most (the account's `riskScore.maxTrackedUsers`). */
  readonly capacity: number;
  /** Whether the risk-score table holds the user right now. */
  readonly isScored: (user: string) => boolean;
  /** Told each time a user's activity is forgotten (to count it in a metric). Must not throw. */
  readonly onEvict?: (() => void) | undefined;
}

function emptyActivity(): UserActivity {
  return { findings: new Map(), logins: new Map(), resultBytes: 0, unloads: 0 };
}

export class UserActivityTable {
  readonly #capacity: number;
  readonly #isScored: (user: string) => boolean;
  readonly #onEvict: () => void;
  readonly #scored = new Map<string, UserActivity>();
  /** Insertion order is recency order: a touched user is deleted and set again, so the first key is the oldest. */
  readonly #recent = new Map<string, UserActivity>();
  #evictions = 0;

  constructor(options: UserActivityTableOptions) {
    if (!Number.isSafeInteger(options.capacity) || options.capacity < 1) throw new RangeError('capacity must be an integer >= 1');
    this.#capacity = options.capacity;
    this.#isScored = options.isScored;
    this.#onEvict = options.onEvict ?? (() => {});
  }

  recordLogin(user: string, labels: LoginLabels): void {
    const activity = this.#touch(user);
    const key = `${labels.outcome}\u0000${labels.first_factor}\u0000${labels.second_factor}`;
    const entry = activity.logins.get(key);
    if (entry === undefined) activity.logins.set(key, { labels, count: 1 });
    else entry.count++;
  }

  recordQuery(user: string, resultBytes: number, unloaded: boolean): void {
    const activity = this.#touch(user);
    if (Number.isFinite(resultBytes) && resultBytes > 0) activity.resultBytes += resultBytes;
    if (unloaded) activity.unloads++;
  }

  /** Call after the finding went into the risk-score table, so a user it now holds moves to the scored group. */
  recordFinding(user: string, severity: string): void {
    const activity = this.#touch(user);
    activity.findings.set(severity, (activity.findings.get(severity) ?? 0) + 1);
    if (this.#recent.has(user) && this.#isScored(user)) {
      this.#recent.delete(user);
      this.#scored.set(user, activity);
      if (this.#scored.size > 2 * this.#capacity) this.#sweepScored();
    }
  }

  /** The user's activity, without changing its recency (reading for a scrape is not activity). */
  get(user: string): UserActivity | undefined {
    return this.#scored.get(user) ?? this.#recent.get(user);
  }

  /** Users whose activity is held now (both groups). */
  get size(): number {
    return this.#scored.size + this.#recent.size;
  }

  /** Users forgotten since start because a group was full or the risk-score table evicted them. */
  get evictions(): number {
    return this.#evictions;
  }

  #evicted(): void {
    this.#evictions++;
    this.#onEvict();
  }

  #touch(user: string): UserActivity {
    const scored = this.#scored.get(user);
    if (scored !== undefined) return scored;
    let activity = this.#recent.get(user);
    if (activity === undefined) {
      activity = emptyActivity();
    } else {
      this.#recent.delete(user);
    }
    this.#recent.set(user, activity);
    if (this.#recent.size > this.#capacity) {
      const oldest = this.#recent.keys().next();
      if (!oldest.done) {
        this.#recent.delete(oldest.value);
        this.#evicted();
      }
    }
    return activity;
  }

  /**
   * Drops the users the risk-score table no longer holds. It holds at most `capacity` users, so after a sweep this
   * group has at most `capacity` entries and the next sweep is at least `capacity` promotions away: O(1) amortised.
   */
  #sweepScored(): void {
    for (const user of this.#scored.keys()) {
      if (!this.#isScored(user)) {
        this.#scored.delete(user);
        this.#evicted();
      }
    }
  }
}
