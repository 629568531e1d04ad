// Reliability, the state store in trouble. The exporter must never look healthy while its store is broken, must move
// no watermark it cannot record, and must deliver every event the emulator holds downstream, none twice:
// - a second exporter on the same state file (two writers once sent 5,864 records twice): refused at start, exit 2;
// - the state file deleted under the running exporter: refused, not recreated; /readyz and snowflake_risk_up say so;
//   after a restart nothing is lost;
// - a damaged state file (pages overwritten in a real database file): start refused with exit 2 and the way out;
// - the kernel refusing the store's writes on the running process (RLIMIT_FSIZE lowered with prlimit: the same
//   failure as a full disk or a read-only remount, in the middle of a WAL append, without mounting anything);
// - its disk full (a real, small tmpfs filled up), where mounting is allowed.
// /readyz and /metrics are read over HTTP.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { closeSync, existsSync, mkdirSync, mkdtempSync, openSync, rmSync, statfsSync, statSync, writeFileSync, writeSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { it, type TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_RECORD_ID } from '../../src/export/otlp/index.ts';
import { parseExposition, sampleValue } from '../helpers/exporter-harness.ts';
import { exporterProcessFixture, waitForAnswer, type ExporterProcess, type ExporterProcessFixture } from '../helpers/exporter-process.ts';
import { assertDeliveredExactlyOnce, assertNoSecrets, rigOutputs } from '../helpers/reliability-assert.ts';
import { deliveredCounts, emulatorEventIds, eventIdOf, rigFor, secretsOf, type Rig } from '../helpers/reliability-rig.ts';
import { refuseFileWrites } from '../helpers/state-write-refusal.ts';

const stateErrors = (text: string): number =>
  parseExposition(text)
    .filter((sample) => sample.name === 'snowflake_risk_source_errors_total' && sample.labels.kind === 'state')
    .reduce((sum, sample) => sum + sample.value, 0);

async function readyz(url: URL): Promise<{ status: number; body: string }> {
  const response = await fetch(new URL('/readyz', url), { signal: AbortSignal.timeout(10_000) });
  return { status: response.status, body: await response.text() };
}

/**
 * Cycles while the store cannot write: each reports a state error, /metrics answers, no cycle ends ok, not ready.
 * With `code`, the log says so too: a warning naming the source, the kind and the store's code, never more than one
 * per source and cycle.
 */
async function cyclesWhileBroken(rig: Rig, rounds: number, code?: string): Promise<string[]> {
  const logged = rig.logs.length;
  const outcomes: string[] = [];
  for (let round = 0; round < rounds; round++) {
    await rig.fresh(30, 10);
    rig.advance(60);
    outcomes.push((await rig.cycle())?.outcome ?? 'overlap');
  }
  const metrics = await rig.scrape();
  assert.ok(stateErrors(metrics) > 0, '/metrics answers and counts state errors');
  assert.equal(sampleValue(metrics, 'snowflake_risk_up', { account: rig.account.name }), 0, 'the account is not up while its store fails');
  const ready = await readyz(rig.exporter.url);
  assert.equal(ready.status, 503, ready.body);
  assert.match(ready.body, /state store failing since/);
  assert.ok(outcomes.every((outcome) => outcome !== 'ok'), `no cycle ends ok while the store cannot write: ${outcomes.join(', ')}`);
  if (code !== undefined) {
    const warnings = rig.logs.slice(logged).filter((line) => line.startsWith('warn ') && line.includes(`state, ${code}: `));
    assert.ok(
      warnings.some((line) => new RegExp(`^warn account ${rig.account.name}: source (query_history|login_history) failed: state, ${code}: `).test(line)),
      `the log names the failing stream and the store's code: ${rig.logs.slice(logged).join('\n')}`,
    );
    const perSource = new Map<string, number>();
    for (const line of warnings) {
      const source = /: source (\S+) failed: /.exec(line)?.[1];
      if (source !== undefined) perSource.set(source, (perSource.get(source) ?? 0) + 1);
    }
    assert.ok([...perSource.values()].every((count) => count <= rounds), `at most one warning per source and cycle: ${JSON.stringify([...perSource])}`);
  }
  return outcomes;
}

