// The OTLP sink's self-metrics, in the exporter's own registry. They show the queue filling while the collector is
// down or slow (queued against capacity), what was acknowledged per kind, and how many record exports failed or were
// sent again. Names are fixed: dashboards and alert rules use them.
import { Counter, Gauge, type Registry } from 'prom-client';
import { NAMESPACE } from '../metrics/namespace.ts';
import { RECORD_KINDS, type RecordKind } from './record-id.ts';

export interface OtlpQueueListener {
  queued(records: number): void;
  exported(kind: RecordKind, records: number, at: Date): void;
  failed(records: number): void;
  retried(records: number): void;
}

export class OtlpMetrics implements OtlpQueueListener {
  readonly #queued: Gauge;
  readonly #exported: Counter<'kind'>;
  readonly #failed: Counter;
  readonly #retried: Counter;
  readonly #lastSuccess: Gauge;

  constructor(registry: Registry, capacity: number) {
    const registers = [registry];
    this.#queued = new Gauge({
      name: `${NAMESPACE}otlp_queued_records`,
      help: 'OTLP log records waiting for the collector\'s acknowledgement (queued or being exported).',
      registers,
    });
    new Gauge({
      name: `${NAMESPACE}otlp_queue_capacity_records`,
      help: 'Most OTLP log records that may wait at once; at capacity, collection waits (nothing is dropped).',
      registers,
    }).set(capacity);
    this.#exported = new Counter({
      name: `${NAMESPACE}otlp_exported_records_total`,
      help: 'OTLP log records the collector acknowledged, by kind (query, login, share, grant, finding).',
      labelNames: ['kind'],
      registers,
    });
    this.#failed = new Counter({
      name: `${NAMESPACE}otlp_failed_records_total`,
      help: 'OTLP log records in export attempts that failed (each failed attempt counts its records; they are retried).',
      registers,
    });
    this.#retried = new Counter({
      name: `${NAMESPACE}otlp_retried_records_total`,
      help: 'OTLP log records sent again after a failed attempt, by the exporter\'s own retries or the sink\'s.',
      registers,
    });
    this.#lastSuccess = new Gauge({
      name: `${NAMESPACE}otlp_last_success_timestamp_seconds`,
      help: 'Unix time of the last export the collector acknowledged; 0 until the first.',
      registers,
    });
    for (const kind of RECORD_KINDS) this.#exported.inc({ kind }, 0);
  }

  queued(records: number): void {
    this.#queued.set(records);
  }

  exported(kind: RecordKind, records: number, at: Date): void {
    this.#exported.inc({ kind }, records);
    this.#lastSuccess.set(at.getTime() / 1000);
  }

  failed(records: number): void {
    this.#failed.inc(records);
  }

  retried(records: number): void {
    if (records > 0) this.#retried.inc(records);
  }
}
