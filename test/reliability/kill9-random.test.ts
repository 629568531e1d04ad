// Reliability, kill -9 at random moments: the exporter runs as a child process (test/helpers/exporter-child.ts, the
// configuration read from a YAML file with an `otlp` section, as a deployment has it) doing cycles back to back, and
// is killed with SIGKILL at a seeded random moment of wall time: while starting, between cycles, mid
// read, mid export, between the collector's acknowledgement and the commit. The collection kill tests in
// test/integration kill at a delivery or at a chosen OTLP request; this one does not aim, and goes on for more rounds
// (4 in the CI subset, 12 in the whole suite) while rows keep surfacing. A final child runs clean cycles.
//
// Judged downstream (the OTLP receiver): every event the emulator holds was acknowledged; an event acknowledged more
// than once only if, after the kill that followed its earlier acknowledgement, the state store did not hold it as
// delivered; and every sending of an event carried the same record id, so a collector deduplicating on it sees each
// event exactly once.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { ATTR_RECORD_ID } from '../../src/export/otlp/index.ts';
import { openStateStore } from '../../src/state/index.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../helpers/emulator-account.ts';
import { tempDirFor } from '../helpers/exporter-harness.ts';
import { OtlpReceiver, type ReceivedRecord } from '../helpers/otlp-receiver.ts';
import { assertNoSecrets } from '../helpers/reliability-assert.ts';
import { deliveredCounts, emulatorEventIds, eventIdOf, RIG_T0, RowFeed, secretsOf } from '../helpers/reliability-rig.ts';
import { scaled } from '../helpers/reliability-scale.ts';
import { seeded } from '../helpers/seeded-random.ts';

const CHILD = join(import.meta.dirname, '../helpers/exporter-child.ts');
const KILLS = scaled('RELIABILITY_KILLS', 4, 12);

function streamOf(record: ReceivedRecord): string {
  return record.attributes['snowflake.query.id'] !== undefined ? 'query_history' : 'login_history';
}

/** Event ids among `records` that the state store (opened as the next child will) does not hold as delivered. */
function uncommitted(statePath: string, account: string, records: readonly ReceivedRecord[]): Set<string> {
  const store = openStateStore({ path: statePath });
  try {
    const result = new Set<string>();
    for (const stream of ['query_history', 'login_history']) {
      const ids = records.filter((record) => streamOf(record) === stream).map((record) => eventIdOf(record) ?? '');
      const seen = store.filterSeen(account, stream, ids);
      for (const id of ids) if (!seen.has(id)) result.add(id);
    }
    return result;
  } finally {
    store.close();
  }
}

