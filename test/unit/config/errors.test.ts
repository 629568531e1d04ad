// Every way a configuration can be wrong, each reported with its path (and line) in one ConfigError.
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { describe, test } from 'node:test';
import { ConfigError, loadConfig } from '../../../src/config/index.ts';
import { allRenderings, loadYaml, loadYamlFails, PAT_ACCOUNT, PAT_ENV, problemAt, tempDir } from './helpers.ts';

const withAccounts = (accounts: string, rest = '') => `${rest}\naccounts:${accounts}\n`;

describe('unknown keys', () => {
  test('at the top level, with a suggestion and the allowed keys', () => {
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'servr:\n  listen: "0.0.0.0:1"'), { env: PAT_ENV });
    const problem = problemAt(error, 'servr');
    assert.equal(problem.line, 1);
    assert.match(problem.message, /unknown key \(did you mean "server"\?\); allowed here: server, log, state, defaults, accounts, customDetections/);
    assert.equal(error.code, 'ERR_CONFIG_INVALID');
  });

  test('nested, in an account and in auth (allowed keys of that method only)', () => {
    const error = loadYamlFails(
      withAccounts(`
  - name: prod
    account: myorg-prod
    role: R
    warehouse: W
    warehous: W2
    auth: { method: pat, token: "env:TEST_PAT", privateKey: "env:X" }`),
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'accounts[0].warehous').message, /did you mean "warehouse"/);
    const auth = problemAt(error, 'accounts[0].auth.privateKey');
    assert.match(auth.message, /unknown key; allowed here: method, token$/);
    assert.equal(error.problems.length, 2);
  });

  test('a misspelt interval key is unknown, with the source ids listed', () => {
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  intervals:\n    query_histroy: 30m'), { env: PAT_ENV });
    const problem = problemAt(error, 'defaults.intervals.query_histroy');
    assert.equal(problem.line, 3);
    assert.match(problem.message, /did you mean "query_history"\?\); allowed here: query_history, login_history/);
  });

  test('a misspelt detections key (disable) is an error, not a silently ignored setting', () => {
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  detections:\n    disable: [auth.brute_force]'), { env: PAT_ENV });
    assert.match(problemAt(error, 'defaults.detections.disable').message, /did you mean "disabled"/);
  });
});

describe('detection ids', () => {
  test('a typo gets a suggestion', () => {
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  detections:\n    disabled: [auth.brute_forse]'), { env: PAT_ENV });
    const problem = problemAt(error, 'defaults.detections.disabled[0]');
    assert.equal(problem.message, 'unknown detection id "auth.brute_forse" (did you mean "auth.brute_force"?)');
    assert.equal(problem.line, 3);
  });

  test('an id far from any known one has no suggestion; enabled lists are checked too', () => {
    const error = loadYamlFails(
      withAccounts(`${PAT_ACCOUNT}\n    detections: { enabled: [totally.different, mfa.bypass_activ] }`),
      { env: PAT_ENV },
    );
    assert.equal(problemAt(error, 'accounts[0].detections.enabled[0]').message, 'unknown detection id "totally.different"');
    assert.match(problemAt(error, 'accounts[0].detections.enabled[1]').message, /did you mean "mfa.bypass_active"/);
  });

  test('enabled must be "all" or a list', () => {
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  detections: { enabled: some }'), { env: PAT_ENV });
    assert.equal(problemAt(error, 'defaults.detections.enabled').message, 'must be "all" or a list of detection ids');
  });

  test('custom detection ids are valid in lists; they may not reuse built-in ids or repeat', () => {
    const ok = loadYaml(
      withAccounts(`${PAT_ACCOUNT}\n    detections: { enabled: [custom.mine] }`, 'customDetections:\n  - { id: custom.mine, title: T, severity: low, sql: "SELECT 1" }'),
      { env: PAT_ENV },
    );
    assert.deepEqual(ok.config.accounts[0]?.detections, ['custom.mine']);

    const error = loadYamlFails(
      withAccounts(
        PAT_ACCOUNT,
        `customDetections:
  - { id: auth.brute_force, title: T, severity: low, sql: "SELECT 1" }
  - { id: custom.a, title: T, severity: low, sql: "SELECT 1" }
  - { id: custom.a, title: T, severity: urgent, sql: "  " }
  - { id: Custom-Bad, title: "", severity: low, sql: "SELECT 1", extra: 1 }`,
      ),
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'customDetections[0].id').message, /is a built-in detection id/);
    assert.match(problemAt(error, 'customDetections[2].id').message, /duplicate detection id "custom.a" \(also customDetections\[1\]\)/);
    assert.match(problemAt(error, 'customDetections[2].severity').message, /expected one of "info"\|"low"\|"medium"\|"high"\|"critical"/);
    assert.match(problemAt(error, 'customDetections[2].sql').message, /must not be empty/);
    assert.match(problemAt(error, 'customDetections[3].id').message, /must look like family.name/);
    assert.match(problemAt(error, 'customDetections[3].title').message, /must not be empty/);
    assert.match(problemAt(error, 'customDetections[3].extra').message, /unknown key/);
  });
});

