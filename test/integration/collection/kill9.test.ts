// Acceptance: kill -9 of the whole exporter mid-cycle loses nothing, and delivers twice only
// what a kill caught between "the sink acknowledged" and "the state store committed".
//
// The emulator (latency model on) runs in this process; the exporter runs as a CHILD process
// (test/helpers/exporter-child.ts) configured from a generated YAML file (emulator URL, key-pair user whose public key
// the emulator was given), with a test-owned sink that appends each batch's ids to a file and fsyncs BEFORE it
// acknowledges (test/helpers/exporter-file-sink.ts). The child runs cycles back to back while this process keeps
// adding QUERY_HISTORY and LOGIN_HISTORY rows (each not yet visible when inserted: its time lies within the view's
// latency of now) and moving the virtual clock; at seeded random moments the child is killed with SIGKILL and a new
// one started on the same state file. A final child, after the clock has moved past every latency, runs clean cycles.
//
// Judged from the files and the state store: the ids delivered, deduplicated, are exactly the ids inserted (nothing
// lost, nothing foreign); an id is delivered again only if, after the kill that followed its earlier delivery, the
// state store did not hold it as delivered (acknowledged but not committed); and what a kill leaves uncommitted lies
// within the LAST batch the killed child wrote for each stream (the pipeline offers one batch per stream at a time
// and commits it right after every sink accepted it: at most one batch per stream per kill).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { openStateStore } from '../../../src/state/index.ts';
import { readFileSink, type FileSinkLine } from '../../helpers/exporter-file-sink.ts';
import { loginRow, minutesAfter, queryRow, sorted, tempDirFor } from '../../helpers/exporter-harness.ts';
import { seeded } from '../../helpers/seeded-random.ts';

const CHILD = join(import.meta.dirname, '../../helpers/exporter-child.ts');
const T0 = new Date('2026-11-20T12:00:00Z');
const KILLS = 5;
const QUERY_LATENCY_MIN = 45;
const LOGIN_LATENCY_MIN = 120;

/** mulberry32: seeded, so a failing kill schedule can be replayed. */
/** Ids in the sink file that the state store (opened after the kill, as the next child will) does not hold as delivered. */
function uncommittedIds(statePath: string, account: string, lines: readonly FileSinkLine[]): Set<string> {
  const store = openStateStore({ path: statePath });
  try {
    const uncommitted = new Set<string>();
    for (const line of lines) {
      const seen = store.filterSeen(account, line.source, line.ids);
      for (const id of line.ids) if (!seen.has(id)) uncommitted.add(id);
    }
    return uncommitted;
  } finally {
    store.close();
  }
}

interface ChildRun {
  readonly stdout: () => string;
  readonly stderr: () => string;
  readonly ready: Promise<void>;
  readonly exited: Promise<{ code: number | null; signal: NodeJS.Signals | null }>;
  kill(): void;
}

function startChild(args: readonly string[]): ChildRun {
  const child = spawn(process.execPath, [CHILD, ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
    // Only what the exporter needs: no SNOWFLAKE_RISK_EXPORTER_* override from the developer's shell.
    env: { PATH: process.env.PATH ?? '' },
  });
  let stdout = '';
  let stderr = '';
  let markReady: () => void = () => undefined;
  const ready = new Promise<void>((resolve) => (markReady = resolve));
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    if (stdout.includes('ready\n')) markReady();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
    child.on('exit', (code, signal) => resolve({ code, signal })),
  );
  return { stdout: () => stdout, stderr: () => stderr, ready, exited, kill: () => child.kill('SIGKILL') };
}

