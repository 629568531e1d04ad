// Typed errors of the SQL API client. Callers branch on `code` (a stable kind, like undici's UND_ERR_*) and read the
// server's own `snowflakeCode` / `sqlState` when they need the detail. No error ever carries a token, an
// Authorization header or a full result value: messages are built from server text that has been redacted, and
// values quoted by the decoder are truncated.

export type SqlApiErrorCode =
  | 'SF_QUERY_FAILED'
  | 'SF_STATEMENT_TIMEOUT'
  | 'SF_STATEMENT_CANCELLED'
  | 'SF_DEADLINE_EXCEEDED'
  | 'SF_AUTHENTICATION_FAILED'
  | 'SF_BAD_REQUEST'
  | 'SF_FORBIDDEN'
  | 'SF_NOT_FOUND'
  | 'SF_METHOD_NOT_ALLOWED'
  | 'SF_UNSUPPORTED_MEDIA_TYPE'
  | 'SF_HTTP_ERROR'
  | 'SF_RATE_LIMITED'
  | 'SF_SERVER_ERROR'
  | 'SF_NETWORK_ERROR'
  | 'SF_RETRIES_EXHAUSTED'
  | 'SF_RESPONSE_FORMAT'
  | 'SF_RESPONSE_DECODE'
  | 'SF_RESPONSE_TOO_LARGE'
  | 'SF_RESULT_CONSUMED'
  | 'SF_INVALID_BINDING';

export interface SqlApiErrorDetails {
  httpStatus?: number | undefined;
  /** Snowflake's own code from the response body, e.g. `001003`. */
  snowflakeCode?: string | undefined;
  sqlState?: string | undefined;
  statementHandle?: string | undefined;
  /** The requestId the client sent with the statement (never a secret; useful to find it in QUERY_HISTORY). */
  requestId?: string | undefined;
  cause?: unknown;
}

export class SqlApiError extends Error {
  readonly code: SqlApiErrorCode;
  readonly httpStatus: number | undefined;
  readonly snowflakeCode: string | undefined;
  readonly sqlState: string | undefined;
  readonly statementHandle: string | undefined;
  readonly requestId: string | undefined;
  /** True when repeating the same call later may succeed (the client has already retried within its bounds). */
  readonly retryable: boolean;

  constructor(code: SqlApiErrorCode, message: string, retryable: boolean, details: SqlApiErrorDetails = {}) {
    super(message, details.cause === undefined ? undefined : { cause: details.cause });
    this.name = new.target.name;
    this.code = code;
    this.retryable = retryable;
    this.httpStatus = details.httpStatus;
    this.snowflakeCode = details.snowflakeCode;
    this.sqlState = details.sqlState;
    this.statementHandle = details.statementHandle;
    this.requestId = details.requestId;
  }
}

/** HTTP 422: the SQL failed (syntax, missing object, privileges, unsupported command...). */
export class SnowflakeQueryError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_QUERY_FAILED', message, false, details);
  }
}

/** HTTP 408: the statement reached its statement or warehouse timeout and Snowflake cancelled it. */
export class StatementTimeoutError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_STATEMENT_TIMEOUT', message, false, details);
  }
}

/** The caller aborted (AbortSignal), or Snowflake reports the statement as cancelled (000604). */
export class StatementCancelledError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_STATEMENT_CANCELLED', message, false, details);
  }
}

/** The caller's deadline passed before the statement finished; the client asked Snowflake to cancel it. */
export class DeadlineExceededError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_DEADLINE_EXCEEDED', message, true, details);
  }
}

/** HTTP 401 again after the token source renewed the token once. */
export class AuthenticationError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_AUTHENTICATION_FAILED', message, false, details);
  }
}

/** Any other HTTP status the client does not retry (400, 403, 404, 405, 415, ...) or a retryable one it gave up on. */
export class SnowflakeHttpError extends SqlApiError {}

/** The connection failed or broke before a complete answer arrived. */
export class NetworkError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails) {
    super('SF_NETWORK_ERROR', message, true, details);
  }
}

/** A retryable failure repeated until the retry bounds (count or total time) ran out; `cause` is the last failure. */
export class RetriesExhaustedError extends SqlApiError {
  readonly attempts: number;

  constructor(message: string, attempts: number, last: SqlApiError) {
    super('SF_RETRIES_EXHAUSTED', message, true, {
      httpStatus: last.httpStatus,
      snowflakeCode: last.snowflakeCode,
      sqlState: last.sqlState,
      statementHandle: last.statementHandle,
      requestId: last.requestId,
      cause: last,
    });
    this.attempts = attempts;
  }
}

/** The response was not what the SQL API sends: malformed or truncated JSON, a missing field, wrong row counts. */
export class ResponseFormatError extends SqlApiError {
  constructor(message: string, details: SqlApiErrorDetails = {}) {
    super('SF_RESPONSE_FORMAT', message, false, details);
  }
}

/** One value could not be decoded by its column type. */
export class ResponseDecodeError extends SqlApiError {
  readonly column: string;
  readonly columnIndex: number;
  readonly rowIndex: number;

  constructor(message: string, where: { column: string; columnIndex: number; rowIndex: number }, details: SqlApiErrorDetails = {}) {
    super('SF_RESPONSE_DECODE', message, false, details);
    this.column = where.column;
    this.columnIndex = where.columnIndex;
    this.rowIndex = where.rowIndex;
  }
}

/** A response body exceeded the configured size bound. */
export class ResponseTooLargeError extends SqlApiError {
  constructor(limitBytes: number, details: SqlApiErrorDetails = {}) {
    super('SF_RESPONSE_TOO_LARGE', `response body exceeds the limit of ${limitBytes} bytes`, false, details);
  }
}

/** rows() was called a second time: a result streams once so that memory stays bounded. */
export class ResultConsumedError extends SqlApiError {
  constructor(details: SqlApiErrorDetails = {}) {
    super('SF_RESULT_CONSUMED', 'the rows of this result have already been read (a result streams only once)', false, details);
  }
}

/** A binding helper got a value it cannot represent (programmer error, thrown before any request). */
export class InvalidBindingError extends SqlApiError {
  constructor(message: string) {
    super('SF_INVALID_BINDING', message, false);
  }
}

/** Shows at most `max` characters of a value in a message, so a sensitive value never appears in full. */
export function previewValue(value: unknown, max = 16): string {
  let text: string;
  if (typeof value === 'string') text = value;
  else {
    try {
      text = JSON.stringify(value) ?? String(value);
    } catch {
      text = Object.prototype.toString.call(value);
    }
  }
  if (text.length <= max) return JSON.stringify(text);
  return `${JSON.stringify(text.slice(0, max))}… (${text.length} chars)`;
}
