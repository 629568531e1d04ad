// SF-11: a masking, row-access, aggregation or projection policy taken off data (UNSET / DROP). Removing the policy is
// how an insider with enough privilege makes protected columns readable before copying them out. Matched on the
// statement text with comments removed; adding or replacing a policy (SET) is not a removal.
import type { QueryEvent } from '../../../collect/events.ts';
import type { EventDetection, FindingDraft } from '../../types.ts';
import { stripSqlComments, succeeded } from './sql-text.ts';

const POLICY_KIND = String.raw`(MASKING|ROW\s+ACCESS|AGGREGATION|PROJECTION)\s+POLICY`;

/** Group 1 or 3: the kind of policy removed. */
export const POLICY_REMOVAL = new RegExp(
  String.raw`\b(?:UNSET|DROP)\s+${POLICY_KIND}|\bDROP\s+ALL\s+(ROW\s+ACCESS)\s+POLICIES\b`,
  'i',
);

export function removedPolicyKind(queryText: string | null): string | null {
  if (queryText === null) return null;
  const match = POLICY_REMOVAL.exec(stripSqlComments(queryText));
  if (match === null) return null;
  return (match[1] ?? match[2] ?? '').replace(/\s+/g, ' ').toLowerCase();
}

export const protectionPolicyRemoved: EventDetection<QueryEvent> = {
  kind: 'event',
  eventKind: 'query',
  id: 'exfil.protection_policy_removed',
  catalog: 'SF-11',
  title: 'Masking or row access policy removed',
  severity: 'medium',
  family: 'exfil',
  views: ['QUERY_HISTORY'],
  requires: 'Enterprise Edition (masking and row access policies)',
  parameters: {},
  metrics: ['snowflake_risk_findings_total'],
  runbook: 'exfil-protection_policy_removed',
  description:
    'A successful statement that UNSETs a masking / row access / aggregation / projection policy from a column, ' +
    'table, view or tag, DROPs one from a table (DROP ROW ACCESS POLICY, DROP ALL ROW ACCESS POLICIES) or drops a ' +
    'policy object (DROP MASKING POLICY ...). Setting a policy is not reported. Judges the original statement text ' +
    'whatever the query-text policy exports; needs the query stream (unavailable under queryEvents.scope none).',
  match(event: QueryEvent): FindingDraft | null {
    if (!succeeded(event.executionStatus)) return null;
    const kind = removedPolicyKind(event.queryText);
    if (kind === null) return null;
    return {
      user: event.user,
      time: event.endTime ?? event.startTime,
      evidenceIds: [event.queryId],
      reason: `A ${kind} policy was removed (${event.queryType ?? 'unknown statement type'})`,
      attributes: { policyKind: kind, ...(event.queryType === null ? {} : { queryType: event.queryType }), ...(event.role === null ? {} : { role: event.role }) },
    };
  },
};
