// Views the exporter's role cannot read surface as SourceUnavailableError (the scheduler reports the source as
// unavailable instead of failing the cycle); createSources builds the enabled set from the account.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import {
  ALL_SOURCE_IDS,
  AdminsPostureSource,
  createSources,
  GrantsSource,
  LoginHistorySource,
  OutboundSharesPostureSource,
  ParametersPostureSource,
  QueryHistorySource,
  SharesSource,
  SourceUnavailableError,
  TrustCenterPostureSource,
  UsersPostureSource,
} from '../../../src/collect/sources/index.ts';
import type { Source } from '../../../src/collect/source.ts';
import { EMULATED_ROLE, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../helpers/emulator-source-context.ts';

const START = new Date('2026-11-20T12:00:00Z');
/** The exporter's role holds its warehouse and no SNOWFLAKE grant: no ACCOUNT_USAGE, no TRUST_CENTER. */
const WAREHOUSE_ONLY = { grants: { [EMULATED_ROLE]: [`USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } };

describe('unavailable views', () => {
  it('every ACCOUNT_USAGE / TRUST_CENTER source fails with SourceUnavailableError when the role holds no SNOWFLAKE grant', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START, engineOptions: WAREHOUSE_ONLY });
    const sources: Source[] = [
      new QueryHistorySource(),
      new LoginHistorySource(),
      new SharesSource(),
      new GrantsSource(),
      new UsersPostureSource(),
      new AdminsPostureSource(),
      new TrustCenterPostureSource(),
    ];
    for (const source of sources) {
      const state = new InMemoryCollectionState();
      const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
      await assert.rejects(source.run(context), (error: unknown) => {
        assert.ok(error instanceof SourceUnavailableError, `${source.id}: ${String(error)}`);
        assert.equal(error.code, 'ERR_SOURCE_UNAVAILABLE');
        assert.equal(error.sourceId, source.id);
        assert.equal(error.snowflakeCode, '002003');
        return true;
      });
      // Nothing was committed for a source that could not read.
      assert.equal(state.watermarks.size, 0, source.id);
      assert.equal(state.postures.size, 0, source.id);
    }
  });

  it('SHOW commands keep working without ACCOUNT_USAGE', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START, engineOptions: WAREHOUSE_ONLY });
    const state = new InMemoryCollectionState();
    const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
    await new ParametersPostureSource().run(context);
    await new OutboundSharesPostureSource().run(context);
    assert.equal(state.posture('parameters')?.parameters.length, 4);
    // SHOW SHARES answered, ACCOUNT_USAGE.SHARES did not: the snapshot is published but says it is incomplete.
    assert.deepEqual(state.posture('shares'), { kind: 'shares', complete: false, outbound: [] });
  });

  it('the shares stream falls back to query text when only the SHARES views are missing', async (t) => {
    // GOVERNANCE_VIEWER reads QUERY_HISTORY; SHARES and GRANTS_TO_SHARES are SECURITY_VIEWER's, so they answer 002003.
    const e = await keyPairEmulatorFor(t, {
      start: START,
      engineOptions: { grants: { [EMULATED_ROLE]: ['DATABASE ROLE SNOWFLAKE.GOVERNANCE_VIEWER', `USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } },
    });
    const state = new InMemoryCollectionState();
    await e.engine.insertRows('QUERY_HISTORY', [
      { QUERY_ID: 'q1', QUERY_TEXT: 'CREATE SHARE S1', EXECUTION_STATUS: 'SUCCESS', QUERY_TAG: '', START_TIME: '2026-11-20T09:00:00Z', END_TIME: '2026-11-20T09:00:01Z', USER_NAME: 'A' },
    ]);
    const source = new SharesSource();
    const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
    const result = await source.run(context);
    assert.equal(result.delivered, 1);
    // The stream ran on without the two views, and says which parts it could not read and why.
    assert.deepEqual(result.parts, [
      { part: 'account_usage_shares', available: false, reason: 'SNOWFLAKE.ACCOUNT_USAGE.SHARES could not be read (not available to the role (Snowflake 002003))' },
      { part: 'grants_to_shares', available: false, reason: 'SNOWFLAKE.ACCOUNT_USAGE.GRANTS_TO_SHARES could not be read (not available to the role (Snowflake 002003))' },
      { part: 'share_statements', available: true },
    ]);
    assert.equal(state.eventsOf('share')[0]?.origin, 'QUERY_HISTORY');
    assert.deepEqual(state.watermarks.get('shares'), START);
  });
});

describe('createSources', () => {
  it('builds every source by default, with unique ids and truthful warehouse needs', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const sources = createSources(e.account);
    assert.deepEqual(sources.map((s) => s.id), [...ALL_SOURCE_IDS]);
    assert.equal(new Set(sources.map((s) => s.id)).size, sources.length);
    // outbound_shares reads ACCOUNT_USAGE.SHARES besides SHOW SHARES: it needs the warehouse (within the cycle's burst).
    assert.deepEqual(sources.filter((s) => !s.needsWarehouse).map((s) => s.id), ['parameters']);
    assert.deepEqual(sources.filter((s) => s.critical).map((s) => s.id), ['users', 'admins']);
  });

  it('honours the enabled list, query scope none and the account settings', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    assert.deepEqual(createSources(e.account, { enabled: ['users', 'query_history'] }).map((s) => s.id), ['query_history', 'users']);
    assert.deepEqual(createSources(e.account, { queryScope: 'none' }).map((s) => s.id).includes('query_history'), false);
    const account = { ...e.account, queryEvents: { ...e.account.queryEvents, scope: 'risky' as const }, posture: { staleUserDays: 30, adminRoles: ['ACCOUNTADMIN'] } };
    const built = createSources(account);
    assert.equal(built.find((s): s is QueryHistorySource => s instanceof QueryHistorySource)?.scope, 'risky');
    assert.equal(built.find((s): s is UsersPostureSource => s instanceof UsersPostureSource)?.staleAfterDays, 30);
    assert.deepEqual(built.find((s): s is AdminsPostureSource => s instanceof AdminsPostureSource)?.adminRoles, ['ACCOUNTADMIN']);
    assert.throws(() => createSources(e.account, { enabled: ['nope' as never] }), RangeError);
  });

  it('each built source runs end to end against an empty account', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: START });
    const state = new InMemoryCollectionState();
    for (const source of createSources(e.account)) {
      const context = new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state });
      const result = await source.run(context);
      assert.equal(result.delivered, 0, source.id);
    }
    assert.deepEqual([...state.watermarks.keys()].sort(), ['grants', 'login_history', 'query_history', 'shares']);
    assert.deepEqual([...state.postures.keys()].sort(), ['admins', 'parameters', 'shares', 'trust_center', 'users']);
  });
});
