// MemoryReleaser: one memory-reducing full collection once every cycle has ended, never while one runs, at most one
// per burst, and nothing at all without an exposed gc. The gc here is a recording stand-in (the real one would make
// the test's outcome depend on the heap); bench/memory.bench.ts measures what the real one returns to the system.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { MemoryReleaser, type GcFunction } from '../../../src/runtime/memory-release.ts';

function recordingGc(): { gc: GcFunction; calls: unknown[] } {
  const calls: unknown[] = [];
  return { gc: (options) => calls.push(options), calls };
}

test('after the last cycle of a burst ends: one last-resort major collection', async () => {
  const { gc, calls } = recordingGc();
  let busy = true;
  const released: number[] = [];
  const releaser = new MemoryReleaser({ busy: () => busy, gc, settleMs: 5, onReleased: (ms) => released.push(ms) });
  assert.equal(releaser.enabled, true);
  // Another account's cycle still runs when the first one finishes: nothing yet.
  releaser.cycleFinished();
  await sleep(30);
  assert.deepEqual(calls, []);
  // The last one finishes; several reports in a row make one collection.
  busy = false;
  releaser.cycleFinished();
  releaser.cycleFinished();
  releaser.cycleFinished();
  await sleep(30);
  assert.deepEqual(calls, [{ type: 'major', execution: 'sync', flavor: 'last-resort' }]);
  assert.equal(released.length, 1);
  // The next burst gets its own.
  releaser.cycleFinished();
  await sleep(30);
  assert.equal(calls.length, 2);
});

test('close cancels a pending release; without an exposed gc nothing happens', async () => {
  const { gc, calls } = recordingGc();
  const releaser = new MemoryReleaser({ busy: () => false, gc, settleMs: 5 });
  releaser.cycleFinished();
  releaser.close();
  await sleep(30);
  assert.deepEqual(calls, []);

  const hadGc = 'gc' in globalThis;
  assert.equal(hadGc, false, 'the test runner does not expose gc');
  const without = new MemoryReleaser({ busy: () => false, settleMs: 1 });
  assert.equal(without.enabled, false);
  without.cycleFinished();
  await sleep(10);
});
