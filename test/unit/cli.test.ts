// The command line as an operator meets it: spawn the real entry point with Node 24 and check exit codes and output.
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, type AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join, resolve } from 'node:path';
import { after, describe, test } from 'node:test';
import { runCli } from '../../src/cli/run-cli.ts';
import { PRODUCT_VERSION } from '../../src/version.ts';
import { pemBodyLines, testKeys } from '../helpers/test-keys.ts';

const REPO = resolve(import.meta.dirname, '../..');
const NODE = join(REPO, 'node_modules', '.bin', 'node');
const dir = mkdtempSync(join(tmpdir(), 'sre-cli-'));
after(() => rmSync(dir, { recursive: true, force: true }));

const VALID = join(dir, 'valid.yaml');
writeFileSync(
  VALID,
  `accounts:
  - { name: prod, account: myorg-prod, user: SVC, role: R, warehouse: W, auth: { method: keypair, privateKey: "env:CLI_KEY" } }
  - { name: emu, account: xy12345, endpoint: "http://127.0.0.1:8085", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }
`,
);
const INVALID = join(dir, 'invalid.yaml');
writeFileSync(
  INVALID,
  `servr: {}
accounts:
  - { name: prod, account: "evil.com/", role: R, warehouse: W, auth: { method: pat, token: "sk-CLI-INLINE-SECRET" } }
`,
);
// A real key: --check-config reads it the way the exporter signs with it.
const SECRETS = { CLI_KEY: testKeys().rsa, CLI_PAT: 'CLI-PAT-VALUE-xyz' };

interface Outcome {
  code: number | null;
  stdout: string;
  stderr: string;
}

/** Runs src/main.ts with only the given environment (plus PATH), so the developer's own variables cannot interfere. */
function cli(args: string[], env: Record<string, string> = {}): Promise<Outcome> {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(NODE, ['src/main.ts', ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => resolvePromise({ code, stdout, stderr }));
  });
}

interface RunningCli {
  readonly child: ReturnType<typeof spawn>;
  readonly done: Promise<Outcome>;
  stderr(): string;
  /** Resolves with the first capture group of the first line (stdout or stderr) matching `pattern`. */
  waitFor(pattern: RegExp, timeoutMs?: number): Promise<string>;
}

/** Starts src/main.ts and keeps it running (for runs that serve until SIGTERM). */
function startCli(args: string[], env: Record<string, string> = {}): RunningCli {
  const child = spawn(NODE, ['src/main.ts', ...args], { cwd: REPO, env: { PATH: process.env.PATH ?? '', ...env } });
  let stdout = '';
  let stderr = '';
  const waiters: { pattern: RegExp; resolve: (value: string) => void }[] = [];
  const check = (): void => {
    for (const waiter of [...waiters]) {
      const match = waiter.pattern.exec(stdout) ?? waiter.pattern.exec(stderr);
      if (match) {
        waiters.splice(waiters.indexOf(waiter), 1);
        waiter.resolve(match[1] ?? match[0]);
      }
    }
  };
  child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
    stdout += chunk;
    check();
  });
  child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
    stderr += chunk;
    check();
  });
  const done = new Promise<Outcome>((resolveDone, reject) => {
    child.on('error', reject);
    child.on('close', (code) => resolveDone({ code, stdout, stderr }));
  });
  after(() => {
    if (child.exitCode === null) child.kill('SIGKILL');
  });
  return {
    child,
    done,
    stderr: () => stderr,
    waitFor: (pattern, timeoutMs = 60_000) =>
      new Promise((resolveWait, reject) => {
        const timer = setTimeout(() => reject(new Error(`timed out waiting for ${String(pattern)}; stderr: ${stderr}`)), timeoutMs);
        waiters.push({
          pattern,
          resolve: (value) => {
            clearTimeout(timer);
            resolveWait(value);
          },
        });
        check();
      }),
  };
}

