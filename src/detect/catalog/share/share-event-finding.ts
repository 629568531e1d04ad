// What the share.* event detections have in common: which ShareEvents they look at (by origin) and how a matching
// event becomes a FindingDraft. The share stream (src/collect/sources/shares.ts) reports one change up to twice: from
// the SHARES / GRANTS_TO_SHARES views (authoritative, but without the user and only successful changes) and from the
// statement in QUERY_HISTORY (with the user, the QUERY_ID and failed attempts). A detection follows one of the two so
// that a change is one finding, not two; by default the QUERY_HISTORY side, the one that names who did it.
import type { ShareEvent } from '../../../collect/events.ts';
import type { DetectionParameter, FindingDraft, ParameterValues, Severity } from '../../types.ts';
import { listParameter } from '../auth/sql-helpers.ts';

export const ORIGINS_PARAMETER: DetectionParameter = {
  description:
    "Share-stream origins this detection reads: 'QUERY_HISTORY' (statements: user, QUERY_ID, failed attempts) and/or " +
    "'SHARES', 'GRANTS_TO_SHARES', 'ACCESS_HISTORY' (views: successful changes only, no user). Use the views when the " +
    'shares source runs without query text.',
  default: ['QUERY_HISTORY'],
};

/** Whether the event comes from one of the origins the detection follows. */
export function fromFollowedOrigin(event: ShareEvent, parameters: ParameterValues, definitions: Readonly<Record<string, DetectionParameter>>): boolean {
  const origins = listParameter(parameters, definitions, 'origins').map((origin) => origin.toUpperCase());
  return origins.includes(event.origin.toUpperCase());
}

/**
 * The finding of a share change. A failed statement is still reported (someone tried to expose data), but apart from
 * a successful one: its own reason, `succeeded: false`, and the lower `failedSeverity`.
 */
export function shareFinding(event: ShareEvent, what: string, severity: Severity, failedSeverity: Severity, extra: Readonly<Record<string, string | number | boolean>> = {}): FindingDraft {
  const attributes: Record<string, string | number | boolean> = {
    origin: event.origin,
    succeeded: event.succeeded,
    executionStatus: event.succeeded ? 'SUCCESS' : 'FAIL',
    ...extra,
  };
  if (event.shareName !== null) attributes.share = event.shareName;
  return {
    user: event.user,
    time: event.time,
    evidenceIds: [event.queryId ?? event.id],
    reason: event.succeeded ? what : `FAILED attempt (the statement did not succeed): ${what}`,
    attributes,
    severity: event.succeeded ? severity : failedSeverity,
  };
}
