// Reliability, bad configuration: hundreds of seeded mutations of a complete, valid configuration (every auth method,
// OTLP with a secret header, an encryption key, custom detections), at the YAML level (values of the wrong type or
// size, keys dropped, unknown keys, typos) and at the text level (cut short, stray characters, tabs, duplicate keys,
// alias bombs, deep nesting, a file too large), plus secrets written as literals where a reference belongs, in the
// file and through environment overrides. Each load must end in a valid configuration or one ConfigError listing every
// problem with its path, never another exception; and no message may contain a secret. A sample also goes through
// the command line (`--check-config`), which must exit 2 and print the problems.
import assert from 'node:assert/strict';
import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { parse, stringify } from 'yaml';
import { runCli } from '../../src/cli/run-cli.ts';
import { ConfigError, loadConfig } from '../../src/config/index.ts';
import { scaled } from '../helpers/reliability-scale.ts';
import { seeded } from '../helpers/seeded-random.ts';

const CASES = scaled('RELIABILITY_FUZZ_CASES', 300, 3000);

const PAT = 'pat-SECRET-7f3a9c1e5b2d4a6f8e0c';
const CLIENT_SECRET = 'oauth-SECRET-9d8c7b6a5f4e3d2c1b0a';
const OTLP_AUTHORIZATION = 'Bearer otlp-SECRET-1a2b3c4d5e6f7a8b';
const TOKEN_KEY = randomBytes(32).toString('base64');
const PRIVATE_KEY = generateKeyPairSync('rsa', { modulusLength: 2048 }).privateKey.export({ type: 'pkcs8', format: 'pem' }).toString();
const ENV = { SRE_PAT: PAT, SRE_CLIENT_SECRET: CLIENT_SECRET, SRE_OTLP_AUTHORIZATION: OTLP_AUTHORIZATION, SRE_TOKEN_KEY: TOKEN_KEY };
const SECRETS = [PAT, CLIENT_SECRET, OTLP_AUTHORIZATION, 'otlp-SECRET-1a2b3c4d5e6f7a8b', TOKEN_KEY, ...PRIVATE_KEY.split('\n').filter((line) => line.length > 40)];

function baseConfig(): Record<string, unknown> {
  return {
    server: { listen: '127.0.0.1:9975', metricsPath: '/metrics', onboarding: { enabled: true, publicUrl: 'https://risk.example.com' } },
    log: { level: 'info' },
    state: { path: './state.db', encryptionKey: 'env:SRE_TOKEN_KEY' },
    otlp: {
      enabled: true,
      endpoint: 'http://collector:4318',
      protocol: 'http/protobuf',
      headers: { Authorization: 'env:SRE_OTLP_AUTHORIZATION' },
      timeout: '10s',
      compression: 'gzip',
      queueSize: 2048,
      maxBatch: 512,
      resourceAttributes: { 'deployment.environment.name': 'test' },
    },
    defaults: {
      concurrency: 8,
      statementTimeout: '10m',
      intervals: { query_history: '1h', trust_center: '6h' },
      detections: { enabled: 'all', disabled: [] },
      backfill: '24h',
      jitter: '30s',
      queryEvents: { scope: 'all', text: 'redact', maxTextLength: 4096 },
      warehouseCost: { size: 'X-Small', autoSuspend: '60s' },
      creditBudget: { daily: 0.5 },
    },
    accounts: [
      { name: 'prod', account: 'myorg-prod', user: 'SVC', role: 'RISK_EXPORTER', warehouse: 'RISK_WH', auth: { method: 'keypair', privateKey: 'file:key.p8' } },
      { name: 'analytics', account: 'xy12345.us-east-2.aws', user: 'SVC', role: 'RISK_EXPORTER', warehouse: 'RISK_WH', auth: { method: 'pat', token: 'env:SRE_PAT' } },
      { name: 'finance', account: 'myorg-finance', role: 'RISK_EXPORTER', warehouse: 'RISK_WH', auth: { method: 'oauth', clientId: 'client-id', clientSecret: 'env:SRE_CLIENT_SECRET' } },
    ],
    customDetections: [{ id: 'custom.large_unload', title: 'Large unload', severity: 'high', sql: 'SELECT user_name FROM snowflake.account_usage.query_history' }],
  };
}

const ODD_VALUES: readonly unknown[] = [
  null,
  true,
  0,
  -1,
  1.5,
  1e308,
  '',
  ' ',
  'x'.repeat(20_000),
  '../../../../etc/passwd',
  'env:',
  'env:NOT_SET_ANYWHERE',
  'file:/nonexistent/secret',
  'file:',
  '\u0000',
  '😀',
  '${HOME}',
  [],
  [1, 2, 3],
  {},
  { nested: { deeper: true } },
  PAT, // a literal secret where anything goes: it must never be echoed back
];

