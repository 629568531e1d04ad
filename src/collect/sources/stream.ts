// The incremental read shared by every event stream: window from the committed watermark minus an overlap at least
// as long as the view's ingestion latency, statements with the window start bound as a typed TIMESTAMP_LTZ (never
// spliced into the text), rows streamed partition by partition and handed over in bounded chunks, and the
// watermark committed only after the whole window was delivered. Rows read twice because of the overlap carry the
// same event id and are dropped by the delivery pipeline's dedupe.
import type { SnowflakeEvent } from '../events.ts';
import type { SourceContext, SourceRunResult } from '../source.ts';
import { bind, type Binding, type StatementResult } from '../../snowflake/sqlapi/index.ts';
import type { OptionalColumns } from '../optional-columns.ts';
import { availablePart, unavailablePart, type PartStatus, type SourcePart } from '../source-parts.ts';
import { failureReason, SourceUnavailableError, unavailableOr } from './errors.ts';
import type { Row } from './values.ts';

export interface StreamOptions {
  /** How far back the first run reads (no watermark yet). Default 24 h. */
  readonly backfillSeconds?: number | undefined;
  /** Added to the view's documented latency to get the overlap. Default 15 min. */
  readonly overlapMarginSeconds?: number | undefined;
  /** Events per deliver() call. Default 1,000. */
  readonly chunkSize?: number | undefined;
}

export const DEFAULT_BACKFILL_SECONDS = 24 * 3600;
export const DEFAULT_OVERLAP_MARGIN_SECONDS = 15 * 60;
export const DEFAULT_CHUNK_SIZE = 1000;
/** Rows between two progress reports of a run (the log keeps at most one line every few seconds of them). */
const PROGRESS_EVERY_ROWS = 1000;

export interface ResolvedStreamOptions {
  readonly backfillSeconds: number;
  readonly overlapMarginSeconds: number;
  readonly chunkSize: number;
}

export function resolveStreamOptions(options: StreamOptions = {}): ResolvedStreamOptions {
  const resolved = {
    backfillSeconds: options.backfillSeconds ?? DEFAULT_BACKFILL_SECONDS,
    overlapMarginSeconds: options.overlapMarginSeconds ?? DEFAULT_OVERLAP_MARGIN_SECONDS,
    chunkSize: options.chunkSize ?? DEFAULT_CHUNK_SIZE,
  };
  for (const [key, value] of Object.entries(resolved)) {
    if (!Number.isSafeInteger(value) || value < (key === 'chunkSize' ? 1 : 0)) throw new RangeError(`${key} must be a whole number >= ${key === 'chunkSize' ? 1 : 0}`);
  }
  return resolved;
}

/**
 * Start of the window to read: `watermark - (latency + margin)`, or `snowflakeNow - backfill` on the first run. Rows
 * that become visible late (up to the view's latency after their time) are therefore still inside the next window.
 */
export function windowStart(context: SourceContext, stream: string, latencySeconds: number, options: ResolvedStreamOptions): Date {
  const watermark = context.position(stream);
  if (watermark === undefined) return new Date(context.snowflakeNow.getTime() - options.backfillSeconds * 1000);
  return new Date(watermark.getTime() - (latencySeconds + options.overlapMarginSeconds) * 1000);
}

export interface StreamStatement {
  /** The view it reads, for SourceUnavailableError. */
  readonly view: string;
  /**
   * SQL with `:window_start` (and any other named bindings); with optional columns, built for the columns the account
   * is known to lack (`missing`, by part), which it must not name.
   */
  readonly sql: string | ((missing: ReadonlySet<SourcePart>) => string);
  /**
   * Columns of the statement only some accounts have (optional-columns.ts), owned by the source so that what is found
   * missing is remembered across runs. Refused for one of them, the statement runs again at once without it; each is
   * reported as a part.
   */
  readonly optionalColumns?: OptionalColumns;
  /** Named bindings besides `window_start`, which the runner adds. */
  readonly bindings?: Readonly<Record<string, Binding>>;
  /** 0..n events per row. */
  map(row: Row): readonly SnowflakeEvent[];
  /** Time of the row for the lag metric (the column the window filters on). */
  timeOf(row: Row): Date | null;
  /**
   * True when the stream can do without this statement: if its view is unavailable, the others still run. The
   * stream is unavailable only when every statement is. Any other failure fails the stream: committing the
   * watermark without this statement's rows would lose them for good.
   */
  readonly optional?: boolean;
  /** The part the statement is reported as (source-parts.ts), for an optional statement. */
  readonly part?: SourcePart;
}

/**
 * Runs the statements of one stream over the window from `from`, delivers their events in chunks and commits the
 * watermark at `context.snowflakeNow`. All statements are submitted at once (one burst for the warehouse) and read
 * one after the other.
 */
export async function runStream(
  context: SourceContext,
  sourceId: string,
  stream: string,
  from: Date,
  statements: readonly StreamStatement[],
  options: ResolvedStreamOptions,
): Promise<SourceRunResult> {
  const submitted = statements.map((statement) => {
    // A compile-time refusal rejects execute() before any row is read, so running it again is safe.
    const execute = (missing: ReadonlySet<SourcePart>): Promise<StatementResult> =>
      context.client.execute(typeof statement.sql === 'string' ? statement.sql : statement.sql(missing), {
        bindings: { ...statement.bindings, window_start: bind.timestampLtz(from) },
        signal: context.signal,
      });
    return statement.optionalColumns === undefined ? execute(new Set()) : statement.optionalColumns.run(context.snowflakeNow, execute);
  });
  // Every promise gets a handler now, so a failure of one does not surface as an unhandled rejection while another
  // one is being read.
  const settled = await Promise.allSettled(submitted);
  let rows = 0;
  let delivered = 0;
  let newest: Date | undefined;
  let available = 0;
  let firstUnavailable: SourceUnavailableError | undefined;
  const parts: PartStatus[] = [];
  let buffer: SnowflakeEvent[] = [];
  const flush = async (): Promise<void> => {
    if (buffer.length === 0) return;
    const chunk = buffer;
    buffer = [];
    delivered += await context.deliver(stream, chunk, []);
  };
  for (const [index, outcome] of settled.entries()) {
    const statement = statements[index]!;
    if (outcome.status === 'rejected') {
      const error = unavailableOr(outcome.reason, sourceId, statement.view);
      if (error instanceof SourceUnavailableError && statement.optional === true) {
        firstUnavailable ??= error;
        if (statement.part !== undefined) parts.push(unavailablePart(statement.part, `${statement.view} could not be read (${failureReason(error)})`));
        continue;
      }
      throw error;
    }
    available++;
    if (statement.part !== undefined) parts.push(availablePart(statement.part));
    if (statement.optionalColumns !== undefined) parts.push(...statement.optionalColumns.parts());
    const result: StatementResult = outcome.value;
    for await (const row of result.rowsAsObjects()) {
      rows++;
      const time = statement.timeOf(row);
      if (time !== null && (newest === undefined || time > newest)) newest = time;
      for (const event of statement.map(row)) buffer.push(event);
      if (buffer.length >= options.chunkSize) await flush();
      if (rows % PROGRESS_EVERY_ROWS === 0) context.reportProgress?.(stream, rows);
    }
  }
  if (available === 0 && firstUnavailable !== undefined) throw firstUnavailable;
  await flush();
  context.commitWatermark(stream, context.snowflakeNow);
  return { rows, delivered, newestEventTime: newest, ...(parts.length === 0 ? {} : { parts }) };
}