describe('CLI (spawned)', () => {
  test('--version prints the package version', async () => {
    const result = await cli(['--version']);
    assert.equal(result.code, 0);
    assert.equal(result.stdout, `${PRODUCT_VERSION}\n`);
    assert.equal((await cli(['-v'])).stdout, `${PRODUCT_VERSION}\n`);
  });

  test('--help prints usage with the exit codes', async () => {
    const result = await cli(['--help']);
    assert.equal(result.code, 0);
    assert.match(result.stdout, /^Usage: snowflake-risk-exporter \[--config FILE\] \[--check-config\]/);
    assert.match(result.stdout, /Exit codes:\n {2}0 .*\n {2}1 .*\n {2}2 .*\n\n/);
    assert.match(result.stdout, /no configuration: run the embedded demo/);
    assert.match(result.stdout, /SNOWFLAKE_RISK_EXPORTER_CONFIG/);
  });

  test('--check-config with a valid file: summary without secrets, exit 0', async () => {
    const result = await cli(['--check-config', '--config', VALID], SECRETS);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /2 accounts:/);
    assert.match(result.stdout, /prod: myorg-prod \(org-account, JWT account MYORG-PROD\)/);
    assert.match(result.stdout, /endpoint: https:\/\/myorg-prod\.snowflakecomputing\.com\n/);
    assert.match(result.stdout, /endpoint: http:\/\/127\.0\.0\.1:8085 \(endpoint override\)/);
    assert.match(result.stdout, /key pair \(private key from env:CLI_KEY\)/);
    assert.match(result.stdout, /programmatic access token \(from env:CLI_PAT\)/);
    assert.match(result.stdout, /configuration valid\n$/);
    for (const secret of [SECRETS.CLI_PAT, ...pemBodyLines(SECRETS.CLI_KEY)]) assert.ok(!(result.stdout + result.stderr).includes(secret), 'a secret value was printed');
  });

  test('--check-config shows OTLP, the token key and sharding by source, never by value', async () => {
    const config = join(dir, 'summary-extras.yaml');
    writeFileSync(
      config,
      `state: { encryptionKey: "env:CLI_TOKEN_KEY" }
otlp: { endpoint: "https://collector.example:4318", headers: { Authorization: "env:CLI_OTLP_AUTH" } }
sharding: { shards: 3, index: 1 }
accounts:
  - { name: emu, account: xy12345, endpoint: "http://127.0.0.1:8085", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }
`,
    );
    const secrets = { ...SECRETS, CLI_TOKEN_KEY: Buffer.alloc(32, 9).toString('base64'), CLI_OTLP_AUTH: 'Bearer otlp-secret-xyz' };
    const result = await cli(['--check-config', '--config', config], secrets);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /OAuth token encryption key: from env:CLI_TOKEN_KEY/);
    assert.match(result.stdout, /OTLP logs: https:\/\/collector\.example:4318 .*headers Authorization from env:CLI_OTLP_AUTH/);
    assert.match(result.stdout, /sharding: shard 1 of 3/);
    for (const value of Object.values(secrets)) assert.ok(!(result.stdout + result.stderr).includes(value), 'a secret value was printed');
  });

  test('--check-config shows the names Snowflake will be asked for: unquoted upper case, quoted exactly', async () => {
    const config = join(dir, 'names.yaml');
    writeFileSync(
      config,
      `accounts:
  - { name: prod, account: myorg-prod, user: risk_svc, role: risk_exporter, warehouse: '"Risk Wh"', auth: { method: keypair, privateKey: "env:CLI_KEY" } }
  - { name: emu, account: xy12345, role: RISK_EXPORTER, warehouse: RISK_WH, auth: { method: pat, token: "env:CLI_PAT" } }
`,
    );
    const result = await cli(['--check-config', '--config', config], SECRETS);
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, /user RISK_SVC \(written risk_svc\), role RISK_EXPORTER \(written risk_exporter\), warehouse Risk Wh \(written "Risk Wh"\);/);
    assert.match(result.stdout, /role RISK_EXPORTER, warehouse RISK_WH;/, 'a name written as stored is shown once');
  });

  test('the config file can come from SNOWFLAKE_RISK_EXPORTER_CONFIG', async () => {
    const result = await cli(['--check-config'], { ...SECRETS, SNOWFLAKE_RISK_EXPORTER_CONFIG: VALID });
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stdout, new RegExp(`configuration: ${VALID.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')}`));
  });

  test('--check-config with an invalid file: exit 2, every problem on stderr, no secret', async () => {
    const result = await cli(['--check-config', '-c', INVALID]);
    assert.equal(result.code, 2);
    assert.equal(result.stdout, '');
    assert.match(result.stderr, /has 3 problems:/);
    assert.match(result.stderr, /- servr \(line 1\): unknown key \(did you mean "server"\?\)/);
    assert.match(result.stderr, /- accounts\[0\]\.account \(line 3\): not a Snowflake account identifier/);
    assert.match(result.stderr, /- accounts\[0\]\.auth\.token \(line 3\): secrets cannot be written inline/);
    assert.ok(!result.stderr.includes('CLI-INLINE-SECRET'));
  });

  test('a missing env secret is a problem naming the variable', async () => {
    const result = await cli(['--check-config', '-c', VALID], { CLI_KEY: 'k' });
    assert.equal(result.code, 2);
    assert.match(result.stderr, /accounts\[1\]\.auth\.token \(line 3\): environment variable CLI_PAT is not set/);
  });

  test('no configuration: runs the embedded demo, serves its metrics, and stops cleanly on SIGTERM', async () => {
    const run = startCli([], { SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN: '127.0.0.1:0' });
    const metricsUrl = await run.waitFor(/metrics\s+(http:\/\/127\.0\.0\.1:\d+\/metrics)/);
    assert.match(run.stderr(), /no configuration given: starting the embedded demo/);
    // The first cycle runs at once (no jitter in the demo): wait until the account is up with events counted.
    let body = '';
    const ready = (text: string): boolean =>
      /snowflake_risk_up\{account="demo"\} 1/.test(text) && /snowflake_risk_events_total\{account="demo",kind="query"\} [1-9]/.test(text);
    for (let attempt = 0; attempt < 240 && !ready(body); attempt++) {
      await new Promise((resolveWait) => setTimeout(resolveWait, 250));
      body = await (await fetch(metricsUrl)).text();
    }
    assert.match(body, /snowflake_risk_up\{account="demo"\} 1/);
    assert.match(body, /snowflake_risk_events_total\{account="demo",kind="query"\} [1-9]/);
    run.child.kill('SIGTERM');
    const outcome = await run.done;
    assert.equal(outcome.code, 0);
    assert.match(outcome.stderr, /SIGTERM received: stopping/);
  });

  test('no configuration and an invalid SNOWFLAKE_RISK_EXPORTER_* override: the demo exits 2 with the problem instead of hanging', { timeout: 90_000 }, async () => {
    const run = startCli([], { SNOWFLAKE_RISK_EXPORTER_LOG__LEVEL: 'loud' });
    const outcome = await run.done;
    assert.equal(outcome.code, 2);
    assert.match(outcome.stderr, /the embedded demo cannot start: configuration .* has 1 problem:/);
    assert.match(outcome.stderr, /- log\.level \(from SNOWFLAKE_RISK_EXPORTER_LOG__LEVEL\): expected one of/);
    assert.doesNotMatch(outcome.stderr, /unexpected failure/);
  });

  test('a state file that is not a database: exit 2 naming the setting and the file, none of its bytes', async () => {
    const statePath = join(dir, 'corrupt-state.db');
    writeFileSync(statePath, 'these bytes are not a database and must not be quoted. '.repeat(200));
    const config = join(dir, 'corrupt-state.yaml');
    writeFileSync(
      config,
      `server: { listen: "127.0.0.1:0" }
state: { path: ${JSON.stringify(statePath)} }
accounts:
  - { name: emu, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }
`,
    );
    const result = await cli(['--config', config], SECRETS);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /state\.path: .*corrupt-state\.db is not an SQLite database/);
    assert.ok(!result.stderr.includes('must not be quoted'));
  });

  test('--check-config without a configuration: exit 2, says how to give one', async () => {
    const result = await cli(['--check-config']);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /--check-config needs a configuration/);
    assert.ok(result.stderr.includes(join(REPO, 'examples', 'config.example.yaml')));
  });

  test('a plain run with a valid file serves health and metrics, and exits 0 on SIGTERM', async () => {
    const config = join(dir, 'loopback.yaml');
    // The only account points at a loopback port where nothing listens: the run must stay up regardless.
    writeFileSync(
      config,
      `server: { listen: "127.0.0.1:0" }
state: { path: ${JSON.stringify(join(dir, 'state', 'run.db'))} }
accounts:
  - { name: emu, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }
`,
    );
    const run = startCli(['--config', config], SECRETS);
    const base = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    assert.equal((await fetch(new URL('/healthz', base))).status, 200);
    assert.equal((await fetch(new URL('/readyz', base))).status, 200);
    assert.match(await (await fetch(new URL('/metrics', base))).text(), /snowflake_risk_up\{account="emu"\}/);
    run.child.kill('SIGTERM');
    const outcome = await run.done;
    assert.equal(outcome.code, 0);
    assert.ok(!outcome.stderr.includes(SECRETS.CLI_PAT) && !outcome.stdout.includes(SECRETS.CLI_PAT));
  });

  test('SIGHUP reloads a valid configuration, keeps the running one when the new one is invalid; logs are JSON lines', async () => {
    const config = join(dir, 'reload.yaml');
    const account = (name: string): string =>
      `  - { name: ${name}, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }\n`;
    const head = `server: { listen: "127.0.0.1:0" }\nstate: { path: ${JSON.stringify(join(dir, 'state', 'reload.db'))} }\naccounts:\n`;
    writeFileSync(config, head + account('first'));
    const run = startCli(['--config', config], SECRETS);
    const first = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    assert.match(await (await fetch(new URL('/metrics', first))).text(), /snowflake_risk_up\{account="first"\}/);

    writeFileSync(config, head + account('first') + account('second'));
    run.child.kill('SIGHUP');
    const second = await run.waitFor(/reloaded: serving (http:\/\/127\.0\.0\.1:\d+\/)/);
    assert.match(await (await fetch(new URL('/metrics', second))).text(), /snowflake_risk_up\{account="second"\}/);

    writeFileSync(config, head + '  - { name: broken }\n');
    run.child.kill('SIGHUP');
    await run.waitFor(/(the new configuration is invalid, keeping the running one)/);
    assert.match(await (await fetch(new URL('/metrics', second))).text(), /snowflake_risk_up\{account="second"\}/, 'still serving the previous configuration');

    run.child.kill('SIGTERM');
    const outcome = await run.done;
    assert.equal(outcome.code, 0);
    // Every line the process logs is one JSON object with time, level, service and msg; none carries the secret.
    const lines = outcome.stderr.trim().split('\n');
    for (const line of lines) {
      const record = JSON.parse(line) as Record<string, unknown>;
      assert.equal(typeof record.time, 'string', line);
      assert.ok(['debug', 'info', 'warn', 'error'].includes(record.level as string), line);
      assert.equal(record.service, 'snowflake-risk-exporter', line);
      assert.equal(typeof record.msg, 'string', line);
    }
    assert.ok(lines.some((line) => line.includes('SIGTERM received: stopping')));
    assert.ok(!outcome.stderr.includes(SECRETS.CLI_PAT));
  });

  test('--check-config reads the keys as the exporter will: a public key and a wrong passphrase fail with exit 2 and their paths', async () => {
    const config = join(dir, 'bad-keys.yaml');
    writeFileSync(join(dir, 'public.pem'), testKeys().rsaPublic, { mode: 0o600 });
    writeFileSync(join(dir, 'encrypted.pem'), testKeys().rsaEncrypted, { mode: 0o600 });
    writeFileSync(
      config,
      `accounts:
  - { name: a, account: xy12345, user: SVC, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:public.pem" } }
  - { name: b, account: xy12346, user: SVC, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:encrypted.pem", passphrase: "env:CLI_PASS" } }
`,
    );
    const result = await cli(['--check-config', '--config', config], { CLI_PASS: 'not-the-passphrase-xyz' });
    assert.equal(result.code, 2, result.stderr);
    assert.match(result.stderr, /has 2 problems:/);
    assert.match(result.stderr, /- accounts\[0\]\.auth\.privateKey \(line 2\): the private key from file:\S+public\.pem holds a public key/);
    assert.match(result.stderr, /- accounts\[1\]\.auth\.passphrase \(line 3\): the private key from file:\S+encrypted\.pem could not be decrypted: the passphrase from env:CLI_PASS is wrong/);
    assert.doesNotMatch(result.stderr, /unexpected failure/);
    for (const secret of ['not-the-passphrase-xyz', ...pemBodyLines(testKeys().rsaEncrypted), ...pemBodyLines(testKeys().rsaPublic)]) {
      assert.ok(!(result.stdout + result.stderr).includes(secret), 'a secret value was printed');
    }
  });

  test('Kubernetes service-link variables are skipped with one info line naming them, never their values', async () => {
    const links = {
      SNOWFLAKE_RISK_EXPORTER_SERVICE_HOST: '10.96.201.17',
      SNOWFLAKE_RISK_EXPORTER_SERVICE_PORT: '9975',
      SNOWFLAKE_RISK_EXPORTER_SERVICE_PORT_HTTP_METRICS: '9975',
      SNOWFLAKE_RISK_EXPORTER_PORT: 'tcp://10.96.201.17:9975',
      SNOWFLAKE_RISK_EXPORTER_PORT_9975_TCP: 'tcp://10.96.201.17:9975',
      SNOWFLAKE_RISK_EXPORTER_PORT_9975_TCP_PROTO: 'tcp',
      SNOWFLAKE_RISK_EXPORTER_PORT_9975_TCP_PORT: '9975',
      SNOWFLAKE_RISK_EXPORTER_PORT_9975_TCP_ADDR: '10.96.201.17',
    };
    const result = await cli(['--check-config', '--config', VALID], { ...SECRETS, ...links });
    assert.equal(result.code, 0, result.stderr);
    const info = result.stderr.split('\n').filter((line) => line.includes('service-link'));
    assert.equal(info.length, 1, result.stderr);
    assert.match(info[0]!, /^snowflake-risk-exporter: info: ignored 8 Kubernetes service-link variables that name no setting \(/);
    for (const name of Object.keys(links)) assert.ok(info[0]!.includes(name), name);
    assert.ok(!result.stderr.includes('10.96.201.17'), 'no value is repeated');
    // Anything else unknown under the prefix is still refused.
    const typo = await cli(['--check-config', '--config', VALID], { ...SECRETS, ...links, SNOWFLAKE_RISK_EXPORTER_SERVER__LISTN: '0.0.0.0:1' });
    assert.equal(typo.code, 2);
    assert.match(typo.stderr, /no setting LISTN under server/);
  });

  test('SIGHUP with a key that cannot sign keeps the running exporter and logs the problem with its path', async () => {
    const config = join(dir, 'reload-key.yaml');
    const head = `server: { listen: "127.0.0.1:0" }\nstate: { path: ${JSON.stringify(join(dir, 'state', 'reload-key.db'))} }\naccounts:\n`;
    const steady = '  - { name: steady, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }\n';
    writeFileSync(config, head + steady);
    writeFileSync(join(dir, 'ec.pem'), testKeys().ec, { mode: 0o600 });
    const run = startCli(['--config', config], SECRETS);
    const base = await run.waitFor(/listening on (http:\/\/127\.0\.0\.1:\d+\/)/);
    // Served once before the signal: by then the run listens for SIGHUP (it is logged just before the run waits for signals).
    assert.match(await (await fetch(new URL('/metrics', base))).text(), /snowflake_risk_up\{account="steady"\}/);
    writeFileSync(
      config,
      `${head}${steady}  - { name: keyed, account: xy12346, endpoint: "http://127.0.0.1:9", user: SVC, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:ec.pem" } }\n`,
    );
    run.child.kill('SIGHUP');
    await run.waitFor(/(the new configuration is invalid, keeping the running one)/);
    const metrics = await (await fetch(new URL('/metrics', base))).text();
    assert.match(metrics, /snowflake_risk_up\{account="steady"\}/, 'still serving the previous configuration');
    assert.doesNotMatch(metrics, /account="keyed"/);
    run.child.kill('SIGTERM');
    const outcome = await run.done;
    assert.equal(outcome.code, 0);
    assert.match(outcome.stderr, /accounts\[1\]\.auth\.privateKey \(line 5\): the private key from file:\S+ec\.pem is a ec key/);
    assert.doesNotMatch(outcome.stderr, /restarting the exporter/);
  });

  test('a start on a port another process holds: exit 2 naming server.listen, not an unexpected failure', async () => {
    const taken = createServer();
    await new Promise<void>((resolveListen) => taken.listen({ host: '127.0.0.1', port: 0 }, resolveListen));
    try {
      const port = (taken.address() as AddressInfo).port;
      const config = join(dir, 'taken.yaml');
      writeFileSync(
        config,
        `server: { listen: "127.0.0.1:${port}" }
state: { path: ${JSON.stringify(join(dir, 'state', 'taken.db'))} }
accounts:
  - { name: emu, account: xy12345, endpoint: "http://127.0.0.1:9", role: R, warehouse: W, auth: { method: pat, token: "env:CLI_PAT" } }
`,
      );
      const result = await cli(['--config', config], SECRETS);
      assert.equal(result.code, 2, result.stderr);
      assert.match(result.stderr, new RegExp(`- server\\.listen: cannot listen on 127\\.0\\.0\\.1:${port} \\(EADDRINUSE\\)`));
      assert.doesNotMatch(result.stderr, /unexpected failure/);
    } finally {
      await new Promise((resolveClose) => taken.close(resolveClose));
    }
  });

  test('an unknown flag, a positional argument or a missing value: exit 2 with usage', async () => {
    for (const args of [['--bogus'], ['extra'], ['--config'], ['--config', ''], ['--help=yes']]) {
      const result = await cli(args);
      assert.equal(result.code, 2, args.join(' '));
      assert.match(result.stderr, /Usage: snowflake-risk-exporter/, args.join(' '));
    }
    assert.match((await cli(['--bogus'])).stderr, /Unknown option '--bogus'/);
  });

  test('a configuration file that does not exist: exit 2', async () => {
    const result = await cli(['--check-config', '--config', join(dir, 'absent.yaml')]);
    assert.equal(result.code, 2);
    assert.match(result.stderr, /cannot read the configuration file: no such file/);
  });
});

