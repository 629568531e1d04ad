// The detection runner: how each kind of detection joins the collection engine.
//  - 'sql'     -> SqlDetectionSource, scheduled with the streams on the interval of the source it follows;
//  - 'event'   -> DetectingSource wraps every source so deliver() evaluates them on the events it carries;
//  - 'posture' -> DetectingSource evaluates them when a snapshot of their kind is published.
import type { Source } from '../../collect/source.ts';
import type { AccountConfig } from '../../config/types.ts';
import type { AccountDetections } from '../registry.ts';
import { DetectingSource } from './detection-context.ts';
import type { EvaluationReporter } from './evaluate.ts';
import { SqlDetectionSource } from './sql-detection-source.ts';

export { DetectingSource, postureStream, withDetections, type DetectingContext } from './detection-context.ts';
export { evaluateEventDetections, evaluatePostureDetections, matchesAnyEventDetection, type EvaluationReporter } from './evaluate.ts';
export { riskyQueryRulesFor } from './risky-rules.ts';
export { detectionWindow, SqlDetectionSource, type DetectionWindow, type SqlDetectionSourceOptions } from './sql-detection-source.ts';

export interface DetectionSources {
  /** The collection sources wrapped with the in-process detections, then one source per SQL detection. */
  readonly sources: readonly Source[];
  /** Interval per SQL detection id: the interval of the source it follows (for ScheduledAccount.intervalSeconds). */
  readonly intervalSeconds: Readonly<Record<string, number>>;
}

export function withDetectionSources(
  account: AccountConfig,
  collectSources: readonly Source[],
  detections: AccountDetections,
  reporter: EvaluationReporter = {},
): DetectionSources {
  const inProcess = detections.event.length > 0 || detections.posture.length > 0;
  const wrapped = inProcess ? collectSources.map((source) => new DetectingSource(source, detections, reporter)) : [...collectSources];
  const intervalSeconds: Record<string, number> = {};
  const sqlSources = detections.sql.map((detection) => {
    intervalSeconds[detection.id] = account.intervalSeconds[detection.schedule];
    return new SqlDetectionSource({
      detection,
      parameters: detections.parameters(detection.id),
      backfillSeconds: account.backfillSeconds,
      overlapMarginSeconds: account.overlapMarginSeconds,
    });
  });
  return { sources: [...wrapped, ...sqlSources], intervalSeconds };
}
