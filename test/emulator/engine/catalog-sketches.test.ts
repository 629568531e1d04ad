// Sketches of the detection catalog (SF-01 to SF-24), written in Snowflake syntax as the exporter will send them, run
// against a small labelled data set: the rows that come back are the ones Snowflake would return.

import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { rows, testEngine } from './helpers.ts';

let engine: EmulatorEngine;

const at = (hhmm: string, day = '2026-10-09'): string => `${day}T${hhmm}:00Z`;

before(async () => {
  engine = await testEngine();
  const q = (id: string, user: string, time: string, type: string, text: string, status = 'SUCCESS'): Record<string, unknown> => ({
    QUERY_ID: id, USER_NAME: user, START_TIME: time, END_TIME: time, QUERY_TYPE: type, QUERY_TEXT: text, EXECUTION_STATUS: status, ROLE_NAME: 'SYSADMIN',
  });
  await engine.insertRows('QUERY_HISTORY', [
    q('q1', 'ALICE', at('11:00'), 'CREATE_SHARE', 'CREATE SHARE sales_share'),
    q('q2', 'ALICE', at('11:05'), 'GRANT', 'GRANT USAGE ON DATABASE sales TO SHARE sales_share'),
    q('q3', 'BOB', at('11:10'), 'ALTER_SHARE', '-- add the partner\nALTER SHARE sales_share\n  ADD ACCOUNTS = org.partner1'),
    q('q4', 'MONITOR', at('11:15'), 'SELECT', "select * from snowflake.account_usage.query_history where query_text ilike '%create share%'"),
    q('q5', 'ALICE', at('11:00', '2026-10-01'), 'CREATE_SHARE', 'CREATE SHARE old_share'),
    q('q6', 'CAROL', at('11:20'), 'CREATE', 'create managed account reader1 admin_name = x, admin_password = y, type = reader'),
    q('q7', 'BOB', at('11:30'), 'SELECT', 'select 1'),
    q('c1', 'MALLORY', at('08:00'), 'CREATE', 'CREATE TEMPORARY STAGE exfil_stage'),
    q('c2', 'MALLORY', at('08:05'), 'UNLOAD', 'COPY INTO @exfil_stage/out FROM crm.public.customers'),
    q('c3', 'MALLORY', at('08:10'), 'GET_FILES', 'GET @exfil_stage/out file:///tmp/loot/'),
    q('e1', 'EVE', at('08:05'), 'UNLOAD', "COPY INTO @other_stage/x FROM t"),
    q('g1', 'ADMIN', at('09:00'), 'ALTER_ACCOUNT', 'ALTER ACCOUNT SET\n  PREVENT_UNLOAD_TO_INLINE_URL = FALSE'),
  ]);
  const login = (id: number, user: string, ip: string, time: string, success: boolean, error: string | null = null): Record<string, unknown> => ({
    EVENT_ID: id, USER_NAME: user, CLIENT_IP: ip, EVENT_TIMESTAMP: time, EVENT_TYPE: 'LOGIN', IS_SUCCESS: success ? 'YES' : 'NO', ERROR_MESSAGE: error,
    FIRST_AUTHENTICATION_FACTOR: 'PASSWORD',
  });
  const logins: Record<string, unknown>[] = [];
  for (let i = 0; i < 6; i++) logins.push(login(100 + i, 'ALICE', '10.0.0.1', at(`10:0${i}`), false, 'INCORRECT_USERNAME_PASSWORD'));
  logins.push(login(110, 'ALICE', '10.0.0.1', at('10:08'), true));
  for (let i = 0; i < 5; i++) logins.push(login(200 + i, `USER${i}`, '10.0.0.9', at(`11:0${i}`), false, 'INCORRECT_USERNAME_PASSWORD'));
  logins.push(login(300, 'DAVE', '10.0.0.3', at('09:00', '2026-06-01'), true));
  logins.push(login(301, 'DAVE', '10.0.0.3', at('09:00'), true));
  logins.push(login(302, 'BOB', '10.0.0.4', at('09:00', '2026-10-01'), true));
  logins.push(login(303, 'BOB', '10.0.0.4', at('09:00'), true));
  await engine.insertRows('LOGIN_HISTORY', logins);
  const user = (id: number, name: string, extra: Record<string, unknown>): Record<string, unknown> => ({
    USER_ID: id, NAME: name, CREATED_ON: '2025-01-01T00:00:00Z', HAS_PASSWORD: true, HAS_MFA: false, DISABLED: false, TYPE: 'PERSON', ...extra,
  });
  await engine.insertRows('USERS', [
    user(1, 'ALICE', {}),
    user(2, 'BOB', { HAS_MFA: true }),
    user(3, 'SVC_ETL', { TYPE: 'SERVICE' }),
    user(4, 'GONE', { DELETED_ON: '2026-01-01T00:00:00Z' }),
    user(5, 'LOCKED', { DISABLED: true }),
    user(6, 'LEGACY', { TYPE: null, HAS_MFA: null, EXT_AUTHN_DUO: false }),
    user(7, 'DUO', { HAS_MFA: null, EXT_AUTHN_DUO: true }),
    user(8, 'NOPASS', { HAS_PASSWORD: false }),
  ]);
  await engine.insertRows('SHARES', [
    { NAME: 'SALES_SHARE', CREATED_ON: at('11:00'), MODIFIED_ON: at('11:10'), TARGET_ACCOUNTS: 'ORG.PARTNER1, ORG.PARTNER2', SECURE_OBJECTS_ONLY: true, OWNER: 'SYSADMIN', DATABASE_NAME: 'SALES' },
    { NAME: 'OLD_SHARE', CREATED_ON: at('11:00', '2026-10-01'), MODIFIED_ON: at('12:00', '2026-10-02'), DELETED_ON: at('12:00', '2026-10-02'), TARGET_ACCOUNTS: 'ORG.X' },
  ]);
  await engine.insertRows('SESSIONS', [
    { SESSION_ID: 1, CREATED_ON: at('10:00'), USER_NAME: 'ALICE', CLIENT_APPLICATION_ID: 'JDBC 3.8.7', CLIENT_ENVIRONMENT: '{"APPLICATION":"rapeflake","OS":"Linux"}' },
    { SESSION_ID: 2, CREATED_ON: at('10:00'), USER_NAME: 'BOB', CLIENT_APPLICATION_ID: 'DBeaver_DBeaverUltimate 23.1', CLIENT_ENVIRONMENT: '{"APPLICATION":"DBeaver_DBeaverUltimate","OS":"Windows Server 2022"}' },
    { SESSION_ID: 3, CREATED_ON: at('10:00'), USER_NAME: 'CAROL', CLIENT_APPLICATION_ID: 'PythonConnector 3.0', CLIENT_ENVIRONMENT: '{"APPLICATION":"jupyter","OS":"Darwin"}' },
  ]);
  const finding = (pkg: string, scanner: string, severity: string, created: string, updated: string, state: string): Record<string, unknown> => ({
    SCANNER_PACKAGE_ID: pkg, SCANNER_ID: scanner, SEVERITY: severity, CREATED_ON: created, UPDATED_ON: updated, STATE: state,
  });
  await engine.insertRows('TRUST_CENTER_FINDINGS', [
    finding('SECURITY_ESSENTIALS', 'MFA_CHECK', 'HIGH', at('06:00'), at('06:00'), 'OPEN'),
    finding('SECURITY_ESSENTIALS', 'MFA_CHECK', 'HIGH', at('06:00'), at('10:00'), 'RESOLVED'),
    finding('CIS_BENCHMARKS', 'CIS_1_4', 'MEDIUM', at('06:00', '2026-09-01'), at('06:00', '2026-09-01'), 'OPEN'),
    finding('CIS_BENCHMARKS', 'CIS_1_4', 'MEDIUM', at('06:00', '2026-09-01'), at('10:00'), 'OPEN'),
    finding('CIS_BENCHMARKS', 'CIS_1_5', 'LOW', at('08:00'), at('09:00'), 'RESOLVED MANUALLY'),
  ]);
  await engine.insertRows('ACCESS_HISTORY', [
    { QUERY_ID: 'q3', QUERY_START_TIME: at('11:10'), USER_NAME: 'BOB', OBJECT_MODIFIED_BY_DDL: { objectDomain: 'Share', objectName: 'SALES_SHARE', operationType: 'ALTER', properties: { accountsToAdd: { value: ['ORG.PARTNER1'] } } } },
    { QUERY_ID: 'q9', QUERY_START_TIME: at('11:12'), USER_NAME: 'BOB', OBJECT_MODIFIED_BY_DDL: { objectDomain: 'Table', objectName: 'T', operationType: 'CREATE' } },
  ]);
  await engine.insertRows('GRANTS_TO_USERS', [
    { CREATED_ON: at('11:00'), ROLE: 'ACCOUNTADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'MALLORY', GRANTED_BY: 'SECURITYADMIN' },
    { CREATED_ON: at('11:00', '2026-01-01'), ROLE: 'ACCOUNTADMIN', GRANTED_TO: 'USER', GRANTEE_NAME: 'ADMIN', GRANTED_BY: 'SECURITYADMIN' },
    { CREATED_ON: at('11:30'), ROLE: 'ANALYST', GRANTED_TO: 'USER', GRANTEE_NAME: 'CAROL', GRANTED_BY: 'SECURITYADMIN' },
  ]);
});

after(async () => {
  await engine.close();
});

test('section 7, the source example: AND binds tighter than OR and REGEXP_LIKE is anchored', async () => {
  const sql = String.raw`SELECT query_id FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE REGEXP_LIKE(QUERY_TEXT, 'create\\s+share\\s.*','i')
   OR REGEXP_LIKE(QUERY_TEXT, '\\s+to\\s+share\\s.*','i')
  AND START_TIME >= DATEADD(HOUR, -24, CURRENT_TIMESTAMP())
ORDER BY query_id`;
  // The bug the document describes, reproduced: the 8-day-old q5 comes back, the GRANT ... TO SHARE (q2) does not.
  assert.deepEqual(await rows(engine, sql), [['q1'], ['q5']]);
});

test('section 7, the corrected share query with bindings', async () => {
  const sql = String.raw`SELECT query_id, start_time, user_name, role_name, execution_status, query_type, query_text
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE start_time >= DATEADD(MINUTE, -(:interval_min + 60), CURRENT_TIMESTAMP())   -- overlap >= 45 min latency
  AND user_name <> :monitor_user
  AND (   REGEXP_LIKE(query_text, '.*create\\s+(or\\s+replace\\s+)?share\\s.*',              'is')
       OR REGEXP_LIKE(query_text, '.*\\sto\\s+share\\s.*',                                   'is')
       OR REGEXP_LIKE(query_text, '.*alter\\s+share\\s.*\\s(add|set)\\s+accounts\\s*=.*',    'is')
       OR REGEXP_LIKE(query_text, '.*create\\s+managed\\s+account\\s.*',                     'is'))
ORDER BY query_id`;
  const found = await rows(engine, sql, { bindings: { interval_min: { type: 'FIXED', value: '60' }, monitor_user: { type: 'TEXT', value: 'MONITOR' } } });
  assert.deepEqual(found.map((r) => r[0]), ['q1', 'q2', 'q3', 'q6']);
});

test('SF-01 human users with a password but no MFA', async () => {
  const sql = `SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE deleted_on IS NULL AND NOT disabled::BOOLEAN AND has_password
    AND NOT COALESCE(has_mfa, ext_authn_duo::BOOLEAN, FALSE) AND COALESCE(type,'PERSON')='PERSON'`;
  assert.deepEqual(await rows(engine, sql), [['2']]);
});

test('SF-06 UNC5537 chain: temporary stage, COPY INTO @stage, GET (REGEXP_SUBSTR with ie)', async () => {
  const sql = String.raw`WITH stages AS (
  SELECT user_name, start_time,
         LOWER(REGEXP_SUBSTR(query_text, 'CREATE\\s+(OR\\s+REPLACE\\s+)?TEMP(ORARY)?\\s+STAGE\\s+(IF\\s+NOT\\s+EXISTS\\s+)?([A-Za-z0-9_\\.]+)', 1, 1, 'ie', 4)) AS stage
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE start_time >= DATEADD(HOUR, -36, CURRENT_TIMESTAMP()) AND execution_status = 'SUCCESS' AND query_type IN ('CREATE', 'CREATE_STAGE')
), unloads AS (
  SELECT user_name, start_time,
         LOWER(SPLIT_PART(REGEXP_SUBSTR(query_text, 'COPY\\s+INTO\\s+(\\$\\$|'')?@([A-Za-z0-9_\\.]+)', 1, 1, 'ie', 2), '.', -1)) AS stage
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE start_time >= DATEADD(HOUR, -36, CURRENT_TIMESTAMP()) AND execution_status = 'SUCCESS' AND query_type = 'UNLOAD'
), gets AS (
  SELECT user_name, start_time, LOWER(REGEXP_SUBSTR(query_text, 'GET\\s+@([A-Za-z0-9_\\.]+)', 1, 1, 'ie', 1)) AS stage
  FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
  WHERE start_time >= DATEADD(HOUR, -36, CURRENT_TIMESTAMP()) AND execution_status = 'SUCCESS' AND query_type = 'GET_FILES'
)
SELECT s.user_name, s.stage, DATEDIFF(MINUTE, s.start_time, g.start_time) AS minutes
FROM stages s
JOIN unloads u ON u.user_name = s.user_name AND u.stage = SPLIT_PART(s.stage, '.', -1) AND u.start_time >= s.start_time
JOIN gets g ON g.user_name = u.user_name AND SPLIT_PART(g.stage, '.', -1) = u.stage AND g.start_time >= u.start_time`;
  assert.deepEqual(await rows(engine, sql), [['MALLORY', 'exfil_stage', '10']]);
});

test('SF-10 guardrail parameter disabled (ILIKE and a multi-line REGEXP_LIKE)', async () => {
  const sql = String.raw`SELECT query_id FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE query_type ILIKE 'ALTER%'
  AND REGEXP_LIKE(query_text,'.*(prevent_unload_to_inline_url|require_storage_integration_for_stage_(creation|operation))\\s*=\\s*false.*','is')`;
  assert.deepEqual(await rows(engine, sql), [['g1']]);
});

test('SF-12 share DDL from ACCESS_HISTORY object_modified_by_ddl paths', async () => {
  const sql = `SELECT query_id, object_modified_by_ddl:objectName::STRING AS share, object_modified_by_ddl:properties.accountsToAdd.value[0]::STRING AS added
    FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY WHERE object_modified_by_ddl:objectDomain = 'Share'`;
  assert.deepEqual(await rows(engine, sql), [['q3', 'SALES_SHARE', 'ORG.PARTNER1']]);
});

test('SF-13 share consumers from SHARES.TARGET_ACCOUNTS via LATERAL FLATTEN(SPLIT(...))', async () => {
  const sql = `SELECT s.name, TRIM(f.value::STRING) AS consumer, f.index
    FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES s, LATERAL FLATTEN(input => SPLIT(s.target_accounts, ',')) f
    WHERE s.deleted_on IS NULL ORDER BY s.name, consumer`;
  assert.deepEqual(await rows(engine, sql), [['SALES_SHARE', 'ORG.PARTNER1', '0'], ['SALES_SHARE', 'ORG.PARTNER2', '1']]);
});

test('SF-16 suspicious client environment (JSON text parsed before a ":" path)', async () => {
  const sql = `SELECT session_id FROM SNOWFLAKE.ACCOUNT_USAGE.SESSIONS
    WHERE TRY_PARSE_JSON(client_environment):APPLICATION::STRING IN ('rapeflake')
       OR (client_application_id ILIKE 'DBeaver%' AND PARSE_JSON(client_environment):OS::STRING = 'Windows Server 2022')
    ORDER BY session_id`;
  assert.deepEqual(await rows(engine, sql), [['1'], ['2']]);
});

test('SF-17 privileged role granted since a bound timestamp', async () => {
  const sql = `SELECT grantee_name, role FROM SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_USERS
    WHERE role IN ('ACCOUNTADMIN','SECURITYADMIN','ORGADMIN','SYSADMIN') AND created_on >= :since AND deleted_on IS NULL`;
  const since = String(BigInt(Date.parse('2026-10-09T00:00:00Z')) * 1_000_000n);
  assert.deepEqual(await rows(engine, sql, { bindings: { since: { type: 'TIMESTAMP_LTZ', value: since } } }), [['MALLORY', 'ACCOUNTADMIN']]);
});

test('SF-18 brute force: COUNT_IF per (ip, user) and COUNT_IF over a window before a success', async () => {
  const perPair = `SELECT client_ip, user_name,
      COUNT_IF(is_success = 'NO' AND error_message IN ('INCORRECT_USERNAME_PASSWORD','USER_LOCKED_TEMP')) AS failures,
      BOOLOR_AGG(is_success = 'YES') AS then_success
    FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY
    WHERE event_timestamp >= DATEADD(HOUR, -24, CURRENT_TIMESTAMP())
    GROUP BY client_ip, user_name
    HAVING COUNT_IF(is_success = 'NO' AND error_message IN ('INCORRECT_USERNAME_PASSWORD','USER_LOCKED_TEMP')) >= 5`;
  assert.deepEqual(await rows(engine, perPair), [['10.0.0.1', 'ALICE', '6', 'true']]);
  const window = `SELECT user_name, client_ip, event_id FROM (
      SELECT user_name, client_ip, event_id, is_success,
             COUNT_IF(is_success = 'NO') OVER (PARTITION BY client_ip, user_name ORDER BY event_timestamp ROWS BETWEEN 5 PRECEDING AND 1 PRECEDING) AS prior_failures
      FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY)
    WHERE is_success = 'YES' AND prior_failures >= 5`;
  assert.deepEqual(await rows(engine, window), [['ALICE', '10.0.0.1', '110']]);
  const spray = `SELECT client_ip, DATE_TRUNC(HOUR, event_timestamp) AS hour, COUNT(DISTINCT user_name) AS users
    FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE is_success = 'NO' GROUP BY 1, 2 HAVING COUNT(DISTINCT user_name) >= 5`;
  assert.deepEqual(await rows(engine, spray), [['10.0.0.9', `${Date.parse('2026-10-09T11:00:00Z') / 1000}.000000000`, '5']]);
});

test('SF-19 dormant account login with LAG', async () => {
  const sql = `SELECT user_name, DATEDIFF(DAY, prev_success, event_timestamp) AS idle_days FROM (
      SELECT user_name, event_timestamp, LAG(event_timestamp) OVER (PARTITION BY user_name ORDER BY event_timestamp) AS prev_success
      FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE is_success = 'YES')
    WHERE DATEDIFF(DAY, prev_success, event_timestamp) > 90`;
  assert.deepEqual(await rows(engine, sql), [['DAVE', '130']]);
});

test('SF-24 Trust Center findings open now: the latest version of each finding (QUALIFY ROW_NUMBER) in state OPEN', async () => {
  const sql = `SELECT scanner_package_id, scanner_id, severity, COUNT(*) AS open_findings FROM (
      SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS
      QUALIFY ROW_NUMBER() OVER (PARTITION BY scanner_package_id, scanner_id, created_on ORDER BY updated_on DESC) = 1)
    WHERE state = 'OPEN' GROUP BY 1, 2, 3 ORDER BY scanner_id`;
  assert.deepEqual(await rows(engine, sql), [['CIS_BENCHMARKS', 'CIS_1_4', 'MEDIUM', '1']]);
});
