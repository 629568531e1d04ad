// SF-12 (part 1): an outbound share was created. A share is the container through which data leaves the account
// without any query or unload: creating one is the first step of exposing data to another account.
import type { ShareEvent } from '../../../collect/events.ts';
import type { EventDetection } from '../../types.ts';
import { fromFollowedOrigin, ORIGINS_PARAMETER, shareFinding } from './share-event-finding.ts';

const parameters = { origins: ORIGINS_PARAMETER };

export const shareCreated: EventDetection<ShareEvent> = {
  kind: 'event',
  eventKind: 'share',
  id: 'share.created',
  catalog: 'SF-12',
  title: 'Outbound share created',
  severity: 'high',
  family: 'share',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_events_total'],
  runbook: 'share-created',
  description:
    'Reports each CREATE SHARE seen by the share stream: a successful creation at high severity, a failed attempt ' +
    '(e.g. insufficient privileges) apart, at medium severity with succeeded=false. Shares created before the ' +
    "stream's window (long-standing shares) are not events and are never reported again.",
  match(event, values) {
    if (event.action !== 'created' || !fromFollowedOrigin(event, values, parameters)) return null;
    return shareFinding(event, `Outbound share ${event.shareName ?? '(unnamed)'} created.`, 'high', 'medium');
  },
};
