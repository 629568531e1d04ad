// One export attempt of a chunk of records through the official OTLP/HTTP exporter: protobuf
// (@opentelemetry/exporter-logs-otlp-proto) or JSON (@opentelemetry/exporter-logs-otlp-http), both the same
// exporter base, so OTEL_EXPORTER_OTLP_* variables (headers, timeout, compression, certificates) work as documented
// for either. The callback is turned into a promise that says whether the collector acknowledged the chunk, how many
// HTTP requests it took and what the collector asked for when it did not.
import { OTLPLogExporter as JsonLogExporter } from '@opentelemetry/exporter-logs-otlp-http';
import { OTLPLogExporter as ProtobufLogExporter } from '@opentelemetry/exporter-logs-otlp-proto';
import { ExportResultCode } from '@opentelemetry/core';
import { CompressionAlgorithm } from '@opentelemetry/otlp-exporter-base';
import type { OTLPExporterNodeConfigBase } from '@opentelemetry/otlp-exporter-base/node-http';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import type { OtlpProtocol } from '../../config/types.ts';
import { PRODUCT_NAME, PRODUCT_VERSION } from '../../version.ts';
import { HttpAttemptObserver } from './http-attempts.ts';

export interface ExportOutcome {
  readonly acknowledged: boolean;
  /** HTTP requests made (the exporter retries on its own); 0 when none could be sent. */
  readonly attempts: number;
  /** HTTP status of the last answer, when there was one. */
  readonly status: number | undefined;
  /** What the collector's last throttling answer asked for (Retry-After), in ms. */
  readonly retryAfterMs: number | undefined;
  /** Why it failed, safe to log: a status and a short reason, never headers or payload. */
  readonly reason: string | undefined;
}

export interface LogTransport {
  export(records: readonly ReadableLogRecord[]): Promise<ExportOutcome>;
  shutdown(): Promise<void>;
}

export interface OtlpTransportOptions {
  readonly url: URL;
  readonly protocol: OtlpProtocol;
  /** Header values (already resolved secrets); absent: OTEL_EXPORTER_OTLP_{LOGS_,}HEADERS. */
  readonly headers?: Readonly<Record<string, string>> | undefined;
  /** Per-export timeout, including the exporter's own retries; absent: OTEL_EXPORTER_OTLP_{LOGS_,}TIMEOUT or 10 s. */
  readonly timeoutMillis?: number | undefined;
  readonly compression?: 'gzip' | 'none' | undefined;
}

type Exporter = JsonLogExporter | ProtobufLogExporter;

export class OtlpHttpTransport implements LogTransport {
  readonly #exporter: Exporter;
  readonly #observer: HttpAttemptObserver;

  constructor(options: OtlpTransportOptions) {
    const config: OTLPExporterNodeConfigBase = {
      url: options.url.href,
      // The queue sends one chunk at a time and waits for its answer. The exporter forgets a finished export only
      // after calling back, so a limit of 1 would refuse the next chunk sent from within that callback.
      concurrencyLimit: 2,
      userAgent: `${PRODUCT_NAME}/${PRODUCT_VERSION}`,
      ...(options.headers === undefined || Object.keys(options.headers).length === 0 ? {} : { headers: { ...options.headers } }),
      ...(options.timeoutMillis === undefined ? {} : { timeoutMillis: options.timeoutMillis }),
      ...(options.compression === undefined
        ? {}
        : { compression: options.compression === 'gzip' ? CompressionAlgorithm.GZIP : CompressionAlgorithm.NONE }),
    };
    this.#exporter = options.protocol === 'http/json' ? new JsonLogExporter(config) : new ProtobufLogExporter(config);
    this.#observer = new HttpAttemptObserver(options.url);
  }

  export(records: readonly ReadableLogRecord[]): Promise<ExportOutcome> {
    const closeWindow = this.#observer.open();
    return new Promise((resolve) => {
      this.#exporter.export([...records], (result) => {
        const window = closeWindow();
        const acknowledged = result.code === ExportResultCode.SUCCESS;
        resolve({
          acknowledged,
          attempts: window.attempts,
          status: window.lastStatus ?? statusOf(result.error),
          retryAfterMs: window.retryAfterMs,
          reason: acknowledged ? undefined : describeFailure(result.error, window.lastStatus),
        });
      });
    });
  }

  async shutdown(): Promise<void> {
    this.#observer.close();
    await this.#exporter.shutdown();
  }
}

function statusOf(error: unknown): number | undefined {
  const code = (error as { code?: unknown } | undefined)?.code;
  return typeof code === 'number' ? code : undefined;
}

/** A short reason: the HTTP status or the network error code. Never the error's data (the collector's body). */
function describeFailure(error: unknown, status: number | undefined): string {
  if (status !== undefined && status >= 300) return `HTTP ${status}`;
  const code = (error as { code?: unknown } | undefined)?.code;
  if (typeof code === 'string') return code;
  if (typeof code === 'number') return `HTTP ${code}`;
  const message = error instanceof Error ? error.message : '';
  return message === '' ? 'export failed' : message.slice(0, 200);
}
