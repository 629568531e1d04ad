// kill -9 safety of the state store: a child Node process commits batches in a loop and is killed with SIGKILL at
// seeded random moments. After each kill the store is reopened and must hold every batch the child reported as
// committed, each batch whole or not at all, a watermark at or past the last reported one, and a database that
// passes PRAGMA integrity_check. The next child continues on the same file, so recovery from a torn WAL is
// exercised repeatedly.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { openStateStore } from '../../../src/state/index.ts';
import {
  batchOfWatermark,
  idsInBatch,
  KILL_TEST_ACCOUNT,
  KILL_TEST_STREAM,
  watermarkOf,
} from '../../helpers/state-kill-child.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';
import { seeded } from '../../helpers/seeded-random.ts';

const CHILD = join(import.meta.dirname, '../../helpers/state-kill-child.ts');
const ROUNDS = 6;

/** mulberry32: a tiny seeded generator so a failing kill schedule can be replayed. */
/** Runs the child from `startBatch`, kills it `delayMs` after its first commit, returns the batches it reported. */
async function runAndKill(path: string, startBatch: number, delayMs: number): Promise<number[]> {
  const child = spawn(process.execPath, [CHILD, path, String(startBatch)], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let firstCommit: () => void = () => undefined;
  const committedOnce = new Promise<void>((resolve) => (firstCommit = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('\n')) firstCommit();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<NodeJS.Signals | null>((resolve) => child.on('exit', (_code, signal) => resolve(signal)));

  await Promise.race([committedOnce, exited]);
  await sleep(delayMs);
  child.kill('SIGKILL');
  const signal = await exited;
  assert.equal(signal, 'SIGKILL', `the child must still be running when killed; stderr: ${stderr}`);

  // Only whole lines count: a line cut by the kill was never fully reported.
  return stdout
    .split('\n')
    .slice(0, -1)
    .map((line) => {
      const match = /^committed (\d+)$/.exec(line);
      assert.ok(match?.[1] !== undefined, `unexpected child output ${JSON.stringify(line)}`);
      return Number(match[1]);
    });
}

test('SIGKILL at random points never loses a reported commit nor leaves a partial one', async (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const random = seeded(0x5eed_0009);
  let nextBatch = 0;
  let lastReported = -1;

  for (let round = 0; round < ROUNDS; round++) {
    const delayMs = Math.floor(random() * 120);
    const reported = await runAndKill(path, nextBatch, delayMs);
    assert.ok(reported.length > 0, `round ${round}: the child committed nothing`);
    assert.equal(reported[0], nextBatch);
    lastReported = reported.at(-1) ?? lastReported;
    t.diagnostic(`round ${round}: killed ${delayMs} ms after the first commit, ${reported.length} batches reported`);

    const raw = new DatabaseSync(path); // first connection after the crash: recovers the WAL
    assert.equal(raw.prepare('PRAGMA integrity_check').get()?.integrity_check, 'ok', `round ${round}`);
    raw.close();

    const store = openStateStore({ path });
    try {
      const watermark = store.getPosition(KILL_TEST_ACCOUNT, KILL_TEST_STREAM)?.watermark;
      assert.ok(watermark !== undefined);
      const lastCommitted = batchOfWatermark(watermark);
      assert.ok(
        lastCommitted >= lastReported,
        `round ${round}: watermark of batch ${lastCommitted} behind reported ${lastReported}`,
      );
      // At most the one batch in flight at the kill may be committed without having been reported.
      assert.ok(lastCommitted <= lastReported + 1, `round ${round}: watermark ran ahead of the child`);
      assert.deepEqual(store.getPosition(KILL_TEST_ACCOUNT, KILL_TEST_STREAM)?.watermark, watermarkOf(lastCommitted));

      for (let batch = 0; batch <= lastCommitted; batch++) {
        const ids = idsInBatch(batch);
        assert.equal(store.filterSeen(KILL_TEST_ACCOUNT, KILL_TEST_STREAM, ids).size, ids.length, `batch ${batch} whole`);
      }
      const next = idsInBatch(lastCommitted + 1);
      assert.equal(store.filterSeen(KILL_TEST_ACCOUNT, KILL_TEST_STREAM, next).size, 0, 'the batch after it absent');
      nextBatch = lastCommitted + 1;
    } finally {
      store.close();
    }
  }
});
