// The durable StateStore on node:sqlite (built into Node 24, no native npm package). One file, one connection, all
// synchronous: a commit is a handful of indexed writes, far cheaper than the network round trips around it.
//
// Durability choices, because "nothing lost, nothing twice" rests on them:
// - journal_mode=WAL: a commit appends to the write-ahead log; a reader never blocks the writer, and a process killed
//   mid-write leaves at worst an incomplete WAL frame that SQLite ignores on the next open.
// - synchronous=FULL: the WAL is fsynced at every commit. NORMAL would already survive kill -9 (the OS page cache
//   outlives the process) but can lose the last commits on power loss or a kernel crash (a node reset under
//   Kubernetes); a lost commit means events re-sent to sinks that already acknowledged them. Commits happen once per
//   delivered batch and per watermark, so one fsync each costs little.
// - busy_timeout: another connection's write lock is waited for, briefly, then reported as kind 'locked'. node:sqlite
//   waits synchronously, so the whole process stands still meanwhile: no scrape is answered and no OTLP answer is
//   read. With 5 s, an OTLP request in flight timed out during the wait and was sent a second time (the
//   state-store-faults reliability test at full size); a commit refused as locked loses nothing (the batch is read
//   and offered again next cycle), so a short wait is the right trade. With the exclusive lock below, no other
//   connection can hold a lock on a running exporter's file; the wait matters at open (a second exporter) only.
//
// Honest health, because a store that fails quietly either re-sends or loses events:
// - One process per file: locking_mode=EXCLUSIVE makes the first read take SQLite's lock on the database file and
//   keep it until close (and the write at open proves it). A second exporter on the same state.path fails to open
//   with kind 'locked', naming the file and the holder's pid. The lock is the kernel's (fcntl): a process killed with
//   SIGKILL loses it at once, so a crash never leaves a stale lock behind, unlike a pid file (in a container the
//   exporter is pid 1 every time, so a pid in a file proves nothing). In this mode the WAL index lives in the
//   process's memory instead of a -shm file, and nobody else can read the file while the exporter runs.
// - Open runs PRAGMA quick_check and refuses a damaged file (kind 'corrupt') with what to do about it.
// - The file's identity (device and inode) is recorded at open and compared with the path before every operation:
//   SQLite keeps writing into a file deleted under it (the data vanishes at close), so a deleted or replaced file is
//   refused (kind 'deleted') instead of silently recreated at the next start with the last commits lost.
// - Every operation's outcome feeds the store's health (health.ts), which the exporter shows on /readyz and in
//   snowflake_risk_up.
import { accessSync, closeSync, constants, mkdirSync, openSync, statSync, type BigIntStats } from 'node:fs';
import { hostname } from 'node:os';
import { dirname } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import type { SQLInputValue, SQLOutputValue, StatementSync } from 'node:sqlite';
import type { CycleRecord, StateStore, StreamPosition } from './store.ts';
import { StateStoreError, toStateStoreError } from './errors.ts';
import { commitKey, damagedFileAdvice, StoreHealthTracker, type StateStoreHealth, type StateStoreHealthListener } from './health.ts';
import { lockHolders } from './lock-holder.ts';
import { MIGRATIONS } from './migrations.ts';
import type { Migration } from './migrations.ts';
import type { OAuthTokenRecords, SealedTokenRecord, StoredSealedTokenRecord } from './oauth-token-records.ts';

export interface OpenStateStoreOptions {
  /** File path, or ':memory:' for tests that do not need durability. */
  readonly path: string;
  /** Clock for updated_at columns. */
  readonly now?: () => Date;
  /** Cycles kept per account (older ones are pruned on insert). Default 500. */
  readonly cycleHistoryPerAccount?: number;
  /** How long to wait (synchronously) for another connection's lock before failing with kind 'locked'. Default 250 ms. */
  readonly busyTimeoutMs?: number;
  /** Optional cap on the file size (PRAGMA max_page_count); writes past it fail with kind 'full'. */
  readonly maxSizeBytes?: number;
  /** Migrations to apply (tests only; defaults to the released list). */
  readonly migrations?: readonly Migration[];
}

