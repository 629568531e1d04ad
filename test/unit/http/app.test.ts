import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { request as httpRequest } from 'node:http';
import { after, before, describe, test } from 'node:test';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { createHttpApp, HttpAppConfigError, StatusBoard, startHttpServer, type RunningHttpServer } from '../../../src/http/index.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../../src/version.ts';
import { parseExposition } from '../metrics/exposition.ts';

const HOSTILE = '<script>alert("x")</script>&\'';
const at = new Date('2026-11-26T06:00:00Z');

/** A raw request, for what fetch will not send (bodies on GET, odd methods). */
function raw(url: string, options: { method: string; path: string; headers?: Record<string, string>; body?: string }) {
  return new Promise<{ status: number; headers: Record<string, string | string[] | undefined>; body: string }>((resolve, reject) => {
    const request = httpRequest(new URL(options.path, url), { method: options.method, headers: options.headers }, (response) => {
      let body = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (body += chunk));
      response.on('end', () => resolve({ status: response.statusCode ?? 0, headers: response.headers, body }));
    });
    request.on('error', reject);
    request.end(options.body);
  });
}

describe('the HTTP app on a real server', () => {
  let server: RunningHttpServer;
  const metrics = createExporterMetrics({ accounts: ['prod', HOSTILE] });
  const board = new StatusBoard({ accounts: ['prod', HOSTILE] });

  before(async () => {
    board.accountUp('prod', true);
    board.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt: at, durationSeconds: 2, rows: 42, delivered: 40, lagSeconds: 2700 });
    board.sourceFailed(HOSTILE, '<img src=x onerror=alert(1)>', 'auth', at);
    board.cycleFinished('prod', 'partial', 12.5);
    board.publishPosture({ account: 'prod', takenAt: at, data: { kind: 'shares', complete: true, outbound: [] } });
    metrics.accountUp('prod', true);
    server = await startHttpServer(createHttpApp({ metrics, status: board }), { host: '127.0.0.1', port: 0 });
  });
  after(() => server.close());

  test('GET /metrics serves the registry in Prometheus text format 0.0.4', async () => {
    const response = await fetch(`${server.url}/metrics`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; version=0.0.4; charset=utf-8');
    const exposition = parseExposition(await response.text());
    assert.equal(exposition.samples.get('snowflake_risk_up{account="prod"}'), 1);
    assert.equal(exposition.samples.get(`snowflake_risk_exporter_build_info{version="${PRODUCT_VERSION}"}`), 1);
  });

  test('every answer carries the security headers and no x-powered-by', async () => {
    for (const path of ['/', '/metrics', '/healthz', '/readyz', '/api/status', '/missing']) {
      const response = await fetch(`${server.url}${path}`);
      await response.arrayBuffer();
      assert.equal(response.headers.get('x-powered-by'), null, path);
      assert.equal(response.headers.get('x-content-type-options'), 'nosniff', path);
      assert.equal(response.headers.get('referrer-policy'), 'no-referrer', path);
      const csp = response.headers.get('content-security-policy') ?? '';
      assert.match(csp, /^default-src 'none'; style-src 'sha256-[A-Za-z0-9+/]+=*';/, path);
      assert.doesNotMatch(csp, /script-src|unsafe/, path);
    }
  });

  test('GET /healthz is 200 "ok" and HEAD answers without a body', async () => {
    const response = await fetch(`${server.url}/healthz`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/plain; charset=utf-8');
    assert.equal(await response.text(), 'ok\n');
    const head = await raw(server.url, { method: 'HEAD', path: '/metrics' });
    assert.equal(head.status, 200);
    assert.equal(head.body, '');
  });

  test('GET /readyz is 503 with the reasons until configuration and state store are ready, then 200', async () => {
    const notReady = await fetch(`${server.url}/readyz`);
    assert.equal(notReady.status, 503);
    assert.equal(await notReady.text(), 'not ready: configuration not loaded; state store not open\n');
    board.setCondition('configuration', true);
    const halfReady = await fetch(`${server.url}/readyz`);
    assert.equal(halfReady.status, 503);
    assert.equal(await halfReady.text(), 'not ready: state store not open\n');
    board.setCondition('state_store', true);
    const ready = await fetch(`${server.url}/readyz`);
    assert.equal(ready.status, 200);
    assert.equal(await ready.text(), 'ready\n');
  });

  test('the landing page links the endpoints, shows each account and escapes every value', async () => {
    const response = await fetch(`${server.url}/`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'text/html; charset=utf-8');
    const page = await response.text();
    assert.match(page, new RegExp(`<title>${PRODUCT_NAME} ${PRODUCT_VERSION.replaceAll('.', '\\.')}</title>`));
    for (const link of ['/metrics', '/healthz', '/readyz', '/api/status']) assert.ok(page.includes(`<a href="${link}">`), link);
    assert.match(page, /Account <code>prod<\/code>: <span class="up">up<\/span>/);
    assert.match(page, /<code>query_history<\/code>/);
    assert.match(page, /<td>42<\/td>/);
    assert.match(page, /<td>partial<\/td>/);
    assert.match(page, /outbound shares: 0/);
    assert.ok(!page.includes('<script'), 'no script element');
    assert.ok(!page.includes('<img'), 'no injected element');
    assert.ok(page.includes('&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;&amp;&#39;'), 'hostile account name escaped');
    assert.ok(page.includes('&lt;img src=x onerror=alert(1)&gt;'), 'hostile source name escaped');
    // The page's only inline style is exactly the one the CSP hash allows (a browser would drop any other).
    const styles = [...page.matchAll(/<style>([\s\S]*?)<\/style>/g)].map((match) => match[1] ?? '');
    assert.equal(styles.length, 1);
    const hash = createHash('sha256').update(styles[0] ?? '').digest('base64');
    assert.ok((response.headers.get('content-security-policy') ?? '').includes(`style-src 'sha256-${hash}'`));
  });

  test('GET /api/status is the same facts as JSON', async () => {
    const response = await fetch(`${server.url}/api/status`);
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('content-type'), 'application/json; charset=utf-8');
    const body = (await response.json()) as { product: { name: string }; accounts: { name: string; sources: { source: string; lastErrorKind?: string }[] }[] };
    assert.equal(body.product.name, PRODUCT_NAME);
    assert.deepEqual(
      body.accounts.map((account) => account.name),
      ['prod', HOSTILE],
    );
    assert.equal(body.accounts[1]?.sources[0]?.lastErrorKind, 'auth');
  });

  test('unknown paths are 404, wrong methods on known paths 405 with Allow, bodies refused with 413', async () => {
    const missing = await fetch(`${server.url}/metrics/extra`);
    assert.equal(missing.status, 404);
    assert.equal(await missing.text(), 'Not Found\n');
    for (const method of ['POST', 'PUT', 'DELETE', 'PATCH']) {
      for (const path of ['/', '/metrics', '/healthz', '/readyz', '/api/status']) {
        const response = await raw(server.url, { method, path });
        assert.equal(response.status, 405, `${method} ${path}`);
        assert.equal(response.headers.allow, 'GET, HEAD');
      }
    }
    const big = await raw(server.url, { method: 'GET', path: '/metrics', headers: { 'content-length': '5000' }, body: 'x'.repeat(5000) });
    assert.equal(big.status, 413);
    const small = await raw(server.url, { method: 'GET', path: '/healthz', headers: { 'content-length': '2' }, body: 'hi' });
    assert.equal(small.status, 200);
  });

  test('50 concurrent scrapes all answer 200 with identical series sets', async () => {
    const answers = await Promise.all(
      Array.from({ length: 50 }, async () => {
        const response = await fetch(`${server.url}/metrics`);
        return { status: response.status, text: await response.text() };
      }),
    );
    const seriesOf = (text: string) =>
      [...parseExposition(text).samples.keys()].filter((key) => key.startsWith('snowflake_risk_')).sort().join('\n');
    const first = seriesOf(answers[0]?.text ?? '');
    assert.ok(first.length > 0);
    for (const answer of answers) {
      assert.equal(answer.status, 200);
      assert.equal(seriesOf(answer.text), first);
    }
  });
});

