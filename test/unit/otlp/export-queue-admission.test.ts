// The OTLP queue's bound holds when several offers wait for room at once (sources deliver concurrently in a cycle):
// when one place frees, only one waiting record takes it. The transport is a stand-in that holds each export until
// the test answers it, since the race lies between the queue and its callers, not on the wire (the slow-collector
// test in test/integration/otlp/faults.test.ts covers the same bound with a real receiver).
import assert from 'node:assert/strict';
import { it } from 'node:test';
import type { ReadableLogRecord } from '@opentelemetry/sdk-logs';
import { ExportQueue, type QueueItem } from '../../../src/export/otlp/export-queue.ts';
import type { ExportOutcome, LogTransport } from '../../../src/export/otlp/transport.ts';

class HeldTransport implements LogTransport {
  readonly #pending: ((outcome: ExportOutcome) => void)[] = [];
  export(): Promise<ExportOutcome> {
    return new Promise((resolve) => this.#pending.push(resolve));
  }
  get held(): number {
    return this.#pending.length;
  }
  acknowledgeOne(): void {
    this.#pending.shift()?.({ acknowledged: true, attempts: 1, status: 200, retryAfterMs: undefined, reason: undefined });
  }
  shutdown(): Promise<void> {
    return Promise.resolve();
  }
}

const item = (key: string): QueueItem => ({ key, kind: 'query', build: () => ({}) as unknown as ReadableLogRecord });

async function until(condition: () => boolean): Promise<void> {
  for (let i = 0; i < 1000 && !condition(); i++) await new Promise((resolve) => setImmediate(resolve));
  assert.ok(condition(), 'condition never held');
}

it('offers woken together by one freed place never overfill the queue', async () => {
  const capacity = 3;
  const transport = new HeldTransport();
  let highWater = 0;
  const queue = new ExportQueue({
    capacity,
    maxBatch: 1,
    transport,
    listener: { queued: (records) => (highWater = Math.max(highWater, records)), exported: () => undefined, failed: () => undefined, retried: () => undefined },
  });
  const signal = new AbortController().signal;
  const filling = queue.offer([item('a'), item('b'), item('c')], signal);
  await until(() => queue.size === capacity && transport.held === 1);
  // Five offers wait for room at once.
  const waiting = ['d', 'e', 'f', 'g', 'h'].map((key) => queue.offer([item(key)], signal));
  await new Promise((resolve) => setImmediate(resolve));
  for (let acknowledged = 0; acknowledged < 8; acknowledged++) {
    await until(() => transport.held === 1);
    transport.acknowledgeOne();
    await new Promise((resolve) => setImmediate(resolve));
    assert.ok(queue.size <= capacity, `the queue holds ${queue.size} records, over its capacity of ${capacity}`);
  }
  await Promise.all([filling, ...waiting]);
  assert.equal(highWater, capacity);
  assert.equal(queue.size, 0);
  await queue.close();
});
