// The bodies of every non-result answer, with the real codes, texts and field order (recordings 059..111 and the
// reference doc section 1.10). Kept in one place so the wire texts are easy to compare with the recordings.
import { prettyJson, type WireValue } from './wire-json.ts';

/** An answer ready to write: status, headers and the exact body bytes. */
export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string | Buffer;
  /** Result bodies (envelope or partition) are the ones a truncation fault cuts in half. */
  isResult?: boolean;
}

// Real answers vary: results and 202s say `Accept-Encoding, User-Agent`, error answers only `Accept-Encoding`.
const VARY_OK = 'Accept-Encoding, User-Agent';
const VARY_ERROR = 'Accept-Encoding';

export function jsonResponse(status: number, body: WireValue, extraHeaders: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { 'Content-Type': 'application/json', Vary: status < 300 ? VARY_OK : VARY_ERROR, ...extraHeaders },
    body: prettyJson(body),
  };
}

/** `{code, message, sqlState, statementHandle}`: statement failures (422), 400s about a handle, 408 timeouts. */
export function statementErrorResponse(
  status: number,
  error: { code: string; message: string; sqlState: string },
  statementHandle: string | null,
): WireResponse {
  return jsonResponse(status, { code: error.code, message: error.message, sqlState: error.sqlState, statementHandle });
}

/** `{code, message}`: authentication, role and throttling answers have neither sqlState nor handle (078, 081). */
export function codeMessageResponse(status: number, code: string, message: string, extraHeaders: Record<string, string> = {}): WireResponse {
  return jsonResponse(status, { code, message }, extraHeaders);
}

export const ASYNC_IN_PROGRESS_MESSAGE =
  'Asynchronous execution in progress. Use provided query id to perform query monitoring and management.';

/** 202 while a statement runs (071, 072): no sqlState, and a status URL without requestId. */
export function inProgressResponse(handle: string): WireResponse {
  return jsonResponse(202, {
    code: '333334',
    message: ASYNC_IN_PROGRESS_MESSAGE,
    statementHandle: handle,
    statementStatusUrl: `/api/v2/statements/${handle}`,
  });
}

export const CANCELED = { code: '000604', sqlState: '57014', message: 'SQL execution canceled' } as const;

/** 200 answer to a cancel (073): note the real statementStatusUrl lacks `/v2`. */
export function cancelResponse(handle: string): WireResponse {
  return jsonResponse(200, {
    code: CANCELED.code,
    sqlState: CANCELED.sqlState,
    message: CANCELED.message,
    statementHandle: handle,
    statementStatusUrl: `/api/statements/${handle}`,
  });
}

export function statementNotFound(handle: string): { code: string; message: string; sqlState: string } {
  return { code: '000709', message: `Statement ${handle} not found`, sqlState: '02000' };
}

export const INVALID_PAYLOAD = { code: '390142', message: 'Incoming request does not contain a valid payload.' } as const;

export const EMPTY_STATEMENT = { code: '000900', message: 'SQL compilation error:\nEmpty SQL statement.', sqlState: '42601' } as const;

export function timeoutError(seconds: number): { code: string; message: string; sqlState: string } {
  return {
    code: '000630',
    message: `Statement reached its statement or warehouse timeout of ${seconds} second(s) and was canceled.`,
    sqlState: '57014',
  };
}

export function invalidPartitionError(raw: string, lastPartition: number): { code: string; message: string; sqlState: string } {
  return {
    code: '391922',
    message: `Invalid partition parameter. The partition must be long type parsable and between 0 and ${lastPartition}, but '${raw}' is specified.`,
    sqlState: '22023',
  };
}

export function roleNotGrantedMessage(role: string): string {
  return (
    `Role '${role}' specified in the connect string is not granted to this user, or is not permitted for the ` +
    'credentials being used. Contact your local system administrator, or attempt to login with another role, e.g. PUBLIC.'
  );
}

/**
 * The Java servlet layer's 400 for a Content-Type it will not read (111): not Snowflake's `{code,message}` shape, and
 * not Jackson's pretty printer either (no indentation, no spaces around the colons).
 */
export function servletBadRequest(url: string): WireResponse {
  const body =
    '{\n"servlet":"com.sun.jersey.spi.container.servlet.ServletContainer-53c8845f",\n"message":"Bad Request",\n' +
    `"url":${JSON.stringify(url)},\n"status":"400"\n}`;
  return { status: 400, headers: { 'Content-Type': 'application/json', Vary: VARY_ERROR }, body };
}

/** 404 for a path the SQL API does not serve; the real one was not recorded, so this reuses the {code,message} shape. */
export function notFoundResponse(): WireResponse {
  return codeMessageResponse(404, '390404', 'Not Found');
}

/** 405 as documented: no body at all. */
export function methodNotAllowedResponse(allow: string): WireResponse {
  return { status: 405, headers: { Allow: allow }, body: '' };
}

export const TOO_MANY_REQUESTS = { code: '390505', message: 'Too many requests.' } as const;

/** What a statement that failed inside the engine with a non-Snowflake exception reports (an internal error). */
export const INTERNAL_ERROR = {
  code: '000603',
  sqlState: 'XX000',
  message: 'SQL execution internal error:\nProcessing aborted due to error 300002:2523566640; incident 0000001.',
} as const;
