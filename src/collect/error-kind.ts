// Sorts whatever a source threw into the small set of kinds the self-metrics count (SourceErrorKind), and says
// whether the failure means "this view does not exist here or the role may not read it" (unavailable), which the
// scheduler treats as a fact about the account rather than an error.
import { AuthError } from '../snowflake/auth/index.ts';
import {
  AuthenticationError,
  DeadlineExceededError,
  NetworkError,
  ResponseDecodeError,
  ResponseFormatError,
  ResponseTooLargeError,
  RetriesExhaustedError,
  SnowflakeHttpError,
  SnowflakeQueryError,
  SqlApiError,
  StatementCancelledError,
  StatementTimeoutError,
} from '../snowflake/sqlapi/index.ts';
import { SOURCE_ERROR_KINDS, type SourceErrorKind } from './observer.ts';

/**
 * Snowflake codes for "does not exist or not authorized": 002003 (object/schema) and 003001 (insufficient
 * privileges). ACCOUNT_USAGE views missing on an edition, or a role without IMPORTED PRIVILEGES, answer with these.
 */
export const UNAVAILABLE_SNOWFLAKE_CODES: ReadonlySet<string> = new Set(['002003', '003001']);

/** Snowflake codes of a statement refused as too many requests (429 bodies). */
const THROTTLED_SNOWFLAKE_CODES: ReadonlySet<string> = new Set(['390505']);

/** Thrown by code that is not the SQL API client (the delivery pipeline, the state store) to name its own kind. */
export interface KindedError {
  readonly errorKind: SourceErrorKind;
}

export interface ErrorClassification {
  readonly kind: SourceErrorKind;
  /** The view or privilege is missing: skip the source and retry it rarely, instead of counting an error. */
  readonly unavailable: boolean;
}

const KNOWN_KINDS: ReadonlySet<string> = new Set<string>(SOURCE_ERROR_KINDS);

export function classifyError(error: unknown): ErrorClassification {
  if (isUnavailable(error)) return { kind: 'permission', unavailable: true };
  return { kind: errorKind(error), unavailable: false };
}

/** True for SourceUnavailableError (by name: sources own that class) and for 002003 / 003001 from Snowflake. */
export function isUnavailable(error: unknown): boolean {
  if (!(error instanceof Error)) return false;
  if (error.name === 'SourceUnavailableError') return true;
  if (error instanceof SqlApiError && !(error instanceof RetriesExhaustedError)) {
    return error.snowflakeCode !== undefined && UNAVAILABLE_SNOWFLAKE_CODES.has(error.snowflakeCode);
  }
  return false;
}

function errorKind(error: unknown): SourceErrorKind {
  if (error instanceof AuthenticationError) return 'auth';
  // The token source's own failures: bad key, OAuth re-authorisation needed, token endpoint down.
  if (error instanceof AuthError) return 'auth';
  if (error instanceof StatementTimeoutError || error instanceof DeadlineExceededError) return 'timeout';
  if (error instanceof StatementCancelledError) return 'timeout';
  if (error instanceof RetriesExhaustedError) {
    const last = error.cause;
    if (last instanceof NetworkError) return 'network';
    if (last instanceof SqlApiError && (last.httpStatus === 429 || isThrottleCode(last.snowflakeCode))) return 'throttled';
    if (last instanceof SqlApiError && last.httpStatus !== undefined && last.httpStatus >= 500) return 'throttled';
    return 'network';
  }
  if (error instanceof NetworkError) return 'network';
  if (error instanceof SnowflakeQueryError) return 'query';
  if (error instanceof ResponseFormatError || error instanceof ResponseDecodeError || error instanceof ResponseTooLargeError) {
    return 'response';
  }
  if (error instanceof SnowflakeHttpError) {
    if (error.httpStatus === 429 || isThrottleCode(error.snowflakeCode)) return 'throttled';
    if (error.httpStatus === 401 || error.httpStatus === 403) return 'auth';
    return 'query';
  }
  if (hasErrorKind(error)) return error.errorKind;
  return 'internal';
}

function isThrottleCode(code: string | undefined): boolean {
  return code !== undefined && THROTTLED_SNOWFLAKE_CODES.has(code);
}

function hasErrorKind(error: unknown): error is KindedError {
  if (typeof error !== 'object' || error === null || !('errorKind' in error)) return false;
  const kind = error.errorKind;
  return typeof kind === 'string' && KNOWN_KINDS.has(kind);
}
