// Reliability, bad HTTP input: the real exporter's server (/metrics, /healthz, /readyz, the landing page, and the OAuth
// routes of an OAuth account) receives raw requests written on a socket: oversized headers, path tricks around
// /oauth/* (dot segments, encoded slashes and dots, NUL bytes, doubled slashes, case, overlong paths), malformed and
// hostile query strings (bad percent-encoding, repeated and nested parameters, huge values), bodies on GET, unknown
// methods. Each gets a clear 4xx answer (a status line, a short body, never a stack trace or a secret), the server
// never answers 5xx or crashes, and it keeps serving /metrics and /healthz afterwards.
import assert from 'node:assert/strict';
import { connect } from 'node:net';
import { it } from 'node:test';
import { startExporter } from '../../src/runtime/exporter.ts';
import { CLIENT_SECRET, callbackUrl, OAUTH_PASSWORD, oauthFixtureFor } from '../integration/oauth/helpers.ts';
import { secretsOf } from '../helpers/reliability-rig.ts';

interface RawAnswer {
  readonly status: number;
  readonly head: string;
  readonly body: string;
}

/** Writes `request` on a fresh connection and reads until the server closes it (or 10 s pass). */
function raw(port: number, request: string | Buffer): Promise<RawAnswer> {
  return new Promise((resolve, reject) => {
    const socket = connect(port, '127.0.0.1');
    const chunks: Buffer[] = [];
    socket.setTimeout(10_000, () => socket.destroy(new Error('no answer within 10 s')));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('error', (error: NodeJS.ErrnoException) => {
      // The server may close while we still write a huge request; what it answered before counts.
      if (error.code === 'EPIPE' || error.code === 'ECONNRESET') socket.end();
      else reject(error);
    });
    socket.on('close', () => {
      const text = Buffer.concat(chunks).toString('latin1');
      const [head = '', ...rest] = text.split('\r\n\r\n');
      resolve({ status: Number(/^HTTP\/1\.1 (\d{3})/.exec(head)?.[1] ?? 0), head, body: rest.join('\r\n\r\n') });
    });
    socket.write(request);
    socket.end();
  });
}

const get = (path: string, headers: readonly string[] = []): string => [`GET ${path} HTTP/1.1`, 'Host: 127.0.0.1', 'Connection: close', ...headers, '', ''].join('\r\n');

