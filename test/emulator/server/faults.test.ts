// Every fault kind as a client observes it, through real HTTP requests: 429 with Retry-After, gateway 5xx, 408,
// slow answers, dropped connections, truncated partitions, expired tokens; schedules, probabilities (seeded),
// statement patterns, runtime replacement through the admin endpoint, and the report of faults fired.
import assert from 'node:assert/strict';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { request } from 'undici';
import { call, startHarness, submitBody, type Harness } from './helpers.ts';

const select = submitBody("SELECT 1 AS a, 'x' AS b");

/** A raw node:http request that reports exactly what arrived, including a connection cut before or mid-body. */
function rawGet(h: Harness, path: string): Promise<{ status?: number; bytes: number; declared?: number; error?: string }> {
  return new Promise((resolve) => {
    const req = httpRequest(`${h.base}${path}`, { headers: { Authorization: `Bearer ${h.jwt}`, 'Accept-Encoding': 'gzip' } }, (res) => {
      let bytes = 0;
      res.on('data', (chunk: Buffer) => (bytes += chunk.length));
      res.on('end', () => resolve({ status: res.statusCode, bytes, declared: Number(res.headers['content-length']) }));
      res.on('error', (error) => resolve({ status: res.statusCode, bytes, declared: Number(res.headers['content-length']), error: error.message }));
      res.on('aborted', () => resolve({ status: res.statusCode, bytes, declared: Number(res.headers['content-length']), error: 'aborted' }));
    });
    req.on('error', (error) => resolve({ bytes: 0, error: error.message }));
    req.end();
  });
}

