// SF-12 (part 3): an object (database, schema, table, view...) granted to a share (GRANT ... TO SHARE). Each grant
// widens what every consumer of the share can read.
import type { ShareEvent } from '../../../collect/events.ts';
import type { EventDetection } from '../../types.ts';
import { fromFollowedOrigin, ORIGINS_PARAMETER, shareFinding } from './share-event-finding.ts';

const parameters = { origins: ORIGINS_PARAMETER };

export const shareObjectsGranted: EventDetection<ShareEvent> = {
  kind: 'event',
  eventKind: 'share',
  id: 'share.objects_granted',
  catalog: 'SF-12',
  title: 'Object granted to an outbound share',
  severity: 'high',
  family: 'share',
  views: ['QUERY_HISTORY'],
  parameters,
  metrics: ['snowflake_risk_findings_total', 'snowflake_risk_events_total'],
  runbook: 'share-objects_granted',
  description:
    'Reports each GRANT <privilege> ON <object> TO SHARE (and, from GRANTS_TO_SHARES, each new grant row). Failed ' +
    'attempts are reported apart at medium severity.',
  match(event, values) {
    if (event.action !== 'object_granted' || !fromFollowedOrigin(event, values, parameters)) return null;
    const object = [event.privilege, 'on', event.grantedOn, event.objectName].filter((part) => part !== null).join(' ');
    const extra: Record<string, string> = {};
    if (event.privilege !== null) extra.privilege = event.privilege;
    if (event.grantedOn !== null) extra.grantedOn = event.grantedOn;
    if (event.objectName !== null) extra.object = event.objectName;
    return shareFinding(event, `${object || 'An object'} granted to share ${event.shareName ?? '(unnamed)'}.`, 'high', 'medium', extra);
  },
};
