import assert from 'node:assert/strict';
import { test } from 'node:test';
import type { PostureData, PostureSnapshot } from '../../../src/collect/posture.ts';
import { createExporterMetrics } from '../../../src/export/metrics/index.ts';
import { family, parseExposition, seriesKey } from './exposition.ts';

const takenAt = new Date('2026-11-26T06:00:00Z');
const snapshot = (data: PostureData, account = 'prod', at = takenAt): PostureSnapshot => ({ account, takenAt: at, data });
const share = (name: string, consumers: string[]) => ({
  name,
  database: 'DB',
  consumerAccounts: consumers,
  secureObjectsOnly: true,
  createdOn: null,
});

async function scrape(metrics: { metrics(): Promise<string> }) {
  return parseExposition(await metrics.metrics());
}

test('users posture: users by type and credential state, password users without MFA by type, bypass and stale', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.publishPosture(
    snapshot({
      kind: 'users',
      counts: [
        { userType: 'PERSON', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 4 },
        { userType: 'PERSON', hasPassword: true, hasMfa: true, hasRsaPublicKey: false, users: 10 },
        { userType: 'SERVICE', hasPassword: false, hasMfa: false, hasRsaPublicKey: true, users: 3 },
        { userType: 'NULL', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 2 },
        { userType: 'ROBOT', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 1 },
        { userType: 'SPACESHIP', hasPassword: true, hasMfa: false, hasRsaPublicKey: false, users: 1 },
      ],
      mfaBypassActive: 1,
      staleEnabledUsers: 5,
      staleAfterDays: 90,
    }),
  );
  const x = await scrape(metrics);
  const users = (user_type: string, has_password: boolean, has_mfa: boolean, key: boolean) =>
    seriesKey('snowflake_risk_users', {
      account: 'prod',
      user_type,
      has_password: String(has_password),
      has_mfa: String(has_mfa),
      has_rsa_public_key: String(key),
    });
  assert.deepEqual(
    family(x, 'snowflake_risk_users'),
    new Map([
      [users('person', true, false, false), 4],
      [users('person', true, true, false), 10],
      [users('service', false, false, true), 3],
      [users('unset', true, false, false), 2],
      // Two unknown types fold into one 'other' series whose value is their sum.
      [users('other', true, false, false), 2],
    ]),
  );
  const withoutMfa = (user_type: string) => seriesKey('snowflake_risk_users_without_mfa', { account: 'prod', user_type });
  assert.deepEqual(
    family(x, 'snowflake_risk_users_without_mfa'),
    new Map([
      [withoutMfa('person'), 4],
      [withoutMfa('service'), 0],
      [withoutMfa('legacy_service'), 0],
      [withoutMfa('unset'), 2],
      [withoutMfa('other'), 2],
    ]),
  );
  assert.equal(x.samples.get(seriesKey('snowflake_risk_users_mfa_bypass_active', { account: 'prod' })), 1);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_stale_enabled_users', { account: 'prod' })), 5);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_stale_user_threshold_seconds', { account: 'prod' })), 90 * 86_400);
  assert.equal(
    x.samples.get(seriesKey('snowflake_risk_posture_last_success_timestamp_seconds', { account: 'prod', kind: 'users' })),
    takenAt.getTime() / 1000,
  );
  assert.match(x.help.get('snowflake_risk_users_without_mfa') ?? '', /not at scrape/);
});

