// The SQLite state store on real files in a temp directory: schema and migrations, durability across reopen,
// atomic commits, dedupe lookups at scale, expiry, bounded cycle history, key/value, and typed errors produced by
// real SQLite conditions (a size cap that fills up, a read-only file, garbage). The lock, the integrity check, a
// deleted file and writes refused by the kernel are in file-health.test.ts.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { chmodSync, chownSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { LATEST_SCHEMA_VERSION, openStateStore, StateStoreError } from '../../../src/state/index.ts';
import type { CycleRecord } from '../../../src/state/index.ts';
import { MIGRATIONS } from '../../../src/state/migrations.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';

const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');

function cycle(account: string, minute: number, outcome: CycleRecord['outcome'] = 'ok'): CycleRecord {
  return {
    account,
    startedAt: new Date(Date.UTC(2026, 0, 1, 0, minute)),
    finishedAt: new Date(Date.UTC(2026, 0, 1, 0, minute, 30)),
    outcome,
    statements: minute,
    rows: minute * 10,
    estimatedCredits: minute / 100,
    detail: `cycle ${minute}`,
  };
}

function assertStateError(kind: StateStoreError['kind']): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StateStoreError, `expected StateStoreError, got ${String(error)}`);
    assert.equal(error.kind, kind);
    assert.equal(error.code, `STATE_${kind.toUpperCase()}`);
    assert.equal(error.errorKind, 'state');
    return true;
  };
}

test('opening a new path creates a private directory and file, WAL mode, and every migration', (t) => {
  const root = tempStateDir(t);
  const path = join(root, 'nested', 'data', 'state.db');
  const store = openStateStore({ path, now: () => new Date('2026-01-01T00:00:00Z') });

  assert.equal(store.schemaVersion, LATEST_SCHEMA_VERSION);
  assert.equal(statSync(join(root, 'nested', 'data')).mode & 0o777, 0o700);
  assert.equal(statSync(path).mode & 0o777, 0o600);
  store.close(); // the open store holds the file exclusively: a second connection reads it only after

  const raw = new DatabaseSync(path, { readOnly: true });
  t.after(() => raw.close());
  assert.equal(raw.prepare('PRAGMA journal_mode').get()?.journal_mode, 'wal');
  const versions = raw.prepare('SELECT version, applied_at_ms FROM schema_version ORDER BY version').all();
  assert.deepEqual(
    versions.map((row) => ({ ...row })),
    MIGRATIONS.map((migration) => ({ version: migration.version, applied_at_ms: Date.parse('2026-01-01T00:00:00Z') })),
  );
  const tables = raw
    .prepare("SELECT name FROM sqlite_schema WHERE type = 'table' AND name NOT LIKE 'sqlite_%' ORDER BY name")
    .all()
    .map((row) => row.name);
  assert.deepEqual(tables, ['cycles', 'delivered_ids', 'kv', 'oauth_tokens', 'schema_version', 'stream_positions']);
  const indexes = raw.prepare("SELECT name FROM sqlite_schema WHERE type = 'index' AND sql IS NOT NULL ORDER BY name").all();
  assert.deepEqual(
    indexes.map((row) => row.name),
    ['cycles_by_account', 'delivered_ids_by_retain_until'],
  );
});

test('reopening keeps positions, delivered ids, cycles and values', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const first = openStateStore({ path, now: () => new Date('2026-01-02T00:00:00Z') });
  first.commit('acct', 'query_history', ['q1', 'q2'], FAR_FUTURE, new Date('2026-01-01T12:00:00Z'));
  first.recordCycle(cycle('acct', 1));
  first.setValue('oauth', 'acct', 'ciphertext');
  first.close();
  first.close(); // idempotent

  const second = openStateStore({ path });
  t.after(() => second.close());
  assert.deepEqual(second.getPosition('acct', 'query_history'), {
    watermark: new Date('2026-01-01T12:00:00Z'),
    updatedAt: new Date('2026-01-02T00:00:00Z'),
  });
  assert.equal(second.getPosition('acct', 'login_history'), undefined);
  assert.deepEqual(second.filterSeen('acct', 'query_history', ['q1', 'q2', 'q3']), new Set(['q1', 'q2']));
  assert.deepEqual(second.recentCycles('acct', 10), [cycle('acct', 1)]);
  assert.equal(second.getValue('oauth', 'acct'), 'ciphertext');
});

