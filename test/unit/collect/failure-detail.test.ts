// What a failure may say in the log and on the page: Snowflake's code and its message cut to one bounded line, the
// client's and the store's codes; never a token, a result value (a decode error's preview, a JSON.parse quote) or
// the text of a file.
import assert from 'node:assert/strict';
import { test } from 'node:test';
import { DeliveryError } from '../../../src/collect/delivery-errors.ts';
import { describeFailure, formatFailure, MAX_FAILURE_MESSAGE_LENGTH } from '../../../src/collect/failure-detail.ts';
import { OAuthTokenEndpointError } from '../../../src/snowflake/auth/index.ts';
import { createRowDecoder, NetworkError, RetriesExhaustedError, SnowflakeHttpError, SnowflakeQueryError } from '../../../src/snowflake/sqlapi/index.ts';
import { toStateStoreError } from '../../../src/state/errors.ts';

test("a query error keeps Snowflake's code and message, on one bounded line", () => {
  const error = new SnowflakeQueryError(
    `statement failed (HTTP 422 002003): SQL compilation error:\nObject 'SNOWFLAKE.ACCOUNT_USAGE.SESSIONS' does not exist or not authorized.${' x'.repeat(400)}`,
    { httpStatus: 422, snowflakeCode: '002003', sqlState: '02000' },
  );
  const failure = describeFailure(error);
  assert.equal(failure.kind, 'permission');
  assert.equal(failure.snowflakeCode, '002003');
  assert.equal(failure.httpStatus, 422);
  assert.equal(failure.code, 'SF_QUERY_FAILED');
  assert.ok(!failure.message.includes('\n'));
  assert.ok(failure.message.length <= MAX_FAILURE_MESSAGE_LENGTH);
  assert.match(failure.message, /^statement failed \(HTTP 422 002003\): SQL compilation error: Object 'SNOWFLAKE\.ACCOUNT_USAGE\.SESSIONS' does not exist/);
  assert.match(formatFailure(failure), /^permission, Snowflake 002003, HTTP 422, SF_QUERY_FAILED: statement failed/);
});

test('retries exhausted: the code of the last failure and its status; a token in a server text is masked', () => {
  const last = new SnowflakeHttpError('SF_RATE_LIMITED', 'Snowflake answered HTTP 429 390505: Too many requests; token=abcd1234secret', true, {
    httpStatus: 429,
    snowflakeCode: '390505',
  });
  const failure = describeFailure(new RetriesExhaustedError(`submit request gave up after 6 attempt(s): ${last.message}`, 6, last));
  assert.equal(failure.kind, 'throttled');
  assert.equal(failure.code, 'SF_RETRIES_EXHAUSTED/SF_RATE_LIMITED');
  assert.equal(failure.snowflakeCode, '390505');
  assert.ok(!failure.message.includes('abcd1234secret'), failure.message);
  const network = describeFailure(new NetworkError('status request failed: ECONNRESET socket hang up', {}));
  assert.deepEqual({ kind: network.kind, code: network.code }, { kind: 'network', code: 'SF_NETWORK_ERROR' });
});

test('a value that could not be decoded is described by column and row, never quoted', () => {
  const decoder = createRowDecoder([{ name: 'BYTES_SCANNED', type: 'fixed', nullable: true, scale: 0, precision: 38 }]);
  let thrown: unknown;
  try {
    decoder.decode(['SECRET-CUSTOMER-VALUE'], 41);
  } catch (error) {
    thrown = error;
  }
  assert.ok(thrown instanceof Error, 'the decoder refused the value');
  assert.ok(thrown.message.includes('SECRET-CUS'), 'the decoder itself previews the value (which is why it is not used)');
  const failure = describeFailure(thrown);
  assert.equal(failure.kind, 'response');
  assert.equal(failure.message, 'a value in column "BYTES_SCANNED" of row 41 of the result could not be decoded');
});

test('an error of a built-in class says where it was thrown, not its message (JSON.parse quotes its input)', () => {
  let thrown: unknown;
  try {
    JSON.parse('{"user":"ALICE","ssn":"123-45-6789"');
  } catch (error) {
    thrown = error;
  }
  const failure = describeFailure(thrown);
  assert.equal(failure.kind, 'internal');
  assert.ok(!failure.message.includes('123-45-6789'), failure.message);
  assert.match(failure.message, /^SyntaxError at test\/unit\/collect\/failure-detail\.test\.ts:\d+:\d+ \(message withheld: it may quote data\)$/);
});

test("the state store's kind and code, through the delivery pipeline's error; the token endpoint's status and OAuth error", () => {
  const full = toStateStoreError({ errcode: 13, errstr: 'database or disk is full', message: 'disk I/O on /var/lib/x/state.db' }, 'commit');
  const delivery = new DeliveryError('state', 'could not commit a batch of account "prod" stream "query_history"', { account: 'prod', stream: 'query_history', cause: full });
  const failure = describeFailure(delivery);
  assert.equal(failure.kind, 'state');
  assert.equal(failure.code, 'STATE_FULL');
  assert.equal(failure.message, 'could not commit a batch of account "prod" stream "query_history" (state store commit failed (full): database or disk is full)');
  assert.ok(!failure.message.includes('/var/lib'), 'SQLite text only, no path');

  const endpoint = describeFailure(
    new OAuthTokenEndpointError('OAUTH_TOKEN_ENDPOINT_UNAVAILABLE', 'the token endpoint kept failing (HTTP 503) after 4 attempts', { status: 503, attempts: 4 }),
  );
  assert.deepEqual(
    { kind: endpoint.kind, httpStatus: endpoint.httpStatus, code: endpoint.code },
    { kind: 'auth', httpStatus: 503, code: 'OAUTH_TOKEN_ENDPOINT_UNAVAILABLE' },
  );
});