test('a failing registry answers 500 with the status text only, and the error goes to onError', async (t) => {
  const errors: unknown[] = [];
  const failing = {
    contentType: 'text/plain; version=0.0.4; charset=utf-8',
    metrics: () => Promise.reject(new Error('secret detail at /internal/path')),
  };
  const app = createHttpApp({ metrics: failing, status: new StatusBoard({ accounts: [] }), onError: (error) => errors.push(error) });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  const response = await fetch(`${server.url}/metrics`);
  assert.equal(response.status, 500);
  assert.equal(await response.text(), 'Internal Server Error\n');
  assert.equal(errors.length, 1);
  const malformed = await fetch(`${server.url}/%E0%A4%A`);
  assert.ok([400, 404].includes(malformed.status));
  assert.doesNotMatch(await malformed.text(), /at |Error:/);
});

test('a custom metrics path is served literally, extra routes mount before the 404, and a clashing path is refused', async (t) => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  const app = createHttpApp({
    metrics,
    status: new StatusBoard({ accounts: ['prod'] }),
    metricsPath: '/internal/prom.metrics',
    routes: [(express) => void express.get('/oauth/start', (_request, response) => void response.send('started'))],
  });
  const server = await startHttpServer(app, { host: '127.0.0.1', port: 0 });
  t.after(() => server.close());
  assert.equal((await fetch(`${server.url}/internal/prom.metrics`)).status, 200);
  assert.equal((await fetch(`${server.url}/metrics`)).status, 404);
  assert.equal(await (await fetch(`${server.url}/oauth/start`)).text(), 'started');
  const page = await (await fetch(`${server.url}/`)).text();
  assert.ok(page.includes('<a href="/internal/prom.metrics">'));
  assert.throws(
    () => createHttpApp({ metrics, status: new StatusBoard({ accounts: [] }), metricsPath: '/healthz' }),
    HttpAppConfigError,
  );
});

test('the HTTP layer has no way to reach Snowflake: nothing under src/http imports the Snowflake client or the engine', () => {
  const folder = new URL('../../../src/http/', import.meta.url);
  const files = readdirSync(folder).filter((name) => name.endsWith('.ts'));
  assert.ok(files.length >= 5);
  for (const name of files) {
    const source = readFileSync(new URL(name, folder), 'utf8');
    const imports = [...source.matchAll(/from '([^']+)'/g)].map((match) => match[1] ?? '');
    for (const specifier of imports) {
      assert.doesNotMatch(specifier, /snowflake\/|undici|collect\/(scheduler|source\.ts)|state\//, `${name} imports ${specifier}`);
    }
  }
});
