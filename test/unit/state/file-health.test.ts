// The state store's honesty about its file, on real files in temp directories: one process per file (a real second
// process, and a kill -9 that must not leave the file locked), the integrity check at open and damage found while
// running (pages of a real database overwritten with garbage), a file deleted or replaced under the open store, and
// writes the kernel refuses while the store runs (RLIMIT_FSIZE lowered on this very process with prlimit: see
// test/helpers/state-write-refusal.ts).
import assert from 'node:assert/strict';
import { execFileSync, spawn } from 'node:child_process';
import { copyFileSync, existsSync, openSync, closeSync, renameSync, rmSync, statSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { openStateStore, StateStoreError, type StateStoreHealth } from '../../../src/state/index.ts';
import { StoreHealthTracker, commitKey } from '../../../src/state/health.ts';
import { lockHolders } from '../../../src/state/lock-holder.ts';
import { idsInBatch, KILL_TEST_ACCOUNT, KILL_TEST_STREAM } from '../../helpers/state-kill-child.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';
import { refuseFileWrites } from '../../helpers/state-write-refusal.ts';

const FAR_FUTURE = new Date('2100-01-01T00:00:00Z');
const CHILD = join(import.meta.dirname, '../../helpers/state-kill-child.ts');

function stateError(kind: StateStoreError['kind'], ...messageParts: readonly (string | RegExp)[]): (error: unknown) => boolean {
  return (error: unknown) => {
    assert.ok(error instanceof StateStoreError, `expected StateStoreError, got ${String(error)}`);
    assert.equal(error.kind, kind, error.message);
    for (const part of messageParts) {
      if (typeof part === 'string') assert.ok(error.message.includes(part), `${JSON.stringify(part)} not in: ${error.message}`);
      else assert.match(error.message, part);
    }
    return true;
  };
}

/** A child process that opens the store and commits batches until killed (test/helpers/state-kill-child.ts). */
async function startWriter(path: string): Promise<{ pid: number; kill(): Promise<void>; output(): string }> {
  const child = spawn(process.execPath, [CHILD, path, '0'], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));
  await new Promise<void>((resolve, reject) => {
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      stdout += text;
      if (stdout.includes('committed 2\n')) resolve();
    });
    void exited.then(() => reject(new Error(`the writer exited before committing: ${stderr}`)));
  });
  return {
    pid: child.pid ?? -1,
    output: () => stdout,
    async kill() {
      child.kill('SIGKILL');
      assert.equal(await exited, 'SIGKILL');
    },
  };
}

test('a second process on the same state file is refused, naming the file and the pid holding it; kill -9 of the holder frees it', async (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const writer = await startWriter(path);
  try {
    assert.throws(
      () => openStateStore({ path }),
      stateError('locked', path, `pid ${writer.pid}`, 'only one exporter may use a state file', 'state.path'),
    );
  } finally {
    await writer.kill();
  }
  // The lock was the kernel's: it went with the killed process, nothing stale is left to clean up.
  const store = openStateStore({ path });
  t.after(() => store.close());
  assert.equal(store.filterSeen(KILL_TEST_ACCOUNT, KILL_TEST_STREAM, idsInBatch(2)).size, idsInBatch(2).length);
});

test('a second store of the same file in the same process is refused too', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const first = openStateStore({ path });
  t.after(() => first.close());
  assert.throws(() => openStateStore({ path, busyTimeoutMs: 20 }), stateError('locked', path, `this very process (pid ${process.pid})`));
  // The refused attempt did not release the first store's lock (closing any descriptor of the file would have).
  assert.deepEqual(lockHolders(path), [process.pid]);
  first.commit('acct', 'query_history', ['q1'], FAR_FUTURE);
  assert.deepEqual(lockHolders(path), [process.pid]);
});

/** Overwrites one page of a closed database file with garbage, as a torn write or a bad disk block would. */
function damagePage(path: string, fromEnd: number): void {
  const pageSize = 4096;
  const pages = statSync(path).size / pageSize;
  assert.ok(Number.isInteger(pages) && pages > fromEnd + 2, `a database of whole pages (${pages})`);
  const fd = openSync(path, 'r+');
  try {
    writeSync(fd, Buffer.alloc(pageSize, 0xa5), 0, pageSize, (pages - 1 - fromEnd) * pageSize);
  } finally {
    closeSync(fd);
  }
}

