// Authentication stories: password-only humans and MFA bypass (SF-01/02/03/05), a key-pair service signing in with
// its password (SF-04), logins matching UNC5537 indicators (SF-16), brute force and spray (SF-18), a dormant account
// waking up (SF-19) and a new client application (SF-20).
import { ATTACKER_IPS, IOC_IPS, OFFICE_IPS } from '../catalog.ts';
import { planDay, dayCount } from '../activity.ts';
import { loginDetailsText } from '../rows.ts';
import type { ScriptBuilder, SessionRef } from '../script.ts';
import type { IncidentModule } from './module.ts';

const OFFICE = OFFICE_IPS[0];
const DAY_MS = 86_400_000;

function smallSelect(script: ScriptBuilder, session: SessionRef, table: string, bytes = 24_000): string {
  return script.query(session, {
    text: `SELECT *\nFROM ${table}\nLIMIT 200`,
    type: 'SELECT',
    database: table.split('.')[0] ?? null,
    schema: table.split('.')[1] ?? null,
    bytesWrittenToResult: bytes,
    rowsProduced: 200,
    bytesScanned: bytes * 8,
  }).queryId;
}

export const mfaPosture: IncidentModule = {
  kind: 'mfa_posture',
  cast: () => [
    // Holds DBA_ADMIN, to which ACCOUNTADMIN was granted years ago: an admin only through the role hierarchy.
    { name: 'LEGACY_DBA', firstName: 'Gus', lastName: 'Weber', kind: 'person_password_only', roles: ['DBA_ADMIN'], workload: 'admin', clients: ['dbeaverCommunity'], active: false, lastSuccessLoginDaysAgo: 40, createdDaysAgo: 1100 },
    { name: 'JBLACK', firstName: 'Jia', lastName: 'Black', kind: 'person_password_only', roles: ['BI_READER'], workload: 'analyst', clients: ['snowsight'], active: false, createdDaysAgo: 800 },
    { name: 'CVARGA', firstName: 'Chloe', lastName: 'Varga', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: false, lastSuccessLoginDaysAgo: 3, bypassMfaHoursFromEnd: 68 },
    { name: 'SOKAFOR', firstName: 'Sven', lastName: 'Okafor', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true, bypassMfaHoursFromEnd: -240, typos: false },
  ],
  build(script) {
    // JBLACK signs in to Snowsight with a password alone, twice in the window.
    for (const at of [script.windowPoint(0.3, 9), script.hoursBeforeEnd(3.5)]) {
      const login = script.login('JBLACK', at, { ip: OFFICE, client: 'snowsight', firstFactor: 'PASSWORD', secondFactor: null });
      const session = script.session(login, 'BI_READER');
      smallSelect(script, session, 'ANALYTICS.MARTS.DAILY_REVENUE');
      script.incident({
        kind: 'mfa_posture',
        detectionId: 'mfa.password_login_without_mfa',
        user: 'JBLACK',
        time: at,
        evidenceView: 'LOGIN_HISTORY',
        evidenceIds: [login.eventId],
        description: 'Successful PASSWORD login with no second factor by a human user without MFA.',
      });
    }
    // An admin grants CVARGA a 72-hour MFA bypass shortly before the end (still active at the end).
    const admin = script.usualSession('KLARSEN', script.hoursBeforeEnd(4), 'SECURITYADMIN');
    const bypass = script.query(admin, { text: 'ALTER USER CVARGA SET MINS_TO_BYPASS_MFA = 4320', type: 'ALTER_USER' });
    script.incident({
      kind: 'mfa_posture',
      detectionId: 'mfa.bypass_active',
      type: 'posture',
      user: 'CVARGA',
      time: bypass.end,
      evidenceView: 'USERS',
      evidenceIds: ['CVARGA'],
      description: 'USERS.BYPASS_MFA_UNTIL is in the future (set by ALTER USER ... MINS_TO_BYPASS_MFA).',
      attributes: { queryId: bypass.queryId },
    });
    // Near-misses: an MFA login, and a bypass window that already expired.
    const mfaLogin = script.usualLogin('SOKAFOR', script.hoursBeforeEnd(5));
    script.session(mfaLogin);
    script.nearMiss({
      detectionId: 'mfa.password_login_without_mfa',
      user: 'SOKAFOR',
      evidenceView: 'LOGIN_HISTORY',
      evidenceIds: [mfaLogin.eventId],
      why_not: 'PASSWORD login with a second factor (SECOND_AUTHENTICATION_FACTOR is set).',
    });
    script.nearMiss({
      detectionId: 'mfa.bypass_active',
      user: 'SOKAFOR',
      evidenceView: 'USERS',
      evidenceIds: ['SOKAFOR'],
      why_not: 'BYPASS_MFA_UNTIL expired 10 days before the end.',
    });
  },
};

