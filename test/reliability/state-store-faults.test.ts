// Reliability, the state store in trouble: its file write-locked by another process's connection, and its disk full
// (a real, small tmpfs filled up), each for several cycles while rows keep surfacing. The exporter reports it (source
// errors of kind "state", and a warning in its log with the store's code), keeps serving /metrics, moves no
// watermark it could not record, and once the store writes again catches up in the same process: every event the
// emulator holds downstream, none twice.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, statfsSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { it, type TestContext } from 'node:test';
import { parseExposition } from '../helpers/exporter-harness.ts';
import { assertDeliveredExactlyOnce, assertNoSecrets, rigOutputs } from '../helpers/reliability-assert.ts';
import { rigFor, type Rig } from '../helpers/reliability-rig.ts';
import { scaled } from '../helpers/reliability-scale.ts';

/** Cycles run while the file is locked (each commit waits out the store's short busy timeout, then fails). */
const LOCKED_CYCLES = scaled('RELIABILITY_LOCKED_CYCLES', 1, 3);

const stateErrors = (text: string): number =>
  parseExposition(text)
    .filter((sample) => sample.name === 'snowflake_risk_source_errors_total' && sample.labels.kind === 'state')
    .reduce((sum, sample) => sum + sample.value, 0);

/**
 * Cycles while the store cannot write: each reports a state error, /metrics answers, no cycle ends ok, and the log
 * says so: a warning naming the source, the kind and the store's code (`code`), never more than one per source and
 * cycle.
 */
async function cyclesWhileBroken(rig: Rig, rounds: number, code: string): Promise<string[]> {
  const logged = rig.logs.length;
  const outcomes: string[] = [];
  for (let round = 0; round < rounds; round++) {
    await rig.fresh(30, 10);
    rig.advance(60);
    outcomes.push((await rig.cycle())?.outcome ?? 'overlap');
  }
  assert.ok(stateErrors(await rig.scrape()) > 0, '/metrics answers and counts state errors');
  assert.ok(outcomes.every((outcome) => outcome !== 'ok'), `no cycle ends ok while the store cannot write: ${outcomes.join(', ')}`);
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
  return outcomes;
}

async function catchUp(rig: Rig): Promise<void> {
  rig.settle();
  const after = [await rig.cycle(), await rig.cycle()].map((report) => report?.outcome);
  assert.equal(after.at(-1), 'ok', `cycles after the store recovered: ${after.join(', ')}; ${rig.logs.slice(-5).join('\n')}`);
}

it('state file write-locked by another connection for several cycles: reported, metrics served, then exactly once', async (t) => {
  const rig = await rigFor(t, { seed: 0x10c4, account: { cycleDeadlineSeconds: 30 } });
  await rig.history(150, 40);
  assert.equal((await rig.cycle())?.outcome, 'ok');

  // Another process's connection (an operator's sqlite3 shell, a backup tool) holds the write lock.
  const other = new DatabaseSync(rig.statePath);
  other.exec('BEGIN EXCLUSIVE');
  let outcomes: string[];
  try {
    outcomes = await cyclesWhileBroken(rig, LOCKED_CYCLES, 'STATE_LOCKED');
  } finally {
    other.exec('ROLLBACK');
    other.close();
  }
  await catchUp(rig);
  const result = await assertDeliveredExactlyOnce(rig);
  t.diagnostic(`while locked: ${outcomes.join(', ')}; ${result.events} events, each once`);
  assertNoSecrets(rig.secrets, rigOutputs(rig));
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
