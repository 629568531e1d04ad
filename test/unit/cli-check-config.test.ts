// `--check-config` means it: every configuration that would make a start fail fails the check, with exit 2 and the
// setting's path, and a SIGHUP with it keeps the running exporter and logs the problem. One table of bad
// configurations, each run both ways: the command line in process (runCli, as main.ts calls it), and a real exporter
// (runExporter on a real HTTP listener and state file) reloaded with the bad file. Keys are real, made with
// node:crypto. The spawned CLI (src/main.ts as a child process) runs some of the same cases in cli.test.ts.
import assert from 'node:assert/strict';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type Server } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/run-cli.ts';
import { runExporter, type ProcessSignal } from '../../src/cli/run-exporter.ts';
import { createProcessLogger } from '../../src/log/process-logger.ts';
import { LATEST_SCHEMA_VERSION } from '../../src/state/index.ts';
import { pemBodyLines, TEST_KEY_PASSPHRASE, testKeys } from '../helpers/test-keys.ts';

const root = mkdtempSync(join(tmpdir(), 'sre-check-config-'));
after(() => rmSync(root, { recursive: true, force: true }));

const PAT = 'check-config-PAT-5c1f0e9a';
const TOKEN_KEY = Buffer.alloc(32, 5).toString('base64');
const BASE_ENV = { T_PAT: PAT, T_TOKEN_KEY: TOKEN_KEY, KEY_PASS: TEST_KEY_PASSPHRASE };
const secretsIn = (text: string): string[] =>
  [PAT, TOKEN_KEY, TEST_KEY_PASSPHRASE, 'wrong-passphrase-6d2a', ...Object.values(testKeys()).flatMap(pemBodyLines)].filter((secret) => text.includes(secret));

/** The account every configuration watches: a loopback port where nothing listens (the run stays up regardless). */
const STEADY = '  - { name: steady, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:T_PAT" } }';
const keyPairAccount = (auth: string): string =>
  `  - { name: keyed, account: xy12346, endpoint: "http://127.0.0.1:9", user: SVC, role: R, warehouse: W, auth: { method: keypair, ${auth} } }`;
const OAUTH_ACCOUNT = '  - { name: consent, account: xy12347, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: oauth, clientId: c, clientSecret: "env:T_PAT" } }';

interface Parts {
  readonly server?: string;
  readonly state?: string;
  readonly otlp?: string;
  readonly accounts?: readonly string[];
}

function configText(dir: string, parts: Parts = {}): string {
  return [
    `server: ${parts.server ?? '{ listen: "127.0.0.1:0" }'}`,
    `state: ${parts.state ?? `{ path: ${JSON.stringify(join(dir, 'state', 'exporter.db'))}, encryptionKey: "env:T_TOKEN_KEY" }`}`,
    ...(parts.otlp === undefined ? [] : [`otlp: ${parts.otlp}`]),
    'accounts:',
    ...(parts.accounts ?? [STEADY]),
    '',
  ].join('\n');
}

interface BadCase {
  readonly name: string;
  /** The setting the problem is reported at. */
  readonly path: string;
  readonly message: RegExp;
  /** Writes whatever files the case needs into `dir` and returns the configuration text and extra environment. */
  readonly build: (dir: string) => { readonly text: string; readonly env?: Record<string, string> };
}

const keyCase = (name: string, path: string, message: RegExp, key: () => string, auth = 'privateKey: "file:key.pem"', env: Record<string, string> = {}): BadCase => ({
  name,
  path,
  message,
  build: (dir) => {
    writeFileSync(join(dir, 'key.pem'), key(), { mode: 0o600 });
    return { text: configText(dir, { accounts: [STEADY, keyPairAccount(auth)] }), env };
  },
});

const routeCase = (path: string): BadCase => ({
  name: `server.metricsPath ${path}`,
  path: 'server.metricsPath',
  message: /must not be one of the exporter's own paths \(\/, \/api\/status, \/healthz, \/readyz, \/oauth\/start, \/oauth\/callback\)/,
  build: (dir) => ({ text: configText(dir, { server: `{ listen: "127.0.0.1:0", metricsPath: "${path}" }` }) }),
});