export const servicePasswordLogin: IncidentModule = {
  kind: 'service_password_login',
  cast: () => [
    { name: 'LEGACY_ETL_SVC', kind: 'legacy_service', roles: ['ETL_LOADER'], workload: 'loader', clients: ['airflow'], active: true, weight: 1, dailyResultBytes: 5e6, createdDaysAgo: 1300, comment: 'old Informatica loader' },
  ],
  build(script, ctx) {
    const p = script.persona('LEGACY_ETL_SVC');
    const at = script.hoursBeforeEnd(4);
    const login = script.login('LEGACY_ETL_SVC', at, { ip: p.homeIp, client: 'airflow', firstFactor: 'PASSWORD', secondFactor: null });
    const session = script.session(login, 'ETL_LOADER');
    script.query(session, { text: 'SELECT CURRENT_USER(), CURRENT_ROLE()', type: 'SELECT', bytesWrittenToResult: 120 });
    script.incident({
      kind: 'service_password_login',
      detectionId: 'mfa.service_user_password_login',
      user: 'LEGACY_ETL_SVC',
      time: at,
      evidenceView: 'LOGIN_HISTORY',
      evidenceIds: [login.eventId],
      description: 'A LEGACY_SERVICE user with a registered key pair authenticated with its password instead.',
    });
    script.incident({
      kind: 'service_password_login',
      detectionId: 'mfa.password_login_without_mfa',
      user: 'LEGACY_ETL_SVC',
      time: at,
      evidenceView: 'LOGIN_HISTORY',
      evidenceIds: [login.eventId],
      description: 'The same service password login is also a PASSWORD login without a second factor.',
    });
    // Near-miss: the ordinary key-pair logins of the SERVICE user, taken from normal activity.
    const etl = script.persona('ETL_SVC');
    const days = dayCount(ctx.activity);
    const plan = planDay(ctx.activity, etl, Math.max(0, days - 2));
    const first = plan.sessions[0];
    if (first) {
      script.nearMiss({
        detectionId: 'mfa.service_user_password_login',
        user: 'ETL_SVC',
        evidenceView: 'LOGIN_HISTORY',
        evidenceIds: [first.loginEventId],
        why_not: 'SERVICE user authenticating with RSA_KEYPAIR, as it should.',
      });
    }
  },
};