test('open refuses a file with damaged pages (PRAGMA quick_check), saying to restore or delete it and what deleting costs', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path });
  for (let batch = 0; batch < 20; batch++) {
    store.commit('acct', 'query_history', Array.from({ length: 100 }, (_, i) => `query-${batch}-${i}`), FAR_FUTURE, new Date(Date.UTC(2026, 0, 1, 0, batch)));
  }
  store.close(); // checkpoints the WAL: every page is in the main file now
  damagePage(path, 3);

  assert.throws(
    () => openStateStore({ path }),
    stateError('corrupt', path, 'integrity check', /restore .* from a backup/, /delete it/, 'backfill window again', '/oauth/start'),
  );
  // Refusing leaves the file as it was, for the operator to restore or inspect.
  assert.ok(existsSync(path));
});

test('pages damaged under the running store: reported as corrupt, then every operation is refused', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const writer = openStateStore({ path });
  const idsOf = (batch: number) => Array.from({ length: 1000 }, (_, i) => `query-${batch}-${i}-${'x'.repeat(60)}`);
  for (let batch = 0; batch < 40; batch++) writer.commit('acct', 'query_history', idsOf(batch), FAR_FUTURE, new Date(Date.UTC(2026, 0, 1, 0, batch)));
  writer.close();
  // Reopened, the store's page cache (2 MB) holds only the last pages its integrity check read: the first half of
  // this 8 MB file is read from disk again. That half is overwritten from ANOTHER process, since closing a descriptor
  // of the file in this one would drop the store's lock.
  const store = openStateStore({ path });
  t.after(() => store.close());
  const changes: StateStoreHealth[] = [];
  store.onHealthChange((health) => changes.push(health));
  const pages = statSync(path).size / 4096;
  execFileSync(process.execPath, [
    '-e',
    `const fs = require('node:fs'); const fd = fs.openSync(${JSON.stringify(path)}, 'r+');
     for (let page = 1; page < ${Math.floor(pages / 2)}; page++) fs.writeSync(fd, Buffer.alloc(4096, 0x5a), 0, 4096, page * 4096);
     fs.closeSync(fd);`,
  ]);

  assert.throws(() => store.filterSeen('acct', 'query_history', idsOf(0)), stateError('corrupt'));
  assert.deepEqual(changes.map((change) => (change.ok ? 'ok' : change.error.kind)), ['corrupt']);
  // Nothing more goes into a damaged file, whatever it would touch.
  assert.throws(() => store.commit('acct', 'login_history', ['l1'], FAR_FUTURE), stateError('corrupt'));
  assert.throws(() => store.setValue('budget', 'acct', '1'), stateError('corrupt'));
  const health = store.verify();
  assert.ok(!health.ok && health.error.kind === 'corrupt');
});

