import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { envVarFor } from '../../../src/config/index.ts';
import { applyEnvOverrides, toEnvSpelling } from '../../../src/config/env-overrides.ts';
import { createConfigSchema } from '../../../src/config/schema.ts';
import { allRenderings, loadYaml, loadYamlFails, PAT_ACCOUNT, PAT_ENV, problemAt } from './helpers.ts';

const BASE = `log: { level: info }\naccounts:${PAT_ACCOUNT}\n`;
const P = 'SNOWFLAKE_RISK_EXPORTER_';

describe('environment overrides: applied', () => {
  test('nested values, by UPPER_SNAKE or plain upper-case spelling', () => {
    const { config } = loadYaml(BASE, {
      env: { ...PAT_ENV, [`${P}SERVER__LISTEN`]: '127.0.0.1:9100', [`${P}SERVER__METRICSPATH`]: '/m', [`${P}LOG__LEVEL`]: 'debug' },
    });
    assert.deepEqual(config.server, { listen: { host: '127.0.0.1', port: 9100 }, metricsPath: '/m' });
    assert.equal(config.log.level, 'debug');
    const snake = loadYaml(BASE, { env: { ...PAT_ENV, [`${P}SERVER__METRICS_PATH`]: '/snake' } });
    assert.equal(snake.config.server.metricsPath, '/snake');
  });

  test('list entries by index, with YAML-typed values', () => {
    const { config } = loadYaml(BASE, {
      env: {
        ...PAT_ENV,
        [`${P}ACCOUNTS__0__ROLE`]: 'OTHER_ROLE',
        [`${P}ACCOUNTS__0__CONCURRENCY`]: '8',
        [`${P}ACCOUNTS__0__INTERVALS__QUERY_HISTORY`]: '2h',
        [`${P}DEFAULTS__DETECTIONS__DISABLED`]: '[auth.brute_force, auth.password_spray]',
        [`${P}ACCOUNTS__0__AUTH__TOKEN`]: 'env:OTHER_PAT',
        OTHER_PAT: 'other-pat-value',
      },
    });
    const account = config.accounts[0];
    assert.ok(account);
    assert.equal(account.role, 'OTHER_ROLE');
    assert.equal(account.concurrency, 8);
    assert.equal(account.intervalSeconds.query_history, 7200);
    assert.ok(!account.detections.includes('auth.brute_force') && !account.detections.includes('auth.password_spray'));
    assert.ok(account.auth.method === 'pat' && account.auth.token.reveal() === 'other-pat-value');
  });

  test('a whole account list from one variable (flow YAML), with no accounts in the file', () => {
    const { config } = loadYaml('log: { level: warn }\n', {
      env: {
        [`${P}ACCOUNTS`]: '[{name: a, account: xy12345, role: R, warehouse: W, auth: {method: pat, token: "env:T"}}]',
        T: 'token-value',
      },
    });
    assert.deepEqual(config.accounts.map((account) => account.identifier.host), ['xy12345.snowflakecomputing.com']);
  });

  test('SNOWFLAKE_RISK_EXPORTER_CONFIG is the file path, not an override', () => {
    const { config } = loadYaml(BASE, { env: { ...PAT_ENV, [`${P}CONFIG`]: '/somewhere/else.yaml' } });
    assert.equal(config.accounts.length, 1);
  });

  test('the input document is not modified', () => {
    const document = { log: { level: 'info' } };
    const result = applyEnvOverrides(document, { [`${P}LOG__LEVEL`]: 'debug' }, createConfigSchema({ customDetectionIds: new Set() }));
    assert.deepEqual(document, { log: { level: 'info' } });
    assert.deepEqual(result.document, { log: { level: 'debug' } });
    assert.deepEqual(result.applied, [{ envVar: `${P}LOG__LEVEL`, path: ['log', 'level'] }]);
  });

  test('spelling helpers', () => {
    assert.equal(toEnvSpelling('metricsPath'), 'METRICS_PATH');
    assert.equal(toEnvSpelling('query_history'), 'QUERY_HISTORY');
    assert.equal(envVarFor(['accounts', 0, 'auth', 'privateKey']), `${P}ACCOUNTS__0__AUTH__PRIVATE_KEY`);
  });
});

