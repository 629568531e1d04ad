// Acceptance: the exporter fails loudly. The real exporter (startExporter: SQL API client, scheduler, state store,
// metrics, HTTP) runs against the emulator while things break the way they break on a real account, and the test
// reads what an operator reads: the process log (the ExporterLog the runtime is given), /metrics and /api/status.
// - Snowflake refuses the key: the cycle cannot start; one warning says why (kind auth, Snowflake 390144), the cycle
//   failure counter moves, /api/status and the page show the reason, and the identical failure of the next cycle is
//   not written again (rate limit);
// - one view times out (HTTP 408, Snowflake 000630): one warning per failing source per cycle, the others run, and
//   the cycle's info line has rows per source, findings by severity and the warehouse cost;
// - Snowflake's clock statement fails, or an OAuth account's token endpoint is down: the cycle could not start, said
//   with the statement's error or the token endpoint's;
// - a long first cycle reports its progress, and the debug level shows statement handles, partitions and retries;
// - the same refusal seen from outside: the CLI as a child process writes it as a JSON line (pino) on stderr;
// - the state store fails under the engine (its handle closed before a cycle): the cycle no longer dies silently
//   on the credit budget it cannot read; every store failure is logged with its kind and code (STATE_CLOSED).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { generateKeyPairSync } from 'node:crypto';
import { writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, it, type TestContext } from 'node:test';
import type { AccountConfig } from '../../../src/config/types.ts';
import { startExporter, type ExporterLog, type RunningExporter, type StartExporterOptions } from '../../../src/runtime/exporter.ts';
import { Secret } from '../../../src/util/secret.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { exporterConfigFor, loginRow, minutesAfter, queryRow, sampleValue, scrape, tempDirFor } from '../../helpers/exporter-harness.ts';
import { staleUsersPostureDetection, unloadEventDetection } from '../detect/framework/detection-fixtures.ts';
import { callbackUrl, HttpBrowser, OAUTH_ACCOUNT, oauthFixtureFor, outcomeOf, startUrl } from '../oauth/helpers.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const REPO = resolve(import.meta.dirname, '../../..');

interface Line {
  readonly level: string;
  readonly message: string;
  readonly fields: Readonly<Record<string, string | number | boolean>>;
}

/** The exporter's log as the process logger would get it: level, message, fields. */
class LogCapture {
  readonly lines: Line[] = [];
  readonly log: ExporterLog = (level, message, fields) => {
    this.lines.push({ level, message, fields: fields ?? {} });
  };
  at(level: string): Line[] {
    return this.lines.filter((line) => line.level === level);
  }
  matching(level: string, pattern: RegExp): Line[] {
    return this.at(level).filter((line) => pattern.test(line.message));
  }
  text(): string {
    return JSON.stringify(this.lines);
  }
}

async function started(
  t: TestContext,
  account: AccountConfig,
  capture: LogCapture,
  options: Omit<StartExporterOptions, 'log' | 'schedule'> = {},
): Promise<RunningExporter> {
  const exporter = await startExporter(exporterConfigFor(account, join(tempDirFor(t), 'state.db')), { ...options, schedule: false, log: capture.log });
  t.after(() => exporter.close());
  return exporter;
}

interface StatusError {
  during: string;
  source?: string;
  kind: string;
  snowflakeCode?: string;
  httpStatus?: number;
  code?: string;
  message: string;
  at: string;
}

async function apiStatus(exporter: RunningExporter): Promise<{ accounts: { name: string; up?: boolean; lastError?: StatusError; sources: { source: string; lastError?: StatusError }[] }[] }> {
  const response = await fetch(new URL('/api/status', exporter.url));
  assert.equal(response.status, 200);
  return (await response.json()) as never;
}

