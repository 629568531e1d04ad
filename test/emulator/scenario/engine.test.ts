// The demo scenario loaded into the real emulator engine (DuckDB), then read back with Snowflake SQL.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { createEmulatorEngine, type EmulatorEngine } from '../../../emulator/engine/index.ts';
import { loadScenario, type LoadReport } from '../../../emulator/scenario/index.ts';
import { demoScenario } from './helpers.ts';

const scenario = demoScenario();
let engine: EmulatorEngine;
let report: LoadReport;

async function sql(statement: string): Promise<(string | null)[][]> {
  const result = await engine.execute({ statement, user: 'DEMO', role: 'RISK_EXPORTER', warehouse: 'COMPUTE_WH', parameters: {}, signal: new AbortController().signal });
  try {
    return await result.readRows(0, 10_000);
  } finally {
    await result.release();
  }
}

before(async () => {
  engine = await createEmulatorEngine();
  report = await loadScenario(engine, scenario);
});
after(async () => {
  await engine.close();
});

test('the demo loads every view with the expected sizes (load time reported, not asserted)', (t) => {
  t.diagnostic(`demo load: ${report.totalRows} rows in ${Math.round(report.elapsedMs)} ms`);
  assert.equal(report.rows.USERS, 40);
  assert.ok((report.rows.QUERY_HISTORY ?? 0) > 20_000 && (report.rows.QUERY_HISTORY ?? 0) < 40_000);
  assert.ok((report.rows.LOGIN_HISTORY ?? 0) > 500);
  assert.equal(report.rows.TRUST_CENTER_FINDINGS, 13);
  assert.equal(engine.clock.now().getTime(), scenario.end.getTime(), 'the virtual clock is set to the scenario end');
});

test('the chain user has exactly one UNLOAD and one GET_FILES, visible through the latency model', async () => {
  const rows = await sql("SELECT QUERY_TYPE, COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE USER_NAME = 'LMOREAU' AND QUERY_TYPE IN ('UNLOAD', 'GET_FILES') GROUP BY QUERY_TYPE ORDER BY QUERY_TYPE");
  assert.deepEqual(rows, [['GET_FILES', '1'], ['UNLOAD', '1']]);
});

test('password logins without a second factor counted in SQL equal the ground truth', async () => {
  const rows = await sql("SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY WHERE EVENT_TYPE = 'LOGIN' AND IS_SUCCESS = 'YES' AND FIRST_AUTHENTICATION_FACTOR = 'PASSWORD' AND SECOND_AUTHENTICATION_FACTOR IS NULL");
  const expected = scenario.groundTruth.incidents.filter((i) => i.detectionId === 'mfa.password_login_without_mfa').length;
  assert.deepEqual(rows, [[String(expected)]]);
});

test('the multi-line CREATE SHARE is found with Snowflake regex flags and missed without them', async () => {
  const withFlags = await sql("SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE REGEXP_LIKE(QUERY_TEXT, '.*create\\\\s+share\\\\s.*', 'is')");
  const anchored = await sql("SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE REGEXP_LIKE(QUERY_TEXT, 'create\\\\s+share\\\\s.*', 'i')");
  assert.deepEqual(withFlags, [['2']], 'the failed and the successful CREATE SHARE');
  assert.deepEqual(anchored, [['1']], 'only the single-line failed attempt');
});

test('account parameters and posture views reflect the incidents', async () => {
  const params = await sql("SHOW PARAMETERS LIKE 'PREVENT_UNLOAD_TO_INLINE_URL' IN ACCOUNT");
  assert.equal(params[0]?.[1], 'false');
  const noMfa = await sql("SELECT NAME FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE HAS_PASSWORD AND NOT HAS_MFA AND COALESCE(TYPE, 'PERSON') = 'PERSON' AND NOT DISABLED::BOOLEAN ORDER BY NAME");
  const expected = scenario.groundTruth.incidents.filter((i) => i.detectionId === 'mfa.password_user_without_mfa').map((i) => i.user).sort();
  assert.deepEqual(noMfa.map((r) => r[0]), expected);
  const shares = await sql('SELECT NAME, TARGET_ACCOUNTS FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES ORDER BY NAME');
  assert.deepEqual(shares.map((r) => r[0]), ['APPROVED_SUPPLIER_SHARE', 'FINANCE_AUDIT_SHARE', 'PARTNER_FEED_SHARE']);
});

test('the UNC5537 client shows in SESSIONS.CLIENT_ENVIRONMENT', async () => {
  const rows = await sql("SELECT USER_NAME FROM SNOWFLAKE.ACCOUNT_USAGE.SESSIONS WHERE PARSE_JSON(CLIENT_ENVIRONMENT):APPLICATION::STRING = 'rapeflake'");
  assert.deepEqual(rows, [['NKOWALSKI']]);
});