describe('environment overrides: errors', () => {
  test('an unknown path is an error naming the variable, with a suggestion', () => {
    const error = loadYamlFails(BASE, { env: { ...PAT_ENV, [`${P}SERVER__LISTN`]: '0.0.0.0:1', [`${P}PAT`]: 'x' } });
    const listen = error.problems.find((problem) => problem.envVar === `${P}SERVER__LISTN`);
    assert.ok(listen);
    assert.equal(listen.path, 'server');
    assert.match(listen.message, /no setting LISTN under server \(did you mean SNOWFLAKE_RISK_EXPORTER_SERVER__LISTEN\?\)/);
    const pat = error.problems.find((problem) => problem.envVar === `${P}PAT`);
    assert.ok(pat);
    assert.match(pat.message, /no setting PAT at the top level.*name secrets referenced with env: differently/);
    assert.match(error.message, /server \(from SNOWFLAKE_RISK_EXPORTER_SERVER__LISTN\): no setting LISTN/);
  });

  test('a path below a leaf, an empty segment, an index into a mapping', () => {
    const error = loadYamlFails(BASE, {
      env: { ...PAT_ENV, [`${P}LOG__LEVEL__X`]: '1', [`${P}SERVER____LISTEN`]: '1', [`${P}SERVER__0`]: '1' },
    });
    assert.match(error.problems.find((p) => p.envVar === `${P}LOG__LEVEL__X`)?.message ?? '', /no setting X under log.level/);
    assert.match(error.problems.find((p) => p.envVar === `${P}SERVER____LISTEN`)?.message ?? '', /empty path segment/);
    assert.match(error.problems.find((p) => p.envVar === `${P}SERVER__0`)?.message ?? '', /0 is not a list index under server/);
  });

  test('an index beyond the list in the file', () => {
    const error = loadYamlFails(BASE, { env: { ...PAT_ENV, [`${P}ACCOUNTS__3__ROLE`]: 'R' } });
    const problem = error.problems.find((p) => p.envVar === `${P}ACCOUNTS__3__ROLE`);
    assert.equal(problem?.path, 'accounts[3].role');
    assert.match(problem?.message ?? '', /accounts\[3\] does not exist in the file.*SNOWFLAKE_RISK_EXPORTER_ACCOUNTS to a YAML list/);
  });

  test('an override that makes the value invalid is reported against the variable', () => {
    const error = loadYamlFails(BASE, {
      env: { ...PAT_ENV, [`${P}ACCOUNTS__0__CONCURRENCY`]: '0', [`${P}LOG__LEVEL`]: 'loud', [`${P}ACCOUNTS__0__ACCOUNT`]: 'evil.com:443' },
    });
    const concurrency = problemAt(error, 'accounts[0].concurrency');
    assert.equal(concurrency.envVar, `${P}ACCOUNTS__0__CONCURRENCY`);
    assert.equal(concurrency.line, undefined);
    assert.equal(problemAt(error, 'log.level').envVar, `${P}LOG__LEVEL`);
    assert.equal(problemAt(error, 'accounts[0].account').envVar, `${P}ACCOUNTS__0__ACCOUNT`);
    assert.match(error.message, /accounts\[0\]\.concurrency \(from SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__0__CONCURRENCY\): /);
  });

  test('an override that replaces a mapping is the origin of problems below it', () => {
    const error = loadYamlFails(BASE, { env: { ...PAT_ENV, [`${P}ACCOUNTS__0__AUTH`]: '{method: pat}' } });
    const problem = problemAt(error, 'accounts[0].auth.token');
    assert.equal(problem.message, 'is required');
    assert.equal(problem.envVar, `${P}ACCOUNTS__0__AUTH`);
  });

  test('an inline secret or invalid YAML in an override is never echoed', () => {
    const error = loadYamlFails(BASE, {
      env: { ...PAT_ENV, [`${P}ACCOUNTS__0__AUTH__TOKEN`]: 'sk-OVERRIDE-LEAK-123456', [`${P}ACCOUNTS__0__WAREHOUSE`]: '[sk-BROKEN-LEAK' },
    });
    assert.match(problemAt(error, 'accounts[0].auth.token').message, /secrets cannot be written inline/);
    const broken = error.problems.find((p) => p.envVar === `${P}ACCOUNTS__0__WAREHOUSE`);
    assert.match(broken?.message ?? '', /not valid YAML/);
    const rendered = allRenderings(error);
    assert.ok(!rendered.includes('OVERRIDE-LEAK') && !rendered.includes('BROKEN-LEAK'));
  });

  test('an override into a value that is not a mapping', () => {
    const error = loadYamlFails(`log: debug\naccounts:${PAT_ACCOUNT}\n`, { env: { ...PAT_ENV, [`${P}LOG__LEVEL`]: 'info' } });
    const problem = error.problems.find((p) => p.envVar === `${P}LOG__LEVEL`);
    assert.match(problem?.message ?? '', /log is not a mapping in the file/);
  });
});

