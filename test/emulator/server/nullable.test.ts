// `nullable=false` on the POST: SQL NULL comes back as the text "null" instead of JSON null (reference doc 1.2), in
// the inline partition and in later ones; without it, JSON null. Runs on the real DuckDB engine.
import assert from 'node:assert/strict';
import { after, before, test } from 'node:test';
import { gunzipSync } from 'node:zlib';
import { request } from 'undici';
import { DEMO_PAT_SECRET, startEmulator, type RunningEmulator } from '../../../emulator/index.ts';

let emulator: RunningEmulator;
before(async () => {
  emulator = await startEmulator({ partitionRows: 2 });
});
after(async () => {
  await emulator.close();
});

const headers = {
  authorization: `Bearer ${DEMO_PAT_SECRET}`,
  'x-snowflake-authorization-token-type': 'PROGRAMMATIC_ACCESS_TOKEN',
  'content-type': 'application/json',
  accept: 'application/json',
  'accept-encoding': 'gzip',
};

async function json(url: URL, init: { method?: 'GET' | 'POST'; body?: string } = {}): Promise<{ status: number; body: Record<string, unknown> }> {
  const response = await request(url, { method: init.method ?? 'GET', headers, body: init.body });
  const raw = Buffer.from(await response.body.arrayBuffer());
  const text = (response.headers['content-encoding'] === 'gzip' ? gunzipSync(raw) : raw).toString('utf8');
  return { status: response.statusCode, body: JSON.parse(text) as Record<string, unknown> };
}

const STATEMENT = "SELECT x, IFF(x % 2 = 0, NULL, 'odd') AS v FROM (SELECT 1 AS x UNION ALL SELECT 2 UNION ALL SELECT 3 UNION ALL SELECT 4) ORDER BY x";

for (const nullable of [undefined, 'false'] as const) {
  test(`nullable=${nullable ?? '(absent)'}: NULL is ${nullable === 'false' ? 'the text "null"' : 'JSON null'} in every partition`, async () => {
    const url = new URL('/api/v2/statements', emulator.url);
    if (nullable !== undefined) url.searchParams.set('nullable', nullable);
    const first = await json(url, { method: 'POST', body: JSON.stringify({ statement: STATEMENT, timeout: 60 }) });
    assert.equal(first.status, 200);
    const handle = String(first.body.statementHandle);
    const later = await json(new URL(`/api/v2/statements/${handle}?partition=1`, emulator.url));
    const rows = [...(first.body.data as unknown[][]), ...(later.body.data as unknown[][])];
    const expectedNull = nullable === 'false' ? 'null' : null;
    assert.deepEqual(rows, [
      ['1', 'odd'],
      ['2', expectedNull],
      ['3', 'odd'],
      ['4', expectedNull],
    ]);
  });
}