describe('durations', () => {
  test('a malformed duration', () => {
    for (const bad of ['5x', '1h30', '-5m', '1.5h', 'soon', '']) {
      const error = loadYamlFails(withAccounts(PAT_ACCOUNT, `defaults:\n  intervals: { users: "${bad}" }`), { env: PAT_ENV });
      assert.match(problemAt(error, 'defaults.intervals.users').message, /must be a duration such as 30s, 15m, 1h or 1h30m/, bad);
    }
    const error = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  intervals: { users: 90.5 }'), { env: PAT_ENV });
    assert.match(problemAt(error, 'defaults.intervals.users').message, /must be a duration/);
    const typed = loadYamlFails(withAccounts(PAT_ACCOUNT, 'defaults:\n  intervals: { users: [1] }'), { env: PAT_ENV });
    assert.ok(problemAt(typed, 'defaults.intervals.users'));
  });

  test('an interval below one minute, or above a week', () => {
    const error = loadYamlFails(withAccounts(`${PAT_ACCOUNT}\n    intervals: { query_history: 30s, users: 59, shares: 8d }`), { env: PAT_ENV });
    assert.equal(problemAt(error, 'accounts[0].intervals.query_history').message, 'must be between 1m and 7d (got 30s)');
    assert.equal(problemAt(error, 'accounts[0].intervals.users').message, 'must be between 1m and 7d (got 59s)');
    assert.equal(problemAt(error, 'accounts[0].intervals.shares').message, 'must be between 1m and 7d (got 8d)');
  });

  test('statement timeout bounds', () => {
    const error = loadYamlFails(withAccounts(`${PAT_ACCOUNT}\n    statementTimeout: 5s`, 'defaults:\n  statementTimeout: 8d'), { env: PAT_ENV });
    assert.match(problemAt(error, 'accounts[0].statementTimeout').message, /between 10s and 7d/);
    assert.match(problemAt(error, 'defaults.statementTimeout').message, /between 10s and 7d/);
  });
});