it(`kill -9 at ${KILLS} random moments across cycles: every event downstream, repeats only of uncommitted ones, stable record ids`, async (t) => {
  const random = seeded(0x4b_9a_4d);
  const e = await keyPairEmulatorFor(t, { start: RIG_T0, emulatorOptions: { partitionRows: 60 } });
  const receiver = await OtlpReceiver.start();
  t.after(() => receiver.close());
  const feed = new RowFeed(e, random);
  const dir = tempDirFor(t, 'sre-kill-random-');
  const keyPath = join(dir, 'key.p8');
  const statePath = join(dir, 'state.db');
  assert.equal(e.account.auth.method, 'keypair');
  if (e.account.auth.method === 'keypair') writeFileSync(keyPath, e.account.auth.privateKey.reveal(), { mode: 0o600 });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    [
      'server: { listen: "127.0.0.1:0" }',
      `state: { path: ${JSON.stringify(statePath)} }`,
      `otlp: { endpoint: ${JSON.stringify(receiver.url)}, maxBatch: 50, timeout: 2s }`,
      'accounts:',
      `  - name: ${e.account.name}`,
      `    account: ${EMULATED_ACCOUNT_IDENTIFIER}`,
      `    endpoint: ${e.emulator.url.origin}`,
      `    user: ${EMULATED_USER}`,
      `    role: ${EMULATED_ROLE}`,
      `    warehouse: ${EMULATED_WAREHOUSE}`,
      '    jitter: 0s',
      // Time moves fast here; a week of backfill keeps the history inside the first window whenever it commits.
      '    backfill: 7d',
      '    detections: { enabled: [] }',
      `    auth: { method: keypair, privateKey: ${JSON.stringify(`file:${keyPath}`)} }`,
      '',
    ].join('\n'),
  );
  const run = (args: readonly string[]) => {
    const child = spawn(process.execPath, [CHILD, configPath, join(dir, 'file-sink.jsonl'), ...args], {
      stdio: ['ignore', 'pipe', 'pipe'],
      env: { PATH: process.env.PATH ?? '' },
    });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) => child.on('exit', (code, signal) => resolve({ code, signal })));
    return { child, exited, stdout: () => stdout, stderr: () => stderr };
  };

  await feed.insert(300, 80, true);
  const uncommittedAtKill: Set<string>[] = [];
  const roundOfRequest: number[] = [];
  const moments: string[] = [];
  for (let round = 0; round < KILLS; round++) {
    await feed.insert(50, 15, false);
    const firstRequest = receiver.requests.length;
    const started = run(['loop']);
    // Every fourth kill lands during start-up; the others up to a few seconds (several cycles) after it. Rows surface
    // and time moves meanwhile.
    const duringStartup = round % 4 === 3;
    if (!duringStartup) {
      const giveUpAt = Date.now() + 60_000;
      while (!started.stdout().includes('ready\n')) {
        assert.ok(Date.now() < giveUpAt && started.child.exitCode === null, `round ${round}: the child did not start: ${started.stderr()}`);
        await sleep(20);
      }
    }
    const killAfterMs = Math.floor(random() * (duringStartup ? 1000 : 4000));
    const until = Date.now() + killAfterMs;
    while (Date.now() < until) {
      e.advance(2 * 60);
      await sleep(50);
    }
    started.child.kill('SIGKILL');
    const { signal } = await started.exited;
    assert.equal(signal, 'SIGKILL', `round ${round}: the child was still running; stderr: ${started.stderr()}`);
    for (let i = firstRequest; i < receiver.requests.length; i++) roundOfRequest[i] = round;
    const acknowledged = receiver.requests.slice(firstRequest).filter((request) => request.status === 200).flatMap((request) => request.records);
    uncommittedAtKill.push(uncommitted(statePath, e.account.name, acknowledged));
    const cycles = started.stdout().split('\n').filter((line) => line.startsWith('cycle ')).length;
    moments.push(`${duringStartup ? 'start-up' : 'ready'} + ${killAfterMs} ms: ${cycles} cycle(s), ${acknowledged.length} acknowledged`);
  }

  // Past every latency: a clean run of two cycles.
  e.advance(3 * 3600);
  const firstFinal = receiver.requests.length;
  const final = run(['once', '2']);
  const { code } = await final.exited;
  assert.equal(code, 0, `the final run failed: ${final.stderr()}`);
  for (let i = firstFinal; i < receiver.requests.length; i++) roundOfRequest[i] = KILLS;

  // Nothing lost, nothing foreign.
  const expected = await emulatorEventIds(e, e.account);
  const counts = deliveredCounts(receiver.acknowledged());
  assert.deepEqual([...counts.keys()].sort(), expected);
  // One record id per event, across every sending (answered or not).
  const recordIds = new Map<string, Set<unknown>>();
  for (const record of receiver.received()) {
    const id = eventIdOf(record) ?? '';
    recordIds.set(id, (recordIds.get(id) ?? new Set()).add(record.attributes[ATTR_RECORD_ID]));
  }
  assert.deepEqual([...recordIds].filter(([, ids]) => ids.size !== 1).map(([id]) => id), [], 'events sent under more than one record id');
  // Repeated acknowledgements only of what a kill left acknowledged but uncommitted.
  const roundsOf = new Map<string, number[]>();
  for (const request of receiver.requests) {
    if (request.status !== 200) continue;
    for (const record of request.records) {
      const id = eventIdOf(record) ?? '';
      roundsOf.set(id, [...(roundsOf.get(id) ?? []), roundOfRequest[request.index] ?? -1]);
    }
  }
  let repeats = 0;
  for (const [id, rounds] of roundsOf) {
    for (let i = 1; i < rounds.length; i++) {
      repeats++;
      const previous = rounds[i - 1] ?? -1;
      assert.ok(previous >= 0 && previous < KILLS && uncommittedAtKill[previous]?.has(id) === true, `event ${id} acknowledged again (rounds ${rounds.join(', ')}) although committed`);
    }
  }
  assertNoSecrets(secretsOf(e.account), { 'OTLP records': JSON.stringify(receiver.received()), 'final run output': final.stdout() + final.stderr() });
  t.diagnostic(`kills after ${moments.join('; ')}; ${expected.length} events, ${repeats} acknowledged twice (all uncommitted at a kill)`);
});
