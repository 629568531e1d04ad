// A 'sql' detection as a collection Source: it runs in the same burst as the streams (so the warehouse wakes once),
// on the interval of the source it follows, over an incremental window:
//   from = last successful window end - (the followed view's latency + the account's overlap margin)
//          (first run: snowflakeNow - backfill)
//   to   = snowflakeNow
// Overlapping windows return some findings again; their ids are stable (src/detect/finding.ts), so the delivery
// pipeline drops the repeats. The window end is committed as the detection's watermark only after every finding of
// the window was delivered.
//
// A detection with optional columns (SqlDetection.optionalColumns) whose statement Snowflake refuses because the view
// lacks one runs again at once without it, and reports each optional column as a part: the mechanism of
// collect/optional-columns.ts, shared with the streams and posture snapshots.
import type { Finding } from '../../collect/events.ts';
import { OptionalColumns } from '../../collect/optional-columns.ts';
import { SOURCES } from '../../collect/source-ids.ts';
import type { SourcePart } from '../../collect/source-parts.ts';
import type { Source, SourceContext, SourceRunResult } from '../../collect/source.ts';
import { unavailableOr } from '../../collect/sources/errors.ts';
import { toFinding } from '../finding.ts';
import { runSqlDetection } from '../run-sql-detection.ts';
import type { ParameterValues, SqlDetection } from '../types.ts';

export { MISSING_COLUMN_RECHECK_SECONDS } from '../../collect/optional-columns.ts';

/** Findings handed to the pipeline per deliver() call. */
const FINDINGS_PER_DELIVERY = 500;

export interface SqlDetectionSourceOptions {
  readonly detection: SqlDetection;
  readonly parameters: ParameterValues;
  readonly backfillSeconds: number;
  readonly overlapMarginSeconds: number;
}

export interface DetectionWindow {
  readonly from: Date;
  readonly to: Date;
}

/** The look-back window of a SQL detection for this cycle (see the module comment). */
export function detectionWindow(
  context: Pick<SourceContext, 'position' | 'snowflakeNow'>,
  detection: SqlDetection,
  options: Pick<SqlDetectionSourceOptions, 'backfillSeconds' | 'overlapMarginSeconds'>,
): DetectionWindow {
  const to = context.snowflakeNow;
  const watermark = context.position(detection.id);
  const lookBackSeconds =
    watermark === undefined ? undefined : SOURCES[detection.schedule].latencySeconds + options.overlapMarginSeconds;
  const from =
    watermark === undefined || lookBackSeconds === undefined
      ? new Date(to.getTime() - options.backfillSeconds * 1000)
      : new Date(watermark.getTime() - lookBackSeconds * 1000);
  return { from: from > to ? to : from, to };
}

export class SqlDetectionSource implements Source {
  readonly id: string;
  readonly view: string;
  readonly needsWarehouse = true;
  /** Only critical detections keep running once the daily credit budget is reached. */
  readonly critical: boolean;
  readonly detection: SqlDetection;
  readonly #options: SqlDetectionSourceOptions;
  /** Optional columns this account was found not to have (the source is per account). */
  readonly #columns: OptionalColumns;

  constructor(options: SqlDetectionSourceOptions) {
    this.detection = options.detection;
    this.id = options.detection.id;
    this.view = options.detection.views.join(', ') || 'custom SQL';
    this.critical = options.detection.severity === 'critical';
    this.#options = options;
    this.#columns = new OptionalColumns(options.detection.optionalColumns ?? []);
  }

  async run(context: SourceContext): Promise<SourceRunResult> {
    const window = detectionWindow(context, this.detection, this.#options);
    let result: WindowResult;
    try {
      result = await this.#columns.run(context.snowflakeNow, (missing) => this.#runWindow(context, window, missing));
    } catch (error) {
      // A missing view or privilege is a fact about the account: the cycle reports the detection unavailable.
      throw unavailableOr(error instanceof FindingsStarted ? error.cause : error, this.id, this.view);
    }
    context.commitWatermark(this.id, window.to);
    return { ...result, ...(this.detection.optionalColumns === undefined ? {} : { parts: this.#columns.parts() }) };
  }

  /** Runs the statement over the window (without the columns `missing`) and delivers its findings. */
  async #runWindow(context: SourceContext, window: DetectionWindow, missing: ReadonlySet<SourcePart>): Promise<WindowResult> {
    const account = context.account.name;
    let rows = 0;
    let delivered = 0;
    let newest: Date | undefined;
    let buffer: Finding[] = [];
    const flush = async (): Promise<void> => {
      if (buffer.length === 0) return;
      const chunk = buffer;
      buffer = [];
      delivered += await context.deliver(this.id, [], chunk);
    };
    try {
      const drafts = runSqlDetection({
        client: context.client,
        detection: this.detection,
        window,
        parameters: this.#options.parameters,
        signal: context.signal,
        missing,
      });
      for await (const draft of drafts) {
        rows++;
        if (newest === undefined || draft.time > newest) newest = draft.time;
        buffer.push(toFinding(draft, { account, detection: this.detection, observedAt: context.snowflakeNow }));
        if (buffer.length >= FINDINGS_PER_DELIVERY) await flush();
      }
    } catch (error) {
      // Only a statement refused before its first row may be run again without a column.
      throw rows > 0 ? new FindingsStarted(error) : error;
    }
    await flush();
    return { rows, delivered, newestEventTime: newest };
  }
}

interface WindowResult {
  readonly rows: number;
  readonly delivered: number;
  readonly newestEventTime: Date | undefined;
}

/** A failure after rows were read: never a reason to run the statement again (not a SnowflakeQueryError). */
class FindingsStarted extends Error {
  constructor(cause: unknown) {
    super('the detection failed after its first rows', { cause });
    this.name = 'FindingsStarted';
  }
}
