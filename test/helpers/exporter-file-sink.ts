// A test-owned Sink that makes delivery durable before it acknowledges: each accepted batch is appended to a file as
// one JSON line and fsync'ed, and only then does deliver() resolve. It stands in for a downstream system that
// acknowledges what it has stored, so a kill -9 of the exporter can be judged from the file: every id in it was
// accepted downstream, and an id that appears twice was delivered twice.
import { closeSync, existsSync, fsyncSync, openSync, readFileSync, writeSync } from 'node:fs';
import type { DeliveryBatch, Sink } from '../../src/collect/sink.ts';

export interface FileSinkLine {
  readonly pid: number;
  readonly source: string;
  /** Event ids, then `finding:<id>` for findings. */
  readonly ids: readonly string[];
}

export class FileSink implements Sink {
  readonly name = 'file';
  readonly #fd: number;
  #closed = false;

  constructor(path: string) {
    this.#fd = openSync(path, 'a');
  }

  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    if (this.#closed) return Promise.reject(new Error('the file sink is closed'));
    if (signal.aborted) return Promise.reject(new Error('delivery aborted'));
    const line: FileSinkLine = {
      pid: process.pid,
      source: batch.source,
      ids: [...batch.events.map((event) => event.id), ...batch.findings.map((finding) => `finding:${finding.id}`)],
    };
    writeSync(this.#fd, `${JSON.stringify(line)}\n`);
    fsyncSync(this.#fd);
    return Promise.resolve();
  }

  close(): Promise<void> {
    if (!this.#closed) {
      this.#closed = true;
      closeSync(this.#fd);
    }
    return Promise.resolve();
  }
}

/**
 * The batches a FileSink wrote, in order. A last line cut by a kill (no newline, or not JSON) was never acknowledged
 * and is left out; a damaged line anywhere else is an error.
 */
export function readFileSink(path: string): FileSinkLine[] {
  if (!existsSync(path)) return [];
  const parts = readFileSync(path, 'utf8').split('\n');
  const complete = parts.slice(0, -1);
  return complete.map((text, index) => {
    try {
      return JSON.parse(text) as FileSinkLine;
    } catch {
      throw new Error(`${path}: line ${index + 1} is not a sink record`);
    }
  });
}
