// Public surface of the OpenTelemetry logs export.
export { DEFAULT_BACKOFF, retryDelayMs, type BackoffPolicy } from './backoff.ts';
export { ExportQueue, OtlpSinkClosedError, type FlushReport, type QueueItem } from './export-queue.ts';
export { MAX_RETRY_AFTER_MS, retryAfterMs } from './http-attempts.ts';
export {
  ATTR_RECORD_ID,
  DB_SYSTEM_NAME_SNOWFLAKE,
  EVENT_NAMES,
  FINDING_SEVERITY_NUMBERS,
  draftForEvent,
  draftForFinding,
  type LogRecordDraft,
} from './log-record-drafts.ts';
export { OtlpMetrics, type OtlpQueueListener } from './otlp-metrics.ts';
export { OtlpLogSink, type OtlpLogSinkOptions } from './otlp-sink.ts';
export { RecordFactory, baseResource, SCOPE_NAME, type AccountResource } from './record-factory.ts';
export { RECORD_KINDS, recordId, type RecordKind } from './record-id.ts';
export { DEFAULT_OTLP_ENDPOINT, DEFAULT_OTLP_PROTOCOL, OtlpSettingsError, resolveEndpoint, type ResolvedEndpoint } from './settings.ts';
export { OtlpHttpTransport, type ExportOutcome, type LogTransport } from './transport.ts';