describe('secrets', () => {
  const SECRET = 'sk-INLINE-0123456789-abcdef';

  test('an inline value is refused with how to fix it, and never echoed', () => {
    const error = loadYamlFails(
      withAccounts(`
  - { name: a, account: xy12345, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "${SECRET}", passphrase: "${SECRET}-2" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: oauth, clientId: c, clientSecret: "${SECRET}-3" } }
  - { name: c, account: xy12347, role: R, warehouse: W, auth: { method: pat, token: "${SECRET}-4" } }`),
    );
    for (const path of ['accounts[0].auth.privateKey', 'accounts[0].auth.passphrase', 'accounts[1].auth.clientSecret', 'accounts[2].auth.token']) {
      const problem = problemAt(error, path);
      assert.match(problem.message, /secrets cannot be written inline; write a reference instead: "env:VARIABLE_NAME".*"file:\/path\/to\/file"/);
    }
    assert.ok(!allRenderings(error).includes('INLINE-0123456789'));
  });

  test('a secret field of the wrong type is refused without echoing it', () => {
    const error = loadYamlFails(withAccounts(`
  - { name: c, account: xy12347, role: R, warehouse: W, auth: { method: pat, token: 123456789012 } }`));
    assert.match(problemAt(error, 'accounts[0].auth.token').message, /must be a secret reference string/);
    assert.ok(!allRenderings(error).includes('123456789012'));
  });

  test('malformed references', () => {
    const error = loadYamlFails(withAccounts(`
  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: pat, token: "env:BAD-NAME" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: pat, token: "file:" } }
  - { name: c, account: xy12347, role: R, warehouse: W, auth: { method: oauth, clientId: "env:", clientSecret: "env:CS" } }`), { env: { CS: 'client-secret' } });
    assert.match(problemAt(error, 'accounts[0].auth.token').message, /needs a variable name/);
    assert.match(problemAt(error, 'accounts[1].auth.token').message, /needs a path/);
    assert.match(problemAt(error, 'accounts[2].auth.clientId').message, /needs a variable name/);
  });

  test('a missing or empty environment variable names the variable', () => {
    const error = loadYamlFails(
      withAccounts(`
  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: pat, token: "env:NOT_SET" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: oauth, clientId: "env:CID", clientSecret: "env:EMPTY" } }`),
      { env: { EMPTY: '' } },
    );
    assert.equal(problemAt(error, 'accounts[0].auth.token').message, 'environment variable NOT_SET is not set');
    assert.equal(problemAt(error, 'accounts[1].auth.clientSecret').message, 'environment variable EMPTY is empty');
    assert.equal(problemAt(error, 'accounts[1].auth.clientId').message, 'environment variable CID is not set');
  });

  test('unreadable secret files name the path, never the content', () => {
    const dir = tempDir();
    mkdirSync(join(dir, 'a-directory'));
    writeFileSync(join(dir, 'huge.pem'), 'x'.repeat(70 * 1024));
    writeFileSync(join(dir, 'empty.pem'), '\n');
    writeFileSync(
      join(dir, 'config.yaml'),
      withAccounts(`
  - { name: a, account: xy12345, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:missing.pem" } }
  - { name: b, account: xy12346, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:a-directory" } }
  - { name: c, account: xy12347, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:huge.pem" } }
  - { name: d, account: xy12348, user: U, role: R, warehouse: W, auth: { method: keypair, privateKey: "file:empty.pem" } }`),
    );
    let error: unknown;
    try {
      loadConfig({ path: join(dir, 'config.yaml'), env: {}, cwd: dir });
    } catch (caught) {
      error = caught;
    }
    assert.ok(error instanceof ConfigError);
    assert.equal(problemAt(error, 'accounts[0].auth.privateKey').message, `cannot read ${join(dir, 'missing.pem')}: no such file`);
    assert.equal(problemAt(error, 'accounts[1].auth.privateKey').message, `${join(dir, 'a-directory')} is not a regular file`);
    assert.match(problemAt(error, 'accounts[2].auth.privateKey').message, /huge\.pem is larger than 65536 bytes/);
    assert.equal(problemAt(error, 'accounts[3].auth.privateKey').message, `${join(dir, 'empty.pem')} is empty`);
    assert.equal(problemAt(error, 'accounts[0].auth.privateKey').line, 3);
    assert.ok(!allRenderings(error).includes('xxxxxxxx'));
  });

  test('resolved values that appear elsewhere are redacted from messages', () => {
    // The same text as a resolved secret shows up in a message (here: a detection id that is also the token).
    const error = loadYamlFails(withAccounts(`${PAT_ACCOUNT}\n    detections: { disabled: [leaky.value_xyz] }`), {
      env: { TEST_PAT: 'leaky.value_xyz' },
    });
    const problem = problemAt(error, 'accounts[0].detections.disabled[0]');
    assert.equal(problem.message, 'unknown detection id "[REDACTED]"');
    assert.ok(!allRenderings(error).includes('leaky.value_xyz'));
  });
});

