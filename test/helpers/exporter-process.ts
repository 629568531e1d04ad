// The exporter as a separate process on one key-pair account of the emulator, configured from a YAML file with an
// `otlp` section pointing at an in-process OTLP receiver, as a deployment has it: either the test child
// (test/helpers/exporter-child.ts: cycles on command, prints its URL) or the real command line (src/main.ts, for exit
// codes and messages). For the faults that need a process of their own: a second exporter on the same state file,
// a kill, a process whose writes the kernel refuses.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import type { TestContext } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, keyPairEmulatorFor, type KeyPairEmulator } from './emulator-account.ts';
import { tempDirFor } from './exporter-harness.ts';
import { OtlpReceiver } from './otlp-receiver.ts';
import { RIG_T0, RowFeed } from './reliability-rig.ts';
import { seeded } from './seeded-random.ts';

const ROOT = new URL('../../', import.meta.url).pathname;
const CHILD = join(ROOT, 'test/helpers/exporter-child.ts');

export interface ExporterProcess {
  readonly pid: number;
  stdout(): string;
  stderr(): string;
  readonly exited: Promise<{ readonly code: number | null; readonly signal: NodeJS.Signals | null }>;
  /** Resolves with the URL the child serves on once it printed it (children of exporter-child.ts only). */
  url(timeoutMs?: number): Promise<URL>;
  /** Outcomes of the cycles it reported so far ("cycle <outcome> <delivered>" lines). */
  cycles(): string[];
  signal(name: NodeJS.Signals): void;
}

export interface ExporterProcessFixture {
  readonly e: KeyPairEmulator;
  readonly receiver: OtlpReceiver;
  readonly feed: RowFeed;
  readonly statePath: string;
  readonly configPath: string;
  /** exporter-child.ts with no file sink: `loop` (until SIGTERM or a kill) or `once <n>` cycles. */
  child(...mode: readonly string[]): ExporterProcess;
  /** The real command line on the same configuration. */
  cli(): ExporterProcess;
}

export async function exporterProcessFixture(t: TestContext, seed: number): Promise<ExporterProcessFixture> {
  const e = await keyPairEmulatorFor(t, { start: RIG_T0, emulatorOptions: { partitionRows: 60 } });
  const receiver = await OtlpReceiver.start();
  t.after(() => receiver.close());
  const dir = tempDirFor(t, 'sre-state-process-');
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
      '    backfill: 7d',
      '    detections: { enabled: [] }',
      `    auth: { method: keypair, privateKey: ${JSON.stringify(`file:${keyPath}`)} }`,
      '',
    ].join('\n'),
  );
  const running = new Set<ExporterProcess>();
  t.after(async () => {
    for (const each of running) each.signal('SIGKILL');
    await Promise.all([...running].map((each) => each.exited));
  });
  const start = (args: readonly string[]): ExporterProcess => {
    const child = spawn(process.execPath, args, { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'], env: { PATH: process.env.PATH ?? '' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => (stdout += text));
    child.stderr.setEncoding('utf8').on('data', (text: string) => (stderr += text));
    const exited = new Promise<{ code: number | null; signal: NodeJS.Signals | null }>((resolve) =>
      child.on('exit', (code, signal) => resolve({ code, signal })),
    );
    const handle: ExporterProcess = {
      pid: child.pid ?? -1,
      stdout: () => stdout,
      stderr: () => stderr,
      exited,
      async url(timeoutMs = 60_000) {
        const giveUpAt = Date.now() + timeoutMs;
        for (;;) {
          const match = /^listening (\S+)$/m.exec(stdout);
          if (match?.[1] !== undefined) return new URL(match[1]);
          assert.ok(Date.now() < giveUpAt && child.exitCode === null, `the exporter did not start: ${stderr}`);
          await sleep(20);
        }
      },
      cycles: () => stdout.split('\n').filter((line) => line.startsWith('cycle ')).map((line) => line.split(' ')[1] ?? ''),
      signal: (name) => {
        if (child.exitCode === null && child.signalCode === null) child.kill(name);
      },
    };
    running.add(handle);
    void exited.then(() => running.delete(handle));
    return handle;
  };
  return {
    e,
    receiver,
    feed: new RowFeed(e, seeded(seed)),
    statePath,
    configPath,
    child: (...mode) => start([CHILD, configPath, '', ...mode]),
    cli: () => start([join(ROOT, 'src/main.ts'), '--config', configPath]),
  };
}

/** Polls `url` until `accept` holds for its status and body; returns the last answer. */
export async function waitForAnswer(
  url: URL,
  accept: (status: number, body: string) => boolean,
  timeoutMs = 30_000,
): Promise<{ status: number; body: string }> {
  const giveUpAt = Date.now() + timeoutMs;
  let last = { status: 0, body: '' };
  for (;;) {
    try {
      const response = await fetch(url, { signal: AbortSignal.timeout(5_000) });
      last = { status: response.status, body: await response.text() };
      if (accept(last.status, last.body)) return last;
    } catch (error) {
      last = { status: 0, body: error instanceof Error ? error.message : String(error) };
    }
    assert.ok(Date.now() < giveUpAt, `${url.pathname} never answered as expected; last: ${last.status} ${last.body.slice(0, 500)}`);
    await sleep(100);
  }
}
