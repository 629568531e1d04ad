// Why something failed, in a form fit for a log line, the landing page and /api/status: the error kind (the
// self-metrics' vocabulary), the codes (Snowflake's own, and the client's), and one bounded line of text.
//
// What the text may hold: messages the SQL API client, the token sources, the state store and the delivery
// pipeline build on purpose (they name the request, the HTTP status, the view, the operation, and quote Snowflake's
// message, which names objects and roles), cut to one line. What it never holds: a secret or a token (the client
// already leaves Snowflake's text out of 401s, which can quote the token; `scrubSecrets` masks anything shaped like
// one as a second guard), the statement's text, or a result value. So a decoding error is described by its column and
// row, not by its message (which previews the value), and an error of a built-in class (TypeError, SyntaxError...)
// by its class and where it was thrown: JSON.parse, for one, quotes the text it could not parse.
import { scrubSecrets } from '../log/process-logger.ts';
import { AuthError, OAuthTokenEndpointError } from '../snowflake/auth/index.ts';
import { ResponseDecodeError, RetriesExhaustedError, SqlApiError } from '../snowflake/sqlapi/index.ts';
import { classifyError } from './error-kind.ts';
import type { SourceErrorKind } from './observer.ts';

/** Longest message kept; Snowflake's compilation errors fit, a quoted stack or body does not. */
export const MAX_FAILURE_MESSAGE_LENGTH = 300;

export interface FailureDetail {
  readonly kind: SourceErrorKind;
  /** Snowflake's own code (e.g. `390144`, `000630`), when its answer had one. */
  readonly snowflakeCode?: string | undefined;
  /** The HTTP status of Snowflake's (or the token endpoint's) last answer, when there was one. */
  readonly httpStatus?: number | undefined;
  /**
   * The exporter's code for the failure: the SQL API client's (`SF_QUERY_FAILED`, `SF_NETWORK_ERROR`...), the token
   * source's (`OAUTH_TOKEN_ENDPOINT_UNAVAILABLE`...), the state store's (`STATE_FULL`, `STATE_CORRUPT`...) or the
   * delivery pipeline's (`DELIVERY_SINK`).
   */
  readonly code?: string | undefined;
  /** One line, at most MAX_FAILURE_MESSAGE_LENGTH characters. */
  readonly message: string;
}

/** Classes whose messages this code base writes itself, from names, codes and counts (see the header). */
const TRUSTED_MESSAGE_CLASSES: ReadonlySet<string> = new Set([
  'SourceUnavailableError',
  'StateStoreError',
  'DeliveryError',
  'CycleDeadlineError',
  'CycleStoppedError',
  'DetectionResultError',
  'IdentifierError',
]);

export function describeFailure(error: unknown, kind: SourceErrorKind = classifyError(error).kind): FailureDetail {
  if (error instanceof SqlApiError) {
    const last = error instanceof RetriesExhaustedError && error.cause instanceof SqlApiError ? error.cause : error;
    return {
      kind,
      snowflakeCode: error.snowflakeCode,
      httpStatus: error.httpStatus,
      code: last.code === error.code ? error.code : `${error.code}/${last.code}`,
      message: oneLine(error instanceof ResponseDecodeError || last instanceof ResponseDecodeError ? decodeMessage(last as ResponseDecodeError) : error.message),
    };
  }
  if (error instanceof OAuthTokenEndpointError) {
    return {
      kind,
      httpStatus: error.status ?? undefined,
      code: error.error === null ? error.code : `${error.code} (${error.error})`,
      message: oneLine(error.message),
    };
  }
  if (error instanceof AuthError) return { kind, code: error.code, message: oneLine(error.message) };
  if (error instanceof Error) {
    const stateCause = stateStoreCause(error);
    const code = stringCode(stateCause) ?? stringCode(error);
    if (TRUSTED_MESSAGE_CLASSES.has(error.name)) {
      const cause = stateCause !== undefined && stateCause !== error ? ` (${stateCause.message})` : '';
      return { kind, code, message: oneLine(`${error.message}${cause}`) };
    }
    return { kind, code, message: oneLine(`${error.name}${thrownAt(error)} (message withheld: it may quote data)`) };
  }
  return { kind, message: 'a value that is not an Error was thrown' };
}

/** The failure as "kind, Snowflake 000630, HTTP 408, SF_STATEMENT_TIMEOUT: message" for a log line or the page. */
export function formatFailure(failure: FailureDetail): string {
  const codes = [
    failure.kind,
    failure.snowflakeCode === undefined ? undefined : `Snowflake ${failure.snowflakeCode}`,
    failure.httpStatus === undefined ? undefined : `HTTP ${failure.httpStatus}`,
    failure.code,
  ].filter((part) => part !== undefined);
  return `${codes.join(', ')}: ${failure.message}`;
}

/** Whitespace (newlines included) collapsed to single spaces, masked for secrets, bounded. */
export function oneLine(text: string, max = MAX_FAILURE_MESSAGE_LENGTH): string {
  const flat = scrubSecrets(text).replace(/\s+/g, ' ').trim();
  return flat.length <= max ? flat : `${flat.slice(0, max - 1)}…`;
}

function decodeMessage(error: ResponseDecodeError): string {
  const column = error.columnIndex >= 0 ? `column ${JSON.stringify(error.column)} of ` : '';
  return `a value in ${column}row ${error.rowIndex} of the result could not be decoded`;
}

/** The StateStoreError behind a failure (itself, or the cause the delivery pipeline attached). */
function stateStoreCause(error: Error): Error | undefined {
  if (error.name === 'StateStoreError') return error;
  const cause = error.cause;
  return cause instanceof Error && cause.name === 'StateStoreError' ? cause : undefined;
}

function stringCode(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'string' && /^[A-Z][A-Z0-9_]{1,60}$/.test(code) ? code : undefined;
}

/** " at file:line" of the first stack frame in this package (paths relative to it), for a bug report. */
function thrownAt(error: Error): string {
  const root = new URL('../../', import.meta.url).href;
  for (const line of (error.stack ?? '').split('\n').slice(1)) {
    const match = /\((file:\/\/[^)]+)\)|at (file:\/\/\S+)/.exec(line);
    const location = match?.[1] ?? match?.[2];
    if (location?.startsWith(root) === true && !location.includes('/node_modules/')) return ` at ${location.slice(root.length)}`;
  }
  return '';
}
