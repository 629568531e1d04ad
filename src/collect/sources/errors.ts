// Errors a source raises on purpose. A view the account cannot read (edition without it, or the role lacks IMPORTED
// PRIVILEGES on SNOWFLAKE) is a state of the account, not a failure of the cycle: the scheduler reports the source
// as unavailable and keeps the others running.
import { SnowflakeQueryError, SqlApiError } from '../../snowflake/sqlapi/index.ts';
import { classifyError } from '../error-kind.ts';

/** Snowflake codes meaning "you cannot read this here": 002003 object does not exist or not authorized; 003001 insufficient privileges. */
export const UNAVAILABLE_SNOWFLAKE_CODES: ReadonlySet<string> = new Set(['002003', '003001']);

export class SourceUnavailableError extends Error {
  readonly code = 'ERR_SOURCE_UNAVAILABLE';
  readonly sourceId: string;
  /** The view or command that could not be read. */
  readonly view: string;
  readonly snowflakeCode: string | undefined;

  constructor(sourceId: string, view: string, cause: SnowflakeQueryError) {
    // Snowflake's message names the object and the role only; it never holds a credential or result data.
    super(`source ${sourceId}: ${view} is not available to the exporter's role (Snowflake ${cause.snowflakeCode ?? 'error'}): ${cause.message}`, { cause });
    this.name = 'SourceUnavailableError';
    this.sourceId = sourceId;
    this.view = view;
    this.snowflakeCode = cause.snowflakeCode;
  }
}

export function isUnavailableError(error: unknown): error is SnowflakeQueryError {
  return error instanceof SnowflakeQueryError && error.snowflakeCode !== undefined && UNAVAILABLE_SNOWFLAKE_CODES.has(error.snowflakeCode);
}

/** Rethrows a "cannot read this view" answer as SourceUnavailableError; anything else unchanged. */
export function unavailableOr(error: unknown, sourceId: string, view: string): unknown {
  return isUnavailableError(error) ? new SourceUnavailableError(sourceId, view, error) : error;
}

/**
 * Why a statement failed, in a few words for a part's reason (landing page, log): "not available to the role
 * (Snowflake 002003)", "Snowflake 000904", "timeout"... Built from codes and kinds only, never from a message, so no
 * value of a result or a statement can leak through it.
 */
export function failureReason(error: unknown): string {
  const cause = error instanceof SourceUnavailableError ? error.cause : error;
  const code = cause instanceof SqlApiError ? cause.snowflakeCode : undefined;
  if (error instanceof SourceUnavailableError || isUnavailableError(error)) return `not available to the role (Snowflake ${code ?? 'error'})`;
  const { kind } = classifyError(error);
  return code === undefined ? kind : `${kind}, Snowflake ${code}`;
}
