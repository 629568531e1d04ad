import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import { describe, test } from 'node:test';
import { SOURCES, SOURCE_IDS } from '../../../src/collect/source-ids.ts';
import { loadConfig, loadConfigFromText } from '../../../src/config/index.ts';
import { BUILT_IN_DETECTION_IDS } from '../../../src/detect/catalog-ids.ts';
import { Secret } from '../../../src/util/secret.ts';
import { pemBodyLines, TEST_KEY_PASSPHRASE, testKeys } from '../../helpers/test-keys.ts';
import { allRenderings, loadYaml, tempDir, writeScenario } from './helpers.ts';

const FIXTURES = resolve(import.meta.dirname, '../../fixtures/config');
const REPO = resolve(import.meta.dirname, '../../..');

describe('loading valid configurations', () => {
  test('a minimal file gets every default', () => {
    const cwd = tempDir();
    const { config, warnings } = loadConfig({ path: join(FIXTURES, 'minimal.yaml'), env: { TEST_PAT: 'tok-1234567' }, cwd });
    assert.deepEqual(warnings, []);
    assert.equal(config.sourcePath, join(FIXTURES, 'minimal.yaml'));
    assert.deepEqual(config.server, { listen: { host: '0.0.0.0', port: 9975 }, metricsPath: '/metrics' });
    assert.deepEqual(config.log, { level: 'info' });
    // The built-in default starts at the working directory, not at the file.
    assert.equal(config.state.path, join(cwd, 'data', 'state.db'));
    assert.deepEqual(config.customDetections, []);
    assert.equal(config.accounts.length, 1);
    const [account] = config.accounts;
    assert.ok(account);
    assert.equal(account.name, 'prod');
    assert.deepEqual(account.identifier, {
      raw: 'myorg-prod',
      kind: 'org-account',
      host: 'myorg-prod.snowflakecomputing.com',
      jwtAccount: 'MYORG-PROD',
      baseUrl: 'https://myorg-prod.snowflakecomputing.com',
    });
    assert.equal(account.endpoint, undefined);
    assert.equal(account.baseUrl, 'https://myorg-prod.snowflakecomputing.com');
    assert.equal(account.user, undefined);
    assert.equal(account.role, 'RISK_EXPORTER');
    assert.equal(account.warehouse, 'RISK_WH');
    assert.equal(account.concurrency, 8);
    assert.equal(account.statementTimeoutSeconds, 600);
    assert.deepEqual(account.intervalSeconds, Object.fromEntries(SOURCE_IDS.map((id) => [id, SOURCES[id].defaultIntervalSeconds])));
    assert.deepEqual(account.detections, [...BUILT_IN_DETECTION_IDS].sort());
    assert.equal(account.auth.method, 'pat');
    assert.ok(account.auth.method === 'pat' && account.auth.token instanceof Secret);
    assert.equal(account.auth.method === 'pat' && account.auth.token.reveal(), 'tok-1234567');
    assert.equal(account.auth.method === 'pat' && account.auth.token.source, 'env:TEST_PAT');
  });

  test('a full file: every setting, merged per account', () => {
    const env = { TEST_PRIVATE_KEY: testKeys().rsaEncrypted, TEST_PASSPHRASE: TEST_KEY_PASSPHRASE, TEST_CLIENT_SECRET: 'cs-abcdef', TEST_PAT: 'pat-abcdef' };
    const { config } = loadConfig({ path: join(FIXTURES, 'full.yaml'), env, cwd: tempDir() });
    assert.deepEqual(config.server, { listen: { host: '::', port: 9100 }, metricsPath: '/risk/metrics' });
    assert.equal(config.log.level, 'debug');
    // Written in the file: relative to the file's directory.
    assert.equal(config.state.path, join(FIXTURES, 'state', 'exporter.db'));
    assert.deepEqual(config.customDetections, [
      { id: 'custom.big_unload', title: 'Big unload', severity: 'critical', sql: 'SELECT 1', description: 'Flags large unloads.' },
    ]);
    const [prod, legacy, patOnly] = config.accounts;
    assert.ok(prod && legacy && patOnly);

    assert.equal(prod.identifier.host, 'myorg-prod_account.snowflakecomputing.com');
    assert.equal(prod.identifier.jwtAccount, 'MYORG-PROD_ACCOUNT');
    assert.equal(prod.user, 'exporter_svc');
    assert.equal(prod.concurrency, 6);
    assert.equal(prod.statementTimeoutSeconds, 5400);
    assert.equal(prod.intervalSeconds.query_history, 900);
    assert.equal(prod.intervalSeconds.users, 7200);
    assert.equal(prod.intervalSeconds.trust_center, SOURCES.trust_center.defaultIntervalSeconds);
    assert.deepEqual(prod.detections, [...BUILT_IN_DETECTION_IDS, 'custom.big_unload'].filter((id) => id !== 'auth.brute_force').sort());
    assert.ok(prod.auth.method === 'keypair');
    assert.equal(prod.auth.privateKey.reveal(), testKeys().rsaEncrypted);
    assert.equal(prod.auth.passphrase?.reveal(), TEST_KEY_PASSPHRASE);

    assert.equal(legacy.identifier.kind, 'locator');
    assert.equal(legacy.identifier.jwtAccount, 'XY12345');
    assert.deepEqual(legacy.endpoint, { baseUrl: 'http://127.0.0.1:8085', host: '127.0.0.1:8085', loopback: true });
    assert.equal(legacy.baseUrl, 'http://127.0.0.1:8085');
    assert.equal(legacy.role, '"Risk Role"');
    assert.equal(legacy.concurrency, 1);
    assert.equal(legacy.statementTimeoutSeconds, 120);
    // Per key: the account's own values, then the defaults, then the built-in ones.
    assert.equal(legacy.intervalSeconds.query_history, 3600);
    assert.equal(legacy.intervalSeconds.trust_center, 86_400);
    assert.equal(legacy.intervalSeconds.users, 7200);
    assert.equal(legacy.intervalSeconds.login_history, SOURCES.login_history.defaultIntervalSeconds);
    // The account's enabled list replaces the default; disabled wins over enabled.
    assert.deepEqual(legacy.detections, ['custom.big_unload', 'mfa.admin_without_mfa']);
    assert.ok(legacy.auth.method === 'oauth');
    assert.equal(legacy.auth.clientId, 'my-client');
    assert.equal(legacy.auth.clientSecret.reveal(), 'cs-abcdef');
    assert.equal(legacy.auth.redirectUri, 'http://localhost:9975/oauth/callback');

    // An account's own `disabled: []` replaces the default list, so brute force is back on.
    assert.ok(patOnly.detections.includes('auth.brute_force'));
    assert.equal(patOnly.detections.length, BUILT_IN_DETECTION_IDS.length + 1);
    assert.equal(patOnly.concurrency, 6);
  });

  test('the resolved configuration is frozen', () => {
    const { config } = loadConfig({ path: join(FIXTURES, 'minimal.yaml'), env: { TEST_PAT: 'tok-1234567' }, cwd: tempDir() });
    assert.ok(Object.isFrozen(config));
    assert.ok(Object.isFrozen(config.accounts));
    assert.ok(Object.isFrozen(config.accounts[0]?.intervalSeconds));
    assert.throws(() => {
      (config.accounts as unknown[]).push({});
    }, TypeError);
  });

  test('the shipped example loads (with the variables it references)', () => {
    // The example's key is encrypted (it gives a passphrase); a key of that kind stands in for it.
    const dir = writeScenario('unused: true', { files: { 'rsa_key.p8': testKeys().rsaEncrypted } });
    const examplePath = join(REPO, 'examples', 'config.example.yaml');
    const { config, warnings } = loadConfig({
      path: examplePath,
      cwd: dir,
      env: {
        SNOWFLAKE_KEY_PASSPHRASE: TEST_KEY_PASSPHRASE,
        SNOWFLAKE_ANALYTICS_PAT: 'example-pat-value',
        SNOWFLAKE_OAUTH_CLIENT_ID: 'example-client-id',
        SNOWFLAKE_OAUTH_CLIENT_SECRET: 'example-client-secret',
        SNOWFLAKE_TOKEN_ENCRYPTION_KEY: Buffer.alloc(32, 7).toString('base64'),
        // The example points at /var/run/secrets/...; an override is how a test (or a pod) moves it.
        SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__0__AUTH__PRIVATE_KEY: `file:${join(dir, 'rsa_key.p8')}`,
      },
    });
    assert.deepEqual(warnings, []);
    assert.deepEqual(
      config.accounts.map((account) => [account.name, account.auth.method, account.identifier.kind]),
      [
        ['prod', 'keypair', 'org-account'],
        ['analytics', 'pat', 'locator'],
        ['finance', 'oauth', 'org-account'],
      ],
    );
    assert.equal(config.accounts[2]?.auth.method === 'oauth' && config.accounts[2].auth.clientId, 'example-client-id');
    assert.deepEqual(config.customDetections.map((detection) => detection.id), ['custom.large_unload']);
    // Every secret in the example is a reference: no literal value in any credential field.
    const text = readFileSync(examplePath, 'utf8');
    for (const match of text.matchAll(/^\s*(privateKey|passphrase|token|clientSecret):\s*(\S+)/gm)) {
      assert.match(match[2] ?? '', /^(env|file):/, `${match[1]} in the example must be a reference`);
    }
  });

  test('loadConfigFromText resolves relative paths against the given source path', () => {
    const dir = writeScenario('x: 1', { files: { 'secrets/pat.txt': 'from-file-token\n' } });
    const { config } = loadConfigFromText(
      `state: { path: db/state.db }\naccounts:\n  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: pat, token: "file:secrets/pat.txt" } }\n`,
      { sourcePath: join(dir, 'virtual.yaml'), env: {}, cwd: '/' },
    );
    assert.equal(config.state.path, join(dir, 'db', 'state.db'));
    const auth = config.accounts[0]?.auth;
    assert.ok(auth?.method === 'pat');
    assert.equal(auth.token.reveal(), 'from-file-token');
    assert.equal(auth.token.source, `file:${join(dir, 'secrets', 'pat.txt')}`);
  });
});

