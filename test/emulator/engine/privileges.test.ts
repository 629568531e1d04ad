// Privileges by grant (emulator/engine/privileges.ts): each SNOWFLAKE database role reads exactly the ACCOUNT_USAGE
// views Snowflake documents for it (https://docs.snowflake.com/en/sql-reference/snowflake-db-roles), IMPORTED
// PRIVILEGES reads everything, the Trust Center application roles read SNOWFLAKE.TRUST_CENTER, roles inherit, a
// warehouse needs USAGE, and the views a statement reads are found by name resolution, not by its words.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import type { EmulatorEngine } from '../../../emulator/engine/index.ts';
import { createEmulatorEngine, GrantConfigError, SnowflakeStatementError } from '../../../emulator/engine/index.ts';
import { VIEWS } from '../../../emulator/schema.ts';
import type { RunOptions } from './helpers.ts';
import { rows, testEngine } from './helpers.ts';

const WH = 'USAGE ON WAREHOUSE COMPUTE_WH';
const GRANTS = {
  SEC: ['SNOWFLAKE.SECURITY_VIEWER', WH],
  GOV: ['DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER', WH],
  USE: ['snowflake.usage_viewer', WH],
  OBJ: ['SNOWFLAKE.OBJECT_VIEWER', WH],
  IMPORTED: ['IMPORTED PRIVILEGES ON DATABASE SNOWFLAKE', WH],
  TC: ['APPLICATION ROLE SNOWFLAKE.TRUST_CENTER_VIEWER', WH],
  NOTHING: [WH],
  NO_WAREHOUSE: ['SNOWFLAKE.SECURITY_VIEWER'],
  // CHILD inherits SEC (views and warehouse); GRANDCHILD inherits CHILD and GOV.
  CHILD: ['ROLE SEC'],
  GRANDCHILD: ['ROLE child', 'ROLE GOV'],
};

