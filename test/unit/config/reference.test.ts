// The configuration reference is complete: every setting the schema accepts (top level, defaults, accounts) has a
// default and a meaning in src/config/docs/settings-reference.ts, and nothing documented is missing from the schema.
// The README tables themselves are kept current by test/unit/generated-files.test.ts.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { z } from 'zod';
import { referenceProblems, renderSettingsTable } from '../../../src/config/docs/reference-table.ts';
import { schemaPaths } from '../../../src/config/docs/schema-paths.ts';

test('every schema setting is documented, and every documented setting exists', () => {
  assert.deepEqual(referenceProblems(), []);
});

test('types come from the schema: enum values, numeric ranges, durations, nullable', () => {
  const table = renderSettingsTable();
  assert.match(table, /\| `log\.level` \| `debug` \\\| `info` \\\| `warn` \\\| `error` \| `info` \|/);
  assert.match(table, /\| `defaults\.concurrency` \| integer 1 to 32 \| `8` \|/);
  assert.match(table, /\| `defaults\.backfill` \| duration \| `1d` \|/);
  assert.match(table, /\| `defaults\.creditBudget\.daily` \| number 0 to 1000000 or `null` \| `null` \|/);
  // A new key in a schema is found by the walker (this is what makes an undocumented setting fail above).
  const paths = schemaPaths(z.strictObject({ a: z.strictObject({ b: z.enum(['x', 'y']).optional(), c: z.int().min(2).max(5) }).optional() }));
  assert.deepEqual(paths, [{ path: 'a.b', type: '`x` \\| `y`' }, { path: 'a.c', type: 'integer 2 to 5' }]);
});
