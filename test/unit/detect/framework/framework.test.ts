// Unit tests of the detection framework's pure parts: finding ids, the risk score, custom SQL bindings, the registry.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { customDetection, CustomDetectionError, prepareCustomSql } from '../../../../src/detect/custom.ts';
import { findingId, toFinding } from '../../../../src/detect/finding.ts';
import { DetectionRegistry, DetectionRegistryError } from '../../../../src/detect/registry.ts';
import { RiskScoreTable, SEVERITY_WEIGHTS } from '../../../../src/detect/risk-score.ts';
import type { EventDetection, PostureDetection } from '../../../../src/detect/types.ts';
import type { LoginEvent } from '../../../../src/collect/events.ts';

const DAY = 86_400_000;
const NOW = new Date('2026-11-26T00:00:00Z');

describe('finding ids', () => {
  it('are stable, independent of evidence order and repeats, and differ by account, detection and evidence', () => {
    const id = findingId('prod', 'exfil.stage_chain', ['q2', 'q1', 'q3']);
    assert.equal(findingId('prod', 'exfil.stage_chain', ['q3', 'q1', 'q2', 'q1']), id);
    assert.match(id, /^[0-9a-f]{64}$/);
    assert.notEqual(findingId('dev', 'exfil.stage_chain', ['q1', 'q2', 'q3']), id);
    assert.notEqual(findingId('prod', 'exfil.other', ['q1', 'q2', 'q3']), id);
    assert.notEqual(findingId('prod', 'exfil.stage_chain', ['q1', 'q2']), id);
    // JSON framing: moving a separator between parts cannot collide.
    assert.notEqual(findingId('a', 'b.c', ['d']), findingId('a', 'b', ['c', 'd']));
  });

  it('toFinding sorts evidence, applies severity overrides and falls back to default evidence', () => {
    const detection = { id: 'auth.brute_force', severity: 'medium' } as const;
    const finding = toFinding(
      { user: 'ALICE', time: NOW, evidenceIds: ['b', 'a', 'b'], reason: 'r', severity: 'high' },
      { account: 'prod', detection, observedAt: NOW },
    );
    assert.deepEqual(finding.evidenceIds, ['a', 'b']);
    assert.equal(finding.severity, 'high');
    assert.equal(finding.id, findingId('prod', 'auth.brute_force', ['a', 'b']));
    const fallback = toFinding({ user: null, time: NOW, evidenceIds: [], reason: 'r' }, { account: 'prod', detection, observedAt: NOW, defaultEvidenceIds: ['e1'] });
    assert.deepEqual(fallback.evidenceIds, ['e1']);
    assert.equal(fallback.severity, 'medium');
  });
});

describe('risk score', () => {
  const finding = (user: string | null, severity: 'critical' | 'high' | 'medium' | 'low' | 'info', daysAgo: number) => ({
    account: 'prod',
    user,
    severity,
    time: new Date(NOW.getTime() - daysAgo * DAY),
  });

  it('weights severities and halves every half-life, whatever the order findings arrive in', () => {
    const table = new RiskScoreTable({ now: () => NOW, halfLifeSeconds: 7 * 86_400 });
    table.add(finding('ALICE', 'high', 0));
    table.add(finding('ALICE', 'critical', 7)); // one half-life old: 20
    table.add(finding('ALICE', 'low', 14)); // two: 0.25, added after newer ones
    table.add(finding('ALICE', 'info', 0)); // weight 0
    assert.ok(Math.abs(table.userScore('prod', 'ALICE') - (15 + 20 + 0.25)) < 1e-9);
    const later = new RiskScoreTable({ now: () => new Date(NOW.getTime() + 7 * DAY) });
    later.add(finding('BOB', 'critical', 0));
    assert.ok(Math.abs(later.userScore('prod', 'BOB') - SEVERITY_WEIGHTS.critical / 2) < 1e-9);
  });

  it('account score sums every finding, with or without a user; top N is ordered and capped', () => {
    const table = new RiskScoreTable({ now: () => NOW });
    table.add(finding('A', 'low', 0));
    table.add(finding('B', 'critical', 0));
    table.add(finding('C', 'high', 0));
    table.add(finding(null, 'medium', 0));
    assert.equal(table.accountScore('prod'), 1 + 40 + 15 + 5);
    assert.deepEqual(table.topUsers('prod', 2), [
      { user: 'B', score: 40 },
      { user: 'C', score: 15 },
    ]);
    assert.deepEqual(table.topUsers('other', 2), []);
  });

  it('keeps at most M users per account, evicting the lowest score (the newcomer too when it is lowest)', () => {
    const table = new RiskScoreTable({ now: () => NOW, maxUsersPerAccount: 2 });
    table.add(finding('A', 'high', 0));
    table.add(finding('B', 'critical', 0));
    table.add(finding('C', 'low', 0)); // lowest: evicted itself
    assert.equal(table.trackedUsers('prod'), 2);
    assert.equal(table.userScore('prod', 'C'), 0);
    table.add(finding('D', 'critical', 0)); // A (15) is now the lowest
    assert.deepEqual(table.topUsers('prod', 10).map((entry) => entry.user), ['B', 'D']);
    assert.equal(table.evictions, 2);
    assert.equal(table.accountScore('prod'), 15 + 40 + 1 + 40, 'evicted users still count for the account');
  });
});

