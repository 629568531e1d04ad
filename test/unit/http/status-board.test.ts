import assert from 'node:assert/strict';
import { test } from 'node:test';
import { renderLandingPage, StatusBoard, summarisePosture } from '../../../src/http/index.ts';

const at = new Date('2026-11-26T06:00:00Z');

test('the status board keeps the latest outcome of each source, bounded recent cycles and cost', () => {
  let now = new Date('2026-11-26T07:00:00Z');
  const board = new StatusBoard({ accounts: ['prod'], now: () => now, recentCycles: 2, maxSourcesPerAccount: 2 });
  assert.equal(board.snapshot().accounts[0]?.up, undefined);
  board.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt: at, durationSeconds: 3, rows: 10, delivered: 8, lagSeconds: 60 });
  board.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt: at, durationSeconds: 4, rows: 5, delivered: 5 });
  board.sourceFailed('prod', 'query_history', 'timeout', at);
  board.sourceSkipped('prod', 'login_history', 'unavailable', 'SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY: not available to the role (Snowflake 002003)\nsecond line');
  board.sourceSkipped('prod', 'sessions', 'budget'); // a third source: beyond the per-account bound, ignored
  board.sourceSucceeded({ account: 'elsewhere', source: 'users', startedAt: at, durationSeconds: 1, rows: 1, delivered: 1 });
  for (const outcome of ['ok', 'failed', 'cancelled'] as const) {
    board.cycleFinished('prod', outcome, 5);
    now = new Date(now.getTime() + 1000);
  }
  board.cost({ account: 'prod', statements: 4, rows: 0, bytes: 0, warehouseSeconds: 60, credits: 0.01 });
  board.cost({ account: 'prod', statements: 1, rows: 0, bytes: 0, warehouseSeconds: 61, credits: 0.02 });
  board.budgetState('prod', 0.03, 5, false);
  board.accountUp('prod', false);

  const status = board.snapshot();
  assert.equal(status.accounts.length, 1);
  const prod = status.accounts[0];
  assert.ok(prod);
  assert.equal(prod.up, false);
  assert.deepEqual(prod.sources, [
    {
      source: 'query_history',
      lastSuccessAt: new Date(at.getTime() + 4000),
      lastDurationSeconds: 4,
      lastRows: 5,
      rowsTotal: 15,
      lagSeconds: 60,
      lastErrorKind: 'timeout',
      lastErrorAt: at,
      // Reported without a detail (an observer of an older shape): the kind stands in for the message.
      lastError: { during: 'source', source: 'query_history', kind: 'timeout', snowflakeCode: undefined, httpStatus: undefined, code: undefined, message: 'failed (timeout)', at },
      unavailable: false,
      unavailableReason: undefined,
      unavailableParts: [],
      deferredForBudget: false,
    },
    {
      source: 'login_history',
      lastSuccessAt: undefined,
      lastDurationSeconds: undefined,
      lastRows: undefined,
      rowsTotal: 0,
      lagSeconds: undefined,
      lastErrorKind: undefined,
      lastErrorAt: undefined,
      lastError: undefined,
      unavailable: true,
      unavailableReason: 'SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY: not available to the role (Snowflake 002003)',
      unavailableParts: [],
      deferredForBudget: false,
    },
  ]);
  assert.deepEqual(
    prod.recentCycles.map((cycle) => cycle.outcome),
    ['cancelled', 'failed'],
  );
  assert.deepEqual(prod.cost, { statements: 5, warehouseSeconds: 121, credits: 0.03, creditsToday: 0.03, creditBudget: 5, budgetExhausted: false });

  // The snapshot is a copy: later reports do not change what a page already rendered.
  board.sourceSucceeded({ account: 'prod', source: 'login_history', startedAt: at, durationSeconds: 1, rows: 1, delivered: 1 });
  assert.equal(prod.sources[1]?.unavailable, true);
});