const CASES: readonly BadCase[] = [
  keyCase('a public key where the private key belongs', 'accounts[1].auth.privateKey', /holds a public key or certificate; key-pair authentication needs the private key/, () => testKeys().rsaPublic),
  keyCase('a key file that is not PEM', 'accounts[1].auth.privateKey', /is not PEM text \(no "-----BEGIN" line\)/, () => 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n'),
  keyCase('an EC key (key-pair authentication needs RSA)', 'accounts[1].auth.privateKey', /is a ec key; Snowflake key-pair authentication \(RS256\) needs an RSA key/, () => testKeys().ec),
  keyCase('an RSA key shorter than 2048 bits', 'accounts[1].auth.privateKey', /is a 1024-bit RSA key; Snowflake needs at least 2048 bits/, () => testKeys().rsaShort),
  keyCase('an encrypted key without a passphrase', 'accounts[1].auth.passphrase', /the private key from file:\S+key\.pem is encrypted and no passphrase was given/, () => testKeys().rsaEncrypted),
  keyCase(
    'an encrypted key with a wrong passphrase',
    'accounts[1].auth.passphrase',
    /could not be decrypted: the passphrase from env:WRONG_PASS is wrong/,
    () => testKeys().rsaEncrypted,
    'privateKey: "file:key.pem", passphrase: "env:WRONG_PASS"',
    { WRONG_PASS: 'wrong-passphrase-6d2a' },
  ),
  ...['/', '/healthz', '/readyz', '/api/status', '/oauth/start', '/oauth/callback'].map(routeCase),
  {
    name: 'the onboarding listener on the main listener',
    path: 'server.onboarding.listen',
    message: /takes the address of server\.listen \(127\.0\.0\.1:39975\), so one of the two listeners cannot start/,
    build: (dir) => ({
      text: configText(dir, { server: '{ listen: "127.0.0.1:39975", onboarding: { listen: "127.0.0.1:39975" } }', accounts: [STEADY, OAUTH_ACCOUNT] }),
    }),
  },
  {
    name: 'OTEL_EXPORTER_OTLP_PROTOCOL=grpc for OTLP logs',
    path: 'otlp.protocol',
    message: /is not set, and OTEL_EXPORTER_OTLP_PROTOCOL=grpc is not supported; use http\/protobuf or http\/json/,
    build: (dir) => ({ text: configText(dir, { otlp: '{ endpoint: "http://127.0.0.1:4318" }' }), env: { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' } }),
  },
  {
    name: 'OTEL_EXPORTER_OTLP_ENDPOINT without a scheme',
    path: 'otlp.endpoint',
    message: /is not set, and OTEL_EXPORTER_OTLP_ENDPOINT must be an http or https URL/,
    build: (dir) => ({ text: configText(dir, { otlp: '{ enabled: true }' }), env: { OTEL_EXPORTER_OTLP_ENDPOINT: 'collector:4318' } }),
  },
  {
    name: 'a state path that is a directory',
    path: 'state.path',
    message: /is not a regular file/,
    build: (dir) => {
      mkdirSync(join(dir, 'a-directory.db'), { recursive: true });
      return { text: configText(dir, { state: `{ path: ${JSON.stringify(join(dir, 'a-directory.db'))} }` }) };
    },
  },
  {
    name: 'a state path under a regular file',
    path: 'state.path',
    message: /cannot create \S+: \S+not-a-directory is not a directory/,
    build: (dir) => {
      writeFileSync(join(dir, 'not-a-directory'), 'x');
      return { text: configText(dir, { state: `{ path: ${JSON.stringify(join(dir, 'not-a-directory', 'state.db'))} }` }) };
    },
  },
  {
    name: 'a state file that is not a database',
    path: 'state.path',
    message: /is not an SQLite database; is state\.path the right file\?/,
    build: (dir) => {
      writeFileSync(join(dir, 'notes.txt'), 'these are my notes, not a database\n'.repeat(40));
      return { text: configText(dir, { state: `{ path: ${JSON.stringify(join(dir, 'notes.txt'))} }` }) };
    },
  },
  {
    name: 'a state file of a newer exporter',
    path: 'state.path',
    message: new RegExp(`was written by a newer exporter \\(schema version ${LATEST_SCHEMA_VERSION + 1}, this one knows up to ${LATEST_SCHEMA_VERSION}\\)`),
    build: (dir) => {
      const path = join(dir, 'newer.db');
      const db = new DatabaseSync(path);
      db.exec('CREATE TABLE schema_version (version INTEGER PRIMARY KEY, applied_at_ms INTEGER NOT NULL, description TEXT NOT NULL) STRICT');
      db.prepare('INSERT INTO schema_version VALUES (?, 0, ?)').run(LATEST_SCHEMA_VERSION + 1, 'from the future');
      db.close();
      return { text: configText(dir, { state: `{ path: ${JSON.stringify(path)} }` }) };
    },
  },
  {
    name: 'a listen address that is not one of this machine',
    path: 'server.listen',
    // 192.0.2.0/24 is TEST-NET-1 (RFC 5737): never assigned to a host.
    message: /cannot listen on 192\.0\.2\.1: not an address of this machine \(EADDRNOTAVAIL\)/,
    build: (dir) => ({ text: configText(dir, { server: '{ listen: "192.0.2.1:0" }' }) }),
  },
  {
    name: 'a listen host name that does not resolve',
    path: 'server.listen',
    // .invalid never resolves (RFC 2606).
    message: /cannot listen on no-such-host\.invalid: the host name does not resolve here/,
    build: (dir) => ({ text: configText(dir, { server: '{ listen: "no-such-host.invalid:0" }' }) }),
  },
];

let caseNumber = 0;
function caseDir(): string {
  const dir = join(root, `case-${++caseNumber}`);
  mkdirSync(dir, { recursive: true });
  return dir;
}

interface CliOutcome {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

async function checkConfig(dir: string, text: string, env: Record<string, string> = {}): Promise<CliOutcome> {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, text);
  let stdout = '';
  let stderr = '';
  const code = await runCli({
    argv: ['--check-config', '--config', file],
    env: { ...BASE_ENV, ...env },
    cwd: dir,
    stdout: { write: (chunk: string) => (stdout += chunk) },
    stderr: { write: (chunk: string) => (stderr += chunk) },
  });
  return { code, stdout, stderr };
}

/** Signals for an in-process run, sent by the test instead of the process. */
function signalChannel(): AsyncIterable<ProcessSignal> & { send(signal: ProcessSignal): void } {
  const queue: ProcessSignal[] = [];
  let wake: (() => void) | undefined;
  return {
    send(signal) {
      queue.push(signal);
      wake?.();
    },
    async *[Symbol.asyncIterator]() {
      for (;;) {
        const next = queue.shift();
        if (next !== undefined) {
          yield next;
          continue;
        }
        await new Promise<void>((resolve) => (wake = resolve));
      }
    },
  };
}

async function until(condition: () => boolean, what: () => string, timeoutMs = 20_000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) assert.fail(`timed out waiting: ${what()}`);
    await new Promise((resolve) => setTimeout(resolve, 20));
  }
}

/** A real exporter on a valid file; the file is then replaced and SIGHUP sent. Returns the log and what it served after. */
async function reloadInto(dir: string, next: { text: string; env?: Record<string, string> }): Promise<{ log: string; metricsAfter: string }> {
  const file = join(dir, 'config.yaml');
  writeFileSync(file, configText(dir));
  const lines: string[] = [];
  const logger = createProcessLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } });
  const signals = signalChannel();
  let url: URL | undefined;
  let output = '';
  const sink = { write: (chunk: string) => (output += chunk) };
  const run = runCli({
    argv: ['--config', file],
    env: { ...BASE_ENV, ...next.env },
    cwd: dir,
    stdout: sink,
    stderr: sink,
    run: (config, context) => runExporter(config, { ...context, signals, logger, onStarted: (started) => (url = started) }),
  });
  try {
    await until(() => url !== undefined, () => output + lines.join(''));
    assert.match(await (await fetch(new URL('/metrics', url))).text(), /snowflake_risk_up\{account="steady"\}/);
    writeFileSync(file, next.text);
    signals.send('SIGHUP');
    await until(() => lines.some((line) => line.includes('SIGHUP:')), () => lines.join(''));
    const metricsAfter = await (await fetch(new URL('/metrics', url))).text();
    return { log: lines.join(''), metricsAfter };
  } finally {
    signals.send('SIGTERM');
    const code = await run;
    assert.equal(code, 0, output + lines.join(''));
  }
}

