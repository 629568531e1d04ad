// The catalog's documentation stays complete: every built-in detection is described in docs/detections.md under a
// heading equal to its id (the README table links there), every view it names has a known grant, and the README
// table has exactly one row per id.
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFile } from 'node:fs/promises';
import { BUILT_IN_DETECTIONS } from '../../../src/detect/catalog/index.ts';
import { detectionAnchor, renderDetectionTable } from '../../../src/detect/docs/catalog-table.ts';
import { grantsFor, VIEW_ACCESS } from '../../../src/detect/privileges.ts';

const ids = [...new Set(BUILT_IN_DETECTIONS.map((detection) => detection.id))];

test('docs/detections.md has a section headed by each built-in detection id', async () => {
  const docs = await readFile(new URL('../../../docs/detections.md', import.meta.url), 'utf8');
  const headings = new Set([...docs.matchAll(/^### (\S+)$/gm)].map((match) => match[1]));
  const missing = ids.filter((id) => !headings.has(id));
  assert.deepEqual(missing, [], 'detections without a section in docs/detections.md');
});

test('every view a built-in detection names has a grant', () => {
  for (const detection of BUILT_IN_DETECTIONS) assert.doesNotThrow(() => grantsFor(detection), detection.id);
  // GRANTS_TO_SHARES is read by the shares source only (and by share detections given origins: [GRANTS_TO_SHARES]).
  assert.equal(VIEW_ACCESS.GRANTS_TO_SHARES?.grant, 'SNOWFLAKE.SECURITY_VIEWER');
});

test('grantsFor names the least privilege: the database roles whose lists hold the views', () => {
  assert.deepEqual(grantsFor({ id: 'x', views: ['USERS', 'LOGIN_HISTORY', 'SESSIONS'] }), ['SNOWFLAKE.SECURITY_VIEWER']);
  assert.deepEqual(grantsFor({ id: 'x', views: ['QUERY_HISTORY', 'SHARES'] }), ['SNOWFLAKE.GOVERNANCE_VIEWER', 'SNOWFLAKE.SECURITY_VIEWER']);
  assert.deepEqual(grantsFor({ id: 'x', views: ['SHOW PARAMETERS IN ACCOUNT'] }), []);
  assert.throws(() => grantsFor({ id: 'x.y', views: ['NOT_A_VIEW'] }), /detection x\.y names view NOT_A_VIEW/);
});

test('the README table has one row per detection id, linking its docs section', () => {
  const table = renderDetectionTable(BUILT_IN_DETECTIONS);
  const rows = table.split('\n').slice(2);
  assert.equal(rows.length, ids.length);
  for (const id of ids) {
    assert.equal(rows.filter((row) => row.startsWith(`| [\`${id}\`](docs/detections.md#${detectionAnchor(id)})`)).length, 1, id);
  }
  // SF-10's two rules (change and state) share one row.
  assert.match(table, /exfil\.guardrail_disabled.*\| event \+ posture \|/);
});

test('detectionAnchor follows GitHub: lower case, dots dropped, underscores kept', () => {
  assert.equal(detectionAnchor('mfa.admin_without_mfa'), 'mfaadmin_without_mfa');
  assert.equal(detectionAnchor('Custom.Large-Unload'), 'customlarge-unload');
});
