// The exporter's fixed HTTP paths are listed once (src/http-paths.ts) for the configuration check that keeps
// server.metricsPath off them. The HTTP app keeps its own route table: these tests hold the two together, so that a
// route added there without being reserved here shows up as a failing test rather than as a metrics path that
// passes --check-config and then stops the start (or silently shadows the route).
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { createExporterMetrics } from '../../src/export/metrics/index.ts';
import { createHttpApp, HttpAppConfigError, StatusBoard, startHttpServer } from '../../src/http/index.ts';
import { OAUTH_CALLBACK_PATH, OAUTH_START_PATH, RESERVED_HTTP_PATHS } from '../../src/http-paths.ts';
import { CALLBACK_PATH, START_PATH } from '../../src/oauth/index.ts';

const appOptions = (metricsPath: string) => ({
  metrics: createExporterMetrics({ accounts: ['prod'] }),
  status: new StatusBoard({ accounts: ['prod'] }),
  metricsPath,
});

describe('reserved HTTP paths', () => {
  test('the OAuth routes are the reserved ones', () => {
    assert.equal(START_PATH, OAUTH_START_PATH);
    assert.equal(CALLBACK_PATH, OAUTH_CALLBACK_PATH);
  });

  test('every path the HTTP app serves on its own is reserved, and the app refuses each as the metrics path', async () => {
    const own = RESERVED_HTTP_PATHS.filter((path) => path !== OAUTH_START_PATH && path !== OAUTH_CALLBACK_PATH);
    for (const path of own) assert.throws(() => createHttpApp(appOptions(path)), HttpAppConfigError, path);
    const server = await startHttpServer(createHttpApp(appOptions('/metrics')), { host: '127.0.0.1', port: 0 });
    try {
      for (const path of own) assert.notEqual((await fetch(new URL(path, server.url))).status, 404, `${path} is served`);
      assert.equal((await fetch(new URL('/not-a-route', server.url))).status, 404);
    } finally {
      await server.close();
    }
  });
});