// The documented lists, written out here so that the test checks the emulator's table rather than reusing it.
const DOCUMENTED: Record<string, readonly string[]> = {
  SECURITY_VIEWER: ['USERS', 'ROLES', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES', 'LOGIN_HISTORY', 'SESSIONS', 'SHARES', 'GRANTS_TO_SHARES', 'TRUST_CENTER_FINDINGS'],
  GOVERNANCE_VIEWER: ['QUERY_HISTORY', 'ACCESS_HISTORY'],
  USAGE_VIEWER: ['DATA_TRANSFER_HISTORY'],
  OBJECT_VIEWER: [],
};

const ACCOUNT_USAGE = VIEWS.filter((view) => view.schema === 'ACCOUNT_USAGE').map((view) => view.name);

let engine: EmulatorEngine;
before(async () => {
  engine = await testEngine({ grants: GRANTS, warehouses: { COMPUTE_WH: {}, OTHER_WH: {} } });
  await engine.insertRows('USERS', [{ USER_ID: 1, NAME: 'ALICE', CREATED_ON: '2025-01-01T00:00:00Z' }]);
});
after(async () => {
  await engine.close();
});

function objectError(role: string, view: string): RegExp {
  const name = `SNOWFLAKE\\.ACCOUNT_USAGE\\.${view}`;
  return new RegExp(
    `^SQL compilation error:\\nObject '${name}' does not exist or not authorized\\. Your primary role ${role} or one of your secondary roles must have at least one privilege granted on TABLE ${name}\\.$`,
  );
}

function schemaError(role: string, schema: string): RegExp {
  return new RegExp(`^SQL compilation error:\\nSchema 'SNOWFLAKE\\.${schema}' does not exist or not authorized\\. Your primary role ${role} or one of your secondary roles must have USAGE`);
}

async function refused(sql: string, options: RunOptions, sqlState: '42S02' | '02000', message: RegExp): Promise<void> {
  await assert.rejects(rows(engine, sql, options), (error: unknown) => {
    assert.ok(error instanceof SnowflakeStatementError, String(error));
    assert.equal(error.code, '002003', `${sql}: ${error.message}`);
    assert.equal(error.sqlState, sqlState);
    assert.equal(error.httpStatus, 422);
    assert.match(error.message, message);
    return true;
  }, `${options.role ?? ''} must not read: ${sql}`);
}

async function reads(sql: string, options: RunOptions): Promise<void> {
  await assert.doesNotReject(rows(engine, sql, options), `${options.role ?? ''} must read: ${sql}`);
}

/** The role reads exactly `readable` among the ACCOUNT_USAGE views, and gets the object error on the others. */
async function readsExactly(role: string, readable: readonly string[]): Promise<void> {
  for (const view of ACCOUNT_USAGE) {
    const sql = `SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.${view}`;
    if (readable.includes(view)) await reads(sql, { role });
    else await refused(sql, { role }, '42S02', objectError(role, view));
  }
}

describe('SNOWFLAKE database roles read their documented ACCOUNT_USAGE views and nothing else', () => {
  test('SECURITY_VIEWER', async () => {
    await readsExactly('SEC', DOCUMENTED.SECURITY_VIEWER!);
  });

  test('GOVERNANCE_VIEWER', async () => {
    await readsExactly('GOV', DOCUMENTED.GOVERNANCE_VIEWER!);
  });

  test('USAGE_VIEWER (granted in lower case: identifiers are upper-cased)', async () => {
    await readsExactly('USE', DOCUMENTED.USAGE_VIEWER!);
  });

  test('OBJECT_VIEWER can use the schema but reads none of these views', async () => {
    await readsExactly('OBJ', DOCUMENTED.OBJECT_VIEWER!);
  });

  test('IMPORTED PRIVILEGES reads every view; a role without it reads none', async () => {
    await readsExactly('IMPORTED', ACCOUNT_USAGE);
    for (const view of ACCOUNT_USAGE) await refused(`SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.${view}`, { role: 'NOTHING' }, '02000', schemaError('NOTHING', 'ACCOUNT_USAGE'));
  });

  test('the Trust Center application role reads no ACCOUNT_USAGE view: TRUST_CENTER_FINDINGS is on SECURITY_VIEWER\'s list', async () => {
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS', { role: 'TC' }, '02000', schemaError('TC', 'ACCOUNT_USAGE'));
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'TC' }, '02000', schemaError('TC', 'ACCOUNT_USAGE'));
    await reads('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS', { role: 'SEC' });
  });

  test('a role with no SNOWFLAKE grant gets the schema error, also for a view that does not exist', async () => {
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'NOTHING' }, '02000', schemaError('NOTHING', 'ACCOUNT_USAGE'));
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.NO_SUCH_VIEW', { role: 'NOTHING' }, '02000', schemaError('NOTHING', 'ACCOUNT_USAGE'));
    // With the schema usable, a missing view is a missing object.
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.NO_SUCH_VIEW', { role: 'SEC' }, '42S02', /Object '.*NO_SUCH_VIEW' does not exist or not authorized\./);
  });
});

