// Child process for the pipeline kill -9 test: a miniature incremental stream over a fixed set of TOTAL_EVENTS
// events (one per second from BASE), read window by window from the committed watermark minus an overlap, offered
// to a DeliveryPipeline whose one sink appends each accepted id to a file, then the watermark is committed. The
// parent kills it with SIGKILL at random moments and restarts it until it prints "done".
import { appendFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { DeliveryPipeline } from '../../src/collect/delivery.ts';
import type { DeliveryBatch, Sink } from '../../src/collect/sink.ts';
import { openStateStore } from '../../src/state/index.ts';
import { loginEvent } from './state-test-sinks.ts';

export const TOTAL_EVENTS = 4000;
export const PIPELINE_BATCH_SIZE = 25;
const BASE_MS = Date.UTC(2026, 0, 1);
const OVERLAP_MS = 60_000;
const WINDOW_MS = 200_000;
const END_MS = BASE_MS + TOTAL_EVENTS * 1000;

/** A sink that durably appends the ids it accepts (one per line) before acknowledging, as a collector would. */
class FileSink implements Sink {
  readonly name = 'file';
  readonly #path: string;
  constructor(path: string) {
    this.#path = path;
  }
  async deliver(batch: DeliveryBatch): Promise<void> {
    appendFileSync(this.#path, batch.events.map((event) => `${event.id}\n`).join(''));
    await sleep(2); // the acknowledgement takes a moment, as a collector's would: kills land in that gap too
  }
  close(): Promise<void> {
    return Promise.resolve();
  }
}

function eventsBetween(fromMs: number, toMs: number) {
  const first = Math.max(0, Math.ceil((fromMs - BASE_MS) / 1000));
  const last = Math.min(TOTAL_EVENTS, Math.ceil((toMs - BASE_MS) / 1000));
  const events = [];
  for (let i = first; i < last; i++) {
    events.push({ ...loginEvent(`ev-${i}`), time: new Date(BASE_MS + i * 1000) });
  }
  return events;
}

if (import.meta.main) {
  const [dbPath = '', sinkPath = ''] = process.argv.slice(2);
  const store = openStateStore({ path: dbPath });
  const pipeline = new DeliveryPipeline({
    store,
    sinks: [new FileSink(sinkPath)],
    now: () => new Date(),
    retentionSeconds: () => 3600,
    batchSize: PIPELINE_BATCH_SIZE,
  });
  process.stdout.write('ready\n');
  for (;;) {
    const watermark = pipeline.position('acct', 'login_history')?.getTime() ?? BASE_MS;
    if (watermark >= END_MS) break;
    const windowEnd = Math.min(END_MS, watermark + WINDOW_MS);
    await pipeline.deliver('acct', 'login_history', eventsBetween(watermark - OVERLAP_MS, windowEnd), []);
    pipeline.commitWatermark('acct', 'login_history', new Date(windowEnd));
  }
  store.close();
  process.stdout.write('done\n');
}
