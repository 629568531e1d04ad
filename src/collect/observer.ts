// How the collection engine reports on itself. The metrics module implements this to expose self-metrics; the landing
// page reads the same facts. Calls are synchronous and must never throw into the engine.
import type { SqlApiEvent } from '../snowflake/sqlapi/index.ts';
import type { FailureDetail } from './failure-detail.ts';
import type { PartStatus } from './source-parts.ts';

export type { FailureDetail } from './failure-detail.ts';

/** Why a source run failed. Also the `kind` label values of the error metrics, so the set is fixed here. */
export const SOURCE_ERROR_KINDS = [
  'auth', // token could not be obtained or was rejected (incl. OAuth re-authorisation needed)
  'permission', // 002003 / 003001: view missing on this edition or role lacks privilege
  'query', // other 422 from Snowflake
  'timeout', // statement timeout or cycle deadline
  'throttled', // retries on 429/503 exhausted
  'network', // connection failures after retries
  'response', // malformed or undecodable answer
  'sink', // a sink refused the batch; nothing was committed
  'state', // the state store failed (disk full, locked)
  'internal',
] as const;

export type SourceErrorKind = (typeof SOURCE_ERROR_KINDS)[number];

export interface SourceOutcome {
  readonly account: string;
  readonly source: string;
  readonly startedAt: Date;
  readonly durationSeconds: number;
  readonly rows: number;
  readonly delivered: number;
  /** Snowflake time minus the newest event time seen, when the source is a stream. */
  readonly lagSeconds?: number | undefined;
  /** The state of the source's parts in this run (SourceRunResult.parts). */
  readonly parts?: readonly PartStatus[] | undefined;
}

/** Why a cycle failed as a whole ('failed' outcome), for the log, the landing page and the cycle failure counter. */
export interface CycleFailure extends FailureDetail {
  /**
   * 'start': the cycle could not begin (no token, authentication refused, Snowflake's clock could not be read), so no
   * source ran. 'sources': every source that ran failed; `source` names the one whose failure is reported.
   */
  readonly stage: 'start' | 'sources';
  readonly source?: string | undefined;
  readonly at: Date;
}

/** Work of the engine around the sources whose failure is reported, though it fails no source. */
export type EngineOperation =
  | 'cycle history' // recording the finished cycle in the state store
  | 'credit budget' // reading or saving the day's credit spend
  | 'cycle'; // a cycle that threw instead of reporting (a defect): the account's loop goes on after a pause

export interface CycleCost {
  readonly account: string;
  readonly statements: number;
  readonly rows: number;
  readonly bytes: number;
  /** Estimated warehouse seconds billed for this cycle (resume model: 60 s minimum, AUTO_SUSPEND tail). */
  readonly warehouseSeconds: number;
  readonly credits: number;
}

export interface CollectionObserver {
  sourceSucceeded(outcome: SourceOutcome): void;
  /** `failure` says why (kind, codes, one sanitised line); the same `kind`. */
  sourceFailed(account: string, source: string, kind: SourceErrorKind, at: Date, failure?: FailureDetail): void;
  /**
   * A source was skipped: 'unavailable' (view missing or not granted), 'budget' (daily credit budget reached). For
   * 'unavailable', `detail` says which view and Snowflake's code ("SNOWFLAKE.ACCOUNT_USAGE.SESSIONS: not available to
   * the role (Snowflake 002003)"), built from names and codes only, never from a message.
   */
  sourceSkipped(account: string, source: string, reason: 'unavailable' | 'budget', detail?: string): void;
  /** `failure` is given with the 'failed' outcome: why the cycle could not start, or the failure its sources shared. */
  cycleFinished(account: string, outcome: 'ok' | 'partial' | 'failed' | 'cancelled', durationSeconds: number, failure?: CycleFailure): void;
  cost(cost: CycleCost): void;
  budgetState(account: string, creditsToday: number, budget: number | undefined, exhausted: boolean): void;
  /** Whether the account could authenticate and run its last cycle at all (snowflake_risk_up). */
  accountUp(account: string, up: boolean): void;
  sqlApiEvent(account: string, event: SqlApiEvent): void;
  /** Work around the sources failed (the state store refused the cycle's history or the budget, say). */
  operationFailed?(account: string, operation: EngineOperation, failure: FailureDetail): void;
}
