// Test helpers for the OTLP sink: the resolved `otlp` configuration the loader would produce, pointed at an
// in-process receiver, and a queue listener that remembers the highest queue length seen (the backpressure bound).
import type { OtlpConfig } from '../../src/config/types.ts';
import type { OtlpQueueListener } from '../../src/export/otlp/index.ts';
import type { RecordKind } from '../../src/export/otlp/record-id.ts';

export function otlpConfigFor(endpoint: string, overrides: Partial<OtlpConfig> = {}): OtlpConfig {
  return {
    enabled: true,
    endpoint,
    protocol: 'http/protobuf',
    headers: {},
    timeoutSeconds: 5,
    compression: undefined,
    queueSize: 2048,
    maxBatch: 512,
    shutdownFlushSeconds: 5,
    resourceAttributes: {},
    ...overrides,
  };
}

/** Remembers what the queue reported: its high-water mark, and the totals of each counter. */
export class QueueWatch implements OtlpQueueListener {
  highWater = 0;
  current = 0;
  exportedRecords = 0;
  failedRecords = 0;
  retriedRecords = 0;
  readonly exportedByKind = new Map<RecordKind, number>();

  queued(records: number): void {
    this.current = records;
    this.highWater = Math.max(this.highWater, records);
  }

  exported(kind: RecordKind, records: number): void {
    this.exportedRecords += records;
    this.exportedByKind.set(kind, (this.exportedByKind.get(kind) ?? 0) + records);
  }

  failed(records: number): void {
    this.failedRecords += records;
  }

  retried(records: number): void {
    this.retriedRecords += records;
  }
}