describe('accounts', () => {
  test('no accounts, an empty list, or not a list', () => {
    assert.equal(problemAt(loadYamlFails('log: { level: info }'), 'accounts').message, 'is required');
    assert.equal(problemAt(loadYamlFails('accounts: []'), 'accounts').message, 'at least one account is required');
    assert.equal(problemAt(loadYamlFails('accounts: { name: a }'), 'accounts').message, 'must be a list of accounts');
  });

  test('duplicate names', () => {
    const error = loadYamlFails(withAccounts(`${PAT_ACCOUNT}${PAT_ACCOUNT}${PAT_ACCOUNT}`), { env: PAT_ENV });
    assert.equal(problemAt(error, 'accounts[1].name').message, 'duplicate account name "prod" (also accounts[0])');
    assert.equal(problemAt(error, 'accounts[2].name').message, 'duplicate account name "prod" (also accounts[0])');
  });

  test('bad names, missing fields, bad Snowflake object names', () => {
    const error = loadYamlFails(withAccounts(`
  - name: Prod Account
    account: myorg-prod
    role: "1role"
    user: "a;b"
    auth: { method: pat, token: "env:TEST_PAT" }`), { env: PAT_ENV });
    assert.match(problemAt(error, 'accounts[0].name').message, /short label of lower-case letters/);
    assert.match(problemAt(error, 'accounts[0].role').message, /must be a Snowflake role name/);
    assert.match(problemAt(error, 'accounts[0].user').message, /must be a Snowflake user name/);
    assert.equal(problemAt(error, 'accounts[0].warehouse').message, 'is required');
    // A missing key points at the line of its parent entry.
    assert.equal(problemAt(error, 'accounts[0].warehouse').line, 3);
  });

  test('names that are not Snowflake identifiers say why, and how to write them', () => {
    const error = loadYamlFails(withAccounts(`
  - name: prod
    account: myorg-prod
    role: risk-exporter
    warehouse: '"risk_wh'
    user: risk exporter
    auth: { method: pat, token: "env:TEST_PAT" }`), { env: PAT_ENV });
    assert.equal(
      problemAt(error, 'accounts[0].role').message,
      'must be a Snowflake role name: it contains "-": an unquoted name starts with a letter or "_" and holds only letters, digits, "_" and "$" ' +
        '(to use a name exactly as written, put it in double quotes and double any " inside it)',
    );
    assert.match(problemAt(error, 'accounts[0].warehouse').message, /^must be a Snowflake warehouse name: it opens a double quote that is never closed$/);
    assert.match(problemAt(error, 'accounts[0].user').message, /^must be a Snowflake user name: it contains a space/);
  });

  test('role, warehouse and user are kept as written; lower case and quoted names are valid', () => {
    const { config } = loadYaml(withAccounts(`
  - name: prod
    account: myorg-prod
    role: risk_exporter
    warehouse: '"Risk Wh"'
    user: risk_svc
    auth: { method: pat, token: "env:TEST_PAT" }`), { env: PAT_ENV });
    const [account] = config.accounts;
    assert.equal(account?.role, 'risk_exporter', 'resolved where it is sent (src/snowflake/identifier.ts)');
    assert.equal(account?.warehouse, '"Risk Wh"');
    assert.equal(account?.user, 'risk_svc');
  });

  test('key-pair needs a user', () => {
    const error = loadYamlFails(withAccounts(`
  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: keypair, privateKey: "env:K" } }`), { env: { K: 'key-material' } });
    assert.match(problemAt(error, 'accounts[0].user').message, /required for key-pair authentication/);
  });

  test('auth method missing or unknown', () => {
    const error = loadYamlFails(withAccounts(`
  - { name: a, account: xy12345, role: R, warehouse: W, auth: { token: "env:T" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: password, password: "env:T" } }
  - { name: c, account: xy12347, role: R, warehouse: W }`));
    assert.equal(problemAt(error, 'accounts[0].auth.method').message, 'is required');
    assert.equal(problemAt(error, 'accounts[1].auth.method').message, 'must be one of "keypair", "pat", "oauth"');
    assert.equal(problemAt(error, 'accounts[2].auth').message, 'is required');
  });

  test('an OAuth redirect URI must be an http(s) URL without credentials or fragment', () => {
    const error = loadYamlFails(withAccounts(`
  - { name: a, account: xy12345, role: R, warehouse: W, auth: { method: oauth, clientId: c, clientSecret: "env:CS", redirectUri: "ftp://x/cb" } }
  - { name: b, account: xy12346, role: R, warehouse: W, auth: { method: oauth, clientId: "", clientSecret: "env:CS", redirectUri: "https://h/cb#f" } }`), { env: { CS: 'client-secret' } });
    assert.match(problemAt(error, 'accounts[0].auth.redirectUri').message, /absolute http\(s\) URL/);
    assert.match(problemAt(error, 'accounts[1].auth.redirectUri').message, /absolute http\(s\) URL/);
    assert.equal(problemAt(error, 'accounts[1].auth.clientId').message, 'must not be empty');
  });

  test('a bad identifier and a bad endpoint', () => {
    const error = loadYamlFails(
      withAccounts(`
  - { name: a, account: "evil.com/", role: R, warehouse: W, auth: { method: pat, token: "env:TEST_PAT" } }
  - { name: b, account: "myorg-b", endpoint: "http://example.com", role: R, warehouse: W, auth: { method: pat, token: "env:TEST_PAT" } }
  - { name: c, account: "myorg-c", endpoint: "https://u:hunter2hunter2@example.com", role: R, warehouse: W, auth: { method: pat, token: "env:TEST_PAT" } }
  - { name: d, account: "acct.snowflakecomputing.com.evil.com", role: R, warehouse: W, auth: { method: pat, token: "env:TEST_PAT" } }`),
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'accounts[0].account').message, /^not a Snowflake account identifier: it contains "\/"/);
    assert.match(problemAt(error, 'accounts[1].endpoint').message, /http is only allowed for loopback/);
    assert.match(problemAt(error, 'accounts[2].endpoint').message, /credentials in the URL are not allowed/);
    assert.match(problemAt(error, 'accounts[3].account').message, /not a Snowflake account identifier/);
    assert.ok(!allRenderings(error).includes('hunter2hunter2'));
  });

  test('concurrency bounds and type', () => {
    const error = loadYamlFails(withAccounts(`${PAT_ACCOUNT}\n    concurrency: 0`, 'defaults:\n  concurrency: 2.5'), { env: PAT_ENV });
    assert.match(problemAt(error, 'accounts[0].concurrency').message, />=1/);
    assert.match(problemAt(error, 'defaults.concurrency').message, /expected int/);
  });
});