it('hostile requests get clear 4xx answers, never a 5xx, a stack trace or a secret; the server keeps serving', async (t) => {
  const fixture = await oauthFixtureFor(t);
  const logs: string[] = [];
  const exporter = await startExporter(fixture.config(), { schedule: false, log: (level, message) => logs.push(`${level} ${message}`) });
  t.after(() => exporter.close());
  fixture.registerClient(callbackUrl(exporter));
  const port = Number(exporter.url.port);

  const cases: Record<string, string | Buffer> = {
    'header of 64 KiB': get('/metrics', [`X-Big: ${'a'.repeat(64 * 1024)}`]),
    '2,000 headers': get('/metrics', Array.from({ length: 2000 }, (_, i) => `X-H${i}: v`)),
    'cookie of 32 KiB on /oauth/callback': get('/oauth/callback?state=x&code=y', [`Cookie: sre_oauth_finance=${'c'.repeat(32 * 1024)}`]),
    'path of 20,000 characters': get(`/oauth/${'a'.repeat(20_000)}`),
    'dot segments out of /oauth': get('/oauth/../../../etc/passwd'),
    'encoded dot segments': get('/oauth/%2e%2e/%2e%2e/metrics'),
    'encoded slash': get('/oauth%2fstart?account=finance'),
    'doubled slashes': get('//oauth//start?account=finance'),
    'NUL in the path': get('/oauth/start%00.html?account=finance'),
    'backslashes': get('/oauth\\..\\..\\metrics'),
    'upper case route': get('/OAUTH/START?account=finance'),
    'matrix parameters': get('/oauth/start;jsessionid=1?account=finance'),
    'bad percent-encoding': get('/oauth/start?account=%zz%'),
    'lone surrogate': get('/oauth/start?account=%ED%A0%80'),
    'repeated parameter': get('/oauth/start?account=finance&account=emulated'),
    'nested parameter': get('/oauth/start?account[name]=finance&account[]=x'),
    'prototype pollution attempt': get('/oauth/start?__proto__[admin]=1&constructor[prototype][x]=1&account=finance'),
    'account path traversal': get('/oauth/start?account=../../etc/passwd'),
    'account of 100 KiB': get(`/oauth/start?account=${'f'.repeat(100 * 1024)}`),
    'callback without a state': get('/oauth/callback?code=abc'),
    'callback with a forged state': get('/oauth/callback?state=forged&code=abc'),
    'callback with a huge code': get(`/oauth/callback?state=forged&code=${'c'.repeat(60_000)}`),
    'callback with 5,000 parameters': get(`/oauth/callback?${Array.from({ length: 5000 }, (_, i) => `p${i}=${i}`).join('&')}`),
    'callback error with markup': get('/oauth/callback?state=forged&error=%3Cscript%3Ealert(1)%3C%2Fscript%3E&error_description=%00%0d%0aSet-Cookie:%20x=1'),
    'POST to /oauth/start': ['POST /oauth/start?account=finance HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', 'Content-Type: application/x-www-form-urlencoded', 'Content-Length: 9', '', 'account=x'].join('\r\n'),
    'GET with a 1 MiB body': ['GET /metrics HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', `Content-Length: ${1024 * 1024}`, '', 'x'.repeat(1024 * 1024)].join('\r\n'),
    'chunked body on GET': ['GET /healthz HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', 'Transfer-Encoding: chunked', '', '5', 'hello', '0', '', ''].join('\r\n'),
    'unknown method': ['BREW /metrics HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', '', ''].join('\r\n'),
    'TRACE': ['TRACE /oauth/start HTTP/1.1', 'Host: 127.0.0.1', 'Connection: close', '', ''].join('\r\n'),
    'request line garbage': Buffer.from('\u0000\u0001\u0002 / HTTP/9.9\r\n\r\n', 'latin1'),
    'absolute-form request to another host': get('http://evil.example/oauth/start?account=finance'),
    'header injection in Host': get('/oauth/start?account=finance', ['Host: evil.example\r\nX-Injected: 1']),
  };

  const secrets = [CLIENT_SECRET, encodeURIComponent(CLIENT_SECRET), OAUTH_PASSWORD, fixture.tokenKey, ...secretsOf(fixture.keyPairAccount)];
  const statuses: string[] = [];
  for (const [name, request] of Object.entries(cases)) {
    const answer = await raw(port, request);
    statuses.push(`${name}: ${answer.status}`);
    assert.ok(answer.status >= 200 && answer.status < 500, `${name}: answered ${answer.status} (${answer.head.split('\r\n')[0] ?? 'nothing'})`);
    assert.doesNotMatch(answer.body, /at [\w.<>]+ \(|node:internal|\/work\/|file:\/\//, `${name}: a stack trace or a path leaked`);
    assert.ok(answer.body.length < 64 * 1024, `${name}: a short answer`);
    for (const secret of secrets) assert.ok(!answer.head.includes(secret) && !answer.body.includes(secret), `${name}: a secret leaked`);
    assert.doesNotMatch(answer.head, /^X-Injected/im, `${name}: a header was injected`);
    const location = /^Location: (.*)$/im.exec(answer.head)?.[1];
    if (answer.status === 302) {
      // A redirect only ever goes to the configured Snowflake account's own authorization endpoint.
      assert.equal(new URL(location ?? '').origin, fixture.emulator.emulator.url.origin, `${name}: redirected elsewhere`);
    }
    // The server is still there and still serving what matters.
    const health = await fetch(new URL('/healthz', exporter.url));
    assert.equal(health.status, 200, `${name}: /healthz after it`);
  }
  assert.equal((Object.prototype as Record<string, unknown>).admin, undefined, 'no prototype was polluted');
  const metrics = await fetch(new URL('/metrics', exporter.url));
  assert.equal(metrics.status, 200);
  assert.match(await metrics.text(), /snowflake_risk_exporter_build_info/);
  assert.deepEqual(logs.filter((line) => line.includes('HTTP handler failed') || line.includes('failed unexpectedly')), [], 'no handler failed');
  for (const secret of secrets) assert.ok(!logs.join('\n').includes(secret), 'a secret in the log');
  t.diagnostic(statuses.join('; '));
});
