// `node emulator/cli.ts`: help, argument errors, and a real start/stop (spawned process, HTTP request, SIGTERM).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { request } from 'undici';

const ROOT = new URL('../../../', import.meta.url).pathname;
const CLI = join(ROOT, 'emulator/cli.ts');
const temp = await mkdtemp(join(tmpdir(), 'emulator-cli-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

interface Run {
  code: number | null;
  signal: NodeJS.Signals | null;
  stdout: string;
  stderr: string;
}

function run(args: string[]): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr }));
  });
}

/** Starts the CLI, waits for its URL line, runs `use`, then stops it with `signal` and returns how it ended. */
function serve(args: string[], use: (url: string, output: () => string) => Promise<void>, signal: NodeJS.Signals = 'SIGTERM'): Promise<Run> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, ...args], { cwd: ROOT, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    let started = false;
    const timer = setTimeout(() => {
      child.kill('SIGKILL');
      reject(new Error(`the emulator did not print its URL within 60 s:\n${stdout}\n${stderr}`));
    }, 60_000);
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
      const match = /listening on (http:\/\/\S+)/.exec(stdout);
      if (match && !started && stdout.includes('Ctrl-C')) {
        started = true;
        use(match[1] as string, () => stdout).then(
          () => child.kill(signal),
          (error: unknown) => {
            child.kill('SIGKILL');
            reject(error instanceof Error ? error : new Error(String(error)));
          },
        );
      }
    });
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code, sig) => {
      clearTimeout(timer);
      resolve({ code, signal: sig, stdout, stderr });
    });
  });
}

test('--help prints the usage and exits 0', async () => {
  const result = await run(['--help']);
  assert.equal(result.code, 0);
  for (const option of ['--scenario', '--seed', '--users', '--days', '--queries-per-day', '--import', '--now', '--latency', '--no-latency', '--port', '--host', '--write-ground-truth']) {
    assert.ok(result.stdout.includes(option), `help lacks ${option}`);
  }
});

test('bad arguments exit 2 listing every problem', async () => {
  const result = await run(['--scenario', 'huge', '--users', 'many', '--now', 'tomorrow', '--latency', 'NOPE=1', '--port', '70000']);
  assert.equal(result.code, 2);
  for (const part of ['--scenario', '--users', '--now', 'unknown view NOPE', '--port']) assert.ok(result.stderr.includes(part), `stderr lacks ${part}:\n${result.stderr}`);
  const unknown = await run(['--frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /frobnicate/);
});

test('starts a generated scenario, serves HTTP with the demo credentials, writes the ground truth and stops on SIGTERM', async () => {
  const groundTruthFile = join(temp, 'gt', 'ground-truth.json');
  const result = await serve(['--port', '0', '--days', '3', '--queries-per-day', '200', '--seed', 'cli', '--write-ground-truth', groundTruthFile, '--now', '2026-11-20T12:00:00Z'], async (url) => {
    const report = await request(`${url}/_emulator/report`);
    assert.equal(report.statusCode, 200);
    await report.body.dump();
    // A real statement through the SQL API with the demo programmatic access token.
    const statement = await request(`${url}/api/v2/statements`, {
      method: 'POST',
      headers: {
        authorization: 'Bearer demo-programmatic-access-token',
        'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN',
        'content-type': 'application/json',
        accept: 'application/json',
        'user-agent': 'cli-test/1.0',
      },
      body: JSON.stringify({ statement: "SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE QUERY_TYPE = 'GET_FILES'", warehouse: 'COMPUTE_WH' }),
    });
    const body = (await statement.body.json()) as { data?: string[][]; message?: string };
    assert.equal(statement.statusCode, 200, JSON.stringify(body));
    assert.deepEqual(body.data, [['1']]);
  });
  assert.equal(result.code, 0, result.stderr);
  assert.match(result.stdout, /emulator-only demo credentials/);
  assert.match(result.stdout, /virtual now 2026-11-20T12:00:00\.000Z/);
  assert.match(result.stdout, /stopped/);
  const groundTruth = JSON.parse(await readFile(groundTruthFile, 'utf8')) as { scenario: { seed: string }; incidents: unknown[] };
  assert.equal(groundTruth.scenario.seed, 'cli');
  assert.ok(groundTruth.incidents.length > 50);
});

test('replays a JSON Lines directory with --import and stops on SIGINT', async () => {
  const fixture = join(ROOT, 'test/fixtures/import/replay');
  const result = await serve(['--port', '0', '--import', fixture, '--now', '2026-11-20T16:00:00Z', '--no-latency'], async (url, output) => {
    assert.match(output(), /replayed 7 rows/);
    const response = await request(`${url}/_emulator/report`);
    assert.equal(response.statusCode, 200);
    await response.body.dump();
  }, 'SIGINT');
  assert.equal(result.code, 0, result.stderr);
});

test('an import error exits 1 with its reason and code', async () => {
  const result = await run(['--port', '0', '--import', join(ROOT, 'test/fixtures/import')]);
  assert.equal(result.code, 1);
  // The parent of the fixture directories: its subdirectories hold data files but name no view.
  assert.match(result.stderr, /replay\/: this directory holds data files but names no view .*\[IMPORT_UNKNOWN_VIEW_FILE\]/);
});
