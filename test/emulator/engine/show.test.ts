// SHOW SHARES (real time, from the SHARES rows, only what the role may see) and SHOW PARAMETERS IN ACCOUNT (settable
// with setParameter).

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEmulatorEngine, createVirtualClock } from '../../../emulator/engine/index.ts';
import { T0, run, rows, testEngine } from './helpers.ts';

test('SHOW SHARES lists live outbound shares at once (no ACCOUNT_USAGE latency), latest version, dropped ones left out (default grants: every role sees every share)', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 1, account: { organization: 'ACME', name: 'PROD' } });
  try {
    await engine.insertRows('SHARES', [
      { NAME: 'SALES_SHARE', CREATED_ON: '2026-10-01T00:00:00Z', MODIFIED_ON: '2026-10-01T00:00:00Z', TARGET_ACCOUNTS: 'ACME.PARTNER1', DATABASE_NAME: 'SALES', OWNER: 'SYSADMIN', SECURE_OBJECTS_ONLY: true },
      { NAME: 'SALES_SHARE', CREATED_ON: '2026-10-01T00:00:00Z', MODIFIED_ON: T0, TARGET_ACCOUNTS: 'ACME.PARTNER1, ACME.PARTNER2', DATABASE_NAME: 'SALES', OWNER: 'SYSADMIN', SECURE_OBJECTS_ONLY: true, COMMENT: 'partners' },
      { NAME: 'DROPPED', CREATED_ON: '2026-09-01T00:00:00Z', MODIFIED_ON: '2026-09-02T00:00:00Z', DELETED_ON: '2026-09-02T00:00:00Z' },
      { NAME: 'FUTURE', CREATED_ON: new Date(T0.getTime() + 60_000), MODIFIED_ON: new Date(T0.getTime() + 60_000), SECURE_OBJECTS_ONLY: false },
    ]);
    const answer = await run(engine, 'SHOW SHARES', { warehouse: undefined });
    assert.deepEqual(answer.names, ['created_on', 'kind', 'owner_account', 'name', 'database_name', 'to', 'owner', 'comment', 'listing_global_name', 'secure_objects_only']);
    assert.deepEqual(answer.rowType.map((f) => f.type), ['timestamp_ltz', ...Array<string>(9).fill('text')]);
    assert.deepEqual(answer.rows, [[`${Date.parse('2026-10-01T00:00:00Z') / 1000}.000000000`, 'OUTBOUND', 'ACME.PROD', 'SALES_SHARE', 'SALES', 'ACME.PARTNER1, ACME.PARTNER2', 'SYSADMIN', 'partners', '', 'true']]);
    assert.deepEqual(
      await rows(engine, "SELECT target_accounts FROM SNOWFLAKE.ACCOUNT_USAGE.SHARES WHERE name = 'SALES_SHARE'"),
      [['ACME.PARTNER1']],
      'the view itself is 3 h behind: it still has the old version only',
    );
    clock.advance(60_000);
    assert.deepEqual((await rows(engine, 'SHOW SHARES')).map((r) => r[3]), ['FUTURE', 'SALES_SHARE']);
    assert.deepEqual((await rows(engine, "SHOW SHARES LIKE 'sales%'")).map((r) => r[3]), ['SALES_SHARE']);
    assert.deepEqual((await rows(engine, "show shares like 'FUT_RE' in account")).map((r) => r[9]), ['false']);
  } finally {
    await engine.close();
  }
});

test('SHOW PARAMETERS IN ACCOUNT has the security parameters with defaults; setParameter changes value and level', async () => {
  const engine = await testEngine();
  try {
    const answer = await run(engine, 'SHOW PARAMETERS IN ACCOUNT', { warehouse: undefined });
    assert.deepEqual(answer.names, ['key', 'value', 'default', 'level', 'description', 'type']);
    const keys = answer.rows.map((r) => r[0]);
    for (const key of [
      'PREVENT_UNLOAD_TO_INLINE_URL', 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_OPERATION',
      'PREVENT_UNLOAD_TO_INTERNAL_STAGES', 'ALLOW_ID_TOKEN', 'ENABLE_IDENTIFIER_FIRST_LOGIN', 'PERIODIC_DATA_REKEYING', 'SAML_IDENTITY_PROVIDER',
      'NETWORK_POLICY', 'CLIENT_ENCRYPTION_KEY_SIZE',
    ]) {
      assert.ok(keys.includes(key), key);
    }
    engine.setParameter('prevent_unload_to_inline_url', 'true');
    engine.setParameter('NETWORK_POLICY', 'CORP_ONLY');
    assert.deepEqual(await rows(engine, "SHOW PARAMETERS LIKE 'PREVENT_UNLOAD_TO_INLINE%' IN ACCOUNT"), [
      ['PREVENT_UNLOAD_TO_INLINE_URL', 'true', 'false', 'ACCOUNT', 'Prevent unloading data to a URL given inline in COPY INTO <location>.', 'BOOLEAN'],
    ]);
    assert.deepEqual((await rows(engine, "SHOW PARAMETERS LIKE 'network_policy'")).map((r) => [r[1], r[3]]), [['CORP_ONLY', 'ACCOUNT']]);
    assert.throws(() => engine.setParameter('NO_SUCH_PARAMETER', 'x'), RangeError);
  } finally {
    await engine.close();
  }
});

