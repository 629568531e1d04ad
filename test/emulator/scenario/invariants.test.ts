// Structural invariants of a generated scenario: unique ids, consistent links between views, evidence that exists,
// incidents inside the window and visible once the documented view latencies have passed.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { evidenceIdOf, GROUND_TRUTH_DETECTION_IDS, SCENARIO_VIEWS, type EvidenceView } from '../../../emulator/scenario/index.ts';
import { VIEWS, type ViewColumnType } from '../../../emulator/schema.ts';
import { demoScenario, materialise, ms } from './helpers.ts';

const scenario = demoScenario();
const data = materialise(scenario);
const end = scenario.end.getTime();
const start = scenario.start.getTime();

function unique(values: unknown[], label: string): void {
  const seen = new Set<unknown>();
  for (const v of values) {
    assert.ok(!seen.has(v), `${label} ${String(v)} is not unique`);
    seen.add(v);
  }
}

test('ids are unique and shaped like Snowflake ids', () => {
  unique(data.QUERY_HISTORY.map((r) => r.QUERY_ID), 'QUERY_ID');
  unique(data.LOGIN_HISTORY.map((r) => r.EVENT_ID), 'EVENT_ID');
  unique(data.SESSIONS.map((r) => r.SESSION_ID), 'SESSION_ID');
  unique(data.USERS.map((r) => r.NAME), 'user NAME');
  unique(data.USERS.map((r) => r.USER_ID), 'USER_ID');
  unique(data.TRUST_CENTER_FINDINGS.map((r) => `${evidenceIdOf('TRUST_CENTER_FINDINGS', r)} ${String(r.UPDATED_ON)}`), 'Trust Center finding version');
  for (const row of data.QUERY_HISTORY) assert.match(String(row.QUERY_ID), /^01[0-9a-f]{6}-0000-[0-9a-f]{4}-0000-[0-9a-f]{12}$/);
  for (const row of data.LOGIN_HISTORY) assert.ok(Number.isSafeInteger(row.EVENT_ID));
});

test('rows only use the documented columns of their view', () => {
  for (const view of SCENARIO_VIEWS) {
    const definition = VIEWS.find((v) => v.name === view);
    assert.ok(definition, view);
    const columns = new Set(definition.columns.map((c) => c.name));
    for (const row of data[view]) for (const key of Object.keys(row)) assert.ok(columns.has(key), `${view} has no column ${key}`);
  }
});

/** The JavaScript shape each documented type is generated as (the engine's insert converts it to the column type). */
const SHAPES: Record<ViewColumnType, (value: unknown) => boolean> = {
  // Not always whole: CREDITS_USED_CLOUD_SERVICES is fractional on a real account (the README's NUMBER(38,0) note).
  NUMBER: (v) => typeof v === 'number',
  FLOAT: (v) => typeof v === 'number',
  TEXT: (v) => typeof v === 'string',
  BOOLEAN: (v) => typeof v === 'boolean',
  TIMESTAMP_LTZ: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  TIMESTAMP_NTZ: (v) => typeof v === 'string' && !Number.isNaN(Date.parse(v)),
  DATE: (v) => typeof v === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(v),
  VARIANT: () => true,
  OBJECT: (v) => typeof v === 'object' && !Array.isArray(v),
  ARRAY: (v) => Array.isArray(v),
};

test('every value has the shape of its documented type (ERROR_CODE is a NUMBER: 904, not the text 000904)', () => {
  for (const view of SCENARIO_VIEWS) {
    const definition = VIEWS.find((v) => v.name === view)!;
    const types = new Map(definition.columns.map((c) => [c.name, c.type]));
    for (const row of data[view]) {
      for (const [column, value] of Object.entries(row)) {
        if (value === null || value === undefined) continue;
        const type = types.get(column)!;
        assert.ok(SHAPES[type](value), `${view}.${column} is ${type} but the generator wrote ${JSON.stringify(value)}`);
      }
    }
  }
  const failed = data.QUERY_HISTORY.filter((r) => r.EXECUTION_STATUS === 'FAIL');
  assert.ok(failed.some((r) => r.ERROR_CODE === 904) && failed.some((r) => r.ERROR_CODE === 3001), 'failed queries carry 904 and 3001');
});

test('queries, sessions and logins link up', () => {
  const logins = new Map(data.LOGIN_HISTORY.map((r) => [r.EVENT_ID, r]));
  const sessions = new Map(data.SESSIONS.map((r) => [r.SESSION_ID, r]));
  for (const s of data.SESSIONS) {
    const login = logins.get(s.LOGIN_EVENT_ID);
    assert.ok(login, `session ${String(s.SESSION_ID)} has no login`);
    assert.equal(login.IS_SUCCESS, 'YES');
    assert.equal(login.USER_NAME, s.USER_NAME);
    assert.ok(ms(s.CREATED_ON) >= ms(login.EVENT_TIMESTAMP));
  }
  for (const q of data.QUERY_HISTORY) {
    const session = sessions.get(q.SESSION_ID);
    assert.ok(session, `query ${String(q.QUERY_ID)} has no session`);
    assert.equal(session.USER_NAME, q.USER_NAME);
    assert.equal(session.LOGIN_EVENT_ID, q.AUTHN_EVENT_ID);
    assert.ok(ms(q.START_TIME) >= ms(session.CREATED_ON));
    assert.ok(ms(q.END_TIME) >= ms(q.START_TIME));
  }
  const queries = new Map(data.QUERY_HISTORY.map((r) => [r.QUERY_ID, r]));
  for (const a of data.ACCESS_HISTORY) {
    const q = queries.get(a.QUERY_ID);
    assert.ok(q, `access row for unknown query ${String(a.QUERY_ID)}`);
    assert.equal(q.EXECUTION_STATUS, 'SUCCESS');
    assert.equal(a.QUERY_START_TIME, q.START_TIME);
  }
  const users = new Set(data.USERS.map((u) => u.NAME));
  for (const g of data.GRANTS_TO_USERS) assert.ok(users.has(g.GRANTEE_NAME), `grant to unknown user ${String(g.GRANTEE_NAME)}`);
  for (const s of data.SESSIONS) assert.ok(users.has(s.USER_NAME));
});