async function catchUp(rig: Rig): Promise<void> {
  rig.settle();
  const after = [await rig.cycle(), await rig.cycle()].map((report) => report?.outcome);
  assert.equal(after.at(-1), 'ok', `cycles after the store recovered: ${after.join(', ')}; ${rig.logs.slice(-5).join('\n')}`);
  assert.equal((await readyz(rig.exporter.url)).status, 200);
  assert.equal(sampleValue(await rig.scrape(), 'snowflake_risk_up', { account: rig.account.name }), 1);
}

/** Every event the emulator holds acknowledged downstream; each one always under the same record id. */
async function assertNothingLost(f: ExporterProcessFixture): Promise<Map<string, number>> {
  const expected = await emulatorEventIds(f.e, f.e.account);
  const counts = deliveredCounts(f.receiver.acknowledged());
  assert.deepEqual([...counts.keys()].sort(), expected, 'every event downstream, nothing foreign');
  const recordIds = new Map<string, Set<unknown>>();
  for (const record of f.receiver.received()) {
    const id = eventIdOf(record) ?? '';
    recordIds.set(id, (recordIds.get(id) ?? new Set()).add(record.attributes[ATTR_RECORD_ID]));
  }
  assert.deepEqual([...recordIds].filter(([, ids]) => ids.size !== 1).map(([id]) => id), [], 'events sent under more than one record id');
  return counts;
}

async function cleanExit(run: ExporterProcess, what: string): Promise<void> {
  const { code, signal } = await run.exited;
  assert.deepEqual({ code, signal }, { code: 0, signal: null }, `${what}: ${run.stderr()}`);
}

async function waitUntil(condition: () => boolean, what: string, timeoutMs = 60_000): Promise<void> {
  const giveUpAt = Date.now() + timeoutMs;
  while (!condition()) {
    assert.ok(Date.now() < giveUpAt, `timed out waiting for ${what}`);
    await sleep(50);
  }
}

/** Waits until the process exits, or fails the test if it is still running after `ms`. */
async function exitWithin(run: ExporterProcess, ms: number, what: string): Promise<number | null> {
  const timer = new Promise<'running'>((resolve) => setTimeout(() => resolve('running'), ms).unref());
  const result = await Promise.race([run.exited, timer]);
  assert.notEqual(result, 'running', `${what} was still running after ${ms} ms; stdout: ${run.stdout().slice(-500)}; stderr: ${run.stderr().slice(-2000)}`);
  return result === 'running' ? null : result.code;
}

it('two exporters on one state file: the second is refused at start (exit 2, naming the file and the pid), the first delivers each event once', async (t) => {
  const f = await exporterProcessFixture(t, 0x2e1f);
  await f.feed.insert(150, 40, true);
  const first = f.child('loop');
  await first.url();
  await f.feed.insert(40, 10, false);
  f.e.advance(3 * 3600);

  // The same configuration started again, e.g. a second replica on a shared volume, or a manual run beside the pod.
  const second = f.cli();
  const code = await exitWithin(second, 30_000, 'the second exporter');
  assert.equal(code, 2, second.stderr());
  assert.ok(second.stderr().includes(`the state file ${f.statePath} is in use by another process (pid ${first.pid})`), second.stderr());
  assert.match(second.stderr(), /only one exporter may use a state file/);

  first.signal('SIGTERM');
  await cleanExit(first, 'the first exporter');
  const final = f.child('once', '2');
  await cleanExit(final, 'the next start');
  assert.deepEqual(final.cycles(), ['ok', 'ok']);
  const counts = await assertNothingLost(f);
  assert.deepEqual([...counts].filter(([, count]) => count > 1).map(([id]) => id), [], 'nothing acknowledged twice');
  t.diagnostic(`${counts.size} events, each once; the first exporter ran ${first.cycles().length} cycle(s)`);
  assertNoSecrets(secretsOf(f.e.account), { 'second exporter output': second.stdout() + second.stderr(), 'OTLP records': JSON.stringify(f.receiver.received()) });
});

