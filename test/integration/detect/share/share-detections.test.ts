// share.* detections on the emulator: the demo scenario's share stories fire with the right user and QUERY_IDs, the
// near-misses do not, and hand-built rows pin the edge cases the issue names (a failed CREATE SHARE reported apart
// from a successful one; a share created 300 days ago not reported again; approved consumers).
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShareEvent } from '../../../../src/collect/events.ts';
import { shareAccountsAdded } from '../../../../src/detect/catalog/share/share-accounts-added.ts';
import { shareCreated } from '../../../../src/detect/catalog/share/share-created.ts';
import { shareListingChanged } from '../../../../src/detect/catalog/share/listing-changed.ts';
import { shareObjectsGranted } from '../../../../src/detect/catalog/share/share-objects-granted.ts';
import { shareReaderAccountCreated } from '../../../../src/detect/catalog/share/reader-account-created.ts';
import { shareUnapprovedConsumer } from '../../../../src/detect/catalog/share/unapproved-consumer.ts';
import type { EventDetection, FindingDraft, ParameterValues } from '../../../../src/detect/types.ts';
import { SourceUnavailableError } from '../../../../src/collect/sources/index.ts';
import { SqlDetectionSource } from '../../../../src/detect/runner/sql-detection-source.ts';
import { EMULATED_ROLE, EMULATED_WAREHOUSE, keyPairEmulatorFor } from '../../../helpers/emulator-account.ts';
import { InMemoryCollectionState, RecordingSourceContext } from '../../../helpers/emulator-source-context.ts';
import { demoAccount, demoParameters, incidentsOf, keyOf, nearMissesOf, runSql, shareEvents } from '../auth/demo-account.ts';

function matchAll(detection: EventDetection<ShareEvent>, events: readonly ShareEvent[], parameters: ParameterValues = {}): FindingDraft[] {
  return events.map((event) => detection.match(event, parameters)).filter((draft): draft is FindingDraft => draft !== null);
}

const EVENT_DETECTIONS = [shareCreated, shareAccountsAdded, shareObjectsGranted, shareReaderAccountCreated, shareListingChanged];

describe('share event detections on the demo scenario', () => {
  it('fire on the share stories with the user and QUERY_IDs, never on the near-misses', async (t) => {
    const demo = await demoAccount(t);
    const backfill = Math.ceil((demo.window.to.getTime() - demo.window.from.getTime()) / 1000);
    const events = await shareEvents(demo.e, backfill);
    for (const detection of EVENT_DETECTIONS) {
      const drafts = matchAll(detection, events);
      const expected = incidentsOf(demo.scenario, detection.id).map((i) => keyOf(i.user, i.evidenceIds)).sort();
      assert.ok(expected.length > 0, detection.id);
      assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)).sort(), expected, detection.id);
      const found = new Set(drafts.flatMap((d) => d.evidenceIds));
      for (const miss of nearMissesOf(demo.scenario, detection.id)) {
        for (const id of miss.evidenceIds) assert.ok(!found.has(String(id)), `${detection.id} near-miss ${miss.why_not}`);
      }
    }
    // The failed CREATE SHARE is reported apart from the successful one: lower severity, succeeded=false.
    const created = matchAll(shareCreated, events).sort((a, b) => a.time.getTime() - b.time.getTime());
    assert.equal(created.length, 2);
    assert.deepEqual(created.map((d) => [d.severity, d.attributes?.succeeded, d.attributes?.executionStatus]), [
      ['medium', false, 'FAIL'],
      ['high', true, 'SUCCESS'],
    ]);
    assert.match(created[0]!.reason, /^FAILED attempt/);
    const failedIncident = incidentsOf(demo.scenario, 'share.created').find((i) => i.attributes?.executionStatus === 'FAIL');
    assert.deepEqual(created[0]!.evidenceIds, failedIncident?.evidenceIds.map(String));

    // Following the SHARES view instead: over the same 14-day read, only the new share is "created"; the ones
    // created 300 and 200 days ago (rows of SHARES too, modified 300 and 120 days ago) are not reported again.
    const fromViews = matchAll(shareCreated, events, { origins: ['SHARES'] });
    assert.deepEqual(fromViews.map((d) => d.attributes?.share), ['PARTNER_FEED_SHARE']);
    for (const miss of nearMissesOf(demo.scenario, 'share.created')) {
      assert.ok(!fromViews.some((d) => d.attributes?.share === miss.object), miss.why_not);
    }
  });
});

