// auth.suspicious_login on an account without behaviour change bundle 2025_07: LOGIN_HISTORY has no LOGIN_DETAILS
// column there, and Snowflake refuses a statement naming it at compile time (000904 invalid identifier). The IOC IP
// and client checks must still run, the classification check must show as unavailable (metric, landing page, log),
// and the account must not pay a refused statement every cycle to find out again.
import assert from 'node:assert/strict';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { SOURCES } from '../../../../src/collect/source-ids.ts';
import { authSuspiciousLogin } from '../../../../src/detect/catalog/auth/suspicious-login.ts';
import { MISSING_COLUMN_RECHECK_SECONDS, SqlDetectionSource } from '../../../../src/detect/runner/sql-detection-source.ts';
import { startExporter } from '../../../../src/runtime/exporter.ts';
import { keyPairEmulatorFor, type KeyPairEmulator } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';
import { exporterConfigFor, loginRow, minutesAfter, RecordingExporterSink, sampleValue, scrape, tempDirFor } from '../../../helpers/exporter-harness.ts';
import { recordingDispatcher, type SentStatement } from '../../../helpers/recording-dispatcher.ts';

const T0 = new Date('2026-11-20T12:00:00Z');
const IOC = '198.51.100.66';
const TOR = '203.0.113.93';

/** An IOC-IP login, a login Snowflake classified HIGH (its LOGIN_DETAILS stored, hidden without the bundle), and a rapeflake session. */
async function loadLogins(e: KeyPairEmulator): Promise<void> {
  const details = JSON.stringify({ malicious_ip_protection_info: JSON.stringify({ categories: ['TOR_EXITS'], result: 'BLOCKED', riskClassification: 'HIGH' }) });
  await e.engine.insertRows('LOGIN_HISTORY', [
    loginRow(7001, minutesAfter(T0, -300), { USER_NAME: 'MALLORY', CLIENT_IP: IOC }),
    loginRow(7002, minutesAfter(T0, -290), { USER_NAME: 'TRUDY', CLIENT_IP: TOR, IS_SUCCESS: 'NO', ERROR_CODE: 390422, ERROR_MESSAGE: 'INCOMING_IP_BLOCKED', LOGIN_DETAILS: details }),
    loginRow(7003, minutesAfter(T0, -280), { USER_NAME: 'EVE', CLIENT_IP: '192.0.2.10' }),
  ]);
  await e.engine.insertRows('SESSIONS', [
    {
      SESSION_ID: 9003, CREATED_ON: minutesAfter(T0, -280).toISOString(), USER_NAME: 'EVE', AUTHENTICATION_METHOD: 'Password', LOGIN_EVENT_ID: 7003,
      CLIENT_APPLICATION_ID: 'JDBC 3.13.30', CLIENT_APPLICATION_VERSION: '3.13.30', CLIENT_BUILD_ID: null,
      CLIENT_ENVIRONMENT: JSON.stringify({ APPLICATION: 'rapeflake', OS: 'Linux' }), CLIENT_VERSION: '3.13.30', CLOSED_REASON: null,
    },
  ]);
}

function detectionStatements(sent: readonly SentStatement[]): string[] {
  return sent.map((body) => body.statement).filter((statement) => statement.includes('FLAGGED_LOGINS'));
}

