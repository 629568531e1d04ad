// `npm run emulator` with your own user: the argument checks, and the printed exporter configuration taken as printed
// (account identifier, endpoint, user, role, warehouse and the PAT reference), checked by the exporter's
// --check-config and used for one collection cycle against the running CLI.
import assert from 'node:assert/strict';
import { generateKeyPairSync } from 'node:crypto';
import { spawn } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { after, test } from 'node:test';
import { parseOwnUser } from '../../../emulator/cli-own-user.ts';
import { runCli } from '../../../src/cli/run-cli.ts';
import { loadConfig } from '../../../src/config/index.ts';
import { startExporter } from '../../../src/runtime/exporter.ts';
import { parseAccountIdentifier } from '../../../src/snowflake/account-identifier.ts';
import { startEmulatorCli } from '../../helpers/emulator-cli.ts';

const ROOT = new URL('../../../', import.meta.url).pathname;
const FIXTURE = join(ROOT, 'test/fixtures/import/unload');
const temp = await mkdtemp(join(tmpdir(), 'emulator-cli-user-'));
after(async () => {
  await rm(temp, { recursive: true, force: true });
});

function runEmulatorCli(args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code: number | null; stdout: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [join(ROOT, 'emulator/cli.ts'), ...args], { cwd: ROOT, env, stdio: ['ignore', 'pipe', 'pipe'] });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    child.stderr.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code, stdout, stderr }));
  });
}

function output(): { write(text: string): boolean; text: () => string } {
  let text = '';
  return {
    write(chunk: string) {
      text += chunk;
      return true;
    },
    text: () => text,
  };
}

test('--account takes what the exporter takes, and expects the JWT account the exporter derives from it', () => {
  for (const identifier of ['demo-emulator', 'myorg-prod_account', 'MyOrg-Prod', 'xy12345', 'xy12345.us-east-2.aws', 'ab12345.east-us-2.azure', 'xy12345.us-east-2']) {
    const { setup, problems } = parseOwnUser({ account: identifier }, {}, temp);
    assert.deepEqual(problems, [], identifier);
    assert.equal(setup?.jwtAccount, parseAccountIdentifier(identifier).jwtAccount, identifier);
  }
  for (const identifier of ['myorg.prod', 'emulator', 'xy12345.nowhere', 'https://xy12345.snowflakecomputing.com', 'my org-x']) {
    assert.throws(() => parseAccountIdentifier(identifier), /not a Snowflake account identifier/, `the exporter refuses ${identifier}`);
    assert.equal(parseOwnUser({ account: identifier }, {}, temp).setup, undefined, `the emulator refuses ${identifier}`);
  }
});

test('--help documents the options; bad ones exit 2 listing every problem without echoing a secret', async () => {
  const help = await runEmulatorCli(['--help']);
  assert.equal(help.code, 0);
  for (const option of ['--account', '--user', '--role', '--warehouse', '--public-key', '--pat-file', '--pat-env', '--strict']) assert.ok(help.stdout.includes(option), `help lacks ${option}`);

  const { privateKey } = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const privateKeyFile = join(temp, 'rsa_key.p8');
  await writeFile(privateKeyFile, privateKey.export({ type: 'pkcs8', format: 'pem' }).toString());
  const bad = await runEmulatorCli(['--account', 'myorg.prod', '--user', 'svc', '--public-key', privateKeyFile, '--role', 'no spaces', '--strict']);
  assert.equal(bad.code, 2);
  for (const part of ['--account must be orgname-account_name', '--role must be an unquoted identifier', 'holds a private key', '--strict applies to --import']) {
    assert.ok(bad.stderr.includes(part), `stderr lacks ${part}:\n${bad.stderr}`);
  }
  const noCredential = await runEmulatorCli(['--user', 'svc']);
  assert.match(noCredential.stderr, /--user needs a way to sign in/);
  const orphan = await runEmulatorCli(['--pat-file', join(temp, 'nope')]);
  assert.match(orphan.stderr, /--pat-file needs --user/);
  const unset = await runEmulatorCli(['--user', 'svc', '--pat-env', 'SURELY_NOT_SET_FOR_THIS_TEST'], { ...process.env, SURELY_NOT_SET_FOR_THIS_TEST: undefined });
  assert.match(unset.stderr, /environment variable SURELY_NOT_SET_FOR_THIS_TEST is not set/);
  const secretFile = join(temp, 'empty-pat');
  await writeFile(secretFile, '\n');
  const empty = await runEmulatorCli(['--user', 'svc', '--pat-file', secretFile]);
  assert.match(empty.stderr, /is empty/);
});

