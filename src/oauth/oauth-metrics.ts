// The OAuth metrics: whether each OAuth account is connected, when its refresh token expires (the alert rules warn 7
// days ahead: after that date only a person can reconnect it), and how its refresh grants went. Only accounts that
// use OAuth get these series. Connected state and expiry are read from memory at scrape time, because they change
// with the clock alone (a refresh token expires without any event); nothing here ever calls Snowflake.
import { Counter, Gauge, type Registry } from 'prom-client';
import { NAMESPACE } from '../export/metrics/namespace.ts';

export const OAUTH_METRIC_NAMES = {
  connected: `${NAMESPACE}oauth_connected`,
  refreshTokenExpiry: `${NAMESPACE}oauth_refresh_token_expiry_timestamp_seconds`,
  refreshes: `${NAMESPACE}oauth_refreshes_total`,
} as const;

export type RefreshOutcome = 'success' | 'failure';

/** What the metrics read of one account at scrape time. */
export interface OAuthMetricsSource {
  readonly account: string;
  connected(nowMs: number): boolean;
  /** ms since the epoch, or null when unknown (never connected, or Snowflake did not say). */
  refreshTokenExpiresAt(): number | null;
}

export class OAuthMetrics {
  readonly #refreshes: Counter<'account' | 'outcome'>;

  constructor(registry: Registry, sources: readonly OAuthMetricsSource[], now: () => number = Date.now) {
    const registers = [registry];
    new Gauge<'account'>({
      name: OAUTH_METRIC_NAMES.connected,
      help: 'Whether the OAuth account holds a usable grant (1) or needs the browser consent flow at /oauth/start (0).',
      labelNames: ['account'],
      registers,
      collect() {
        const at = now();
        for (const source of sources) this.set({ account: source.account }, source.connected(at) ? 1 : 0);
      },
    });
    new Gauge<'account'>({
      name: OAUTH_METRIC_NAMES.refreshTokenExpiry,
      help: 'Unix time at which the OAuth refresh token expires; after it the account needs the consent flow again. Absent while unknown.',
      labelNames: ['account'],
      registers,
      collect() {
        this.reset();
        for (const source of sources) {
          const expiresAt = source.refreshTokenExpiresAt();
          if (expiresAt !== null && Number.isFinite(expiresAt)) this.set({ account: source.account }, expiresAt / 1000);
        }
      },
    });
    this.#refreshes = new Counter<'account' | 'outcome'>({
      name: OAUTH_METRIC_NAMES.refreshes,
      help: 'OAuth refresh-token grants sent to Snowflake, by outcome (failure: network, rejected or revoked refresh token, unusable answer).',
      labelNames: ['account', 'outcome'],
      registers,
    });
    for (const source of sources) {
      for (const outcome of ['success', 'failure'] as const) this.#refreshes.inc({ account: source.account, outcome }, 0);
    }
  }

  refreshed(account: string, outcome: RefreshOutcome): void {
    this.#refreshes.inc({ account, outcome });
  }
}
