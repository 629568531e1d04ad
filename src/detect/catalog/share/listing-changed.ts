// SF-15: a listing created or altered (CREATE [EXTERNAL|ORGANIZATION] LISTING, ALTER LISTING ... PUBLISH ...). A
// listing offers a share to the Marketplace or to named accounts: publishing one is an exposure decision.
import type { ShareEvent } from '../../../collect/events.ts';
import type { EventDetection } from '../../types.ts';
import { fromFollowedOrigin, ORIGINS_PARAMETER, shareFinding } from './share-event-finding.ts';

const parameters = { origins: ORIGINS_PARAMETER };

export const shareListingChanged: EventDetection<ShareEvent> = {
  kind: 'event',
  eventKind: 'share',
  id: 'share.listing_changed',
  catalog: 'SF-15',
  title: 'Listing created or altered',
  severity: 'medium',
  family: 'share',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_events_total'],
  runbook: 'share-listing_changed',
  description:
    'Reports each CREATE or ALTER of a listing (private, external or organization listing). SHOW LISTINGS and ' +
    'DESCRIBE LISTING only read and never match. Failed attempts are reported apart at low severity.',
  match(event, values) {
    if (event.action !== 'listing_changed' || !fromFollowedOrigin(event, values, parameters)) return null;
    const extra: Record<string, string> = event.objectName === null ? {} : { listing: event.objectName };
    return shareFinding(event, `Listing ${event.objectName ?? '(unnamed)'} created or altered.`, 'medium', 'low', extra);
  },
};