describe('custom detections', () => {
  it('rewrites :from and :to to positional bindings outside literals, comments, casts and VARIANT paths', () => {
    const prepared = prepareCustomSql(
      'custom.x',
      `SELECT v:from AS a, ':from' AS b, x::TIMESTAMP -- :to
FROM T WHERE END_TIME >= :from AND END_TIME < :TO /* :from */ AND $$:to$$ = 'it''s :to'`,
    );
    assert.deepEqual(prepared.bindings, ['from', 'to']);
    assert.equal(
      prepared.sql,
      `SELECT v:from AS a, ':from' AS b, x::TIMESTAMP -- :to
FROM T WHERE END_TIME >= ? AND END_TIME < ? /* :from */ AND $$:to$$ = 'it''s :to'`,
    );
  });

  it('refuses empty SQL, bare "?" and unterminated literals, without quoting the SQL', () => {
    assert.throws(() => prepareCustomSql('custom.x', '   '), CustomDetectionError);
    assert.deepEqual(prepareCustomSql('custom.x', 'SELECT 1 FROM T WHERE T < :to').bindings, ['to']);
    assert.throws(() => prepareCustomSql('custom.x', 'SELECT 1 FROM T WHERE A >= :from AND B = ?'), /uses "\?"/);
    assert.throws(() => prepareCustomSql('custom.x', "SELECT 'secret FROM T WHERE A >= :from"), (error: Error) => !error.message.includes('secret'));
  });

  it('behaves like a SQL detection: schedule, severity and window bindings in order', () => {
    const detection = customDetection({
      id: 'custom.late',
      title: 'Late',
      severity: 'low',
      sql: 'SELECT 1 FROM T WHERE E < :to AND E >= :from AND F >= :from',
      description: undefined,
    });
    assert.equal(detection.kind, 'sql');
    assert.equal(detection.schedule, 'query_history');
    const from = new Date(1);
    const to = new Date(2);
    assert.deepEqual(detection.statement({ from, to }, {}).bindings, [to, from, from]);
  });
});

describe('detection registry', () => {
  const base = { catalog: 'T', family: 'auth', views: [], metrics: [], runbook: 'r', description: 'd', severity: 'low', title: 't' } as const;
  const loginRule: EventDetection<LoginEvent> = {
    ...base,
    kind: 'event',
    eventKind: 'login',
    id: 'auth.test',
    parameters: { threshold: { description: 'x', default: 5 }, allow: { description: 'y', default: ['A'] } },
    match: () => null,
  };
  const postureRule: PostureDetection = { ...base, kind: 'posture', postureKind: 'users', id: 'auth.test', parameters: {}, evaluate: () => [] };
  const other: PostureDetection = { ...base, kind: 'posture', postureKind: 'admins', id: 'auth.other', parameters: {}, evaluate: () => [] };

  it('gives each account its enabled set, parameters from defaults overridden by configuration, and the ids it lacks', () => {
    const registry = new DetectionRegistry({ builtIns: [loginRule, postureRule, other] });
    const account = registry.forAccount({ name: 'prod', detections: ['auth.test', 'auth.unwritten'], detectionParameters: { 'auth.test': { threshold: 9 } } });
    assert.deepEqual(account.enabled.map((d) => `${d.id}/${d.kind}`), ['auth.test/event', 'auth.test/posture']);
    assert.deepEqual(account.parameters('auth.test'), { threshold: 9, allow: ['A'] });
    assert.deepEqual(account.missing, ['auth.unwritten']);
    assert.deepEqual(account.eventDetectionsFor('login').map((d) => d.id), ['auth.test']);
    assert.deepEqual(account.eventDetectionsFor('query'), []);
    assert.throws(() => account.parameters('auth.other'), DetectionRegistryError);
  });

  it('refuses two definitions of one id with the same shape, and custom ids clashing with them', () => {
    assert.throws(() => new DetectionRegistry({ builtIns: [loginRule, loginRule] }), /defined twice as event:login/);
    assert.throws(
      () =>
        new DetectionRegistry({
          builtIns: [],
          extra: [customDetection({ id: 'custom.a', title: 't', severity: 'low', sql: 'SELECT 1 WHERE X >= :from', description: undefined })],
          custom: [{ id: 'custom.a', title: 't', severity: 'low', sql: 'SELECT 1 WHERE X >= :from', description: undefined }],
        }),
      DetectionRegistryError,
    );
  });
});
