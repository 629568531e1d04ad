// startEmulator() with its default DuckDB engine: the admin surface (report with the warehouse model, virtual clock,
// token revocation) and the request log, which must never carry a token.
import assert from 'node:assert/strict';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { DEMO_PAT_SECRET, DEMO_ROLE, DEMO_USER, startEmulator, type RunningEmulator } from '../../../emulator/index.ts';

describe('admin surface and request log (real engine)', () => {
  let emulator: RunningEmulator;
  const lines: string[] = [];
  before(async () => {
    emulator = await startEmulator({ logger: (line) => lines.push(line) });
  });
  after(async () => {
    await emulator.close();
  });

  const url = (path: string): string => new URL(path, emulator.url).toString();

  async function sql(statement: string): Promise<{ status: number; body: Record<string, unknown> }> {
    const reply = await request(url('/api/v2/statements?requestId=0f8fad5b-d9cb-469f-a165-70867728950e'), {
      method: 'POST',
      headers: { Authorization: `Bearer ${DEMO_PAT_SECRET}`, 'X-Snowflake-Authorization-Token-Type': 'PROGRAMMATIC_ACCESS_TOKEN', 'Content-Type': 'application/json' },
      body: JSON.stringify({ statement }),
    });
    return { status: reply.statusCode, body: (await reply.body.json()) as Record<string, unknown> };
  }

  test('the demo PAT runs SQL on the DuckDB engine as the demo user and role', async () => {
    const answer = await sql('SELECT CURRENT_USER() AS u, CURRENT_ROLE() AS r');
    assert.equal(answer.status, 200);
    assert.deepEqual(answer.body.data, [[DEMO_USER, DEMO_ROLE]]);
  });

  test('POST /_emulator/clock moves the virtual clock; createdOn follows it', async () => {
    const set = await request(url('/_emulator/clock'), { method: 'POST', headers: { 'Content-Type': 'application/json' }, body: JSON.stringify({ set: '2030-01-01T00:00:00Z', advanceSeconds: 90 }) });
    assert.deepEqual(await set.body.json(), { now: '2030-01-01T00:01:30.000Z' });
    const answer = await sql('SELECT 1');
    assert.equal(answer.body.createdOn, Date.UTC(2030, 0, 1, 0, 1, 30));
    const bad = await request(url('/_emulator/clock'), { method: 'POST', body: JSON.stringify({ set: 'someday' }) });
    assert.equal(bad.statusCode, 400);
    await bad.body.dump();
  });

  test('GET /_emulator/report counts statements, requests and carries the warehouse report', async () => {
    const reply = await request(url('/_emulator/report'));
    const report = (await reply.body.json()) as { statements: { submitted: number; succeeded: number }; requests: Record<string, number>; warehouses: unknown; clock: string };
    assert.ok(report.statements.submitted >= 2);
    assert.ok(report.statements.succeeded >= 2);
    assert.ok((report.requests.submit ?? 0) >= 2);
    assert.equal(typeof report.warehouses, 'object');
    assert.notEqual(report.warehouses, null);
    assert.equal(report.clock.slice(0, 4), '2030');
    const unknown = await request(url('/_emulator/nothing'));
    assert.equal(unknown.statusCode, 404);
    await unknown.body.dump();
  });

  test('one JSON line per request, with no token, query string or body in it', async () => {
    await sql("SELECT 'secret-looking text'");
    const parsed = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    assert.ok(parsed.length >= 5);
    const submit = parsed.find((entry) => entry.route === 'submit');
    assert.equal(submit?.method, 'POST');
    assert.equal(submit?.status, 200);
    assert.equal(submit?.user, DEMO_USER);
    assert.equal(typeof submit?.durationMs, 'number');
    const all = lines.join('\n');
    assert.ok(!all.includes(DEMO_PAT_SECRET));
    assert.ok(!all.includes('requestId'));
    assert.ok(!all.includes('secret-looking'));
  });
});