test('posture summaries carry counts only, never user names', () => {
  const facts = summarisePosture({
    kind: 'admins',
    roles: [{ role: 'ACCOUNTADMIN', users: 3, usersWithoutMfa: 2 }],
    adminsWithoutMfa: [
      { user: 'MALLORY', roles: ['ACCOUNTADMIN'] },
      { user: 'TRENT', roles: ['ACCOUNTADMIN'] },
    ],
  });
  assert.deepEqual(facts, [
    { name: 'admin users without MFA', value: 2 },
    { name: 'ACCOUNTADMIN holders without MFA', value: 2 },
  ]);
  assert.deepEqual(
    summarisePosture({
      kind: 'users',
      counts: [
        { userType: 'PERSON', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 2 },
        { userType: 'SERVICE', hasPassword: false, hasMfa: false, hasRsaPublicKey: true, users: 5 },
      ],
      mfaBypassActive: 1,
      staleEnabledUsers: 3,
      staleAfterDays: 90,
    }),
    [
      { name: 'enabled users', value: 7 },
      { name: 'password users without MFA', value: 2 },
      { name: 'MFA bypass active', value: 1 },
      { name: 'stale enabled users (> 90 days)', value: 3 },
    ],
  );
});

test('readiness lists every unmet condition and never depends on Snowflake', () => {
  const board = new StatusBoard({ accounts: ['prod'] });
  assert.deepEqual(board.readiness(), { ready: false, reasons: ['configuration not loaded', 'state store not open'] });
  board.setCondition('configuration', true);
  board.setCondition('state_store', true);
  board.accountUp('prod', false);
  board.sourceFailed('prod', 'users', 'network', at);
  assert.deepEqual(board.readiness(), { ready: true, reasons: [] });
  board.setCondition('state_store', false);
  assert.deepEqual(board.readiness(), { ready: false, reasons: ['state store not open'] });
  // A condition unmet for a reason of its own (the state store failing) says it, until it is met again.
  board.setCondition('state_store', false, 'state store failing since 2026-01-01T00:00:00.000Z (full in commit)');
  assert.deepEqual(board.readiness(), { ready: false, reasons: ['state store failing since 2026-01-01T00:00:00.000Z (full in commit)'] });
  board.setCondition('state_store', true);
  board.setCondition('state_store', false);
  assert.deepEqual(board.readiness(), { ready: false, reasons: ['state store not open'] });
});

test('the landing page renders an empty exporter and a budget note', () => {
  const board = new StatusBoard({ accounts: [] });
  assert.match(renderLandingPage(board.snapshot(), { metricsPath: '/metrics' }), /No account is configured\./);
  const withBudget = new StatusBoard({ accounts: ['prod'] });
  withBudget.budgetState('prod', 2, 2, true);
  const page = renderLandingPage(withBudget.snapshot(), { metricsPath: '/metrics' });
  assert.match(page, /today 2\.0000 credits of a 2\.0000 budget <strong>\(budget reached: non-critical sources deferred\)<\/strong>/);
  assert.match(page, /unknown \(no cycle yet\)/);
  assert.match(page, /No source has run yet\./);
});

test('a part a source could not read shows on the page with why, and unknown posture facts say unknown, not 0', () => {
  const board = new StatusBoard({ accounts: ['prod'] });
  board.setDetections('prod', [{ id: 'auth.suspicious_login', kind: 'sql', severity: 'critical', title: 'Suspicious login' }]);
  const reason = 'LOGIN_HISTORY.LOGIN_DETAILS does not exist on this account (Snowflake 000904 invalid identifier; the column comes with behaviour change bundle 2025_07)';
  board.sourceSucceeded({
    account: 'prod', source: 'auth.suspicious_login', startedAt: at, durationSeconds: 1, rows: 2, delivered: 2,
    parts: [{ part: 'login_details', available: false, reason }],
  });
  board.sourceSucceeded({
    account: 'prod', source: 'outbound_shares', startedAt: at, durationSeconds: 1, rows: 0, delivered: 0,
    parts: [
      { part: 'account_usage_shares', available: false, reason: 'SNOWFLAKE.ACCOUNT_USAGE.SHARES could not be read (not available to the role (Snowflake 002003))' },
      { part: 'show_shares', available: true },
    ],
  });
  board.publishPosture({ account: 'prod', takenAt: at, data: { kind: 'shares', complete: false, outbound: [] } });
  board.publishPosture({ account: 'prod', takenAt: at, data: { kind: 'admins', roles: [{ role: 'ACCOUNTADMIN', users: 2, usersWithoutMfa: 1 }], adminsWithoutMfa: null } });
  const prod = board.snapshot().accounts[0];
  assert.deepEqual(prod?.detections?.[0]?.unavailableParts, [{ part: 'login_details', reason }]);
  assert.equal(prod?.detections?.[0]?.unavailable, false);
  assert.deepEqual(prod?.posture.find((p) => p.kind === 'shares')?.facts, [
    { name: 'outbound shares', value: null },
    { name: 'consumer accounts', value: null },
  ]);
  assert.equal(prod?.posture.find((p) => p.kind === 'admins')?.facts[0]?.value, null);

  const page = renderLandingPage(board.snapshot(), { metricsPath: '/metrics' });
  assert.match(page, /1 partial<\/strong> \(a check is unavailable on this account, the others run\)/);
  assert.match(page, /<span class="down">partial<\/span>: <code>login_details<\/code> unavailable: LOGIN_HISTORY\.LOGIN_DETAILS does not exist on this account[^<]*; the other checks ran/);
  assert.match(page, /<code>account_usage_shares<\/code> unavailable: SNOWFLAKE\.ACCOUNT_USAGE\.SHARES could not be read/);
  assert.match(page, /outbound shares: <span class="unknown">unknown<\/span>; consumer accounts: <span class="unknown">unknown<\/span>/);
  assert.match(page, /admin users without MFA: <span class="unknown">unknown<\/span>/);

  // The part is back: the flag goes.
  board.sourceSucceeded({ account: 'prod', source: 'auth.suspicious_login', startedAt: at, durationSeconds: 1, rows: 2, delivered: 0, parts: [{ part: 'login_details', available: true }] });
  assert.deepEqual(board.snapshot().accounts[0]?.detections?.[0]?.unavailableParts, []);
});

