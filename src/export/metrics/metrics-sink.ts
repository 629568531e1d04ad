// The metrics side of delivery: counts the events and findings the engine hands to every sink. Counting is all it
// does, so accepting a batch is synchronous and never fails for a reason outside the process.
import { Counter, type Registry } from 'prom-client';
import type { Finding, SnowflakeEvent } from '../../collect/events.ts';
import type { DeliveryBatch, Sink } from '../../collect/sink.ts';
import { EVENT_KINDS, type Vocabularies } from './labels.ts';
import { NAMESPACE } from './namespace.ts';
import { RecentIds } from './recent-ids.ts';

export class MetricsSinkClosedError extends Error {
  readonly code = 'METRICS_SINK_CLOSED';
  constructor() {
    super('the metrics sink is closed');
    this.name = 'MetricsSinkClosedError';
  }
}

/** What else counts a first-time event or finding (signal counters, the risk score). Must not throw. */
export interface MetricsSinkListeners {
  event?(event: SnowflakeEvent): void;
  finding?(finding: Finding): void;
}

export class MetricsSink implements Sink {
  readonly name = 'metrics';
  readonly #vocab: Vocabularies;
  readonly #seen: RecentIds;
  readonly #events: Counter<'account' | 'kind'>;
  readonly #findings: Counter<'account' | 'detection' | 'severity'>;
  readonly #duplicates: Counter;
  readonly #listeners: MetricsSinkListeners;
  #closed = false;

  constructor(registry: Registry, vocab: Vocabularies, recentIdCapacity: number, listeners: MetricsSinkListeners = {}) {
    this.#vocab = vocab;
    this.#listeners = listeners;
    this.#seen = new RecentIds(recentIdCapacity);
    const registers = [registry];
    this.#events = new Counter({
      name: `${NAMESPACE}events_total`,
      help: 'Snowflake events delivered, by kind (query, login, share, grant).',
      labelNames: ['account', 'kind'],
      registers,
    });
    this.#findings = new Counter({
      name: `${NAMESPACE}findings_total`,
      help: 'Findings raised by the detections, by detection id and severity.',
      labelNames: ['account', 'detection', 'severity'],
      registers,
    });
    this.#duplicates = new Counter({
      name: `${NAMESPACE}metrics_sink_duplicates_total`,
      help: 'Events and findings offered again to the metrics sink after it had counted them (not counted twice); should stay 0.',
      registers,
    });
    for (const account of vocab.account.values) {
      for (const kind of EVENT_KINDS) this.#events.inc({ account, kind }, 0);
    }
  }

  /** True the first time a key is offered. The pipeline already prevents repeats; this bounded check is a backstop. */
  #firstTime(key: string): boolean {
    if (this.#seen.add(key)) return true;
    this.#duplicates.inc();
    return false;
  }

  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new MetricsSinkClosedError());
    if (signal.aborted) return Promise.reject(signal.reason as Error);
    for (const event of batch.events) {
      const account = this.#vocab.account.label(event.account);
      const kind = this.#vocab.eventKind.label(event.kind);
      if (!this.#firstTime(`e\u0000${account}\u0000${kind}\u0000${event.id}`)) continue;
      this.#events.inc({ account, kind });
      this.#listeners.event?.(event);
    }
    for (const finding of batch.findings) {
      const account = this.#vocab.account.label(finding.account);
      if (!this.#firstTime(`f\u0000${account}\u0000${finding.id}`)) continue;
      this.#findings.inc({
        account,
        detection: this.#vocab.detection.label(finding.detectionId),
        severity: this.#vocab.severity.label(finding.severity),
      });
      this.#listeners.finding?.(finding);
    }
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.#closed = true;
    return Promise.resolve();
  }
}
