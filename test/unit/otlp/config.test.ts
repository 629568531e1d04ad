// The `otlp` section of the configuration file: defaults, header secrets read from references (never inline, never
// echoed), cross-field bounds, strictness, and the SNOWFLAKE_RISK_EXPORTER_* overrides reaching it.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { allRenderings, loadYaml, loadYamlFails, PAT_ACCOUNT, PAT_ENV, problemAt } from '../config/helpers.ts';

const accounts = `accounts:${PAT_ACCOUNT}\n`;

describe('otlp configuration', () => {
  it('is disabled without a section, enabled with one, and fills in the defaults', () => {
    assert.equal(loadYaml(accounts, { env: PAT_ENV }).config.otlp?.enabled, false);
    const { config } = loadYaml(`otlp:\n  endpoint: http://otel-collector:4318\n${accounts}`, { env: PAT_ENV });
    assert.deepEqual(
      { ...config.otlp },
      {
        enabled: true,
        endpoint: 'http://otel-collector:4318',
        protocol: undefined,
        headers: {},
        timeoutSeconds: undefined,
        compression: undefined,
        queueSize: 2048,
        maxBatch: 512,
        shutdownFlushSeconds: 10,
        resourceAttributes: {},
      },
    );
  });

  it('reads every setting, header values from secret references', () => {
    const yaml = [
      'otlp:',
      '  enabled: true',
      '  endpoint: https://collector.example:4318/custom/v1/logs',
      '  protocol: http/json',
      '  headers:',
      '    Authorization: env:OTLP_AUTH',
      '    X-Scope-OrgID: file:tenant.txt',
      '  timeout: 30s',
      '  compression: gzip',
      '  queueSize: 4096',
      '  maxBatch: 256',
      '  shutdownFlush: 15s',
      '  resourceAttributes:',
      '    deployment.environment.name: prod',
      accounts,
    ].join('\n');
    const { config } = loadYaml(yaml, { env: { ...PAT_ENV, OTLP_AUTH: 'Bearer s3cr3t-token' }, files: { 'tenant.txt': 'tenant-7\n' } });
    const otlp = config.otlp;
    assert.ok(otlp !== undefined);
    assert.equal(otlp.protocol, 'http/json');
    assert.equal(otlp.timeoutSeconds, 30);
    assert.equal(otlp.compression, 'gzip');
    assert.equal(otlp.queueSize, 4096);
    assert.equal(otlp.maxBatch, 256);
    assert.equal(otlp.shutdownFlushSeconds, 15);
    assert.deepEqual(otlp.resourceAttributes, { 'deployment.environment.name': 'prod' });
    assert.equal(otlp.headers.Authorization?.reveal(), 'Bearer s3cr3t-token');
    assert.equal(otlp.headers['X-Scope-OrgID']?.reveal(), 'tenant-7');
    assert.ok(!allRenderings(config).includes('s3cr3t-token'), 'the resolved header never renders');
  });

  it('refuses inline header values without repeating them, and names unresolvable references', () => {
    const error = loadYamlFails(`otlp:\n  headers:\n    Authorization: Bearer inline-secret-value\n    X-Key: env:MISSING_KEY\n${accounts}`, { env: PAT_ENV });
    assert.match(problemAt(error, 'otlp.headers.Authorization').message, /cannot be written inline/);
    assert.match(problemAt(error, 'otlp.headers.X-Key').message, /MISSING_KEY is not set/);
    assert.ok(!allRenderings(error).includes('inline-secret-value'));
  });

  it('lists every bad setting with its path', () => {
    const yaml = [
      'otlp:',
      '  endpoint: http://user:pw@collector:4318',
      '  protocol: grpc',
      '  queueSize: 10',
      '  maxBatch: 20',
      '  timeout: 0s',
      '  compresion: gzip',
      accounts,
    ].join('\n');
    const error = loadYamlFails(yaml, { env: PAT_ENV });
    assert.match(problemAt(error, 'otlp.endpoint').message, /credentials/);
    assert.match(problemAt(error, 'otlp.protocol').message, /http\/protobuf/);
    assert.match(problemAt(error, 'otlp.maxBatch').message, /must not exceed otlp.queueSize \(10\)/);
    assert.match(problemAt(error, 'otlp.timeout').message, /between/);
    assert.match(problemAt(error, 'otlp.compresion').message, /did you mean "?compression/);
  });

  it('takes SNOWFLAKE_RISK_EXPORTER_OTLP__* overrides like any other setting', () => {
    const { config } = loadYaml(accounts, {
      env: { ...PAT_ENV, SNOWFLAKE_RISK_EXPORTER_OTLP__ENABLED: 'true', SNOWFLAKE_RISK_EXPORTER_OTLP__QUEUE_SIZE: '100', SNOWFLAKE_RISK_EXPORTER_OTLP__MAX_BATCH: '50' },
    });
    assert.equal(config.otlp?.enabled, true);
    assert.equal(config.otlp?.queueSize, 100);
    assert.equal(config.otlp?.maxBatch, 50);
  });
});