test('a later migration is applied in order on reopen and keeps the data', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const first = openStateStore({ path });
  first.setValue('budget', 'acct', 'kept');
  first.close();

  const next = { version: LATEST_SCHEMA_VERSION + 1, description: 'next', sql: "ALTER TABLE kv ADD COLUMN note TEXT NOT NULL DEFAULT 'dflt';" };
  const second = openStateStore({ path, migrations: [next, ...MIGRATIONS] }); // given out of order on purpose
  assert.equal(second.schemaVersion, LATEST_SCHEMA_VERSION + 1);
  assert.equal(second.getValue('budget', 'acct'), 'kept');
  second.close();

  const check = new DatabaseSync(path, { readOnly: true });
  t.after(() => check.close());
  assert.deepEqual({ ...check.prepare('SELECT value, note FROM kv').get() }, { value: 'kept', note: 'dflt' });
  assert.deepEqual(
    check.prepare('SELECT version FROM schema_version ORDER BY version').all().map((row) => row.version),
    [...MIGRATIONS.map((m) => m.version), LATEST_SCHEMA_VERSION + 1],
  );
});

test('a database written by a newer schema version is refused, not downgraded', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  openStateStore({ path }).close();
  const raw = new DatabaseSync(path);
  raw.exec(`INSERT INTO schema_version (version, applied_at_ms, description) VALUES (${LATEST_SCHEMA_VERSION + 1}, 0, 'future')`);
  raw.close();

  assert.throws(() => openStateStore({ path }), (error: unknown) => {
    assertStateError('schema')(error);
    assert.match((error as Error).message, new RegExp(`schema version ${LATEST_SCHEMA_VERSION + 1}`));
    return true;
  });
  const check = new DatabaseSync(path, { readOnly: true });
  t.after(() => check.close());
  assert.equal(check.prepare('SELECT max(version) AS v FROM schema_version').get()?.v, LATEST_SCHEMA_VERSION + 1);
});

