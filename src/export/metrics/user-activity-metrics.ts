// Per-user activity gauges for the user drill-down dashboard: the findings, logins (by outcome and factors) and data
// volume of each user in the risk score's top N of their account. Like the risk score, the values are set at scrape
// time from memory, and only the current top-N users get series: a user who leaves the top N loses their series at
// the next scrape. So the `user` label stays bounded (riskScore.topUsers × a fixed label set per account) whatever the
// account size. The activity behind them is kept in a bounded table per account (see user-activity.ts).
import { Counter, Gauge, type Registry } from 'prom-client';
import type { Finding, SnowflakeEvent } from '../../collect/events.ts';
import { SEVERITIES, type Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';
import type { AccountRiskSettings, RiskMetrics } from './risk-metrics.ts';
import { isKnownUnload, loginLabels } from './signal-metrics.ts';
import { UserActivityTable, type UserActivity } from './user-activity.ts';

const TOP_N_ONLY = "only the account's top-N riskiest users (riskScore.topUsers) have series";
const SINCE = 'since the exporter began tracking the user (process start, unless the bounded per-user memory forgot them)';

interface AccountActivity {
  readonly table: UserActivityTable;
  /** Findings recorded so far: the top N can change only when it does (decay keeps the users' order). */
  findings: number;
  topUsers: { readonly atFindings: number; readonly users: readonly string[] } | undefined;
}

export class UserActivityMetrics {
  readonly #vocab: Vocabularies;
  readonly #risk: RiskMetrics;
  readonly #accounts = new Map<string, AccountActivity>();

  constructor(registry: Registry, vocab: Vocabularies, risk: RiskMetrics, settings: (account: string) => AccountRiskSettings) {
    this.#vocab = vocab;
    this.#risk = risk;
    const registers = [registry];
    const evictions = new Counter({
      name: `${NAMESPACE}user_activity_evictions_total`,
      help: 'Users whose per-user activity was forgotten (its bounded memory was full, or the risk-score table evicted them); their counts restart at 0 if seen again.',
      labelNames: ['account'],
      registers,
    });
    for (const account of vocab.account.values) {
      const table = new UserActivityTable({
        capacity: settings(account).maxTrackedUsers,
        isScored: (user) => (risk.table(account)?.userScore(account, user) ?? 0) > 0,
        onEvict: () => evictions.inc({ account }),
      });
      this.#accounts.set(account, { table, findings: 0, topUsers: undefined });
      evictions.inc({ account }, 0);
    }

    const each = (set: (account: string, user: string, activity: UserActivity) => void): void => {
      for (const [account, state] of this.#accounts) {
        for (const user of this.#topUsers(account, state)) {
          const activity = state.table.get(user);
          if (activity !== undefined) set(account, user, activity);
        }
      }
    };
    new Gauge({
      name: `${NAMESPACE}user_findings`,
      help: `Findings raised about the user (the finding's user) ${SINCE}, by severity; ${TOP_N_ONLY}.`,
      labelNames: ['account', 'user', 'severity'],
      registers,
      collect() {
        this.reset();
        each((account, user, activity) => {
          for (const severity of SEVERITIES) this.set({ account, user, severity }, activity.findings.get(severity) ?? 0);
          // A severity outside the fixed set (cannot happen with typed findings) still shows, as 'other'.
          const other = activity.findings.get('other');
          if (other !== undefined) this.set({ account, user, severity: 'other' }, other);
        });
      },
    });
    new Gauge({
      name: `${NAMESPACE}user_logins`,
      help: `Login attempts (LOGIN_HISTORY events) of the user ${SINCE}, by outcome and authentication factors as in ${NAMESPACE}logins_total; ${TOP_N_ONLY}.`,
      labelNames: ['account', 'user', 'outcome', 'first_factor', 'second_factor'],
      registers,
      collect() {
        this.reset();
        each((account, user, activity) => {
          for (const { labels, count } of activity.logins.values()) this.set({ account, user, ...labels }, count);
        });
      },
    });
    new Gauge({
      name: `${NAMESPACE}user_query_result_bytes`,
      help: `Sum of BYTES_WRITTEN_TO_RESULT over the user's query events ${SINCE}; ${TOP_N_ONLY}.`,
      labelNames: ['account', 'user'],
      registers,
      collect() {
        this.reset();
        each((account, user, activity) => this.set({ account, user }, activity.resultBytes));
      },
    });
    new Gauge({
      name: `${NAMESPACE}user_unloads`,
      help: `Successful unloads by the user's queries (COPY INTO @stage or an external location; destination unknown not counted) ${SINCE}; ${TOP_N_ONLY}.`,
      labelNames: ['account', 'user'],
      registers,
      collect() {
        this.reset();
        each((account, user, activity) => this.set({ account, user }, activity.unloads));
      },
    });
    const accounts = this.#accounts;
    new Gauge({
      name: `${NAMESPACE}user_activity_tracked_users`,
      help: 'Users whose per-user activity is held in memory (bounded: at most 3 times riskScore.maxTrackedUsers).',
      labelNames: ['account'],
      registers,
      collect() {
        for (const [account, state] of accounts) this.set({ account }, state.table.size);
      },
    });
  }

  /** Records one event delivered for the first time (the metrics sink has already dropped repeats). */
  event(event: SnowflakeEvent): void {
    if (event.kind !== 'login' && event.kind !== 'query') return;
    if (event.user === null || event.user === '') return;
    const table = this.#accounts.get(this.#vocab.account.label(event.account))?.table;
    if (table === undefined) return;
    if (event.kind === 'login') {
      table.recordLogin(event.user, loginLabels(event));
      return;
    }
    const unloaded = isKnownUnload(event);
    // A query with nothing to count does not take a place in the bounded memory.
    if (unloaded || (Number.isFinite(event.bytesWrittenToResult) && event.bytesWrittenToResult > 0)) {
      table.recordQuery(event.user, event.bytesWrittenToResult, unloaded);
    }
  }

  /** Records one finding delivered for the first time; call after the risk score has taken it. */
  finding(finding: Finding): void {
    if (finding.user === null || finding.user === '') return;
    const state = this.#accounts.get(this.#vocab.account.label(finding.account));
    if (state === undefined) return;
    state.table.recordFinding(finding.user, this.#vocab.severity.label(finding.severity));
    state.findings++;
  }

  /**
   * The account's top-N users, sorted once per change rather than once per gauge and scrape (an account may track
   * up to 100,000 users). Between findings only decay changes the scores, and decay scales every score by the same
   * factor, so the order stays; a score that has decayed to 0 is still left out, as the risk score gauge does.
   */
  #topUsers(account: string, state: AccountActivity): readonly string[] {
    if (state.topUsers?.atFindings !== state.findings) {
      state.topUsers = { atFindings: state.findings, users: this.#risk.topUsers(account).map(({ user }) => user) };
    }
    const table = this.#risk.table(account);
    return state.topUsers.users.filter((user) => (table?.userScore(account, user) ?? 0) > 0);
  }
}
