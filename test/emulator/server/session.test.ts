// The session of a SQL API request on the real DuckDB engine: `role`, `warehouse`, `database` and `schema` in the body
// are case-sensitive names that must match what SHOW returns
// (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests). A role that is not exactly a granted
// one is refused (400 390186, recording 081); a warehouse, database or schema that is not exactly an existing one
// leaves the session without it, which fails only a statement that needs it (recording 083: SELECT 1 with a database
// that does not exist answers 200). The emulator's configuration is written like SQL: unquoted names are stored upper
// case, as Snowflake stores them.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { startEmulator, type RunningEmulator } from '../../../emulator/index.ts';
import { ACCOUNT, makeKeyPair, signJwt, USER } from './helpers.ts';

interface Answer {
  status: number;
  body: { code?: string; sqlState?: string; message?: string; data?: unknown[][] };
}

describe('the session a request runs in (real engine)', () => {
  let emulator: RunningEmulator;
  let jwt: string;
  before(async () => {
    const keys = makeKeyPair();
    emulator = await startEmulator({
      account: ACCOUNT,
      // Written as in SQL: GRANT ROLE risk_reader, DEFAULT_WAREHOUSE = compute_wh.
      users: [{ name: USER.toLowerCase(), roles: ['risk_reader', '"Mixed Role"'], defaultRole: 'risk_reader', defaultWarehouse: 'compute_wh', rsaPublicKeys: [keys.publicKeyPem] }],
    });
    jwt = await signJwt(keys);
  });
  after(async () => {
    await emulator.close();
  });

  async function submit(body: Record<string, unknown>): Promise<Answer> {
    const response = await request(new URL('/api/v2/statements', emulator.url), {
      method: 'POST',
      headers: { Authorization: `Bearer ${jwt}`, 'X-Snowflake-Authorization-Token-Type': 'KEYPAIR_JWT', 'Content-Type': 'application/json', Accept: 'application/json' },
      body: JSON.stringify({ timeout: 60, ...body }),
    });
    return { status: response.statusCode, body: (await response.body.json()) as Answer['body'] };
  }

  const needsWarehouse = 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS';
  const noActiveWarehouse = { code: '000606', sqlState: '57P03' };

  test('roles configured in lower case are granted under their stored upper-case names; the body must use them', async () => {
    const granted = await submit({ statement: 'SELECT CURRENT_ROLE()', role: 'RISK_READER' });
    assert.equal(granted.status, 200, JSON.stringify(granted.body));
    assert.deepEqual(granted.body.data, [['RISK_READER']]);
    assert.equal((await submit({ statement: 'SELECT 1', role: 'Mixed Role' })).status, 200, 'a quoted role keeps its case');
    for (const role of ['risk_reader', 'Risk_Reader', 'MIXED ROLE', '"Mixed Role"']) {
      const refused = await submit({ statement: 'SELECT 1', role });
      assert.equal(refused.status, 400, role);
      assert.deepEqual(refused.body, {
        code: '390186',
        message: `Role '${role}' specified in the connect string is not granted to this user, or is not permitted for the credentials being used. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.`,
      });
    }
  });

  test('the warehouse must be named exactly: compute_wh is not COMPUTE_WH, and leaves the session without one', async () => {
    assert.equal((await submit({ statement: needsWarehouse, warehouse: 'COMPUTE_WH' })).status, 200);
    const lower = await submit({ statement: needsWarehouse, warehouse: 'compute_wh' });
    assert.equal(lower.status, 422);
    assert.deepEqual({ code: lower.body.code, sqlState: lower.body.sqlState }, noActiveWarehouse);
    assert.match(lower.body.message ?? '', /^No active warehouse selected in the current session/);
    const quoted = await submit({ statement: needsWarehouse, warehouse: '"COMPUTE_WH"' });
    assert.equal(quoted.status, 422, 'the body carries names, not SQL identifiers: quotes are part of the name');
    // Nothing checks the name when the statement needs no warehouse (recording 082's metadata-only statement).
    assert.equal((await submit({ statement: 'SELECT 1', warehouse: 'NOSUCH_WH' })).status, 200);
    const current = await submit({ statement: 'SELECT CURRENT_WAREHOUSE()', warehouse: 'compute_wh' });
    assert.deepEqual(current.body.data, [[null]], 'no current warehouse');
  });

  test("without a warehouse in the body the user's DEFAULT_WAREHOUSE applies (stored upper case like any name)", async () => {
    const answer = await submit({ statement: needsWarehouse });
    assert.equal(answer.status, 200, JSON.stringify(answer.body));
    assert.deepEqual((await submit({ statement: 'SELECT CURRENT_WAREHOUSE()' })).body.data, [['COMPUTE_WH']]);
  });

  test('database and schema are case-sensitive too: snowflake.account_usage is no session schema', async () => {
    const unqualified = 'SELECT COUNT(*) FROM USERS';
    const exact = await submit({ statement: unqualified, database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE', warehouse: 'COMPUTE_WH' });
    assert.equal(exact.status, 200, JSON.stringify(exact.body));
    const lower = await submit({ statement: unqualified, database: 'snowflake', schema: 'account_usage', warehouse: 'COMPUTE_WH' });
    assert.equal(lower.status, 422, 'no current database, so an unqualified view name resolves to nothing');
    const lowerSchema = await submit({ statement: unqualified, database: 'SNOWFLAKE', schema: 'account_usage', warehouse: 'COMPUTE_WH' });
    assert.equal(lowerSchema.status, 422);
    // Recording 083: a database that does not exist does not fail a statement that needs none.
    const missing = await submit({ statement: 'SELECT 1', database: 'NOSUCH_DB', schema: 'PUBLIC' });
    assert.equal(missing.status, 200);
    assert.deepEqual((await submit({ statement: 'SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()', database: 'snowflake', schema: 'ACCOUNT_USAGE' })).body.data, [[null, null]]);
    assert.deepEqual((await submit({ statement: 'SELECT CURRENT_DATABASE(), CURRENT_SCHEMA()', database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE' })).body.data, [['SNOWFLAKE', 'ACCOUNT_USAGE']]);
  });
});
