// Columns only some accounts have: a behaviour-change bundle adds a column to a view, and an account that has not
// enabled the bundle lacks it. Snowflake refuses a statement naming a column its view lacks at compile time (000904
// invalid identifier; no warehouse used, no row read), so a statement that can do without the column is built again
// without it and run at once. One mechanism for every statement that reads such a column: SQL detections
// (SqlDetection.optionalColumns), event streams (StreamStatement.optionalColumns) and posture snapshots.
//
// What is found missing is remembered per source (each source belongs to one account) for
// MISSING_COLUMN_RECHECK_SECONDS: the full statement is tried again only after that, so an account without the
// column pays one refused compilation per period, not one per cycle. Every successful run reports each optional
// column as a part (source-parts.ts), available or not and why: the metric snowflake_risk_source_part_unavailable,
// the landing page ("partial") and the log.
//
// Which columns may be optional is decided per statement: one that only adds information (an id, an attribute) can
// be left out; one a result depends on (USERS.HAS_MFA for MFA counts) makes that result unknown, never silently
// different.
import { SnowflakeQueryError } from '../snowflake/sqlapi/index.ts';
import { availablePart, unavailablePart, type PartStatus, type SourcePart } from './source-parts.ts';

/** A column a statement can be built without, and the part it is reported as. */
export interface OptionalColumn {
  /** The part it is reported as (source-parts.ts). */
  readonly part: SourcePart;
  /** The ACCOUNT_USAGE view and the column, as Snowflake names them (e.g. LOGIN_HISTORY, LOGIN_DETAILS). */
  readonly view: string;
  readonly column: string;
  /** What brings the column to an account, e.g. 'behaviour change bundle 2025_07'. */
  readonly providedBy: string;
}

/** How long an optional column found missing is left out before the full statement is tried again (6 h). */
export const MISSING_COLUMN_RECHECK_SECONDS = 6 * 3600;

/** Snowflake's compile-time "invalid identifier" (a column the view does not have). */
const INVALID_IDENTIFIER_CODE = '000904';

/**
 * The optional column a failed statement was refused for: 000904 invalid identifier naming it (bare, qualified by
 * an alias, or quoted), and not already left out. Anything else is not a missing optional column.
 */
export function missingOptionalColumn(
  error: unknown,
  columns: readonly OptionalColumn[] | undefined,
  missing: ReadonlySet<SourcePart>,
): OptionalColumn | undefined {
  if (!(error instanceof SnowflakeQueryError) || error.snowflakeCode !== INVALID_IDENTIFIER_CODE) return undefined;
  const named = /invalid identifier '([^']*)'/i.exec(error.message)?.[1];
  if (named === undefined) return undefined;
  const column = named.split('.').at(-1)!.replaceAll('"', '').toUpperCase();
  return (columns ?? []).find((optional) => optional.column.toUpperCase() === column && !missing.has(optional.part));
}

/** Why a part is unavailable: names and codes only, never data. */
export function missingColumnReason(column: OptionalColumn): string {
  return `${column.view}.${column.column} does not exist on this account (Snowflake 000904 invalid identifier; the column comes with ${column.providedBy})`;
}

interface MissingColumn {
  /** Snowflake time (ms) after which the full statement is tried again. */
  readonly recheckAt: number;
  readonly reason: string;
}

/** The optional columns of one source on one account: which are missing, since when, and the parts they make. */
export class OptionalColumns {
  readonly declared: readonly OptionalColumn[];
  readonly #missing = new Map<SourcePart, MissingColumn>();

  constructor(declared: readonly OptionalColumn[]) {
    this.declared = declared;
  }

  /**
   * Runs `attempt` without the columns known missing (forgetting those whose re-check time has come, by Snowflake's
   * clock `now`). When Snowflake refuses it for a declared column not yet left out, remembers that column and runs it
   * again without it; anything else is thrown as is. `attempt` must fail only before reading any row for a retry to
   * be safe: wrap a failure after rows in an error that is not a SnowflakeQueryError.
   */
  async run<T>(now: Date, attempt: (missing: ReadonlySet<SourcePart>) => Promise<T>): Promise<T> {
    const at = now.getTime();
    for (const [part, entry] of this.#missing) if (entry.recheckAt <= at) this.#missing.delete(part);
    for (;;) {
      const missing = this.missing();
      try {
        return await attempt(missing);
      } catch (error) {
        const column = missingOptionalColumn(error, this.declared, missing);
        if (column === undefined) throw error;
        // Each retry leaves out one more declared column, so this ends.
        this.#missing.set(column.part, { recheckAt: at + MISSING_COLUMN_RECHECK_SECONDS * 1000, reason: missingColumnReason(column) });
      }
    }
  }

  /** The parts whose columns this account lacks (as last found). */
  missing(): ReadonlySet<SourcePart> {
    return new Set(this.#missing.keys());
  }

  /** Each declared part, available or not and why. */
  parts(): PartStatus[] {
    const seen = new Set<SourcePart>();
    const parts: PartStatus[] = [];
    for (const { part } of this.declared) {
      if (seen.has(part)) continue;
      seen.add(part);
      const missing = this.#missing.get(part);
      parts.push(missing === undefined ? availablePart(part) : unavailablePart(part, missing.reason));
    }
    return parts;
  }
}
