// Graceful stop (SIGTERM calls close()): a statement still running on Snowflake is cancelled there, not abandoned;
// close() returns promptly; the cut-off stream keeps its watermark (it is read again at the next start) while the
// streams that finished kept what they delivered. The LOGIN_HISTORY statement is made slow inside the emulator's
// engine (a wall-time wait that honours the statement's abort signal), as in deadline-cancel.test.ts.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { it } from 'node:test';
import type { AdminReport } from '../../../emulator/index.ts';
import { slowEmulatorFor } from '../../helpers/exporter-emulator.ts';
import { exporterConfigFor, minutesAfter, queryRow, RecordingExporterSink, tempDirFor } from '../../helpers/exporter-harness.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { openStateStore } from '../../../src/state/index.ts';

const T0 = new Date('2026-11-20T12:00:00Z');

function running(report: AdminReport): number {
  const s = report.statements;
  return s.executions - s.succeeded - s.failed - s.canceled - s.timedOut;
}

it('close() during a cycle cancels the running statement on Snowflake, keeps the cut-off watermark and returns promptly', async (t) => {
  const e = await slowEmulatorFor(t, { start: T0 });
  const statePath = join(tempDirFor(t), 'state.db');
  const sink = new RecordingExporterSink();
  const exporter = await startExporter(exporterConfigFor(e.account, statePath), { schedule: false, sinks: [sink] });
  let closed = false;
  t.after(async () => {
    if (!closed) await exporter.close();
  });
  assert.ok((await exporter.scheduler.runOnce(e.account.name)).ran, 'a warm-up cycle on empty views');

  await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -20))]);
  e.advance(30 * 60);
  e.setSlow([{ pattern: /LOGIN_HISTORY/i, ms: 120_000 }]);
  const cycle = exporter.scheduler.runOnce(e.account.name);
  // Wait until the slow statement is running inside the emulator, then stop as SIGTERM would.
  for (let attempt = 0; attempt < 1200 && e.slowStatements.length === 0; attempt++) await new Promise((wait) => setTimeout(wait, 25));
  assert.equal(e.slowStatements.length, 1, 'the slow statement started');
  const started = Date.now();
  await exporter.close();
  closed = true;
  const closeMs = Date.now() - started;
  await cycle.catch(() => undefined);

  assert.ok(closeMs < 20_000, `close() took ${closeMs} ms with a 120 s statement running`);
  // The emulator records the cancel as it processes it, and fast statements of the same cycle that were mid-flight
  // finish on their own within moments (on a busy machine a few may still be running when close() returns): wait up
  // to 30 s, far less than the 120 s the slow statement would run if it had been left behind.
  let admin = e.emulator.admin.report();
  for (let attempt = 0; attempt < 600 && (running(admin) > 0 || e.slowStatements[0]?.outcome !== 'aborted'); attempt++) {
    await new Promise((wait) => setTimeout(wait, 50));
    admin = e.emulator.admin.report();
  }
  assert.equal(e.slowStatements[0]?.outcome, 'aborted', 'the 120 s statement was cancelled on Snowflake, not left running');
  assert.ok((admin.requests.cancel ?? 0) >= 1, `the exporter asked Snowflake to cancel: ${JSON.stringify(admin.requests)}`);
  assert.equal(running(admin), 0, JSON.stringify(admin.statements));

  // What was committed survives: the cut-off stream's watermark did not move, so nothing of it is skipped later.
  const store = openStateStore({ path: statePath });
  try {
    assert.deepEqual(store.getPosition(e.account.name, 'login_history')?.watermark, T0);
  } finally {
    store.close();
  }
});