const DEFAULT_CYCLE_HISTORY = 500;
const DEFAULT_BUSY_TIMEOUT_MS = 250;
/** Ids per `IN (...)` lookup: well under SQLite's bound-parameter limit, large enough to keep round trips few. */
const FILTER_CHUNK = 500;
/** Rows deleted per statement by expireSeen, so the write lock is never held for one huge delete. */
const EXPIRE_CHUNK = 10_000;

const OUTCOMES: ReadonlySet<string> = new Set(['ok', 'partial', 'failed', 'cancelled']);

/**
 * Opens (creating if needed), locks, checks and migrates the store. Throws StateStoreError on any failure, with a
 * message naming the file and what to do when the file itself is the problem (in use, damaged, not writable).
 */
export function openStateStore(options: OpenStateStoreOptions): SqliteStateStore {
  const memory = options.path === ':memory:';
  let db: DatabaseSync | undefined;
  try {
    if (!memory) createPrivateFile(options.path);
    db = new DatabaseSync(options.path, {
      timeout: options.busyTimeoutMs ?? DEFAULT_BUSY_TIMEOUT_MS,
      enableForeignKeyConstraints: true,
    });
    configure(db, memory, options.maxSizeBytes);
    checkIntegrity(db, options.path);
    const now = options.now ?? (() => new Date());
    const version = migrate(db, options.migrations ?? MIGRATIONS, now());
    // The write at open: takes the exclusive lock for good (and finds a read-only file now, not at the first commit).
    recordOpener(db, now());
    return new SqliteStateStore(db, {
      path: options.path,
      now,
      schemaVersion: version,
      cycleHistoryPerAccount: options.cycleHistoryPerAccount ?? DEFAULT_CYCLE_HISTORY,
      identity: memory ? undefined : fileIdentity(options.path),
    });
  } catch (error) {
    try {
      db?.close();
    } catch {
      // Already failing; the original error is the one to report.
    }
    throw explainOpenFailure(toStateStoreError(error, 'open'), options.path);
  }
}

/** Rewrites the open failures an operator must act on into messages that name the file and the way out. */
function explainOpenFailure(error: StateStoreError, path: string): StateStoreError {
  const rewrite = (message: string): StateStoreError => new StateStoreError(error.kind, 'open', message, error.sqliteCode, error);
  switch (error.kind) {
    case 'locked': {
      const pids = lockHolders(path);
      const holder = pids.includes(process.pid)
        ? `this very process (pid ${process.pid})`
        : `another process${pids.length === 0 ? '' : ` (pid ${pids.join(', ')})`}`;
      return rewrite(
        `the state file ${path} is in use by ${holder}: only one exporter may use a state file, or both ` +
          'would deliver the same events. Stop the other exporter, or give this one its own state.path (each shard needs its own)',
      );
    }
    case 'corrupt':
      return error.message.includes(path) ? error : rewrite(`the state file ${path} is damaged (${error.reason}): ${damagedFileAdvice(path)}`);
    case 'readonly':
      return rewrite(
        `the state file ${path} or its directory cannot be written by this process (${error.reason}): make them writable ` +
          "for the exporter's user, or point state.path at a writable volume",
      );
    default:
      return error.message.includes(path) ? error : rewrite(`${path}: ${error.reason}`);
  }
}

/** Creates the directory (0700) and an empty file (0600) so SQLite never creates them with the process umask. */
function createPrivateFile(path: string): void {
  mkdirSync(dirname(path), { recursive: true, mode: 0o700 });
  // 'wx' creates the file only if it is missing, so an operator's own permissions on an existing file (e.g. a
  // Kubernetes fsGroup) are left alone; SQLite gives -wal the same mode. An existing file is never opened here: closing
  // ANY descriptor of a file drops every fcntl lock this process holds on it (POSIX), which would silently release
  // the lock of a store already open on it in this process. For the same reason nothing else in the process may
  // open the state file through node:fs.
  try {
    closeSync(openSync(path, 'wx', 0o600));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
  }
  // Writable file and directory (SQLite creates the -wal beside the file): said plainly here, since SQLite itself
  // reports a read-only file in exclusive locking mode as a generic I/O error (it cannot lock it for writing).
  accessSync(path, constants.W_OK);
  accessSync(dirname(path), constants.W_OK);
}