export const suspiciousLogin: IncidentModule = {
  kind: 'suspicious_login',
  cast: () => [
    { name: 'NKOWALSKI', firstName: 'Nadia', lastName: 'Kowalski', kind: 'person_password_only', roles: ['ANALYST'], workload: 'analyst', clients: ['dbeaverCommunity'], active: false, createdDaysAgo: 900 },
    { name: 'IYILMAZ', firstName: 'Ivan', lastName: 'Yilmaz', kind: 'person_password_only', roles: ['BI_READER'], workload: 'analyst', clients: ['snowsight'], active: false, createdDaysAgo: 700 },
  ],
  build(script) {
    // Baseline: NKOWALSKI's legacy DBeaver logins with a password only (each one an SF-03 event).
    let firstBaselineSession: SessionRef | null = null;
    for (const fraction of [0.2, 0.45, 0.7]) {
      const at = script.windowPoint(fraction, 10);
      const login = script.login('NKOWALSKI', at, { ip: OFFICE, client: 'dbeaverCommunity', firstFactor: 'PASSWORD' });
      const session = script.session(login, 'ANALYST');
      firstBaselineSession ??= session;
      smallSelect(script, session, 'SALES.PUBLIC.ORDERS');
      script.incident({ kind: 'suspicious_login', detectionId: 'mfa.password_login_without_mfa', user: 'NKOWALSKI', time: at, evidenceView: 'LOGIN_HISTORY', evidenceIds: [login.eventId], description: 'Routine password-only login of a legacy human user (no second factor).' });
    }
    // First try of the stolen password from a Tor exit: Snowflake's malicious IP protection classifies it HIGH and
    // blocks it (LOGIN_DETAILS exactly as the second documented example: VARCHAR, the member encoded twice). The
    // login did not get in, so no session follows. Snowflake does not document the error a blocked login records;
    // the scenario uses the network-policy refusal's, which no detection counts as a password guess.
    const blockedAt = script.hoursBeforeEnd(7.8);
    const blocked = script.login('NKOWALSKI', blockedAt, {
      ip: ATTACKER_IPS.torExit,
      client: 'rapeflake',
      firstFactor: 'PASSWORD',
      success: false,
      errorCode: 390422,
      errorMessage: 'INCOMING_IP_BLOCKED',
      loginDetails: loginDetailsText({ categories: ['ANONYMOUS_VPN', 'TOR_EXITS'], result: 'BLOCKED', riskClassification: 'HIGH' }),
    });
    script.incident({ kind: 'suspicious_login', detectionId: 'auth.suspicious_login', user: 'NKOWALSKI', time: blockedAt, evidenceView: 'LOGIN_HISTORY', evidenceIds: [blocked.eventId], description: `Login attempt from Tor exit ${ATTACKER_IPS.torExit} classified HIGH risk (ANONYMOUS_VPN, TOR_EXITS) and BLOCKED by Snowflake's malicious IP protection: it did not get in.`, attributes: { reason: 'malicious_ip', clientIp: ATTACKER_IPS.torExit, maliciousIpResult: 'BLOCKED', blocked: true } });
    // The stolen password used from a UNC5537 indicator address with the FROSTBITE ("rapeflake") client; the account
    // opted out of blocking, so the HIGH classification did not stop it.
    const at = script.hoursBeforeEnd(7.5);
    const ioc = IOC_IPS[0];
    const login = script.login('NKOWALSKI', at, {
      ip: ioc,
      client: 'rapeflake',
      firstFactor: 'PASSWORD',
      loginDetails: loginDetailsText({ categories: ['ANONYMOUS_VPN', 'MALICIOUS_BEHAVIOR'], result: 'OPTED_OUT', riskClassification: 'HIGH' }),
    });
    const session = script.session(login, 'ANALYST');
    script.query(session, { text: 'SELECT CURRENT_USER(), CURRENT_ROLE(), CURRENT_IP_ADDRESS(), CURRENT_SESSION(), CURRENT_ORGANIZATION_NAME()', type: 'SELECT', bytesWrittenToResult: 300 });
    script.query(session, { text: 'SHOW TABLES IN ACCOUNT', type: 'SHOW', bytesWrittenToResult: 9_000, rowsProduced: 12 });
    smallSelect(script, session, 'SALES.PUBLIC.CUSTOMERS', 40_000);
    script.incident({ kind: 'suspicious_login', detectionId: 'auth.suspicious_login', user: 'NKOWALSKI', time: at, evidenceView: 'LOGIN_HISTORY', evidenceIds: [login.eventId], description: `Login from UNC5537 indicator IP ${ioc} with client application "rapeflake" (FROSTBITE), flagged HIGH risk in LOGIN_DETAILS and not blocked (OPTED_OUT).`, attributes: { reason: 'ioc_ip,malicious_ip,client_application', clientIp: ioc, sessionId: String(session.sessionId), maliciousIpResult: 'OPTED_OUT', blocked: false } });
    script.incident({ kind: 'suspicious_login', detectionId: 'mfa.password_login_without_mfa', user: 'NKOWALSKI', time: at, evidenceView: 'LOGIN_HISTORY', evidenceIds: [login.eventId], description: 'The indicator login used a password with no second factor.' });
    script.incident({ kind: 'suspicious_login', detectionId: 'auth.new_client_application', user: 'NKOWALSKI', time: session.createdOn, evidenceView: 'SESSIONS', evidenceIds: [session.sessionId], description: 'First session of the user with CLIENT_APPLICATION_ID "JDBC 3.13.30" / application "rapeflake" (baseline: DBeaver Community, JDBC 3.19.0).' });
    if (firstBaselineSession) {
      script.nearMiss({ detectionId: 'auth.suspicious_login', user: 'NKOWALSKI', evidenceView: 'SESSIONS', evidenceIds: [firstBaselineSession.sessionId], why_not: 'DBeaver Community on Windows 11 from the office address: neither the IOC client pair nor an IOC IP.' });
    }

    // A DBeaver Ultimate session on Windows Server 2022 (the other published client indicator) from a clean address.
    for (const fraction of [0.3, 0.6]) {
      const t = script.windowPoint(fraction, 14);
      // The first one carries a LOW classification (the first documented example, member written as an object): a
      // near-miss, since only HIGH is suspicious by default.
      const lowRisk = fraction === 0.3 ? loginDetailsText({ categories: ['MALICIOUS_BEHAVIOR'], result: 'OPTED_OUT', riskClassification: 'LOW' }, 'single') : undefined;
      const baseline = script.login('IYILMAZ', t, { ip: OFFICE_IPS[1], client: 'snowsight', firstFactor: 'PASSWORD', ...(lowRisk === undefined ? {} : { loginDetails: lowRisk }) });
      if (lowRisk !== undefined) {
        script.nearMiss({ detectionId: 'auth.suspicious_login', user: 'IYILMAZ', evidenceView: 'LOGIN_HISTORY', evidenceIds: [baseline.eventId], why_not: 'Snowflake classified the address LOW risk (MALICIOUS_BEHAVIOR, OPTED_OUT): below the HIGH classification that makes a login suspicious.' });
      }
      smallSelect(script, script.session(baseline, 'BI_READER'), 'ANALYTICS.MARTS.DAILY_REVENUE');
      script.incident({ kind: 'suspicious_login', detectionId: 'mfa.password_login_without_mfa', user: 'IYILMAZ', time: t, evidenceView: 'LOGIN_HISTORY', evidenceIds: [baseline.eventId], description: 'Routine password-only Snowsight login of a legacy human user.' });
    }
    const t2 = script.hoursBeforeEnd(7);
    const login2 = script.login('IYILMAZ', t2, { ip: '192.0.2.44', client: 'dbeaverUltimateWinServer', firstFactor: 'PASSWORD' });
    const session2 = script.session(login2, 'BI_READER');
    smallSelect(script, session2, 'ANALYTICS.MARTS.CUSTOMER_CHURN', 60_000);
    script.incident({ kind: 'suspicious_login', detectionId: 'auth.suspicious_login', user: 'IYILMAZ', time: t2, evidenceView: 'SESSIONS', evidenceIds: [session2.sessionId], description: 'Session with CLIENT_ENVIRONMENT APPLICATION "DBeaver_DBeaverUltimate" on OS "Windows Server 2022" (UNC5537 client indicator).', attributes: { reason: 'client_application', loginEventId: String(login2.eventId) } });
    script.incident({ kind: 'suspicious_login', detectionId: 'mfa.password_login_without_mfa', user: 'IYILMAZ', time: t2, evidenceView: 'LOGIN_HISTORY', evidenceIds: [login2.eventId], description: 'The DBeaver Ultimate login used a password with no second factor.' });
    script.incident({ kind: 'suspicious_login', detectionId: 'auth.new_client_application', user: 'IYILMAZ', time: session2.createdOn, evidenceView: 'SESSIONS', evidenceIds: [session2.sessionId], description: 'First JDBC / DBeaver_DBeaverUltimate session of a user who only used Snowsight before.' });
  },
};

