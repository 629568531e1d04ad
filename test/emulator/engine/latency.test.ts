// Ingestion latency on the virtual clock: a row appears in its view only once now >= event time + the view's latency.

import assert from 'node:assert/strict';
import { test } from 'node:test';
import { createEmulatorEngine, createVirtualClock, defaultLatencyModel } from '../../../emulator/engine/index.ts';
import { T0, rows } from './helpers.ts';

const MINUTE = 60_000;

test('QUERY_HISTORY rows appear 45 minutes after END_TIME by default', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 1 });
  try {
    await engine.insertRows('QUERY_HISTORY', [{ QUERY_ID: 'q1', START_TIME: T0, END_TIME: T0 }]);
    const count = async (): Promise<string | null | undefined> => (await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY'))[0]?.[0];
    assert.equal(await count(), '0');
    clock.advance(44 * MINUTE + 59_999);
    assert.equal(await count(), '0');
    clock.advance(1);
    assert.equal(await count(), '1');
  } finally {
    await engine.close();
  }
});

test('each view has its own latency: TRUST_CENTER_FINDINGS 1 h (by UPDATED_ON), LOGIN_HISTORY 2 h, ACCESS_HISTORY 3 h', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 1 });
  try {
    await engine.insertRows('LOGIN_HISTORY', [{ EVENT_ID: 1, EVENT_TIMESTAMP: T0 }]);
    await engine.insertRows('ACCESS_HISTORY', [{ QUERY_ID: 'a', QUERY_START_TIME: T0 }]);
    await engine.insertRows('TRUST_CENTER_FINDINGS', [{ SCANNER_ID: 'S', CREATED_ON: new Date(T0.getTime() - 30 * 86_400_000), UPDATED_ON: T0 }]);
    const sql = `SELECT (SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.LOGIN_HISTORY), (SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.ACCESS_HISTORY),
      (SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS)`;
    assert.deepEqual(await rows(engine, sql), [['0', '0', '0']]);
    clock.advance(60 * MINUTE);
    assert.deepEqual(await rows(engine, sql), [['0', '0', '1']]);
    clock.advance(60 * MINUTE);
    assert.deepEqual(await rows(engine, sql), [['1', '0', '1']]);
    clock.advance(60 * MINUTE);
    assert.deepEqual(await rows(engine, sql), [['1', '1', '1']]);
  } finally {
    await engine.close();
  }
});

test('latency 0 shows rows at once; overrides take view names or SCHEMA.VIEW', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 1, latency: defaultLatencyModel({ QUERY_HISTORY: 0, 'ACCOUNT_USAGE.TRUST_CENTER_FINDINGS': 600 }) });
  try {
    await engine.insertRows('QUERY_HISTORY', [{ QUERY_ID: 'q1', END_TIME: T0 }]);
    await engine.insertRows('ACCOUNT_USAGE.TRUST_CENTER_FINDINGS', [{ SCANNER_ID: 'S', CREATED_ON: T0, UPDATED_ON: T0 }]);
    assert.deepEqual(await rows(engine, 'SELECT query_id FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY'), [['q1']]);
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS'), [['0']]);
    clock.advance(10 * MINUTE);
    assert.deepEqual(await rows(engine, 'SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.TRUST_CENTER_FINDINGS'), [['1']]);
  } finally {
    await engine.close();
  }
});

test('snapshot views (USERS): a new user and a deletion each show after the latency', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 1 });
  try {
    await engine.insertRows('USERS', [
      { USER_ID: 1, NAME: 'OLD', CREATED_ON: '2025-01-01T00:00:00Z', DELETED_ON: new Date(T0.getTime() + 60 * MINUTE) },
      { USER_ID: 2, NAME: 'NEW', CREATED_ON: T0 },
    ]);
    const sql = 'SELECT name, deleted_on IS NULL FROM SNOWFLAKE.ACCOUNT_USAGE.USERS ORDER BY name';
    assert.deepEqual(await rows(engine, sql), [['OLD', 'true']]);
    clock.advance(120 * MINUTE);
    assert.deepEqual(await rows(engine, sql), [['NEW', 'true'], ['OLD', 'true']], 'NEW is 2 h old; the deletion is only 1 h old');
    clock.advance(60 * MINUTE);
    assert.deepEqual(await rows(engine, sql), [['NEW', 'true'], ['OLD', 'false']]);
  } finally {
    await engine.close();
  }
});

test('views resolve case-insensitively, quoted or not', async () => {
  const engine = await createEmulatorEngine({ clock: createVirtualClock(T0), threads: 1, latency: defaultLatencyModel({ ROLES: 0 }) });
  try {
    await engine.insertRows('ACCOUNT_USAGE.ROLES', [{ ROLE_ID: 1, NAME: 'R', CREATED_ON: '2025-01-01T00:00:00Z' }]);
    for (const name of ['SNOWFLAKE.ACCOUNT_USAGE.ROLES', 'snowflake.account_usage.roles', '"SNOWFLAKE"."ACCOUNT_USAGE"."ROLES"', 'Snowflake.Account_Usage."ROLES"']) {
      assert.deepEqual(await rows(engine, `SELECT name FROM ${name}`), [['R']], name);
    }
  } finally {
    await engine.close();
  }
});

test('concurrent statements each see their own consistent snapshot', async () => {
  const clock = createVirtualClock(T0);
  const engine = await createEmulatorEngine({ clock, threads: 2, latency: defaultLatencyModel({ QUERY_HISTORY: 0 }) });
  try {
    await engine.insertRows('QUERY_HISTORY', Array.from({ length: 100 }, (_, i) => ({ QUERY_ID: `q${i}`, END_TIME: new Date(T0.getTime() - i * MINUTE) })));
    const answers = await Promise.all(
      Array.from({ length: 10 }, (_, k) => rows(engine, `SELECT COUNT(*) FROM SNOWFLAKE.ACCOUNT_USAGE.QUERY_HISTORY WHERE end_time >= DATEADD(MINUTE, -${k * 10}, CURRENT_TIMESTAMP())`)),
    );
    assert.deepEqual(answers.map((a) => a[0]?.[0]), Array.from({ length: 10 }, (_, k) => String(k * 10 + 1)));
  } finally {
    await engine.close();
  }
});