describe('loud failures', () => {
  it('a key Snowflake refuses: one warning with kind and code, the failure counted and shown, repeats not flooded', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const account: AccountConfig = { ...e.account, auth: { method: 'keypair', privateKey: new Secret(other, 'test'), passphrase: undefined } };
    const capture = new LogCapture();
    const exporter = await started(t, account, capture);

    const first = await exporter.scheduler.runOnce(account.name);
    assert.ok(first.ran);
    assert.equal(first.report.outcome, 'failed');
    assert.equal(first.report.up, false);
    assert.equal(first.report.failure?.stage, 'start');
    assert.equal(first.report.failure?.kind, 'auth');

    const warnings = capture.matching('warn', /could not start/);
    assert.equal(warnings.length, 1, capture.text());
    const warning = warnings[0]!;
    assert.match(warning.message, /^account emulated: the collection cycle could not start, no source ran: auth, Snowflake 390144, HTTP 401, SF_AUTHENTICATION_FAILED: /);
    assert.deepEqual(
      { account: warning.fields.account, kind: warning.fields.kind, snowflakeCode: warning.fields.snowflakeCode, httpStatus: warning.fields.httpStatus },
      { account: 'emulated', kind: 'auth', snowflakeCode: '390144', httpStatus: 401 },
    );
    assert.equal(capture.matching('info', /^account emulated: cycle failed in /).length, 1, 'one info line for the cycle');

    let metrics = await scrape(exporter);
    assert.equal(sampleValue(metrics, 'snowflake_risk_cycle_failures_total', { account: 'emulated', kind: 'auth' }), 1);
    assert.equal(sampleValue(metrics, 'snowflake_risk_cycle_failures_total', { account: 'emulated', kind: 'network' }), 0);
    assert.equal(sampleValue(metrics, 'snowflake_risk_up', { account: 'emulated' }), 0);

    const status = await apiStatus(exporter);
    const shown = status.accounts[0]?.lastError;
    assert.equal(status.accounts[0]?.up, false);
    assert.ok(shown !== undefined, JSON.stringify(status));
    assert.deepEqual(
      { during: shown.during, kind: shown.kind, snowflakeCode: shown.snowflakeCode, httpStatus: shown.httpStatus, code: shown.code },
      { during: 'start', kind: 'auth', snowflakeCode: '390144', httpStatus: 401, code: 'SF_AUTHENTICATION_FAILED' },
    );
    assert.match(shown.message, /^Snowflake rejected the keypair token \(HTTP 401 390144\)/);
    assert.ok(!shown.message.includes('\n'));
    assert.ok(Number.isFinite(Date.parse(shown.at)));
    const page = await (await fetch(exporter.url)).text();
    assert.match(page, /Down: the cycle could not start at/);
    assert.match(page, /<code>Snowflake 390144, HTTP 401, SF_AUTHENTICATION_FAILED<\/code>/);

    // The same refusal at the next cycle: counted, but not written again within the repeat interval.
    await exporter.scheduler.runOnce(account.name);
    assert.equal(capture.matching('warn', /could not start/).length, 1, 'the identical failure is rate-limited');
    assert.equal(capture.matching('info', /^account emulated: cycle failed in /).length, 2, 'every cycle still has its line');
    metrics = await scrape(exporter);
    assert.equal(sampleValue(metrics, 'snowflake_risk_cycle_failures_total', { account: 'emulated', kind: 'auth' }), 2);

    // No secret in anything written: not the key, not a JWT.
    const written = capture.text() + metrics + JSON.stringify(status) + page;
    for (const line of other.split('\n').filter((text) => text.length > 20 && !text.startsWith('-----'))) assert.ok(!written.includes(line), 'no key material');
    assert.ok(!/eyJ[A-Za-z0-9_-]{8,}\./.test(written), 'no JWT');
  });

  it('a source that times out: one warning per cycle with Snowflake code and message; the cycle line has rows, findings and cost', async (t) => {
    const e = await keyPairEmulatorFor(t, {
      start: T0,
      emulatorOptions: { faults: { rules: [{ id: 'login-timeout', endpoint: 'submit', statementPattern: 'LOGIN_HISTORY', action: { kind: 'status', status: 408 } }] } },
    });
    await e.engine.insertRows('QUERY_HISTORY', [
      queryRow('q1', minutesAfter(T0, -120)),
      queryRow('q2', minutesAfter(T0, -100), { QUERY_TYPE: 'UNLOAD', QUERY_TEXT: 'COPY INTO @s FROM t' }),
    ]);
    await e.engine.insertRows('LOGIN_HISTORY', [loginRow(1, minutesAfter(T0, -180))]);
    const account: AccountConfig = { ...e.account, detections: [unloadEventDetection.id, staleUsersPostureDetection.id] };
    const capture = new LogCapture();
    const exporter = await started(t, account, capture, { extraDetections: [unloadEventDetection, staleUsersPostureDetection] });

    const result = await exporter.scheduler.runOnce(account.name);
    assert.ok(result.ran);
    assert.equal(result.report.outcome, 'partial');

    const warnings = capture.at('warn');
    assert.equal(warnings.length, 1, capture.text());
    const warning = warnings[0]!;
    assert.match(
      warning.message,
      /^account emulated: source login_history failed: timeout, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: statement timed out \(HTTP 408 000630\): Statement reached its statement or warehouse timeout/,
    );
    assert.deepEqual(
      { account: warning.fields.account, source: warning.fields.source, kind: warning.fields.kind, snowflakeCode: warning.fields.snowflakeCode },
      { account: 'emulated', source: 'login_history', kind: 'timeout', snowflakeCode: '000630' },
    );
    assert.ok(!warning.message.includes('SELECT'), 'no statement text');

    const cycleLines = capture.matching('info', /^account emulated: cycle partial in /);
    assert.equal(cycleLines.length, 1, capture.text());
    const line = cycleLines[0]!;
    assert.match(line.message, /rows: [^;]*query_history=2/);
    assert.match(line.message, /findings: critical=1, low=1/);
    assert.match(line.message, /warehouse \d+ s, \d+\.\d{4} credits, \d+ statements/);
    assert.match(line.message, /failed: login_history \(timeout\)/);
    assert.equal(line.fields.findings, 2);
    assert.equal(line.fields.findings_critical, 1);
    assert.ok(typeof line.fields.warehouseSeconds === 'number' && line.fields.warehouseSeconds >= 60, JSON.stringify(line.fields));

    const status = await apiStatus(exporter);
    const account0 = status.accounts[0]!;
    assert.equal(account0.up, true);
    assert.equal(account0.lastError?.during, 'source');
    assert.equal(account0.lastError?.source, 'login_history');
    assert.equal(account0.lastError?.snowflakeCode, '000630');
    assert.equal(account0.sources.find((source) => source.source === 'login_history')?.lastError?.kind, 'timeout');
    const metrics = await scrape(exporter);
    assert.equal(sampleValue(metrics, 'snowflake_risk_cycle_failures_total', { account: 'emulated', kind: 'timeout' }), 0, 'a partial cycle is no failed cycle');

    // The view answers again: the recovery is said once.
    e.emulator.admin.setFaults({ rules: [] });
    e.advance(10 * 60);
    await exporter.scheduler.runOnce(account.name);
    assert.equal(capture.matching('info', /^account emulated: source login_history works again/).length, 1, capture.text());
  });

  it("Snowflake's clock statement failing: the cycle could not start, and the warning says why", async (t) => {
    const e = await keyPairEmulatorFor(t, {
      start: T0,
      emulatorOptions: { faults: { rules: [{ id: 'clock', endpoint: 'submit', statementPattern: 'CURRENT_TIMESTAMP', action: { kind: 'status', status: 408 } }] } },
    });
    const capture = new LogCapture();
    const exporter = await started(t, e.account, capture);
    const result = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(result.ran);
    assert.equal(result.report.outcome, 'failed');
    const warnings = capture.matching('warn', /could not start/);
    assert.equal(warnings.length, 1, capture.text());
    assert.match(warnings[0]!.message, /timeout, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: statement timed out/);
    assert.equal(sampleValue(await scrape(exporter), 'snowflake_risk_cycle_failures_total', { account: 'emulated', kind: 'timeout' }), 1);

    e.emulator.admin.setFaults({ rules: [] });
    await exporter.scheduler.runOnce(e.account.name);
    assert.equal(capture.matching('info', /^account emulated: collection cycles start again/).length, 1, capture.text());
  });

  it('an OAuth token endpoint that is down: the cycle could not start, and the warning names the endpoint failure', async (t) => {
    const fixture = await oauthFixtureFor(t);
    const capture = new LogCapture();
    const exporter = await startExporter(fixture.config(), { schedule: false, log: capture.log });
    t.after(() => exporter.close());
    fixture.registerClient(callbackUrl(exporter));
    const browser = new HttpBrowser();
    assert.equal(outcomeOf((await browser.get(await browser.consent(startUrl(exporter)))).text), 'connected');
    // The access token ends and the token endpoint answers 503 to every refresh.
    const emulator = fixture.emulator.emulator;
    emulator.admin.expireTokens({ kind: 'access' });
    emulator.admin.setFaults({ rules: [{ id: 'token-down', endpoint: 'token', action: { kind: 'status', status: 503 } }] });
    const result = await exporter.scheduler.runOnce(OAUTH_ACCOUNT);
    assert.ok(result.ran);
    assert.equal(result.report.outcome, 'failed');
    const warnings = capture.matching('warn', new RegExp(`^account ${OAUTH_ACCOUNT}: the collection cycle could not start`));
    assert.equal(warnings.length, 1, capture.text());
    assert.match(warnings[0]!.message, /: auth, HTTP 503, OAUTH_TOKEN_ENDPOINT_UNAVAILABLE: /);
    assert.equal(warnings[0]!.fields.code, 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE');
    assert.ok(!/ver:\d+-hint:/.test(capture.text()), 'no token in the log');
    const status = await apiStatus(exporter);
    assert.equal(status.accounts.find((account) => account.name === OAUTH_ACCOUNT)?.lastError?.code, 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE');
  });

  it('a long first cycle logs its progress; debug shows statement handles, partitions and retries with codes', async (t) => {
    const e = await keyPairEmulatorFor(t, {
      start: T0,
      emulatorOptions: {
        partitionRows: 400,
        faults: { rules: [{ id: 'throttle', endpoint: 'submit', statementPattern: 'LOGIN_HISTORY', action: { kind: 'status', status: 429, retryAfterSeconds: 0 }, count: 1 }] },
      },
    });
    await e.engine.insertRows(
      'QUERY_HISTORY',
      Array.from({ length: 2500 }, (_, index) => queryRow(`bulk-${index}`, minutesAfter(T0, -600 + index / 10))),
    );
    const capture = new LogCapture();
    const exporter = await started(t, e.account, capture, { progressLogIntervalMs: 0 });
    const result = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(result.ran);
    assert.equal(result.report.outcome, 'ok', capture.text());

    const progress = capture.matching('info', /cycle running for \d+ s; rows so far: /);
    assert.ok(progress.some((line) => /query_history=2000/.test(line.message)), capture.text());
    const debug = capture.at('debug').map((line) => line.message);
    assert.ok(debug.some((message) => /^account emulated: statement [0-9a-f-]{36} done: 2500 rows in 7 partition\(s\)$/.test(message)), debug.join('\n'));
    assert.ok(debug.some((message) => /^account emulated: partition 6 of statement [0-9a-f-]{36}: HTTP 200 in \d+ ms$/.test(message)), debug.join('\n'));
    assert.ok(
      debug.some((message) => /^account emulated: submit request retried \(attempt 1, in \d+ ms\): HTTP 429, Snowflake 390505$/.test(message)),
      debug.join('\n'),
    );
  });

  it('a state store that fails under the engine: every failure logged with its kind, the cycle reports instead of dying', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    await e.engine.insertRows('QUERY_HISTORY', [queryRow('q1', minutesAfter(T0, -120))]);
    const capture = new LogCapture();
    const exporter = await started(t, e.account, capture);
    // The store's handle is gone before the first cycle (as when its file can no longer be read): the day's credit
    // budget, every position, every commit and the cycle history fail. A real store, closed: no stand-in.
    exporter.store.close();

    const result = await exporter.scheduler.runOnce(e.account.name);
    assert.ok(result.ran, 'the cycle ends and reports instead of throwing');
    // The posture snapshots keep no position: they still run; every stream fails on the store.
    assert.equal(result.report.outcome, 'partial');
    assert.equal(result.report.sources.find((source) => source.source === 'query_history')?.kind, 'state');

    const stateWarnings = capture.at('warn').filter((line) => line.fields.kind === 'state');
    assert.ok(stateWarnings.length > 0, capture.text());
    assert.ok(stateWarnings.every((line) => line.fields.code === 'STATE_CLOSED'), capture.text());
    assert.ok(stateWarnings.some((line) => line.fields.operation === 'credit budget'), 'the budget read is said');
    assert.ok(stateWarnings.some((line) => line.fields.operation === 'cycle history'), 'the cycle history is said');
    assert.ok(
      stateWarnings.some((line) => /^account emulated: source query_history failed: state, STATE_CLOSED: could not read the position of /.test(line.message)),
      capture.text(),
    );
    const metrics = await scrape(exporter);
    assert.equal(sampleValue(metrics, 'snowflake_risk_source_errors_total', { account: 'emulated', source: 'query_history', kind: 'state' }), 1);
    const status = await apiStatus(exporter);
    assert.equal(status.accounts[0]?.lastError?.kind, 'state');
    assert.equal(status.accounts[0]?.lastError?.code, 'STATE_CLOSED');
  });

  it('as an operator sees it: the CLI writes the refusal as one JSON warning line on stderr, without the key', { timeout: 120_000 }, async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0 });
    const other = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
    const dir = tempDirFor(t);
    const config = join(dir, 'config.yaml');
    writeFileSync(
      config,
      [
        'server: { listen: "127.0.0.1:0" }',
        `state: { path: ${JSON.stringify(join(dir, 'state.db'))} }`,
        'accounts:',
        '  - name: refused',
        `    account: ${EMULATED_ACCOUNT_IDENTIFIER}`,
        `    endpoint: ${e.emulator.url.origin}`,
        `    user: ${e.account.user}`,
        `    role: ${e.account.role}`,
        `    warehouse: ${e.account.warehouse}`,
        '    jitter: 0s',
        '    auth: { method: keypair, privateKey: "env:LOUD_FAILURES_KEY" }',
        '',
      ].join('\n'),
    );
    const child = spawn(join(REPO, 'node_modules', '.bin', 'node'), ['src/main.ts', '--config', config], {
      cwd: REPO,
      env: { PATH: process.env.PATH ?? '', LOUD_FAILURES_KEY: other },
    });
    t.after(() => {
      if (child.exitCode === null) child.kill('SIGKILL');
    });
    let stderr = '';
    const warning = new Promise<Record<string, unknown>>((resolveWarning, reject) => {
      const timer = setTimeout(() => reject(new Error(`no warning line; stderr: ${stderr}`)), 60_000);
      child.stderr.setEncoding('utf8').on('data', (chunk: string) => {
        stderr += chunk;
        for (const line of stderr.split('\n').filter((text) => text.startsWith('{'))) {
          const parsed = JSON.parse(line) as Record<string, unknown>;
          if (parsed.level === 'warn' && parsed.account === 'refused') {
            clearTimeout(timer);
            resolveWarning(parsed);
          }
        }
      });
    });
    const exited = new Promise<number | null>((resolveExit) => child.on('close', resolveExit));
    const line = await warning;
    assert.equal(line.kind, 'auth');
    assert.equal(line.snowflakeCode, '390144');
    assert.equal(line.httpStatus, 401);
    assert.match(String(line.msg), /^account refused: the collection cycle could not start, no source ran: auth, Snowflake 390144/);
    assert.equal(line.service, 'snowflake-risk-exporter');
    child.kill('SIGTERM');
    assert.equal(await exited, 0);
    assert.match(stderr, /"msg":"account refused: cycle failed in /);
    for (const keyLine of other.split('\n').filter((text) => text.length > 20 && !text.startsWith('-----'))) assert.ok(!stderr.includes(keyLine), 'no key material');
  });
});
