// What a cycle costs: statements counted from the SQL API client's event stream, rows from the sources, and an
// estimate of the warehouse seconds and credits it bills. The estimate follows Snowflake's billing rules:
// per-second billing with a 60-second minimum every time a warehouse resumes, and the warehouse stays up (and bills)
// for AUTO_SUSPEND seconds after its last statement. Metadata-only work (SHOW, CURRENT_TIMESTAMP) wakes nothing.
import type { WarehouseCostConfig } from '../config/types.ts';
import { WAREHOUSE_CREDITS_PER_HOUR, type WarehouseSize } from '../config/schema.ts';
import type { SqlApiEvent } from '../snowflake/sqlapi/index.ts';

/** Snowflake bills at least this much each time a warehouse starts or resumes. */
export const MINIMUM_BILLED_SECONDS_PER_RESUME = 60;

/** Statuses of a submit request that mean Snowflake accepted (and so ran, or tried to run) the statement. */
const ACCEPTED_SUBMIT_STATUSES: ReadonlySet<number> = new Set([200, 202, 408, 422]);

export function creditsPerHour(size: WarehouseSize): number {
  return WAREHOUSE_CREDITS_PER_HOUR[size];
}

/**
 * Counts statements from the client's `onEvent` stream: a submit request Snowflake accepted. A submit that was
 * throttled (429), refused (401) or lost (5xx, network) and then resubmitted with the same requestId counts once,
 * when an attempt is accepted. Wire it when the account's client is created: `onEvent: meter.listener`.
 */
export class StatementMeter {
  #statements = 0;
  #requests = 0;

  /** Bound, so it can be handed to the client as its `onEvent` (or called from a fan-out listener). */
  readonly listener = (event: SqlApiEvent): void => {
    if (event.type !== 'request') return;
    this.#requests += 1;
    if (event.kind === 'submit' && event.status !== undefined && ACCEPTED_SUBMIT_STATUSES.has(event.status)) {
      this.#statements += 1;
    }
  };

  /** Cumulative counts; a cycle takes the difference between its end and its start. */
  snapshot(): MeterSnapshot {
    return { statements: this.#statements, requests: this.#requests };
  }
}

export interface MeterSnapshot {
  readonly statements: number;
  readonly requests: number;
}

/** The span during which warehouse-needing work ran in one cycle, in milliseconds on the scheduler's clock. */
export interface BusySpan {
  readonly start: number;
  readonly end: number;
}

export interface WarehouseBill {
  readonly seconds: number;
  readonly credits: number;
  /** True when this cycle found the warehouse suspended and so paid a resume (with its 60-second minimum). */
  readonly resumed: boolean;
}

/**
 * The warehouse's state as the exporter last left it, so that a cycle starting while the warehouse is still up from
 * the previous one pays only for the extension, not a second resume. Only the exporter's own work is known: other
 * users of a shared warehouse make the real bill smaller, never larger, than this estimate.
 */
export class WarehouseCostModel {
  readonly #autoSuspendMs: number;
  readonly #creditsPerHour: number;
  /** When the warehouse suspends if nothing else runs: last statement end + AUTO_SUSPEND. */
  #awakeUntil = Number.NEGATIVE_INFINITY;
  /** Up to when the seconds are already billed (the 60-second minimum can reach past awakeUntil). */
  #billedUntil = Number.NEGATIVE_INFINITY;
  #resumes = 0;

  constructor(config: WarehouseCostConfig) {
    this.#autoSuspendMs = config.autoSuspendSeconds * 1000;
    this.#creditsPerHour = creditsPerHour(config.size);
  }

  /** Resumes estimated so far (the model's own count, for tests and the landing page). */
  get resumes(): number {
    return this.#resumes;
  }

  /**
   * Bills a cycle. `span` is undefined when no warehouse-needing source ran (a metadata-only cycle): zero.
   * Otherwise: a suspended warehouse bills max(60 s, busy span + AUTO_SUSPEND); one still awake from the previous
   * cycle (its last activity + AUTO_SUSPEND is after this cycle's start) bills only the part beyond what was billed.
   */
  bill(span: BusySpan | undefined): WarehouseBill {
    if (span === undefined) return { seconds: 0, credits: 0, resumed: false };
    const start = span.start;
    const end = Math.max(span.start, span.end);
    const suspendAt = end + this.#autoSuspendMs;
    let billedMs: number;
    let resumed: boolean;
    // A burst starting exactly when the warehouse would suspend finds it still running (as Snowflake and the emulator do).
    if (start <= this.#awakeUntil) {
      billedMs = Math.max(0, suspendAt - this.#billedUntil);
      this.#billedUntil = Math.max(this.#billedUntil, suspendAt);
      resumed = false;
    } else {
      billedMs = Math.max(MINIMUM_BILLED_SECONDS_PER_RESUME * 1000, suspendAt - start);
      this.#billedUntil = start + billedMs;
      this.#resumes += 1;
      resumed = true;
    }
    this.#awakeUntil = Math.max(this.#awakeUntil, suspendAt);
    const seconds = billedMs / 1000;
    return { seconds, credits: (seconds / 3600) * this.#creditsPerHour, resumed };
  }
}
