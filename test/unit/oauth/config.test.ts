// The configuration of OAuth onboarding: the token key as a secret reference (env or file) checked for shape at
// load, keys of earlier rotations, the onboarding routes' switch, address and public URL, and the warnings that let
// the exporter start but say why OAuth cannot work yet. Nothing ever repeats a key.
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, test } from 'node:test';
import { allRenderings, loadYaml, loadYamlFails, problemAt } from '../config/helpers.ts';

const KEY = randomBytes(32).toString('base64');
const OLD_KEY = randomBytes(32).toString('hex');
const OAUTH = `accounts:
  - { name: finance, account: myorg-finance, role: RISK_EXPORTER, warehouse: W, auth: { method: oauth, clientId: cid, clientSecret: "env:CS" } }
`;

describe('state.encryptionKey', () => {
  test('is read from env or file like any secret, with previous keys for rotation; never shown', () => {
    const loaded = loadYaml(`state:\n  encryptionKey: env:TOKEN_KEY\n  previousEncryptionKeys: ["file:old.key"]\n${OAUTH}`, {
      env: { TOKEN_KEY: KEY, CS: 'client-secret' },
      files: { 'old.key': `${OLD_KEY}\n` },
    });
    assert.equal(loaded.config.state.encryptionKey?.reveal(), KEY);
    assert.equal(loaded.config.state.encryptionKey?.source, 'env:TOKEN_KEY');
    assert.deepEqual(loaded.config.state.previousEncryptionKeys?.map((key) => key.reveal()), [OLD_KEY]);
    assert.deepEqual(loaded.warnings, []);
    const rendered = allRenderings(loaded.config);
    assert.ok(!rendered.includes(KEY) && !rendered.includes(OLD_KEY));
  });

  test('a key that is not 32 bytes, a literal, or a missing variable is an error naming the path, not the value', () => {
    const short = randomBytes(16).toString('base64');
    const error = loadYamlFails(`state:\n  encryptionKey: env:TOKEN_KEY\n  previousEncryptionKeys: ["${KEY}", "env:MISSING"]\n${OAUTH}`, {
      env: { TOKEN_KEY: short, CS: 'client-secret' },
    });
    assert.match(problemAt(error, 'state.encryptionKey').message, /32 random bytes written as base64 .*openssl rand -base64 32.*\(read from env:TOKEN_KEY\)/);
    assert.match(problemAt(error, 'state.previousEncryptionKeys[0]').message, /cannot be written inline/);
    assert.match(problemAt(error, 'state.previousEncryptionKeys[1]').message, /MISSING is not set/);
    const rendered = allRenderings(error);
    assert.ok(!rendered.includes(short) && !rendered.includes(KEY));
  });

  test('OAuth accounts without a key are a warning that says how to set one; without OAuth nothing is said', () => {
    const loaded = loadYaml(OAUTH, { env: { CS: 'client-secret' } });
    assert.equal(loaded.warnings.length, 1);
    const [warning] = loaded.warnings;
    assert.equal(warning?.path, 'state.encryptionKey');
    assert.match(warning?.message ?? '', /finance uses OAuth: the exporter refuses to store OAuth tokens without it/);
    assert.match(warning?.message ?? '', /openssl rand -base64 32/);
    assert.deepEqual(
      loadYaml(`accounts:\n  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: pat, token: "env:T" } }\n`, { env: { T: 'tok-123456' } }).warnings,
      [],
    );
  });
});

describe('server.onboarding', () => {
  test('defaults: absent from the loaded configuration (the runtime serves the routes on server.listen)', () => {
    const loaded = loadYaml(`state: { encryptionKey: "env:K" }\n${OAUTH}`, { env: { K: KEY, CS: 'client-secret' } });
    assert.equal(loaded.config.server.onboarding, undefined);
  });

  test('enabled, a separate listen address and a public URL with a path prefix', () => {
    const loaded = loadYaml(
      `server:\n  onboarding: { enabled: true, listen: "127.0.0.1:9976", publicUrl: "https://risk.example.com/exporter" }\nstate: { encryptionKey: "env:K" }\n${OAUTH}`,
      { env: { K: KEY, CS: 'client-secret' } },
    );
    assert.deepEqual(loaded.config.server.onboarding, {
      enabled: true,
      listen: { host: '127.0.0.1', port: 9976 },
      publicUrl: 'https://risk.example.com/exporter',
    });
    const off = loadYaml(`server:\n  onboarding: { enabled: false }\nstate: { encryptionKey: "env:K" }\n${OAUTH}`, { env: { K: KEY, CS: 'client-secret' } });
    assert.deepEqual(off.config.server.onboarding, { enabled: false, listen: undefined, publicUrl: undefined });
  });

  test('bad values are errors; a redirect URI on another origin than the public URL is a warning', () => {
    const error = loadYamlFails(
      `server:\n  onboarding: { enabled: "yes", listen: "nowhere", publicUrl: "https://u:p@risk.example.com/?q", extra: 1 }\nstate: { encryptionKey: "env:K" }\n${OAUTH}`,
      { env: { K: KEY, CS: 'client-secret' } },
    );
    assert.match(problemAt(error, 'server.onboarding.enabled').message, /boolean/);
    assert.match(problemAt(error, 'server.onboarding.listen').message, /host:port/);
    assert.match(problemAt(error, 'server.onboarding.publicUrl').message, /without credentials, query or fragment/);
    assert.match(problemAt(error, 'server.onboarding.extra').message, /unknown key; allowed here: enabled, listen, publicUrl/);

    const loaded = loadYaml(
      `server:\n  onboarding: { publicUrl: "https://risk.example.com" }\nstate: { encryptionKey: "env:K" }\naccounts:
  - { name: finance, account: myorg-finance, role: R, warehouse: W, auth: { method: oauth, clientId: cid, clientSecret: "env:CS", redirectUri: "https://other.example.com/oauth/callback" } }
`,
      { env: { K: KEY, CS: 'client-secret' } },
    );
    assert.equal(loaded.warnings.length, 1);
    assert.equal(loaded.warnings[0]?.path, 'accounts[0].auth.redirectUri');
    assert.match(loaded.warnings[0]?.message ?? '', /sign-in cookie/);
  });

  test('environment overrides reach the new settings', () => {
    const loaded = loadYaml(`state: { encryptionKey: "env:K" }\n${OAUTH}`, {
      env: { K: KEY, CS: 'client-secret', SNOWFLAKE_RISK_EXPORTER_SERVER__ONBOARDING__PUBLIC_URL: 'https://risk.example.com' },
    });
    assert.equal(loaded.config.server.onboarding?.publicUrl, 'https://risk.example.com');
    assert.equal(loaded.config.server.onboarding?.enabled, true);
  });
});
