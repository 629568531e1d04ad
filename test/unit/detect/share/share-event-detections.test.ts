// The share.* event predicates on hand-built ShareEvents: which action each follows, which origins, and how a failed
// statement is reported apart from a successful one.
import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { ShareAction, ShareEvent } from '../../../../src/collect/events.ts';
import { shareAccountsAdded } from '../../../../src/detect/catalog/share/share-accounts-added.ts';
import { shareCreated } from '../../../../src/detect/catalog/share/share-created.ts';
import { shareListingChanged } from '../../../../src/detect/catalog/share/listing-changed.ts';
import { shareObjectsGranted } from '../../../../src/detect/catalog/share/share-objects-granted.ts';
import { shareReaderAccountCreated } from '../../../../src/detect/catalog/share/reader-account-created.ts';

const T = new Date('2026-11-20T10:00:00Z');

function event(action: ShareAction, fields: Partial<ShareEvent> = {}): ShareEvent {
  return {
    kind: 'share', account: 'acme', id: `share:${action}`, time: T, observedAt: T, action, shareName: 'FEED', consumerAccounts: [],
    privilege: null, grantedOn: null, objectName: null, user: 'ALICE', origin: 'QUERY_HISTORY', succeeded: true, queryId: `q-${action}`, ...fields,
  };
}

const BY_ACTION = [
  [shareCreated, 'created'],
  [shareAccountsAdded, 'accounts_added'],
  [shareObjectsGranted, 'object_granted'],
  [shareReaderAccountCreated, 'reader_account_created'],
  [shareListingChanged, 'listing_changed'],
] as const;
const ALL_ACTIONS: ShareAction[] = ['created', 'dropped', 'accounts_added', 'accounts_removed', 'object_granted', 'object_revoked', 'reader_account_created', 'listing_changed'];

describe('share event detections', () => {
  it('each matches exactly its action, with the QUERY_ID as evidence and the user', () => {
    for (const [detection, action] of BY_ACTION) {
      for (const other of ALL_ACTIONS) {
        const draft = detection.match(event(other), {});
        if (other === action) {
          assert.deepEqual([draft?.user, draft?.evidenceIds, draft?.severity], ['ALICE', [`q-${action}`], detection.severity], detection.id);
        } else assert.equal(draft, null, `${detection.id} on ${other}`);
      }
    }
  });

  it('reports a failed statement apart: own reason, succeeded=false, one level lower severity', () => {
    for (const [detection, action] of BY_ACTION) {
      const ok = detection.match(event(action), {});
      const failed = detection.match(event(action, { succeeded: false }), {});
      assert.equal(ok?.attributes?.succeeded, true);
      assert.equal(failed?.attributes?.succeeded, false);
      assert.equal(failed?.attributes?.executionStatus, 'FAIL');
      assert.match(failed?.reason ?? '', /^FAILED attempt/);
      assert.notEqual(failed?.severity, ok?.severity, detection.id);
    }
  });

  it('follows QUERY_HISTORY by default and the views when configured, so one change is one finding', () => {
    const fromView = event('created', { origin: 'SHARES', user: null, queryId: null, id: 'share:view-created' });
    assert.equal(shareCreated.match(fromView, {}), null);
    const draft = shareCreated.match(fromView, { origins: ['SHARES', 'GRANTS_TO_SHARES'] });
    assert.deepEqual([draft?.user, draft?.evidenceIds], [null, ['share:view-created']]);
    assert.equal(shareCreated.match(event('created'), { origins: ['SHARES'] }), null);
  });

  it('names the consumer accounts and the granted object', () => {
    const added = shareAccountsAdded.match(event('accounts_added', { consumerAccounts: ['ORG.A', 'ORG.B'] }), {});
    assert.equal(added?.attributes?.accounts, 'ORG.A,ORG.B');
    assert.match(added?.reason ?? '', /ORG\.A,ORG\.B/);
    const granted = shareObjectsGranted.match(event('object_granted', { privilege: 'SELECT', grantedOn: 'TABLE', objectName: 'SALES.PUBLIC.CUSTOMERS' }), {});
    assert.deepEqual([granted?.attributes?.privilege, granted?.attributes?.object], ['SELECT', 'SALES.PUBLIC.CUSTOMERS']);
  });
});
