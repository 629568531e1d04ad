// auth.* detections on the emulator: the demo scenario's authentication stories fire with the right user and
// evidence ids (LOGIN_HISTORY EVENT_IDs, SESSIONS SESSION_IDs), its near-misses do not, and hand-built
// LOGIN_HISTORY rows pin the thresholds and the escalation.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { authBruteForce } from '../../../../src/detect/catalog/auth/brute-force.ts';
import { authDormantUserLogin } from '../../../../src/detect/catalog/auth/dormant-user-login.ts';
import { authNewClientApplication } from '../../../../src/detect/catalog/auth/new-client-application.ts';
import { authPasswordSpray } from '../../../../src/detect/catalog/auth/password-spray.ts';
import { authSuspiciousLogin } from '../../../../src/detect/catalog/auth/suspicious-login.ts';
import type { SqlDetection } from '../../../../src/detect/types.ts';
import { keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { demoAccount, demoParameters, incidentsOf, keyOf, nearMissesOf, runSql } from './demo-account.ts';

const START = new Date('2026-11-20T12:00:00Z');
const MIN = 60_000;

let eventId = 1000;
function login(user: string | null, ip: string, minutesBeforeStart: number, fields: Record<string, unknown> = {}): Record<string, unknown> {
  eventId++;
  return {
    EVENT_ID: eventId,
    EVENT_TIMESTAMP: new Date(START.getTime() - 3 * 60 * MIN - minutesBeforeStart * MIN).toISOString(),
    EVENT_TYPE: 'LOGIN',
    USER_NAME: user,
    CLIENT_IP: ip,
    REPORTED_CLIENT_TYPE: 'JDBC_DRIVER',
    REPORTED_CLIENT_VERSION: '3.13.30',
    FIRST_AUTHENTICATION_FACTOR: 'PASSWORD',
    SECOND_AUTHENTICATION_FACTOR: null,
    IS_SUCCESS: 'NO',
    ERROR_CODE: '390100',
    ERROR_MESSAGE: 'INCORRECT_USERNAME_PASSWORD',
    ...fields,
  };
}
const success = { IS_SUCCESS: 'YES', ERROR_CODE: null, ERROR_MESSAGE: null };
const WINDOW = { from: new Date(START.getTime() - 48 * 60 * MIN), to: START };

describe('auth detections on the demo scenario', () => {
  it('fire on the authentication stories with user and evidence ids, never on the near-misses', async (t) => {
    const demo = await demoAccount(t);
    const parameters = demoParameters(demo.scenario);
    const detections: SqlDetection[] = [authSuspiciousLogin, authBruteForce, authPasswordSpray, authDormantUserLogin, authNewClientApplication];
    for (const detection of detections) {
      const drafts = await runSql(demo, detection, demo.window, parameters);
      const expected = incidentsOf(demo.scenario, detection.id).map((i) => keyOf(i.user, i.evidenceIds)).sort();
      assert.ok(expected.length > 0, detection.id);
      assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)).sort(), expected, detection.id);
      const found = new Set(drafts.flatMap((d) => d.evidenceIds));
      for (const miss of nearMissesOf(demo.scenario, detection.id)) {
        assert.ok(!miss.evidenceIds.some((id) => found.has(String(id))), `${detection.id}: ${miss.why_not}`);
      }
    }
    const [brute] = await runSql(demo, authBruteForce, demo.window, parameters);
    assert.equal(brute?.severity, 'high');
    assert.equal(brute?.attributes?.followedBySuccess, true);
    assert.equal(brute?.attributes?.failures, 6);
    const suspicious = await runSql(demo, authSuspiciousLogin, demo.window, parameters);
    const nkowalski = suspicious.find((d) => d.user === 'NKOWALSKI' && d.attributes?.application !== undefined);
    assert.equal(nkowalski?.attributes?.reason, 'ioc_ip,malicious_ip,client_application');
    assert.equal(nkowalski?.attributes?.application, 'rapeflake');
    assert.equal(nkowalski?.attributes?.maliciousIpResult, 'OPTED_OUT');
    assert.equal(nkowalski?.attributes?.blocked, false);
    // The login Snowflake blocked (LOGIN_DETAILS as documented: VARCHAR, member encoded twice) is a finding that
    // says it did not get in.
    const blocked = suspicious.find((d) => d.attributes?.maliciousIpResult === 'BLOCKED');
    assert.equal(blocked?.user, 'NKOWALSKI');
    assert.equal(blocked?.attributes?.reason, 'malicious_ip');
    assert.equal(blocked?.attributes?.blocked, true);
    assert.equal(blocked?.attributes?.success, false);
    assert.equal(blocked?.attributes?.riskClassification, 'HIGH');
    assert.equal(blocked?.attributes?.riskCategories, 'ANONYMOUS_VPN,TOR_EXITS');
    assert.match(blocked?.reason ?? '', /classified HIGH risk by Snowflake: ANONYMOUS_VPN,TOR_EXITS\).*blocked by Snowflake's malicious IP protection: the login did not get in\.$/);
    // Without the IOC list, Snowflake's own malicious-IP classification (LOGIN_DETAILS) still catches those logins.
    const withoutIoc = await runSql(demo, authSuspiciousLogin, demo.window, {});
    assert.deepEqual(withoutIoc.map((d) => d.user).sort(), ['IYILMAZ', 'NKOWALSKI', 'NKOWALSKI']);
    assert.deepEqual(withoutIoc.filter((d) => d.user === 'NKOWALSKI').map((d) => d.attributes?.reason).sort(), ['malicious_ip', 'malicious_ip,client_application']);
    const dormant = await runSql(demo, authDormantUserLogin, demo.window, parameters);
    assert.equal(dormant[0]?.attributes?.daysSincePreviousLogin, 130);
  });
});

