// The exporter's VIEW_ACCESS (which grant reads each view, shown in the README's detection table) and the emulator's
// model of Snowflake's grants (emulator/engine/privileges.ts, from
// https://docs.snowflake.com/en/sql-reference/snowflake-db-roles) agree for every view both name: the grant the
// exporter asks for is one that reads the view, and the narrowest one (a database or application role, never
// IMPORTED PRIVILEGES while a role's list holds the view).
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { ACCOUNT_USAGE_VIEW_ROLES, grantsThatRead, IMPORTED_PRIVILEGES_GRANT } from '../../../emulator/engine/privileges.ts';
import { VIEWS } from '../../../emulator/schema.ts';
import { IMPORTED_PRIVILEGES, VIEW_ACCESS } from '../../../src/detect/privileges.ts';

/** VIEW_ACCESS keys name ACCOUNT_USAGE views bare ('QUERY_HISTORY') and others in full ('SNOWFLAKE.TRUST_CENTER.X'). */
function viewOf(key: string): { schema: string; name: string } | undefined {
  if (/^[A-Z_]+$/.test(key)) return { schema: 'ACCOUNT_USAGE', name: key };
  const match = /^SNOWFLAKE\.([A-Z_]+)\.([A-Z_]+)$/.exec(key);
  return match ? { schema: match[1]!, name: match[2]! } : undefined;
}

function emulatorKnows(view: { schema: string; name: string }): boolean {
  return (view.schema === 'ACCOUNT_USAGE' && view.name in ACCOUNT_USAGE_VIEW_ROLES) || VIEWS.some((v) => v.schema === view.schema && v.name === view.name);
}

test('for every view both name, VIEW_ACCESS asks for the narrowest grant the emulator lets read it', () => {
  const compared: string[] = [];
  for (const [key, access] of Object.entries(VIEW_ACCESS)) {
    const view = viewOf(key);
    if (view === undefined || !emulatorKnows(view)) continue;
    compared.push(key);
    const readers = grantsThatRead(view.schema, view.name);
    const narrow = readers.filter((grant) => grant !== IMPORTED_PRIVILEGES_GRANT);
    if (narrow.length > 0) assert.ok(narrow.includes(access.grant), `${key}: VIEW_ACCESS says ${access.grant}, the emulator reads it with ${narrow.join(' or ')}`);
    else assert.equal(access.grant, IMPORTED_PRIVILEGES, `${key}: in no role's list, so IMPORTED PRIVILEGES`);
  }
  // Every ACCOUNT_USAGE view the exporter's detections and sources read is compared, not skipped.
  for (const name of ['USERS', 'LOGIN_HISTORY', 'SESSIONS', 'GRANTS_TO_USERS', 'GRANTS_TO_ROLES', 'SHARES', 'GRANTS_TO_SHARES', 'QUERY_HISTORY', 'ACCESS_HISTORY', 'DATA_TRANSFER_HISTORY']) {
    assert.ok(compared.includes(name), `${name} was not compared`);
  }
});

test('every ACCOUNT_USAGE view the emulator holds (and so the import accepts) has its documented database roles', () => {
  for (const view of VIEWS.filter((v) => v.schema === 'ACCOUNT_USAGE')) assert.ok(view.name in ACCOUNT_USAGE_VIEW_ROLES, view.name);
});
