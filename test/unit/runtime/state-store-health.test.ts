// The state store's health as an operator sees it, with a real store on a real file and the real status board:
// /readyz's condition, snowflake_risk_up of every account, and the log, including a file deleted between cycles
// (found by the periodic check, with no operation running).
import assert from 'node:assert/strict';
import { renameSync } from 'node:fs';
import { join } from 'node:path';
import { test } from 'node:test';
import { setTimeout as sleep } from 'node:timers/promises';
import { StatusBoard } from '../../../src/http/index.ts';
import { StateStoreHealthReport } from '../../../src/runtime/state-store-health.ts';
import { openStateStore } from '../../../src/state/index.ts';
import { tempStateDir } from '../../helpers/state-temp.ts';

async function until(condition: () => boolean, what: string): Promise<void> {
  const giveUpAt = Date.now() + 5_000;
  while (!condition()) {
    assert.ok(Date.now() < giveUpAt, `timed out waiting for ${what}`);
    await sleep(10);
  }
}

test('a state file deleted between cycles: not ready, every account down, one error line; moved back: ready, last verdicts again', async (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path });
  t.after(() => store.close());
  const status = new StatusBoard({ accounts: ['a', 'b'] });
  status.setCondition('configuration', true);
  status.setCondition('state_store', true);
  const up: string[] = [];
  const logs: string[] = [];
  const health = new StateStoreHealthReport({
    store,
    status,
    accountUp: (account, value) => up.push(`${account}=${value ? 1 : 0}`),
    accounts: ['a', 'b'],
    log: (level, message) => logs.push(`${level} ${message}`),
    checkIntervalMs: 20,
  });
  t.after(() => health.close());

  health.accountUp('a', true); // a's last cycle reached Snowflake; b has not run yet
  assert.deepEqual(up, ['a=1']);

  renameSync(path, `${path}.away`);
  await until(() => !status.readiness().ready, 'the periodic check to notice');
  const readiness = status.readiness();
  assert.equal(readiness.reasons.length, 1);
  assert.match(readiness.reasons[0] ?? '', /^state store failing since \S+ \(deleted in verify; the exporter's log says what to do\)$/);
  assert.deepEqual(up, ['a=1', 'a=0', 'b=0']);
  assert.equal(logs.length, 1);
  assert.match(logs[0] ?? '', /^error state store failing \(deleted\): the state file .* was deleted while the exporter ran\. Every account shows snowflake_risk_up 0/);
  assert.ok(logs[0]?.includes(`What to do: ${path} was deleted or replaced`), logs[0]);

  health.accountUp('a', true); // a cycle that reached Snowflake while the store fails still counts as down
  assert.equal(up.at(-1), 'a=0');

  renameSync(`${path}.away`, path);
  await until(() => status.readiness().ready, 'the file to be found again');
  assert.equal(up.at(-1), 'a=1', "a shows its last cycle's verdict again; b stays as it was until its first cycle");
  assert.equal(up.filter((entry) => entry.startsWith('b=')).length, 1);
  assert.match(logs.at(-1) ?? '', new RegExp(`^info state store ${path} works again`));
});

test('closing stops the periodic check', async (t) => {
  const path = join(tempStateDir(t), 'state.db');
  const store = openStateStore({ path });
  t.after(() => store.close());
  const status = new StatusBoard({ accounts: [] });
  status.setCondition('configuration', true);
  status.setCondition('state_store', true);
  const health = new StateStoreHealthReport({ store, status, accountUp: () => undefined, accounts: [], log: () => undefined, checkIntervalMs: 10 });
  health.close();
  renameSync(path, `${path}.away`);
  await sleep(100);
  assert.equal(status.readiness().ready, true);
  renameSync(`${path}.away`, path);
});
