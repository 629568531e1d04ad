// The risk score gauges. Values are computed at scrape time from the bounded in-memory table (decay depends on
// "now"), and only the top N users of each account get a `user` series, so cardinality stays bounded however many
// users an account has. Computing on scrape reads memory only; it never touches Snowflake.
import { Gauge, type Registry } from 'prom-client';
import type { Finding } from '../../collect/events.ts';
import { RiskScoreTable, type RiskScoreOptions, type UserRiskScore } from '../../detect/risk-score.ts';
import type { Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';

export interface AccountRiskSettings {
  readonly halfLifeSeconds: number;
  readonly topUsers: number;
  readonly maxTrackedUsers: number;
}

export class RiskMetrics {
  readonly #vocab: Vocabularies;
  readonly #tables = new Map<string, { readonly table: RiskScoreTable; readonly topUsers: number }>();

  constructor(
    registry: Registry,
    vocab: Vocabularies,
    settings: (account: string) => AccountRiskSettings,
    now?: RiskScoreOptions['now'],
  ) {
    this.#vocab = vocab;
    for (const account of vocab.account.values) {
      const chosen = settings(account);
      this.#tables.set(account, {
        table: new RiskScoreTable({ halfLifeSeconds: chosen.halfLifeSeconds, maxUsersPerAccount: chosen.maxTrackedUsers, now }),
        topUsers: chosen.topUsers,
      });
    }
    const tables = this.#tables;
    new Gauge({
      name: `${NAMESPACE}user_risk_score`,
      help: 'Risk score of the top-N riskiest users: sum of finding severity weights (critical 40, high 15, medium 5, low 1) halved every half-life.',
      labelNames: ['account', 'user'],
      registers: [registry],
      collect() {
        this.reset();
        for (const [account, { table, topUsers }] of tables) {
          for (const { user, score } of table.topUsers(account, topUsers)) this.set({ account, user }, score);
        }
      },
    });
    new Gauge({
      name: `${NAMESPACE}account_risk_score`,
      help: "Risk score of the account: the same decayed sum over all of the account's findings.",
      labelNames: ['account'],
      registers: [registry],
      collect() {
        for (const [account, { table }] of tables) this.set({ account }, table.accountScore(account));
      },
    });
    new Gauge({
      name: `${NAMESPACE}risk_score_tracked_users`,
      help: 'Users whose risk score is held in memory (bounded; the lowest score is evicted beyond the limit).',
      labelNames: ['account'],
      registers: [registry],
      collect() {
        for (const [account, { table }] of tables) this.set({ account }, table.trackedUsers(account));
      },
    });
  }

  add(finding: Finding): void {
    const account = this.#vocab.account.label(finding.account);
    this.#tables.get(account)?.table.add({ ...finding, account });
  }

  /** The account's riskScore.topUsers riskiest users now, highest first: the users who get per-user series. */
  topUsers(account: string): UserRiskScore[] {
    const entry = this.#tables.get(account);
    return entry === undefined ? [] : entry.table.topUsers(account, entry.topUsers);
  }

  table(account: string): RiskScoreTable | undefined {
    return this.#tables.get(account)?.table;
  }
}