describe('kill -9 of the exporter mid-cycle', () => {
  it('ends with every event delivered, duplicates only from acknowledged-but-uncommitted batches', async (t) => {
    const random = seeded(0x4b11_0009);
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const dir = tempDirFor(t, 'sre-kill9-');

    // The exporter's key: the emulator was given a fresh key pair by keyPairEmulatorFor; the child reads the private
    // half from a file reference, as a deployment would.
    const keyPath = join(dir, 'key.p8');
    const statePath = join(dir, 'state.db');
    assert.equal(e.account.auth.method, 'keypair');
    if (e.account.auth.method !== 'keypair') return;
    writeFileSync(keyPath, e.account.auth.privateKey.reveal(), { mode: 0o600 });
    const configPath = join(dir, 'config.yaml');
    writeFileSync(
      configPath,
      [
        'server:',
        '  listen: "127.0.0.1:0"',
        'state:',
        `  path: ${JSON.stringify(statePath)}`,
        'accounts:',
        `  - name: ${e.account.name}`,
        `    account: ${EMULATED_ACCOUNT_IDENTIFIER}`,
        `    endpoint: ${e.emulator.url.origin}`,
        `    user: ${EMULATED_USER}`,
        `    role: ${EMULATED_ROLE}`,
        `    warehouse: ${EMULATED_WAREHOUSE}`,
        '    jitter: 0s',
        // The collection engine is under test: no detection statements or findings in these cycles.
        '    detections:',
        '      enabled: []',
        '    auth:',
        '      method: keypair',
        `      privateKey: ${JSON.stringify(`file:${keyPath}`)}`,
        '',
      ].join('\n'),
    );

    const expected = new Set<string>();
    let nextQuery = 0;
    let nextLogin = 1;
    /** Rows not visible yet: their time lies within the view's latency of the virtual now. */
    const insertFresh = async (queries: number, logins: number): Promise<void> => {
      const now = e.now();
      const qs = Array.from({ length: queries }, () => {
        const id = `q-${nextQuery++}`;
        expected.add(id);
        return queryRow(id, minutesAfter(now, -random() * (QUERY_LATENCY_MIN - 1)));
      });
      const ls = Array.from({ length: logins }, () => {
        const id = nextLogin++;
        expected.add(String(id));
        return loginRow(id, minutesAfter(now, -random() * (LOGIN_LATENCY_MIN - 1)));
      });
      if (qs.length > 0) await e.engine.insertRows('QUERY_HISTORY', qs);
      if (ls.length > 0) await e.engine.insertRows('LOGIN_HISTORY', ls);
    };

    // History before the first run (visible, inside the 24 h backfill), then the stream of new rows.
    const history = Array.from({ length: 150 }, (_, i) => queryRow(`q-h${i}`, minutesAfter(T0, -60 - i * 2)));
    for (const row of history) expected.add(String(row.QUERY_ID));
    await e.engine.insertRows('QUERY_HISTORY', history);
    const historyLogins = Array.from({ length: 60 }, (_, i) => loginRow(100_000 + i, minutesAfter(T0, -150 - i * 3)));
    for (const row of historyLogins) expected.add(String(row.EVENT_ID));
    await e.engine.insertRows('LOGIN_HISTORY', historyLogins);

    const sinkFiles: string[] = [];
    /** Per kill: ids the killed child's sink acknowledged that the state store does not hold as delivered. */
    const uncommittedAtKill: Set<string>[] = [];
    for (let round = 0; round < KILLS; round++) {
      const sinkPath = join(dir, `sink-${round}.jsonl`);
      sinkFiles.push(sinkPath);
      await insertFresh(40, 15);
      const child = startChild([configPath, sinkPath, 'loop']);
      await Promise.race([child.ready, child.exited]);
      assert.match(child.stdout(), /ready/, `child ${round} did not start: ${child.stderr()}`);
      // While it runs: time passes in the emulator (4 virtual minutes per 40 ms) and rows keep arriving. The kill
      // comes a seeded random delay after the child's first delivery of this round, so it lands while cycles deliver.
      const killDelayMs = Math.floor(random() * 700);
      let killAt: number | undefined;
      const giveUpAt = Date.now() + 30_000;
      while (killAt === undefined || Date.now() < killAt) {
        await insertFresh(6, 2);
        e.advance(4 * 60);
        await sleep(40);
        if (killAt === undefined && readFileSink(sinkPath).length > 0) killAt = Date.now() + killDelayMs;
        assert.ok(Date.now() < giveUpAt, `child ${round} delivered nothing within 30 s; stderr: ${child.stderr()}`);
      }
      child.kill();
      const { signal } = await child.exited;
      assert.equal(signal, 'SIGKILL', `child ${round} must still be running when killed; stderr: ${child.stderr()}`);
      const cycles = child.stdout().split('\n').filter((line) => line.startsWith('cycle ')).length;
      const written = readFileSink(sinkPath).reduce((sum, line) => sum + line.ids.length, 0);
      uncommittedAtKill.push(uncommittedIds(statePath, e.account.name, readFileSink(sinkPath)));
      t.diagnostic(`round ${round}: killed ${killDelayMs} ms after its first delivery, ${cycles} whole cycle(s), ${written} id(s) written`);
    }

    // Past every latency: everything inserted is visible. A clean run of two cycles.
    e.advance((LOGIN_LATENCY_MIN + 30) * 60);
    const finalSink = join(dir, 'sink-final.jsonl');
    const final = startChild([configPath, finalSink, 'once', '2']);
    const { code } = await final.exited;
    assert.equal(code, 0, `the final run failed: ${final.stderr()}`);
    const finalCycles = final.stdout().split('\n').filter((line) => line.startsWith('cycle '));
    assert.deepEqual(finalCycles.map((line) => line.split(' ')[1]), ['ok', 'ok'], final.stderr());
    assert.equal(finalCycles[1], 'cycle ok 0', 'the second clean cycle found nothing left to deliver');

    // Judge the files: nothing lost, nothing foreign.
    const runs = [...sinkFiles, finalSink].map((path) => readFileSink(path));
    const occurrences = new Map<string, number[]>();
    runs.forEach((lines, run) => {
      for (const line of lines) for (const id of line.ids) occurrences.set(id, [...(occurrences.get(id) ?? []), run]);
    });
    assert.deepEqual(sorted(occurrences.keys()), sorted(expected), 'delivered ids, deduplicated, equal the inserted ids');

    // A repeat is allowed only for an id a killed child's sink acknowledged but its state store had not committed.
    let duplicates = 0;
    for (const [id, seenInRuns] of occurrences) {
      for (let i = 1; i < seenInRuns.length; i++) {
        duplicates++;
        const previous = seenInRuns[i - 1] ?? -1;
        assert.ok(
          previous < KILLS && previous !== seenInRuns[i] && uncommittedAtKill[previous]?.has(id) === true,
          `id ${id} was delivered again (runs ${seenInRuns.join(', ')}) although it was committed`,
        );
      }
    }
    // And what a kill left uncommitted is at most the last batch of each stream (one offer per stream at a time).
    uncommittedAtKill.forEach((ids, run) => {
      const lines = runs[run] ?? [];
      const lastBatches = new Set<string>();
      for (const source of new Set(lines.map((line) => line.source))) {
        for (const id of lines[lines.findLastIndex((line) => line.source === source)]?.ids ?? []) lastBatches.add(id);
      }
      const outside = [...ids].filter((id) => !lastBatches.has(id));
      assert.deepEqual(outside, [], `kill ${run}: acknowledged ids left uncommitted outside the last batch of their stream`);
    });
    const uncommittedTotal = uncommittedAtKill.reduce((sum, ids) => sum + ids.size, 0);
    t.diagnostic(`${expected.size} events; ${uncommittedTotal} acknowledged but uncommitted at the kills, ${duplicates} delivered twice`);
  });
});
