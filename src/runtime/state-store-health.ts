// Shows the state store's health where an operator looks, so the exporter never reports healthy while its store is
// broken (file deleted, damaged, full disk, writes refused):
// - /readyz: the state_store condition is unmet, with the kind of failure and since when;
// - snowflake_risk_up: 0 for EVERY account of this process while the store fails. One state file serves all of
//   them, so none can record what it delivers; a cycle that reached Snowflake still counts as down. Once the store
//   works again each account shows what its last cycle found;
// - the log: one error line when it starts failing (or fails differently), naming the file and what to do, and one
//   info line when it recovers.
// A check every few seconds finds a deleted or replaced file between cycles too (store.verify()).
import type { StatusBoard } from '../http/index.ts';
import { operatorAdvice, type SqliteStateStore, type StateStoreHealth } from '../state/index.ts';

export const DEFAULT_STATE_CHECK_INTERVAL_MS = 10_000;

export interface StateStoreHealthOptions {
  readonly store: SqliteStateStore;
  readonly status: Pick<StatusBoard, 'setCondition'>;
  /** Where snowflake_risk_up goes (the metrics and the status board). */
  readonly accountUp: (account: string, up: boolean) => void;
  readonly accounts: readonly string[];
  readonly log: (level: 'info' | 'error', message: string) => void;
  readonly checkIntervalMs?: number | undefined;
}

export class StateStoreHealthReport {
  readonly #options: StateStoreHealthOptions;
  /** What each account's last cycle said, shown again once the store recovers. */
  readonly #lastCycleUp = new Map<string, boolean>();
  readonly #timer: NodeJS.Timeout;

  constructor(options: StateStoreHealthOptions) {
    this.#options = options;
    options.store.onHealthChange((health) => this.#changed(health));
    this.#timer = setInterval(() => {
      try {
        options.store.verify();
      } catch {
        // verify() reports through the health listener; a closed store has nothing left to check.
      }
    }, options.checkIntervalMs ?? DEFAULT_STATE_CHECK_INTERVAL_MS);
    this.#timer.unref();
  }

  /** A cycle's verdict on an account (snowflake_risk_up): shown as is only while the store works. */
  accountUp(account: string, up: boolean): void {
    this.#lastCycleUp.set(account, up);
    this.#options.accountUp(account, up && this.#options.store.health().ok);
  }

  close(): void {
    clearInterval(this.#timer);
  }

  #changed(health: StateStoreHealth): void {
    const { status, log, store } = this.#options;
    if (health.ok) {
      status.setCondition('state_store', true);
      for (const [account, up] of this.#lastCycleUp) this.#options.accountUp(account, up);
      log('info', `state store ${store.path} works again: collection resumes and commits what it delivers`);
      return;
    }
    const { error, since } = health;
    status.setCondition('state_store', false, `state store failing since ${since.toISOString()} (${error.kind} in ${error.operation}; the exporter's log says what to do)`);
    for (const account of this.#options.accounts) this.#options.accountUp(account, false);
    log(
      'error',
      `state store failing (${error.kind}): ${error.reason}. Every account shows snowflake_risk_up 0 and /readyz is not ready ` +
        `until it works again. What to do: ${operatorAdvice(error.kind, store.path)}`,
    );
  }
}