test('a commit that fails midway leaves neither its ids nor its watermark visible', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const first = openStateStore({ path });
  first.commit('acct', 'query_history', ['before'], FAR_FUTURE, new Date('2026-01-01T00:00:00Z'));
  first.close();

  // A real SQLite constraint, added while no store holds the file: inserting the id 'poison' aborts the statement
  // after 'a' and 'b' were already written inside the same transaction.
  const raw = new DatabaseSync(path);
  raw.exec(`CREATE TRIGGER reject_poison BEFORE INSERT ON delivered_ids WHEN NEW.id = 'poison'
            BEGIN SELECT RAISE(ABORT, 'poison id'); END`);
  raw.close();

  const store = openStateStore({ path });
  assert.throws(
    () => store.commit('acct', 'query_history', ['a', 'b', 'poison', 'c'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z')),
    assertStateError('internal'),
  );
  assert.deepEqual(store.filterSeen('acct', 'query_history', ['a', 'b', 'c', 'before']), new Set(['before']));
  assert.deepEqual(store.getPosition('acct', 'query_history')?.watermark, new Date('2026-01-01T00:00:00Z'));
  assert.deepEqual(store.health(), { ok: true }, 'a constraint failure is a bug, not a state of the file');
  store.close();

  // Another connection sees the same: nothing partial was committed.
  const check = new DatabaseSync(path);
  assert.equal(check.prepare("SELECT count(*) AS n FROM delivered_ids WHERE id IN ('a', 'b', 'c')").get()?.n, 0);
  check.exec('DROP TRIGGER reject_poison');
  check.close();
  const again = openStateStore({ path });
  t.after(() => again.close());
  again.commit('acct', 'query_history', ['a', 'b', 'c'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z'));
  assert.equal(again.filterSeen('acct', 'query_history', ['a', 'b', 'c']).size, 3);
});

test('a full disk (size cap) fails a commit as kind full, atomically, and the store recovers after expiry', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  let now = new Date('2026-01-01T00:00:00Z');
  const store = openStateStore({ path, maxSizeBytes: 256 * 1024, now: () => now });

  const committed: string[] = [];
  let lastWatermark: Date | undefined;
  let failure: unknown;
  for (let batch = 0; batch < 1000 && failure === undefined; batch++) {
    const ids = Array.from({ length: 200 }, (_, i) => `query-${batch}-${i}-${'x'.repeat(40)}`);
    const watermark = new Date(Date.UTC(2026, 0, 1, 0, 0, batch));
    try {
      store.commit('acct', 'query_history', ids, new Date('2026-01-02T00:00:00Z'), watermark);
      committed.push(...ids);
      lastWatermark = watermark;
    } catch (error) {
      failure = error;
      assert.equal(store.filterSeen('acct', 'query_history', ids).size, 0, 'no id of the failed batch is visible');
    }
  }
  assertStateError('full')(failure);
  const health = store.health();
  assert.ok(!health.ok && health.error.kind === 'full', 'a full store reports itself unhealthy');
  assert.ok(committed.length > 0);
  assert.equal(store.filterSeen('acct', 'query_history', committed).size, committed.length);
  assert.deepEqual(store.getPosition('acct', 'query_history')?.watermark, lastWatermark);

  now = new Date('2026-01-03T00:00:00Z');
  assert.equal(store.expireSeen(now), committed.length);
  store.commit('acct', 'query_history', ['after-expiry'], new Date('2026-01-04T00:00:00Z'));
  assert.equal(store.filterSeen('acct', 'query_history', ['after-expiry']).size, 1);
  assert.deepEqual(store.health(), { ok: true }, 'healthy again once a commit succeeds');
  store.close();

  const raw = new DatabaseSync(path, { readOnly: true });
  t.after(() => raw.close());
  assert.equal(raw.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok');
});

test('filterSeen answers 10,000 ids at once, scoped to account and stream, with ids bound not spliced', (t) => {
  const store = openStateStore({ path: join(tempStateDir(t), 'state.db') });
  t.after(() => store.close());
  const hostile = "x'); DELETE FROM delivered_ids; --";
  const all = Array.from({ length: 10_000 }, (_, i) => `01b2c3d4-0000-${String(i).padStart(6, '0')}`);
  const delivered = all.filter((_, i) => i % 2 === 0);
  store.commit('acct', 'query_history', [...delivered, hostile], FAR_FUTURE);

  const seen = store.filterSeen('acct', 'query_history', [...all, hostile, ...all.slice(0, 10)]);
  assert.equal(seen.size, delivered.length + 1);
  for (const id of delivered) assert.ok(seen.has(id));
  assert.ok(seen.has(hostile));
  assert.equal(store.filterSeen('acct', 'login_history', all).size, 0);
  assert.equal(store.filterSeen('other', 'query_history', all).size, 0);
  assert.equal(store.filterSeen('acct', 'query_history', []).size, 0);
  assert.equal(store.filterSeen('acct', 'query_history', ['only-one']).size, 0);
});

test('expireSeen drops ids whose retention ended (in chunks), and a re-commit extends retention', (t) => {
  const store = openStateStore({ path: join(tempStateDir(t), 'state.db') });
  t.after(() => store.close());
  const t1 = new Date('2026-01-01T01:00:00Z');
  const t2 = new Date('2026-01-01T02:00:00Z');
  const early = Array.from({ length: 25_000 }, (_, i) => `early-${i}`);
  store.commit('acct', 'query_history', early, t1);
  store.commit('acct', 'query_history', ['late', 'extended'], t2);
  store.commit('acct', 'query_history', ['extended'], t1); // an earlier retention never shortens a later one

  assert.equal(store.expireSeen(new Date(t1.getTime() - 1)), 0);
  assert.equal(store.expireSeen(t1), 25_000);
  assert.deepEqual(store.filterSeen('acct', 'query_history', ['early-0', 'late', 'extended']), new Set(['late', 'extended']));
  assert.equal(store.expireSeen(t2), 2);
  assert.equal(store.filterSeen('acct', 'query_history', ['late', 'extended']).size, 0);
});

test('cycle history is pruned to the last N per account and read newest first', (t) => {
  const store = openStateStore({ path: join(tempStateDir(t), 'state.db'), cycleHistoryPerAccount: 3 });
  t.after(() => store.close());
  for (let minute = 1; minute <= 5; minute++) store.recordCycle(cycle('a', minute, minute === 4 ? 'partial' : 'ok'));
  store.recordCycle(cycle('b', 1, 'failed'));
  store.recordCycle(cycle('b', 2, 'cancelled'));

  assert.deepEqual(store.recentCycles('a', 10), [cycle('a', 5), cycle('a', 4, 'partial'), cycle('a', 3)]);
  assert.deepEqual(store.recentCycles('a', 1), [cycle('a', 5)]);
  assert.deepEqual(store.recentCycles('b', 10), [cycle('b', 2, 'cancelled'), cycle('b', 1, 'failed')]);
  assert.deepEqual(store.recentCycles('nobody', 10), []);
});

test('key/value rows are per namespace and overwritten in place', (t) => {
  const store = openStateStore({ path: ':memory:' });
  t.after(() => store.close());
  assert.equal(store.getValue('budget', 'acct'), undefined);
  store.setValue('budget', 'acct', '2026-01-01:1.5');
  store.setValue('oauth', 'acct', 'sealed');
  store.setValue('budget', 'acct', '2026-01-01:2.0');
  assert.equal(store.getValue('budget', 'acct'), '2026-01-01:2.0');
  assert.equal(store.getValue('oauth', 'acct'), 'sealed');
  assert.equal(store.getValue('oauth', 'other'), undefined);
});

test('while the store is open no other connection of this process can read or lock the file; after close it can', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path, busyTimeoutMs: 50 });
  store.commit('acct', 'query_history', ['q1'], FAR_FUTURE);
  const other = new DatabaseSync(path, { timeout: 50 });
  t.after(() => other.close());
  assert.throws(() => other.prepare('SELECT count(*) AS n FROM delivered_ids').get(), /database is locked/);
  assert.throws(() => other.exec('BEGIN EXCLUSIVE'), /database is locked/);
  store.commit('acct', 'query_history', ['q2'], FAR_FUTURE); // the store itself never waits for anyone
  assert.deepEqual(store.health(), { ok: true });
  store.close();
  assert.equal(other.prepare('SELECT count(*) AS n FROM delivered_ids').get()?.n, 2);
});