describe('auth.brute_force and auth.password_spray thresholds', () => {
  it('needs 5 guessing failures for one (ip, user) within 24 h; a following success escalates to high', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const rows = [
      // VICTIM1: 5 failures from 203.0.113.5, no success: medium.
      ...[50, 40, 30, 20, 10].map((m) => login('VICTIM1', '203.0.113.5', m)),
      // VICTIM2: 5 failures then a success from the same IP: high.
      ...[50, 40, 30, 20, 10].map((m) => login('VICTIM2', '203.0.113.6', m)),
      login('VICTIM2', '203.0.113.6', 5, success),
      // TYPO: 4 failures then success (below threshold); SPLIT: 3 + 3 from two IPs; JWT: 6 key-pair mismatches.
      ...[50, 40, 30, 20].map((m) => login('TYPO', '198.51.100.7', m)),
      login('TYPO', '198.51.100.7', 5, success),
      ...[50, 40, 30].map((m) => login('SPLIT', '198.51.100.8', m)),
      ...[50, 40, 30].map((m) => login('SPLIT', '198.51.100.9', m)),
      ...[60, 50, 40, 30, 20, 10].map((m) => login('ETL_SVC', '10.0.0.4', m, { ERROR_CODE: '394304', ERROR_MESSAGE: 'JWT_TOKEN_INVALID_PUBLIC_KEY_FINGERPRINT_MISMATCH' })),
      // SLOW: 5 failures spread over 30 hours: never 5 within 24 h.
      ...[0, 7.5 * 60, 15 * 60, 22.5 * 60, 30 * 60].map((m) => login('SLOW', '198.51.100.10', m)),
      // EDGE: a burst straddling the window's start (3 failures before it, 2 inside) is seen whole.
      ...[2715, 2710, 2705, 2695, 2690].map((m) => login('EDGE', '198.51.100.11', m)),
      // OLD: a burst entirely before the window was an earlier run's finding.
      ...[3040, 3030, 3020, 3010, 3000].map((m) => login('OLD', '198.51.100.12', m)),
    ];
    await e.engine.insertRows('LOGIN_HISTORY', rows);
    const drafts = await runSql({ e }, authBruteForce, WINDOW);
    assert.deepEqual(drafts.map((d) => [d.user, d.severity, d.evidenceIds.length]).sort(), [['EDGE', 'medium', 5], ['VICTIM1', 'medium', 5], ['VICTIM2', 'high', 6]]);
    // Nothing here is a spray: each IP saw at most one user name.
    assert.deepEqual(await runSql({ e }, authPasswordSpray, WINDOW), []);
  });

  it('needs 5 distinct user names failing from one IP within an hour', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    await e.engine.insertRows('LOGIN_HISTORY', [
      ...['A', 'B', 'C', 'D', 'E'].map((user, i) => login(user, '203.0.113.20', 50 - i * 10)),
      // Four users only, and five users spread over more than an hour.
      ...['A', 'B', 'C', 'D'].map((user, i) => login(user, '203.0.113.21', 40 - i * 10)),
      ...['A', 'B', 'C', 'D', 'E'].map((user, i) => login(user, '203.0.113.22', 400 - i * 20)),
      // A nonexistent user name counts too (USER_NAME as typed).
      ...['F', 'G', 'H', 'I'].map((user, i) => login(user, '203.0.113.23', 50 - i * 10)),
      login('NO_SUCH_USER', '203.0.113.23', 5),
    ]);
    const drafts = await runSql({ e }, authPasswordSpray, WINDOW);
    assert.deepEqual(drafts.map((d) => [d.user, d.attributes?.clientIp, d.attributes?.distinctUsers, d.evidenceIds.length]).sort(), [
      [null, '203.0.113.20', 5, 5],
      [null, '203.0.113.23', 5, 5],
    ]);
  });

  it('auth.suspicious_login: an IOC IP alone, a malicious-IP classification alone (LOGIN_DETAILS as stored), and neither', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    // LOGIN_DETAILS is VARCHAR JSON text; Snowflake's documented values encode the member a second time.
    const documented = (info: object): string => JSON.stringify({ malicious_ip_protection_info: JSON.stringify(info) });
    const single = (info: object): string => JSON.stringify({ malicious_ip_protection_info: info });
    await e.engine.insertRows('LOGIN_HISTORY', [
      login('IOC_ONLY', '198.51.100.66', 35, success),
      login('CLASSIFIED', '203.0.113.99', 30, { ...success, LOGIN_DETAILS: documented({ categories: ['TOR_EXITS'], result: 'OPTED_OUT', riskClassification: 'HIGH' }) }),
      login('BLOCKED', '203.0.113.96', 25, { LOGIN_DETAILS: documented({ categories: ['ANONYMOUS_VPN', 'TOR_EXITS'], result: 'BLOCKED', riskClassification: 'HIGH' }) }),
      login('SINGLE', '203.0.113.95', 20, { ...success, LOGIN_DETAILS: single({ categories: ['ANONYMOUS_PROXIES'], result: 'OPTED_OUT', riskClassification: 'high' }) }),
      login('LOW_RISK', '203.0.113.98', 15, { ...success, LOGIN_DETAILS: documented({ categories: ['MALICIOUS_BEHAVIOR'], result: 'OPTED_OUT', riskClassification: 'LOW' }) }),
      login('MALFORMED', '203.0.113.94', 10, { ...success, LOGIN_DETAILS: '{"malicious_ip_protection_info":"{not json' }),
      login('CLEAN', '203.0.113.97', 5, success),
    ]);
    const drafts = await runSql({ e }, authSuspiciousLogin, WINDOW, { iocIps: ['198.51.100.66'] });
    assert.deepEqual(drafts.map((d) => [d.user, d.attributes?.reason, d.attributes?.maliciousIpResult, d.attributes?.blocked]), [
      ['IOC_ONLY', 'ioc_ip', undefined, undefined],
      ['CLASSIFIED', 'malicious_ip', 'OPTED_OUT', false],
      ['BLOCKED', 'malicious_ip', 'BLOCKED', true],
      ['SINGLE', 'malicious_ip', 'OPTED_OUT', false],
    ]);
    assert.match(drafts[1]?.reason ?? '', /^Login from 203\.0\.113\.99 \(classified HIGH risk by Snowflake: TOR_EXITS\), successful \(not blocked: protection result OPTED_OUT\)\.$/);
    assert.match(drafts[2]?.reason ?? '', /the login did not get in\.$/);
  });

  it('auth.suspicious_login never applies a path to the VARCHAR column, and can leave the column out', () => {
    const built = authSuspiciousLogin.statement(WINDOW, {});
    // `LOGIN_DETAILS:...` on a VARCHAR is a compile error in Snowflake (001044): the column is parsed first.
    assert.doesNotMatch(built.sql, /LOGIN_DETAILS\s*:/);
    assert.match(built.sql, /TRY_PARSE_JSON\(TO_VARCHAR\(TRY_PARSE_JSON\(l\.LOGIN_DETAILS\):malicious_ip_protection_info\)\)/);
    const without = authSuspiciousLogin.statement(WINDOW, {}, new Set(['login_details']));
    assert.doesNotMatch(without.sql, /LOGIN_DETAILS/);
    assert.deepEqual(without.bindings, built.bindings);
  });

  it('auth.new_client_application: needs a baseline on an earlier day, and reports a new client once', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    let sessionId = 500;
    const session = (user: string, hoursBeforeStart: number, app: string, appId: string): Record<string, unknown> => ({
      SESSION_ID: ++sessionId, CREATED_ON: new Date(START.getTime() - hoursBeforeStart * 60 * MIN).toISOString(), USER_NAME: user,
      AUTHENTICATION_METHOD: 'Password', LOGIN_EVENT_ID: sessionId + 10_000, CLIENT_APPLICATION_ID: appId, CLIENT_APPLICATION_VERSION: '1',
      CLIENT_BUILD_ID: null, CLIENT_ENVIRONMENT: JSON.stringify({ APPLICATION: app, OS: 'Mac OS X' }), CLIENT_VERSION: '1', CLOSED_REASON: null,
    });
    await e.engine.insertRows('SESSIONS', [
      // NEWBIE: first day ever, two clients the same day: no baseline, nothing is new.
      session('NEWBIE', 30, 'Snowflake Web App', 'Snowflake UI 1.0'),
      session('NEWBIE', 29, 'DataGrip', 'JDBC 3.19.0'),
      // VETERAN: Snowsight for days, then DataGrip twice: only the first DataGrip session is new.
      session('VETERAN', 200, 'Snowflake Web App', 'Snowflake UI 1.0'),
      session('VETERAN', 100, 'Snowflake Web App', 'Snowflake UI 1.0'),
      session('VETERAN', 10, 'DataGrip', 'JDBC 3.19.0'),
      session('VETERAN', 9, 'DataGrip', 'JDBC 3.19.0'),
      // UPGRADE: a new driver version of an application already used is not a new client.
      session('UPGRADE', 200, 'DBeaver_DBeaverCommunity', 'JDBC 3.13.0'),
      session('UPGRADE', 10, 'DBeaver_DBeaverCommunity', 'JDBC 3.19.0'),
    ]);
    const window = { from: new Date(START.getTime() - 48 * 60 * MIN), to: START };
    const drafts = await runSql({ e }, authNewClientApplication, window);
    assert.deepEqual(drafts.map((d) => [d.user, d.attributes?.application]), [['VETERAN', 'DataGrip']]);
    assert.deepEqual(drafts[0]?.evidenceIds, ['505']);
  });
});
