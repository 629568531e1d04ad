// The data sources the exporter reads, with the documented maximum latency of the view behind each (the usage notes
// of each view's page, https://docs.snowflake.com/en/sql-reference/account-usage/<view>, also kept in
// emulator/schema.ts). Default intervals never poll faster than the data can change, and every hourly source shares
// one warehouse wake-up (each wake-up bills at least 60 s: 24 a day keep an X-Small account under half a credit).
// Configuration may override intervals per account.
export interface SourceDefinition {
  /** ACCOUNT_USAGE view (or command) the source reads. */
  readonly view: string;
  /** Documented maximum ingestion latency of that view, in seconds. */
  readonly latencySeconds: number;
  /** Default polling interval, in seconds. */
  readonly defaultIntervalSeconds: number;
}

const MINUTE = 60;
const HOUR = 60 * MINUTE;

export const SOURCES = {
  query_history: { view: 'QUERY_HISTORY', latencySeconds: 45 * MINUTE, defaultIntervalSeconds: 1 * HOUR },
  login_history: { view: 'LOGIN_HISTORY', latencySeconds: 2 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  sessions: { view: 'SESSIONS', latencySeconds: 3 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  access_history: { view: 'ACCESS_HISTORY', latencySeconds: 3 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  users: { view: 'USERS', latencySeconds: 2 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  grants: { view: 'GRANTS_TO_USERS', latencySeconds: 2 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  admins: { view: 'GRANTS_TO_ROLES + GRANTS_TO_USERS', latencySeconds: 2 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  shares: { view: 'SHARES', latencySeconds: 3 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  outbound_shares: { view: 'SHOW SHARES', latencySeconds: 0, defaultIntervalSeconds: 1 * HOUR },
  data_transfer: { view: 'DATA_TRANSFER_HISTORY', latencySeconds: 2 * HOUR, defaultIntervalSeconds: 1 * HOUR },
  parameters: { view: 'SHOW PARAMETERS IN ACCOUNT', latencySeconds: 0, defaultIntervalSeconds: 1 * HOUR },
  trust_center: { view: 'TRUST_CENTER_FINDINGS', latencySeconds: 1 * HOUR, defaultIntervalSeconds: 6 * HOUR },
} as const satisfies Record<string, SourceDefinition>;

export type SourceId = keyof typeof SOURCES;
export const SOURCE_IDS = Object.keys(SOURCES) as SourceId[];
