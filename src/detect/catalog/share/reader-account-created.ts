// SF-14: a reader (managed) account created. A reader account is an account the provider pays for and hands to
// someone without Snowflake: data shared to it leaves the organisation's own accounts ("new external access point").
import type { ShareEvent } from '../../../collect/events.ts';
import type { EventDetection } from '../../types.ts';
import { fromFollowedOrigin, ORIGINS_PARAMETER, shareFinding } from './share-event-finding.ts';

const parameters = { origins: ORIGINS_PARAMETER };

export const shareReaderAccountCreated: EventDetection<ShareEvent> = {
  kind: 'event',
  eventKind: 'share',
  id: 'share.reader_account_created',
  catalog: 'SF-14',
  title: 'Reader (managed) account created',
  severity: 'high',
  family: 'share',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_events_total'],
  runbook: 'share-reader_account_created',
  description:
    'Reports each CREATE MANAGED ACCOUNT (reader account). SHOW MANAGED ACCOUNTS and other reads are not changes and ' +
    'never match. Failed attempts are reported apart at medium severity.',
  match(event, values) {
    if (event.action !== 'reader_account_created' || !fromFollowedOrigin(event, values, parameters)) return null;
    const extra: Record<string, string> = event.objectName === null ? {} : { readerAccount: event.objectName };
    return shareFinding(event, `Reader (managed) account ${event.objectName ?? '(unnamed)'} created.`, 'high', 'medium', extra);
  },
};
