// The OTLP logs sink: every raw query, login, share and grant event and every finding the engine delivers becomes one
// OpenTelemetry log record, exported to an OpenTelemetry Collector over OTLP/HTTP. deliver() resolves only once the
// collector acknowledged every record of the batch, so the delivery pipeline commits a watermark only behind what the
// collector holds. Each record carries `snowflake.record.id`, stable across processes, for downstream dedupe of what
// a crash between acknowledgement and commit sends again.
import type { Registry } from 'prom-client';
import type { DeliveryBatch, Sink } from '../../collect/sink.ts';
import type { OtlpConfig } from '../../config/types.ts';
import type { BackoffPolicy } from './backoff.ts';
import { ExportQueue, OtlpSinkClosedError, type FlushReport, type QueueItem } from './export-queue.ts';
import { draftForEvent, draftForFinding, type LogRecordDraft } from './log-record-drafts.ts';
import { OtlpMetrics, type OtlpQueueListener } from './otlp-metrics.ts';
import { RecordFactory, type AccountResource } from './record-factory.ts';
import { resolveEndpoint, type ResolvedEndpoint } from './settings.ts';
import { OtlpHttpTransport, type LogTransport } from './transport.ts';

export interface OtlpLogSinkOptions {
  readonly config: OtlpConfig;
  /** Accounts whose records this sink exports (label and identifier go on the resource). */
  readonly accounts: readonly AccountResource[];
  /** The exporter's registry: the sink's self-metrics are registered there. */
  readonly registry: Registry;
  /** Environment for OTEL_EXPORTER_OTLP_{LOGS_,}ENDPOINT and _PROTOCOL (default process.env). */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined;
  readonly log?: ((level: 'info' | 'warn' | 'error', message: string) => void) | undefined;
  /** Retry pacing after failed exports (default 1 s doubling to 30 s). */
  readonly backoff?: BackoffPolicy | undefined;
  /** Replaces the wait between attempts (tests observe the delays chosen). */
  readonly sleep?: ((ms: number, signal: AbortSignal) => Promise<void>) | undefined;
  /** Replaces the OTLP/HTTP transport (benchmarks measure the rest without a network). */
  readonly transport?: LogTransport | undefined;
  /** Also told about queue changes (tests watch the queue's high-water mark). */
  readonly listener?: OtlpQueueListener | undefined;
}

export class OtlpLogSink implements Sink {
  readonly name = 'otlp';
  readonly endpoint: ResolvedEndpoint;
  readonly #queue: ExportQueue;
  readonly #factory: RecordFactory;
  #closed = false;
  #closing: Promise<FlushReport> | undefined;

  constructor(options: OtlpLogSinkOptions) {
    const config = options.config;
    this.endpoint = resolveEndpoint(config, options.env ?? process.env);
    this.#factory = new RecordFactory({ accounts: options.accounts, resourceAttributes: config.resourceAttributes });
    const headers = Object.fromEntries(Object.entries(config.headers).map(([name, secret]) => [name, secret.reveal()]));
    const transport =
      options.transport ??
      new OtlpHttpTransport({
        url: this.endpoint.url,
        protocol: this.endpoint.protocol,
        headers,
        timeoutMillis: config.timeoutSeconds === undefined ? undefined : config.timeoutSeconds * 1000,
        compression: config.compression,
      });
    const metrics = new OtlpMetrics(options.registry, config.queueSize);
    const extra = options.listener;
    const listener: OtlpQueueListener =
      extra === undefined
        ? metrics
        : {
            queued: (records) => (metrics.queued(records), extra.queued(records)),
            exported: (kind, records, at) => (metrics.exported(kind, records, at), extra.exported(kind, records, at)),
            failed: (records) => (metrics.failed(records), extra.failed(records)),
            retried: (records) => (metrics.retried(records), extra.retried(records)),
          };
    const log = options.log;
    this.#queue = new ExportQueue({
      capacity: config.queueSize,
      maxBatch: config.maxBatch,
      transport,
      listener,
      backoff: options.backoff,
      sleep: options.sleep,
      log: log === undefined ? undefined : (level, message) => log(level, message),
    });
  }

  /** Records waiting for the collector right now. */
  get queued(): number {
    return this.#queue.size;
  }

  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new OtlpSinkClosedError());
    if (signal.aborted) return Promise.reject(signal.reason instanceof Error ? signal.reason : new Error('aborted'));
    let items: QueueItem[];
    try {
      items = [...batch.events.map(draftForEvent), ...batch.findings.map(draftForFinding)].map((draft) => this.#item(draft));
    } catch (error) {
      return Promise.reject(error instanceof Error ? error : new Error('could not map the batch to log records'));
    }
    return this.#queue.offer(items, signal);
  }

  /**
   * Stops accepting, flushes what is queued within the signal (graceful shutdown), then rejects what is left: those
   * records stay uncommitted and are sent again, with the same record ids, by the next run. Idempotent.
   */
  close(signal?: AbortSignal): Promise<void> {
    return this.flush(signal).then(() => undefined);
  }

  /** close() that also says how many records could not be flushed in time. */
  flush(signal?: AbortSignal): Promise<FlushReport> {
    this.#closed = true;
    this.#closing ??= this.#queue.close(signal).finally(() => this.#factory.shutdown());
    return this.#closing;
  }

  #item(draft: LogRecordDraft): QueueItem {
    return { key: draft.recordId, kind: draft.kind, build: () => this.#factory.build(draft) };
  }
}