describe('server, log and state', () => {
  test('listen, metricsPath, level and state path', () => {
    const error = loadYamlFails(
      withAccounts(PAT_ACCOUNT, 'server: { listen: "9975", metricsPath: "metrics?x" }\nlog: { level: loud }\nstate: { path: "" }'),
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'server.listen').message, /must be host:port/);
    assert.match(problemAt(error, 'server.metricsPath').message, /must be a path starting with "\/"/);
    assert.equal(problemAt(error, 'log.level').message, 'expected one of "debug"|"info"|"warn"|"error"');
    assert.equal(problemAt(error, 'state.path').message, 'must not be empty');
    const port = loadYamlFails(withAccounts(PAT_ACCOUNT, 'server: { listen: "0.0.0.0:70000" }'), { env: PAT_ENV });
    assert.match(problemAt(port, 'server.listen').message, /must be host:port/);
  });
});

describe('the file itself', () => {
  test('YAML syntax errors carry their line, and nothing of the source text', () => {
    const error = loadYamlFails('log:\n  level: info\naccounts:\n  - token: "sk-LEAK-IN-BROKEN-YAML" extra\n');
    assert.equal(error.problems.length, 1);
    assert.deepEqual(error.problems[0], { path: '', line: 4, message: 'YAML syntax error at column 37: Unexpected scalar at node end' });
    assert.match(error.message, /\(file\) \(line 4\): YAML syntax error/);
    // An unterminated quote: every problem still has a line.
    const unterminated = loadYamlFails('accounts:\n  - name: a\n    auth: { token: "sk-LEAK-IN-BROKEN-YAML\n  bad: [\n');
    assert.ok(unterminated.problems.length >= 1);
    assert.ok(unterminated.problems.every((problem) => problem.path === '' && typeof problem.line === 'number'));
    assert.ok(!allRenderings(error).includes('sk-LEAK') && !allRenderings(unterminated).includes('sk-LEAK'));
  });

  test('a duplicate key is a YAML error with its line', () => {
    const error = loadYamlFails('log: { level: info }\nlog: { level: debug }\naccounts: []\n');
    assert.equal(error.problems.length, 1);
    assert.equal(error.problems[0]?.line, 2);
    assert.match(error.problems[0]?.message ?? '', /unique/i);
  });

  test('an empty file and a non-mapping', () => {
    assert.equal(problemAt(loadYamlFails(''), 'accounts').message, 'is required');
    assert.match(problemAt(loadYamlFails('- a\n- b\n'), '').message, /expected object, received array/);
  });

  test('a missing file is ERR_CONFIG_UNREADABLE', () => {
    const dir = tempDir();
    assert.throws(
      () => loadConfig({ path: 'nope.yaml', env: {}, cwd: dir }),
      (error: unknown) =>
        error instanceof ConfigError &&
        error.code === 'ERR_CONFIG_UNREADABLE' &&
        error.file === join(dir, 'nope.yaml') &&
        error.message.includes('cannot read the configuration file: no such file'),
    );
    assert.throws(() => loadConfig({ path: dir, env: {}, cwd: dir }), /not a regular file/);
  });

  test('excessive aliases (a YAML bomb) are refused', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 0; i < 6; i++) bomb.push(`${String.fromCharCode(98 + i)}: &${String.fromCharCode(98 + i)} [${Array(10).fill(`*${String.fromCharCode(97 + i)}`).join(', ')}]`);
    const error = loadYamlFails(bomb.join('\n'));
    assert.match(error.problems[0]?.message ?? '', /YAML could not be read: .*alias/i);
  });
});

