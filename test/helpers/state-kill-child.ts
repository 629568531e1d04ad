// Child process for the kill -9 test: commits batches of ids with a watermark in a tight loop and prints
// "committed <n>" only after commit() returned. The parent kills it with SIGKILL at a random moment and checks that
// every reported batch survived. Batch n holds idsInBatch(n) ids named `b<n>-<i>` and moves the watermark to
// watermarkOf(n), all in one commit.
import { openStateStore } from '../../src/state/index.ts';

export const KILL_TEST_ACCOUNT = 'acct';
export const KILL_TEST_STREAM = 'query_history';
const BASE_MS = Date.UTC(2026, 0, 1);

export function idsInBatch(batch: number): string[] {
  return Array.from({ length: 1 + ((batch * 37) % 200) }, (_, i) => `b${batch}-${i}`);
}

export function watermarkOf(batch: number): Date {
  return new Date(BASE_MS + batch * 1000);
}

export function batchOfWatermark(watermark: Date): number {
  return (watermark.getTime() - BASE_MS) / 1000;
}

if (import.meta.main) {
  const path = process.argv[2] ?? '';
  let batch = Number(process.argv[3] ?? '0');
  const store = openStateStore({ path });
  for (;;) {
    store.commit(KILL_TEST_ACCOUNT, KILL_TEST_STREAM, idsInBatch(batch), new Date('2100-01-01T00:00:00Z'), watermarkOf(batch));
    if (batch % 10 === 0) store.setValue('progress', 'batch', String(batch));
    // Writes to a pipe are synchronous on Linux: the line is out before the next commit starts.
    process.stdout.write(`committed ${batch}\n`);
    batch++;
  }
}
