// SF-12 (part 2): consumer accounts added to an outbound share (ALTER SHARE ... ADD ACCOUNTS, or SET ACCOUNTS which
// replaces the list). This is the step that actually exposes the data: from then on the consumer can query it.
import type { ShareEvent } from '../../../collect/events.ts';
import type { EventDetection } from '../../types.ts';
import { fromFollowedOrigin, ORIGINS_PARAMETER, shareFinding } from './share-event-finding.ts';

const parameters = { origins: ORIGINS_PARAMETER };

export const shareAccountsAdded: EventDetection<ShareEvent> = {
  kind: 'event',
  eventKind: 'share',
  id: 'share.accounts_added',
  catalog: 'SF-12',
  title: 'Consumer accounts added to an outbound share',
  severity: 'high',
  family: 'share',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_events_total'],
  runbook: 'share-accounts_added',
  description:
    'Reports each ALTER SHARE ... ADD ACCOUNTS / SET ACCOUNTS (and, from the SHARES view, each account that appears ' +
    "in a share's TARGET_ACCOUNTS). Failed attempts are reported apart at medium severity. Whether the consumer is " +
    'approved is share.unapproved_consumer.',
  match(event, values) {
    if (event.action !== 'accounts_added' || !fromFollowedOrigin(event, values, parameters)) return null;
    const accounts = event.consumerAccounts.join(',');
    return shareFinding(event, `Consumer account(s) ${accounts || '(unparsed)'} added to share ${event.shareName ?? '(unnamed)'}.`, 'high', 'medium', { accounts });
  },
};
