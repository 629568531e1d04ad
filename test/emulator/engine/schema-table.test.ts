// emulator/schema.ts is the table of Snowflake's documented views: every entry must be well formed (a reference page
// on docs.snowflake.com, unique columns of known types, an event-time column that exists and is a timestamp, a
// documented latency), it must hold the views the exporter and the import rely on, and nothing undocumented.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { VIEW_COLUMN_TYPES, VIEWS, findView } from '../../../emulator/schema.ts';
import { SCENARIO_VIEWS } from '../../../emulator/scenario/index.ts';
import { SOURCES } from '../../../src/collect/source-ids.ts';
import { VIEW_ACCESS } from '../../../src/detect/privileges.ts';

const REQUIRED_VIEWS = [
  'USERS', 'ROLES', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES', 'LOGIN_HISTORY', 'QUERY_HISTORY', 'SESSIONS', 'ACCESS_HISTORY',
  'SHARES', 'GRANTS_TO_SHARES', 'DATA_TRANSFER_HISTORY', 'TRUST_CENTER_FINDINGS',
];

test('every view is a documented ACCOUNT_USAGE view with its reference page', () => {
  const names = new Set<string>();
  for (const view of VIEWS) {
    const key = `${view.schema}.${view.name}`;
    assert.ok(!names.has(key), `${key} listed twice`);
    names.add(key);
    assert.match(view.name, /^[A-Z][A-Z0-9_]*$/, key);
    assert.equal(view.docs, `https://docs.snowflake.com/en/sql-reference/${view.schema.toLowerCase().replace('_', '-')}/${view.name.toLowerCase()}`, key);
    assert.equal(findView(view.schema.toLowerCase(), view.name.toLowerCase()), view);
  }
  assert.deepEqual([...names].sort(), REQUIRED_VIEWS.map((name) => `ACCOUNT_USAGE.${name}`).sort());
});

test('columns are unique upper-case names of known types, with notes that cite Snowflake when they cite anything', () => {
  for (const view of VIEWS) {
    assert.ok(view.columns.length > 0, view.name);
    const seen = new Set<string>();
    for (const column of view.columns) {
      assert.match(column.name, /^[A-Z][A-Z0-9_]*$/, `${view.name}.${column.name}`);
      assert.ok(!seen.has(column.name), `${view.name}.${column.name} listed twice`);
      seen.add(column.name);
      assert.ok(VIEW_COLUMN_TYPES.includes(column.type), `${view.name}.${column.name}: unknown type ${column.type}`);
      if (column.note !== undefined) {
        assert.ok(column.note.trim().length > 0, `${view.name}.${column.name}: empty note`);
        for (const url of column.note.match(/https?:\/\/\S+/g) ?? []) assert.match(url, /^https:\/\/docs\.snowflake\.com\/en\//, `${view.name}.${column.name}: ${url}`);
      }
    }
    assert.ok(!seen.has('READER_ACCOUNT_NAME') && !seen.has('READER_ACCOUNT_DELETED_ON'), `${view.name}: a READER_ACCOUNT_USAGE-only column`);
  }
});

test('the event-time column is a timestamp column of the view; latency is a documented maximum', () => {
  for (const view of VIEWS) {
    if (view.eventTimeColumn === null) {
      // Snapshot views: rows appear by CREATED_ON (engine/catalog.ts), so they need one.
      assert.ok(view.columns.some((c) => c.name === 'CREATED_ON' && c.type === 'TIMESTAMP_LTZ'), view.name);
    } else {
      const column = view.columns.find((c) => c.name === view.eventTimeColumn);
      assert.ok(column, `${view.name}: event-time column ${view.eventTimeColumn} is not one of its columns`);
      assert.match(column.type, /^TIMESTAMP_/, `${view.name}.${column.name}`);
    }
    assert.ok(Number.isInteger(view.latencySeconds) && view.latencySeconds > 0 && view.latencySeconds <= 3 * 3600, `${view.name}: latency ${view.latencySeconds}`);
  }
});

test('the facts checked against the pages stay as documented', () => {
  const type = (view: string, column: string): string | undefined => findView('ACCOUNT_USAGE', view)?.columns.find((c) => c.name === column)?.type;
  const names = (view: string): string[] => findView('ACCOUNT_USAGE', view)?.columns.map((c) => c.name) ?? [];
  // Types other code depends on (https://docs.snowflake.com/en/sql-reference/account-usage/<view>).
  assert.equal(type('USERS', 'DISABLED'), 'VARIANT');
  assert.equal(type('USERS', 'EXT_AUTHN_DUO'), 'BOOLEAN');
  assert.equal(type('QUERY_HISTORY', 'ERROR_CODE'), 'NUMBER');
  assert.equal(type('QUERY_HISTORY', 'BIND_VALUES'), 'ARRAY');
  assert.equal(type('SESSIONS', 'CLIENT_ENVIRONMENT'), 'TEXT');
  assert.equal(type('DATA_TRANSFER_HISTORY', 'BYTES_TRANSFERRED'), 'VARIANT');
  assert.equal(type('ACCESS_HISTORY', 'OBJECT_MODIFIED_BY_DDL'), 'OBJECT');
  // QUERY_HISTORY has no client application column (SESSIONS does).
  assert.ok(!names('QUERY_HISTORY').includes('CLIENT_APPLICATION_ID'));
  // The documented Trust Center findings view, in page order.
  assert.deepEqual(names('TRUST_CENTER_FINDINGS'), ['ID', 'PROVIDER_ID', 'SCANNER_PACKAGE_ID', 'SCANNER_ID', 'SEVERITY', 'STATE', 'CREATED_ON', 'UPDATED_ON']);
  assert.equal(findView('ACCOUNT_USAGE', 'TRUST_CENTER_FINDINGS')?.latencySeconds, 3600);
  assert.equal(findView('TRUST_CENTER', 'FINDINGS'), undefined, 'undocumented: the TRUST_CENTER schema page lists only EXTENSIONS');
  // HAS_PAT and HAS_WORKLOAD_IDENTITY sit between DEFAULT_SECONDARY_ROLE and TYPE (bundle 2025_06).
  const users = names('USERS');
  assert.deepEqual(users.slice(users.indexOf('DEFAULT_SECONDARY_ROLE'), users.indexOf('TYPE') + 1), ['DEFAULT_SECONDARY_ROLE', 'HAS_PAT', 'HAS_WORKLOAD_IDENTITY', 'TYPE']);
});

test('the exporter, its grants and the scenario name only views of the table', () => {
  for (const view of SCENARIO_VIEWS) assert.ok(findView('ACCOUNT_USAGE', view), `scenario view ${view}`);
  for (const [id, source] of Object.entries(SOURCES)) {
    for (const view of source.view.split(' + ')) {
      if (/^SHOW /.test(view)) continue;
      assert.ok(findView('ACCOUNT_USAGE', view), `source ${id} reads ${view}, which is not in the table`);
    }
  }
  for (const view of Object.keys(VIEW_ACCESS)) {
    if (/^SHOW /.test(view)) continue;
    assert.ok(findView('ACCOUNT_USAGE', view), `VIEW_ACCESS names ${view}, which is not in the table`);
  }
});
