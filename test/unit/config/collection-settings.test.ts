// The collection engine's settings: defaults, per-account overrides per key, ranges, and unknown keys inside the new
// objects reported with their paths.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { defaultCollectionSettings } from '../../../src/config/index.ts';
import { loadYaml, loadYamlFails, PAT_ACCOUNT, PAT_ENV, problemAt } from './helpers.ts';

const collectionOf = (account: object) => {
  const picked: Record<string, unknown> = {};
  for (const key of Object.keys(defaultCollectionSettings())) picked[key] = (account as Record<string, unknown>)[key];
  return picked;
};

describe('collection settings', () => {
  test('defaults when the file says nothing', () => {
    const { config } = loadYaml(`accounts:${PAT_ACCOUNT}`, { env: PAT_ENV });
    const account = config.accounts[0];
    assert.ok(account);
    assert.deepEqual(collectionOf(account), {
      backfillSeconds: 86_400,
      cycleDeadlineSeconds: 600,
      overlapMarginSeconds: 900,
      queryEvents: { scope: 'all', text: 'redact', maxTextLength: 4096 },
      warehouseCost: { size: 'X-Small', autoSuspendSeconds: 60 },
      creditBudget: { daily: undefined },
      posture: { staleUserDays: 90, adminRoles: ['ACCOUNTADMIN', 'SECURITYADMIN', 'ORGADMIN', 'SYSADMIN'] },
      jitterSeconds: 30,
    });
    assert.deepEqual(collectionOf(account), defaultCollectionSettings());
  });

  test('defaults apply to every account, and an account overrides them key by key', () => {
    const yaml = `
defaults:
  backfill: 7d
  cycleDeadline: 15m
  overlapMargin: 30m
  jitter: 2m
  queryEvents: { scope: risky, text: truncate, maxTextLength: 1000 }
  warehouseCost: { size: Small, autoSuspend: 5m }
  creditBudget: { daily: 2.5 }
  posture: { staleUserDays: 30, adminRoles: [accountadmin, '"Custom Admin"'] }
accounts:${PAT_ACCOUNT}
  - name: other
    account: myorg-other
    role: R
    warehouse: W
    auth: { method: pat, token: "env:TEST_PAT" }
    backfill: 0
    queryEvents: { text: none }
    warehouseCost: { size: 2X-Large }
    creditBudget: { daily: null }
    posture: { staleUserDays: 180 }
`;
    const { config } = loadYaml(yaml, { env: PAT_ENV });
    const [prod, other] = config.accounts;
    assert.ok(prod && other);
    assert.deepEqual(collectionOf(prod), {
      backfillSeconds: 7 * 86_400,
      cycleDeadlineSeconds: 900,
      overlapMarginSeconds: 1800,
      queryEvents: { scope: 'risky', text: 'truncate', maxTextLength: 1000 },
      warehouseCost: { size: 'Small', autoSuspendSeconds: 300 },
      creditBudget: { daily: 2.5 },
      // Unquoted role names are stored upper-case by Snowflake; a quoted one keeps its case.
      posture: { staleUserDays: 30, adminRoles: ['ACCOUNTADMIN', 'Custom Admin'] },
      jitterSeconds: 120,
    });
    assert.deepEqual(collectionOf(other), {
      backfillSeconds: 0,
      cycleDeadlineSeconds: 900,
      overlapMarginSeconds: 1800,
      queryEvents: { scope: 'risky', text: 'none', maxTextLength: 1000 },
      warehouseCost: { size: '2X-Large', autoSuspendSeconds: 300 },
      // An explicit null opts this account out of the default budget.
      creditBudget: { daily: undefined },
      posture: { staleUserDays: 180, adminRoles: ['ACCOUNTADMIN', 'Custom Admin'] },
      jitterSeconds: 120,
    });
  });

  test('unknown keys inside the new objects are errors with their paths and a suggestion', () => {
    const error = loadYamlFails(
      `
defaults:
  queryEvents: { scop: all }
  warehouseCost: { sise: Small }
  creditBudget: { dayly: 1 }
  posture: { adminRole: [X] }
accounts:${PAT_ACCOUNT}
    backfil: 1d
`,
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'defaults.queryEvents.scop').message, /did you mean "scope"\?\); allowed here: scope, text, maxTextLength/);
    assert.match(problemAt(error, 'defaults.warehouseCost.sise').message, /did you mean "size"/);
    assert.match(problemAt(error, 'defaults.creditBudget.dayly').message, /did you mean "daily"/);
    assert.match(problemAt(error, 'defaults.posture.adminRole').message, /did you mean "adminRoles"/);
    assert.match(problemAt(error, 'accounts[0].backfil').message, /did you mean "backfill"/);
  });

  test('values out of range or of the wrong kind are reported, every one', () => {
    const error = loadYamlFails(
      `
defaults:
  backfill: 400d
  cycleDeadline: 5s
  overlapMargin: soon
  jitter: 2h
  queryEvents: { scope: some, text: hide, maxTextLength: 0 }
  warehouseCost: { size: Huge, autoSuspend: 0 }
  creditBudget: { daily: -1 }
  posture: { staleUserDays: 0, adminRoles: [] }
accounts:${PAT_ACCOUNT}
    posture: { adminRoles: ["bad role name"] }
`,
      { env: PAT_ENV },
    );
    assert.match(problemAt(error, 'defaults.backfill').message, /between 0s and 365d/);
    assert.match(problemAt(error, 'defaults.cycleDeadline').message, /between 30s and 1d/);
    assert.match(problemAt(error, 'defaults.overlapMargin').message, /must be a duration/);
    assert.match(problemAt(error, 'defaults.jitter').message, /between 0s and 1h/);
    assert.match(problemAt(error, 'defaults.queryEvents.scope').message, /"all"\|"risky"\|"none"/);
    assert.match(problemAt(error, 'defaults.queryEvents.text').message, /"full"\|"truncate"\|"redact"\|"none"/);
    assert.match(problemAt(error, 'defaults.queryEvents.maxTextLength').message, />=16/);
    assert.match(problemAt(error, 'defaults.warehouseCost.size').message, /"X-Small"\|"Small"/);
    assert.match(problemAt(error, 'defaults.warehouseCost.autoSuspend').message, /between 1s and 7d/);
    assert.match(problemAt(error, 'defaults.creditBudget.daily').message, />0/);
    assert.match(problemAt(error, 'defaults.posture.staleUserDays').message, />=1/);
    assert.match(problemAt(error, 'defaults.posture.adminRoles').message, /at least one role/);
    assert.match(problemAt(error, 'accounts[0].posture.adminRoles[0]').message, /Snowflake role name/);
    assert.equal(error.problems.length, 13);
  });

  test('environment overrides reach the new keys', () => {
    const { config } = loadYaml(`accounts:${PAT_ACCOUNT}`, {
      env: {
        ...PAT_ENV,
        SNOWFLAKE_RISK_EXPORTER_DEFAULTS__CREDIT_BUDGET__DAILY: '3',
        SNOWFLAKE_RISK_EXPORTER_DEFAULTS__WAREHOUSE_COST__SIZE: 'Medium',
        SNOWFLAKE_RISK_EXPORTER_DEFAULTS__QUERY_EVENTS__SCOPE: 'none',
      },
    });
    const account = config.accounts[0];
    assert.ok(account);
    assert.equal(account.creditBudget.daily, 3);
    assert.equal(account.warehouseCost.size, 'Medium');
    assert.equal(account.queryEvents.scope, 'none');
  });
});