describe('one error lists every problem', () => {
  test('problems from the schema, cross-field rules, identifiers and secrets together, in file order', () => {
    const error = loadYamlFails(
      `servr: {}
log: { level: loud }
defaults:
  intervals: { query_histroy: 30m, users: 10s }
  detections: { disabled: [mfa.admin_without_mfaa] }
accounts:
  - { name: prod, account: "evil.com/", role: R, warehouse: W, auth: { method: pat, token: "plain-secret-value-42" } }
  - { name: prod, account: myorg-acct, role: R, warehouse: W, auth: { method: keypair, privateKey: "env:MISSING_KEY" } }
  - { name: x, account: myorg-acct, endpoint: "http://10.1.1.1", role: R, warehouse: W, auth: { method: oauth, clientId: c, clientSecret: "file:nope.pem" } }
`,
    );
    const expected: [string, number][] = [
      ['servr', 1],
      ['log.level', 2],
      ['defaults.intervals.query_histroy', 4],
      ['defaults.intervals.users', 4],
      ['defaults.detections.disabled[0]', 5],
      ['accounts[0].account', 7],
      ['accounts[0].auth.token', 7],
      ['accounts[1].name', 8],
      ['accounts[1].user', 8],
      ['accounts[1].auth.privateKey', 8],
      ['accounts[2].endpoint', 9],
      ['accounts[2].auth.clientSecret', 9],
    ];
    assert.deepEqual(
      [...error.problems].map((problem) => [problem.path, problem.line]).sort(),
      [...expected].sort(),
    );
    const lines = error.problems.map((problem) => problem.line ?? 0);
    assert.deepEqual(lines, [...lines].sort((a, b) => a - b));
    assert.match(error.message, /has 12 problems:\n {2}- servr \(line 1\): unknown key/);
    for (const [path] of expected) assert.ok(error.message.includes(`  - ${path} (line `), path);
    assert.ok(!allRenderings(error).includes('plain-secret-value-42'));
  });
});
