import assert from 'node:assert/strict';
import { createHash } from 'node:crypto';
import { test } from 'node:test';
import { generateScenario, SCENARIO_VIEWS, type Scenario } from '../../../emulator/scenario/index.ts';
import { FIXED_END } from './helpers.ts';

function fingerprint(scenario: Scenario): Record<string, string> {
  const out: Record<string, string> = {};
  for (const view of SCENARIO_VIEWS) {
    const hash = createHash('sha256');
    for (const row of scenario.rows(view)) hash.update(`${JSON.stringify(row)}\n`);
    out[view] = hash.digest('hex');
  }
  out.groundTruth = createHash('sha256').update(JSON.stringify(scenario.groundTruth)).digest('hex');
  return out;
}

const options = { users: 40, days: 5, queriesPerDay: 600, end: FIXED_END, accountName: 'TEST_ACCOUNT' };

test('the same seed and options give identical rows and ground truth', () => {
  const a = fingerprint(generateScenario({ ...options, seed: 42 }));
  const b = fingerprint(generateScenario({ ...options, seed: 42 }));
  assert.deepEqual(a, b);
});

test('iterating a view twice gives the same rows (lazy views are regenerated, not consumed)', () => {
  const scenario = generateScenario({ ...options, seed: 'again' });
  const first = JSON.stringify([...scenario.rows('QUERY_HISTORY')]);
  const second = JSON.stringify([...scenario.rows('QUERY_HISTORY')]);
  assert.equal(first, second);
  assert.ok(first.length > 1000);
});

test('a different seed gives different activity', () => {
  const a = fingerprint(generateScenario({ ...options, seed: 42 }));
  const b = fingerprint(generateScenario({ ...options, seed: 43 }));
  assert.notEqual(a.QUERY_HISTORY, b.QUERY_HISTORY);
  assert.notEqual(a.LOGIN_HISTORY, b.LOGIN_HISTORY);
  assert.notEqual(a.groundTruth, b.groundTruth);
});

test('the incident selection does not depend on the order it is given in', () => {
  const a = generateScenario({ ...options, seed: 1, incidents: ['stage_chain', 'brute_force'] });
  const b = generateScenario({ ...options, seed: 1, incidents: ['brute_force', 'stage_chain'] });
  assert.deepEqual(a.groundTruth, b.groundTruth);
  assert.deepEqual(new Set(a.groundTruth.incidents.map((i) => i.kind)), new Set(['stage_chain', 'brute_force']));
});

test('invalid options are rejected with every problem listed', () => {
  assert.throws(
    () => generateScenario({ seed: 1, users: 0, days: 1, queriesPerDay: -1, end: new Date('x'), accountName: 'bad name', incidents: ['nope'] as never }),
    (error: Error & { code?: string }) => {
      assert.equal(error.code, 'SCENARIO_OPTIONS');
      for (const part of ['users', 'days', 'queriesPerDay', 'end', 'accountName', 'nope']) assert.match(error.message, new RegExp(part));
      return true;
    },
  );
  assert.throws(() => generateScenario({ ...options, seed: 1, users: 10 }), /users must be at least/);
});
