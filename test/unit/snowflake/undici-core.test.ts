// src/snowflake/undici-core.ts loads undici's Pool, request API and global dispatcher from undici's internal modules,
// to keep the rest of undici (and Node's own bundled copy, which its index pulls in) out of memory. These tests pin
// that layout: after an upgrade that moves or changes those modules they fail here, not in the exporter.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';
import * as undici from 'undici';
import { getGlobalDispatcher, Pool } from '../../../src/snowflake/undici-core.ts';

test('undici-core exports the same Pool class and global dispatcher as undici itself', () => {
  assert.equal(Pool, undici.Pool);
  assert.equal(getGlobalDispatcher(), undici.getGlobalDispatcher());
});

// In a process of its own: this test file imports undici's index, which would hide a missing request API.
test('undici-core alone gives pools and the global dispatcher a working request API, without undici index or Node copy', () => {
  const script = `
    import { once } from 'node:events';
    const { createServer } = process.getBuiltinModule('node:http'); // an ES import would load Node's undici itself
    import { createRequire } from 'node:module';
    const { getGlobalDispatcher, Pool } = await import(${JSON.stringify(join(import.meta.dirname, '../../../src/snowflake/undici-core.ts'))});
    const server = createServer((request, response) => response.end(request.method + ' ' + request.url));
    server.listen(0, '127.0.0.1');
    await once(server, 'listening');
    const origin = 'http://127.0.0.1:' + server.address().port;
    const pool = new Pool(origin, { connections: 1 });
    const viaPool = await pool.request({ path: '/statements?x=1', method: 'POST', body: 'b' });
    const viaGlobal = await getGlobalDispatcher().request({ origin, path: '/g', method: 'GET' });
    const out = {
      status: viaPool.statusCode,
      pool: await viaPool.body.text(),
      global: await viaGlobal.body.text(),
      undiciIndexLoaded: Object.keys(createRequire(import.meta.url).cache).some((path) => path.endsWith('/node_modules/undici/index.js')),
      nodeUndiciLoaded: process.moduleLoadList.some((name) => name.includes('internal/deps/undici')),
    };
    await pool.close();
    await getGlobalDispatcher().close();
    server.close();
    process.stdout.write(JSON.stringify(out));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual(JSON.parse(output), {
    status: 200,
    pool: 'POST /statements?x=1',
    global: 'GET /g',
    undiciIndexLoaded: false,
    nodeUndiciLoaded: false,
  });
});