describe('--check-config fails, with exit 2 and the setting, on everything that would stop a start', () => {
  test('the valid base configuration passes (every failure below comes from the case)', async () => {
    const dir = caseDir();
    writeFileSync(join(dir, 'key.pem'), testKeys().rsaEncrypted, { mode: 0o600 });
    const valid = await checkConfig(dir, configText(dir, { accounts: [STEADY, keyPairAccount('privateKey: "file:key.pem", passphrase: "env:KEY_PASS"')] }));
    assert.equal(valid.code, 0, valid.stderr);
    assert.match(valid.stdout, /configuration valid\n$/);
  });

  for (const badCase of CASES) {
    test(badCase.name, async () => {
      const dir = caseDir();
      const { text, env } = badCase.build(dir);
      const result = await checkConfig(dir, text, env);
      assert.equal(result.code, 2, `${result.stdout}${result.stderr}`);
      assert.equal(result.stdout, '');
      const line = result.stderr.split('\n').find((candidate) => candidate.startsWith(`  - ${badCase.path}`));
      assert.ok(line, `a problem at ${badCase.path}:\n${result.stderr}`);
      assert.match(line, badCase.message);
      assert.doesNotMatch(result.stderr, /unexpected failure/);
      assert.deepEqual(secretsIn(result.stderr), [], 'no secret in the output');
    });
  }

  test('every problem at once: keys, route, OTLP and state together', async () => {
    const dir = caseDir();
    writeFileSync(join(dir, 'public.pem'), testKeys().rsaPublic, { mode: 0o600 });
    writeFileSync(join(dir, 'ec.pem'), testKeys().ec, { mode: 0o600 });
    const text = configText(dir, {
      server: '{ listen: "127.0.0.1:0", metricsPath: /healthz }',
      otlp: '{ enabled: true }',
      accounts: [STEADY, keyPairAccount('privateKey: "file:public.pem"'), keyPairAccount('privateKey: "file:ec.pem"').replace('keyed', 'keyed-ec').replace('xy12346', 'xy12348')],
    });
    const result = await checkConfig(dir, text, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /has 4 problems:/);
    for (const path of ['server.metricsPath', 'accounts[1].auth.privateKey', 'accounts[2].auth.privateKey', 'otlp.protocol']) {
      assert.ok(result.stderr.includes(`  - ${path}`), `${path} in:\n${result.stderr}`);
    }
  });

  test('a passphrase for a key that is not encrypted is a warning, not a failure', async () => {
    const dir = caseDir();
    writeFileSync(join(dir, 'key.pem'), testKeys().rsaPkcs1, { mode: 0o600 });
    const result = await checkConfig(dir, configText(dir, { accounts: [STEADY, keyPairAccount('privateKey: "file:key.pem", passphrase: "env:KEY_PASS"')] }));
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /warning: accounts\[1\]\.auth\.passphrase \(line \d+\): is set, but the private key from file:\S+ is not encrypted/);
  });
});