export const bruteForce: IncidentModule = {
  kind: 'brute_force',
  cast: () => [
    { name: 'GTANAKA', firstName: 'Gus', lastName: 'Tanaka', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['dbeaverCommunity'], active: true, typos: false, secondFactor: 'DUO_PUSH' },
    { name: 'HFISCHER', firstName: 'Hana', lastName: 'Fischer', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true, typos: false },
  ],
  build(script, ctx) {
    // Six wrong passwords for GTANAKA from one address in 18 minutes, then a success there (MFA push approved).
    const ip = ATTACKER_IPS.bruteForce;
    const ids: number[] = [];
    const t0 = script.hoursBeforeEnd(16).getTime();
    for (let i = 0; i < 6; i++) {
      ids.push(script.login('GTANAKA', new Date(t0 + i * 180_000), { ip, client: 'dbeaverCommunity', firstFactor: 'PASSWORD', success: false }).eventId);
    }
    const success = script.login('GTANAKA', new Date(t0 + 6 * 180_000 + 45_000), { ip, client: 'dbeaverCommunity', firstFactor: 'PASSWORD', secondFactor: 'DUO_PUSH' });
    smallSelect(script, script.session(success, 'ANALYST'), 'SALES.PUBLIC.CUSTOMERS');
    script.incident({ kind: 'brute_force', detectionId: 'auth.brute_force', user: 'GTANAKA', time: success.time, evidenceView: 'LOGIN_HISTORY', evidenceIds: [...ids, success.eventId], description: `6 failed logins (INCORRECT_USERNAME_PASSWORD) for GTANAKA from ${ip} within 18 minutes, followed by a successful login from the same address.`, attributes: { clientIp: ip, failures: 6, followedBySuccess: true } });

    // Password spray: one address tries one password against many users within 40 minutes, no success.
    const sprayIp = ATTACKER_IPS.spray;
    const targets = [...ctx.bystanders.slice(0, 7), 'ADMIN'];
    const s0 = script.hoursBeforeEnd(11).getTime();
    const sprayIds = targets.map((user, i) =>
      script.login(user, new Date(s0 + i * 300_000), { ip: sprayIp, client: 'dbeaverCommunity', firstFactor: 'PASSWORD', success: false }).eventId,
    );
    script.incident({ kind: 'brute_force', detectionId: 'auth.password_spray', user: null, time: new Date(s0 + (targets.length - 1) * 300_000), evidenceView: 'LOGIN_HISTORY', evidenceIds: sprayIds, description: `Failed logins for ${targets.length} distinct user names (one of them nonexistent) from ${sprayIp} within 35 minutes.`, attributes: { clientIp: sprayIp, distinctUsers: targets.length } });

    // Near-miss: four typos in a row, then the right password (below the threshold of five).
    const h = script.persona('HFISCHER');
    const n0 = script.hoursBeforeEnd(5.2).getTime();
    const typoIds: number[] = [];
    for (let i = 0; i < 4; i++) typoIds.push(script.login('HFISCHER', new Date(n0 + i * 50_000), { ip: h.homeIp, client: 'snowsight', firstFactor: 'PASSWORD', success: false }).eventId);
    const ok = script.usualLogin('HFISCHER', new Date(n0 + 4 * 50_000 + 30_000));
    script.session(ok);
    script.nearMiss({ detectionId: 'auth.brute_force', user: 'HFISCHER', evidenceView: 'LOGIN_HISTORY', evidenceIds: [...typoIds, ok.eventId], why_not: '4 failures then a success from the user\'s own address: below the threshold of 5 failures in 24 h.' });
  },
};

