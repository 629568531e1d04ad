// The daily credit budget of one account. Spend is the cost model's estimate, summed per UTC day and kept in the
// state store, so a restart (or a crash loop) cannot reset today's spend and run past the budget.
//
// When today's spend reaches the budget, only critical work keeps running:
// - sources that need no warehouse (SHOW commands, metadata): they cost nothing, so deferring them saves nothing;
// - sources that declare themselves `critical`. The recommended set is the posture snapshots that feed the critical
//   detections (users: MFA and password state; grants: admin role holders; shares: data leaving the account) and
//   the account parameters that guard exfiltration. The event streams (query, login, access history) are the
//   expensive scans and are deferred: their watermarks do not move, so tomorrow's first cycle reads what was
//   deferred (within the view's one-year retention) and nothing is lost.
import type { StateStore } from '../state/store.ts';
import type { Source } from './source.ts';

/** Key/value namespace in the state store; the key is the account name. */
export const BUDGET_NAMESPACE = 'credit-budget';

export interface BudgetState {
  /** UTC day, YYYY-MM-DD. */
  readonly day: string;
  readonly creditsToday: number;
  readonly budget: number | undefined;
  readonly exhausted: boolean;
}

/** Whether a source keeps running once the budget is reached. */
export function runsOverBudget(source: Pick<Source, 'critical' | 'needsWarehouse'>): boolean {
  return source.critical || !source.needsWarehouse;
}

export function utcDay(at: Date): string {
  return at.toISOString().slice(0, 10);
}

interface StoredSpend {
  readonly day: string;
  readonly credits: number;
}

export class DailyCreditBudget {
  readonly #account: string;
  readonly #daily: number | undefined;
  readonly #store: StateStore;
  #spend: StoredSpend | undefined;

  constructor(options: { readonly account: string; readonly daily: number | undefined; readonly store: StateStore }) {
    this.#account = options.account;
    this.#daily = options.daily;
    this.#store = options.store;
  }

  get daily(): number | undefined {
    return this.#daily;
  }

  state(now: Date): BudgetState {
    const creditsToday = this.#today(now).credits;
    return {
      day: utcDay(now),
      creditsToday,
      budget: this.#daily,
      exhausted: this.#daily !== undefined && creditsToday >= this.#daily,
    };
  }

  /** True when `source` may run now: no budget, budget left, or a source that runs over budget anyway. */
  allows(source: Pick<Source, 'critical' | 'needsWarehouse'>, now: Date): boolean {
    return !this.state(now).exhausted || runsOverBudget(source);
  }

  /** Adds a cycle's estimated credits to the day it ran on, and persists the new total. */
  add(credits: number, now: Date): BudgetState {
    if (!(credits > 0)) return this.state(now);
    const today = this.#today(now);
    this.#spend = { day: today.day, credits: today.credits + credits };
    this.#store.setValue(BUDGET_NAMESPACE, this.#account, JSON.stringify(this.#spend));
    return this.state(now);
  }

  #today(now: Date): StoredSpend {
    const day = utcDay(now);
    this.#spend ??= this.#load();
    if (this.#spend === undefined || this.#spend.day !== day) this.#spend = { day, credits: 0 };
    return this.#spend;
  }

  #load(): StoredSpend | undefined {
    const raw = this.#store.getValue(BUDGET_NAMESPACE, this.#account);
    if (raw === undefined) return undefined;
    try {
      const parsed = JSON.parse(raw) as unknown;
      if (typeof parsed !== 'object' || parsed === null) return undefined;
      const { day, credits } = parsed as { day?: unknown; credits?: unknown };
      if (typeof day !== 'string' || typeof credits !== 'number' || !Number.isFinite(credits) || credits < 0) return undefined;
      return { day, credits };
    } catch {
      // A damaged row must not stop collection: start the day's count again (the estimate errs towards running).
      return undefined;
    }
  }
}