describe('share.unapproved_consumer', () => {
  it('flags the share exposed to an unapproved consumer, with the user who added it, and not the approved ones', async (t) => {
    const demo = await demoAccount(t);
    const drafts = await runSql(demo, shareUnapprovedConsumer, demo.window, demoParameters(demo.scenario));
    const [incident] = incidentsOf(demo.scenario, 'share.unapproved_consumer');
    assert.deepEqual(drafts.map((d) => keyOf(d.user, d.evidenceIds)), [keyOf(incident!.user, incident!.evidenceIds)]);
    assert.equal(drafts[0]?.attributes?.consumers, 'ACMEPARTNER.ANALYTICS_PROD');
    assert.equal(drafts[0]?.time.toISOString(), new Date(incident!.time).toISOString());
    // With no approved list, every current share is unapproved; with all consumers approved, none is.
    const none = await runSql(demo, shareUnapprovedConsumer, demo.window, { approvedConsumerAccounts: [] });
    assert.deepEqual(none.map((d) => d.evidenceIds[0]).sort(), ['APPROVED_SUPPLIER_SHARE', 'FINANCE_AUDIT_SHARE', 'PARTNER_FEED_SHARE']);
    const all = await runSql(demo, shareUnapprovedConsumer, demo.window, {
      approvedConsumerAccounts: [...demo.scenario.groundTruth.approvedConsumerAccounts, 'acmepartner.analytics_prod'],
    });
    assert.deepEqual(all, []);
  });

  it('checks each consumer of a multi-consumer share, ignores dropped shares (whatever their earlier versions) and reads the latest version', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z') });
    const share = (name: string, targets: string, modified: string, deleted: string | null = null): Record<string, unknown> => ({
      CREATED_ON: '2026-10-01T00:00:00Z', MODIFIED_ON: modified, DELETED_ON: deleted, NAME: name, OWNER: 'SHARING_ADMIN', COMMENT: null,
      DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: targets, LISTING_GLOBAL_NAME: null,
    });
    await e.engine.insertRows('SHARES', [
      share('MIXED', 'ORG.OK1, ORG.BAD1,ORG.BAD2', '2026-11-01T00:00:00Z'),
      share('DROPPED', 'ORG.BAD3', '2026-11-02T00:00:00Z', '2026-11-03T00:00:00Z'),
      share('FIXED', 'ORG.BAD4', '2026-11-01T00:00:00Z'),
      share('FIXED', 'ORG.OK1', '2026-11-05T00:00:00Z'),
      // An earlier version not dropped, the latest dropped: the share is gone, its old consumer does not count.
      share('REVOKED', 'ORG.BAD5', '2026-11-01T00:00:00Z'),
      share('REVOKED', 'ORG.BAD5', '2026-11-06T00:00:00Z', '2026-11-06T00:00:00Z'),
    ]);
    const window = { from: new Date('2026-11-19T00:00:00Z'), to: e.now() };
    const drafts = await runSql({ e }, shareUnapprovedConsumer, window, { approvedConsumerAccounts: ['org.ok1'] });
    assert.deepEqual(drafts.map((d) => [d.evidenceIds[0], d.attributes?.consumers, d.user]), [['MIXED', 'ORG.BAD1,ORG.BAD2', null]]);
  });

  it('names who exposed a share whose name was quoted ("Sales" is stored as written)', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z') });
    await e.engine.insertRows('SHARES', [{
      CREATED_ON: '2026-10-01T00:00:00Z', MODIFIED_ON: '2026-11-19T10:00:00Z', DELETED_ON: null, NAME: 'Sales', OWNER: 'SHARING_ADMIN', COMMENT: null,
      DATABASE_NAME: 'SALES', SECURE_OBJECTS_ONLY: true, TARGET_ACCOUNTS: 'ORG.BAD1', LISTING_GLOBAL_NAME: null,
    }]);
    await e.engine.insertRows('QUERY_HISTORY', [{
      QUERY_ID: 'q-expose', QUERY_TEXT: 'ALTER SHARE "Sales" ADD ACCOUNTS = org.bad1', QUERY_TYPE: 'ALTER', USER_NAME: 'MALLORY', ROLE_NAME: 'SHARING_ADMIN',
      EXECUTION_STATUS: 'SUCCESS', QUERY_TAG: '', START_TIME: '2026-11-19T09:59:59Z', END_TIME: '2026-11-19T10:00:00Z',
    }]);
    const drafts = await runSql({ e }, shareUnapprovedConsumer, { from: new Date('2026-11-19T00:00:00Z'), to: e.now() }, {});
    assert.deepEqual(drafts.map((d) => [d.evidenceIds[0], d.user, d.attributes?.queryId]), [['Sales', 'MALLORY', 'q-expose']]);
  });

  it('is unavailable, not silent, where the role cannot read ACCOUNT_USAGE.SHARES', async (t) => {
    const e = await keyPairEmulatorFor(t, { start: new Date('2026-11-20T12:00:00Z'), engineOptions: { grants: { [EMULATED_ROLE]: [`USAGE ON WAREHOUSE ${EMULATED_WAREHOUSE}`] } } });
    const source = new SqlDetectionSource({ detection: shareUnapprovedConsumer, parameters: {}, backfillSeconds: 86_400, overlapMarginSeconds: 900 });
    const state = new InMemoryCollectionState();
    await assert.rejects(source.run(new RecordingSourceContext({ account: e.account, client: e.client, snowflakeNow: e.now(), state })), SourceUnavailableError);
    assert.equal(state.watermarks.size, 0, 'no window counts as checked');
  });
});