test('no row is later than the virtual now, and activity stays in the window (context rows aside)', () => {
  const timeColumns: Record<string, string> = { LOGIN_HISTORY: 'EVENT_TIMESTAMP', SESSIONS: 'CREATED_ON', QUERY_HISTORY: 'END_TIME', ACCESS_HISTORY: 'QUERY_START_TIME', DATA_TRANSFER_HISTORY: 'END_TIME' };
  for (const [view, column] of Object.entries(timeColumns)) {
    for (const row of data[view as keyof typeof data]) assert.ok(ms(row[column]) <= end, `${view}.${column} after the end`);
  }
  for (const q of data.QUERY_HISTORY) assert.ok(ms(q.START_TIME) >= start, 'query before the window');
  const olderLogins = data.LOGIN_HISTORY.filter((l) => ms(l.EVENT_TIMESTAMP) < start);
  assert.deepEqual(olderLogins.map((l) => l.USER_NAME).sort(), ['TVARGA', 'XQUISPE'], 'only the dormant-login context rows predate the window');
});

test('every ground-truth evidence id exists in its view', () => {
  const index = new Map<string, Set<string>>();
  const evidenceViews: EvidenceView[] = ['QUERY_HISTORY', 'LOGIN_HISTORY', 'SESSIONS', 'USERS', 'SHARES', 'TRUST_CENTER_FINDINGS', 'DATA_TRANSFER_HISTORY'];
  for (const view of evidenceViews) index.set(view, new Set(data[view].map((r) => evidenceIdOf(view, r))));
  for (const entry of [...scenario.groundTruth.incidents, ...scenario.groundTruth.nearMisses]) {
    assert.ok(entry.evidenceIds.length > 0, `${entry.detectionId} has no evidence`);
    for (const id of entry.evidenceIds) assert.ok(index.get(entry.evidenceView)?.has(id), `${entry.detectionId}: ${id} not in ${entry.evidenceView}`);
  }
});

test('incidents lie inside the window and are visible once the largest view latency (3 h) has passed', () => {
  const users = new Set(data.USERS.map((u) => u.NAME));
  for (const incident of scenario.groundTruth.incidents) {
    const t = Date.parse(incident.time);
    assert.ok(t <= end - 3 * 3_600_000, `${incident.id} at ${incident.time} is younger than 3 h`);
    if (incident.type === 'event') assert.ok(t >= start, `${incident.id} before the window`);
    if (incident.user !== null) assert.ok(users.has(incident.user), `${incident.id}: unknown user ${incident.user}`);
    assert.ok((GROUND_TRUTH_DETECTION_IDS as readonly string[]).includes(incident.detectionId));
  }
  // Every event incident's own rows are inside the window too (checked on the evidence rows themselves).
  const queryTimes = new Map(data.QUERY_HISTORY.map((q) => [String(q.QUERY_ID), ms(q.END_TIME)]));
  for (const incident of scenario.groundTruth.incidents.filter((i) => i.type === 'event' && i.evidenceView === 'QUERY_HISTORY')) {
    for (const id of incident.evidenceIds) {
      const t = queryTimes.get(id) ?? Number.NaN;
      assert.ok(t >= start && t <= end - 3 * 3_600_000, `${incident.id}: evidence ${id} outside the visible window`);
    }
  }
});

test('the demo covers every detection id with at least one incident and has near-misses', () => {
  const covered = new Set(scenario.groundTruth.incidents.map((i) => i.detectionId));
  for (const id of GROUND_TRUTH_DETECTION_IDS) assert.ok(covered.has(id), `no incident for ${id}`);
  assert.ok(scenario.groundTruth.nearMisses.length >= 20);
  assert.equal(data.USERS.length, 40);
  assert.ok(data.QUERY_HISTORY.length > 20_000 && data.QUERY_HISTORY.length < 40_000, `demo has ${data.QUERY_HISTORY.length} queries`);
});

test('the quiet preset has no incident and the same baseline near-misses', async () => {
  const { generateScenario, presetOptions } = await import('../../../emulator/scenario/index.ts');
  const quiet = generateScenario(presetOptions('quiet', { end: scenario.end }));
  assert.equal(quiet.groundTruth.incidents.length, 0);
  assert.ok(quiet.groundTruth.nearMisses.some((n) => n.detectionId === 'share.created'));
  assert.equal(quiet.accountParameters.PREVENT_UNLOAD_TO_INLINE_URL, 'true');
});
