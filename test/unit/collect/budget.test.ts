// The daily credit budget: per UTC day, persisted in the state store, and which sources it lets through.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { BUDGET_NAMESPACE, DailyCreditBudget, runsOverBudget } from '../../../src/collect/budget.ts';
import { MemoryStateStore } from './helpers.ts';

const morning = new Date('2026-11-26T06:00:00Z');
const evening = new Date('2026-11-26T23:59:59Z');
const nextDay = new Date('2026-11-27T00:00:00Z');

describe('DailyCreditBudget', () => {
  test('spend accumulates within a UTC day and starts again the next day', () => {
    const budget = new DailyCreditBudget({ account: 'prod', daily: 1, store: new MemoryStateStore() });
    budget.add(0.4, morning);
    assert.deepEqual(budget.add(0.5, evening), { day: '2026-11-26', creditsToday: 0.9, budget: 1, exhausted: false });
    assert.equal(budget.add(0.2, evening).exhausted, true);
    assert.deepEqual(budget.state(nextDay), { day: '2026-11-27', creditsToday: 0, budget: 1, exhausted: false });
  });

  test('a restart on the same store keeps today\'s spend', () => {
    const store = new MemoryStateStore();
    new DailyCreditBudget({ account: 'prod', daily: 1, store }).add(1.25, morning);
    const restarted = new DailyCreditBudget({ account: 'prod', daily: 1, store });
    assert.equal(restarted.state(evening).creditsToday, 1.25);
    assert.equal(restarted.state(evening).exhausted, true);
    // Another account's budget is its own.
    assert.equal(new DailyCreditBudget({ account: 'other', daily: 1, store }).state(evening).creditsToday, 0);
  });

  test('once exhausted only critical or metadata-only sources are allowed', () => {
    const budget = new DailyCreditBudget({ account: 'prod', daily: 0.5, store: new MemoryStateStore() });
    const scan = { critical: false, needsWarehouse: true };
    const posture = { critical: true, needsWarehouse: true };
    const show = { critical: false, needsWarehouse: false };
    assert.equal(budget.allows(scan, morning), true);
    budget.add(0.5, morning);
    assert.equal(budget.allows(scan, morning), false);
    assert.equal(budget.allows(posture, morning), true);
    assert.equal(budget.allows(show, morning), true);
    assert.equal(runsOverBudget(show), true);
    assert.equal(budget.allows(scan, nextDay), true);
  });

  test('no budget: never exhausted, spend still counted', () => {
    const budget = new DailyCreditBudget({ account: 'prod', daily: undefined, store: new MemoryStateStore() });
    const state = budget.add(1000, morning);
    assert.deepEqual(state, { day: '2026-11-26', creditsToday: 1000, budget: undefined, exhausted: false });
  });

  test('a damaged stored row counts as no spend instead of stopping collection', () => {
    const store = new MemoryStateStore();
    store.setValue(BUDGET_NAMESPACE, 'prod', '{not json');
    assert.equal(new DailyCreditBudget({ account: 'prod', daily: 1, store }).state(morning).creditsToday, 0);
    store.setValue(BUDGET_NAMESPACE, 'prod', JSON.stringify({ day: '2026-11-26', credits: -3 }));
    assert.equal(new DailyCreditBudget({ account: 'prod', daily: 1, store }).state(morning).creditsToday, 0);
  });
});