type Path = (string | number)[];

/** Every path to a value in the object (objects and arrays included). */
function pathsOf(value: unknown, prefix: Path = []): Path[] {
  if (value === null || typeof value !== 'object') return [prefix];
  const entries: [string | number, unknown][] = Array.isArray(value) ? value.map((item, i) => [i, item]) : Object.entries(value);
  return [prefix, ...entries.flatMap(([key, item]) => pathsOf(item, [...prefix, key]))];
}

function parentOf(root: unknown, path: Path): Record<string | number, unknown> | undefined {
  let node = root as Record<string | number, unknown>;
  for (const key of path.slice(0, -1)) {
    const next = node[key];
    if (next === null || typeof next !== 'object') return undefined;
    node = next as Record<string | number, unknown>;
  }
  return node;
}

function pick<T>(values: readonly T[], random: () => number): T {
  return values[Math.floor(random() * values.length)] as T;
}

type Mutation = (random: () => number) => { text: string; env?: Record<string, string> };

const structural = (change: (root: Record<string, unknown>, path: Path, random: () => number) => void): Mutation => (random) => {
  const root = baseConfig();
  for (let edits = 1 + Math.floor(random() * 3); edits > 0; edits--) {
    const paths = pathsOf(root).filter((path) => path.length > 0);
    change(root, pick(paths, random), random);
  }
  return { text: stringify(root) };
};

const MUTATIONS: Readonly<Record<string, Mutation>> = {
  'a value of the wrong type or size': structural((root, path, random) => {
    const parent = parentOf(root, path);
    const key = path.at(-1);
    if (parent !== undefined && key !== undefined) parent[key] = pick(ODD_VALUES, random);
  }),
  'a key dropped': structural((root, path) => {
    const parent = parentOf(root, path);
    const key = path.at(-1);
    if (parent === undefined || key === undefined) return;
    if (Array.isArray(parent)) parent.splice(Number(key), 1);
    else Reflect.deleteProperty(parent, key);
  }),
  'an unknown key or a typo': structural((root, path, random) => {
    const parent = parentOf(root, path);
    const key = path.at(-1);
    if (parent === undefined || key === undefined || Array.isArray(parent)) return;
    const value = parent[key];
    if (random() < 0.5) Reflect.deleteProperty(parent, key);
    parent[random() < 0.5 ? `${String(key)}s` : `unknown_${Math.floor(random() * 100)}`] = value;
  }),
  'a literal secret where a reference belongs': (random) => {
    const root = baseConfig();
    const accounts = root.accounts as { auth: Record<string, unknown> }[];
    const target = pick([0, 1, 2], random);
    const auth = accounts[target]?.auth;
    if (auth !== undefined) {
      if (auth.method === 'pat') auth.token = PAT;
      if (auth.method === 'oauth') auth.clientSecret = CLIENT_SECRET;
      if (auth.method === 'keypair') auth.privateKey = PRIVATE_KEY;
    }
    if (random() < 0.5) ((root.otlp as Record<string, unknown>).headers as Record<string, unknown>).Authorization = OTLP_AUTHORIZATION;
    if (random() < 0.5) (root.state as Record<string, unknown>).encryptionKey = TOKEN_KEY;
    return { text: stringify(root) };
  },
  'a literal secret through an environment override': (random) => ({
    text: stringify(baseConfig()),
    env: pick<Record<string, string>>(
      [
        { SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__1__AUTH__TOKEN: PAT },
        { SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__2__AUTH__CLIENTSECRET: CLIENT_SECRET },
        { SNOWFLAKE_RISK_EXPORTER_STATE__ENCRYPTIONKEY: TOKEN_KEY },
        { SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__1__ROLE: PAT },
        { SNOWFLAKE_RISK_EXPORTER_ACCOUNTS__7__NAME: 'x' },
        { SNOWFLAKE_RISK_EXPORTER_DEFAULTS__CONCURRENCY: 'many' },
      ],
      random,
    ),
  }),
  'the text cut short': (random) => {
    const text = stringify(baseConfig());
    return { text: text.slice(0, Math.floor(random() * text.length)) };
  },
  'stray characters': (random) => {
    let text = stringify(baseConfig());
    for (let i = 0; i < 3; i++) {
      const at = Math.floor(random() * text.length);
      text = text.slice(0, at) + pick(['\t', ':', '{', ']', '"', "'", '&a', '*a', '!!binary ', '\u0000', '%', '- ', '\n  '], random) + text.slice(at);
    }
    return { text };
  },
  'duplicate keys': () => ({ text: `${stringify(baseConfig())}log:\n  level: debug\n` }),
  'an alias bomb': () => ({
    text: ['a: &a ["x","x","x","x","x","x","x","x","x"]', ...Array.from({ length: 9 }, (_, i) => `${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(9).fill(`*${String.fromCharCode(97 + i)}`).join(',')}]`)].join('\n'),
  }),
  'deep nesting': () => ({ text: `server: ${'['.repeat(5000)}${']'.repeat(5000)}\n` }),
  'a file too large': () => ({ text: `# ${'x'.repeat(1024 * 1024)}\n${stringify(baseConfig())}` }),
  'not YAML for a configuration': (random) => ({ text: pick(['', '---', '42', '"just a string"', '[1, 2, 3]', '\u0000\u0001', '{{{{'], random) }),
};