describe('environment overrides: Kubernetes service-link variables', () => {
  // What kubelet gives every container for a Service named snowflake-risk-exporter with port 9975/TCP named
  // http-metrics (https://kubernetes.io/docs/concepts/services-networking/service/#environment-variables).
  const KUBELET = {
    [`${P}SERVICE_HOST`]: '10.96.12.34',
    [`${P}SERVICE_PORT`]: '9975',
    [`${P}SERVICE_PORT_HTTP_METRICS`]: '9975',
    [`${P}PORT`]: 'tcp://10.96.12.34:9975',
    [`${P}PORT_9975_TCP`]: 'tcp://10.96.12.34:9975',
    [`${P}PORT_9975_TCP_PROTO`]: 'tcp',
    [`${P}PORT_9975_TCP_PORT`]: '9975',
    [`${P}PORT_9975_TCP_ADDR`]: '10.96.12.34',
  };

  test('are skipped, named once in the result, and change nothing', () => {
    const plain = loadYaml(BASE, { env: PAT_ENV });
    const loaded = loadYaml(BASE, { env: { ...PAT_ENV, ...KUBELET } });
    assert.deepEqual([...loaded.ignoredServiceLinks].sort(), Object.keys(KUBELET).sort());
    assert.deepEqual(loaded.config.server, plain.config.server);
    assert.deepEqual(plain.ignoredServiceLinks, []);
  });

  test('of other Services named snowflake-risk-exporter-..., IPv6, UDP and SCTP ports, are skipped too', () => {
    const env = {
      [`${P}SHARDS_SERVICE_HOST`]: 'fd00:10:96::a',
      [`${P}SHARDS_PORT`]: 'udp://[fd00:10:96::a]:514',
      [`${P}SHARDS_PORT_514_UDP`]: 'udp://[fd00:10:96::a]:514',
      [`${P}SHARDS_PORT_514_UDP_ADDR`]: 'fd00:10:96::a',
      [`${P}METRICS_V2_PORT_9976_SCTP`]: 'sctp://10.0.0.7:9976',
      [`${P}METRICS_V2_PORT_9976_SCTP_PROTO`]: 'sctp',
      // Older kubelets wrote an IPv6 address without brackets.
      [`${P}OLD_PORT`]: 'tcp://fd00::1:9975',
    };
    const loaded = loadYaml(BASE, { env: { ...PAT_ENV, ...env } });
    assert.deepEqual([...loaded.ignoredServiceLinks].sort(), Object.keys(env).sort());
  });

  test('a real setting is never taken for one, and a name of their shape with another value is still refused', () => {
    const applied = loadYaml(BASE, { env: { ...PAT_ENV, [`${P}SERVER__LISTEN`]: '127.0.0.1:9975' } });
    assert.deepEqual(applied.config.server.listen, { host: '127.0.0.1', port: 9975 });
    const refused = {
      [`${P}SERVICE_HOST`]: 'exporter.example.com', // a host name: kubelet gives the cluster IP
      [`${P}SERVICE_PORT`]: '0',
      [`${P}PORT`]: '9975', // kubelet's {SVC}_PORT is tcp://IP:PORT
      [`${P}PORT_9975_TCP_PORT`]: '9976', // the port of the name and of the value differ
      [`${P}PORT_9975_TCP`]: 'tcp://10.0.0.1:80',
      [`${P}PORT_9975_HTTP_PROTO`]: 'http', // no such protocol
      [`${P}PORT_9975_TCP_ADDR`]: 'secret-value-that-must-not-echo',
      [`${P}SERVICE_HOSTS`]: '10.0.0.1',
      [`${P}OTLP__PORT`]: 'tcp://10.0.0.1:4318', // a Service name never ends with "-", so never with "_" here
    };
    const error = loadYamlFails(BASE, { env: { ...PAT_ENV, ...refused } });
    for (const name of Object.keys(refused)) {
      assert.ok(error.problems.some((problem) => problem.envVar === name), `${name} is refused`);
    }
    assert.ok(!allRenderings(error).includes('secret-value-that-must-not-echo'));
  });
});