describe('SIGHUP with a configuration that would not start keeps the running one and logs the problem', () => {
  for (const badCase of CASES) {
    test(badCase.name, async () => {
      const dir = caseDir();
      const { log, metricsAfter } = await reloadInto(dir, badCase.build(dir));
      assert.match(log, /SIGHUP: the new configuration is invalid, keeping the running one/);
      assert.ok(log.includes(`- ${badCase.path}`), `the log names ${badCase.path}:\n${log}`);
      assert.doesNotMatch(log, /restarting the exporter|could not start/, 'the running exporter was never stopped');
      assert.match(metricsAfter, /snowflake_risk_up\{account="steady"\}/, 'the running configuration still serves');
      assert.doesNotMatch(metricsAfter, /account="keyed"/);
      assert.deepEqual(secretsIn(log), [], 'no secret in the log');
    });
  }

  test('a port the new configuration moves to must be free (the running one keeps its own)', async () => {
    const dir = caseDir();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const { log, metricsAfter } = await reloadInto(dir, { text: configText(dir, { server: `{ listen: "127.0.0.1:${port}" }` }) });
      assert.match(log, new RegExp(`- server\\.listen: cannot listen on 127\\.0\\.0\\.1:${port}: another process holds the address \\(EADDRINUSE\\)`));
      assert.doesNotMatch(log, /restarting the exporter/);
      assert.match(metricsAfter, /snowflake_risk_up\{account="steady"\}/);
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});

describe('a start that fails on what a setting names ends like a configuration problem', () => {
  test('a taken port: exit 2 with server.listen, never "unexpected failure"', async () => {
    const dir = caseDir();
    const taken: Server = createServer();
    await new Promise<void>((resolve) => taken.listen({ host: '127.0.0.1', port: 0 }, resolve));
    try {
      const port = (taken.address() as { port: number }).port;
      const file = join(dir, 'config.yaml');
      writeFileSync(file, configText(dir, { server: `{ listen: "127.0.0.1:${port}" }` }));
      let stderr = '';
      const lines: string[] = [];
      const code = await runCli({
        argv: ['--config', file],
        env: BASE_ENV,
        cwd: dir,
        stdout: { write: () => true },
        stderr: { write: (chunk: string) => (stderr += chunk) },
        run: (config, context) => runExporter(config, { ...context, logger: createProcessLogger({ level: 'info', destination: { write: (line: string) => void lines.push(line) } }) }),
      });
      assert.equal(code, 2, stderr + lines.join(''));
      assert.match(stderr, new RegExp(`- server\\.listen: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
    } finally {
      await new Promise((resolve) => taken.close(resolve));
    }
  });
});