describe('secret files', () => {
  // A token rather than a private key: these are about reading the file, which a key's own check would get in the way of.
  const yaml = (reference: string) =>
    `accounts:\n  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: pat, token: "${reference}" } }\n`;
  const keyOf = (loaded: ReturnType<typeof loadYaml>) => {
    const auth = loaded.config.accounts[0]?.auth;
    assert.ok(auth?.method === 'pat');
    return auth.token;
  };

  test('one trailing newline is removed, and only one', () => {
    assert.equal(keyOf(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': 'line1\nline2\n' } })).reveal(), 'line1\nline2');
    assert.equal(keyOf(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': 'abc\n\n' } })).reveal(), 'abc\n');
    assert.equal(keyOf(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': 'abc\r\n' } })).reveal(), 'abc');
    assert.equal(keyOf(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': 'abc' } })).reveal(), 'abc');
  });

  test('an absolute path works from any directory', () => {
    const other = writeScenario('x: 1', { files: { 'abs.pem': 'absolute-key' } });
    assert.equal(keyOf(loadYaml(yaml(`file:${join(other, 'abs.pem')}`))).reveal(), 'absolute-key');
  });

  test('a group- or world-readable file is a warning with its path and mode, not an error', () => {
    const loaded = loadYaml(yaml('file:key.pem'), { files: { 'key.pem': { content: 'k-e-y', mode: 0o644 } } });
    assert.equal(keyOf(loaded).reveal(), 'k-e-y');
    assert.equal(loaded.warnings.length, 1);
    const [warning] = loaded.warnings;
    assert.equal(warning?.path, 'accounts[0].auth.token');
    assert.equal(warning?.line, 2);
    assert.match(warning?.message ?? '', /readable by group or others \(mode 0644\).*chmod 600/);
    assert.ok(warning?.message.includes(join(loaded.dir, 'key.pem')));
    assert.doesNotMatch(warning?.message ?? '', /k-e-y/);
  });

  test('a 0600 file gives no warning', () => {
    assert.deepEqual(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': { content: 'k', mode: 0o600 } } }).warnings, []);
    assert.deepEqual(loadYaml(yaml('file:key.pem'), { files: { 'key.pem': { content: 'k', mode: 0o400 } } }).warnings, []);
  });
});

describe('secrets never leak from a loaded configuration', () => {
  test('JSON.stringify and util.inspect of the config show references, not values', () => {
    const loaded = loadYaml(
      `accounts:
  - { name: a, account: xy12345, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:key.pem", passphrase: "env:PASS" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: pat, token: "env:TOKEN" } }
  - { name: c, account: xy12347, role: R, warehouse: W, auth: { method: oauth, clientId: cid, clientSecret: "env:CS" } }
`,
      {
        files: { 'key.pem': testKeys().rsaEncrypted },
        env: { PASS: TEST_KEY_PASSPHRASE, TOKEN: 'SECRET-TOKEN-3', CS: 'SECRET-CLIENT-4' },
      },
    );
    const rendered = allRenderings(loaded.config) + allRenderings(loaded);
    for (const secret of [...pemBodyLines(testKeys().rsaEncrypted), TEST_KEY_PASSPHRASE, 'SECRET-TOKEN-3', 'SECRET-CLIENT-4']) {
      assert.ok(!rendered.includes(secret), `${secret} leaked`);
    }
    assert.match(rendered, /Secret\(env:TOKEN\)/);
    assert.match(rendered, /\[REDACTED\]/);
  });
});