test('admins, parameters and Trust Center posture become exact series', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.publishPosture(
    snapshot({
      kind: 'admins',
      roles: [
        { role: 'ACCOUNTADMIN', users: 3, usersWithoutMfa: 1 },
        { role: 'SECURITYADMIN', users: 2, usersWithoutMfa: 0 },
      ],
      adminsWithoutMfa: [{ user: 'ALICE', roles: ['ACCOUNTADMIN'] }],
    }),
  );
  metrics.publishPosture(
    snapshot({
      kind: 'parameters',
      parameters: [
        { name: 'PREVENT_UNLOAD_TO_INLINE_URL', value: 'true', safe: true },
        { name: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION', value: 'false', safe: false },
      ],
    }),
  );
  metrics.publishPosture(
    snapshot({
      kind: 'trust_center',
      findings: [
        { scannerPackage: 'SECURITY_ESSENTIALS', scanner: 'MFA_REQUIRED', severity: 'CRITICAL', openFindings: 4 },
        { scannerPackage: 'CIS_BENCHMARKS', scanner: '1.4', severity: 'High', openFindings: 2 },
        { scannerPackage: 'CIS_BENCHMARKS', scanner: '1.4', severity: 'weird', openFindings: 1 },
      ],
    }),
  );
  const x = await scrape(metrics);
  assert.deepEqual(
    family(x, 'snowflake_risk_admin_users'),
    new Map([
      [seriesKey('snowflake_risk_admin_users', { account: 'prod', role: 'ACCOUNTADMIN' }), 3],
      [seriesKey('snowflake_risk_admin_users', { account: 'prod', role: 'SECURITYADMIN' }), 2],
    ]),
  );
  assert.deepEqual(
    family(x, 'snowflake_risk_admin_users_without_mfa'),
    new Map([
      [seriesKey('snowflake_risk_admin_users_without_mfa', { account: 'prod', role: 'ACCOUNTADMIN' }), 1],
      [seriesKey('snowflake_risk_admin_users_without_mfa', { account: 'prod', role: 'SECURITYADMIN' }), 0],
    ]),
  );
  assert.deepEqual(
    family(x, 'snowflake_risk_guardrail_parameter_safe'),
    new Map([
      [seriesKey('snowflake_risk_guardrail_parameter_safe', { account: 'prod', parameter: 'PREVENT_UNLOAD_TO_INLINE_URL' }), 1],
      [seriesKey('snowflake_risk_guardrail_parameter_safe', { account: 'prod', parameter: 'REQUIRE_STORAGE_INTEGRATION_FOR_STAGE_CREATION' }), 0],
    ]),
  );
  const tc = (pkg: string, scanner: string, severity: string) =>
    seriesKey('snowflake_risk_trust_center_findings', { account: 'prod', package: pkg, scanner, severity });
  assert.deepEqual(
    family(x, 'snowflake_risk_trust_center_findings'),
    new Map([
      [tc('SECURITY_ESSENTIALS', 'MFA_REQUIRED', 'critical'), 4],
      [tc('CIS_BENCHMARKS', '1.4', 'high'), 2],
      [tc('CIS_BENCHMARKS', '1.4', 'other'), 1],
    ]),
  );
  // No user name ever becomes a label.
  assert.doesNotMatch(await metrics.metrics(), /ALICE/);
});

test('a share that disappears from the next snapshot disappears from /metrics (removed, not frozen)', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod', 'dev'], processMetrics: false });
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('S1', ['A', 'B']), share('S2', ['b', 'C'])] }));
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('D1', ['X'])] }, 'dev'));
  const before = await scrape(metrics);
  const perShare = (account: string, name: string) => seriesKey('snowflake_risk_share_consumer_accounts', { account, share: name });
  assert.deepEqual(
    family(before, 'snowflake_risk_share_consumer_accounts'),
    new Map([
      [perShare('prod', 'S1'), 2],
      [perShare('prod', 'S2'), 2],
      [perShare('dev', 'D1'), 1],
    ]),
  );
  assert.equal(before.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 2);
  // Consumer accounts are counted once across shares, case-insensitively.
  assert.equal(before.samples.get(seriesKey('snowflake_risk_outbound_share_consumer_accounts', { account: 'prod' })), 3);

  const later = new Date(takenAt.getTime() + 3_600_000);
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('S2', ['C'])] }, 'prod', later));
  const after = await scrape(metrics);
  assert.deepEqual(
    family(after, 'snowflake_risk_share_consumer_accounts'),
    new Map([
      [perShare('prod', 'S2'), 1],
      [perShare('dev', 'D1'), 1],
    ]),
  );
  assert.equal(after.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 1);
  assert.equal(
    after.samples.get(seriesKey('snowflake_risk_posture_last_success_timestamp_seconds', { account: 'prod', kind: 'shares' })),
    later.getTime() / 1000,
  );
});