function configure(db: DatabaseSync, memory: boolean, maxSizeBytes: number | undefined): void {
  // Before the first read: that read then takes the lock on the file and keeps it (see the top of this file).
  if (!memory) db.exec('PRAGMA locking_mode = EXCLUSIVE');
  const mode = db.prepare('PRAGMA journal_mode = WAL').get()?.journal_mode;
  if (!memory && mode !== 'wal') {
    throw new StateStoreError('io', 'open', `could not enable WAL journal mode (got ${String(mode)})`);
  }
  db.exec('PRAGMA synchronous = FULL; PRAGMA foreign_keys = ON;');
  if (maxSizeBytes !== undefined) {
    const pageSize = Number(db.prepare('PRAGMA page_size').get()?.page_size ?? 4096);
    const pages = Math.max(1, Math.floor(maxSizeBytes / pageSize));
    db.exec(`PRAGMA max_page_count = ${pages}`); // an integer we computed: PRAGMA values cannot be bound
  }
}

/**
 * PRAGMA quick_check: every page and b-tree well formed. It reads the whole file: 0.2 s at open for a million
 * delivered ids (150 MB) in the page cache.
 */
function checkIntegrity(db: DatabaseSync, path: string): void {
  const problems = db
    .prepare('PRAGMA quick_check(5)')
    .all()
    .map((row) => String(row.quick_check ?? ''))
    .filter((text) => text !== 'ok');
  if (problems.length === 0) return;
  // SQLite names pages and tables here, never row contents; one line is enough to recognise it.
  const first = (problems[0] ?? '').split('\n')[0]?.slice(0, 200) ?? '';
  throw new StateStoreError(
    'corrupt',
    'open',
    `the state file ${path} is damaged (integrity check: ${first}${problems.length > 1 ? ', and more' : ''}): ${damagedFileAdvice(path)}`,
  );
}

/** Which process opened the file last, for someone reading it afterwards; the write also proves the file writable. */
function recordOpener(db: DatabaseSync, now: Date): void {
  const opener = JSON.stringify({ pid: process.pid, host: hostname(), openedAt: now.toISOString() });
  db.prepare(
    `INSERT INTO kv (namespace, key, value, updated_at_ms) VALUES ('process', 'opener', ?, ?)
     ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms`,
  ).run(opener, now.getTime());
}

interface FileIdentity {
  readonly dev: bigint;
  readonly ino: bigint;
}

function fileIdentity(path: string): FileIdentity {
  const stats = statSync(path, { bigint: true });
  return { dev: stats.dev, ino: stats.ino };
}

/** Applies the missing migrations in one write transaction; returns the resulting schema version. */
function migrate(db: DatabaseSync, migrations: readonly Migration[], now: Date): number {
  const latest = migrations.reduce((max, m) => Math.max(max, m.version), 0);
  // IMMEDIATE takes the write lock first, so two processes opening the same new file cannot both migrate it.
  db.exec('BEGIN IMMEDIATE');
  try {
    db.exec(`CREATE TABLE IF NOT EXISTS schema_version (
      version       INTEGER PRIMARY KEY,
      applied_at_ms INTEGER NOT NULL,
      description   TEXT    NOT NULL
    ) STRICT`);
    const current = Number(db.prepare('SELECT coalesce(max(version), 0) AS v FROM schema_version').get()?.v ?? 0);
    if (current > latest) {
      throw new StateStoreError(
        'schema',
        'open',
        `the database has schema version ${current} but this exporter knows only up to ${latest}; ` +
          'use the newer exporter or a fresh state file (downgrades are not supported)',
      );
    }
    const record = db.prepare('INSERT INTO schema_version (version, applied_at_ms, description) VALUES (?, ?, ?)');
    for (const migration of [...migrations].sort((a, b) => a.version - b.version)) {
      if (migration.version <= current) continue;
      db.exec(migration.sql);
      record.run(migration.version, now.getTime(), migration.description);
    }
    db.exec('COMMIT');
    return Math.max(current, latest);
  } catch (error) {
    if (db.isTransaction) db.exec('ROLLBACK');
    throw error;
  }
}

interface StoreSettings {
  readonly path: string;
  readonly now: () => Date;
  readonly schemaVersion: number;
  readonly cycleHistoryPerAccount: number;
  /** Device and inode of the file opened; undefined for ':memory:'. */
  readonly identity: FileIdentity | undefined;
}