export const dormantLogin: IncidentModule = {
  kind: 'dormant_login',
  cast: () => [
    { name: 'XQUISPE', firstName: 'Ximena', lastName: 'Quispe', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: false, createdDaysAgo: 420 },
    { name: 'TVARGA', firstName: 'Tara', lastName: 'Varga', kind: 'person_mfa', roles: ['FINANCE_ANALYST'], workload: 'analyst', clients: ['snowsight'], active: false, createdDaysAgo: 380 },
  ],
  build(script) {
    const end = script.end.getTime();
    // Context row older than the window: the previous successful login, 130 days earlier.
    const old = script.usualLogin('XQUISPE', new Date(end - 130 * DAY_MS - 3 * 3_600_000));
    script.session(old);
    const at = script.hoursBeforeEnd(6);
    const login = script.usualLogin('XQUISPE', at);
    const session = script.session(login);
    smallSelect(script, session, 'SALES.PUBLIC.CUSTOMERS');
    script.incident({ kind: 'dormant_login', detectionId: 'auth.dormant_user_login', user: 'XQUISPE', time: at, evidenceView: 'LOGIN_HISTORY', evidenceIds: [login.eventId], description: 'Successful login of a user whose previous successful login was 130 days earlier (> 90 days).', attributes: { previousLoginEventId: String(old.eventId), daysSincePreviousLogin: 130 } });
    script.nearMiss({ detectionId: 'auth.new_client_application', user: 'XQUISPE', evidenceView: 'SESSIONS', evidenceIds: [session.sessionId], why_not: 'Same Snowsight client as the previous session; the user has no other session in the lookback, so nothing is "new" relative to a baseline.' });

    const old2 = script.usualLogin('TVARGA', new Date(end - 80 * DAY_MS));
    script.session(old2);
    const login2 = script.usualLogin('TVARGA', script.hoursBeforeEnd(6.5));
    script.session(login2);
    script.nearMiss({ detectionId: 'auth.dormant_user_login', user: 'TVARGA', evidenceView: 'LOGIN_HISTORY', evidenceIds: [login2.eventId], why_not: 'Previous successful login 80 days earlier: below the 90-day dormancy threshold.' });
  },
};

export const newClient: IncidentModule = {
  kind: 'new_client',
  cast: () => [
    { name: 'DCOSTA', firstName: 'Deepa', lastName: 'Costa', kind: 'person_mfa', roles: ['ANALYST'], workload: 'analyst', clients: ['snowsight'], active: true, typos: false },
  ],
  build(script) {
    const at = script.hoursBeforeEnd(8);
    const session = script.usualSession('DCOSTA', at, 'ANALYST', { client: 'datagrip' });
    smallSelect(script, session, 'SALES.PUBLIC.ORDERS');
    smallSelect(script, session, 'ANALYTICS.MARTS.DAILY_REVENUE');
    script.incident({ kind: 'new_client', detectionId: 'auth.new_client_application', user: 'DCOSTA', time: session.createdOn, evidenceView: 'SESSIONS', evidenceIds: [session.sessionId], description: 'First DataGrip (JDBC 3.19.0) session of a user who used only Snowsight on every earlier day.' });
  },
};