describe('CLI (in process)', () => {
  test('a valid run hands the resolved configuration to the run seam and returns its exit code', async () => {
    const output: string[] = [];
    const sink = { write: (text: string) => output.push(text) };
    let seen: string[] = [];
    const code = await runCli({
      argv: ['--config', VALID],
      env: SECRETS,
      cwd: dir,
      stdout: sink,
      stderr: sink,
      run: (config) => {
        seen = config.accounts.map((account) => account.baseUrl);
        return Promise.resolve(0);
      },
    });
    assert.equal(code, 0);
    assert.deepEqual(seen, ['https://myorg-prod.snowflakecomputing.com', 'http://127.0.0.1:8085']);
  });

  test('warnings (a world-readable key file) go to stderr and do not fail --check-config', async () => {
    const keyPath = join(dir, 'open-key.pem');
    writeFileSync(keyPath, testKeys().rsa, { mode: 0o644 });
    const configPath = join(dir, 'warn.yaml');
    writeFileSync(
      configPath,
      'accounts:\n  - { name: a, account: xy12345, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:open-key.pem" } }\n',
    );
    const stdout: string[] = [];
    const stderr: string[] = [];
    const code = await runCli({
      argv: ['--check-config', '--config', configPath],
      env: {},
      cwd: dir,
      stdout: { write: (text: string) => stdout.push(text) },
      stderr: { write: (text: string) => stderr.push(text) },
    });
    assert.equal(code, 0);
    assert.match(stderr.join(''), /warning: accounts\[0\]\.auth\.privateKey \(line 2\): .*readable by group or others/);
    for (const line of pemBodyLines(testKeys().rsa)) assert.ok(!(stdout.join('') + stderr.join('')).includes(line));
  });
});
