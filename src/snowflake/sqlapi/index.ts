// Public surface of the Snowflake SQL API v2 client.
export { SqlApiClient } from './client.ts';
export type { ExecuteOptions, RequestKind, SqlApiClientOptions, SqlApiEvent } from './client.ts';
export type { StatementBodyOptions, StatementDefaults } from './statement-body.ts';
export { StatementResult } from './result.ts';
export { bind, toWireBindings } from './bindings.ts';
export type { Binding, BindingType, Bindings, Instant } from './bindings.ts';
export { createRowDecoder, replaceUndefinedTokens, rowToObject } from './decode.ts';
export type { ColumnMeta, DecodedRow, DecodedValue, JsonValue, RowDecoder } from './decode.ts';
export { SnowflakeTime, SnowflakeTimestamp } from './values.ts';
export type { TimestampKind } from './values.ts';
export type { DmlStats, PartitionInfo } from './envelope.ts';
export type { PollOptions, RetryOptions } from './retry.ts';
export {
  AuthenticationError,
  DeadlineExceededError,
  InvalidBindingError,
  NetworkError,
  ResponseDecodeError,
  ResponseFormatError,
  ResponseTooLargeError,
  ResultConsumedError,
  RetriesExhaustedError,
  SnowflakeHttpError,
  SnowflakeQueryError,
  SqlApiError,
  StatementCancelledError,
  StatementTimeoutError,
} from './errors.ts';
export type { SqlApiErrorCode, SqlApiErrorDetails } from './errors.ts';
