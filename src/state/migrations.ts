// The state store's schema, as an ordered list of migrations. A migration is never edited once released: a change
// is a new entry with the next version. The store applies the missing ones in one transaction at open, and refuses
// a file whose version is newer than the last entry here (a downgrade would silently misread it).
//
// Times are stored as integer milliseconds since the epoch (exact, sortable, cheap to compare in an index).

export interface Migration {
  readonly version: number;
  readonly description: string;
  readonly sql: string;
}

export const MIGRATIONS: readonly Migration[] = [
  {
    version: 1,
    description: 'stream positions, delivered ids, cycle history, key/value',
    sql: `
      CREATE TABLE stream_positions (
        account       TEXT    NOT NULL,
        stream        TEXT    NOT NULL,
        watermark_ms  INTEGER NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (account, stream)
      ) STRICT, WITHOUT ROWID;

      -- Dedupe keys of events already accepted by every sink, kept until retain_until (>= 2 x the stream's overlap).
      CREATE TABLE delivered_ids (
        account         TEXT    NOT NULL,
        stream          TEXT    NOT NULL,
        id              TEXT    NOT NULL,
        retain_until_ms INTEGER NOT NULL,
        PRIMARY KEY (account, stream, id)
      ) STRICT, WITHOUT ROWID;
      CREATE INDEX delivered_ids_by_retain_until ON delivered_ids (retain_until_ms);

      -- Bounded history: the store prunes each account to its most recent cycles on every insert.
      CREATE TABLE cycles (
        seq               INTEGER PRIMARY KEY AUTOINCREMENT,
        account           TEXT    NOT NULL,
        started_at_ms     INTEGER NOT NULL,
        finished_at_ms    INTEGER NOT NULL,
        outcome           TEXT    NOT NULL CHECK (outcome IN ('ok', 'partial', 'failed', 'cancelled')),
        statements        INTEGER NOT NULL,
        row_count         INTEGER NOT NULL,
        estimated_credits REAL    NOT NULL,
        detail            TEXT    NOT NULL
      ) STRICT;
      CREATE INDEX cycles_by_account ON cycles (account, seq);

      CREATE TABLE kv (
        namespace     TEXT    NOT NULL,
        key           TEXT    NOT NULL,
        value         TEXT    NOT NULL,
        updated_at_ms INTEGER NOT NULL,
        PRIMARY KEY (namespace, key)
      ) STRICT, WITHOUT ROWID;
    `,
  },
  {
    version: 2,
    description: 'encrypted OAuth token sets',
    sql: `
      -- One OAuth token set per account, sealed with AES-256-GCM (src/state/token-cipher.ts): the access and refresh
      -- tokens, their expiries and the user name are all inside the ciphertext; nothing here is readable without the
      -- key. key_id names the key that sealed the row (a one-way fingerprint, not the key), so rotation can find it.
      CREATE TABLE oauth_tokens (
        account       TEXT    NOT NULL PRIMARY KEY,
        format        INTEGER NOT NULL,
        key_id        TEXT    NOT NULL,
        nonce         BLOB    NOT NULL,
        ciphertext    BLOB    NOT NULL,
        tag           BLOB    NOT NULL,
        updated_at_ms INTEGER NOT NULL
      ) STRICT, WITHOUT ROWID;
    `,
  },
];

export const LATEST_SCHEMA_VERSION = MIGRATIONS.reduce((latest, migration) => Math.max(latest, migration.version), 0);
