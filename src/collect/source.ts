// A unit of collection work the scheduler runs for one account: an incremental event stream, a posture snapshot or
// (later) a detection. The scheduler decides WHEN (intervals, bursts, budget, deadline); a source decides WHAT (its
// SQL and how rows become events, findings or posture). Sources never talk to sinks or the store directly except
// through the context, so the commit-after-every-sink rule lives in one place.
import type { AccountConfig } from '../config/types.ts';
import type { SqlApiClient } from '../snowflake/sqlapi/index.ts';
import type { Finding, SnowflakeEvent } from './events.ts';
import type { PostureSnapshot } from './posture.ts';
import type { PartStatus } from './source-parts.ts';

export interface SourceContext {
  readonly account: AccountConfig;
  readonly client: SqlApiClient;
  /** Snowflake's CURRENT_TIMESTAMP() read at the start of the cycle: the clock for watermarks and windows. */
  readonly snowflakeNow: Date;
  /** Aborted when the cycle's deadline passes or the exporter stops; statements in flight are cancelled. */
  readonly signal: AbortSignal;
  /** The stream's committed watermark, if any. */
  position(stream: string): Date | undefined;
  /**
   * Offers events and findings read by a stream: already-delivered ids are dropped, the rest go to every sink, and
   * their ids are committed (with the new watermark when given) only once every sink accepted them.
   * Resolves to the number of new records delivered.
   */
  deliver(stream: string, events: readonly SnowflakeEvent[], findings: readonly Finding[]): Promise<number>;
  /** Commits the watermark of a stream after its whole window was delivered. */
  commitWatermark(stream: string, watermark: Date): void;
  /** Publishes the latest successful posture snapshot (replaces the previous one of the same kind). */
  publishPosture(snapshot: PostureSnapshot): void;
  /**
   * Rows the stream has read so far in this run, reported now and then during a long read (a first cycle's
   * backfill), for the progress log. Optional: a context without it (tests) ignores the reports.
   */
  reportProgress?(stream: string, rows: number): void;
}

export interface SourceRunResult {
  /** Rows read from Snowflake. */
  readonly rows: number;
  /** Records delivered (new events + findings). */
  readonly delivered: number;
  /** Time of the newest event seen, for the lag metric. */
  readonly newestEventTime?: Date | undefined;
  /**
   * The state of each part the source has (source-parts.ts): a run that succeeded without one of them reports it
   * unavailable here, with the reason, instead of failing whole or passing the gap off as an empty result.
   */
  readonly parts?: readonly PartStatus[] | undefined;
}

export interface Source {
  /** Stable id, used in metric labels and as the stream name for watermarks (e.g. 'query_history'). */
  readonly id: string;
  /** The view or command it reads (for the landing page and docs). */
  readonly view: string;
  /** Whether its statements need a running warehouse (SHOW commands and metadata queries do not). */
  readonly needsWarehouse: boolean;
  /** Critical sources keep running when the daily credit budget is reached; the others are deferred. */
  readonly critical: boolean;
  run(context: SourceContext): Promise<SourceRunResult>;
}