export class SqliteStateStore implements StateStore, OAuthTokenRecords {
  readonly path: string;
  /** The schema version of the open file (equals LATEST_SCHEMA_VERSION after a successful open). */
  readonly schemaVersion: number;
  readonly #db: DatabaseSync;
  readonly #now: () => Date;
  readonly #cycleHistory: number;
  readonly #identity: FileIdentity | undefined;
  readonly #health: StoreHealthTracker;
  #closed = false;

  readonly #selectPosition: StatementSync;
  readonly #upsertPosition: StatementSync;
  readonly #upsertDelivered: StatementSync;
  readonly #selectSeenChunk: StatementSync;
  readonly #expireChunk: StatementSync;
  readonly #insertCycle: StatementSync;
  readonly #pruneCycles: StatementSync;
  readonly #selectCycles: StatementSync;
  readonly #selectValue: StatementSync;
  readonly #upsertValue: StatementSync;
  readonly #selectSealed: StatementSync;
  readonly #upsertSealed: StatementSync;
  readonly #deleteSealed: StatementSync;

  constructor(db: DatabaseSync, settings: StoreSettings) {
    this.#db = db;
    this.path = settings.path;
    this.schemaVersion = settings.schemaVersion;
    this.#now = settings.now;
    this.#cycleHistory = settings.cycleHistoryPerAccount;
    this.#identity = settings.identity;
    this.#health = new StoreHealthTracker(settings.now);

    this.#selectPosition = db.prepare(
      'SELECT watermark_ms, updated_at_ms FROM stream_positions WHERE account = ? AND stream = ?',
    );
    this.#upsertPosition = db.prepare(
      `INSERT INTO stream_positions (account, stream, watermark_ms, updated_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, stream) DO UPDATE SET watermark_ms = excluded.watermark_ms, updated_at_ms = excluded.updated_at_ms`,
    );
    // A re-commit of a known id only ever extends its retention.
    this.#upsertDelivered = db.prepare(
      `INSERT INTO delivered_ids (account, stream, id, retain_until_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (account, stream, id) DO UPDATE SET retain_until_ms = max(retain_until_ms, excluded.retain_until_ms)`,
    );
    // One statement with a fixed number of placeholders; short chunks are padded by repeating an id (harmless in IN).
    this.#selectSeenChunk = db.prepare(
      `SELECT id FROM delivered_ids WHERE account = ? AND stream = ? AND id IN (${new Array<string>(FILTER_CHUNK).fill('?').join(', ')})`,
    );
    this.#expireChunk = db.prepare(
      `DELETE FROM delivered_ids WHERE (account, stream, id) IN (
         SELECT account, stream, id FROM delivered_ids WHERE retain_until_ms <= ? LIMIT ${EXPIRE_CHUNK})`,
    );
    this.#insertCycle = db.prepare(
      `INSERT INTO cycles (account, started_at_ms, finished_at_ms, outcome, statements, row_count, estimated_credits, detail)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?)`,
    );
    this.#pruneCycles = db.prepare(
      `DELETE FROM cycles WHERE account = ? AND seq <= (
         SELECT seq FROM cycles WHERE account = ? ORDER BY seq DESC LIMIT 1 OFFSET ?)`,
    );
    this.#selectCycles = db.prepare(
      `SELECT account, started_at_ms, finished_at_ms, outcome, statements, row_count, estimated_credits, detail
       FROM cycles WHERE account = ? ORDER BY seq DESC LIMIT ?`,
    );
    this.#selectValue = db.prepare('SELECT value FROM kv WHERE namespace = ? AND key = ?');
    this.#upsertValue = db.prepare(
      `INSERT INTO kv (namespace, key, value, updated_at_ms) VALUES (?, ?, ?, ?)
       ON CONFLICT (namespace, key) DO UPDATE SET value = excluded.value, updated_at_ms = excluded.updated_at_ms`,
    );
    this.#selectSealed = db.prepare(
      'SELECT format, key_id, nonce, ciphertext, tag, updated_at_ms FROM oauth_tokens WHERE account = ?',
    );
    this.#upsertSealed = db.prepare(
      `INSERT INTO oauth_tokens (account, format, key_id, nonce, ciphertext, tag, updated_at_ms) VALUES (?, ?, ?, ?, ?, ?, ?)
       ON CONFLICT (account) DO UPDATE SET format = excluded.format, key_id = excluded.key_id, nonce = excluded.nonce,
         ciphertext = excluded.ciphertext, tag = excluded.tag, updated_at_ms = excluded.updated_at_ms`,
    );
    this.#deleteSealed = db.prepare('DELETE FROM oauth_tokens WHERE account = ?');
  }

  getPosition(account: string, stream: string): StreamPosition | undefined {
    return this.#run('getPosition', () => {
      const row = this.#selectPosition.get(account, stream);
      if (row === undefined) return undefined;
      return { watermark: new Date(int(row.watermark_ms)), updatedAt: new Date(int(row.updated_at_ms)) };
    });
  }

  filterSeen(account: string, stream: string, ids: readonly string[]): Set<string> {
    return this.#run('filterSeen', () => {
      const unique = [...new Set(ids)];
      const seen = new Set<string>();
      for (let start = 0; start < unique.length; start += FILTER_CHUNK) {
        const chunk: SQLInputValue[] = unique.slice(start, start + FILTER_CHUNK);
        const padding = chunk[0] ?? '';
        while (chunk.length < FILTER_CHUNK) chunk.push(padding);
        for (const row of this.#selectSeenChunk.all(account, stream, ...chunk)) seen.add(text(row.id));
      }
      return seen;
    });
  }

  commit(account: string, stream: string, delivered: readonly string[], retainUntil: Date, watermark?: Date): void {
    const retainMs = timeOf(retainUntil, 'retainUntil');
    const watermarkMs = watermark === undefined ? undefined : timeOf(watermark, 'watermark');
    if (delivered.length === 0 && watermarkMs === undefined) return;
    this.#transaction('commit', commitKey(account, stream), () => {
      for (const id of delivered) this.#upsertDelivered.run(account, stream, id, retainMs);
      if (watermarkMs !== undefined) this.#upsertPosition.run(account, stream, watermarkMs, this.#now().getTime());
    });
  }

  expireSeen(now: Date): number {
    const nowMs = timeOf(now, 'now');
    return this.#run('expireSeen', () => {
      let total = 0;
      for (;;) {
        const changes = Number(this.#expireChunk.run(nowMs).changes);
        total += changes;
        if (changes < EXPIRE_CHUNK) return total;
      }
    });
  }

  recordCycle(cycle: CycleRecord): void {
    if (!OUTCOMES.has(cycle.outcome)) throw new TypeError(`unknown cycle outcome ${String(cycle.outcome)}`);
    this.#transaction('recordCycle', 'recordCycle', () => {
      this.#insertCycle.run(
        cycle.account,
        timeOf(cycle.startedAt, 'startedAt'),
        timeOf(cycle.finishedAt, 'finishedAt'),
        cycle.outcome,
        cycle.statements,
        cycle.rows,
        cycle.estimatedCredits,
        cycle.detail,
      );
      this.#pruneCycles.run(cycle.account, cycle.account, this.#cycleHistory);
    });
  }

  /** The account's most recent cycles, newest first. */
  recentCycles(account: string, limit: number): CycleRecord[] {
    return this.#run('recentCycles', () =>
      this.#selectCycles.all(account, Math.max(0, Math.floor(limit))).map((row) => ({
        account: text(row.account),
        startedAt: new Date(int(row.started_at_ms)),
        finishedAt: new Date(int(row.finished_at_ms)),
        outcome: text(row.outcome) as CycleRecord['outcome'],
        statements: int(row.statements),
        rows: int(row.row_count),
        estimatedCredits: Number(row.estimated_credits),
        detail: text(row.detail),
      })),
    );
  }

  getValue(namespace: string, key: string): string | undefined {
    return this.#run('getValue', () => {
      const row = this.#selectValue.get(namespace, key);
      return row === undefined ? undefined : text(row.value);
    });
  }

  setValue(namespace: string, key: string, value: string): void {
    this.#run('setValue', () => {
      this.#upsertValue.run(namespace, key, value, this.#now().getTime());
    });
  }

  getSealedTokens(account: string): StoredSealedTokenRecord | undefined {
    return this.#run('getSealedTokens', () => {
      const row = this.#selectSealed.get(account);
      if (row === undefined) return undefined;
      return {
        format: int(row.format),
        keyId: text(row.key_id),
        nonce: bytes(row.nonce),
        ciphertext: bytes(row.ciphertext),
        tag: bytes(row.tag),
        updatedAt: new Date(int(row.updated_at_ms)),
      };
    });
  }

  putSealedTokens(account: string, record: SealedTokenRecord): void {
    this.#run('putSealedTokens', () => {
      this.#upsertSealed.run(account, record.format, record.keyId, record.nonce, record.ciphertext, record.tag, this.#now().getTime());
    });
  }

  deleteSealedTokens(account: string): boolean {
    return this.#run('deleteSealedTokens', () => Number(this.#deleteSealed.run(account).changes) > 0);
  }

  /** Whether the store can do its job now (see health.ts). */
  health(): StateStoreHealth {
    return this.#health.current;
  }

  /** Called (synchronously, from whichever operation noticed) each time the health changes. */
  onHealthChange(listener: StateStoreHealthListener): void {
    this.#health.onChange(listener);
  }

  /**
   * Checks, without touching the database, that the file at the path is still the one opened, and returns the
   * health. The exporter calls it between cycles, so a deleted file shows before the next operation would find it.
   */
  verify(): StateStoreHealth {
    if (!this.#closed) this.#checkFile('verify');
    return this.#health.current;
  }

  /**
   * Idempotent. Closing checkpoints the WAL into the main file and releases the lock. When the file was deleted or
   * replaced, SQLite neither checkpoints into nor removes the WAL of a file that moved (its content is lost with
   * the deleted file, which is what the refusal said).
   */
  close(): void {
    if (this.#closed) return;
    this.#closed = true;
    try {
      this.#db.close();
    } catch (error) {
      throw toStateStoreError(error, 'close');
    }
  }

  /** Refuses (kind 'deleted') while the path holds no file, or another file than the one opened. */
  #checkFile(operation: string): void {
    const identity = this.#identity;
    if (identity === undefined) return;
    let stats: BigIntStats | undefined;
    try {
      stats = statSync(this.path, { bigint: true, throwIfNoEntry: false });
    } catch {
      return; // the path cannot be looked at (a directory without search permission): nothing proven either way
    }
    if (stats !== undefined && stats.dev === identity.dev && stats.ino === identity.ino) {
      this.#health.clearRefusal('deleted');
      return;
    }
    this.#health.refuse(
      new StateStoreError(
        'deleted',
        operation,
        stats === undefined
          ? `the state file ${this.path} was deleted while the exporter ran`
          : `the state file ${this.path} was replaced by another file (inode ${stats.ino}, opened as ${identity.ino}) while the exporter ran`,
      ),
    );
  }

  #run<T>(operation: string, work: () => T, key: string = operation): T {
    if (this.#closed) throw new StateStoreError('closed', operation, 'the store is closed');
    this.#checkFile(operation);
    const refusal = this.#health.refusal;
    if (refusal !== undefined) {
      throw new StateStoreError(refusal.kind, operation, refusal.reason, refusal.sqliteCode, refusal);
    }
    let result: T;
    try {
      result = work();
    } catch (error) {
      const typed = toStateStoreError(error, operation);
      this.#health.failed(key, typed);
      throw typed;
    }
    this.#health.succeeded(key, operation === 'commit');
    return result;
  }

  /** All of `work` or none of it: any failure rolls back before the typed error leaves. */
  #transaction(operation: string, key: string, work: () => void): void {
    const inTransaction = (): void => {
      this.#db.exec('BEGIN IMMEDIATE');
      try {
        work();
        this.#db.exec('COMMIT');
      } catch (error) {
        // SQLite rolls back on its own after some errors (e.g. SQLITE_FULL); roll back only what is still open.
        if (this.#db.isTransaction) {
          try {
            this.#db.exec('ROLLBACK');
          } catch {
            // The connection is unusable; the original error says why.
          }
        }
        throw error;
      }
    };
    this.#run(operation, inTransaction, key);
  }
}

function timeOf(date: Date, what: string): number {
  const ms = date.getTime();
  if (!Number.isFinite(ms)) throw new RangeError(`${what} is not a valid date`);
  return ms;
}

function int(value: SQLOutputValue | undefined): number {
  return typeof value === 'bigint' ? Number(value) : Number(value ?? 0);
}

function bytes(value: SQLOutputValue | undefined): Uint8Array {
  return value instanceof Uint8Array ? value : new Uint8Array();
}

function text(value: SQLOutputValue | undefined): string {
  return typeof value === 'string' ? value : String(value ?? '');
}
