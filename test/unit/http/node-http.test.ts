// Loading the exporter's HTTP app, its server and the SQL API client must not load Node's bundled copy of undici
// (src/http/node-http.ts and src/snowflake/undici-core.ts say why: it costs megabytes at rest for nothing). Checked in a
// process of its own, since the test runner itself may have loaded it.
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { test } from 'node:test';

test("the HTTP app, server and SQL API client leave Node's bundled undici unloaded", () => {
  const source = join(import.meta.dirname, '../../../src');
  const script = `
    await import(${JSON.stringify(join(source, 'http/app.ts'))});
    const { startHttpServer } = await import(${JSON.stringify(join(source, 'http/server.ts'))});
    await import(${JSON.stringify(join(source, 'snowflake/sqlapi/client.ts'))});
    process.stdout.write(JSON.stringify({
      serverLoaded: typeof startHttpServer,
      nodeUndiciLoaded: process.moduleLoadList.filter((name) => name.includes('internal/deps/undici')),
    }));`;
  const output = execFileSync(process.execPath, ['--input-type=module', '-e', script], { encoding: 'utf8', timeout: 30_000 });
  assert.deepEqual(JSON.parse(output), { serverLoaded: 'function', nodeUndiciLoaded: [] });
});
