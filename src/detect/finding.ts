// FindingDraft -> Finding. The id is what makes "nothing twice" hold for findings: it depends only on the account,
// the detection and the SET of evidence ids (sorted, deduplicated), so the same behaviour seen again through an
// overlapping window, a restart or another evaluation path always hashes to the same id and the delivery
// pipeline's dedupe drops it.
import { createHash } from 'node:crypto';
import type { Finding } from '../collect/events.ts';
import { MAX_EVIDENCE_IDS } from './run-sql-detection.ts';
import type { Detection, FindingDraft } from './types.ts';

/** Evidence ids sorted and deduplicated (the canonical form hashed into the id and carried by the Finding). */
export function canonicalEvidence(evidenceIds: readonly string[]): string[] {
  return [...new Set(evidenceIds)].sort();
}

/**
 * sha256 over the JSON array [account, detectionId, ...sorted unique evidence ids], hex. JSON keeps the parts apart
 * (no separator inside an id can make two different inputs collide).
 */
export function findingId(account: string, detectionId: string, evidenceIds: readonly string[]): string {
  return createHash('sha256')
    .update(JSON.stringify([account, detectionId, ...canonicalEvidence(evidenceIds)]))
    .digest('hex');
}

export interface FindingContext {
  readonly account: string;
  readonly detection: Pick<Detection, 'id' | 'severity'>;
  /** When the exporter produced it (Snowflake's clock of the cycle). */
  readonly observedAt: Date;
  /**
   * Evidence used when the draft carries none (an event detection's own event id, a posture object): a finding
   * must always have an identity, or every evaluation would raise it anew.
   */
  readonly defaultEvidenceIds?: readonly string[] | undefined;
}

export function toFinding(draft: FindingDraft, context: FindingContext): Finding {
  const given = draft.evidenceIds.length > 0 ? draft.evidenceIds : (context.defaultEvidenceIds ?? []);
  // Hash the full canonical set, keep a bounded list on the record: the id stays exact however long the evidence.
  const evidence = canonicalEvidence(given);
  return {
    account: context.account,
    id: findingId(context.account, context.detection.id, evidence),
    detectionId: context.detection.id,
    severity: draft.severity ?? context.detection.severity,
    user: draft.user,
    time: draft.time,
    observedAt: context.observedAt,
    evidenceIds: evidence.slice(0, MAX_EVIDENCE_IDS),
    reason: draft.reason,
    attributes: { ...(draft.attributes ?? {}) },
  };
}