describe('fault injection', () => {
  let h: Harness;
  before(async () => {
    h = await startHarness({ partitionRows: 500 });
  });
  after(async () => {
    await h.emulator.close();
  });

  test('429 with Retry-After for the next 2 submits, then normal answers', async () => {
    h.emulator.admin.setFaults({ rules: [{ id: 'throttle', endpoint: 'submit', action: { kind: 'status', status: 429, retryAfterSeconds: 3 }, count: 2 }] });
    const executed = h.engine.executions.length;
    for (let i = 0; i < 2; i += 1) {
      const reply = await call(h, 'POST', '/api/v2/statements', { body: select });
      assert.equal(reply.status, 429);
      assert.equal(reply.headers['retry-after'], '3');
      assert.deepEqual(reply.json(), { code: '390505', message: 'Too many requests.' });
    }
    assert.equal(h.engine.executions.length, executed, 'a throttled request is not executed');
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select })).status, 200);
    assert.equal(h.emulator.admin.report().faultsFired['throttle:status'], 2);
  });

  test('gateway errors 500/502/503/504 and 408 on a window of request numbers', async () => {
    const statuses = [500, 502, 503, 504, 408] as const;
    h.emulator.admin.setFaults({
      rules: statuses.map((status, index) => ({ endpoint: 'submit' as const, action: { kind: 'status' as const, status }, fromRequest: index + 1, toRequest: index + 1 })),
    });
    for (const status of statuses) {
      const reply = await call(h, 'POST', '/api/v2/statements', { body: select });
      assert.equal(reply.status, status);
      if (status === 502 || status === 503 || status === 504) assert.equal(reply.headers['content-type'], 'text/plain');
    }
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select })).status, 200);
  });

  test('slow responses are delayed by the configured time', async () => {
    h.emulator.admin.setFaults({ rules: [{ endpoint: 'status', action: { kind: 'delay', ms: 300 }, count: 1 }] });
    const handle = ((await call(h, 'POST', '/api/v2/statements', { body: select })).json() as { statementHandle: string }).statementHandle;
    const started = performance.now();
    const reply = await call(h, 'GET', `/api/v2/statements/${handle}`);
    assert.equal(reply.status, 200);
    assert.ok(performance.now() - started >= 290);
  });

  test('a dropped connection gives the client no answer at all', async () => {
    h.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', action: { kind: 'drop' }, count: 1 }] });
    await assert.rejects(
      request(`${h.base}/api/v2/statements`, {
        method: 'POST',
        headers: { Authorization: `Bearer ${h.jwt}`, 'Content-Type': 'application/json' },
        body: JSON.stringify(select),
      }),
      /other side closed|socket|ECONNRESET/i,
    );
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select })).status, 200, 'the next request is served');
  });

  test('a truncated later partition stops mid-body', async () => {
    const submitted = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT seq4() AS n, uuid_string() AS u FROM TABLE(GENERATOR(ROWCOUNT => 2000))') });
    const handle = (submitted.json() as { statementHandle: string }).statementHandle;
    h.emulator.admin.setFaults({ rules: [{ endpoint: 'status', action: { kind: 'truncate' }, minPartition: 1, count: 1 }] });
    const first = await rawGet(h, `/api/v2/statements/${handle}?partition=0`);
    assert.equal(first.error, undefined, 'partition 0 is not hit (minPartition 1)');
    const cut = await rawGet(h, `/api/v2/statements/${handle}?partition=2`);
    assert.equal(cut.status, 200);
    assert.ok(cut.error !== undefined || cut.bytes < (cut.declared ?? 0), 'the client notices the short body');
    assert.ok(cut.bytes < (cut.declared ?? 0));
    const whole = await rawGet(h, `/api/v2/statements/${handle}?partition=2`);
    assert.equal(whole.bytes, whole.declared);
  });

  test('expired-token answers 401 for the request token type, only for statements matching a pattern', async () => {
    h.emulator.admin.setFaults({ rules: [{ endpoint: 'submit', action: { kind: 'expired-token' }, statementPattern: 'account_usage' }] });
    const hit = await call(h, 'POST', '/api/v2/statements', { body: submitBody('SELECT * FROM snowflake.account_usage.users') });
    assert.equal(hit.status, 401);
    assert.deepEqual(hit.json(), { code: '390144', message: 'JWT token is invalid. null' });
    assert.equal((await call(h, 'POST', '/api/v2/statements', { body: select })).status, 200);
  });

  test('probability faults follow the seed: same seed, same sequence', async () => {
    const run = async (): Promise<number[]> => {
      h.emulator.admin.setFaults({ seed: 42, rules: [{ endpoint: 'submit', action: { kind: 'status', status: 503 }, probability: 0.5 }] });
      const statuses: number[] = [];
      for (let i = 0; i < 12; i += 1) statuses.push((await call(h, 'POST', '/api/v2/statements', { body: select })).status);
      return statuses;
    };
    const first = await run();
    const second = await run();
    assert.deepEqual(first, second);
    assert.ok(first.includes(503) && first.includes(200));
  });

  test('rules given to startEmulator() apply from the first request', async () => {
    const other = await startHarness({ faults: { rules: [{ endpoint: 'status', action: { kind: 'status', status: 503, retryAfterSeconds: 7 }, fromRequest: 1, toRequest: 1 }] } });
    try {
      const handle = ((await call(other, 'POST', '/api/v2/statements', { body: select })).json() as { statementHandle: string }).statementHandle;
      const first = await call(other, 'GET', `/api/v2/statements/${handle}`);
      assert.equal(first.status, 503);
      assert.equal(first.headers['retry-after'], '7');
      assert.equal((await call(other, 'GET', `/api/v2/statements/${handle}`)).status, 200);
    } finally {
      await other.emulator.close();
    }
  });

  test('rules are replaced at run time through POST /_emulator/faults; bad rules are refused', async () => {
    const set = await request(`${h.base}/_emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rules: [{ endpoint: 'cancel', action: { kind: 'status', status: 500 } }] }),
    });
    assert.equal(set.statusCode, 200);
    await set.body.dump();
    const handle = ((await call(h, 'POST', '/api/v2/statements', { body: select })).json() as { statementHandle: string }).statementHandle;
    assert.equal((await call(h, 'POST', `/api/v2/statements/${handle}/cancel`)).status, 500);
    const bad = await request(`${h.base}/_emulator/faults`, {
      method: 'POST',
      headers: { 'Content-Type': 'application/json' },
      body: JSON.stringify({ rules: [{ endpoint: 'submit', action: { kind: 'status', status: 418 } }] }),
    });
    assert.equal(bad.statusCode, 400);
    assert.match(await bad.body.text(), /rules\.0\.action/);
    const clear = await request(`${h.base}/_emulator/faults`, { method: 'POST', body: JSON.stringify({ rules: [] }) });
    await clear.body.dump();
    assert.equal((await call(h, 'POST', `/api/v2/statements/${handle}/cancel`)).status, 200);
    const report = await request(`${h.base}/_emulator/report`);
    const body = (await report.body.json()) as { statements: { submitted: number }; requests: Record<string, number> };
    assert.ok(body.statements.submitted > 5);
    assert.ok((body.requests.cancel ?? 0) >= 2);
  });
});
