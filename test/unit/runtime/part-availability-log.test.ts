import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { SourceOutcome } from '../../../src/collect/observer.ts';
import { PartAvailabilityLog } from '../../../src/runtime/part-availability-log.ts';

const base: SourceOutcome = { account: 'prod', source: 'auth.suspicious_login', startedAt: new Date('2026-11-26T06:00:00Z'), durationSeconds: 1, rows: 0, delivered: 0 };

test('a part is logged when it becomes unavailable (or its reason changes) and when it is back, never at every run', () => {
  const lines: string[] = [];
  const log = new PartAvailabilityLog((level, message) => lines.push(`${level}: ${message}`));
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: true }] });
  assert.deepEqual(lines, [], 'available from the start: nothing to say');
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: false, reason: 'no such column' }] });
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: false, reason: 'no such column' }] });
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: false, reason: 'another reason' }] });
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: true }] });
  log.sourceSucceeded({ ...base, parts: [{ part: 'login_details', available: true }] });
  log.sourceSucceeded(base); // a run that reports no parts changes nothing
  assert.deepEqual(lines, [
    'warn: account prod: auth.suspicious_login: login_details is unavailable (no such column); the rest of auth.suspicious_login still runs',
    'warn: account prod: auth.suspicious_login: login_details is unavailable (another reason); the rest of auth.suspicious_login still runs',
    'info: account prod: auth.suspicious_login: login_details is available again',
  ]);
});