it('state file deleted under the running exporter: refused and not recreated, /readyz and snowflake_risk_up say so; after a restart nothing is lost', async (t) => {
  const rig = await rigFor(t, { seed: 0xde1e, account: { cycleDeadlineSeconds: 30 } });
  await rig.history(150, 40);
  assert.equal((await rig.cycle())?.outcome, 'ok');
  assert.equal((await readyz(rig.exporter.url)).status, 200);

  // As `rm -f data/*` (or a temp cleaner) would: the file and its WAL leave the directory, the open descriptors stay.
  rmSync(rig.statePath);
  rmSync(`${rig.statePath}-wal`, { force: true });
  const acknowledgedBefore = rig.acknowledged().length;
  const outcomes = await cyclesWhileBroken(rig, 2);
  assert.equal(rig.acknowledged().length, acknowledgedBefore, 'nothing was sent that could not be recorded as delivered');
  assert.equal(existsSync(rig.statePath), false, 'the exporter did not recreate the file mid-run');
  assert.match((await readyz(rig.exporter.url)).body, /\(deleted in /);
  const line = rig.logs.find((entry) => entry.startsWith('error state store failing (deleted)'));
  assert.ok(line?.includes(rig.statePath) === true && line.includes('restart'), rig.logs.slice(-5).join('\n'));

  // The operator restarts it: an empty state file; every account reads its backfill again, nothing is lost.
  await rig.restart();
  assert.equal((await readyz(rig.exporter.url)).status, 200);
  await catchUp(rig);
  const repeats = new Set([...rig.deliveredCounts()].filter(([, count]) => count > 1).map(([id]) => id));
  const result = await assertDeliveredExactlyOnce(rig, repeats);
  t.diagnostic(`while deleted: ${outcomes.join(', ')}; after the restart ${result.events} events, ${repeats.size} sent again from the backfill`);
  assertNoSecrets(rig.secrets, rigOutputs(rig));
});

/** Overwrites pages of a closed database file with garbage, as a torn write or a bad disk block would. */
function damagePages(path: string): void {
  const pageSize = 4096;
  const pages = statSync(path).size / pageSize;
  assert.ok(Number.isInteger(pages) && pages > 8, `a database of whole pages (${pages})`);
  const fd = openSync(path, 'r+');
  try {
    for (const page of [pages - 2, Math.floor(pages / 2)]) writeSync(fd, Buffer.alloc(pageSize, 0x5a), 0, pageSize, page * pageSize);
  } finally {
    closeSync(fd);
  }
}

it('damaged state file: start refused (exit 2) naming the file, restore or delete, and the cost; deleted, the next start loses nothing', async (t) => {
  const f = await exporterProcessFixture(t, 0xc0aa);
  await f.feed.insert(300, 80, true);
  const first = f.child('once', '1');
  await cleanExit(first, 'the first run');
  damagePages(f.statePath);

  const refused = f.cli();
  assert.equal(await exitWithin(refused, 30_000, 'the exporter on a damaged file'), 2, refused.stderr());
  const message = refused.stderr();
  assert.ok(message.includes(`the state file ${f.statePath} is damaged`), message);
  // Found by the integrity check, or by SQLite itself when a damaged page is among the first it reads.
  for (const part of ['restore', 'from a backup', 'delete it', 'backfill window again', '/oauth/start']) {
    assert.ok(message.includes(part), `${JSON.stringify(part)} not in: ${message}`);
  }
  assert.ok(existsSync(f.statePath), 'the damaged file is left for the operator');

  // The operator follows the advice: deletes it, starts again.
  rmSync(f.statePath);
  rmSync(`${f.statePath}-wal`, { force: true });
  f.e.advance(3 * 3600);
  const again = f.child('once', '2');
  await cleanExit(again, 'the start after deleting the file');
  assert.deepEqual(again.cycles(), ['ok', 'ok']);
  const counts = await assertNothingLost(f);
  t.diagnostic(`${counts.size} events, ${[...counts.values()].filter((count) => count > 1).length} sent again from the backfill (same record ids)`);
});

it('the kernel refuses the store\'s writes on the running exporter: not ready, up 0, no watermark moves; writes back, each event once', async (t) => {
  const f = await exporterProcessFixture(t, 0xfb16);
  await f.feed.insert(150, 40, true);
  const run = f.child('loop');
  const url = await run.url();
  await waitForAnswer(new URL('/metrics', url), (status, body) => status === 200 && sampleValue(body, 'snowflake_risk_up', { account: f.e.account.name }) === 1);
  assert.equal((await readyz(url)).status, 200);

  // RLIMIT_FSIZE 0 on the exporter's process: every write it makes to a regular file fails with EFBIG, as writes do
  // on a full disk (ENOSPC) or a volume remounted read-only (EROFS). Its HTTP answers and its log are not files.
  const restore = refuseFileWrites(run.pid);
  t.after(() => {
    try {
      restore(); // a no-op once restored below
    } catch {
      // the process is gone already
    }
  });
  const cyclesBefore = run.cycles().length;
  await f.feed.insert(40, 10, false);
  f.e.advance(3 * 3600);
  const notReady = await waitForAnswer(new URL('/readyz', url), (status) => status === 503);
  assert.match(notReady.body, /state store failing since .* \(io in /);
  const metrics = await waitForAnswer(new URL('/metrics', url), (status, body) => status === 200 && stateErrors(body) > 0);
  assert.equal(sampleValue(metrics.body, 'snowflake_risk_up', { account: f.e.account.name }), 0);
  // Several cycles while broken, new rows surfacing meanwhile.
  for (let i = 0; i < 2; i++) {
    await f.feed.insert(20, 5, false);
    f.e.advance(30 * 60);
    const seen = run.cycles().length;
    await waitUntil(() => run.cycles().length >= seen + 2, 'two more cycles while writes are refused');
  }
  const broken = run.cycles().slice(cyclesBefore + 1);
  assert.ok(broken.length >= 2 && broken.every((outcome) => outcome !== 'ok'), `cycles while writes were refused: ${broken.join(', ')}`);
  assert.match(run.stderr(), /error state store failing \(io\): .*What to do: the operating system refused a read or write of /);

  restore();
  f.e.advance(3 * 3600);
  await waitForAnswer(new URL('/readyz', url), (status) => status === 200);
  await waitForAnswer(new URL('/metrics', url), (status, body) => status === 200 && sampleValue(body, 'snowflake_risk_up', { account: f.e.account.name }) === 1);
  assert.match(run.stderr(), /info state store .* works again/);
  run.signal('SIGTERM');
  await cleanExit(run, 'the exporter after its writes came back');

  const final = f.child('once', '2');
  await cleanExit(final, 'the next start');
  const counts = await assertNothingLost(f);
  assert.deepEqual([...counts].filter(([, count]) => count > 1).map(([id]) => id), [], 'nothing acknowledged twice');
  t.diagnostic(`writes refused for ${broken.length} cycle(s): ${broken.join(', ')}; ${counts.size} events, each once`);
});

/** A small tmpfs for the state file, unmounted when the test ends; undefined where mounting is not permitted. */
function tinyFilesystem(t: TestContext): string | undefined {
  const dir = mkdtempSync(join(tmpdir(), 'sre-fulldisk-'));
  try {
    execFileSync('mount', ['-t', 'tmpfs', '-o', 'size=4m', 'tmpfs', dir], { stdio: 'ignore' });
  } catch {
    rmSync(dir, { recursive: true, force: true });
    return undefined;
  }
  t.after(() => {
    execFileSync('umount', ['-l', dir], { stdio: 'ignore' });
    rmSync(dir, { recursive: true, force: true });
  });
  return dir;
}

it('state store on a full disk for several cycles: reported, metrics served, then exactly once', async (t) => {
  const mountPoint = tinyFilesystem(t);
  if (mountPoint === undefined) {
    t.skip('mounting a tmpfs needs root (CAP_SYS_ADMIN); the full-disk case runs where it is allowed');
    return;
  }
  const stateDir = join(mountPoint, 'state');
  mkdirSync(stateDir);
  const rig = await rigFor(t, { seed: 0xf011, account: { cycleDeadlineSeconds: 30 }, statePath: join(stateDir, 'state.db') });
  await rig.history(150, 40);
  assert.equal((await rig.cycle())?.outcome, 'ok');

  // Fill every free block: the next write the store needs fails with ENOSPC (SQLITE_FULL).
  const filler = join(mountPoint, 'filler');
  const free = (): number => {
    const stats = statfsSync(mountPoint);
    return stats.bavail * stats.bsize;
  };
  writeFileSync(filler, Buffer.alloc(free()));
  let outcomes: string[];
  try {
    outcomes = await cyclesWhileBroken(rig, 2, 'STATE_FULL');
  } finally {
    rmSync(filler);
  }
  await catchUp(rig);
  const result = await assertDeliveredExactlyOnce(rig);
  t.diagnostic(`disk full: ${outcomes.join(', ')}; ${result.events} events, each once`);
  assertNoSecrets(rig.secrets, rigOutputs(rig));
});
