// Role and warehouse names from a configuration file, written as people write SQL (`role: risk_reader`), reach the
// emulated account as the names Snowflake stores (RISK_READER): the SQL API's `role` and `warehouse` are
// case-sensitive (https://docs.snowflake.com/en/developer-guide/sql-api/submitting-requests), and a real account
// answers a role sent as written with 400 390186 (recording 081). A quoted name is taken exactly, so
// `warehouse: '"compute_wh"'` names another warehouse, which does not exist: the session has none, and only a
// statement that needs compute fails (000606), as on a real account.
import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { loadConfig } from '../../../src/config/index.ts';
import { createAccountClient } from '../../../src/snowflake/account-client.ts';
import { SnowflakeQueryError, type SqlApiClient } from '../../../src/snowflake/sqlapi/index.ts';
import { EMULATED_ACCOUNT_IDENTIFIER, EMULATED_ROLE, EMULATED_USER, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { tempDirFor } from '../../helpers/exporter-harness.ts';

function clientFor(t: Parameters<typeof tempDirFor>[0], options: { endpoint: URL; privateKeyPem: string; user: string; role: string; warehouse: string }): SqlApiClient {
  const dir = tempDirFor(t, 'sre-identifiers-');
  const path = join(dir, 'config.yaml');
  writeFileSync(
    path,
    `accounts:
  - name: emulated
    account: ${EMULATED_ACCOUNT_IDENTIFIER}
    endpoint: ${JSON.stringify(options.endpoint.origin)}
    user: ${JSON.stringify(options.user)}
    role: ${JSON.stringify(options.role)}
    warehouse: ${JSON.stringify(options.warehouse)}
    auth: { method: keypair, privateKey: "env:TEST_PRIVATE_KEY" }
`,
  );
  const { config } = loadConfig({ path, env: { TEST_PRIVATE_KEY: options.privateKeyPem }, cwd: dir });
  const account = config.accounts[0];
  assert.ok(account !== undefined);
  const { client, close } = createAccountClient(account);
  t.after(close);
  return client;
}

async function firstRow(client: SqlApiClient, sql: string): Promise<Record<string, unknown>> {
  const result = await client.execute(sql);
  for await (const row of result.rowsAsObjects()) return row;
  throw new Error(`no row from ${sql}`);
}

test('role, user and warehouse written in lower case reach Snowflake as the stored upper-case names', async (t) => {
  const emulated = await keyPairEmulatorFor(t);
  const client = clientFor(t, {
    endpoint: emulated.emulator.url,
    privateKeyPem: emulated.account.auth.method === 'keypair' ? emulated.account.auth.privateKey.reveal() : '',
    user: EMULATED_USER.toLowerCase(),
    role: EMULATED_ROLE.toLowerCase(),
    warehouse: EMULATED_WAREHOUSE.toLowerCase(),
  });
  const session = await firstRow(client, 'SELECT CURRENT_ROLE() AS R, CURRENT_WAREHOUSE() AS W');
  assert.deepEqual(session, { R: EMULATED_ROLE, W: EMULATED_WAREHOUSE });
  // A statement that scans a view runs on the warehouse the body named.
  const users = await firstRow(client, 'SELECT COUNT(*) AS N FROM SNOWFLAKE.ACCOUNT_USAGE.USERS');
  assert.equal(typeof users.N, 'number');
  const report = emulated.emulator.admin.report() as unknown as { warehouses: { byWarehouse: Record<string, { statements: number }> } };
  assert.ok((report.warehouses.byWarehouse[EMULATED_WAREHOUSE]?.statements ?? 0) >= 1, JSON.stringify(report.warehouses));
});

test('a quoted lower-case warehouse is another warehouse: no session warehouse, 000606 only where compute is needed', async (t) => {
  const emulated = await keyPairEmulatorFor(t);
  const client = clientFor(t, {
    endpoint: emulated.emulator.url,
    privateKeyPem: emulated.account.auth.method === 'keypair' ? emulated.account.auth.privateKey.reveal() : '',
    user: EMULATED_USER,
    role: EMULATED_ROLE,
    warehouse: `"${EMULATED_WAREHOUSE.toLowerCase()}"`,
  });
  assert.deepEqual(await firstRow(client, 'SELECT 1 AS ONE'), { ONE: 1 }, 'a statement that needs no warehouse runs');
  await assert.rejects(
    client.execute('SELECT COUNT(*) AS N FROM SNOWFLAKE.ACCOUNT_USAGE.USERS'),
    (error: unknown) => error instanceof SnowflakeQueryError && error.snowflakeCode === '000606' && error.sqlState === '57P03',
  );
});

test('a quoted lower-case role is not the granted upper-case one: 390186, as recorded', async (t) => {
  const emulated = await keyPairEmulatorFor(t);
  const client = clientFor(t, {
    endpoint: emulated.emulator.url,
    privateKeyPem: emulated.account.auth.method === 'keypair' ? emulated.account.auth.privateKey.reveal() : '',
    user: EMULATED_USER,
    role: `"${EMULATED_ROLE.toLowerCase()}"`,
    warehouse: EMULATED_WAREHOUSE,
  });
  await assert.rejects(client.execute('SELECT 1'), (error: unknown) => {
    assert.ok(error instanceof Error && 'snowflakeCode' in error, String(error));
    assert.equal(error.snowflakeCode, '390186');
    assert.match(error.message, new RegExp(`Role '${EMULATED_ROLE.toLowerCase()}' specified in the connect string is not granted`));
    return true;
  });
});