test('a read-only database file and directory fail as kind readonly', (t) => {
  const root = tempStateDir(t);
  const dir = join(root, 'state');
  const path = join(dir, 'state.db');
  const store = openStateStore({ path });
  store.commit('acct', 'query_history', ['q1'], FAR_FUTURE, new Date('2026-01-01T00:00:00Z'));
  store.close();

  // Root ignores file modes, so when the tests run as root the child runs as the unprivileged user 'nobody' (65534)
  // owning the files: the permission check is then the kernel's, as it would be for the exporter's own user.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    chmodSync(root, 0o755);
    chownSync(dir, 65534, 65534);
    chownSync(path, 65534, 65534);
  }
  chmodSync(path, 0o400);
  chmodSync(dir, 0o500);
  let output: string;
  try {
    output = execFileSync(process.execPath, [join(import.meta.dirname, '../../helpers/state-readonly-child.ts'), path], {
      encoding: 'utf8',
      ...(asRoot ? { uid: 65534, gid: 65534 } : {}),
    });
  } finally {
    chmodSync(dir, 0o700); // so the temp dir can be removed
  }
  const outcome = JSON.parse(output) as Record<string, unknown>;
  // The store writes at open, so a file it cannot write is refused at start, naming the file and the way out, not at
  // the first commit after a cycle already sent events downstream.
  assert.equal(outcome.openError, 'readonly', JSON.stringify(outcome));
  assert.match(String(outcome.openMessage), new RegExp(`the state file ${path} or its directory cannot be written by this process`));
  assert.notEqual(outcome.committed, true);
});

test('a file that is not a database fails to open as kind corrupt', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  writeFileSync(path, Buffer.alloc(8192, 0x5a));
  assert.throws(() => openStateStore({ path }), assertStateError('corrupt'));
});

test('using a closed store fails as kind closed', () => {
  const store = openStateStore({ path: ':memory:' });
  store.close();
  assert.throws(() => store.getValue('a', 'b'), assertStateError('closed'));
  assert.throws(() => store.commit('acct', 's', ['x'], FAR_FUTURE), assertStateError('closed'));
});
