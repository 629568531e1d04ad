// Issue 6, crash and shutdown: the exporter runs as a CHILD process configured from a YAML file with an `otlp`
// section pointing at an in-process OTLP/HTTP receiver (protobuf decoded with the official definitions).
//
// kill -9: test/helpers/exporter-child.ts (the pattern of the collection kill -9 test) runs cycles back to back; the
// receiver kills it with SIGKILL at a seeded request, either before answering (the collector has the records, the
// exporter never heard back) or right after answering (acknowledged; the commit may not have happened). A new child
// starts on the same state file each round; a final one runs clean cycles. Judged: every event reaches the collector;
// every re-sent record carries the record id it had the first time; an event is acknowledged twice only when the
// state store did not hold it as delivered after the kill (acknowledged, not committed).
//
// SIGTERM: the real command line (bin/snowflake-risk-exporter.js) with a slow collector gets SIGTERM while it
// exports; it exits 0 within its flush bound, and everything the collector acknowledged is committed: a later run
// sends none of it again, and sends the rest.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import { ATTR_RECORD_ID } from '../../../src/export/otlp/index.ts';
import { openStateStore } from '../../../src/state/index.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, keyPairEmulatorFor, type KeyPairEmulator } from '../../helpers/emulator-account.ts';
import { loginRow, minutesAfter, queryRow, sorted, tempDirFor } from '../../helpers/exporter-harness.ts';
import { OtlpReceiver, type ReceivedRecord } from '../../helpers/otlp-receiver.ts';
import { seeded } from '../../helpers/seeded-random.ts';

const CHILD = join(import.meta.dirname, '../../helpers/exporter-child.ts');
const CLI = join(import.meta.dirname, '../../../bin/snowflake-risk-exporter.js');
const T0 = new Date('2026-11-20T12:00:00Z');
const KILLS = 6;

interface ChildRun {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  signal(name: NodeJS.Signals): void;
}

function start(args: readonly string[]): ChildRun {
  // Only what the exporter needs: no OTEL_* or SNOWFLAKE_RISK_EXPORTER_* from the developer's shell.
  const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
  let stdout = '';
  let stderr = '';
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { stdout: () => stdout, stderr: () => stderr, exited, signal: (name) => child.kill(name) };
}

/** The configuration file of a deployment: key from a file reference, OTLP to the receiver. */
function writeConfig(t: TestContext, e: KeyPairEmulator, receiver: OtlpReceiver, otlpExtra: readonly string[]): { configPath: string; statePath: string } {
  const dir = tempDirFor(t, 'sre-otlp-');
  const keyPath = join(dir, 'key.p8');
  const statePath = join(dir, 'state.db');
  assert.equal(e.account.auth.method, 'keypair');
  if (e.account.auth.method === 'keypair') writeFileSync(keyPath, e.account.auth.privateKey.reveal(), { mode: 0o600 });
  const configPath = join(dir, 'config.yaml');
  writeFileSync(
    configPath,
    [
      'server:',
      '  listen: "127.0.0.1:0"',
      'state:',
      `  path: ${JSON.stringify(statePath)}`,
      'otlp:',
      `  endpoint: ${receiver.url}`,
      ...otlpExtra.map((line) => `  ${line}`),
      'accounts:',
      `  - name: ${e.account.name}`,
      `    account: ${EMULATED_ACCOUNT_IDENTIFIER}`,
      `    endpoint: ${e.emulator.url.origin}`,
      `    user: ${EMULATED_USER}`,
      `    role: ${EMULATED_ROLE}`,
      `    warehouse: ${EMULATED_WAREHOUSE}`,
      '    jitter: 0s',
      '    detections:',
      '      enabled: []',
      '    auth:',
      '      method: keypair',
      `      privateKey: ${JSON.stringify(`file:${keyPath}`)}`,
      '',
    ].join('\n'),
  );
  return { configPath, statePath };
}

function eventIdOf(record: ReceivedRecord): string {
  return String(record.attributes['snowflake.query.id'] ?? record.attributes['snowflake.login.event_id']);
}

function streamOf(record: ReceivedRecord): string {
  return record.attributes['snowflake.query.id'] !== undefined ? 'query_history' : 'login_history';
}

