// Lints the exporter's whole /metrics output with `promtool check metrics` (Prometheus's own linter). It needs the
// Debian package `prometheus` (CI installs it); without promtool this test FAILS on purpose rather than skipping.
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { test } from 'node:test';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';

const at = new Date('2026-11-26T06:00:00Z');

test('promtool check metrics finds no problem in the registry output, with every family populated', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod', 'dev'] });
  metrics.accountUp('prod', true);
  metrics.sourceSucceeded({ account: 'prod', source: 'query_history', startedAt: at, durationSeconds: 2, rows: 10, delivered: 10, lagSeconds: 60 });
  metrics.sourceFailed('prod', 'login_history', 'network', at);
  metrics.sourceSkipped('prod', 'sessions', 'budget');
  metrics.cycleFinished('prod', 'ok', 10);
  metrics.cost({ account: 'prod', statements: 3, rows: 10, bytes: 100, warehouseSeconds: 60, credits: 0.02 });
  metrics.budgetState('prod', 0.02, 1, false);
  metrics.sqlApiEvent('prod', { type: 'request', kind: 'submit', method: 'POST', status: 200, errorCode: undefined, durationMs: 3 });
  metrics.sqlApiEvent('prod', { type: 'retry', kind: 'submit', reason: 'network', status: undefined, attempt: 1, delayMs: 10 });
  metrics.publishPosture({
    account: 'prod',
    takenAt: at,
    data: {
      kind: 'users',
      counts: [{ userType: 'PERSON', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 2 }],
      mfaBypassActive: 0,
      staleEnabledUsers: 1,
      staleAfterDays: 90,
    },
  });
  metrics.publishPosture({ account: 'prod', takenAt: at, data: { kind: 'admins', roles: [{ role: 'ACCOUNTADMIN', users: 2, usersWithoutMfa: 1 }], adminsWithoutMfa: [] } });
  metrics.publishPosture({
    account: 'prod',
    takenAt: at,
    data: { kind: 'shares', complete: true, outbound: [{ name: 'S "1"\\x', database: null, consumerAccounts: ['A'], secureObjectsOnly: null, createdOn: null }] },
  });
  metrics.publishPosture({ account: 'prod', takenAt: at, data: { kind: 'parameters', parameters: [{ name: 'PREVENT_UNLOAD_TO_INLINE_URL', value: 'true', safe: true }] } });
  metrics.publishPosture({
    account: 'prod',
    takenAt: at,
    data: { kind: 'trust_center', findings: [{ scannerPackage: 'CIS_BENCHMARKS', scanner: '1.4', severity: 'HIGH', openFindings: 1 }] },
  });
  await metrics.sink.deliver(
    {
      account: 'prod',
      source: 'detections',
      events: [],
      findings: [
        { account: 'prod', id: 'f', detectionId: 'auth.brute_force', severity: 'high', user: null, time: at, observedAt: at, evidenceIds: [], reason: 'r', attributes: {} },
      ],
    },
    new AbortController().signal,
  );
  const text = await metrics.metrics();

  const result = spawnSync('promtool', ['check', 'metrics'], { input: text, encoding: 'utf8' });
  assert.equal(result.error, undefined, 'promtool must be installed (Debian package "prometheus")');
  assert.equal(result.status, 0, `promtool check metrics reported:\n${result.stdout}${result.stderr}`);
});
