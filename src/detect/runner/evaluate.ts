// Runs the in-process detections: 'event' predicates over the events a stream delivers, 'posture' rules over a new
// snapshot. Both are pure functions of their input, so they cost no statement. A rule that throws is a bug in that
// rule: it is reported through `onError` and the other rules (and the stream) carry on.
import type { Finding, SnowflakeEvent } from '../../collect/events.ts';
import type { PostureSnapshot } from '../../collect/posture.ts';
import { withOriginalQueryText } from '../../collect/detection-query-text.ts';
import { toFinding } from '../finding.ts';
import type { AccountDetections } from '../registry.ts';
import type { EventDetection, FindingDraft, ParameterValues } from '../types.ts';

export interface EvaluationReporter {
  /** The detection was evaluated at `at` (its last-run time). */
  evaluated?(account: string, detectionId: string, at: Date): void;
  /** The detection's rule threw; its findings for this input are lost, nothing else is. */
  failed?(account: string, detectionId: string, error: unknown): void;
}

/**
 * Calls an event detection's predicate with the event type it declared (the registry grouped them by kind). A query
 * event is shown with its original statement text: the query-text policy governs what leaves in events, not what
 * the rules may judge.
 */
function matchEvent(detection: EventDetection, event: SnowflakeEvent, parameters: ParameterValues): FindingDraft | null {
  return detection.match(event.kind === 'query' ? withOriginalQueryText(event) : event, parameters);
}

/** Findings of the account's enabled event detections over `events`; evidence defaults to the event's own id. */
export function evaluateEventDetections(
  detections: AccountDetections,
  events: readonly SnowflakeEvent[],
  observedAt: Date,
  reporter: EvaluationReporter = {},
): Finding[] {
  const findings: Finding[] = [];
  const kinds = new Set(events.map((event) => event.kind));
  for (const kind of kinds) {
    for (const detection of detections.eventDetectionsFor(kind)) {
      const parameters = detections.parameters(detection.id);
      // Per event: one event that trips a bug in a rule costs that event's finding only, reported once per batch.
      let firstError: unknown;
      let failed = false;
      for (const event of events) {
        if (event.kind !== kind) continue;
        try {
          const draft = matchEvent(detection, event, parameters);
          if (draft === null) continue;
          findings.push(toFinding(draft, { account: detections.account, detection, observedAt, defaultEvidenceIds: [event.id] }));
        } catch (error) {
          if (!failed) firstError = error;
          failed = true;
        }
      }
      if (failed) reporter.failed?.(detections.account, detection.id, firstError);
      else reporter.evaluated?.(detections.account, detection.id, observedAt);
    }
  }
  return findings;
}

/** Whether any enabled event detection matches the event (scope 'risky'); a throwing rule counts as no match. */
export function matchesAnyEventDetection(detections: AccountDetections, event: SnowflakeEvent): boolean {
  return detections.eventDetectionsFor(event.kind).some((detection) => {
    try {
      return matchEvent(detection, event, detections.parameters(detection.id)) !== null;
    } catch {
      return false;
    }
  });
}

/** Findings of the account's posture detections for this snapshot's kind; evidence defaults to the kind and user. */
export function evaluatePostureDetections(
  detections: AccountDetections,
  snapshot: PostureSnapshot,
  reporter: EvaluationReporter = {},
): Finding[] {
  const findings: Finding[] = [];
  for (const detection of detections.postureDetectionsFor(snapshot.data.kind)) {
    try {
      for (const draft of detection.evaluate(snapshot.data, detections.parameters(detection.id))) {
        const fallback = [`${snapshot.data.kind}:${draft.user ?? ''}`];
        findings.push(
          toFinding(draft, { account: detections.account, detection, observedAt: snapshot.takenAt, defaultEvidenceIds: fallback }),
        );
      }
      reporter.evaluated?.(detections.account, detection.id, snapshot.takenAt);
    } catch (error) {
      reporter.failed?.(detections.account, detection.id, error);
    }
  }
  return findings;
}
