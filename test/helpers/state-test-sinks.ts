// Test sinks for the delivery pipeline: real implementations of the Sink interface that keep what they accepted in
// memory, and can be told to reject (as an OTLP collector that is down would). Plus small event/finding factories.
import type { Finding, LoginEvent } from '../../src/collect/events.ts';
import type { DeliveryBatch, Sink } from '../../src/collect/sink.ts';

export class SinkDownError extends Error {
  readonly code = 'TEST_SINK_DOWN';
}

export class RecordingSink implements Sink {
  readonly name: string;
  /** Every batch this sink accepted, in order. */
  readonly accepted: DeliveryBatch[] = [];
  /** Batches offered while down (rejected). */
  rejected = 0;
  /** While true, deliver() rejects without keeping anything. */
  down = false;
  closed = false;

  constructor(name: string) {
    this.name = name;
  }

  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new SinkDownError('aborted'));
    if (this.down) {
      this.rejected++;
      return Promise.reject(new SinkDownError(`${this.name} is down`));
    }
    this.accepted.push(batch);
    return Promise.resolve();
  }

  close(): Promise<void> {
    this.closed = true;
    return Promise.resolve();
  }

  /** Ids of every event and finding accepted, in order (findings as `finding:<id>`), duplicates kept. */
  receivedIds(): string[] {
    return this.accepted.flatMap((batch) => [
      ...batch.events.map((event) => event.id),
      ...batch.findings.map((finding) => `finding:${finding.id}`),
    ]);
  }
}

export function loginEvent(id: string, account = 'acct'): LoginEvent {
  return {
    kind: 'login',
    account,
    id,
    eventId: id,
    time: new Date('2026-01-01T00:00:00Z'),
    observedAt: new Date('2026-01-01T01:00:00Z'),
    user: 'ALICE',
    clientIp: '192.0.2.1',
    reportedClientType: 'SNOWFLAKE_UI',
    reportedClientVersion: null,
    firstAuthenticationFactor: 'PASSWORD',
    secondAuthenticationFactor: null,
    success: true,
    errorCode: null,
    errorMessage: null,
  };
}

export function loginEvents(prefix: string, count: number, account = 'acct'): LoginEvent[] {
  return Array.from({ length: count }, (_, i) => loginEvent(`${prefix}${i}`, account));
}

export function finding(id: string, detectionId = 'auth.password_spray', account = 'acct'): Finding {
  return {
    account,
    id,
    detectionId,
    severity: 'high',
    user: 'ALICE',
    time: new Date('2026-01-01T00:00:00Z'),
    observedAt: new Date('2026-01-01T01:00:00Z'),
    evidenceIds: ['e1'],
    reason: 'Many failed logins from one address',
    attributes: { clientIp: '192.0.2.1' },
  };
}
