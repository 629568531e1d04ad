// Detections defined by the framework tests themselves (not the catalog), so the runner is tested against
// definitions whose behaviour the test controls: one of each kind, plus one over a view the emulator lacks.
import type { QueryEvent } from '../../../../src/collect/events.ts';
import type { EventDetection, PostureDetection, SqlDetection } from '../../../../src/detect/types.ts';

const base = {
  catalog: 'TEST',
  family: 'exfil',
  parameters: {},
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'test',
  description: 'Defined by the framework tests.',
} as const;

/** One finding per query whose result exceeds `minBytes` (a parameter, to test overrides). */
export const bigResultDetection: SqlDetection = {
  ...base,
  kind: 'sql',
  id: 'test.big_result',
  title: 'Large query result',
  severity: 'high',
  views: ['QUERY_HISTORY'],
  schedule: 'query_history',
  parameters: { minBytes: { description: 'Smallest result that raises a finding.', default: 1_000_000 } },
  statement: (window, parameters) => ({
    sql: `SELECT USER_NAME, START_TIME AS EVENT_TIME, QUERY_ID AS EVIDENCE_IDS, 'large result' AS REASON
FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY
WHERE END_TIME >= ? AND END_TIME < ? AND BYTES_WRITTEN_TO_RESULT > ?`,
    bindings: [window.from, window.to, parameters.minBytes as number],
  }),
};

/** Reads a view the emulator does not have: must be reported unavailable, never fail the cycle. */
export const missingViewDetection: SqlDetection = {
  ...base,
  kind: 'sql',
  id: 'test.missing_view',
  title: 'Reads a view that does not exist',
  severity: 'medium',
  views: ['NO_SUCH_VIEW'],
  schedule: 'query_history',
  statement: (window) => ({
    sql: `SELECT USER_NAME, START_TIME AS EVENT_TIME, QUERY_ID AS EVIDENCE_IDS, 'x' AS REASON
FROM SNOWFLAKE.ACCOUNT_USAGE.NO_SUCH_VIEW WHERE END_TIME >= ?`,
    bindings: [window.from],
  }),
};

/** Per query event: a successful UNLOAD. */
export const unloadEventDetection: EventDetection<QueryEvent> = {
  ...base,
  kind: 'event',
  eventKind: 'query',
  id: 'test.unload_event',
  title: 'Query unloaded data',
  severity: 'critical',
  views: ['QUERY_HISTORY'],
  match: (event) =>
    event.queryType === 'UNLOAD' ? { user: event.user, time: event.time, evidenceIds: [event.queryId], reason: 'unload' } : null,
};

/** Per users snapshot: one finding naming the count of stale users (stable across snapshots while it holds). */
export const staleUsersPostureDetection: PostureDetection = {
  ...base,
  kind: 'posture',
  postureKind: 'users',
  id: 'test.stale_users',
  title: 'Stale users snapshot',
  severity: 'low',
  views: ['USERS'],
  evaluate: (posture) =>
    posture.kind === 'users'
      ? [{ user: null, time: new Date('2026-11-20T00:00:00Z'), evidenceIds: [`stale:${posture.staleEnabledUsers}`], reason: 'stale users' }]
      : [],
};
