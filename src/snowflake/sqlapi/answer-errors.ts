// Maps an HTTP answer the client will not retry (any more) to its typed error. Snowflake's own code, SQL state,
// message and statement handle are carried over when the body has them; bodies of other shapes (the servlet layer's
// 400, empty 405s) still give a typed error by status.
import { readErrorBody } from './envelope.ts';
import {
  AuthenticationError,
  SnowflakeHttpError,
  SnowflakeQueryError,
  StatementCancelledError,
  StatementTimeoutError,
  type SqlApiError,
  type SqlApiErrorCode,
  type SqlApiErrorDetails,
} from './errors.ts';
import type { HttpAnswer } from './transport.ts';

/** Snowflake's code for "SQL execution canceled". */
const CANCELLED_CODE = '000604';

export interface AnswerContext {
  readonly requestId: string | undefined;
  readonly statementHandle: string | undefined;
  /** The token source's method, named in authentication errors. */
  readonly tokenMethod: string;
}

function kindOf(status: number): [SqlApiErrorCode, boolean] {
  switch (status) {
    case 400:
      return ['SF_BAD_REQUEST', false];
    case 403:
      return ['SF_FORBIDDEN', false];
    case 404:
      return ['SF_NOT_FOUND', false];
    case 405:
      return ['SF_METHOD_NOT_ALLOWED', false];
    case 415:
      return ['SF_UNSUPPORTED_MEDIA_TYPE', false];
    case 429:
      return ['SF_RATE_LIMITED', true];
    default:
      return status >= 500 ? ['SF_SERVER_ERROR', status !== 501 && status !== 522] : ['SF_HTTP_ERROR', false];
  }
}

/** The typed error for a non-success answer. Server text is kept, except on 401 where it can quote the token. */
export function errorForAnswer(answer: HttpAnswer, context: AnswerContext): SqlApiError {
  const body = readErrorBody(answer.body);
  const details: SqlApiErrorDetails = {
    httpStatus: answer.status,
    snowflakeCode: body.snowflakeCode,
    sqlState: body.sqlState,
    statementHandle: body.statementHandle ?? context.statementHandle,
    requestId: context.requestId,
  };
  const code = body.snowflakeCode === undefined ? '' : ` ${body.snowflakeCode}`;
  const serverText = (body.message ?? '').slice(0, 1000);
  const text = serverText === '' ? '' : `: ${serverText}`;
  switch (answer.status) {
    case 401:
      return new AuthenticationError(
        `Snowflake rejected the ${context.tokenMethod} token (HTTP 401${code}) after renewing it once`,
        details,
      );
    case 408:
      return new StatementTimeoutError(`statement timed out (HTTP 408${code})${text}`, details);
    case 422:
      if (body.snowflakeCode === CANCELLED_CODE) {
        return new StatementCancelledError(`statement was cancelled (HTTP 422${code})${text}`, details);
      }
      return new SnowflakeQueryError(`statement failed (HTTP 422${code})${text}`, details);
    default: {
      const [kind, retryable] = kindOf(answer.status);
      return new SnowflakeHttpError(kind, `Snowflake answered HTTP ${answer.status}${code}${text}`, retryable, details);
    }
  }
}