test('per-object posture metrics are capped to the top N, and the cap shows', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false, postureSeriesLimit: 3 });
  const shares = Array.from({ length: 6 }, (_, index) => share(`S${index}`, Array.from({ length: index + 1 }, (_, c) => `C${c}`)));
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: shares }));
  const x = await scrape(metrics);
  assert.deepEqual(
    [...family(x, 'snowflake_risk_share_consumer_accounts')].sort(),
    [
      [seriesKey('snowflake_risk_share_consumer_accounts', { account: 'prod', share: 'S3' }), 4],
      [seriesKey('snowflake_risk_share_consumer_accounts', { account: 'prod', share: 'S4' }), 5],
      [seriesKey('snowflake_risk_share_consumer_accounts', { account: 'prod', share: 'S5' }), 6],
    ],
  );
  // Totals are not capped.
  assert.equal(x.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 6);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_posture_series_capped', { account: 'prod', kind: 'shares' })), 1);

  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: shares.slice(0, 2) }));
  const uncapped = await scrape(metrics);
  assert.equal(uncapped.samples.get(seriesKey('snowflake_risk_posture_series_capped', { account: 'prod', kind: 'shares' })), 0);
  assert.equal(family(uncapped, 'snowflake_risk_share_consumer_accounts').size, 2);
});

test('a scrape sees a posture kind either wholly before or wholly after an update', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('OLD', ['A'])] }));
  // The scrape starts, then the engine publishes a new snapshot before the scrape's output is assembled.
  const pending = metrics.metrics();
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('NEW1', ['A']), share('NEW2', ['B'])] }));
  const during = parseExposition(await pending);
  assert.deepEqual([...family(during, 'snowflake_risk_share_consumer_accounts').keys()], [
    seriesKey('snowflake_risk_share_consumer_accounts', { account: 'prod', share: 'OLD' }),
  ]);
  assert.equal(during.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 1);
  const next = await scrape(metrics);
  assert.equal(family(next, 'snowflake_risk_share_consumer_accounts').size, 2);
  assert.equal(next.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 2);
});

test('a malformed snapshot is counted as an internal error and never throws into the engine', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  assert.doesNotThrow(() => metrics.publishPosture({ account: 'prod', takenAt, data: { kind: 'shares' } as unknown as PostureData }));
  const x = await scrape(metrics);
  assert.equal(x.samples.get(seriesKey('snowflake_risk_exporter_internal_errors_total', { component: 'posture' })), 1);
});

test('an incomplete shares snapshot (SHOW SHARES only) publishes no totals, and says the shares are not all known', async () => {
  const metrics = createExporterMetrics({ accounts: ['prod'], processMetrics: false });
  metrics.publishPosture(snapshot({ kind: 'shares', complete: true, outbound: [share('S1', ['A', 'B'])] }));
  const known = await scrape(metrics);
  assert.equal(known.samples.get(seriesKey('snowflake_risk_outbound_shares_known', { account: 'prod' })), 1);
  assert.equal(known.samples.get(seriesKey('snowflake_risk_outbound_shares', { account: 'prod' })), 1);

  // The role sees one share through SHOW SHARES; how many the account has is unknown: no total, rather than a wrong one.
  metrics.publishPosture(snapshot({ kind: 'shares', complete: false, outbound: [share('S2', ['C'])] }));
  const partial = await scrape(metrics);
  assert.equal(partial.samples.get(seriesKey('snowflake_risk_outbound_shares_known', { account: 'prod' })), 0);
  assert.equal(family(partial, 'snowflake_risk_outbound_shares').size, 0);
  assert.equal(family(partial, 'snowflake_risk_outbound_share_consumer_accounts').size, 0);
  // What it does see is still true of that share.
  assert.equal(partial.samples.get(seriesKey('snowflake_risk_share_consumer_accounts', { account: 'prod', share: 'S2' })), 1);
});