test('a state file deleted under the open store is refused, not recreated, and moving it back resumes', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path });
  t.after(() => store.close());
  const changes: StateStoreHealth[] = [];
  store.onHealthChange((health) => changes.push(health));
  store.commit('acct', 'query_history', ['q1'], FAR_FUTURE, new Date('2026-01-01T00:00:00Z'));

  renameSync(path, `${path}.moved`); // as `rm` would: the path holds no file any more
  const health = store.verify();
  assert.ok(!health.ok && health.error.kind === 'deleted', JSON.stringify(health));
  assert.match(health.error.message, /was deleted while the exporter ran/);
  assert.throws(() => store.commit('acct', 'query_history', ['q2'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z')), stateError('deleted', path));
  assert.throws(() => store.filterSeen('acct', 'query_history', ['q1']), stateError('deleted'));
  assert.throws(() => store.recordCycle({ account: 'acct', startedAt: new Date(), finishedAt: new Date(), outcome: 'ok', statements: 0, rows: 0, estimatedCredits: 0, detail: '' }), stateError('deleted'));
  assert.equal(existsSync(path), false, 'nothing was recreated at the path');
  assert.deepEqual(changes.map((change) => (change.ok ? 'ok' : change.error.kind)), ['deleted']);

  renameSync(`${path}.moved`, path); // the same file (same inode) back
  assert.deepEqual(store.verify(), { ok: true });
  store.commit('acct', 'query_history', ['q2'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z'));
  assert.deepEqual(store.filterSeen('acct', 'query_history', ['q1', 'q2']), new Set(['q1', 'q2']));
  assert.deepEqual(changes.map((change) => (change.ok ? 'ok' : change.error.kind)), ['deleted', 'ok']);
});

test('a state file replaced by another file (a copy) under the open store is refused until restart', (t) => {
  const dir = tempStateDir(t);
  const path = join(dir, 'state.db');
  const store = openStateStore({ path });
  t.after(() => store.close());
  store.commit('acct', 'query_history', ['q1'], FAR_FUTURE, new Date('2026-01-01T00:00:00Z'));
  copyFileSync(path, join(dir, 'copy.db'));
  rmSync(path);
  renameSync(join(dir, 'copy.db'), path);

  assert.throws(() => store.getPosition('acct', 'query_history'), stateError('deleted', /replaced by another file/));
  assert.throws(() => store.commit('acct', 'query_history', ['q2'], FAR_FUTURE), stateError('deleted'));
  const health = store.health();
  assert.ok(!health.ok && health.error.kind === 'deleted');
});

test('writes refused by the kernel make the store unhealthy, move nothing, and it recovers when writes succeed', (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path });
  t.after(() => store.close());
  const changes: StateStoreHealth[] = [];
  store.onHealthChange((health) => changes.push(health));
  store.commit('acct', 'query_history', ['q1'], FAR_FUTURE, new Date('2026-01-01T00:00:00Z'));

  const restore = refuseFileWrites(process.pid);
  try {
    assert.throws(() => store.commit('acct', 'query_history', ['q2'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z')), stateError('io'));
    // Reads still answer, and say that nothing moved.
    assert.deepEqual(store.getPosition('acct', 'query_history')?.watermark, new Date('2026-01-01T00:00:00Z'));
    assert.deepEqual(store.filterSeen('acct', 'query_history', ['q1', 'q2']), new Set(['q1']));
    const health = store.health();
    assert.ok(!health.ok && health.error.kind === 'io' && health.error.operation === 'commit', JSON.stringify(health));
  } finally {
    restore();
  }
  store.commit('acct', 'query_history', ['q2'], FAR_FUTURE, new Date('2026-01-02T00:00:00Z'));
  assert.deepEqual(store.health(), { ok: true });
  assert.deepEqual(changes.map((change) => (change.ok ? 'ok' : change.error.kind)), ['io', 'ok']);
});

test('health: a failed commit clears only when that commit succeeds; other failures also with any commit; damage never', () => {
  let now = new Date('2026-01-01T00:00:00Z');
  const tracker = new StoreHealthTracker(() => now);
  const full = (operation: string) => new StateStoreError('full', operation, 'database or disk is full');
  const batch = commitKey('acct', 'query_history');

  tracker.failed(batch, full('commit'));
  const since = now;
  now = new Date('2026-01-01T00:05:00Z');
  tracker.succeeded('recordCycle', false);
  tracker.succeeded(commitKey('acct', 'login_history'), true); // a small watermark elsewhere fitted
  let health = tracker.current;
  assert.ok(!health.ok && health.error.kind === 'full');
  assert.deepEqual(health.since, since);
  tracker.succeeded(batch, true);
  assert.deepEqual(tracker.current, { ok: true });

  tracker.failed('setValue', full('setValue'));
  tracker.failed('internal-bug', new StateStoreError('internal', 'commit', 'RangeError'));
  assert.equal(tracker.current.ok, false);
  tracker.succeeded(batch, true);
  assert.deepEqual(tracker.current, { ok: true }, 'a successful commit clears a failure of an operation that may not run again for hours');

  tracker.failed('filterSeen', new StateStoreError('corrupt', 'filterSeen', 'database disk image is malformed'));
  tracker.succeeded(batch, true);
  health = tracker.current;
  assert.ok(!health.ok && health.error.kind === 'corrupt', 'a damaged file stays refused');
  assert.equal(tracker.refusal?.kind, 'corrupt');
});