test('SHOW SHARES lists only what the role may see: all for ACCOUNTADMIN and MANAGE GRANTS, owned ones with IMPORT SHARE, nothing otherwise', async () => {
  // https://docs.snowflake.com/en/sql-reference/sql/show-shares (usage notes)
  const engine = await createEmulatorEngine({
    clock: createVirtualClock(T0),
    threads: 1,
    account: { organization: 'ACME', name: 'PROD' },
    grants: {
      SHARING_ADMIN: ['IMPORT SHARE ON ACCOUNT'],
      OWNER_WITHOUT_IMPORT_SHARE: [],
      // Inherits SHARING_ADMIN's ownership and its IMPORT SHARE.
      SHARING_LEAD: ['ROLE SHARING_ADMIN'],
      RISK_EXPORTER: ['SNOWFLAKE.SECURITY_VIEWER', 'USAGE ON WAREHOUSE COMPUTE_WH'],
    },
    inboundShares: [{ name: 'SAMPLE_DATA', ownerAccount: 'SFC_SAMPLES.SAMPLE_DATA', databaseName: 'SNOWFLAKE_SAMPLE_DATA', createdOn: '2025-01-01T00:00:00Z', comment: 'samples' }],
  });
  try {
    const day = '2026-10-01T00:00:00Z';
    await engine.insertRows('SHARES', [
      { NAME: 'PARTNER_FEED', CREATED_ON: day, MODIFIED_ON: day, OWNER: 'SHARING_ADMIN', DATABASE_NAME: 'SALES', TARGET_ACCOUNTS: 'ACME.P1, ACME.P2, ACME.P3, ACME.P4, ACME.P5', SECURE_OBJECTS_ONLY: true },
      { NAME: 'ADMIN_FEED', CREATED_ON: day, MODIFIED_ON: day, OWNER: 'ACCOUNTADMIN', DATABASE_NAME: 'HR', TARGET_ACCOUNTS: 'ACME.P1', SECURE_OBJECTS_ONLY: false },
      { NAME: 'OTHER_FEED', CREATED_ON: day, MODIFIED_ON: day, OWNER: 'OWNER_WITHOUT_IMPORT_SHARE', DATABASE_NAME: 'HR', TARGET_ACCOUNTS: '' },
    ]);
    const shown = async (role: string): Promise<string[]> => (await run(engine, 'SHOW SHARES', { role, warehouse: undefined })).rows.map((row) => `${row[1]} ${row[3]}`);

    const all = ['INBOUND SAMPLE_DATA', 'OUTBOUND ADMIN_FEED', 'OUTBOUND OTHER_FEED', 'OUTBOUND PARTNER_FEED'];
    assert.deepEqual(await shown('ACCOUNTADMIN'), all);
    assert.deepEqual(await shown('SECURITYADMIN'), all, 'MANAGE GRANTS (SECURITYADMIN by default) sees every object');
    assert.deepEqual(await shown('SHARING_ADMIN'), ['INBOUND SAMPLE_DATA', 'OUTBOUND PARTNER_FEED']);
    assert.deepEqual(await shown('SHARING_LEAD'), ['INBOUND SAMPLE_DATA', 'OUTBOUND PARTNER_FEED'], 'ownership and IMPORT SHARE are inherited');
    assert.deepEqual(await shown('OWNER_WITHOUT_IMPORT_SHARE'), [], 'owning a share is not enough without IMPORT SHARE');
    assert.deepEqual(await shown('RISK_EXPORTER'), [], 'the least-privilege role: an empty answer, not an error');
    assert.deepEqual(await shown('PUBLIC'), []);

    const answer = await run(engine, "SHOW SHARES LIKE '%feed'", { role: 'ACCOUNTADMIN', warehouse: undefined });
    assert.deepEqual(answer.names, ['created_on', 'kind', 'owner_account', 'name', 'database_name', 'to', 'owner', 'comment', 'listing_global_name', 'secure_objects_only']);
    const partner = answer.rows.find((row) => row[3] === 'PARTNER_FEED');
    // `to` shows at most three accounts (SHOW SHARES, Output); ACCOUNT_USAGE.SHARES keeps the whole list.
    assert.deepEqual(partner?.slice(1), ['OUTBOUND', 'ACME.PROD', 'PARTNER_FEED', 'SALES', 'ACME.P1, ACME.P2, ACME.P3', 'SHARING_ADMIN', '', '', 'true']);
    const inbound = (await run(engine, "SHOW SHARES LIKE 'sample%'", { role: 'ACCOUNTADMIN', warehouse: undefined })).rows;
    assert.deepEqual(inbound, [[`${Date.parse('2025-01-01T00:00:00Z') / 1000}.000000000`, 'INBOUND', 'SFC_SAMPLES.SAMPLE_DATA', 'SAMPLE_DATA', 'SNOWFLAKE_SAMPLE_DATA', '', '', 'samples', '', '']]);
  } finally {
    await engine.close();
  }
});