/** Event ids among `records` that the state store does not hold as delivered. */
function uncommitted(statePath: string, account: string, records: readonly ReceivedRecord[]): Set<string> {
  const store = openStateStore({ path: statePath });
  try {
    const result = new Set<string>();
    for (const stream of ['query_history', 'login_history']) {
      const ids = records.filter((record) => streamOf(record) === stream).map(eventIdOf);
      const seen = store.filterSeen(account, stream, ids);
      for (const id of ids) if (!seen.has(id)) result.add(id);
    }
    return result;
  } finally {
    store.close();
  }
}

describe('OTLP records across crashes and shutdown', () => {
  it('kill -9 between export and commit: nothing lost, re-sent records keep their record ids', async (t) => {
    const random = seeded(0x07_1b_00_09);
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    const { configPath, statePath } = writeConfig(t, e, receiver, ['maxBatch: 20', 'timeout: 2s']);

    const expected = new Set<string>();
    let nextQuery = 0;
    let nextLogin = 1;
    const insert = async (queries: number, logins: number, at: Date): Promise<void> => {
      const qs = Array.from({ length: queries }, (_, i) => queryRow(`q-${nextQuery++}`, minutesAfter(at, -60 - i)));
      const ls = Array.from({ length: logins }, (_, i) => loginRow(nextLogin++, minutesAfter(at, -130 - i)));
      for (const row of [...qs.map((r) => String(r.QUERY_ID)), ...ls.map((r) => String(r.EVENT_ID))]) expected.add(row);
      await e.engine.insertRows('QUERY_HISTORY', qs);
      await e.engine.insertRows('LOGIN_HISTORY', ls);
    };

    /** Per kill: the records the killed child's collector acknowledged that its state store did not commit. */
    const uncommittedAtKill: Set<string>[] = [];
    /** Per round: the request index range that round's child made. */
    const rounds: { first: number; last: number }[] = [];
    for (let round = 0; round < KILLS; round++) {
      await insert(60, 20, e.now());
      const first = receiver.requests.length;
      // Each round adds 80 records and a request carries at most 20: the child makes at least 4 requests.
      const killAt = first + Math.floor(random() * 4);
      const answerFirst = round % 2 === 1;
      const current: { child?: ChildRun } = {};
      receiver.plan = (request) => {
        if (request.index !== killAt) return { status: 200 };
        const kill = (): void => current.child?.signal('SIGKILL');
        // Before answering: the collector holds the records, the exporter never learns it. After: acknowledged.
        return answerFirst ? { status: 200, after: kill } : { status: 200, never: true, before: kill };
      };
      const child = start([CHILD, configPath, join(tempDirFor(t), 'sink.jsonl'), 'loop']);
      current.child = child;
      // A watchdog, so a child that never reaches the chosen request fails the test instead of hanging it.
      const watchdog = setTimeout(() => child.signal('SIGTERM'), 60_000);
      const { signal } = await child.exited;
      clearTimeout(watchdog);
      assert.equal(signal, 'SIGKILL', `round ${round}: the child must die by the kill at request ${killAt}; stderr: ${child.stderr()}`);
      rounds.push({ first, last: receiver.requests.length - 1 });
      const acknowledged = receiver.requests.slice(first).filter((request) => request.status === 200).flatMap((request) => request.records);
      const left = uncommitted(statePath, e.account.name, acknowledged);
      // The pipeline commits one OTLP request's worth per stream at a time: a kill leaves at most that uncommitted.
      assert.ok(left.size <= 2 * 20, `round ${round}: ${left.size} acknowledged records left uncommitted`);
      uncommittedAtKill.push(left);
      e.advance(30 * 60);
    }

    // Past every latency; a clean run of two cycles with a collector that answers everything.
    receiver.plan = () => ({ status: 200 });
    e.advance(3 * 3600);
    const finalFirst = receiver.requests.length;
    const final = start([CHILD, configPath, join(tempDirFor(t), 'sink.jsonl'), 'once', '2']);
    const { code } = await final.exited;
    assert.equal(code, 0, `the final run failed: ${final.stderr()}`);
    rounds.push({ first: finalFirst, last: receiver.requests.length - 1 });

    // Nothing lost: every event was acknowledged.
    const acknowledged = receiver.acknowledged();
    assert.deepEqual(sorted(new Set(acknowledged.map(eventIdOf))), sorted(expected));
    // Every sending of an event carried the same record id, killed requests included.
    const recordIds = new Map<string, Set<unknown>>();
    for (const record of receiver.received()) {
      recordIds.set(eventIdOf(record), (recordIds.get(eventIdOf(record)) ?? new Set()).add(record.attributes[ATTR_RECORD_ID]));
    }
    const unstable = [...recordIds].filter(([, ids]) => ids.size !== 1).map(([id]) => id);
    assert.deepEqual(unstable, [], 'events sent under more than one record id');
    // Records a killed request carried without an answer were sent again.
    const resent = receiver.requests.filter((request) => request.status === undefined).flatMap((request) => request.records);
    assert.ok(resent.length > 0, 'some kills caught records on their way');
    const acknowledgedIds = new Set(acknowledged.map(eventIdOf));
    assert.ok(resent.every((record) => acknowledgedIds.has(eventIdOf(record))));
    // A repeat acknowledgement only for what a kill left acknowledged but uncommitted.
    const roundOf = (index: number): number => rounds.findIndex((range) => index >= range.first && index <= range.last);
    const seenIn = new Map<string, number[]>();
    for (const request of receiver.requests) {
      if (request.status !== 200) continue;
      for (const record of request.records) seenIn.set(eventIdOf(record), [...(seenIn.get(eventIdOf(record)) ?? []), roundOf(request.index)]);
    }
    let repeats = 0;
    for (const [id, inRounds] of seenIn) {
      for (let i = 1; i < inRounds.length; i++) {
        repeats++;
        const previous = inRounds[i - 1] ?? -1;
        assert.ok(previous < KILLS && uncommittedAtKill[previous]?.has(id) === true, `event ${id} acknowledged again (rounds ${inRounds.join(', ')}) although committed`);
      }
    }
    t.diagnostic(`${expected.size} events, ${receiver.requests.length} requests, ${resent.length} records in unanswered requests, ${repeats} acknowledged twice`);
  });

  it('SIGTERM flushes within its bound and commits what the collector acknowledged', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const qs = Array.from({ length: 400 }, (_, i) => queryRow(`q-${i}`, minutesAfter(T0, -60 - i)));
    const ls = Array.from({ length: 100 }, (_, i) => loginRow(500 + i, minutesAfter(T0, -130 - i)));
    await e.engine.insertRows('QUERY_HISTORY', qs);
    await e.engine.insertRows('LOGIN_HISTORY', ls);
    const expected = [...qs.map((row) => String(row.QUERY_ID)), ...ls.map((row) => String(row.EVENT_ID))];
    const receiver = await OtlpReceiver.start();
    t.after(() => receiver.close());
    const { configPath, statePath } = writeConfig(t, e, receiver, ['maxBatch: 50', 'shutdownFlush: 20s']);

    // A slow collector: every answer takes 100 ms. SIGTERM comes with the first request.
    const current: { cli?: ChildRun } = {};
    receiver.plan = (request) => ({ status: 200, delayMs: 100, before: () => (request.index === 0 ? current.cli?.signal('SIGTERM') : undefined) });
    const cli = start([CLI, '--config', configPath]);
    current.cli = cli;
    const { code } = await cli.exited;
    assert.equal(code, 0, `stopped cleanly; stderr: ${cli.stderr()}`);
    assert.match(cli.stderr(), /SIGTERM received/);
    const acknowledged = receiver.acknowledged();
    assert.ok(acknowledged.length > 0, 'the flush got records acknowledged');
    assert.deepEqual([...uncommitted(statePath, e.account.name, acknowledged)], [], 'everything acknowledged is committed');

    // The next run sends the rest, and nothing the collector already acknowledged.
    const before = receiver.requests.length;
    receiver.plan = () => ({ status: 200 });
    const next = start([CHILD, configPath, join(tempDirFor(t), 'sink.jsonl'), 'once', '1']);
    assert.equal((await next.exited).code, 0, next.stderr());
    const later = receiver.requests.slice(before).flatMap((request) => request.records).map(eventIdOf);
    const earlier = new Set(acknowledged.map(eventIdOf));
    assert.deepEqual(later.filter((id) => earlier.has(id)), [], 'nothing acknowledged before SIGTERM is sent again');
    assert.deepEqual(sorted([...earlier, ...later]), sorted(expected), 'together: every event once');
  });
});
