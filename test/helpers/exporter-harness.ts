// Shared parts of the collection acceptance tests (test/integration/collection): an ExporterConfig for an emulated
// account, a test-owned recording sink that can be told to reject, row factories for the two event views, and a
// small reader of the Prometheus text exposition. Everything the tests judge comes from the real emulator, the real
// state store and what this sink was handed.
import type { TestContext } from 'node:test';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { SnowflakeEvent } from '../../src/collect/events.ts';
import type { DeliveryBatch, Sink } from '../../src/collect/sink.ts';
import type { AccountConfig, ExporterConfig } from '../../src/config/types.ts';
import { startExporter, type RunningExporter } from '../../src/runtime/exporter.ts';

/** A fresh directory removed when the test ends. */
export function tempDirFor(t: TestContext, prefix = 'sre-collection-'): string {
  const dir = mkdtempSync(join(tmpdir(), prefix));
  t.after(() => rmSync(dir, { recursive: true, force: true }));
  return dir;
}

/** The configuration the loader would produce for one account, served on a free loopback port. */
export function exporterConfigFor(account: AccountConfig, statePath: string): ExporterConfig {
  return {
    sourcePath: join(statePath, '..', 'config.yaml'),
    server: { listen: { host: '127.0.0.1', port: 0 }, metricsPath: '/metrics' },
    log: { level: 'info' },
    state: { path: statePath },
    accounts: [account],
    customDetections: [],
  };
}

/** startExporter without a schedule (tests drive cycles with runOnce), closed when the test ends. */
export async function exporterFor(t: TestContext, config: ExporterConfig, sinks: readonly Sink[]): Promise<RunningExporter> {
  const exporter = await startExporter(config, { sinks, schedule: false });
  t.after(() => exporter.close());
  return exporter;
}

export class RecordingSinkError extends Error {
  readonly code = 'TEST_RECORDING_SINK_REJECTED';
}

/**
 * A test-owned Sink: records every batch it accepts (duplicates kept, so a test can see one) and rejects the next
 * `failNext` offers, as an OTLP collector that is down would.
 */
export class RecordingExporterSink implements Sink {
  readonly name: string;
  readonly accepted: DeliveryBatch[] = [];
  /** Offers still to reject. */
  failNext = 0;
  rejected = 0;
  /** Only offers of these streams are rejected (all when undefined). */
  failOnly: ReadonlySet<string> | undefined;
  /** Offers (of the `failOnly` streams) still to accept before `failNext` starts rejecting. */
  acceptFirst = 0;

  constructor(name = 'recording') {
    this.name = name;
  }

  deliver(batch: DeliveryBatch, signal: AbortSignal): Promise<void> {
    if (signal.aborted) return Promise.reject(new RecordingSinkError('aborted'));
    const concerned = this.failOnly === undefined || this.failOnly.has(batch.source);
    if (concerned && this.acceptFirst > 0) this.acceptFirst--;
    else if (this.failNext > 0 && concerned) {
      this.failNext--;
      this.rejected++;
      return Promise.reject(new RecordingSinkError(`${this.name} rejects a batch of ${batch.source}`));
    }
    this.accepted.push(batch);
    return Promise.resolve();
  }

  close(): Promise<void> {
    return Promise.resolve();
  }

  /** Ids of accepted events, in order, duplicates kept; only `source` when given. */
  ids(source?: string): string[] {
    return this.events(source).map((event) => event.id);
  }

  events(source?: string): SnowflakeEvent[] {
    return this.accepted.filter((batch) => source === undefined || batch.source === source).flatMap((batch) => batch.events);
  }
}

/** Ids seen more than once. */
export function duplicatesOf(ids: readonly string[]): string[] {
  const seen = new Set<string>();
  const twice = new Set<string>();
  for (const id of ids) {
    if (seen.has(id)) twice.add(id);
    seen.add(id);
  }
  return [...twice].sort();
}

export function sorted(ids: Iterable<string>): string[] {
  return [...ids].sort();
}

/** A QUERY_HISTORY row of an untagged user query that ended at `end` (visible 45 min later with the latency on). */
export function queryRow(id: string, end: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    QUERY_ID: id,
    QUERY_TEXT: `SELECT * FROM SALES.PUBLIC.CUSTOMERS WHERE ID = 42`,
    QUERY_TYPE: 'SELECT',
    USER_NAME: 'ALICE',
    ROLE_NAME: 'ANALYST',
    WAREHOUSE_NAME: 'BI_WH',
    DATABASE_NAME: 'SALES',
    SCHEMA_NAME: 'PUBLIC',
    EXECUTION_STATUS: 'SUCCESS',
    QUERY_TAG: '',
    SESSION_ID: 77,
    START_TIME: new Date(end.getTime() - 2000).toISOString(),
    END_TIME: end.toISOString(),
    BYTES_SCANNED: 1000,
    BYTES_WRITTEN_TO_RESULT: 2048,
    ROWS_PRODUCED: 3,
    ROWS_UNLOADED: 0,
    OUTBOUND_DATA_TRANSFER_BYTES: 0,
    ...extra,
  };
}

/** A LOGIN_HISTORY row at `time` (visible 2 h later with the latency on). */
export function loginRow(eventId: number, time: Date, extra: Record<string, unknown> = {}): Record<string, unknown> {
  return {
    EVENT_ID: eventId,
    EVENT_TIMESTAMP: time.toISOString(),
    EVENT_TYPE: 'LOGIN',
    USER_NAME: 'ALICE',
    CLIENT_IP: '203.0.113.7',
    REPORTED_CLIENT_TYPE: 'SNOWFLAKE_UI',
    REPORTED_CLIENT_VERSION: '1.0',
    FIRST_AUTHENTICATION_FACTOR: 'PASSWORD',
    SECOND_AUTHENTICATION_FACTOR: null,
    IS_SUCCESS: 'YES',
    ERROR_CODE: null,
    ERROR_MESSAGE: null,
    ...extra,
  };
}

export function minutesAfter(base: Date, minutes: number): Date {
  return new Date(base.getTime() + minutes * 60_000);
}

export interface Sample {
  readonly name: string;
  readonly labels: Readonly<Record<string, string>>;
  readonly value: number;
}

/** Parses the samples of a Prometheus text exposition (comments skipped). */
export function parseExposition(text: string): Sample[] {
  const samples: Sample[] = [];
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const match = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})?\s+(\S+)/.exec(line);
    if (match === null) continue;
    const labels: Record<string, string> = {};
    for (const label of (match[2] ?? '').matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g)) {
      labels[label[1] ?? ''] = label[2] ?? '';
    }
    samples.push({ name: match[1] ?? '', labels, value: Number(match[3]) });
  }
  return samples;
}

/** The value of the one sample with this name whose labels include `labels`; undefined when there is none. */
export function sampleValue(text: string, name: string, labels: Readonly<Record<string, string>> = {}): number | undefined {
  const matching = parseExposition(text).filter(
    (sample) => sample.name === name && Object.entries(labels).every(([key, value]) => sample.labels[key] === value),
  );
  if (matching.length > 1) throw new Error(`${matching.length} samples of ${name} match ${JSON.stringify(labels)}`);
  return matching[0]?.value;
}

export async function scrape(exporter: RunningExporter, signal?: AbortSignal): Promise<string> {
  const response = await fetch(new URL('/metrics', exporter.url), { signal: signal ?? AbortSignal.timeout(10_000) });
  if (response.status !== 200) throw new Error(`/metrics answered ${response.status}`);
  return response.text();
}
