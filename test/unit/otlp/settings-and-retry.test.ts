// Where records go and how retries are paced: endpoint and protocol from the file, then the OTEL_* variables, then
// the defaults; Retry-After in both of its forms; the backoff's growth, cap and floor.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MAX_RETRY_AFTER_MS, OtlpSettingsError, resolveEndpoint, retryAfterMs, retryDelayMs } from '../../../src/export/otlp/index.ts';

const none = { endpoint: undefined, protocol: undefined };

describe('OTLP endpoint and protocol', () => {
  it('the file wins, then the logs variable (as written), then the generic one (+ /v1/logs), then the default', () => {
    const env = { OTEL_EXPORTER_OTLP_LOGS_ENDPOINT: 'http://logs:4318/custom', OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318/' };
    assert.equal(resolveEndpoint({ endpoint: 'http://file:4318', protocol: undefined }, env).url.href, 'http://file:4318/v1/logs');
    assert.equal(resolveEndpoint({ endpoint: 'http://file:4318/base/v1/logs', protocol: undefined }, env).url.href, 'http://file:4318/base/v1/logs');
    assert.equal(resolveEndpoint(none, env).url.href, 'http://logs:4318/custom');
    assert.equal(resolveEndpoint(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://generic:4318/' }).url.href, 'http://generic:4318/v1/logs');
    const fallback = resolveEndpoint(none, {});
    assert.equal(fallback.url.href, 'http://localhost:4318/v1/logs');
    assert.equal(fallback.urlSource, 'default');
  });

  it('protocol: file, then OTEL_EXPORTER_OTLP_LOGS_PROTOCOL, then OTEL_EXPORTER_OTLP_PROTOCOL, then http/protobuf; grpc refused', () => {
    assert.equal(resolveEndpoint({ endpoint: undefined, protocol: 'http/json' }, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).protocol, 'http/json');
    assert.equal(resolveEndpoint(none, { OTEL_EXPORTER_OTLP_LOGS_PROTOCOL: 'http/json', OTEL_EXPORTER_OTLP_PROTOCOL: 'http/protobuf' }).protocol, 'http/json');
    assert.equal(resolveEndpoint(none, { OTEL_EXPORTER_OTLP_PROTOCOL: 'http/json' }).protocol, 'http/json');
    assert.equal(resolveEndpoint(none, {}).protocol, 'http/protobuf');
    assert.throws(() => resolveEndpoint(none, { OTEL_EXPORTER_OTLP_PROTOCOL: 'grpc' }), OtlpSettingsError);
  });

  it('refuses URLs that are not http(s) or carry credentials, without echoing them', () => {
    assert.throws(() => resolveEndpoint(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'ftp://x' }), /http or https/);
    assert.throws(
      () => resolveEndpoint(none, { OTEL_EXPORTER_OTLP_ENDPOINT: 'http://user:hunter2@x:4318' }),
      (error: Error) => error instanceof OtlpSettingsError && !error.message.includes('hunter2'),
    );
  });
});

describe('retry pacing', () => {
  it('reads Retry-After as seconds or an HTTP date, bounded', () => {
    const now = Date.parse('2026-01-01T00:00:00Z');
    assert.equal(retryAfterMs('7', now), 7000);
    assert.equal(retryAfterMs('Thu, 01 Jan 2026 00:00:30 GMT', now), 30_000);
    assert.equal(retryAfterMs('Wed, 31 Dec 2025 23:00:00 GMT', now), 0);
    assert.equal(retryAfterMs('86400', now), MAX_RETRY_AFTER_MS);
    assert.equal(retryAfterMs(undefined, now), undefined);
    assert.equal(retryAfterMs('soon', now), undefined);
  });

  it('backs off exponentially with jitter up to the cap, never sooner than the collector asked', () => {
    const policy = { initialMs: 1000, maxMs: 30_000 };
    const middle = (): number => 0.5; // no jitter
    assert.deepEqual([1, 2, 3, 4, 5, 6, 7].map((failures) => retryDelayMs(policy, failures, undefined, middle)), [1000, 2000, 4000, 8000, 16_000, 30_000, 30_000]);
    assert.equal(retryDelayMs(policy, 1, 45_000, middle), 45_000);
    assert.equal(retryDelayMs(policy, 1, undefined, () => 0), 800);
    assert.equal(retryDelayMs(policy, 1, undefined, () => 0.999_999), 1200);
  });
});
