// Runs one SQL detection's statement and turns each returned row into a FindingDraft. The statement does the work in
// Snowflake; this only types the bindings and reads the agreed columns (USER_NAME, EVENT_TIME, EVIDENCE_IDS, REASON,
// optional ATTRIBUTES and SEVERITY), so every SQL detection is read the same way by the runner and by its tests.
import type { SourcePart } from '../collect/source-parts.ts';
import { dateOf, textOf, type Row } from '../collect/sources/values.ts';
import { SEVERITIES } from '../config/schema.ts';
import { bind, type Binding, type SqlApiClient } from '../snowflake/sqlapi/index.ts';
import type { FindingDraft, ParameterValues, Severity, SqlDetection } from './types.ts';

/** Longest reason kept from a row: reasons are one sentence, and a statement must not smuggle query text through. */
const MAX_REASON_LENGTH = 300;
/** Most evidence ids kept per finding: enough to investigate, bounded for logs and memory. */
export const MAX_EVIDENCE_IDS = 50;

export class DetectionResultError extends Error {
  readonly detectionId: string;
  constructor(detectionId: string, message: string) {
    super(`detection ${detectionId}: ${message}`);
    this.name = 'DetectionResultError';
    this.detectionId = detectionId;
  }
}

export function toBinding(value: string | number | boolean | Date | null): Binding {
  if (value === null) return bind.null('TEXT');
  if (value instanceof Date) return bind.timestampLtz(value);
  if (typeof value === 'number') return Number.isInteger(value) ? bind.fixed(value) : bind.real(value);
  if (typeof value === 'boolean') return bind.boolean(value);
  return bind.text(value);
}

export interface SqlDetectionRun {
  readonly client: SqlApiClient;
  readonly detection: SqlDetection;
  readonly window: { readonly from: Date; readonly to: Date };
  readonly parameters: ParameterValues;
  readonly signal?: AbortSignal | undefined;
  readonly queryTag?: string | undefined;
  /** Optional columns (by part) the account does not have: the statement is built without them. */
  readonly missing?: ReadonlySet<SourcePart> | undefined;
}

/** Executes the detection and yields its findings row by row (bounded memory however many rows come back). */
export async function* runSqlDetection(run: SqlDetectionRun): AsyncGenerator<FindingDraft> {
  const { sql, bindings } = run.detection.statement(run.window, run.parameters, run.missing ?? new Set());
  const result = await run.client.execute(sql, {
    bindings: bindings.map(toBinding),
    signal: run.signal,
    ...(run.queryTag === undefined ? {} : { queryTag: run.queryTag }),
  });
  for await (const row of result.rowsAsObjects()) yield findingDraftFromRow(run.detection.id, row);
}

export function findingDraftFromRow(detectionId: string, row: Row): FindingDraft {
  const time = dateOf(row, 'EVENT_TIME');
  if (time === null) throw new DetectionResultError(detectionId, 'a result row has no EVENT_TIME timestamp');
  const evidence = row.EVIDENCE_IDS;
  const evidenceIds = Array.isArray(evidence)
    ? evidence.filter((id): id is string | number => typeof id === 'string' || typeof id === 'number').map(String)
    : typeof evidence === 'string'
      ? [evidence]
      : [];
  if (evidenceIds.length === 0) throw new DetectionResultError(detectionId, 'a result row has no EVIDENCE_IDS');
  const severityText = textOf(row, 'SEVERITY')?.toLowerCase();
  const severity = (SEVERITIES as readonly string[]).includes(severityText ?? '') ? (severityText as Severity) : undefined;
  const attributesValue = row.ATTRIBUTES;
  const attributes: Record<string, string | number | boolean> = {};
  if (attributesValue !== null && typeof attributesValue === 'object' && !Array.isArray(attributesValue)) {
    for (const [key, value] of Object.entries(attributesValue)) {
      if (typeof value === 'string' || typeof value === 'number' || typeof value === 'boolean') attributes[key] = value;
    }
  }
  return {
    user: textOf(row, 'USER_NAME'),
    time,
    evidenceIds: [...new Set(evidenceIds)].sort().slice(0, MAX_EVIDENCE_IDS),
    reason: (textOf(row, 'REASON') ?? detectionId).slice(0, MAX_REASON_LENGTH),
    attributes,
    ...(severity === undefined ? {} : { severity }),
  };
}
