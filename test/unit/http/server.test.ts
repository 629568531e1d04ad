import assert from 'node:assert/strict';
import { request as httpRequest, type IncomingMessage, type ServerResponse } from 'node:http';
import { test } from 'node:test';
import { HttpListenError, startHttpServer } from '../../../src/http/index.ts';

const ok = (_request: IncomingMessage, response: ServerResponse) => response.end('ok');

// With an hour-long close timeout, only closing idle connections at once lets this finish within the test timeout.
test('close() ends idle keep-alive connections at once and is idempotent', { timeout: 20_000 }, async () => {
  const server = await startHttpServer(ok, { host: '127.0.0.1', port: 0 }, { closeTimeoutMs: 3_600_000 });
  assert.match(server.url, /^http:\/\/127\.0\.0\.1:\d+$/);
  // fetch keeps its connection alive in undici's pool: close() must not wait for it to time out.
  const response = await fetch(`${server.url}/`);
  assert.equal(await response.text(), 'ok');
  await Promise.all([server.close(), server.close()]);
  await assert.rejects(fetch(`${server.url}/`));
});

test('a request still in flight is cut once the close timeout passes', async () => {
  let reached!: () => void;
  const inFlight = new Promise<void>((resolve) => (reached = resolve));
  // This handler never answers: only the bounded close can end its connection.
  const server = await startHttpServer(() => reached(), { host: '127.0.0.1', port: 0 }, { closeTimeoutMs: 50 });
  const answer = new Promise<string>((resolve) => {
    const request = httpRequest(`${server.url}/slow`, () => resolve('answered'));
    request.on('error', (error: NodeJS.ErrnoException) => resolve(error.code ?? 'error'));
    request.end();
  });
  await inFlight;
  await server.close();
  assert.equal(await answer, 'ECONNRESET');
});

test('listening on a busy port fails with a typed error naming the address', async (t) => {
  const first = await startHttpServer(ok, { host: '127.0.0.1', port: 0 });
  t.after(() => first.close());
  const port = Number(new URL(first.url).port);
  await assert.rejects(
    startHttpServer(ok, { host: '127.0.0.1', port }),
    (error: unknown) =>
      error instanceof HttpListenError && error.code === 'HTTP_LISTEN_FAILED' && error.message === `cannot listen on 127.0.0.1:${port} (EADDRINUSE)`,
  );
});
