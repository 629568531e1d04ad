// The one interface through which collected events and findings leave the collection engine. Metrics and OTLP logs
// are both sinks; the engine commits a batch's watermark and dedupe ids only after EVERY sink accepted the batch.
import type { Finding, SnowflakeEvent } from './events.ts';

export interface DeliveryBatch {
  readonly account: string;
  /** Source id (e.g. 'query_history') or detection id that produced the batch. */
  readonly source: string;
  readonly events: readonly SnowflakeEvent[];
  readonly findings: readonly Finding[];
}

export interface Sink {
  readonly name: string;
  /**
   * Resolves once the sink has durably accepted every record of the batch (for OTLP: the collector acknowledged
   * it). Rejecting keeps the batch uncommitted: it is read and offered again later. A sink may therefore see the same
   * event id again after its own failure or a restart and must not count it twice within one process lifetime.
   * Bounded: a sink that cannot accept (queue full) waits or rejects; it never drops silently.
   */
  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void>;
  /** Flushes what is buffered, within the caller's signal. Idempotent. */
  close(signal?: AbortSignal): Promise<void>;
}