test('--strict makes an undocumented column fail the import; without it the CLI warns once per view', async () => {
  const strict = await runEmulatorCli(['--port', '0', '--import', FIXTURE, '--strict']);
  assert.equal(strict.code, 1);
  assert.match(strict.stderr, /LOGIN_HISTORY_0_0_0\.json:1: "EXPORTED_FROM_ACCOUNT" is not a documented column of ACCOUNT_USAGE\.LOGIN_HISTORY \[IMPORT_UNKNOWN_COLUMN\]/);
  assert.match(strict.stderr, /\[IMPORT_INVALID_DATA\]/);
  const cli = await startEmulatorCli(['--port', '0', '--import', FIXTURE, '--now', '2026-11-21T00:00:00Z']);
  try {
    const warnings = cli.stderr().split('\n').filter((line) => line.includes('not documented for this view'));
    assert.deepEqual(warnings.map((line) => /warning: (\w+):/.exec(line)?.[1]), ['LOGIN_HISTORY', 'QUERY_HISTORY']);
  } finally {
    assert.equal(await cli.stop(), 0);
  }
});

test('the printed configuration, as printed, passes --check-config and runs a cycle with the registered PAT user', { timeout: 120_000 }, async (t) => {
  const secret = 'replay-pat-secret-not-a-real-one';
  const env = { ...process.env, REPLAY_PAT: secret };
  const cli = await startEmulatorCli(
    ['--port', '0', '--import', FIXTURE, '--now', '2026-11-21T00:00:00Z', '--no-latency', '--account', 'myorg-prod_account', '--user', 'risk_exporter_svc', '--role', 'risk_reader', '--warehouse', 'risk_exporter_wh', '--pat-env', 'REPLAY_PAT'],
    env,
  );
  t.after(() => cli.stop());
  assert.ok(!cli.stdout().includes(secret), 'the token is not printed');
  assert.deepEqual(cli.configLines, [
    'accounts:',
    '  - name: replay',
    '    account: myorg-prod_account',
    `    endpoint: ${cli.url}`,
    '    user: RISK_EXPORTER_SVC',
    '    role: RISK_READER',
    '    warehouse: RISK_EXPORTER_WH',
    '    auth: { method: pat, token: env:REPLAY_PAT }',
  ]);

  const configFile = join(temp, 'printed.yaml');
  await writeFile(configFile, ['server:', '  listen: "127.0.0.1:0"', 'state:', `  path: ${JSON.stringify(join(temp, 'state.db'))}`, ...cli.configLines, '    jitter: 0s', '    backfill: 2d', ''].join('\n'));
  const stdout = output();
  const stderr = output();
  assert.equal(await runCli({ argv: ['--config', configFile, '--check-config'], env, cwd: temp, stdout, stderr }), 0, stderr.text());
  assert.match(stdout.text(), /configuration valid/);

  const { config } = loadConfig({ path: configFile, env, cwd: temp });
  const exporter = await startExporter(config, { schedule: false, sinks: [] });
  t.after(() => exporter.close());
  const cycle = await exporter.scheduler.runOnce('replay');
  assert.ok(cycle.ran);
  assert.equal(cycle.report.up, true, 'the exporter signed in with the PAT and read the clock');
  const rows = Object.fromEntries(cycle.report.sources.map((source) => [source.source, source.rows]));
  assert.equal(rows.login_history, 3, JSON.stringify(cycle.report.sources));
  assert.deepEqual(cycle.report.sources.filter((source) => source.status === 'failed').map((source) => source.source), []);
});