describe('auth.suspicious_login without LOGIN_DETAILS (behaviour change bundle 2025_07 not enabled)', () => {
  it('runs the IOC IP and client checks, reports the classification unavailable, and re-checks only every few hours', async (t) => {
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: T0, dispatcher, engineOptions: { disabledBundles: ['2025_07'] } });
    await loadLogins(e);
    const source = new SqlDetectionSource({ detection: authSuspiciousLogin, parameters: { iocIps: [IOC] }, backfillSeconds: 86_400, overlapMarginSeconds: 900 });
    const state = new InMemoryCollectionState();
    const run = () => source.run(new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state }));

    const first = await run();
    assert.deepEqual(state.findings.map((f) => [f.user, f.evidenceIds, f.attributes.reason]), [
      ['MALLORY', ['7001'], 'ioc_ip'],
      ['EVE', ['9003'], 'client_application'],
    ]);
    assert.equal(first.parts?.length, 1);
    assert.equal(first.parts?.[0]?.part, 'login_details');
    assert.equal(first.parts?.[0]?.available, false);
    assert.match(first.parts?.[0]?.reason ?? '', /^LOGIN_HISTORY\.LOGIN_DETAILS does not exist on this account \(Snowflake 000904 invalid identifier; the column comes with behaviour change bundle 2025_07\)$/);
    // The full statement was refused at compile time, then the statement without the column ran.
    const cycle1 = detectionStatements(sent);
    assert.equal(cycle1.length, 2);
    assert.match(cycle1[0]!, /LOGIN_DETAILS/);
    assert.doesNotMatch(cycle1[1]!, /LOGIN_DETAILS/);

    // Next cycle: the account is remembered; one statement, without the column.
    e.advance(SOURCES.sessions.defaultIntervalSeconds);
    const second = await run();
    assert.equal(second.parts?.[0]?.available, false);
    const cycle2 = detectionStatements(sent).slice(2);
    assert.equal(cycle2.length, 1);
    assert.doesNotMatch(cycle2[0]!, /LOGIN_DETAILS/);

    // After the re-check period the full statement is tried again (still refused here, so again the fallback).
    e.advance(MISSING_COLUMN_RECHECK_SECONDS);
    await run();
    const cycle3 = detectionStatements(sent).slice(3);
    assert.equal(cycle3.length, 2);
    assert.match(cycle3[0]!, /LOGIN_DETAILS/);
  });

  it('with the bundle, the same rows add the classified login and the part is available', async (t) => {
    const { dispatcher, sent } = recordingDispatcher(t);
    const e = await keyPairEmulatorFor(t, { start: T0, dispatcher });
    await loadLogins(e);
    const source = new SqlDetectionSource({ detection: authSuspiciousLogin, parameters: { iocIps: [IOC] }, backfillSeconds: 86_400, overlapMarginSeconds: 900 });
    const state = new InMemoryCollectionState();
    const result = await source.run(new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state }));
    assert.deepEqual(state.findings.map((f) => [f.user, f.attributes.reason, f.attributes.blocked]), [
      ['MALLORY', 'ioc_ip', undefined],
      ['TRUDY', 'malicious_ip', true],
      ['EVE', 'client_application', undefined],
    ]);
    assert.deepEqual(result.parts, [{ part: 'login_details', available: true }]);
    assert.equal(detectionStatements(sent).length, 1);
  });

  it('the operator sees it: snowflake_risk_source_part_unavailable, the landing page and one log line', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: T0, engineOptions: { disabledBundles: ['2025_07'] } });
    await loadLogins(e);
    const name = e.account.name;
    const config = exporterConfigFor({ ...e.account, detections: ['auth.suspicious_login'], detectionParameters: { 'auth.suspicious_login': { iocIps: [IOC] } } }, join(tempDirFor(t), 'state.db'));
    const logged: string[] = [];
    const sink = new RecordingExporterSink();
    const exporter = await startExporter(config, { sinks: [sink], schedule: false, log: (level, message) => logged.push(`${level} ${message}`) });
    t.after(() => exporter.close());

    const cycle = await exporter.scheduler.runOnce(name);
    assert.ok(cycle.ran);
    assert.equal(cycle.report.sources.find((source) => source.source === 'auth.suspicious_login')?.status, 'ok');
    assert.deepEqual(sink.accepted.flatMap((batch) => batch.findings).filter((f) => f.detectionId === 'auth.suspicious_login').map((f) => f.user).sort(), ['EVE', 'MALLORY']);
    const text = await scrape(exporter);
    assert.equal(sampleValue(text, 'snowflake_risk_source_part_unavailable', { account: name, source: 'auth.suspicious_login', part: 'login_details' }), 1);
    assert.equal(sampleValue(text, 'snowflake_risk_detection_unavailable', { account: name, detection: 'auth.suspicious_login' }), 0);
    const page = await (await fetch(new URL('/', exporter.url))).text();
    assert.match(page, /auth\.suspicious_login<\/code>[\s\S]*?partial<\/span>: <code>login_details<\/code> unavailable: LOGIN_HISTORY\.LOGIN_DETAILS does not exist on this account/);
    const warnings = () => logged.filter((line) => line.startsWith('warn ') && line.includes('login_details'));
    assert.equal(warnings().length, 1);
    assert.match(warnings()[0]!, /auth\.suspicious_login: login_details is unavailable \(LOGIN_HISTORY\.LOGIN_DETAILS does not exist/);

    // The next cycle says nothing new in the log (the state did not change); the metric stays.
    e.advance(3600);
    await exporter.scheduler.runOnce(name);
    assert.equal(warnings().length, 1);
  });
});
