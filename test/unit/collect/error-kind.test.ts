// Every error class a source can meet, sorted into the kinds the self-metrics count.
import assert from 'node:assert/strict';
import { describe, test } from 'node:test';
import { classifyError, isUnavailable } from '../../../src/collect/error-kind.ts';
import { AuthError, OAuthReauthorizationRequiredError } from '../../../src/snowflake/auth/index.ts';
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
  StatementCancelledError,
  StatementTimeoutError,
} from '../../../src/snowflake/sqlapi/index.ts';

/** Stands for the sources' SourceUnavailableError (another module): recognised by its name. */
class SourceUnavailableError extends Error {
  constructor() {
    super('view TRUST_CENTER.FINDINGS is not available');
    this.name = 'SourceUnavailableError';
  }
}

describe('classifyError', () => {
  const cases: [string, unknown, string, boolean][] = [
    ['002003 (schema missing / not authorized)', new SnowflakeQueryError('x', { snowflakeCode: '002003', httpStatus: 422 }), 'permission', true],
    ['003001 (insufficient privileges)', new SnowflakeQueryError('x', { snowflakeCode: '003001', httpStatus: 422 }), 'permission', true],
    ['SourceUnavailableError', new SourceUnavailableError(), 'permission', true],
    ['another 422', new SnowflakeQueryError('x', { snowflakeCode: '001003', httpStatus: 422 }), 'query', false],
    ['401 after renewal', new AuthenticationError('x', { httpStatus: 401 }), 'auth', false],
    ['token source failure', new AuthError('AUTH_PRIVATE_KEY_INVALID', 'bad key'), 'auth', false],
    ['OAuth re-authorisation', new OAuthReauthorizationRequiredError('no_tokens', 'sign in again'), 'auth', false],
    ['statement timeout (408)', new StatementTimeoutError('x', { httpStatus: 408, snowflakeCode: '000630' }), 'timeout', false],
    ['deadline', new DeadlineExceededError('x', {}), 'timeout', false],
    ['cancelled', new StatementCancelledError('x', {}), 'timeout', false],
    ['network', new NetworkError('x', {}), 'network', false],
    ['retries exhausted on 429', new RetriesExhaustedError('x', 5, new SnowflakeHttpError('SF_RATE_LIMITED', 'x', true, { httpStatus: 429, snowflakeCode: '390505' })), 'throttled', false],
    ['retries exhausted on 503', new RetriesExhaustedError('x', 5, new SnowflakeHttpError('SF_SERVER_ERROR', 'x', true, { httpStatus: 503 })), 'throttled', false],
    ['retries exhausted on network', new RetriesExhaustedError('x', 5, new NetworkError('x', {})), 'network', false],
    ['429 given up', new SnowflakeHttpError('SF_RATE_LIMITED', 'x', true, { httpStatus: 429 }), 'throttled', false],
    ['403', new SnowflakeHttpError('SF_FORBIDDEN', 'x', false, { httpStatus: 403 }), 'auth', false],
    ['400', new SnowflakeHttpError('SF_BAD_REQUEST', 'x', false, { httpStatus: 400 }), 'query', false],
    ['malformed answer', new ResponseFormatError('x'), 'response', false],
    ['undecodable value', new ResponseDecodeError('x', { column: 'C', columnIndex: 0, rowIndex: 0 }), 'response', false],
    ['answer too large', new ResponseTooLargeError(10), 'response', false],
    ['sink refusal (errorKind)', Object.assign(new Error('collector down'), { errorKind: 'sink' }), 'sink', false],
    ['state store failure (errorKind)', Object.assign(new Error('disk full'), { errorKind: 'state' }), 'state', false],
    ['unknown errorKind value', Object.assign(new Error('x'), { errorKind: 'bogus' }), 'internal', false],
    ['a plain Error', new TypeError('bug'), 'internal', false],
    ['not an Error at all', 'a string', 'internal', false],
  ];
  for (const [name, error, kind, unavailable] of cases) {
    test(`${name} -> ${kind}${unavailable ? ' (unavailable)' : ''}`, () => {
      assert.deepEqual(classifyError(error), { kind, unavailable });
      assert.equal(isUnavailable(error), unavailable);
    });
  }

  test('retries exhausted on an unavailable code stays a failure (a retried 422 is not a missing view)', () => {
    const error = new RetriesExhaustedError('x', 3, new NetworkError('x', { snowflakeCode: '002003' }));
    assert.equal(classifyError(error).unavailable, false);
  });
});