test("each account's last error with its codes and why it is down; down accounts first, on the page and in the JSON", () => {
  const board = new StatusBoard({ accounts: ['prod', 'dev', 'staging'], now: () => at });
  board.accountUp('prod', true);
  board.accountUp('staging', true);
  board.sourceFailed('prod', 'login_history', 'timeout', at, {
    kind: 'timeout',
    snowflakeCode: '000630',
    httpStatus: 408,
    code: 'SF_STATEMENT_TIMEOUT',
    message: 'statement timed out (HTTP 408 000630):\nStatement reached its statement or warehouse timeout',
  });
  board.cycleFinished('dev', 'failed', 0.1, {
    kind: 'auth',
    snowflakeCode: '390144',
    httpStatus: 401,
    code: 'SF_AUTHENTICATION_FAILED',
    message: 'Snowflake rejected the keypair token (HTTP 401 390144) after renewing it once',
    stage: 'start',
    at,
  });
  board.accountUp('dev', false);
  board.operationFailed('staging', 'cycle history', { kind: 'state', code: 'STATE_FULL', message: 'state store recordCycle failed (full): database or disk is full' });

  const status = board.snapshot();
  assert.deepEqual(
    status.accounts.map((account) => account.name),
    ['dev', 'prod', 'staging'],
    'the down account first, the others in configuration order',
  );
  assert.deepEqual(status.accounts[0]?.lastError, {
    during: 'start',
    source: undefined,
    kind: 'auth',
    snowflakeCode: '390144',
    httpStatus: 401,
    code: 'SF_AUTHENTICATION_FAILED',
    message: 'Snowflake rejected the keypair token (HTTP 401 390144) after renewing it once',
    at,
  });
  const prod = status.accounts[1]!;
  assert.equal(prod.lastError?.during, 'source');
  assert.equal(prod.lastError?.source, 'login_history');
  assert.equal(prod.lastError?.message, 'statement timed out (HTTP 408 000630): Statement reached its statement or warehouse timeout', 'one line');
  assert.equal(prod.sources[0]?.lastError?.snowflakeCode, '000630');
  assert.equal(status.accounts[2]?.lastError?.during, 'cycle history');

  const page = renderLandingPage(status, { metricsPath: '/metrics' });
  assert.ok(page.indexOf('Account <code>dev</code>') < page.indexOf('Account <code>prod</code>'), 'down first on the page too');
  assert.match(page, /<p class="down">Down: the cycle could not start at <time[^>]*>[^<]*<\/time> \(0 s ago\): <strong>auth<\/strong> \(<code>Snowflake 390144, HTTP 401, SF_AUTHENTICATION_FAILED<\/code>\): Snowflake rejected the keypair token/);
  assert.match(page, /<p class="unknown">Last error: source <code>login_history<\/code> at /);
  assert.match(page, /<td><strong>timeout<\/strong> \(<code>Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT<\/code>\): statement timed out/);
  assert.match(page, /Last error: recording the cycle history at .*<strong>state<\/strong> \(<code>STATE_FULL<\/code>\)/);
});