describe('roles inherit the grants of the roles granted to them', () => {
  test('a role granted SEC reads what SEC reads, uses its warehouse, and no more', async () => {
    await readsExactly('CHILD', DOCUMENTED.SECURITY_VIEWER!);
  });

  test('two levels and two branches add up; the granted roles do not inherit back', async () => {
    await readsExactly('GRANDCHILD', [...DOCUMENTED.SECURITY_VIEWER!, ...DOCUMENTED.GOVERNANCE_VIEWER!]);
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY', { role: 'CHILD' }, '42S02', objectError('CHILD', 'QUERY_HISTORY'));
  });

  test('ACCOUNTADMIN holds everything; SYSADMIN, below it, holds no SNOWFLAKE grant', async () => {
    await readsExactly('ACCOUNTADMIN', ACCOUNT_USAGE);
    await reads('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS', { role: 'ACCOUNTADMIN', warehouse: 'OTHER_WH' });
    await refused('SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'SYSADMIN' }, '02000', schemaError('SYSADMIN', 'ACCOUNT_USAGE'));
  });
});

describe('the views a statement reads are found by name resolution', () => {
  test('a CTE, a column alias or a string that looks like a view is not a read; the view itself is', async () => {
    await reads('WITH query_history AS (SELECT 1 AS x) SELECT x FROM query_history', { role: 'NOTHING' });
    await reads("SELECT 'SNOWFLAKE.ACCOUNT_USAGE.USERS' AS account_usage, 1 AS users", { role: 'NOTHING' });
    await reads('SELECT 1 AS query_history -- FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY', { role: 'SEC' });
    await refused('WITH query_history AS (SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY) SELECT 1 FROM query_history', { role: 'NOTHING' }, '02000', schemaError('NOTHING', 'ACCOUNT_USAGE'));
  });

  test('a view read inside a CTE, a subquery or a join is checked', async () => {
    await refused('WITH q AS (SELECT * FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY) SELECT COUNT(*) FROM q', { role: 'SEC' }, '42S02', objectError('SEC', 'QUERY_HISTORY'));
    await refused(
      'SELECT name FROM SNOWFLAKE.ACCOUNT_USAGE.USERS WHERE name IN (SELECT user_name FROM snowflake.account_usage.query_history)',
      { role: 'SEC' },
      '42S02',
      objectError('SEC', 'QUERY_HISTORY'),
    );
    await refused(
      'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS u JOIN "SNOWFLAKE"."ACCOUNT_USAGE"."ACCESS_HISTORY" a ON a.user_name = u.name',
      { role: 'SEC' },
      '42S02',
      objectError('SEC', 'ACCESS_HISTORY'),
    );
    await reads('WITH u AS (SELECT name FROM SNOWFLAKE.ACCOUNT_USAGE.USERS) SELECT COUNT(*) FROM u JOIN SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY l ON l.user_name = u.name', { role: 'SEC' });
  });

  test("the session's database and schema resolve partly qualified names", async () => {
    const inSchema = { role: 'SEC', database: 'SNOWFLAKE', schema: 'ACCOUNT_USAGE' };
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM users', inSchema), [['1']]);
    await refused('SELECT COUNT(*) FROM query_history', inSchema, '42S02', objectError('SEC', 'QUERY_HISTORY'));
    const inDatabase = { role: 'SEC', database: 'SNOWFLAKE' };
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM ACCOUNT_USAGE.USERS', inDatabase), [['1']]);
    await refused('SELECT COUNT(*) FROM account_usage.query_history', inDatabase, '42S02', objectError('SEC', 'QUERY_HISTORY'));
    await refused('SELECT COUNT(*) FROM ACCOUNT_USAGE.USERS', { role: 'NOTHING', database: 'SNOWFLAKE' }, '02000', schemaError('NOTHING', 'ACCOUNT_USAGE'));
  });
});

describe('a warehouse needs USAGE', () => {
  const noWarehouse = /^No active warehouse selected in the current session\./;

  test('without USAGE the session has no current warehouse: reading a view is 000606, metadata-only statements run', async () => {
    await assert.rejects(rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'NO_WAREHOUSE' }), (error: unknown) => {
      assert.ok(error instanceof SnowflakeStatementError);
      assert.equal(error.code, '000606');
      assert.equal(error.sqlState, '57P03');
      assert.match(error.message, noWarehouse);
      return true;
    });
    assert.deepEqual(await rows(engine, 'SELECT 1, CURRENT_WAREHOUSE()', { role: 'NO_WAREHOUSE' }), [['1', null]]);
    assert.deepEqual(await rows(engine, 'SELECT CURRENT_WAREHOUSE()', { role: 'SEC' }), [['COMPUTE_WH']]);
  });

  test('USAGE on one warehouse is not USAGE on another; inherited USAGE counts; ACCOUNTADMIN uses every warehouse', async () => {
    await assert.rejects(rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'SEC', warehouse: 'OTHER_WH' }), /No active warehouse/);
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'CHILD' }), [['1']]);
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.USERS', { role: 'ACCOUNTADMIN', warehouse: 'OTHER_WH' }), [['1']]);
  });
});

test('a grant that names an unknown role, warehouse or form is refused when the engine is created', async () => {
  await assert.rejects(createEmulatorEngine({ grants: { R: ['SNOWFLAKE.AUDIT_VIEWER'] } }), (error: unknown) => error instanceof GrantConfigError && /AUDIT_VIEWER/.test(error.message));
  await assert.rejects(createEmulatorEngine({ grants: { R: ['USAGE ON WAREHOUSE NOPE_WH'] } }), (error: unknown) => error instanceof GrantConfigError && /NOPE_WH/.test(error.message));
  await assert.rejects(createEmulatorEngine({ grants: { R: ['SELECT ON EVERYTHING'] } }), (error: unknown) => error instanceof GrantConfigError && /SELECT ON EVERYTHING/.test(error.message));
  await assert.rejects(createEmulatorEngine({ grants: { R: ['DATABASE ROLE SNOWFLAKE.TRUST_CENTER_VIEWER'] } }), GrantConfigError, 'an application role is not a database role');
});