describe('the configuration loader on bad input', () => {
  it(`${CASES} seeded mutations: a valid configuration or one ConfigError with every problem, never a secret`, (t) => {
    const random = seeded(0xc0_f1_65);
    const dir = mkdtempSync(join(tmpdir(), 'sre-config-fuzz-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    writeFileSync(join(dir, 'key.p8'), PRIVATE_KEY, { mode: 0o600 });
    const path = join(dir, 'config.yaml');
    // The unmutated configuration is valid: every failure below comes from the mutation.
    writeFileSync(path, stringify(baseConfig()));
    assert.equal(loadConfig({ path, env: ENV, cwd: dir }).config.accounts.length, 3);
    assert.deepEqual(parse(stringify(baseConfig())), baseConfig());

    const names = Object.keys(MUTATIONS);
    const outcomes = new Map<string, number>();
    for (let i = 0; i < CASES; i++) {
      const name = names[i % names.length] ?? '';
      const mutation = MUTATIONS[name];
      assert.ok(mutation !== undefined);
      const { text, env } = mutation(random);
      writeFileSync(path, text);
      let outcome: string;
      try {
        loadConfig({ path, env: { ...ENV, ...env }, cwd: dir });
        outcome = 'valid';
      } catch (error) {
        assert.ok(error instanceof ConfigError, `case ${i} (${name}): ${error instanceof Error ? `${error.name}: ${error.message}` : String(error)}`);
        assert.ok(error.problems.length > 0 && error.problems.every((problem) => problem.message.length > 0), `case ${i}: every problem says what is wrong`);
        for (const secret of SECRETS) assert.ok(!error.message.includes(secret), `case ${i} (${name}): a secret appears in the error`);
        outcome = 'ConfigError';
      }
      outcomes.set(`${name} -> ${outcome}`, (outcomes.get(`${name} -> ${outcome}`) ?? 0) + 1);
    }
    t.diagnostic([...outcomes].map(([key, count]) => `${key}: ${count}`).join('; '));
    for (const name of ['a literal secret where a reference belongs', 'the text cut short', 'an alias bomb', 'deep nesting', 'a file too large']) {
      assert.ok(outcomes.has(`${name} -> ConfigError`), `${name} is refused`);
    }
  });

  it('the command line reports a bad file with exit code 2 and its problems, never a secret', async (t) => {
    const dir = mkdtempSync(join(tmpdir(), 'sre-config-cli-'));
    t.after(() => rmSync(dir, { recursive: true, force: true }));
    const root = baseConfig();
    ((root.accounts as { auth: Record<string, unknown> }[])[1] as { auth: Record<string, unknown> }).auth.token = PAT;
    (root.defaults as Record<string, unknown>).concurrency = 'many';
    writeFileSync(join(dir, 'key.p8'), PRIVATE_KEY, { mode: 0o600 });
    writeFileSync(join(dir, 'config.yaml'), stringify(root));
    let stdout = '';
    let stderr = '';
    const code = await runCli({
      argv: ['--check-config', '--config', join(dir, 'config.yaml')],
      env: ENV,
      cwd: dir,
      stdout: { write: (text: string) => (stdout += text) },
      stderr: { write: (text: string) => (stderr += text) },
    });
    assert.equal(code, 2);
    assert.match(stderr, /accounts\[1\]\.auth\.token/);
    assert.match(stderr, /defaults\.concurrency/);
    for (const secret of SECRETS) assert.ok(!`${stdout}${stderr}`.includes(secret), 'a secret appears in the output');
  });
});
