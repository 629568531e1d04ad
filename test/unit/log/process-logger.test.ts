// The process log: JSON lines with level names, filtered by level, and a last line of defence that masks anything
// shaped like a credential before it is written.
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { test } from 'node:test';
import { createProcessLogger, scrubSecrets } from '../../../src/log/process-logger.ts';

function capture(): { stream: Writable; lines: () => Record<string, unknown>[] } {
  let text = '';
  const stream = new Writable({
    write(chunk: Buffer, _encoding, callback) {
      text += chunk.toString('utf8');
      callback();
    },
  });
  return { stream, lines: () => text.trim().split('\n').filter(Boolean).map((line) => JSON.parse(line) as Record<string, unknown>) };
}

test('writes one JSON object per line with time, level name, service, version and fields; honours the level', () => {
  const out = capture();
  const logger = createProcessLogger({ level: 'info', destination: out.stream });
  logger.log('debug', 'not shown at info');
  logger.log('info', 'cycle finished', { account: 'prod', statements: 12 });
  logger.log('error', 'source failed');
  logger.setLevel('debug');
  logger.log('debug', 'now shown');
  const lines = out.lines();
  assert.deepEqual(lines.map((line) => [line.level, line.msg]), [['info', 'cycle finished'], ['error', 'source failed'], ['debug', 'now shown']]);
  assert.equal(lines[0]?.service, 'snowflake-risk-exporter');
  assert.equal(lines[0]?.account, 'prod');
  assert.equal(lines[0]?.statements, 12);
  assert.ok(!Number.isNaN(Date.parse(String(lines[0]?.time))));
});

test('credentials that slip into a message or a field are masked', () => {
  const jwt = 'eyJhbGciOiJSUzI1NiJ9.eyJpc3MiOiJhY2NvdW50In0.c2lnbmF0dXJlLWJ5dGVz';
  const cases: readonly [string, string][] = [
    [`token endpoint said: {"access_token":"ver:1-hint:abc-ETMsDgAAAY","expires_in":600}`, 'ver:1-hint:abc-ETMsDgAAAY'],
    [`refresh_token=Sup3rS3cretRefresh&grant_type=refresh_token`, 'Sup3rS3cretRefresh'],
    [`Authorization: Bearer ${jwt}`, jwt],
    [`jwt ${jwt} rejected`, jwt],
    ['client_secret: "shh-its-a-secret"', 'shh-its-a-secret'],
    ['-----BEGIN PRIVATE KEY-----\nMIIEvQIBADANBgkqhkiG9w0BAQEFAASC\n-----END PRIVATE KEY-----', 'MIIEvQIBADANBgkqhkiG9w0BAQEFAASC'],
    ['Authorization: Snowflake Token="pat-secret-value-123"', 'pat-secret-value-123'],
  ];
  for (const [text, secret] of cases) {
    const scrubbed = scrubSecrets(text);
    assert.ok(!scrubbed.includes(secret), `${text} -> ${scrubbed}`);
    assert.match(scrubbed, /REDACTED/);
  }
  // Ordinary messages pass unchanged.
  const plain = 'account prod: source query_history failed: 422 002003 (view not authorized); retry in 300 s';
  assert.equal(scrubSecrets(plain), plain);

  const out = capture();
  createProcessLogger({ level: 'info', destination: out.stream }).log('warn', `refresh failed: ${cases[0]![0]}`, { body: cases[1]![0] });
  const written = JSON.stringify(out.lines());
  assert.ok(!written.includes('ETMsDgAAAY') && !written.includes('Sup3rS3cretRefresh'), written);
});
