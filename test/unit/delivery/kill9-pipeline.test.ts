// "Nothing lost, nothing twice" across kill -9: a child runs a small incremental stream through the real pipeline
// and store, with a file-appending sink, and is killed with SIGKILL at seeded random moments, then restarted until
// it finishes. Every event must reach the sink; the only repeats allowed are the records of a batch the sink had
// acknowledged when the kill landed before its commit (at most one batch per kill, which the Sink contract allows
// after a restart). The overlapping windows re-read up to a minute of events each time: none of those repeat.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { PIPELINE_BATCH_SIZE, TOTAL_EVENTS } from '../../helpers/state-pipeline-child.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';
import { seeded } from '../../helpers/seeded-random.ts';

const CHILD = join(import.meta.dirname, '../../helpers/state-pipeline-child.ts');
const KILLS = 5;

/** Runs the child; kills it `killAfterMs` after it is ready (or lets it finish when undefined). */
async function run(dbPath: string, sinkPath: string, killAfterMs: number | undefined): Promise<'done' | 'killed'> {
  const child = spawn(process.execPath, [CHILD, dbPath, sinkPath], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  let onReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (onReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) onReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  if (killAfterMs !== undefined) {
    await Promise.race([ready, exited]);
    await sleep(killAfterMs);
    child.kill('SIGKILL');
  }
  const { code, signal } = await exited;
  if (stdout.includes('done\n')) {
    // The kill may land between the child's last line and its exit: its work was complete either way.
    assert.ok(code === 0 || signal === 'SIGKILL', stderr);
    return 'done';
  }
  assert.equal(signal, 'SIGKILL', `child failed: code ${code}, stderr: ${stderr}`);
  return 'killed';
}

test('kill -9 during delivery loses no event and repeats at most the batch in flight per kill', async (t) => {
  const dir = tempStateDir(t);
  const dbPath = join(dir, 'state.db');
  const sinkPath = join(dir, 'sink.log');
  writeFileSync(sinkPath, '');
  const random = seeded(0x5eed_0004);

  let kills = 0;
  let outcome: 'done' | 'killed' = 'killed';
  for (let round = 0; round < KILLS + 1 && outcome !== 'done'; round++) {
    outcome = await run(dbPath, sinkPath, round < KILLS ? 10 + Math.floor(random() * 200) : undefined);
    if (outcome === 'killed') kills++;
  }
  assert.equal(outcome, 'done');
  // On a fast machine the last rounds may finish the stream before their kill lands; what matters is that the
  // stream was interrupted several times mid-delivery, and the bounds below hold for however many kills landed.
  assert.ok(kills >= 2, `only ${kills} kill(s) landed before the stream finished`);
  t.diagnostic(`${kills} kill(s) before the stream finished`);

  const counts = new Map<string, number>();
  for (const id of readFileSync(sinkPath, 'utf8').split('\n').filter(Boolean)) counts.set(id, (counts.get(id) ?? 0) + 1);
  for (let i = 0; i < TOTAL_EVENTS; i++) assert.ok(counts.has(`ev-${i}`), `ev-${i} was lost`);
  assert.equal(counts.size, TOTAL_EVENTS);
  const repeats = [...counts.values()].reduce((sum, count) => sum + count - 1, 0);
  t.diagnostic(`${repeats} repeated record(s) across ${kills} kill(s)`);
  assert.ok(repeats <= kills * PIPELINE_BATCH_SIZE, `${repeats} repeats for ${kills} kills`);

  // A run after completion delivers nothing at all.
  const before = readFileSync(sinkPath, 'utf8');
  assert.equal(await run(dbPath, sinkPath, undefined), 'done');
  assert.equal(readFileSync(sinkPath, 'utf8'), before);
});
